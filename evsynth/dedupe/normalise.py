"""Field normalisation for duplicate detection.

Every function here is pure and total: it takes what a reader produced (a
string, possibly ``None`` or messy) and returns a comparable form, or ``None``
when nothing usable is left.

Examples
--------
>>> normalise_doi("https://doi.org/10.1000%2FABC.1.")
'10.1000/abc.1'
>>> normalise_pages("73-6")
('73', '76')
>>> parse_author("Zhai, Q. J."), parse_author("Zhai QJ"), parse_author("Q. J. Zhai")
(('zhai', 'qj'), ('zhai', 'qj'), ('zhai', 'qj'))
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence
from urllib.parse import unquote

from ..models import Record
from .cochrane import cochrane_review_number
from .decorations import TAG_RE as _TAG_RE
from .decorations import strip_title_decorations as _strip_title_decorations
from .kinds import generic_title, record_kind

__all__ = [
    "NormalisedRecord",
    "fold",
    "journal_match",
    "journal_variants",
    "normalise_authors",
    "normalise_doi",
    "normalise_journal",
    "normalise_pages",
    "normalise_pmid",
    "normalise_record",
    "normalise_title",
    "normalise_volume",
    "normalise_year",
    "page_starts",
    "parse_author",
    "record_kind",
    "split_author_string",
    "title_numbers",
]

_DOI_RE = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIX_RE = re.compile(
    r"^(?:https?://)?(?:(?:dx\.)?doi\.org/|(?:www\.)?doi\.org/)|^doi\s*[:=]?\s*", re.IGNORECASE
)
_NON_ALNUM_RE = re.compile(r"[^0-9a-z]+")
_SPACE_RE = re.compile(r"\s+")

_STOPWORDS = frozenset(
    "a an the of and or in on for to with by at from as is are was were be into its their his her "
    "de la le les des du el en y et und der die das".split()
)


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """ASCII-fold and lowercase: HTML entities decoded, accents dropped.

    Examples
    --------
    >>> fold("Gr&ouml;nros J")
    'gronros j'
    """
    if "&" in text:
        text = html.unescape(text)
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("ł", "l").lower()


# -- identifiers -----------------------------------------------------------
def normalise_doi(value: str | None) -> str | None:
    """Bare lowercase DOI (``10.xxxx/...``) from any of its written forms.

    URL forms (``https://doi.org/``, ``http://dx.doi.org/``), ``doi:``
    prefixes, %-escapes, case and trailing punctuation are removed. Returns
    ``None`` when no DOI is found.
    """
    if not value:
        return None
    text = unquote(str(value)).strip()
    text = _DOI_PREFIX_RE.sub("", text)
    match = _DOI_RE.search(text)
    if not match:
        return None
    doi = match.group(0).lower()
    doi = doi.rstrip(".,;:)]}>\"'")
    # Some exports glue two DOIs or a trailing "[doi]" tag.
    doi = doi.split("[doi]")[0]
    return doi or None


def normalise_pmid(value: str | None) -> str | None:
    """Digits of a PMID (``"PMID: 123"`` → ``"123"``), or ``None``."""
    if not value:
        return None
    digits = re.sub(r"\D", "", str(value))
    return digits.lstrip("0") or None


# -- titles ----------------------------------------------------------------
def normalise_title(value: str | None) -> str | None:
    """Lowercase ASCII title of words separated by single spaces.

    HTML entities and markup, translated-title brackets and trailing language
    tags ("[Chinese]", "(author's transl)") are removed; punctuation becomes
    a space.

    Examples
    --------
    >>> normalise_title("[Effect of X on <i>Y</i>]. [Chinese]")
    'effect of x on y'
    """
    if not value:
        return None
    text = fold(_strip_title_decorations(str(value)))
    text = re.sub(r"(?<=\d)[ ,\u00a0\u2009](?=\d{3}\b)", "", text)  # "10 000" / "10,000"
    text = _NON_ALNUM_RE.sub(" ", text).strip()
    return text or None


_ROMAN = {
    "ii": 2, "iii": 3, "iv": 4, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "xi": 11, "xii": 12,
    "xiii": 13, "xiv": 14, "xv": 15, "xvi": 16,
}
_ROMAN_AFTER = {"i": 1, "v": 5, "x": 10}
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
}
_SERIES_WORDS = frozenset({"part", "paper", "study", "series", "phase", "type", "stage", "report",
                           "trial", "volume", "vol", "chapter", "section", "grade", "class"})
_SERIES_MARKERS = frozenset({"part", "paper", "series", "chapter", "section"})


def title_numbers(norm_title: str | None) -> tuple[tuple[str, ...], bool]:
    """Numbers a normalised title carries, and whether it names a series part.

    Arabic numbers (also inside codes: "hpv16" → 16), roman numerals (``ii``–``xvi``; ``i``/``v``/``x`` only
    after words such as "part" or "type") and number words after "part"
    count. Used to keep "Part 1" and "Part 2", or the 2021 and 2022 editions
    of a report, apart.

    Returns
    -------
    (numbers, series)
        Sorted numbers; ``series`` is True when a "part"/"paper"/... marker is
        followed by a number.
    """
    if not norm_title:
        return (), False
    # "p16ink4a" / "p16 ink4a" / "co 2" / "co2": split letters from digits first.
    tokens = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", norm_title).split()
    numbers: list[str] = []
    series = False
    for k, tok in enumerate(tokens):
        prev = tokens[k - 1] if k else ""
        value: int | None = None
        if tok.isdigit():
            value = int(tok)
        elif tok in _ROMAN:
            value = _ROMAN[tok]
        elif prev in _SERIES_WORDS and (tok in _ROMAN_AFTER or tok in _NUMBER_WORDS):
            value = _ROMAN_AFTER.get(tok) or _NUMBER_WORDS.get(tok)
        if value is not None:
            numbers.append(str(value))
            if prev in _SERIES_MARKERS:
                series = True
    return tuple(sorted(numbers)), series


def significant_tokens(norm_title: str | None) -> list[str]:
    """Title words without stopwords (used for blocking keys)."""
    if not norm_title:
        return []
    return [t for t in norm_title.split() if t not in _STOPWORDS]


# -- authors ---------------------------------------------------------------
_GLUED_RE = re.compile(r"(?<=[A-Z]\.)(?=[A-Z][a-z\u00c0-\u024f'])")
_SUFFIX_RE = re.compile(r"(?:,?\s+|(?<=[a-z]),?)(?:jr|sr|jnr|snr|2nd|3rd)\b\.?", re.IGNORECASE)
_INITIALS_RE = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")


def split_author_string(value: str) -> list[str]:
    """Split one author cell into names.

    Handles ``;``-separated lists, BibTeX ``and`` lists and EndNote exports
    whose names are glued together ("Adeli K.Lewis G. F.").
    """
    value = value.strip()
    if not value:
        return []
    if ";" in value:
        parts = value.split(";")
    elif re.search(r"\s+and\s+", value):
        parts = re.split(r"\s+and\s+", value)
    else:
        parts = _GLUED_RE.split(value)
    return [p.strip(" .,") for p in parts if p.strip(" .,")]


@functools.lru_cache(maxsize=131072)
def parse_author(name: str) -> tuple[str, str] | None:
    """``(surname, initials)`` of one author, lowercase ASCII.

    Accepts "Zhai, Q. J.", "Zhai, Qing Jun", "Zhai QJ", "Zhai Q. J." and
    "Q. J. Zhai"; returns ``None`` for an empty name.
    """
    name = html.unescape(name).strip().strip(".,;")
    name = _SUFFIX_RE.sub("", name).strip().strip(".,;")
    if not name:
        return None
    if "," in name:
        surname, given = name.split(",", 1)
    else:
        tokens = name.split()
        if len(tokens) == 1:
            surname, given = tokens[0], ""
        else:
            # Trailing initials ("Zhai QJ", "Zhai Q. J.") → surname first.
            k = len(tokens)
            while k > 1 and _INITIALS_RE.match(tokens[k - 1]):
                k -= 1
            if k < len(tokens):
                surname, given = " ".join(tokens[:k]), " ".join(tokens[k:])
                given_tokens = given.replace(".", " ").split()
                if all(t.isupper() for t in given_tokens):
                    given = " ".join(given_tokens)
                    initials = "".join(given_tokens)
                    surname_f = _NON_ALNUM_RE.sub("", fold(surname))
                    return (surname_f, initials.lower()) if surname_f else None
            else:
                # "Q. J. Zhai" or "Qing Jun Zhai": surname last.
                surname, given = tokens[-1], " ".join(tokens[:-1])
    surname_f = _NON_ALNUM_RE.sub("", fold(surname))
    given = given.strip()
    initials = ""
    for tok in re.split(r"[\s.\-]+", given):
        if not tok:
            continue
        if tok.isupper() and len(tok) <= 4 and "." not in tok and len(given.split()) == 1 and len(tok) > 1:
            initials += tok.lower()  # "QJ"
        else:
            initials += fold(tok[0])
    if not surname_f:
        return None
    return surname_f, initials


def normalise_authors(authors: Sequence[str] | str | None) -> tuple[tuple[str, str], ...]:
    """Comparable ``(surname, initials)`` pairs from any author list form."""
    if not authors:
        return ()
    names: list[str] = []
    items: Iterable[str] = [authors] if isinstance(authors, str) else authors
    for item in items:
        if not item:
            continue
        names.extend(split_author_string(item) if (";" in item or " and " in item or
                                                   _GLUED_RE.search(item)) else [item])
    out = []
    for n in names:
        parsed = parse_author(n)
        if parsed is not None and parsed[0] not in ("anonymous", "anon", "etal", "others"):
            out.append(parsed)
    return tuple(out)


# -- journals, pages, volumes, years ---------------------------------------
# Articles, conjunctions and prepositions, which ISO 4 abbreviations drop in any language
# ("Cir Cir" for "Cirugia y Cirujanos"; "d" is French "d'").
_JOURNAL_STOP = frozenset({"the", "of", "and", "in", "for", "on", "de", "la", "le", "les", "du", "des",
                           "d", "l", "y", "e", "et", "und", "fur", "der", "die", "del", "di", "da",
                           "do", "dos"})


def normalise_journal(value: str | None) -> tuple[str, ...]:
    """Journal title as tokens without stopwords ("&" → "and", dots dropped)."""
    if not value:
        return ()
    text = fold(_TAG_RE.sub("", str(value))).replace("&", " and ")
    text = re.sub(r"\(.*?\)", " ", text)  # "(London)", "(Print)"
    tokens = _NON_ALNUM_RE.sub(" ", text).split()
    return tuple(t for t in tokens if t not in _JOURNAL_STOP)


def journal_variants(value: str | None) -> list[tuple[str, ...]]:
    """Normalised forms a journal field can stand for.

    The whole title, the part before a colon ("Cancer epidemiology, biomarkers
    & prevention : a publication of ..."), and each side of a "/" or "="
    ("Revista Panamericana de Salud Publica/Pan American Journal of Public
    Health"; "International journal of cancer.Journal international du cancer"),
    and the meeting of a "Journal.Conference: Meeting" field.
    """
    return list(_journal_variants(value))


@functools.lru_cache(maxsize=32768)
def _journal_variants(value: str | None) -> tuple[tuple[str, ...], ...]:
    if not value:
        return ()
    value = str(value)
    parts = [value, value.split(":")[0]]
    for sep in ("/", "=", " - "):
        if sep in value:
            parts.extend(value.split(sep))
    parts.extend(re.split(r"(?<=[a-z]{4})\.\s*(?=[A-Z][a-z])", value))
    # "Blood.Conference: 52nd ASH Annual Meeting": the meeting is a venue of its own.
    parts.extend(m.group(1) for m in re.finditer(r"\bconference\s*:\s*(.+)$", value, re.IGNORECASE))
    out = [normalise_journal(p) for p in parts]
    return tuple(t for t in dict.fromkeys(out) if t)


def journal_match(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two normalised journal titles can name the same journal.

    Full names and ISO abbreviations match when every token of the shorter
    is a prefix of the corresponding token of the longer, in order
    ("curr opin lipidol" ~ "current opinion lipidology"); a one-word acronym
    matches the initials of three or more words ("icis" ~ "international
    conference information systems").
    """
    if not a or not b:
        return False
    if tuple(a) == tuple(b):
        return True
    if (len(a) == 1) != (len(b) == 1):
        # An acronym: "icis" ~ "international conference information systems".
        one, other = (a, b) if len(a) == 1 else (b, a)
        if len(other) >= 3 and len(one[0]) >= 3 and one[0] == "".join(w[0] for w in other):
            return True
    if len(a) != len(b):
        # One title may carry a subtitle the other lacks: compare the shorter
        # with the start of the longer (at least two words).
        short, long_ = (a, b) if len(a) < len(b) else (b, a)
        if len(short) < 2:
            return False
        b, a = long_[: len(short)], short
    return all(_abbreviates(x, y) or _abbreviates(y, x) for x, y in zip(a, b))


def _abbreviates(short: str, long_: str) -> bool:
    """``short`` abbreviates ``long_``: same first letter, letters in order ("natl" ~ "national")."""
    if short == long_:
        return True
    if len(short) > len(long_) or short[0] != long_[0]:
        return False
    if short.isdigit() or long_.isdigit():
        return False
    it = iter(long_)
    return all(c in it for c in short)


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


def normalise_pages(value: str | None) -> tuple[str | None, str | None]:
    """``(first, last)`` page, with the last page written out in full.

    "73-6" → ("73", "76"); "1312-7" → ("1312", "1317"); "e001469" →
    ("e1469", None); spreadsheet-mangled ranges ("01-Apr" for 1-4) are read
    back as numbers.
    """
    text = _pages_text(value)
    if not text:
        return None, None
    ranges = _ranges(text)
    if ranges:
        text = ranges[0]
    m = re.fullmatch(r"0*(\d+)-([a-z]{3})[a-z]*", text)
    if m and m.group(2) in _MONTHS:  # "01-Apr" (Excel turned 1-4 into a date)
        return m.group(1), str(_MONTHS[m.group(2)])
    m = re.fullmatch(r"([a-z]{3})[a-z]*-0*(\d+)", text)
    if m and m.group(1) in _MONTHS:  # "Apr-01"
        return str(_MONTHS[m.group(1)]), m.group(2)
    parts = [p for p in re.split(r"[-,/:.]", text) if p]
    if not parts:
        return None, None

    def clean(p: str) -> str:
        m2 = re.fullmatch(r"([a-z]*)0*(\d+)([a-z]*)", p)
        return (m2.group(1) + m2.group(2) + m2.group(3)) if m2 else p

    first = clean(parts[0])
    last = clean(parts[1]) if len(parts) > 1 else None
    if last and first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    elif last and re.fullmatch(r"[a-z]+\d+", first) and last.isdigit():
        prefix = re.match(r"[a-z]+", first).group(0)  # type: ignore[union-attr]
        digits = first[len(prefix):]
        if len(last) < len(digits):
            last = digits[: len(digits) - len(last)] + last
        last = prefix + last
    return first or None, last


_RANGE_RE = re.compile(r"[a-z]{0,2}\d+[a-z]{0,2}(?:-[a-z]{0,2}\d+[a-z]{0,2})?")


def _pages_text(value: str | None) -> str | None:
    if not value:
        return None
    text = fold(str(value)).strip().strip("\"'").replace("--", "-").replace("–", "-").replace("—", "-")
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"^(?:pp?\.?|pages?)", "", text)
    text = re.sub(r"\(?nopagination\)?", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text) or text  # "P63 [tp 104]": a bracketed note
    if not text or text in ("na", "n/a", "nan", "none", "null"):
        return None
    return text


def _ranges(text: str) -> list[str]:
    """The ranges of a field listing several ("230-5, 246-51, 233-8"); empty for one."""
    pieces = re.split(r"[,+;]", text)
    if len(pieces) > 1 and all(_RANGE_RE.fullmatch(p) for p in pieces):
        return pieces
    return []


def page_starts(value: str | None) -> tuple[str, ...]:
    """Digits of the first page of every range a pages field lists.

    A paper printed in two languages has two ranges ("230-5, 246-51");
    records agree on pages when they share one. Empty when the field holds
    a single range (then :func:`normalise_pages` says all).
    """
    if not value or not any(sep in str(value) for sep in ",+;"):
        return ()
    text = _pages_text(value)
    starts = [page_digits(r.split("-")[0]) for r in _ranges(text)] if text else []
    return tuple(dict.fromkeys(s for s in starts if s))


def page_digits(page: str | None) -> str | None:
    """Digits of a page (``"e1469"`` → ``"1469"``), for lenient comparison."""
    if not page:
        return None
    digits = re.sub(r"\D", "", page).lstrip("0")
    return digits or None


def normalise_volume(value: str | None) -> str | None:
    """Volume or issue: its leading number ("29 (3)" → "29", "Vol. 12" → "12").

    Without a leading number, the lowercase alphanumerics ("Suppl" →
    "suppl"). A malformed value (an unbalanced bracket, as in ``"1)"`` left
    by a broken export) gives ``None``: it cannot be compared.
    """
    if not value:
        return None
    text = fold(str(value)).strip()
    if text.count("(") != text.count(")") or text.count("[") != text.count("]"):
        return None
    text = re.sub(r"^(?:vol(?:ume)?|no|issue|n)\.?\s*", "", text)
    m = re.match(r"0*(\d+)", text)
    if m:
        return m.group(1)
    text = _NON_ALNUM_RE.sub("", text)
    return text if text and text not in ("na", "nan", "none") else None


def volume_numbers(value: str | None) -> tuple[str, ...]:
    """Every number a volume field holds ("61 Suppl. 1" → ("61", "1")); empty if malformed."""
    if not value or normalise_volume(value) is None:
        return ()
    return tuple(dict.fromkeys(n.lstrip("0") or "0" for n in re.findall(r"\d+", str(value))))


def _volume_and_supplement(volume: str | None, issue: str | None) -> tuple[str, ...]:
    # Supplements are exported either as volume "61", issue "Suppl. 1" or as
    # volume "1": a supplement number counts as a possible volume.
    numbers = volume_numbers(volume)
    if numbers and issue and re.search(r"sup", issue, re.IGNORECASE):
        numbers += tuple(n for n in volume_numbers(issue) if n not in numbers)
    return numbers


def normalise_year(value: object) -> int | None:
    """A plausible publication year (1800–2100) from an int or text."""
    if value is None:
        return None
    if isinstance(value, int):
        return value if 1800 <= value <= 2100 else None
    m = re.search(r"(1[89]\d\d|20\d\d|2100)", str(value))
    return int(m.group(1)) if m else None


# -- the whole record ------------------------------------------------------
@dataclass(frozen=True)
class NormalisedRecord:
    """The comparable form of one record (see :func:`normalise_record`)."""

    doi: str | None
    pmid: str | None
    title: str | None
    numbers: tuple[str, ...]
    series: bool
    authors: tuple[tuple[str, str], ...]
    journals: tuple[tuple[str, ...], ...]
    year: int | None
    volume: str | None
    volume_numbers: tuple[str, ...]
    issue: str | None
    first_page: str | None
    last_page: str | None
    page_starts: tuple[str, ...]
    kind: str
    venue: str | None
    abstract: str | None
    generic: str | None = None  # "column" or "short": the title alone cannot identify a paper
    review_number: str | None = None  # a Cochrane review's number, the same in every version

    @property
    def first_author(self) -> str | None:
        """Surname of the first author."""
        return self.authors[0][0] if self.authors else None

    @property
    def comparable(self) -> bool:
        """False when the record has neither title nor DOI (never merged)."""
        return bool(self.title) or bool(self.doi)


def normalise_record(record: Record) -> NormalisedRecord:
    """Normalise every field of ``record`` used for comparison."""
    title = normalise_title(record.title)
    numbers, series = title_numbers(title)
    first, last = normalise_pages(record.pages)
    kind, venue = record_kind(record, title)
    container = record.journal
    if not container and record.extra:
        booktitle = record.extra.get("booktitle")
        container = booktitle if isinstance(booktitle, str) else None
    journals = tuple(dict.fromkeys(journal_variants(container) + journal_variants(record.journal_iso)))
    abstract = None
    if record.abstract:
        abstract = _NON_ALNUM_RE.sub(" ", fold(record.abstract[:700])).strip()[:600] or None
    return NormalisedRecord(
        doi=normalise_doi(record.doi) or (normalise_doi(record.url) if record.url and "doi" in record.url else None),
        pmid=normalise_pmid(record.pmid or (record.source_id if record.source == "pubmed" else None)),
        title=title,
        numbers=numbers,
        series=series,
        authors=normalise_authors(record.authors),
        journals=journals,
        year=normalise_year(record.year),
        volume=normalise_volume(record.volume),
        volume_numbers=_volume_and_supplement(record.volume, record.issue),
        issue=normalise_volume(record.issue),
        first_page=first,
        last_page=last,
        page_starts=page_starts(record.pages),
        kind=kind,
        venue=venue,
        abstract=abstract,
        generic=generic_title(significant_tokens(title), title, journals),
        review_number=cochrane_review_number(record),
    )
