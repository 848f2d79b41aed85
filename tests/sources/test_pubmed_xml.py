"""PubMed XML → Record: every recorded fixture, hand-written edge cases, hardening."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from evsynth.errors import InputError
from evsynth.sources.pubmed_xml import MalformedXMLError, iter_pubmed_xml, parse_pubmed_xml


def _fixtures(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "entrez").glob("pubmed*.xml"))


def _by_pmid(data_dir: Path) -> dict[str, object]:
    out = {}
    for path in _fixtures(data_dir):
        for r in iter_pubmed_xml(path):
            out[r.pmid] = r
    return out


def test_every_fixture_parses(data_dir: Path) -> None:
    paths = _fixtures(data_dir)
    assert len(paths) == 4
    for path in paths:
        records = parse_pubmed_xml(path)
        text = path.read_text(encoding="utf-8")
        assert len(records) == text.count("<PubmedArticle>") + text.count("<PubmedArticle ")
        for r in records:
            assert r.source == "pubmed" and r.source_id == r.pmid and r.pmid.isdigit()
            assert r.title and r.journal and r.year
            assert r.url == f"https://pubmed.ncbi.nlm.nih.gov/{r.pmid}/"


def test_season_date_and_keywords(data_dir: Path) -> None:
    r = _by_pmid(data_dir)["12091962"]  # pubmed1.xml: PubDate 1990 Spring
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


def test_structured_abstract_markup_and_pmc(data_dir: Path) -> None:
    r = _by_pmid(data_dir)["27797938"]  # pubmed4.xml, Gut 2017
    assert r.title == ("Leucocyte telomere length, genetic variants at the TERT gene region and risk of "
                       "pancreatic cancer.")
    assert r.abstract.startswith("OBJECTIVE: Telomere shortening occurs as an early event")
    for label in ("DESIGN: We measured", "RESULTS: Shorter prediagnostic", "CONCLUSIONS: Prediagnostic"):
        assert label in r.abstract
    assert "(TERT) gene region" in r.abstract  # <i>TERT</i> flattened with its tail kept
    assert r.doi == "10.1136/gutjnl-2016-312510" and r.pmcid == "PMC5442267"
    assert (r.journal, r.volume, r.issue, r.pages, r.year) == ("Gut", "66", "6", "1116-1122", 2017)
    assert r.authors[0] == "Bao, Ying" and r.authors[-1] == "Wolpin, Brian M" and len(r.authors) == 22


def test_markup_with_entities_in_title_and_elocation_doi(data_dir: Path) -> None:
    r = _by_pmid(data_dir)["30108519"]  # pubmed6.xml: &quot; and <i> in the title
    assert r.title.startswith('A "Blood Relationship" Between the Overlooked Minimum Lactate')
    assert r.doi == "10.3389/fphys.2018.01034" and r.pmcid == "PMC6079548"
    assert r.issue is None and r.pages == "1034" and r.year == 2018
    assert r.entry_date == "2018-08-16"
    assert "lactate threshold" in r.keywords


def test_cited_pmids_are_not_records(data_dir: Path) -> None:
    # pubmed4/6 list ~50 cited PMIDs (CommentsCorrections): each file is still one record
    pmids = set(_by_pmid(data_dir))
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


def test_sources_path_bytes_and_file_object(data_dir: Path, tmp_path: Path) -> None:
    path = data_dir / "entrez" / "pubmed2.xml"
    a = parse_pubmed_xml(path)
    b = parse_pubmed_xml(path.read_bytes())
    with path.open("rb") as fh:
        c = parse_pubmed_xml(fh)
    d = parse_pubmed_xml(io.BytesIO(path.read_bytes()))
    assert a == b == c == d and len(a) == 2


def test_truncated_xml_names_file_and_line(data_dir: Path, tmp_path: Path) -> None:
    data = (data_dir / "entrez" / "pubmed4.xml").read_bytes()
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


def test_utf16_pubmed_xml_without_entities_parses(data_dir: Path) -> None:
    text = (data_dir / "entrez" / "pubmed2.xml").read_text(encoding="utf-8")
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


def test_public_dtd_is_not_fetched(data_dir: Path) -> None:
    # every fixture names the NLM DTD by URL; parsing works with no network at all
    assert parse_pubmed_xml(data_dir / "entrez" / "pubmed1.xml")


def test_not_pubmed_xml(data_dir: Path) -> None:
    with pytest.raises(InputError, match="not PubMed XML"):
        list(iter_pubmed_xml(data_dir / "entrez" / "esearch1.xml"))


def test_missing_file() -> None:
    with pytest.raises(InputError, match="no such file"):
        list(iter_pubmed_xml("/nonexistent/pubmed.xml"))


def test_records_stream_before_the_file_is_read(data_dir: Path) -> None:
    # streaming: the first record comes out long before the parser has read the whole input
    body = (data_dir / "entrez" / "pubmed4.xml").read_bytes()
    start = body.index(b"<PubmedArticle>")
    end = body.rindex(b"</PubmedArticle>") + len(b"</PubmedArticle>")
    many = b"<PubmedArticleSet>" + body[start:end] * 200 + b"</PubmedArticleSet>"
    stream = io.BytesIO(many)
    gen = iter_pubmed_xml(stream)
    first = next(gen)
    assert first.pmid == "27797938"
    assert stream.tell() < len(many) // 10
    assert 1 + sum(1 for _ in gen) == 200


# --- the fast path (XSLT) against the straightforward Python builder -----------------------------

import dataclasses  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402

from lxml import etree  # noqa: E402

from evsynth.sources import pubmed_xml  # noqa: E402
from evsynth.sources._xml_prolog import wide_codec  # noqa: E402


def _first_error(data: bytes) -> etree.XMLSyntaxError | None:
    """The document's first well-formedness error, as iterparse reports it on the whole document."""
    try:
        for _ in etree.iterparse(io.BytesIO(data), events=("end",), resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=False):
            pass
    except etree.XMLSyntaxError as exc:
        return exc
    return None


