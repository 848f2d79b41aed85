"""BibTeX as reference managers write it: citation keys, LaTeX-safe values, name order.

* :func:`citation_keys` makes keys the way Zotero's Better BibTeX does with the
  formula ``auth.lower + year + shorttitle(1)``: the first author's family name,
  lowercased and folded to ASCII, the year, and the first word of the title that
  is not a stop word — ``liu2014vaccine``. Keys are unique in a file: a repeat
  gets the suffix ``a``, ``b``, … (``liu2014vaccinea``), as Better BibTeX does.
* :func:`latex_escape` makes a value safe inside ``{…}``: ``\\ { } & % # _ $ ~ ^``
  become LaTeX commands (``\\&``, ``\\%``, ``\\textbackslash{}``, …); Unicode
  letters stay Unicode (biber and BibTeX 8-bit/UTF-8 read them).
* :func:`bibtex_name` writes a personal name so BibTeX splits it right:
  Embase/MEDLINE-style ``"Liu R."`` / ``"Liu RJ"`` (family name first, no comma)
  becomes ``"Liu, R. J."``; :func:`bibtex_author` also escapes it and wraps a
  group author in braces so it is not split into first and last names.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Sequence

__all__ = ["bibtex_author", "bibtex_name", "citation_keys", "family_name", "latex_escape", "protect_case"]

#: Better BibTeX's ``skipWords`` (titles' words never used in a key).
STOP_WORDS = frozenset(
    "a ab aboard about above across after against al along amid among an and anti around as at before"
    " behind below beneath beside besides between beyond but by d da das de del dell dello dei degli"
    " della dell delle dem den der des despite die do down du during ein eine einem einen einer eines"
    " el en et except for from gli i il in inside into is l la las le les like lo los near nor of off"
    " on onto or over past per plus round save since so some sur than the through to toward towards un"
    " una unas under underneath une unlike uno unos until up upon versus via von while with within"
    " without yet zu zum".split()
)

# letters NFKD does not decompose to ASCII
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
                       "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "þ": "th", "ı": "i"})

_LATEX = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "#": r"\#",
    "_": r"\_", "$": r"\$", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile("[" + re.escape("".join(_LATEX)) + "]")

# "Liu R.", "Liu RJ", "Liu R.J.", "van der Berg J-P", "Graven-Nielsen T." (family name first)
_INITIALS_LAST = re.compile(
    r"^(?P<family>[^\s,][^,]*?)\s+(?P<initials>(?:[A-Z](?:-?[A-Z])*\.?\s?){1,4})$"
)
_CORPORATE = re.compile(
    r"\b(group|groups|organi[sz]ation|committee|consortium|society|association|collaborat\w*|"
    r"investigators|network|council|institute|foundation|agency|trialists|team|panel|board)\b",
    re.I,
)


def ascii_fold(text: str) -> str:
    """``"Müller-Øst"`` → ``"Muller-Ost"``: accents dropped, ligatures spelled out."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()


def latex_escape(value: str) -> str:
    """Escape LaTeX's special characters so ``value`` prints as written.

    Examples
    --------
    >>> latex_escape("Pain & fatigue: 50% of #1 in a_b")
    'Pain \\\\& fatigue: 50\\\\% of \\\\#1 in a\\\\_b'
    """
    return _LATEX_RE.sub(lambda m: _LATEX[m.group(0)], value)


_WORD = re.compile(r"(?<![\\\w])[^\W_][\w\-]*")


def protect_case(title: str) -> str:
    """Brace the words of a (LaTeX-escaped) title whose capitals a style must not lowercase.

    BibTeX styles set titles in sentence case; a word with a capital after its
    first letter (an acronym, ``McGill``, ``pH``) is braced, as Better BibTeX does.

    Examples
    --------
    >>> protect_case("BCG vaccine and NMDA receptors in McGill cohorts")
    '{BCG} vaccine and {NMDA} receptors in {McGill} cohorts'
    """
    return _WORD.sub(lambda m: "{" + m.group(0) + "}" if any(c.isupper() for c in m.group(0)[1:]) else m.group(0),
                     title)


