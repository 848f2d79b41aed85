"""The single-file report: local files embedded as data URIs, everything else left alone."""

from __future__ import annotations

import base64
from pathlib import Path

from evsynth.report_embed import embed_local_files, make_single_file


def test_local_files_embedded_links_downloadable_rest_untouched(tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    png = b"\x89PNG\r\n\x1a\nfake"
    (tmp_path / "figures" / "forest.png").write_bytes(png)
    (tmp_path / "figures" / "forest.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "results.json").write_text("{}", encoding="utf-8")
    (tmp_path.parent / "secret.txt").write_text("outside", encoding="utf-8")
    page = ('<img src="figures/forest.png" alt="Forest plot">'
            '<a href="figures/forest.svg">SVG</a> <a href="results.json">json</a>'
            '<a href="https://pubmed.ncbi.nlm.nih.gov/1/">PMID</a> <a href="#top">top</a>'
            '<a href="../secret.txt">outside</a> <img src="figures/missing.png" alt="x">')
    out, embedded = embed_local_files(page, tmp_path)
    assert f'src="data:image/png;base64,{base64.b64encode(png).decode()}"' in out
    assert 'href="data:image/svg+xml;base64,' in out and 'download="forest.svg"' in out
    assert 'href="data:application/json;base64,e30=" download="results.json"' in out
    for kept in ('href="https://pubmed.ncbi.nlm.nih.gov/1/"', 'href="#top"', 'href="../secret.txt"',
                 'src="figures/missing.png"'):
        assert kept in out
    assert [p.name for p in embedded] == ["forest.png", "forest.svg", "results.json"]


def test_make_single_file_rewrites_in_place(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"png")
    report = tmp_path / "report.html"
    report.write_text('<img src="a.png" alt="a figure">', encoding="utf-8")
    assert make_single_file(report) == report
    assert "data:image/png;base64," in report.read_text(encoding="utf-8")