def _reference(data: bytes, label: str = "x.xml"):
    """The promised outcome, computed another way: the Python builder over the articles of the
    document's lines before the first error's line (the whole document when there is none)."""
    stream = io.BytesIO(data)
    pubmed_xml._check_prolog(pubmed_xml._read_head(stream), label)
    error = _first_error(data)
    line = max(int((error.position[0] if error.position else error.lineno) or 1), 1) if error else None
    body = data
    if line is not None:  # the lines before the error's line, read by a parser that stops at their end
        codec = wide_codec(data) or "latin-1"
        body = "\n".join(data.decode(codec).split("\n")[:line - 1]).encode(codec)
        body += "\n".encode(codec) if line > 1 else b""
    parser = etree.XMLPullParser(events=("end",), tag=pubmed_xml._ARTICLE_TAGS, resolve_entities=False,
                                 no_network=True, load_dtd=False, huge_tree=False)
    parser.feed(body)
    elements = [el for _event, el in parser.read_events()]
    try:
        root = parser.close()
    except etree.XMLSyntaxError:  # the lines before the error's line end inside the root element
        assert error is not None
        root = None
    if error is None:
        elements += [el for _event, el in parser.read_events()]
    for i, el in enumerate(elements):
        if i == 0:
            pubmed_xml._check_dtd(el.getroottree(), label)
            pubmed_xml._check_root(el.getroottree().getroot(), label, el.sourceline)
        try:
            record = (pubmed_xml._book_record(el) if el.tag == "PubmedBookArticle"
                      else pubmed_xml._article_record(el))
        except ValueError as exc:
            raise InputError(str(exc), path=label, line=el.sourceline) from None
        if not record.pmid:
            raise InputError(f"{el.tag} without a PMID", path=label, line=el.sourceline, field="PMID")
        el.clear(keep_tail=False)  # freed as the parser frees it: an enclosing article loses it
        parent = el.getparent()
        if parent is not None:
            while el.getprevious() is not None:
                del parent[0]
        yield record
    if error is not None:
        msg = f"entity use refused ({error.msg})" if "entity" in error.msg.lower() else error.msg
        raise MalformedXMLError(f"malformed or truncated XML: {msg}", path=label, line=line)
    if not elements:
        pubmed_xml._check_dtd(root.getroottree() if root is not None else None, label)
        pubmed_xml._check_root(root, label, 1)