def _spaced_initials(initials: str) -> str:
    letters = re.findall(r"[A-Z](?:-[A-Z])?", initials.replace(".", "").replace(" ", ""))
    return " ".join(f"{x}." if "-" not in x else x.replace("-", ".-") + "." for x in letters)


def is_corporate(name: str) -> bool:
    """A group author ("WHO Study Group", "The ... Collaboration"), not a person."""
    return "," not in name and bool(_CORPORATE.search(name))


def bibtex_name(name: str) -> str:
    """A name as BibTeX should read it (``Family, Given``), the text itself unescaped.

    Examples
    --------
    >>> bibtex_name("Liu R.")
    'Liu, R.'
    >>> bibtex_name("Graven-Nielsen TJ")
    'Graven-Nielsen, T. J.'
    >>> bibtex_name("Liu, Rong")
    'Liu, Rong'
    >>> bibtex_name("WHO Study Group")
    'WHO Study Group'
    """
    name = " ".join(name.split())
    if "," in name or not name or is_corporate(name):
        return name
    m = _INITIALS_LAST.match(name)
    if m and not re.fullmatch(r"(?:[A-Z]\.?\s?)+", m.group("family")):
        return f"{m.group('family')}, {_spaced_initials(m.group('initials'))}"
    return name


def bibtex_author(name: str) -> str:
    r"""One name of a BibTeX ``author`` field: ``Family, Given``, LaTeX-escaped, groups braced.

    Examples
    --------
    >>> bibtex_author("Liu R.")
    'Liu, R.'
    >>> bibtex_author("Research & Development Group")
    '{Research \\& Development Group}'
    """
    written = latex_escape(bibtex_name(name))
    return "{" + written + "}" if is_corporate(name) else written


def family_name(name: str) -> str:
    """The family name of a personal name in any of the forms above ("" if none)."""
    name = " ".join(name.split())
    if not name:
        return ""
    if is_corporate(name):
        return name.split()[0]
    written = bibtex_name(name)
    if "," in written:
        return written.split(",", 1)[0].strip()
    parts = written.split()
    # "R. Liu" / "Rong Liu" (given names first): the last word, with its particles
    family = [parts[-1]]
    for word in reversed(parts[:-1]):
        if word.islower():
            family.insert(0, word)
        else:
            break
    return " ".join(family)


def _key_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


def citation_key(authors: Sequence[str], year: int | None, title: str | None) -> str:
    """The key before uniqueness suffixes: ``auth + year + first significant title word``."""
    author = _key_word(family_name(authors[0]).split()[-1] if authors and family_name(authors[0]) else "")
    word = ""
    for token in re.findall(r"[^\s\-–—/:;,.!?()\[\]\"']+", title or ""):
        folded = _key_word(token)
        if folded and token.lower() not in STOP_WORDS and folded not in STOP_WORDS:
            word = folded
            break
    key = f"{author}{year if year is not None else ''}{word}"
    return key or "anon"


def citation_keys(items: Iterable[tuple[Sequence[str], int | None, str | None]]) -> list[str]:
    """Unique keys for ``(authors, year, title)`` items, in order; repeats get ``a``, ``b``, …

    Examples
    --------
    >>> citation_keys([(["Liu R."], 2014, "The vaccine trial"), (["Liu, Rong"], 2014, "Vaccine again")])
    ['liu2014vaccine', 'liu2014vaccinea']
    """
    taken: set[str] = set()
    out: list[str] = []
    for authors, year, title in items:
        base = citation_key(authors, year, title)
        key, n = base, 0
        while key in taken:
            key = base + _suffix(n)
            n += 1
        taken.add(key)
        out.append(key)
    return out


def _suffix(n: int) -> str:
    """0 → a, 25 → z, 26 → aa, … (Better BibTeX's disambiguation)."""
    letters = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(ord("a") + r) + letters
    return letters
