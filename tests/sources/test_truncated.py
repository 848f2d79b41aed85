"""A MEDLINE file cut mid-record and a PubMed XML file cut mid-article say so, with the line.

Every cut point of a real export is tried: the error is about the cut (the file ends inside a
record / truncated XML, at a line of the file), never a misleading field error; a cut between
records is a shorter file, not an error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evsynth.errors import InputError
from evsynth.sources.readers import read_records

DATA = Path(__file__).resolve().parent / "data"
ENTREZ = Path(__file__).resolve().parents[1] / "data" / "entrez"


def _cuts(text: str, step: int) -> list[int]:
    return list(range(40, len(text) - 1, step))


def test_medline_cut_anywhere_says_where_the_file_ends(tmp_path: Path) -> None:
    text = (DATA / "medline_biopython.nbib").read_text(encoding="utf-8")
    whole = read_records(DATA / "medline_biopython.nbib")
    starts = [i for i in range(len(text)) if text.startswith("\nPMID- ", i)]
    path = tmp_path / "cut.nbib"
    outcomes = {"cut": 0, "between": 0}
    for n in _cuts(text, 5):
        path.write_text(text[:n], encoding="utf-8")
        try:
            records = read_records(path)
        except InputError as exc:
            assert "ends inside the record" in exc.message and "truncated" in exc.message, exc
            assert exc.line is not None and 1 <= exc.line <= text[:n].count("\n") + 1
            outcomes["cut"] += 1
        else:  # only a cut at a record's end, inside its last (SO) line, or a lone first record at a line end
            assert [r.pmid for r in records] == [r.pmid for r in whole[:len(records)]]
            assert (any(s - 3 <= n <= s + 1 for s in starts) or text[:n].rsplit("\n", 1)[-1].startswith("SO  -")
                    or (len(records) == 1 and text[:n].endswith("\n"))), n
            outcomes["between"] += 1
    assert outcomes["cut"] > 10 * outcomes["between"]


def test_medline_last_record_without_so_line(tmp_path: Path) -> None:
    text = (DATA / "medline_biopython.nbib").read_text(encoding="utf-8").rstrip("\n")
    body, _, _ = text.rpartition("\nSO  - ")
    path = tmp_path / "cut.nbib"
    path.write_text(body + "\n", encoding="utf-8")  # cut exactly at a line end before SO
    with pytest.raises(InputError) as info:
        read_records(path)
    assert "no 'SO' line" in info.value.message and info.value.line == body.count("\n") + 1


@pytest.mark.parametrize("name", ["pubmed1.xml", "pubmed2.xml", "pubmed4.xml", "pubmed6.xml"])
def test_pubmed_xml_cut_mid_article_is_truncated_not_a_field_error(tmp_path: Path, name: str) -> None:
    data = (ENTREZ / name).read_bytes()
    path = tmp_path / "cut.xml"
    start = data.index(b"<PubmedArticle>")
    for n in range(start + 20, len(data) - 30, max(1, (len(data) - start) // 150)):
        path.write_bytes(data[:n])
        with pytest.raises(InputError) as info:
            read_records(path)
        message = info.value.message
        assert "truncated" in message and info.value.field is None, message
        assert info.value.line is not None and 1 <= info.value.line <= data[:n].count(b"\n") + 1
