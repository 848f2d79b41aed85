"""File mode: deduplicate export files and write the clusters as CSV."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Sequence

from ..errors import InputError
from ..models import Record
from ._core import DedupeResult, find_duplicates

__all__ = ["dedupe_files", "read_inputs"]


def read_inputs(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[Record], list[str]]:
    """Read every file; return the records and their ids.

    A record's id is its input id (``Record.source_id``: the CSV id column,
    RIS ``ID``, PMID, ...); records without one get ``"<file name>:<n>"``.

    Raises
    ------
    InputError
        A file cannot be read (empty, no title column, mixed encodings, ...),
        or an id occurs twice (within or across files).
    """
    from ..sources.readers import read_records  # records in: the readers stage

    if not paths:
        raise InputError("no input files given")
    records: list[Record] = []
    ids: list[str] = []
    seen: dict[str, tuple[str, int]] = {}
    for path in paths:
        path = os.fspath(path)
        if not Path(path).is_file():
            raise InputError("no such file", path=path)
        file_records = read_records(path)
        if not file_records:
            raise InputError("the file holds no records", path=path, line=1)
        for k, record in enumerate(file_records, start=1):
            rid = record.source_id or f"{Path(path).name}:{k}"
            if rid in seen:
                first_path, first_k = seen[rid]
                raise InputError(
                    f"id {rid!r} is not unique: also record {first_k} of {first_path}",
                    path=path, line=k, field="id",
                )
            seen[rid] = (path, k)
            ids.append(rid)
            records.append(record)
    return records, ids


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
    records, ids = read_inputs(paths)
    result = find_duplicates(records)
    by_index = {link.record_index: link for link in result.links}
    with open(clusters, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "duplicate_of", "rule", "score"])
        for k, rid in enumerate(ids):
            link = by_index.get(k)
            if link is None:
                writer.writerow([rid, "", "", ""])
            else:
                writer.writerow([rid, ids[link.kept_index], link.rule, f"{link.score:.4f}"])
    if review is not None:
        with open(review, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["record_id_1", "record_id_2", "rule", "score", "title_similarity", "evidence"])
            for pair in result.review:
                writer.writerow([
                    ids[pair.first_index], ids[pair.second_index], pair.rule, f"{pair.score:.4f}",
                    pair.evidence.get("title_similarity"),
                    json.dumps(pair.evidence, ensure_ascii=False, default=str),
                ])
    return result
