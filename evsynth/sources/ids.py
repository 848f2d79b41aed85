"""The ids records of export files are known by, in dedupe, the store and convert.

Ids inside export files are mostly local: EndNote, Zotero and Rayyan number
their records ``1, 2, ...``, a CSV has its row ids. One scheme names records
everywhere evsynth shows or stores them:

* within a file, a record is known by the file's own id for it when every
  record of the file has an id and no id repeats, else by ``#<position>``
  (1-based) — :func:`file_ids`;
* across files whose ids repeat (two EndNote exports both numbered from 1),
  every id is qualified by its file: ``embase.ris:1``, ``medline.ris:1`` —
  :func:`qualify_ids` (the file's name, or its path as given when two files
  share a name).

The store qualifies by the file's content instead (``<12 hex of its
SHA-256>:<id>``, see :mod:`evsynth.imports`), so that re-importing the same
bytes is recognised.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Sequence

from ..models import Record

__all__ = ["file_ids", "qualify_ids"]


def file_ids(records: Sequence[Record]) -> tuple[list[str], bool]:
    """The id of each record of one file, and whether the file's own ids were used.

    Parameters
    ----------
    records : sequence of Record
        The records of one file, in file order.

    Returns
    -------
    (ids, own)
        ``ids[k]`` is ``records[k].source_id`` when every record has an id
        and none repeats (``own`` is True), else ``"#<k+1>"`` for every
        record (``own`` is False).

    Examples
    --------
    >>> from evsynth.models import Record
    >>> file_ids([Record(source="ris", source_id="1"), Record(source="ris", source_id="1")])
    (['#1', '#2'], False)
    """
    own = [r.source_id for r in records]
    if all(own) and len(set(own)) == len(own):
        return [str(i) for i in own], True
    return [f"#{k}" for k in range(1, len(records) + 1)], False


def qualify_ids(
    paths: Sequence[str | os.PathLike[str]], ids: Sequence[Sequence[str]]
) -> tuple[list[list[str]], bool]:
    """Ids of several files, qualified by file when any id occurs in two files.

    Parameters
    ----------
    paths : sequence of path
        The files, in the order read.
    ids : sequence of sequence of str
        Each file's ids (from :func:`file_ids`).

    Returns
    -------
    (ids, qualified)
        Unchanged when no id occurs in two files; else every id is written
        ``<file>:<id>``, where ``<file>`` is the file's name, or its path as
        given when two files share a name.
    """
    counts = Counter(i for file_ids_ in ids for i in set(file_ids_))
    if all(n == 1 for n in counts.values()):
        return [list(f) for f in ids], False
    names = [Path(p).name for p in paths]
    repeated = {n for n, c in Counter(names).items() if c > 1}
    labels = [os.fspath(p) if name in repeated else name for p, name in zip(paths, names)]
    return [[f"{label}:{i}" for i in f] for label, f in zip(labels, ids)], True
