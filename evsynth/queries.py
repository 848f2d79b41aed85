"""Saved searches: ``queries/*.toml`` → :class:`SavedQuery`.

The format (documented in ``queries/README.md``) is a flat TOML table::

    name = "bcg_tuberculosis"
    database = "pubmed"            # pubmed | ctgov
    query = '''("BCG Vaccine"[MeSH] OR BCG[tiab]) AND ...'''
    mindate = "1800/01/01"         # optional, YYYY, YYYY/MM or YYYY/MM/DD
    maxdate = "2021/12/31"         # optional
    datetype = "pdat"              # optional: pdat (default with dates), edat, mdat, crdt
    notes = "why the query looks like this"

``name``, ``database`` and ``query`` are required. Whitespace in the query
(line breaks of a multi-line string) is collapsed to single spaces: the query
stored and sent is one line.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ._inputs import read_input_utf8
from .errors import InputError, InputErrors

__all__ = ["SavedQuery", "load_query", "parse_query", "DATABASES", "DATETYPES"]

#: Databases a saved query may target.
DATABASES = ("pubmed", "ctgov")
#: E-utilities date types.
DATETYPES = ("pdat", "edat", "mdat", "crdt")
_KNOWN = ("name", "database", "query", "mindate", "maxdate", "datetype", "notes")
_DATE = re.compile(r"^\d{4}(/(0[1-9]|1[0-2])(/(0[1-9]|[12]\d|3[01]))?)?$")
_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class SavedQuery:
    """A saved search.

    Attributes
    ----------
    name : str
        Identifies the query's runs in the store (``SearchRun.query_name``).
    database : str
        ``pubmed`` or ``ctgov``.
    query : str
        The query as sent (PubMed syntax, or a ClinicalTrials.gov ``query.term``).
    mindate, maxdate : str or None
        ``YYYY[/MM[/DD]]`` limits (PubMed only).
    datetype : str or None
        ``pdat`` (publication date, the default when dates are given), ``edat``, ...
    notes : str or None
    path : Path or None
        The file it was read from.
    """

    name: str
    database: str
    query: str
    mindate: str | None = None
    maxdate: str | None = None
    datetype: str | None = None
    notes: str | None = None
    path: Path | None = None

    @property
    def params(self) -> dict[str, str]:
        """The parameters sent beside the query (date limits), without empty ones."""
        out = {}
        if self.mindate or self.maxdate:
            out["datetype"] = self.datetype or "pdat"
        if self.mindate:
            out["mindate"] = self.mindate
        if self.maxdate:
            out["maxdate"] = self.maxdate
        return out

    @classmethod
    def from_term(cls, term: str, database: str = "pubmed") -> "SavedQuery":
        """An ad-hoc query (``evsynth search --term``); ``name`` is None-like ("")."""
        text = " ".join(str(term).split())
        if not text:
            raise InputError("the search term is empty", field="term")
        if database not in DATABASES:
            raise InputError(f"unknown database {database!r}; one of {', '.join(DATABASES)}", field="database")
        return cls(name="", database=database, query=text)


def _line_of(text: str, key: str) -> int | None:
    m = re.search(rf"^\s*{re.escape(key)}\s*=", text, re.MULTILINE)
    return text.count("\n", 0, m.start()) + 1 if m else None


def parse_query(text: str, path: str | os.PathLike[str] | None = None) -> SavedQuery:
    """Parse the TOML text of a saved query (see the module docstring).

    Raises
    ------
    InputError
        Malformed TOML (with its line), or a missing / wrong field (all of
        them at once, as :class:`~evsynth.errors.InputErrors`, each with file,
        line and field).
    """
    where = None if path is None else os.fspath(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _LINE.search(str(exc))
        raise InputError(f"malformed TOML: {exc}", path=where, line=int(m.group(1)) if m else None) from None
    return _from_mapping(data, text, where)


def _from_mapping(data: Mapping[str, Any], text: str, where: str | None) -> SavedQuery:
    errors: list[InputError] = []

    def err(message: str, key: str) -> None:
        errors.append(InputError(message, path=where, line=_line_of(text, key), field=key))

    values: dict[str, str | None] = {}
    for key in _KNOWN:
        value = data.get(key)
        if value is None:
            values[key] = None
        elif not isinstance(value, str):
            err(f"must be a string, not {type(value).__name__}", key)
            values[key] = None
        else:
            values[key] = value.strip() or None
    for key in data:
        if key not in _KNOWN:
            err(f"unknown field (known: {', '.join(_KNOWN)})", key)
    for key in ("name", "database", "query"):
        if values[key] is None and key in data and isinstance(data.get(key), str):
            err("must not be empty", key)
        elif key not in data:
            errors.append(InputError("required field is missing", path=where, line=None, field=key))
    database = (values["database"] or "").lower()
    if values["database"] and database not in DATABASES:
        err(f"unknown database {values['database']!r}; one of {', '.join(DATABASES)}", "database")
    for key in ("mindate", "maxdate"):
        if values[key] and not _DATE.match(values[key] or ""):
            err(f"not a date: {values[key]!r} (use YYYY, YYYY/MM or YYYY/MM/DD)", key)
    if values["datetype"] and values["datetype"] not in DATETYPES:
        err(f"unknown datetype {values['datetype']!r}; one of {', '.join(DATETYPES)}", "datetype")
    if database == "ctgov" and (values["mindate"] or values["maxdate"]):
        err("date limits apply to PubMed only; put them in the ClinicalTrials.gov term", "mindate")
    if (values["mindate"] and values["maxdate"] and _DATE.match(values["mindate"] or "")
            and _DATE.match(values["maxdate"] or "") and values["mindate"] > values["maxdate"]):
        err(f"mindate {values['mindate']} is after maxdate {values['maxdate']}", "mindate")
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    return SavedQuery(
        name=values["name"] or "",
        database=database,
        query=" ".join((values["query"] or "").split()),
        mindate=values["mindate"],
        maxdate=values["maxdate"],
        datetype=values["datetype"],
        notes=values["notes"],
        path=None if where is None else Path(where),
    )


def load_query(path: str | os.PathLike[str]) -> SavedQuery:
    """Read a saved query from a ``.toml`` file.

    Raises
    ------
    InputError
        Missing/unreadable file, malformed TOML, missing or wrong fields
        (file, line and field named).
    """
    where = os.fspath(path)
    text = read_input_utf8(where, why="TOML files must be UTF-8", bom=True)
    return parse_query(text, where)
