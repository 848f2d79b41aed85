"""File mode: deduplicate export files and write the clusters as CSV."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
from typing import Sequence

from .._inputs import read_input_bytes
from ..errors import InputError
from ..models import Record
from ..output import open_output, refuse_overwrite
from ._core import DedupeResult, find_duplicates

__all__ = ["check_encoding", "dedupe_files", "read_inputs"]

_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def check_encoding(path: str | os.PathLike[str]) -> None:
    """Refuse a text file that mixes UTF-8 with another encoding.

    A file that is not valid UTF-8 but holds UTF-8 sequences was pasted
    together from differently encoded parts; reading it in either encoding
    would garble some records' names and titles, and so their comparison.

    Raises
    ------
    InputError
        Naming the line of the first byte that is not UTF-8 and a line that is.
    """
    data = read_input_bytes(path)
    if data.lstrip()[:1] == b"<" or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # XML declares its encoding; UTF-16 has its BOM
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8 = _UTF8_MULTIBYTE.search(data)
        if utf8 is not None:
            bad_line = data[: exc.start].count(b"\n") + 1
            good_line = data[: utf8.start()].count(b"\n") + 1
            raise InputError(
                f"mixed text encodings: byte 0x{data[exc.start]:02x} is not UTF-8, but line "
                f"{good_line} is UTF-8; save the file in one encoding (UTF-8)",
                path=os.fspath(path), line=bad_line,
            ) from None


def read_inputs(
    paths: Sequence[str | os.PathLike[str]],
) -> tuple[list[Record], list[str], list[tuple[str, int]], list[str]]:
    """Read every file; return the records, their ids, where each came from, and notes.

    Ids follow :mod:`evsynth.sources.ids`: a record's id is its input id
    (``Record.source_id``: the CSV id column, RIS ``ID``, PMID, ...) when the
    file's ids are all present and unique, else ``#<position>``; when ids
    repeat across files (EndNote and Rayyan number records 1, 2, ... in every
    export), every id is qualified by its file (``embase.ris:1``). The notes
    say when either happened.

    Raises
    ------
    InputError
        A file cannot be read (empty, no title column, mixed encodings, ...).
    """
    from ..sources.ids import file_ids, qualify_ids
    from ..sources.readers import read_records  # records in: the readers stage

    if not paths:
        raise InputError("no input files given")
    records: list[Record] = []
    per_file: list[list[str]] = []
    origins: list[tuple[str, int]] = []
    notes: list[str] = []
    for path in paths:
        path = os.fspath(path)
        check_encoding(path)  # also: no such file, a folder, unreadable
        file_records = read_records(path)
        if not file_records:
            raise InputError("the file holds no records", path=path, line=1)
        ids, own = file_ids(file_records)
        if not own:
            missing = sum(1 for r in file_records if not r.source_id)
            repeated = not any(i == r.source_id for i, r in zip(ids, file_records))
            notes.append(f"{path}: its ids repeat; every record is named by its position (#1, #2, ...)"
                         if repeated else
                         f"{path}: {missing} record(s) without an id, named by position (#<n>)")
        per_file.append(ids)
        records.extend(file_records)
        origins.extend((path, k) for k in range(1, len(file_records) + 1))
    qualified, by_file = qualify_ids([os.fspath(p) for p in paths], per_file)
    if by_file:
        notes.append("the same ids occur in several files; every id is qualified by its file (FILE:ID)")
    return records, [i for f in qualified for i in f], origins, notes


def dedupe_files(
    paths: Sequence[str | os.PathLike[str]],
    *,
    clusters: str | os.PathLike[str],
    review: str | os.PathLike[str] | None = None,
) -> DedupeResult:
    """Deduplicate the records of ``paths`` and write the result.

    Parameters
    ----------
    paths : sequence of path
        Any format :func:`evsynth.sources.readers.read_records` reads.
    clusters : path
        CSV written with one row per input record, in input order: columns
        ``record_id`` (the input's own id) and ``duplicate_of`` (empty for a
        kept record, else the record_id of the record kept), plus ``rule``
        and ``score`` of the link.
    review : path, optional
        CSV of borderline pairs: ``record_id_1``, ``record_id_2``, ``rule``,
        ``score``, ``title_similarity`` and ``evidence`` (JSON).

    Returns
    -------
    DedupeResult
    """
    for out in (clusters, review):
        if out is not None:
            refuse_overwrite(out, {f"the input file {p}": p for p in paths})
    records, ids, origins, id_notes = read_inputs(paths)
    result = find_duplicates(records)
    notes = tuple(id_notes) + tuple(
        f"{origins[k][0]}, record {origins[k][1]} (id {ids[k]}): no title and no DOI; "
        "kept, never compared or merged"
        for k in result.uncomparable
    )
    result = dataclasses.replace(result, notes=notes)
    by_index = {link.record_index: link for link in result.links}
    # both files are written whole or not at all, and the clusters only once the review is in place
    with open_output(clusters, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "duplicate_of", "rule", "score"])
        for k, rid in enumerate(ids):
            link = by_index.get(k)
            if link is None:
                writer.writerow([rid, "", "", ""])
            else:
                writer.writerow([rid, ids[link.kept_index], link.rule, f"{link.score:.4f}"])
        if review is not None:
            _write_review(review, result, ids)
    return result


def _write_review(review: str | os.PathLike[str], result: DedupeResult, ids: Sequence[str]) -> None:
    """The borderline pairs as CSV (see :func:`dedupe_files`)."""
    with open_output(review, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id_1", "record_id_2", "rule", "score", "title_similarity", "evidence"])
        for pair in result.review:
            writer.writerow([
                ids[pair.first_index], ids[pair.second_index], pair.rule, f"{pair.score:.4f}",
                pair.evidence.get("title_similarity"),
                json.dumps(pair.evidence, ensure_ascii=False, default=str),
            ])
