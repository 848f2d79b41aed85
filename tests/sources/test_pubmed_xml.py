"""PubMed XML → Record: every shared fixture, hand-written edge cases, hardening."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from evsynth.errors import InputError
from evsynth.sources.pubmed_xml import MalformedXMLError, iter_pubmed_xml, parse_pubmed_xml


def _fixtures(shared: Path) -> list[Path]:
    return sorted((shared / "fixtures" / "entrez").glob("pubmed*.xml"))


def _by_pmid(shared: Path) -> dict[str, object]:
    out = {}
    for path in _fixtures(shared):
        for r in iter_pubmed_xml(path):
            out[r.pmid] = r
    return out


def test_every_fixture_parses(shared: Path) -> None:
    paths = _fixtures(shared)
    assert len(paths) == 4
    for path in paths:
        records = parse_pubmed_xml(path)
        text = path.read_text(encoding="utf-8")
        assert len(records) == text.count("<PubmedArticle>") + text.count("<PubmedArticle ")
        for r in records:
            assert r.source == "pubmed" and r.source_id == r.pmid and r.pmid.isdigit()
            assert r.title and r.journal and r.year
            assert r.url == f"https://pubmed.ncbi.nlm.nih.gov/{r.pmid}/"


def test_season_date_and_keywords(shared: Path) -> None:
    r = _by_pmid(shared)["12091962"]  # pubmed1.xml: PubDate 1990 Spring
    assert r.year == 1990
    assert r.extra["pub_date"] == "1990 Spring"
    assert r.title == "The treatment of AIDS behind the walls of correctional facilities."
    assert r.authors == ("Olivero, J Michael",)
    assert r.journal == "Social justice (San Francisco, Calif.)" and r.journal_iso == "Soc Justice"
    assert (r.volume, r.issue, r.pages) == ("17", "1", "113-25")
    assert r.publication_types == ("Journal Article", "Review")
    assert r.keywords == ("Health Care and Public Health", "Legal Approach")
    assert "Acquired Immunodeficiency Syndrome" in r.mesh
    assert r.entry_date == "1990-04-01"
    assert r.doi is None and r.abstract is None


def test_structured_abstract_markup_and_pmc(shared: Path) -> None:
    r = _by_pmid(shared)["27797938"]  # pubmed4.xml, Gut 2017
    assert r.title == ("Leucocyte telomere length, genetic variants at the TERT gene region and risk of "
                       "pancreatic cancer.")
    assert r.abstract.startswith("OBJECTIVE: Telomere shortening occurs as an early event")
    for label in ("DESIGN: We measured", "RESULTS: Shorter prediagnostic", "CONCLUSIONS: Prediagnostic"):
        assert label in r.abstract
    assert "(TERT) gene region" in r.abstract  # <i>TERT</i> flattened with its tail kept
    assert r.doi == "10.1136/gutjnl-2016-312510" and r.pmcid == "PMC5442267"
    assert (r.journal, r.volume, r.issue, r.pages, r.year) == ("Gut", "66", "6", "1116-1122", 2017)
    assert r.authors[0] == "Bao, Ying" and r.authors[-1] == "Wolpin, Brian M" and len(r.authors) == 22


def test_markup_with_entities_in_title_and_elocation_doi(shared: Path) -> None:
    r = _by_pmid(shared)["30108519"]  # pubmed6.xml: &quot; and <i> in the title
    assert r.title.startswith('A "Blood Relationship" Between the Overlooked Minimum Lactate')
    assert r.doi == "10.3389/fphys.2018.01034" and r.pmcid == "PMC6079548"
    assert r.issue is None and r.pages == "1034" and r.year == 2018
    assert r.entry_date == "2018-08-16"
    assert "lactate threshold" in r.keywords


def test_cited_pmids_are_not_records(shared: Path) -> None:
    # pubmed4/6 list ~50 cited PMIDs (CommentsCorrections): each file is still one record
    pmids = set(_by_pmid(shared))
    assert pmids == {"12091962", "9997", "11748933", "11700088", "27797938", "30108519"}


ARTICLE = b"""<?xml version="1.0"?>
<PubmedArticleSet>
<PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
    <PMID Version="1">111</PMID>
    <Article PubModel="Print">
      <Journal><JournalIssue><Volume>3</Volume>
        <PubDate><MedlineDate>1998 Dec-1999 Jan</MedlineDate></PubDate></JournalIssue>
        <Title>Journal of Things</Title><ISOAbbreviation>J Things</ISOAbbreviation></Journal>
      <ArticleTitle>H<sub>2</sub>O and CO<sup>2+</sup> in <i>E. coli</i></ArticleTitle>
      <ELocationID EIdType="doi" ValidYN="Y">10.1000/from-elocation</ELocationID>
      <AuthorList><Author><CollectiveName>The Study Group</CollectiveName></Author>
        <Author><LastName>Doe</LastName><Initials>J</Initials></Author></AuthorList>
      <Language>eng</Language><Language>ger</Language>
    </Article>
  </MedlineCitation>
  <PubmedData>
    <History><PubMedPubDate PubStatus="pubmed"><Year>1999</Year><Month>1</Month><Day>5</Day></PubMedPubDate></History>
    <ArticleIdList><ArticleId IdType="pubmed">111</ArticleId></ArticleIdList>
    <ReferenceList><Reference><Citation>Other paper.</Citation>
      <ArticleIdList><ArticleId IdType="doi">10.9999/a-cited-paper</ArticleId>
      <ArticleId IdType="pmc">PMC999</ArticleId></ArticleIdList></Reference></ReferenceList>
  </PubmedData>
