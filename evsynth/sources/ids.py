"""The ids records of export files are known by, in dedupe, the store and convert.

Ids inside export files are mostly local: EndNote, Zotero and Rayyan number
their records ``1, 2, ...``, a CSV has its row ids. One scheme names records
everywhere evsynth shows or stores them:

* within a file, a record is known by the file's own id for it when no id
  of the file repeats, else (and when it has none) by ``#<position>``
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
    """The id of each record of one file, and whether every record kept its own.

    Parameters
    ----------
    records : sequence of Record
        The records of one file, in file order.

    Returns
    -------
    (ids, own)
        ``ids[k]`` is ``records[k].source_id`` when the file's ids (those
        present) are unique, else ``"#<k+1>"``; a record without an id is
        ``"#<k+1>"`` too. ``own`` is True when every record kept its own id.

    Examples
    --------
    >>> from evsynth.models import Record
    >>> file_ids([Record(source="ris", source_id="1"), Record(source="ris", source_id="1")])
    (['#1', '#2'], False)
    >>> file_ids([Record(source="ris", source_id="7"), Record(source="ris")])
    (['7', '#2'], False)
    """
    own = [r.source_id for r in records]
    present = [i for i in own if i]
    unique = len(present) == len(set(present))
    ids = [str(i) if (i and unique) else f"#{k}" for k, i in enumerate(own, start=1)]
    return ids, unique and len(present) == len(own)


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
