"""Readers: every recorded export file (tests/data/exports), the dedupe benchmarks' CSVs, detection, bad input.

Expected values were looked up by hand in the files themselves.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evsynth.errors import InputError
from evsynth.sources.readers import FORMATS, detect_format, read_file, read_records, read_text

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def exports(data_dir: Path) -> Path:
    return data_dir / "exports"


# -- every recorded export --------------------------------------------------------

COUNTS = {
    "baseline_empty_values.ris": ("ris", 4),
    "embase.csv": ("csv", 6),
    "embase.ris": ("ris", 6),
    "faulty_year.ris": ("ris", 1),
    "ovid_psycinfo.ris": ("ris", 6),
    "ovid_zotero.ris": ("ris", 6),
    "pubmed_endnote.txt": ("ris", 6),  # EndNote's RIS of PubMed records, despite the name
    "pubmed_zotero.ris": ("ris", 6),
    "ris_issue_992.txt": ("ris", 19),
    "web_of_science.txt": ("ris", 10),  # Web of Science's RIS export (TY  - JOUR), not plain text
}


def test_every_shared_export_is_covered(exports: Path) -> None:
    names = {p.name for p in exports.iterdir() if p.name != "LICENSE"}
    assert names == set(COUNTS)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_shared_export_format_and_count(exports: Path, name: str) -> None:
    fmt, n = COUNTS[name]
    assert detect_format(exports / name) == fmt
    result = read_file(exports / name)
    assert result.format == fmt
    assert len(result.records) == n
    assert all(r.title or r.abstract for r in result.records)


def test_embase_ris(exports: Path) -> None:
    result = read_file(exports / "embase.ris")  # starts with a UTF-8 BOM
    assert result.database == "Embase"
    first = result.records[0]
    assert first.title == "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound"
    assert first.authors == ("Liu R.", "Adler D.G.")
    assert first.doi == "10.4103/2303-9027.138783"
    assert (first.year, first.volume, first.issue, first.pages) == (2014, "3", "3", "152-160")
    assert first.journal == "Endoscopic Ultrasound"
    assert first.issn == "2226-7190"  # given twice, kept once
    assert first.language == "English"
    assert len(first.keywords) == 22
    assert first.record_type == "JOUR"
    assert first.source_id == "L373791783"  # Embase accession (U2), no ID tag
    assert first.abstract.startswith("Gastrointestinal tract duplication cysts are rare")
    assert [r.year for r in result.records] == [2014, 2004, 2019, 2018, 2011, 2017]
    # DB given twice (Embase, Medline) in record 2: both kept, nothing silently dropped
    assert result.records[1].extra["ris"]["DB"] == ["Embase", "Medline"]


def test_embase_csv_source_field(exports: Path) -> None:
    result = read_file(exports / "embase.csv")
    assert result.database == "Embase"
    got = [(r.journal, r.year, r.volume, r.issue, r.pages) for r in result.records]
    assert got[0] == ("Endoscopic Ultrasound", 2014, "3", "3", "152-160")
    assert got[1] == ("Cancer", 2004, "102", "4", "253-258")
    assert got[2] == ("International Journal of Surgery Case Reports", 2019, "54", None, "83-86")
    first = result.records[0]
    assert first.authors == ("Liu R.", "Adler D.G.")
    assert first.doi == "10.4103/2303-9027.138783"
    assert first.issn == "2226-7190"
    assert result.records[1].doi == "10.1002/cncr.20369"
    assert result.records[2].journal_iso == "Int. J. Surg. Case Rep."
    assert "Correspondence Address" in first.extra


def test_embase_csv_and_ris_agree(exports: Path) -> None:
    ris = read_records(exports / "embase.ris")
    csv = read_records(exports / "embase.csv")
    for a, b in zip(ris, csv):
        assert (a.title, a.doi, a.year, a.volume, a.pages, a.authors) == (
            b.title, b.doi, b.year, b.volume, b.pages, b.authors)


def test_ovid_psycinfo(exports: Path) -> None:
    result = read_file(exports / "ovid_psycinfo.ris")  # "1." lines, NL after ER
    assert result.database == "PsycINFO (Ovid)"
    first = result.records[0]
    assert first.source_id == "2019-65183-001"
    assert first.doi == "10.1002/cpp.2398"  # "http://dx.doi.org/" stripped
    assert len(first.authors) == 5 and first.authors[0] == "Trindade, Ines A"
    assert first.year == 2019  # Y1 "2019//"
    assert first.pages is None  # Ovid's SP "No" + EP "Specified"
    assert first.journal == "Clinical Psychology & Psychotherapy"
    assert first.journal_iso == "Clin Psychol Psychother"  # NL written after ER
    assert [len(r.authors) for r in result.records] == [5, 4, 6, 3, 5, 9]
    assert result.records[1].pages == "847-856"


def test_ovid_via_zotero_matches_ovid(exports: Path) -> None:
    ovid = read_records(exports / "ovid_psycinfo.ris")
    zotero = read_records(exports / "ovid_zotero.ris")
    assert [r.doi for r in zotero] == [r.doi for r in ovid]
    assert [r.title for r in zotero] == [r.title for r in ovid]
    assert zotero[0].source_id is None  # Zotero writes no ID
    assert read_file(exports / "ovid_zotero.ris").database is None


def test_pubmed_endnote_pmid_from_an(exports: Path) -> None:
    result = read_file(exports / "pubmed_endnote.txt")
    assert result.database == "PubMed"
    first = result.records[0]
    assert first.pmid == "21553931"  # AN with DP  - NLM
    assert first.source_id == "369"  # EndNote's record number (ID)
    assert first.doi == "10.2165/11586800-000000000-00000"
    assert (first.volume, first.issue, first.pages, first.year) == ("50", "6", "349-69", 2011)
    assert first.authors == ("Abdel-Tawab, M.", "Werz, O.", "Schubert-Zsilavecz, M.")
    assert len(first.keywords) == 10  # one KW line + nine continuation lines
    assert [r.pmid for r in result.records] == [
        "21553931", "29459515", "27626602", "27452660", "24407360", "28482341"]
    assert len(result.records[5].authors) == 17


def test_an_is_not_a_pmid_outside_pubmed(exports: Path) -> None:
    wos = read_records(exports / "web_of_science.txt")
    assert all(r.pmid is None for r in wos)
    rayyan = read_records(exports / "ris_issue_992.txt")
    assert all(r.pmid is None for r in rayyan)
    assert rayyan[0].extra["accession"] == "rayyan-264552525"


def test_pubmed_zotero(exports: Path) -> None:
    first = read_records(exports / "pubmed_zotero.ris")[0]
    assert first.authors == ("Rudnik, Agata", "Piotrowicz, Grazyna", "Basinska, Malgorzata A.", "Rashedi, Vahid")
    assert first.doi == "10.5114/pg.2018.81081"
    assert first.journal == "Przeglad gastroenterologiczny"
    assert first.journal_iso == "Prz Gastroenterol"
    assert (first.year, first.volume, first.issue, first.pages) == (2019, "14", "2", "121-128")


def test_rayyan_continuation_lines_are_keywords(exports: Path) -> None:
    first = read_records(exports / "ris_issue_992.txt")[0]
    assert first.title == "Overcoming Medication Reconciliation Challenges"
    assert first.keywords[:3] == ("Health Facility Administration", "Joint Commission", "Standards")
    assert len(first.keywords) == 13
    assert (first.source_id, first.year, first.pages, first.issn) == ("1", 2011, "1-5", "1534-5181")


def test_web_of_science_ris(exports: Path) -> None:
    result = read_file(exports / "web_of_science.txt")
    assert result.database == "Web of Science"
    first = result.records[0]
    assert first.authors == ("Alceste, F", "Luke, TJ", "Kassin, SM")
    assert first.title == "Holding Yourself Captive: Perceptions of Custody During Interviews and Interrogations"
    assert first.source_id == "WOS:000444108200009"
    assert first.doi == "10.1016/j.jarmac.2018.03.001"
    assert first.journal_iso == "J. Appl. Res. Mem. Cogn."
    assert len(first.keywords) == 11


def test_faulty_year(exports: Path) -> None:
    (record,) = read_records(exports / "faulty_year.ris")
    assert record.year is None  # PY "10 15" is not a year
    assert record.extra["year_raw"] == "10 15"
    assert record.title.startswith("The Value of Radiologic Interventions and 18 F-DOPA PET")


def test_empty_values(exports: Path) -> None:
    records = read_records(exports / "baseline_empty_values.ris")
    assert [r.source_id for r in records] == ["1", "2", "3", "4"]
    assert [r.title for r in records] == ["Title of reference", None, "Title of reference", None]
    lorem = "Lorem ipsum dolor sit amet, consectetuer adipiscing elit."
    assert [r.abstract for r in records] == [None, lorem, None, lorem]


# -- MEDLINE and WoS plain text (tests/sources/data, see its README) ----------------


def test_medline() -> None:
    result = read_file(DATA / "medline_biopython.nbib")
    assert (result.format, result.database, len(result.records)) == ("medline", "PubMed", 4)
    first = result.records[0]
    assert (first.pmid, first.source_id, first.pmcid) == ("16403221", "16403221", "PMC1373603")
    assert first.doi == "10.1186/1471-2105-7-10"  # from AID [doi], not [pii]
    assert first.title == "A high level interface to SCOP and ASTRAL implemented in python."
    assert first.authors == ("Casbon, James A", "Crooks, Gavin E", "Saqi, Mansoor A S")
    assert (first.journal, first.journal_iso) == ("BMC bioinformatics", "BMC Bioinformatics")
    assert (first.year, first.volume, first.pages, first.issn) == (2006, "7", "10", "1471-2105")
    assert first.abstract.startswith("BACKGROUND: Benchmarking algorithms")
    assert first.abstract.endswith("easier and more principled.")
    assert len(first.mesh) == 9 and first.mesh[0] == "*Database Management Systems"
    assert first.publication_types == ("Evaluation Studies", "Journal Article")
    assert first.entry_date == "2006-01-13"
    second = result.records[1]
    assert second.title == "GenomeDiagram: a python package for the visualization of large-scale genomic data."
    assert (second.year, second.volume, second.issue, second.pages) == (2006, "22", "5", "616-7")
    assert result.records[3].doi is None  # no [doi] line in that record


def test_wos_plain_text() -> None:
    result = read_file(DATA / "wos_rispy_example.txt")
    assert (result.format, result.database, len(result.records)) == ("wos", "Web of Science", 2)
    first, second = result.records
    assert first.authors == ("Parkes-Loach, PS", "Majeed, AP", "Law, CJ", "Loach, PA")
    assert first.title == (
        "Interactions stabilizing the structure of the core light-harvesting complex (LHl) "
        "of photosynthetic bacteria and its subunit (B820)")
    assert (first.source_id, first.pmid, first.doi) == ("WOS:000221807500019", "15170338", "10.1021/bi049798f")
    assert (first.journal, first.journal_iso, first.year) == ("BIOCHEMISTRY", "Biochemistry", 2004)
    assert (first.volume, first.issue, first.pages) == ("43", "22", "7003-7016")
    assert len(first.extra["wos"]["CR"]) == 3
    assert len(second.authors) == 9 and second.pages == "7017-7027"


# -- the dedupe benchmarks' CSVs ----------------------------------------------------


def test_bib_dedupe_csv(data_dir: Path) -> None:
    records = read_records(data_dir / "dedupe/cytology_screening/records_pre_merged.csv")
    assert len(records) == 1856
    first = records[0]
    assert first.source_id == "id_0000001"
    assert first.title == ("Comparison of human papillomavirus distribution in cytologic subgroups "
                           "of low-grade squamous intraepithelial lesion")
    assert first.authors == ("Zuna, R E", "Wang, S S", "Schiffman, M", "Solomon, D")  # "and"-joined
    assert (first.year, first.pages, first.volume, first.journal) == (2006, "288-297", "108", "Cancer")
    assert first.record_type == "article"
    assert len(records[3].authors) == 7 and records[3].authors[-1] == "Group, ALTS"
    assert len({r.source_id for r in records}) == 1856


def test_asysd_csv_cp1252(data_dir: Path) -> None:
    result = read_file(data_dir / "dedupe/asysd_diabetes/labelled_test_set.csv")
    assert result.encoding == "cp1252"
    assert result.notes and "not valid UTF-8" in result.notes[0] and "cp1252" in result.notes[0]
    records = result.records
    assert len(records) == 1845
    first = records[0]
    assert first.source_id == "1"  # record_id column
    assert first.title == "Intestinal lipoprotein overproduction in insulin-resistant states"
    assert first.doi == "10.1097/MOL.0b013e3282ffaf82"
    assert (first.year, first.journal, first.volume, first.issue, first.pages) == (
        2008, "Curr Opin Lipidol", "19", "3", "221-8")
    assert first.extra["source"] == "unique"  # the gold label column stays in extra
    assert any("\u00a9" in (r.abstract or "") for r in records)  # byte 0xA9 read as ©


def test_special_cases_csv(data_dir: Path) -> None:
    records = read_records(data_dir / "dedupe/special_cases/records_pre_merged.csv")
    assert len(records) == 12
    assert records[0].authors == ("Deng, Chaoqun", "Ravichandran, Thiagarajan")
    assert records[0].record_type == "inproceedings"


# -- detection -------------------------------------------------------------------------


def test_detect_from_content_not_extension(exports: Path, tmp_path: Path) -> None:
    misnamed = tmp_path / "records.csv"
    misnamed.write_bytes((exports / "pubmed_zotero.ris").read_bytes())
    assert detect_format(misnamed) == "ris"
    assert len(read_records(misnamed)) == 6


@pytest.mark.parametrize(
    "text, fmt",
    [
        ("TY  - JOUR\nTI  - x\nER  - \n", "ris"),
        ("PMID- 123\nTI  - x\n", "medline"),
        ("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI x\nER\nEF\n", "wos"),
        ("@article{k,\n title={x}}\n", "bibtex"),
        ('[{"title": "x"}]', "json"),
        ("<?xml version='1.0'?>\n<PubmedArticleSet></PubmedArticleSet>", "pubmed-xml"),
        ("ID,Title,Year\n1,x,2000\n", "csv"),
    ],
)
def test_detect_text(text: str, fmt: str) -> None:
    assert detect_format(text) == fmt
    assert fmt in FORMATS


def test_read_text_matches_read_file(exports: Path) -> None:
    text = (exports / "ris_issue_992.txt").read_text(encoding="utf-8")
    assert read_text(text) == read_records(exports / "ris_issue_992.txt")


@pytest.mark.parametrize("name, n, first_pmid", [
    ("pubmed1.xml", 2, "12091962"), ("pubmed2.xml", 2, "11748933"),
    ("pubmed4.xml", 1, "27797938"), ("pubmed6.xml", 1, "30108519"),
])
def test_pubmed_xml_through_readers(data_dir: Path, name: str, n: int, first_pmid: str) -> None:
    path = data_dir / "entrez" / name
    assert detect_format(path) == "pubmed-xml"
    result = read_file(path)
    assert (result.format, result.database, len(result.records)) == ("pubmed-xml", "PubMed", n)
    assert result.records[0].pmid == first_pmid == result.records[0].source_id
    assert all(r.source == "pubmed" for r in result.records)
    assert read_text(path.read_text(encoding="utf-8")) == list(result.records)


def test_pubmed_xml_with_entities_is_refused(tmp_path: Path) -> None:
    err = _error(
        tmp_path, "laughs.xml",
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY lol "lol">]>\n'
        "<PubmedArticleSet>&lol;</PubmedArticleSet>\n",
    )
    assert "ENTITY" in str(err) or "entit" in str(err).lower()


# -- oddities accepted ---------------------------------------------------------------


def test_missing_final_er_is_an_error_unless_accepted(exports: Path, tmp_path: Path) -> None:
    text = (exports / "ris_issue_992.txt").read_text(encoding="utf-8").rstrip()
    assert text.endswith("ER  -")
    cut = tmp_path / "no_final_er.ris"
    cut.write_text(text[: -len("ER  -")], encoding="utf-8")
    lines = text.split("\n")
    last_ty = max(i for i, line in enumerate(lines) if line.startswith("TY  -")) + 1
    with pytest.raises(InputError) as info:
        read_records(cut)
    assert (info.value.path, info.value.line, info.value.field) == (str(cut), last_ty, "ER")
    assert "--accept-missing-er" in str(info.value)
    result = read_file(cut, accept_missing_er=True)
    assert len(result.records) == 19
    assert result.records[-1] == read_records(exports / "ris_issue_992.txt")[-1]
    assert any("had no 'ER  -'" in n for n in result.notes)


def test_ris_without_any_er(tmp_path: Path) -> None:
    err = _error(tmp_path, "no_er.ris", "TY  - JOUR\nTI  - Ketamine infusion for fibromyalgia\nPY  - 2011\n")
    assert (err.line, err.field) == (1, "ER")
    (record,) = read_text("TY  - JOUR\nTI  - Ketamine\n", accept_missing_er=True)
    assert record.title == "Ketamine"


def test_wos_missing_final_er(tmp_path: Path) -> None:
    text = (DATA / "wos_rispy_example.txt").read_text(encoding="utf-8")
    cut = text[: text.rindex("ER\n")]
    err = _error(tmp_path, "cut_wos.txt", cut)
    assert err.field == "ER" and err.line == text.split("\n").index("PT J", 3) + 1
    assert len(read_text(cut, "wos", accept_missing_er=True)) == 2


def test_latin1_ris_is_read_with_a_note(exports: Path, tmp_path: Path) -> None:
    text = (exports / "embase.ris").read_text(encoding="utf-8-sig")
    assert "\u2013" not in text[:4000]
    latin = tmp_path / "latin1.ris"
    latin.write_bytes(text.replace("Liu R.", "Lüdecke R.").encode("latin-1", errors="replace"))
    result = read_file(latin)
    assert result.records[0].authors[0] == "Lüdecke R."
    assert result.encoding in ("cp1252", "latin-1")
    assert "not valid UTF-8" in result.notes[0] and "line" in result.notes[0]


# -- bad input: message names file, line/row and field --------------------------------


def _error(tmp_path: Path, name: str, content: bytes | str) -> InputError:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    with pytest.raises(InputError) as info:
        read_records(path)
    assert str(path) in str(info.value)
    return info.value


def test_truncated_record_in_the_middle(tmp_path: Path) -> None:
    err = _error(tmp_path, "cut.ris", "TY  - JOUR\nTI  - first\nTY  - JOUR\nTI  - second\nER  - \n")
    assert (err.line, err.field) == (3, "ER")
    assert "record starting on line 1" in str(err)


def test_tag_before_first_ty(tmp_path: Path) -> None:
    err = _error(tmp_path, "head.ris", "\nTI  - orphan\nTY  - JOUR\nER  - \n")
    assert (err.line, err.field) == (2, "TI")


def test_csv_without_title_column(tmp_path: Path) -> None:
    err = _error(tmp_path, "no_title.csv", "ID,name,year\n1,x,2000\n")
    assert (err.line, err.field) == (1, "title")
    assert "ID,name,year" in str(err)


def test_csv_ids_not_unique(tmp_path: Path) -> None:
    err = _error(tmp_path, "dup.csv", "record_id,title\n7,a\n8,b\n7,c\n")
    assert (err.line, err.field) == (4, "record_id")
    assert "rows 2 and 4" in str(err)


def test_undecodable_bytes(tmp_path: Path) -> None:
    err = _error(tmp_path, "binary.ris", b"TY  - JOUR\nTI  - ok\n\x00\x01\x02\x89PNG\nER  - \n")
    assert err.line == 3
    assert "undecodable" in str(err)


def test_empty_file(tmp_path: Path) -> None:
    err = _error(tmp_path, "empty.ris", "  \n\n")
    assert "empty" in str(err)


def test_unknown_format_lists_supported(tmp_path: Path) -> None:
    err = _error(tmp_path, "notes.txt", "just some words\nand more\n")
    assert "unknown format" in str(err)
    for fmt in FORMATS:
        assert fmt in str(err)


def test_unknown_xml(tmp_path: Path) -> None:
    err = _error(tmp_path, "other.xml", "<?xml version='1.0'?><feed></feed>")
    assert "not PubMed XML" in str(err)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_records(tmp_path / "nope.ris")
    with pytest.raises(InputError, match="no such file"):
        detect_format(str(tmp_path / "nope.ris"))


def test_bibtex_errors(tmp_path: Path) -> None:
    err = _error(tmp_path, "dup.bib", "@article{k1, title={a}}\n\n@article{k1, title={b}}\n")
    assert (err.line, err.field) == (3, "k1")
    assert "duplicate entry key" in str(err)
    err = _error(tmp_path, "cut.bib", "@article{k1, title={a}}\n@article{k2, title={b\n")
    assert err.line == 2


def test_bibtex_latex_and_authors(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    path.write_text(
        "@article{zuna2006,\n  title = {A {HPV} study of 50% of {\\\"u}ber cases},\n"
        "  author = {Zuna, R E and {Barnes and Noble} and M{\\\"u}ller, K},\n"
        "  year = {2006}, doi = {https://doi.org/10.1002/cncr.21890}, keywords = {a; b c}\n}\n",
        encoding="utf-8",
    )
    (record,) = read_records(path)
    assert record.title == "A HPV study of 50% of über cases"
    assert record.authors == ("Zuna, R E", "Barnes and Noble", "Müller, K")
    assert record.doi == "10.1002/cncr.21890"
    assert record.keywords == ("a", "b c")
    assert (record.source_id, record.record_type, record.year) == ("zuna2006", "article", 2006)


def test_json_errors(tmp_path: Path) -> None:
    err = _error(tmp_path, "bad.json", '[\n{"title": "a"},\n{"title": }\n]')
    assert err.line == 3
    err = _error(tmp_path, "year.json", json.dumps([{"title": "a"}, {"title": "b", "year": "soon"}]))
    assert err.field == "year" and "item 1" in str(err)
    err = _error(tmp_path, "scalar.json", "[1, 2]")
    assert "item 0" in str(err)


def test_medline_without_pmid(tmp_path: Path) -> None:
    err = _error(tmp_path, "x.nbib", "PMID- 1\nTI  - a\n\nTI  - no pmid here\nPMID- \n")
    assert err.field == "PMID" and err.line == 4


def test_wos_truncated_in_the_middle(tmp_path: Path) -> None:
    text = (DATA / "wos_rispy_example.txt").read_text(encoding="utf-8")
    broken = text.replace("DA 2019-03-18\nER\n\nPT J", "DA 2019-03-18\n\nPT J", 1)
    err = _error(tmp_path, "cut.txt", broken)
    assert err.field == "ER" and err.line == broken.split("\n").index("PT J", 3) + 1


def test_detect_first_marker_wins() -> None:
    ris_quoting_medline = "TY  - JOUR\nTI  - x\nN1  - copied from PubMed:\nPMID- 21553931\nER  - \n"
    assert detect_format(ris_quoting_medline) == "ris"
    (record,) = read_text(ris_quoting_medline)
    assert record.title == "x"


def test_medline_records_without_blank_line_between() -> None:
    text = (DATA / "medline_biopython.nbib").read_text(encoding="utf-8")
    squeezed = text.replace("\n\nPMID- ", "\nPMID- ")
    records = read_text(squeezed, "medline")
    assert [r.pmid for r in records] == ["16403221", "16377612", "14871861", "14630660"]
    assert records == read_records(DATA / "medline_biopython.nbib")


def test_csv_page_start_end_columns(tmp_path: Path, exports: Path) -> None:
    # Scopus-style columns, values from web_of_science.txt's first record
    path = tmp_path / "scopus.csv"
    path.write_text(
        "Authors,Title,Year,Source title,Volume,Issue,Page start,Page end,DOI,EID\n"
        '"Alceste, F; Luke, TJ; Kassin, SM","Holding Yourself Captive: Perceptions of Custody During '
        'Interviews and Interrogations",2018,JOURNAL OF APPLIED RESEARCH IN MEMORY AND COGNITION,7,3,387,397,'
        "10.1016/j.jarmac.2018.03.001,WOS:000444108200009\n",
        encoding="utf-8",
    )
    (from_csv,) = read_records(path)
    from_ris = read_records(exports / "web_of_science.txt")[0]
    for name in ("authors", "title", "year", "journal", "volume", "issue", "pages", "doi", "source_id"):
        assert getattr(from_csv, name) == getattr(from_ris, name), name