</PubmedArticle>
<PubmedBookArticle>
  <BookDocument>
    <PMID Version="1">222</PMID>
    <ArticleIdList><ArticleId IdType="bookaccession">NBK1</ArticleId></ArticleIdList>
    <Book>
      <Publisher><PublisherName>University Press</PublisherName><PublisherLocation>Seattle</PublisherLocation></Publisher>
      <BookTitle book="gene">GeneReviews</BookTitle>
      <PubDate><Year>1993</Year></PubDate>
      <Isbn>978-0-00-000000-0</Isbn>
    </Book>
    <ArticleTitle>A chapter on <i>things</i></ArticleTitle>
    <Language>eng</Language>
    <AuthorList Type="authors"><Author><LastName>Roe</LastName><ForeName>Ann</ForeName></Author></AuthorList>
    <AuthorList Type="editors"><Author><LastName>Editor</LastName><ForeName>Ed</ForeName></Author></AuthorList>
    <PublicationType UI="D016454">Review</PublicationType>
    <Abstract><AbstractText Label="SUMMARY">Short.</AbstractText><AbstractText Label="DIAGNOSIS">Long.</AbstractText></Abstract>
  </BookDocument>
  <PubmedBookData>
    <History><PubMedPubDate PubStatus="entrez"><Year>2005</Year><Month>3</Month><Day>4</Day></PubMedPubDate></History>
    <ArticleIdList><ArticleId IdType="pubmed">222</ArticleId><ArticleId IdType="doi">10.1000/book</ArticleId></ArticleIdList>
  </PubmedBookData>