def _outcome(records):
    """Every record (all fields, ``extra`` in order) up to the error, and the error."""
    out = []
    try:
        for r in records:
            out.append((dataclasses.astuple(r), list(r.extra.items())))
    except Exception as exc:  # compared, not hidden
        return out, (type(exc).__name__, str(exc), getattr(exc, "line", None))
    return out, None


def _assert_same(data: bytes) -> None:
    assert _outcome(iter_pubmed_xml(data, name="x.xml")) == _outcome(_reference(data))


def test_fast_path_equals_reference_on_every_fixture(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bodies = []
    for path in _fixtures(data_dir):
        data = path.read_bytes()
        _assert_same(data)
        start, end = data.index(b"<PubmedArticle>"), data.rindex(b"</PubmedArticleSet>")
        bodies.append(data[start:end])
    many = b"<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n" + b"".join(bodies) * 5 + b"</PubmedArticleSet>\n"
    _assert_same(many)
    for chunk in (97, 4096):  # batches across chunk boundaries
        monkeypatch.setattr(pubmed_xml, "_CHUNK", chunk)
        _assert_same(many)


def test_fixtures_take_the_fast_path(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built_in_python = []
    python_builder = pubmed_xml._article_record
    monkeypatch.setattr(pubmed_xml, "_article_record", lambda el: built_in_python.append(el) or python_builder(el))
    for path in _fixtures(data_dir):
        assert parse_pubmed_xml(path)
    assert built_in_python == []


_DOCTYPE = (b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January '
            b'2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n')


def _art(pmid: str = "1", article: str = "", mc: str = "", data: str = "", attrs: str = ' Status="MEDLINE"',
         pub_date: str = "<Year>2001</Year>") -> str:
    return (f"<PubmedArticle><MedlineCitation{attrs}><PMID>{pmid}</PMID><Article><Journal><ISSN>1</ISSN>"
            f"<JournalIssue><Volume>2</Volume><PubDate>{pub_date}</PubDate></JournalIssue><Title>J</Title></Journal>"
            f"{article}</Article>{mc}</MedlineCitation><PubmedData>{data}</PubmedData></PubmedArticle>\n")


def _doc(*articles: str, doctype: bool = True) -> bytes:
    return (_DOCTYPE if doctype else b"") + ("<PubmedArticleSet>\n" + "".join(articles)
                                            + "</PubmedArticleSet>\n").encode()


_REFS = ('<ArticleIdList><ArticleId IdType="pubmed">1</ArticleId></ArticleIdList><ReferenceList><Reference>'
         '<Citation>c</Citation><ArticleIdList><ArticleId IdType="doi">10.9/cited</ArticleId>'
         '<ArticleId IdType="pmc">PMC9</ArticleId></ArticleIdList></Reference>'
         '<ReferenceList><Reference><Citation>nested</Citation></Reference></ReferenceList></ReferenceList>')
EDGE_CASES = {
    "markup in title": _doc(_art(article="<ArticleTitle><i>E.</i> <i>coli</i>\n and H<sub>2</sub>O</ArticleTitle>")),
    "structured abstract": _doc(_art(article='<Abstract><AbstractText Label="BACKGROUND">x <b>y</b></AbstractText>'
                                             '<AbstractText>  </AbstractText><AbstractText Label="">z</AbstractText>'
                                             '</Abstract>')),
    "labels with TAB, CR, LF": _doc(_art(article='<Abstract><AbstractText Label="A&#9;B">x</AbstractText>'
                                                 '<AbstractText Label="C&#13;D&#9;E">y</AbstractText></Abstract>'),
                                    _art("2", article='<Abstract><AbstractText Label="A&#10;B">x</AbstractText>'
                                                      '</Abstract>')),
    "medline date and season": _doc(_art(pub_date="<MedlineDate>1998 Dec-1999 Jan</MedlineDate>"),
                                    _art("2", pub_date="<Year>1990</Year><Season>Spring</Season>"),
                                    _art("3", pub_date="<Month>Jan</Month>",
                                         article="<ArticleDate><Year>2016</Year></ArticleDate>")),
    "authors": _doc(_art(article='<AuthorList><Author ValidYN="N"><LastName>Bad</LastName></Author><Author>'
                                 '<CollectiveName>Group</CollectiveName><LastName>X</LastName></Author><Author>'
                                 '<LastName>A</LastName><LastName>B</LastName><Initials>Q</Initials><Suffix>Jr'
                                 '</Suffix></Author><Author><LastName> </LastName><ForeName>F</ForeName></Author>'
                                 '<Author><LastName>L</LastName><ForeName> </ForeName><Initials>I</Initials>'
                                 '</Author><Author><LastName>M</LastName><ForeName>F1</ForeName><ForeName/>'
                                 '</Author></AuthorList>')),
    "ELocationID-only DOI": _doc(_art(article='<ELocationID EIdType="pii">p</ELocationID><ELocationID '
                                              'EIdType="doi" ValidYN="N">bad</ELocationID><ELocationID '
                                              'EIdType="doi">10.1/x</ELocationID>', data=_REFS)),
    "own ids, not the references'": _doc(_art(data='<ArticleIdList><ArticleId IdType="doi"> </ArticleId>'
                                                   '<ArticleId IdType="doi">10.2/y</ArticleId><ArticleId '
                                                   'IdType="pmc">PMC1</ArticleId><ArticleId IdType="pii">P'
                                                   '</ArticleId></ArticleIdList>' + _REFS[_REFS.index("<Ref"):])),
    "non-ASCII whitespace": _doc(
        _art(article="<ArticleTitle>A\u00a0 b\u2009c</ArticleTitle><Abstract><AbstractText Label=\"L\u00a0M\">"
                     "\u00a0</AbstractText><AbstractText>ok\u2003fine</AbstractText></Abstract>",
             mc="<KeywordList><Keyword>a\u0085b</Keyword><Keyword>\u3000</Keyword></KeywordList>"),
        _art("2", article="<ArticleTitle>\u00a0</ArticleTitle><VernacularTitle>V\u2028W</VernacularTitle>"
                          "<AuthorList><Author><LastName>L</LastName><ForeName>\u00a0</ForeName><Initials>I"
                          "</Initials></Author></AuthorList>"),
        _art("3", data="<ArticleIdList><ArticleId IdType=\"doi\">\u00a0</ArticleId><ArticleId IdType=\"doi\">"
                       "10.2/y</ArticleId></ArticleIdList>"),
        _art("\u00a04")),
    "entry dates": _doc(_art(data='<History><PubMedPubDate PubStatus="received"><Year>2000</Year></PubMedPubDate>'
                                  '<PubMedPubDate PubStatus="pubmed"><Year>2001</Year><Month>Feb</Month>'
                                  '</PubMedPubDate><PubMedPubDate PubStatus="entrez"><Year>2002</Year><Month>3'
                                  '</Month><Day>4</Day></PubMedPubDate></History>'),
                        _art("2", data='<History><PubMedPubDate PubStatus="entrez"/><PubMedPubDate '
                                       'PubStatus="pubmed"><Year>2001</Year></PubMedPubDate></History>')),
    "lists, pages, databanks": _doc(_art(
        article="<Pagination><StartPage>5</StartPage><EndPage>9</EndPage></Pagination><Language>eng</Language>"
                "<Language> </Language><Language>fre</Language><DataBankList><DataBank><DataBankName>GenBank"
                "</DataBankName><AccessionNumberList><AccessionNumber>X</AccessionNumber></AccessionNumberList>"
                "</DataBank><DataBank><DataBankName>ClinicalTrials.gov</DataBankName><AccessionNumberList>"
                "<AccessionNumber>NCT0001</AccessionNumber></AccessionNumberList></DataBank></DataBankList>"
                "<PublicationTypeList><PublicationType>A</PublicationType><PublicationType/>"
                "</PublicationTypeList>",
        mc="<MedlineJournalInfo><MedlineTA>TA</MedlineTA><ISSNLinking>L</ISSNLinking></MedlineJournalInfo>"
           "<MeshHeadingList><MeshHeading><DescriptorName>D1</DescriptorName><QualifierName>q</QualifierName>"
           "</MeshHeading><MeshHeading><QualifierName>q</QualifierName></MeshHeading></MeshHeadingList>"
           "<KeywordList><Keyword>k1</Keyword></KeywordList><KeywordList><Keyword>second</Keyword></KeywordList>")),
    "comments, PIs, CDATA": _doc(_art(article="<ArticleTitle>a<!-- c -->b<?pi x?>c<![CDATA[<GrantList>d"
                                              "</GrantList>]]>e</ArticleTitle><GrantList><!-- </GrantList> -->"
                                              "</GrantList>")),
    "undeclared entity": _doc(_art(article="<ArticleTitle>a &nbsp; b</ArticleTitle>"), _art("2")),
    "raw attributes with separators": _doc(_art(attrs=' Status="a&#10;b"'), _art("2", attrs=' Status="\ue000&#10;"'),
                                           _art("3", attrs="")),
    "namespaced elements": _doc(_art(article='<ArticleTitle>t <m:math xmlns:m="urn:m"><m:mi>x</m:mi> <m:mo>+'
                                             '</m:mo></m:math></ArticleTitle><AuthorList><Author><LastName '
                                             'xmlns="urn:x">NS</LastName><LastName>Plain</LastName></Author>'
                                             '</AuthorList>')),
    "no PMID": _doc(_art(), _art(pmid="")),
    "no Article": _doc(_art(), "<PubmedArticle><MedlineCitation><PMID>2</PMID></MedlineCitation></PubmedArticle>"),
    "year int() refuses": _doc(_art(), _art("2", data="<History><PubMedPubDate PubStatus=\"entrez\"><Year>\u00b2"
                                                      "</Year></PubMedPubDate></History>")),
    "malformed inside GrantList": _doc(_art(), _art("2", article="<GrantList><Grant>\n<Agency>x</Agenc></Grant>"
                                                                 "</GrantList>"), _art("3")),
    "bare & inside CommentsCorrectionsList": _doc(_art(), _art("2", mc="<CommentsCorrectionsList>\n"
                                                                       "<CommentsCorrections><RefSource>a & b"
                                                                       "</RefSource></CommentsCorrections>\n"
                                                                       "</CommentsCorrectionsList>"), _art("3")),
    "truncated inside ReferenceList": _doc(_art(), _art("2", data=_REFS.replace("><", ">\n<")))[:-80],
    "odd skipped tags": _doc(_art(article='<GrantList CompleteYN="Y"/><GrantList a=">" b=\'/>\'><Grant/>'
                                          '</GrantList><GrantListX>kept</GrantListX><ArticleTitle>t</ArticleTitle>',
                                  data="<ReferenceList\n>\r\n</ReferenceList >")),
    "books, nesting, wrappers": _doc(_art(), "<PubmedBookArticle><BookDocument><PMID>9</PMID><ArticleTitle>c"
                                             "</ArticleTitle><Book><BookTitle>B</BookTitle></Book><ReferenceList>"
                                             "<Reference/></ReferenceList></BookDocument></PubmedBookArticle>",
                                     "<X>" + _art("3") + "</X>", "<DeleteCitation><PMID>7</PMID></DeleteCitation>",
                                     _art("4"), doctype=False),
    "nested articles": _doc("<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>outer"
                            "</ArticleTitle></Article>" + _art("2") + "</MedlineCitation></PubmedArticle>",
                            _art("3")),
    "single article": _art("5").encode(),
    "error after a trimmed subtree on its line": _doc(_art(article="<GrantList><Grant>\u00e9\u4e2d</Grant>"
                                                                   "</GrantList><b></c>"), doctype=False),
}


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_fast_path_equals_reference_on_edge_cases(case: str) -> None:
    _assert_same(EDGE_CASES[case])

# Errors: the records before one are those of the articles ending on a line before the error's line
_FAKE_ENDS = ("<!-- </PubmedArticle> --><?pi </PubmedBookArticle>?><ArticleTitle><![CDATA[</PubmedArticle>"
              "]]></ArticleTitle>")
ERROR_CASES = {
    "error on the line an article ends on": _doc(_art(), _art("2").rstrip() + "<X></Y>\n", _art("3")),
    "error in the same chunk as good records": _doc(_art(), _art("2"), _art("3", article="<X>\n</Y>"), _art("4")),
    "error at close": _doc(_art(), _art("2"))[:-9],
    "truncated right after an end tag": _doc(_art(), _art("2"))[:-21],
    "several errors": _doc(_art(), _art("2", article="<T>a & b</T>"), _art("3", article="<X>\n</Y>"),
                           _art("4", article="<T>c & d</T>"))[:-30],
    "end tags in comments, PIs, CDATA": _doc(_art(), _art("2", article=_FAKE_ENDS),
                                             _art("3", article="<T>\na & b</T>"), _art("4")),
    "end tag with white space before >": _doc(_art(), _art("2").replace("</PubmedArticle>", "</PubmedArticle\n>"),
                                              "<X></Y>\n", _art("3")),
    "CR alone does not end a line": _doc(_art().rstrip() + "\r", _art("2").rstrip() + "\r<X></Y>\n", _art("3")),
    "CR LF": _doc(_art().rstrip() + "\r\n", _art("2").rstrip() + "\r\n<X></Y>\r\n", _art("3")),
    "deferred error on an article's line": _doc(_art(), _art("2").rstrip() + _art("3", article="<T>a &\n<U>\n</U>"
                                                                                 "</T>"), _art("4")),
    "error before any article": _doc("<X></Y>\n", _art()),
    "articles in a namespace are not records": _doc(
        _art(), _art("2").replace("<PubmedArticle>", '<PubmedArticle xmlns="urn:x">'),
        _art("5").replace("<PubmedArticle>", '<p:PubmedArticle xmlns:p="urn:x">').replace("</PubmedArticle>",
                                                                                        "</p:PubmedArticle >"),
        _art("3"), _art("4").rstrip() + "<X></Y>\n"),
    "empty article before an error": _doc(_art(), '<PubmedArticle a=">"\n/>\n', _art("3").rstrip() + "<X></Y>\n"),
    "book article before an error": _doc("<PubmedBookArticle><BookDocument><PMID>9</PMID><ArticleTitle>c"
                                         "</ArticleTitle></BookDocument></PubmedBookArticle>\n",
                                         _art("2", article="<X>\n</Y>")),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_records_before_an_error_end_on_earlier_lines(case: str) -> None:
    data = ERROR_CASES[case]
    outcome = _outcome(iter_pubmed_xml(data, name="x.xml"))
    assert outcome == _outcome(_reference(data))
    error = _first_error(data)
    assert error is not None
    if outcome[1][0] == "MalformedXMLError":
        assert outcome[1][2] == error.position[0]  # the line libxml2 reports


def test_which_records_come_before_an_error() -> None:
    # the semantics spelled out on cases where the answer is plain to see
    def pmids(case: str) -> list[str]:
        return [r[0][1] for r in _outcome(iter_pubmed_xml(ERROR_CASES[case], name="x.xml"))[0]]

    assert pmids("error on the line an article ends on") == ["1"]
    assert pmids("error in the same chunk as good records") == ["1", "2"]
    assert pmids("error at close") == ["1", "2"]
    assert pmids("truncated right after an end tag") == ["1"]
    assert pmids("several errors") == ["1"]
    assert pmids("end tags in comments, PIs, CDATA") == ["1", "2"]
    assert pmids("end tag with white space before >") == ["1", "2"]
    assert pmids("CR alone does not end a line") == []
    assert pmids("CR LF") == ["1", "2"]
    assert pmids("deferred error on an article's line") == ["1"]
    assert pmids("error before any article") == []
    assert pmids("book article before an error") == ["9"]
    assert pmids("articles in a namespace are not records") == ["1", "3"]
    empty = _outcome(iter_pubmed_xml(ERROR_CASES["empty article before an error"], name="x.xml"))
    assert empty[1] == ("InputError", "x.xml, line 6: PubmedArticle without MedlineCitation", 6)  # where its tag ends


@pytest.mark.parametrize("chunk", [1, 7, 64, 300])
def test_chunk_boundaries_anywhere(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # end tags, comments and errors straddling the boundaries of what is fed to the parser at a time
    monkeypatch.setattr(pubmed_xml, "_CHUNK", chunk)
    for case, data in {**EDGE_CASES, **ERROR_CASES}.items():
        assert _outcome(iter_pubmed_xml(data, name="x.xml")) == _outcome(_reference(data)), case


@pytest.mark.parametrize("case", ["several errors", "end tags in comments, PIs, CDATA", "CR LF",
                                  "error on the line an article ends on"])
def test_errors_in_utf16_as_in_utf8(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = ERROR_CASES[case]
    wide = data.decode().replace('<?xml version="1.0" ?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")
    records, error = _outcome(iter_pubmed_xml(data, name="x.xml"))
    for chunk in (7, 1 << 19):
        monkeypatch.setattr(pubmed_xml, "_CHUNK", chunk)
        wide_records, wide_error = _outcome(iter_pubmed_xml(wide, name="x.xml"))
        assert wide_records == records and wide_error[2] == error[2]


def _random_text(rnd: random.Random, markup: bool = True) -> str:
    words = ["alpha", "Beta", "x&amp;y", "&lt;b&gt;", "\u00e9t\u00e9", "42", "\ue000", "a\u2028b", "<i>it</i>",
             "<sup>2</sup>", "<b>b <i>bi</i></b>", "<!-- c -->", "<![CDATA[cd<a>]]>", "<?pi x?>", "&amp;"]
    spaces = [" ", "  ", "\n", "\t", "\u00a0", "\u2009", "\u0085", "", "", "&#160;", "&#10;", "&#9;"]
    parts = [rnd.choice(spaces) + rnd.choice(words if markup else words[:8]) for _ in range(rnd.randint(0, 4))]
    return "".join(parts) + rnd.choice(spaces)


def _random_article(rnd: random.Random, pmid: str) -> str:
    def el(tag: str, markup: bool = True, attrs: str = "") -> str:
        return f"<{tag}{attrs}/>" if rnd.random() < 0.05 else f"<{tag}{attrs}>{_random_text(rnd, markup)}</{tag}>"

    def some(text: str, p: float = 0.6) -> str:
        return text if rnd.random() < p else ""

    skipped = ["<GrantList><Grant><Agency>A &amp; B</Agency></Grant>\n</GrantList>", "<GrantList/>",
               "<CommentsCorrectionsList>\n<CommentsCorrections RefType='Cites'><RefSource>x</RefSource><PMID>1"
               "</PMID></CommentsCorrections>\n</CommentsCorrectionsList>", _REFS[_REFS.index("<Ref"):], ""]
    names = ["LastName", "ForeName", "Initials", "Suffix", "CollectiveName", "LastName"]
    valid = ["", ' ValidYN="N"']
    authors = "".join(f"<Author{rnd.choice(valid)}>"
                      + "".join(el(t, t == "CollectiveName") for t in rnd.sample(names, rnd.randint(0, 4)))
                      + "<AffiliationInfo><Affiliation>a</Affiliation></AffiliationInfo></Author>"
                      for _ in range(rnd.randint(0, 3)))
    label = rnd.choice(["", ' Label="L"', ' Label=""', ' Label="A&#9;B"', ' Label="\u00a0X"'])
    article = (rnd.choice(skipped) + some(el("ArticleTitle"), 0.9) + rnd.choice(skipped)
               + some("<Pagination>" + some(el("MedlinePgn", False)) + some(el("StartPage", False))
                      + some(el("EndPage", False)) + "</Pagination>")
               + "".join(el("ELocationID", False, rnd.choice([' EIdType="doi"', ' EIdType="doi" ValidYN="N"']))
                         for _ in range(rnd.randint(0, 2)))
               + some("<Abstract>" + "".join(el("AbstractText", attrs=label) for _ in range(rnd.randint(0, 3)))
                      + "</Abstract>")
               + some(f"<AuthorList>{authors}</AuthorList>") + "".join(el("Language", False) for _ in range(2))
               + some("<PublicationTypeList>" + el("PublicationType") + "</PublicationTypeList>")
               + some(el("VernacularTitle"), 0.3) + some(f"<ArticleDate>{el('Year', False)}</ArticleDate>", 0.3))
    ids = "".join(el("ArticleId", False, f' IdType="{rnd.choice(["doi", "pmc", "pii"])}"') for _ in range(3))
    dates = "".join(f'<PubMedPubDate PubStatus="{rnd.choice(["entrez", "pubmed", "received"])}">'
                    f'<Year>{rnd.choice(["2001", "x", ""])}</Year>{some(el("Month", False))}</PubMedPubDate>'
                    for _ in range(rnd.randint(0, 3)))
    mc = (some("<MedlineJournalInfo>" + some(el("MedlineTA", False)) + some(el("ISSNLinking", False))
               + "</MedlineJournalInfo>") + rnd.choice(skipped)
          + some("<MeshHeadingList>" + "".join(f"<MeshHeading>{el('DescriptorName')}</MeshHeading>"
                                               for _ in range(rnd.randint(0, 3))) + "</MeshHeadingList>")
          + some("<KeywordList>" + el("Keyword") + el("Keyword") + "</KeywordList>"))
    pub_date = some(el("Year", False)) + some(el("MedlineDate", False)) + some(el("Season", False))
    return _art(pmid, article, mc, some(f"<History>{dates}</History>") + f"<ArticleIdList>{ids}</ArticleIdList>"
                + rnd.choice(skipped), attrs=rnd.choice(["", ' Status="MEDLINE"', ' Status="a&#10;b"']),
                pub_date=pub_date)


def test_fast_path_equals_reference_on_random_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    for seed in range(300):
        rnd = random.Random(seed)
        doctype = rnd.random() < 0.7
        data = _doc(*(_random_article(rnd, str(i)) for i in range(1, rnd.randint(2, 6))), doctype=doctype)
        if doctype and rnd.random() < 0.2:  # an undeclared entity: a reference node, a warning
            data = data.replace(b"&amp;", b"&nbsp;", 1)
        if rnd.random() < 0.15:
            data = data[:rnd.randint(len(data) // 2, len(data))]
        for _ in range(rnd.choice([0, 0, 1, 2])):  # errors (and fake end tags) anywhere between two tags
            at = rnd.choice([m.start() for m in re.finditer(rb"<", data)] or [0])
            data = data[:at] + rnd.choice([b"&", b"& ", b"</Oops>", b"\n<X>\n", b"<!-- </PubmedArticle> -->",
                                           b"</PubmedArticle>", b"\r"]) + data[at:]
        monkeypatch.setattr(pubmed_xml, "_CHUNK", rnd.choice([7, 300, 1 << 19]))
        assert _outcome(iter_pubmed_xml(data, name="x.xml")) == _outcome(_reference(data)), seed
