"""A report as one self-contained HTML file (figures and downloads embedded), to e-mail.

:func:`embed_local_files` replaces every ``src``/``href`` that names a file beside
the report (``figures/forest.png``, ``results.json``) with a ``data:`` URI of that
file; links get a ``download`` attribute with the file's name, because browsers
open ``data:`` documents only as downloads. Web links (``https://…``), in-page
anchors (``#…``) and names of files that do not exist are left as they are.
"""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from pathlib import Path

__all__ = ["embed_local_files", "make_single_file"]

_ATTR = re.compile(r'(?P<tag><(?P<name>[a-zA-Z]+)\b[^>]*?)\b(?P<attr>src|href)="(?P<url>[^"]*)"')
_MIME = {".svg": "image/svg+xml", ".json": "application/json", ".csv": "text/csv", ".pdf": "application/pdf",
         ".png": "image/png"}


def _local(base: Path, url: str) -> Path | None:
    raw = html.unescape(url)
    if not raw or raw.startswith(("#", "data:", "mailto:", "/")) or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", raw):
        return None
    path = (base / raw.split("#", 1)[0].split("?", 1)[0]).resolve()
    try:
        path.relative_to(base.resolve())
    except ValueError:  # ../ outside the report's folder: not embedded
        return None
    return path if path.is_file() else None


def _data_uri(path: Path) -> str:
    mime = _MIME.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def embed_local_files(page: str, base: str | Path) -> tuple[str, tuple[Path, ...]]:
    """Embed the files a page names relative to ``base`` as ``data:`` URIs.

    Parameters
    ----------
    page : str
        HTML text.
    base : path
        The folder the page's relative links are relative to.

    Returns
    -------
    (html, embedded)
        The new page and the files embedded (each once, in order of first use).
    """
    base = Path(base)
    embedded: dict[Path, None] = {}

    def replace(m: re.Match[str]) -> str:
        path = _local(base, m.group("url"))
        if path is None:
            return m.group(0)
        embedded[path] = None
        extra = ""
        if m.group("attr") == "href" and "download" not in m.group("tag"):
            extra = f' download="{html.escape(path.name)}"'
        return f'{m.group("tag")}{m.group("attr")}="{_data_uri(path)}"{extra}'

    return _ATTR.sub(replace, page), tuple(embedded)


def make_single_file(report: str | Path, target: str | Path | None = None) -> Path:
    """Rewrite ``report`` (or write ``target``) with its local files embedded.

    Returns
    -------
    Path
        The self-contained file.
    """
    report = Path(report)
    page, _ = embed_local_files(report.read_text(encoding="utf-8"), report.parent)
    out = Path(target) if target is not None else report
    out.write_text(page, encoding="utf-8")
    return out