</PubmedBookArticle>
</PubmedArticleSet>
"""


def test_medline_date_collective_name_and_reference_ids_ignored() -> None:
    art, book = parse_pubmed_xml(ARTICLE)
    assert art.year == 1998 and art.extra["pub_date"] == "1998 Dec-1999 Jan"
    assert art.title == "H2O and CO2+ in E. coli"
    assert art.authors == ("The Study Group", "Doe, J")
    assert art.doi == "10.1000/from-elocation"  # never the cited paper's DOI
    assert art.pmcid is None
    assert art.language == "eng" and art.extra["languages"] == ["eng", "ger"]
    assert art.entry_date == "1999-01-05"  # "pubmed" when there is no "entrez" date


def test_book_article() -> None:
    book = parse_pubmed_xml(ARTICLE)[1]
    assert book.pmid == "222" and book.source_id == "222"
    assert book.title == "A chapter on things" and book.journal == "GeneReviews"
    assert book.record_type == "CHAP" and book.year == 1993
    assert book.authors == ("Roe, Ann",)  # editors are not authors
    assert book.abstract == "SUMMARY: Short. DIAGNOSIS: Long."
    assert book.isbn == "978-0-00-000000-0" and book.doi == "10.1000/book"
    assert book.publication_types == ("Review",)
    assert book.extra["publisher"] == "University Press"
    assert book.entry_date == "2005-03-04"


def test_sources_path_bytes_and_file_object(shared: Path, tmp_path: Path) -> None:
    path = shared / "fixtures" / "entrez" / "pubmed2.xml"
    a = parse_pubmed_xml(path)
    b = parse_pubmed_xml(path.read_bytes())
    with path.open("rb") as fh:
        c = parse_pubmed_xml(fh)
    d = parse_pubmed_xml(io.BytesIO(path.read_bytes()))
    assert a == b == c == d and len(a) == 2


def test_truncated_xml_names_file_and_line(shared: Path, tmp_path: Path) -> None:
    data = (shared / "fixtures" / "entrez" / "pubmed4.xml").read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(MalformedXMLError) as info:
        list(iter_pubmed_xml(cut))
    err = info.value
    assert isinstance(err, InputError)
    assert err.path == str(cut) and err.line and err.line > 100
    assert "truncated" in str(err) and str(cut) in str(err)


def test_malformed_xml_after_first_record() -> None:
    bad = ARTICLE.replace(b"<PubmedBookArticle>", b"<PubmedBookArticle><oops></PubmedBookArticle>")
    gen = iter_pubmed_xml(bad, name="bad.xml")
    assert next(gen).pmid == "111"
    with pytest.raises(InputError, match=r"bad.xml, line \d+"):
        next(gen)


def test_entity_expansion_refused() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [
 <!ENTITY a "aaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<ArticleTitle>&c;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"""
    with pytest.raises(InputError, match="refuses entity expansion") as info:
        list(iter_pubmed_xml(bomb, name="bomb.xml"))
    assert info.value.line == 3 and info.value.path == "bomb.xml"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_entity_declarations_refused_in_utf16(codec: str) -> None:
    text = ('<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaa">]>\n'
            "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
            "<ArticleTitle>&a;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>")
    with pytest.raises(InputError, match="refuses entity expansion"):
        list(iter_pubmed_xml(text.encode(codec)))


def test_utf16_pubmed_xml_without_entities_parses(shared: Path) -> None:
    text = (shared / "fixtures" / "entrez" / "pubmed2.xml").read_text(encoding="utf-8")
    text = text.replace('<?xml version="1.0" ?>', '<?xml version="1.0" encoding="UTF-16"?>')
    assert [r.pmid for r in iter_pubmed_xml(text.encode("utf-16"))] == ["11748933", "11700088"]


def test_external_entity_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = f"""<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM "file://{secret}">]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<ArticleTitle>&x;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>""".encode()
    with pytest.raises(InputError, match="external entities"):
        list(iter_pubmed_xml(xxe))


def test_undeclared_entity_is_an_error_not_a_lookup() -> None:
    xml = b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>" \
          b"<ArticleTitle>&undefined;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    with pytest.raises(InputError):
        list(iter_pubmed_xml(xml))


def test_public_dtd_is_not_fetched(shared: Path) -> None:
    # every fixture names the NLM DTD by URL; parsing works with no network at all
    assert parse_pubmed_xml(shared / "fixtures" / "entrez" / "pubmed1.xml")


def test_not_pubmed_xml(shared: Path) -> None:
    with pytest.raises(InputError, match="not PubMed XML"):
        list(iter_pubmed_xml(shared / "fixtures" / "entrez" / "esearch1.xml"))


def test_missing_file() -> None:
    with pytest.raises(InputError, match="no such file"):
        list(iter_pubmed_xml("/nonexistent/pubmed.xml"))


def test_records_stream_before_the_file_is_read(shared: Path) -> None:
    # streaming: the first record comes out long before the parser has read the whole input
    body = (shared / "fixtures" / "entrez" / "pubmed4.xml").read_bytes()
    start = body.index(b"<PubmedArticle>")
    end = body.rindex(b"</PubmedArticle>") + len(b"</PubmedArticle>")
    many = b"<PubmedArticleSet>" + body[start:end] * 200 + b"</PubmedArticleSet>"
    stream = io.BytesIO(many)
    gen = iter_pubmed_xml(stream)
    first = next(gen)
    assert first.pmid == "27797938"
    assert stream.tell() < len(many) // 10
    assert 1 + sum(1 for _ in gen) == 200
