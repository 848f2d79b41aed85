"""BibTeX → Record (bibtexparser v2).

Field values that hold LaTeX (a backslash or braces) are decoded to Unicode
with pylatexenc (``{\\"u}`` → ``ü``, ``{B}`` → ``B``); a bare ``%`` is kept as a
percent sign, not read as a LaTeX comment. Authors are split on ``and`` at
brace depth zero (bibtexparser's ``SeparateCoAuthors``). Keywords are split on
``;`` when the value holds one, else on ``,``. Fields without a Record slot are
kept in ``extra["bibtex"]``. The entry key is the record's ``source_id``.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ...errors import InputError
from ...models import Record
from ._common import clean_doi, nfc, parse_year, split_list

#: BibTeX field → Record field (text fields).
_TEXT_FIELDS = {
    "title": "title",
    "abstract": "abstract",
    "journal": "journal",
    "journaltitle": "journal",
    "shortjournal": "journal_iso",
    "journal_iso": "journal_iso",
    "volume": "volume",
    "number": "issue",
    "issue": "issue",
    "pages": "pages",
    "language": "language",
    "isbn": "isbn",
    "issn": "issn",
    "url": "url",
    "pmid": "pmid",
    "pmcid": "pmcid",
    "nct_id": "nct_id",
    "entry_date": "entry_date",
}
_LIST_FIELDS = {"keywords": "keywords", "mesh": "mesh", "publication_types": "publication_types"}


@functools.lru_cache(maxsize=1)
def _converter() -> Any:
    """pylatexenc's LaTeX → text, reading the ASCII escapes as the characters they escape.

    pylatexenc reads ``\\textasciicircum`` as U+02C6 (a modifier letter), not ``^``; the
    escapes a writer uses for ``^ ~ \\`` must read back as those characters.
    """
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    db = get_default_latex_context_db()
    db.add_context_category("evsynth-ascii", prepend=True, macros=[
        MacroTextSpec("textasciicircum", "^"), MacroTextSpec("textasciitilde", "~"),
        MacroTextSpec("textbackslash", "\\")])
    return LatexNodes2Text(latex_context=db, math_mode="verbatim")


def _latex_to_text(value: str) -> str:
    if not re.search(r"[\\{}]", value):
        return value
    protected = re.sub(r"(?<!\\)%", r"\\%", value)
    return _converter().latex_to_text(protected)


#: Deepest brace nesting read in a field value. Real entries nest a few levels ({\\"{u}}); the LaTeX
#: decoder recurses once per level, so a deeper value would exhaust Python's stack.
MAX_BRACE_DEPTH = 100


def _brace_depth(value: str) -> int:
    depth = deepest = 0
    for match in re.finditer(r"(?<!\\)[{}]", value):
        depth += 1 if match.group() == "{" else -1
        deepest = max(deepest, depth)
    return deepest


def _check_depth(entry: Any, path: str | None) -> None:
    for f in entry.fields:
        values = f.value if isinstance(f.value, list) else [f.value]
        if any(_brace_depth(str(v)) > MAX_BRACE_DEPTH for v in values):
            raise InputError(f"BibTeX: braces nested more than {MAX_BRACE_DEPTH} levels deep in entry {entry.key!r}",
                             path=path, line=(getattr(f, "start_line", None) or entry.start_line or 0) + 1,
                             field=f.key)


def _split_keywords(value: str) -> tuple[str, ...]:
    return split_list(value, ";" if ";" in value else ",")


def _entry_record(entry: Any) -> Record:
    fields = {f.key.lower(): f.value for f in entry.fields}
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "author":
            names = value if isinstance(value, list) else [value]
            kwargs["authors"] = tuple(a for a in (nfc(_latex_to_text(n)) for n in names) if a)
            continue
        text = value if isinstance(value, str) else str(value)
        if key in _TEXT_FIELDS:
            target = _TEXT_FIELDS[key]
            if target not in kwargs:
                kwargs[target] = nfc(_latex_to_text(text))
                continue
        elif key in _LIST_FIELDS:
            kwargs[_LIST_FIELDS[key]] = _split_keywords(_latex_to_text(text))
            continue
        elif key == "doi":
            kwargs["doi"] = clean_doi(text)
            continue
        elif key == "year":
            kwargs["year"] = parse_year(text)
            if kwargs["year"] is None and text.strip():
                extra["year_raw"] = text
            continue
        extra.setdefault("bibtex", {})[key] = text
    if "year" not in kwargs and "date" in fields:
        kwargs["year"] = parse_year(str(fields["date"]))
    return Record(source="bibtex", source_id=entry.key, record_type=entry.entry_type, extra=extra, **kwargs)


def iter_bibtex(text: str, path: str | None = None) -> tuple[list[Record], list[str]]:
    """Parse BibTeX text into records, plus notes.

    Raises
    ------
    InputError
        A block bibtexparser could not parse, a duplicate entry key (both name
        the line), or no entry at all.
    """
    import logging

    import bibtexparser
    from bibtexparser.middlewares import SeparateCoAuthors

    # bibtexparser logs each failed block as a warning; the error below says it instead.
    splitter_log = logging.getLogger("bibtexparser.splitter")
    level = splitter_log.level
    splitter_log.setLevel(logging.ERROR)
    try:
        library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors()])
    finally:
        splitter_log.setLevel(level)
    if library.failed_blocks:
        block = library.failed_blocks[0]
        error = getattr(block, "error", None)
        reason = getattr(error, "abort_reason", None) or str(error or "").strip() or "cannot be parsed"
        reason = reason.strip().splitlines()[-1]
        key = getattr(block, "key", None)
        what = f"duplicate entry key {key!r}" if type(block).__name__ == "DuplicateBlockKeyBlock" else reason
        raise InputError(f"BibTeX: {what}", path=path, line=(block.start_line or 0) + 1, field=key)
    if not library.entries:
        raise InputError("no BibTeX entry found (no '@type{key,' line)", path=path, line=1)
    records = []
    for entry in library.entries:
        _check_depth(entry, path)
        try:
            records.append(_entry_record(entry))
        except RecursionError:  # a backstop: LaTeX nested deeper than the stack allows, without braces
            raise InputError(f"BibTeX: LaTeX nested too deeply to decode in entry {entry.key!r}", path=path,
                             line=(entry.start_line or 0) + 1, field=entry.key) from None
    return records, []
