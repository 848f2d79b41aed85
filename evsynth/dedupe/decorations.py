"""Notes, tags and citations that databases add to titles.

MEDLINE appends "[Erratum appears in ...]" or "[Comment in: ...]" to the
article's own title, other exports add language tags ("[Chinese]") or put a
translated title in brackets. A correction notice cites the article it
corrects after that article's title. None of this is part of the title: it is
removed before titles are compared, so that the article with a note compares
equal to the article without one.
"""

from __future__ import annotations

import html
import re

__all__ = ["CORRECTION_CITATION_RE", "TAG_RE", "strip_title_decorations"]

#: Markup in a title or journal name ("<i>", "<sup>"), removed before comparing.
TAG_RE = re.compile(r"<[^>]{0,200}>")
_LANGUAGES = (
    "afrikaans|arabic|bulgarian|catalan|chinese|croatian|czech|danish|dutch|english|estonian|"
    "finnish|french|german|greek|hebrew|hungarian|icelandic|italian|japanese|korean|latvian|"
    "lithuanian|norwegian|persian|polish|portuguese|romanian|russian|serbian|slovak|slovene|"
    "slovenian|spanish|swedish|thai|turkish|ukrainian|vietnamese"
)
# "[Chinese]", "(in Russian)", "[Article in German]", ". [Russian]", "[author's transl]".
_LANG_TAG_RE = re.compile(
    r"[\s.]*[\[(]\s*(?:article\s+in\s+|in\s+)?(?:" + _LANGUAGES + r")"
    r"(?:\s*(?:,|and|with)\s*(?:english\s+)?(?:abstract|summary|" + _LANGUAGES + r"))*\s*[\])]\s*\.?\s*$",
    re.IGNORECASE,
)
_TRANSL_RE = re.compile(r"[\s.]*[\[(]\s*author'?s?\s*transl?\.?\s*[\])]\s*\.?\s*$", re.IGNORECASE)
# Notes databases append to titles: "[Review] [30 refs]", ".[Erratum appears in J Clin
# Virol. 2006;37:137]", "[see comments]", "[Comment in: ...]", possibly holding a note of
# their own ("... Note: Philipp, T [added]]") and possibly cut off unclosed, even within
# the keyword (".[Erratum appear").
_NOTE_RE = re.compile(
    r"[\s.]*\[\s*(?:review|\d+\s*refs?|see\s+comments?|comment(?:ed)?\s+in|erratum\s+(?:appears\s+)?in|"
    r"errata\s+in|retraction\s+in|retracted|update\s+(?:of|in)|updated\s+in|republished|"
    r"corrected\s+and\s+republished|corrected|published\s+erratum|expression\s+of\s+concern\s+in|"
    r"summary\s+for\s+patients)"
    r"(?:[^\[\]]|\[[^\[\]]*(?:\]|$))*(?:\]|$)\s*\.?\s*$"
    r"|[\s.]*\[\s*(?:erratum|errata|comment|retraction|update)(?:\s+\w*){0,2}$",
    re.IGNORECASE,
)

# A magazine's section name after the title: "The all-seeing employer - [careers]".
_SECTION_TAG_RE = re.compile(r"(?<=\w)[\s.]*(?:-\s*)?\[\s*[a-z]+(?:\s+[a-z]+)?\s*\]\s*\.?\s*$")

#: A correction notice cites the article it corrects after that article's title:
#: "Title (vol 85, pg 553, 2010)" (Web of Science) or "Title (New England Journal
#: of Medicine (2009) 360 (542-544))" (Embase). Stripped from titles for comparison.
CORRECTION_CITATION_RE = re.compile(
    r"\s*\(\s*vol\.?\s*[\w-]+\s*,\s*(?:pg|p|page)\.?\s*[\w-]+(?:\s*,\s*(?:1[89]|20)\d\d)?\s*\)\s*\.?\s*$"
    r"|\s*\(\s*[a-z][^()]*\(\s*(?:1[89]|20)\d\d\s*\)\s*\d[^()]*(?:\([^()]*\)[^()]*)*\)\s*\.?\s*$",
    re.IGNORECASE,
)


def strip_title_decorations(text: str) -> str:
    """``text`` without markup and the notes, tags and citations databases append.

    Wrapping quotes, "[Erratum appears in ...]"-style notes, language tags,
    "(author's transl)" and a corrected article's citation are removed, and
    the brackets of a translated title dropped. Case and punctuation stay.

    Examples
    --------
    >>> strip_title_decorations('Low-dose aspirin.[Erratum appears in N Engl J Med. 2009;360:2487]')
    'Low-dose aspirin'
    """
    text = html.unescape(text)
    text = TAG_RE.sub("", text)
    text = text.strip()
    if len(text) > 2 and text[0] == text[-1] == '"':  # a title exported inside quotes
        text = text[1:-1].strip()
    for _ in range(4 if "[" in text or "(" in text else 0):  # every pattern needs a bracket
        before = text
        for pattern in (_NOTE_RE, _LANG_TAG_RE, _TRANSL_RE, CORRECTION_CITATION_RE, _SECTION_TAG_RE):
            text = pattern.sub("", text).strip() or text  # never strip a title away
        if text == before:
            break
    text = text.strip()
    # A translated title is put in brackets: "[Comparative characteristics ...]".
    if len(text) > 2 and text[0] == "[" and text.rstrip(".")[-1:] == "]":
        text = text.rstrip(".")[1:-1]
    return text
