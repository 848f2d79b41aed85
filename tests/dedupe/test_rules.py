"""Decision rules: what merges, what goes to review, and every keep-apart rule.

The records look like real exports of the same or of distinct papers: one
database's RIS/MEDLINE record beside another's CSV, with the spelling
differences those exports have.
"""

from __future__ import annotations

from evsynth.dedupe import find_duplicates
from evsynth.dedupe.normalise import normalise_record
from evsynth.dedupe.score import decide, hard_conflicts
from evsynth.models import Record

TITLE = "Ketamine infusion for fibromyalgia: a randomized, double-blind, placebo-controlled crossover trial"
AUTHORS = ("Noppers, I.", "Niesters, M.", "Swartjes, M.", "Bauer, M.", "Aarts, L.")


def pubmed(**kw: object) -> Record:
    base = dict(source="pubmed", source_id="21278101", pmid="21278101", doi="10.1016/j.pain.2011.01.015",
                title=TITLE, authors=AUTHORS, journal="Pain", journal_iso="Pain", year=2011,
                volume="152", issue="9", pages="2173-8")
    base.update(kw)
    return Record(**base)  # type: ignore[arg-type]


def embase(**kw: object) -> Record:
    base = dict(source="ris", source_id="L51234567", doi="https://doi.org/10.1016/J.PAIN.2011.01.015",
                title=TITLE.upper().replace(":", " -"), authors=("Noppers I", "Niesters M", "Swartjes M",
                                                                   "Bauer M", "Aarts L"),
                journal="PAIN", year=2011, volume="152", issue="9", pages="2173-2178")
    base.update(kw)
    return Record(**base)  # type: ignore[arg-type]


def pair(a: Record, b: Record):
    return decide(normalise_record(a), normalise_record(b))


def merged(records: list[Record]) -> bool:
    return len(find_duplicates(records).links) == len(records) - 1


# -- merges --------------------------------------------------------------------
def test_same_paper_from_two_databases_merges_with_evidence() -> None:
    result = find_duplicates([embase(), pubmed()])
    (link,) = result.links
    assert (link.record_index, link.kept_index) == (0, 1)  # the PubMed record is kept
    assert link.rule == "doi+title"
    assert link.evidence["doi"] == ["10.1016/j.pain.2011.01.015"] * 2
    assert link.evidence["title_similarity"] == 100.0
    assert link.evidence["first_page"] == ["2173", "2173"]
    assert link.evidence["joined_via"]["index"] == 1


def test_no_doi_author_formats_and_abbreviated_journal_merge() -> None:
    a = pubmed(doi=None, pmid=None, source="medline", journal="Pain", authors=("Noppers, Ingeborg",))
    b = embase(doi=None, authors=("I. Noppers",), journal="Pain (Amsterdam)")
    d = pair(a, b)
    assert d.decision == "merge" and d.rule == "title+authors+year"


def test_translated_title_with_language_tag_merges() -> None:
    a = Record(source="medline", source_id="1", title="[Ketamine in the treatment of fibromyalgia]. [German]",
               authors=("Schmidt, K",), journal="Schmerz", year=2009, volume="23", pages="51-6")
    b = Record(source="ris", source_id="2", title="Ketamine in the treatment of fibromyalgia",
               authors=("Schmidt K.",), journal="Der Schmerz", year=2009, volume="23", pages="51-56")
    assert pair(a, b).decision == "merge"


def test_typo_in_title_with_matching_citation_merges() -> None:
    a = pubmed(doi=None, pmid=None, title="Ketamine infusion for fibromyalgia: a randomised double blind trial")
    b = embase(doi=None, title="Ketamine infusion for fibromyalgia: a randomized double-blind trail")
    d = pair(a, b)
    assert d.decision == "merge"


def test_kept_record_gets_missing_fields() -> None:
    a = pubmed(abstract=None, pmid="21278101")
    b = embase(abstract="BACKGROUND: Ketamine ...", keywords=("ketamine", "fibromyalgia"))
    result = find_duplicates([a, b])
    kept, fields = result.filled[0]
    assert kept == 0
    assert fields["abstract"] == "BACKGROUND: Ketamine ..."
    assert fields["keywords"] == ("ketamine", "fibromyalgia")


# -- keep-apart rules ------------------------------------------------------------
def test_conflicting_dois_keep_apart() -> None:
    d = pair(pubmed(), embase(doi="10.1016/j.pain.2011.01.016", pages="2180-2186"))
    assert d.decision == "apart" and "doi" in d.evidence["conflicts"]


def test_two_dois_with_the_whole_citation_agreeing_merge() -> None:
    # One article under two DOIs (a publisher's legacy DOI, another prefix, a mistyped
    # one): title, author list, year, journal, volume, issue and page range all agree.
    other = embase(doi="10.1016/j.pain.2011.01.099")
    d = pair(pubmed(), other)
    assert d.decision == "merge" and d.rule == "whole-citation:dois-differ"
    assert d.evidence["dois_differ"] is True
    result = find_duplicates([other, pubmed()])
    assert [(l.record_index, l.kept_index) for l in result.links] == [(0, 1)]


def test_two_dois_with_a_citation_short_of_whole_go_to_review_not_merged() -> None:
    # Without the issue, or with the first page only, two DOIs are two claims nobody can
    # settle from the records: a person decides.
    for kw in ({"issue": None}, {"pages": "2173"}):
        other = embase(doi="10.1016/j.pain.2011.01.099", **kw)
        d = pair(pubmed(**kw), other)
        assert d.decision == "review" and d.rule == "doi-conflict:citation-agrees", kw
        assert d.evidence["conflicts"] == ["doi"]
        result = find_duplicates([other, pubmed(**kw)])
        assert not result.links
        assert [(p.first_index, p.second_index, p.rule) for p in result.review] == [
            (0, 1, "doi-conflict:citation-agrees")]


def test_two_dois_with_other_authors_or_a_supplement_range_stay_apart() -> None:
    other = embase(doi="10.1016/j.pain.2011.01.099", authors=("Smith J", "Jones K", "Brown L"))
    assert pair(pubmed(), other).decision != "merge"
    # A range as long as a whole supplement's is no article's citation.
    wide = dict(pages="S1-S250")
    assert pair(pubmed(**wide), embase(doi="10.1016/j.pain.2011.01.099", **wide)).decision != "merge"


def test_one_doi_on_a_paper_and_on_a_meeting_abstract_in_another_journal_is_no_merge() -> None:
    # The paper's DOI copied onto an abstract of the same title printed in another
    # journal (other volume, other page): three citation fields disagree with the DOI.
    paper = pubmed()
    abstract = embase(journal="Journal of the Neurological Sciences", volume="333", issue="1", pages="366")
    d = pair(paper, abstract)
    assert d.decision != "merge"
    assert {"volume", "pages"} <= set(d.evidence.get("conflicts", ()))
    # The same DOI with a differently written volume in the same journal still merges.
    assert pair(paper, embase(volume="152 (9)")).decision == "merge"


ABSTRACT = ("Project sponsorship is assumed to be critical to the success of information systems "
            "development and implementation. However, there is limited research on the effect of "
            "vendor-based sponsorship on the management of information technology projects. This "
            "paper contributes to that emerging body of evidence, drawing on literature on "
            "psychological contract, management control and project sponsorship.")


def test_one_text_printed_twice_under_two_dois_merges() -> None:
    # A journal printed the article again a year later (new DOI, volume and pages): the
    # title, author list, journal and abstract are one text.
    first = pubmed(abstract=ABSTRACT)
    again = embase(abstract=ABSTRACT, doi="10.1016/j.pain.2012.03.001", year=2012, volume="153",
                   issue="1", pages="56-64")
    d = pair(first, again)
    assert d.decision == "merge" and d.rule == "same-text"
    assert set(d.evidence["outweighed_conflicts"]) == {"doi", "volume", "pages"}
    assert hard_conflicts(normalise_record(first), normalise_record(again)) == []


def test_a_notice_carrying_its_articles_abstract_merges_one_without_stays_apart() -> None:
    article = pubmed(abstract=ABSTRACT)
    notice = embase(title="Erratum to: " + TITLE, abstract=ABSTRACT, doi="10.1016/j.pain.2011.09.001",
                    pages="2179")
    assert pair(article, notice).decision == "merge"
    bare = embase(title="Erratum to: " + TITLE, abstract=None, doi="10.1016/j.pain.2011.09.001",
                  pages="2179")
    d = pair(article, bare)
    assert d.decision == "apart" and "kind" in d.evidence["conflicts"]


def test_one_abstract_is_not_enough_without_the_title_authors_or_journal() -> None:
    first = pubmed(abstract=ABSTRACT)
    moved = dict(abstract=ABSTRACT, doi="10.1016/j.pain.2012.03.001", year=2012, volume="153",
                 issue="1", pages="56-64")
    # A commentary by someone else that copied the abstract (a database's error).
    assert pair(first, embase(authors=("Zimmer M",), **moved)).decision == "apart"
    # Another title.
    assert pair(first, embase(title="Vendor sponsorship revisited", **moved)).decision == "apart"
    # Another journal.
    assert pair(first, embase(journal="Journal of Information Technology", **moved)).decision == "apart"
    # A short abstract (a copyright line) proves nothing.
    short = dict(moved, abstract="Copyright 2012 Elsevier B.V. All rights reserved.")
    assert pair(pubmed(abstract=short["abstract"]), embase(**short)).decision == "apart"


def test_a_column_name_before_the_whole_title_merges_other_lead_ins_do_not() -> None:
    base = dict(doi=None, pmid=None, authors=("Kasriel, Stephane",), journal="Harvard Business Review",
                year=2016)
    plain = pubmed(title="Upwork's CEO on how an introverted engineer learned to lead", volume="2016",
                   issue="May", pages=None, **base)
    column = embase(title="How I did it ... Upwork's CEO on how an introverted engineer learned to lead",
                    volume="94", issue="5", pages="35+", **base)
    d = pair(plain, column)
    assert d.decision == "merge" and d.rule == "title-after-lead-in+authors+journal"
    for lead in ("Introduction to", "A review of", "Interview:", "Summary of"):
        other = embase(title=f"{lead} Upwork's CEO on how an introverted engineer learned to lead",
                       volume="94", issue="5", pages="35+", **base)
        assert pair(plain, other).decision != "merge", lead
    # Another author, or another year, is another item.
    assert pair(plain, column.replace(authors=("Smith, J.",))).decision != "merge"
    assert pair(plain, column.replace(year=2017)).decision != "merge"


def test_a_doi_of_another_journal_is_no_conflict_when_the_other_fits() -> None:
    # One database attached another journal's DOI (a real case in ASySD's diabetes set: an
    # Appetite abstract carrying a Regulatory Peptides DOI beside its own Appetite DOI).
    misfiled = embase(doi="10.1016/j.regpep.2011.01.039")
    d = pair(pubmed(), misfiled)
    assert d.decision == "merge" and d.evidence["doi_misfiled"] == "10.1016/j.regpep.2011.01.039"
    assert "doi" not in hard_conflicts(normalise_record(pubmed()), normalise_record(misfiled))
    # ... but not when neither DOI fits (nothing tells which is wrong) and the citation
    # is short of whole (no issue) ...
    both_odd = pubmed(doi="10.1016/j.ejpain.2011.01.015", issue=None)
    assert pair(both_odd, misfiled.replace(issue=None)).decision != "merge"
    # (with the whole citation agreeing, the DOIs do not matter: one article)
    assert pair(both_odd.replace(issue="9"), misfiled).rule == "whole-citation:dois-differ"
    # ... nor when the rest of the citation disagrees.
    assert pair(pubmed(), misfiled.replace(pages="2180-2188")).decision == "apart"


def test_conflicting_dois_and_different_authors_stay_apart_silently() -> None:
    d = pair(pubmed(), embase(doi="10.1016/j.pain.2011.01.016", authors=("Smith J", "Jones K")))
    assert d.decision == "apart"


def test_distinct_pmids_keep_apart() -> None:
    a = pubmed(doi=None)
    b = pubmed(doi=None, source_id="21278102", pmid="21278102")
    assert "pmid" in hard_conflicts(normalise_record(a), normalise_record(b))
    assert not find_duplicates([a, b]).links


def test_years_more_than_one_apart_keep_apart() -> None:
    d = pair(pubmed(doi=None, pmid=None), embase(doi=None, year=2013))
    assert d.decision == "apart" and "year" in d.evidence["conflicts"]


def test_year_one_apart_needs_volume_and_pages() -> None:
    ahead_of_print = embase(doi=None, year=2010)
    assert pair(pubmed(doi=None, pmid=None), ahead_of_print).decision == "merge"
    no_citation = embase(doi=None, year=2010, volume=None, pages=None, issue=None)
    assert pair(pubmed(doi=None, pmid=None), no_citation).decision == "review"


def test_different_pages_keep_apart() -> None:
    d = pair(pubmed(doi=None, pmid=None), embase(doi=None, pages="2180-2188"))
    assert d.decision == "apart" and d.evidence["conflicts"] == ["pages"]


def test_different_volumes_keep_apart() -> None:
    d = pair(pubmed(doi=None, pmid=None), embase(doi=None, volume="153"))
    assert d.decision == "apart" and d.evidence["conflicts"] == ["volume"]


def test_supplement_written_as_volume_is_not_a_volume_conflict() -> None:
    a = embase(doi=None, volume="61", issue="SUPPL. 1", pages="A87")
    b = embase(doi=None, source_id="x", volume="1", issue=None, pages="A87")
    assert "volume" not in hard_conflicts(normalise_record(a), normalise_record(b))


def test_erratum_comment_reply_retraction_keep_apart_from_the_article() -> None:
    article = pubmed(doi=None, pmid=None)
    for title in (f"Erratum: {TITLE}", f"Correction to: {TITLE}", f"Comment on: {TITLE}",
                  f"Reply to: {TITLE}", f"Retraction notice: {TITLE}"):
        other = embase(doi=None, title=title)
        d = pair(article, other)
        assert d.decision == "apart" and "kind" in d.evidence["conflicts"], title


def test_erratum_by_publication_type_keeps_apart() -> None:
    erratum = pubmed(source_id="2", pmid="2", doi=None, publication_types=("Published Erratum",))
    assert "kind" in hard_conflicts(normalise_record(pubmed(doi=None)), normalise_record(erratum))


def test_conference_abstract_vs_journal_article_keep_apart() -> None:
    abstract = Record(source="bibtex", source_id="c", title="Cultural universality versus particularity in CMC",
                      authors=("Stahl, Bernd-Carsten",), year=2003, record_type="inproceedings",
                      extra={"booktitle": "Americas Conference on Information Systems"})
    article = Record(source="bibtex", source_id="a", title="Cultural Universality Versus Particularity in CMC",
                     authors=("Stahl, Bernd Carsten", "Elbeltagi, Ibrahim"), year=2004, record_type="article",
                     journal="Journal of Global Information Technology Management", volume="7", pages="47--65")
    d = pair(abstract, article)
    assert d.decision == "apart" and "venue" in d.evidence["conflicts"]


def test_series_parts_keep_apart() -> None:
    base = "Fibromyalgia: pathophysiology and treatment. Part {}"
    for one, two in (("1", "2"), ("I", "II"), ("one", "two")):
        a = pubmed(doi=None, pmid=None, title=base.format(one), pages=None, volume=None)
        b = embase(doi=None, title=base.format(two), pages=None, volume=None)
        d = pair(a, b)
        assert d.decision == "apart" and "title-numbers" in d.evidence["conflicts"], (one, two)
    # a part number in one title only
    d = pair(pubmed(doi=None, pmid=None, title=base.format("2")),
             embase(doi=None, title="Fibromyalgia: pathophysiology and treatment"))
    assert d.decision == "apart"


def test_different_trailing_numbers_keep_apart() -> None:
    a = Record(source="bibtex", source_id="3", title="Introduction to the Minitrack on Crowdsourcing and Digital "
               "Workforce in the Gig Economy 2021", authors=("Deng, Xuefei",), year=2021)
    b = a.replace(source_id="4", title=a.title.replace("2021", "2022"))
    assert "title-numbers" in hard_conflicts(normalise_record(a), normalise_record(b))
    hpv16 = pubmed(doi=None, pmid=None, title="HPV16 viral load in women with CIN2", pages=None)
    hpv18 = embase(doi=None, title="HPV18 viral load in women with CIN2", pages=None)
    assert pair(hpv16, hpv18).decision == "apart"


def test_records_without_title_and_doi_are_never_merged() -> None:
    a = Record(source="csv", source_id="1", authors=AUTHORS, year=2011, journal="Pain", volume="152",
               pages="2173-8")
    b = a.replace(source_id="2")
    result = find_duplicates([a, b])
    assert not result.links and result.uncomparable == (0, 1)


def test_same_title_different_authors_goes_to_review() -> None:
    a = pubmed(doi=None, pmid=None, volume=None, pages=None, issue=None)
    b = embase(doi=None, volume=None, pages=None, issue=None, authors=("Smith, J.", "Jones, K."))
    result = find_duplicates([a, b])
    assert not result.links
    (review,) = result.review
    assert review.rule == "authors-differ"


def test_same_doi_different_titles_goes_to_review() -> None:
    a = pubmed(title="Abstracts of the 2011 scientific meeting: session one on pain")
    b = embase(title="Serum ketamine levels after infusion in healthy volunteers")
    d = pair(a, b)
    assert d.decision == "review" and d.rule == "doi-titles-differ"


def test_generic_titles_need_more_than_a_title() -> None:
    a = Record(source="ris", source_id="1", title="Editorial", journal="Pain", year=2011, authors=("Smith, J",))
    b = Record(source="ris", source_id="2", title="Editorial", journal="Pain", year=2011, authors=("Smith, J",))
    assert pair(a, b).decision != "merge"


def test_chaining_is_guarded() -> None:
    # B has no DOI and matches both A and C; A and C have different DOIs.
    a = pubmed(pages=None, volume=None, issue=None)
    c = embase(doi="10.1016/j.pain.2011.99.999", pages=None, volume=None, issue=None)
    b = embase(source_id="B", doi=None, pages=None, volume=None, issue=None)
    result = find_duplicates([a, b, c])
    kept = result.kept_index()
    assert kept[0] != kept[2]
    for cluster in result.clusters:
        dois = {normalise_record([a, b, c][k]).doi for k in cluster} - {None}
        assert len(dois) <= 1


def test_swapped_title_word_without_pages_goes_to_review() -> None:
    # Companion papers: one word differs ("men" / "women"), no page to pin the citation.
    a = pubmed(doi=None, pmid=None, pages=None, title="Ketamine infusion for fibromyalgia in women: a randomised trial")
    b = embase(doi=None, pages=None, title="Ketamine infusion for fibromyalgia in men: a randomised trial")
    d = pair(a, b)
    assert d.decision == "review" and d.rule == "title-word-differs"
    assert d.evidence["words_differ"] == ["women", "men"]
    # a glued word ("p16INK4a" / "p16(INK4a)") is not a swapped word
    c = pubmed(doi=None, pmid=None, title="Value of p16INK4a as a marker of regression in CIN")
    e = embase(doi=None, title="Value of p16(INK4a) as a marker of regression in CIN")
    assert pair(c, e).decision == "merge"


def test_registry_record_book_chapter_keep_apart_from_the_article() -> None:
    article = pubmed(doi=None, pmid=None, record_type="Journal Article")
    untyped = embase(doi=None)
    registry = Record(source="ctgov", source_id="NCT01234567", nct_id="NCT01234567", title=TITLE,
                      authors=AUTHORS[:1], year=2011)
    chapter = embase(doi=None, record_type="CHAP", volume=None, pages=None)
    assert "venue" in pair(article, registry).evidence["conflicts"]
    assert "venue" in pair(untyped, registry).evidence["conflicts"]  # a registration is never an article
    assert "venue" in pair(article, chapter).evidence["conflicts"]


def test_same_doi_with_a_missing_title_needs_authors_or_pages() -> None:
    titled = pubmed()
    untitled_match = embase(title=None)
    assert pair(titled, untitled_match).rule == "doi+authors"
    untitled_other = embase(title=None, authors=("Smith, J.",), pages=None)
    assert pair(titled, untitled_other).decision == "review"


def test_follow_up_paper_with_a_longer_title_is_not_merged_without_pages() -> None:
    first = pubmed(doi=None, pmid=None, pages=None,
                   title="Ketamine infusion for fibromyalgia in a tertiary pain clinic")
    follow_up = embase(doi=None, pages=None,
                       title="Ketamine infusion for fibromyalgia in a tertiary pain clinic: two-year follow-up")
    assert pair(first, follow_up).decision == "review"


# -- held-out findings: notes, correction notices, page lists, translated titles --------
def test_article_with_a_medline_erratum_note_is_the_article() -> None:
    # MEDLINE appends the note to the article's own title, sometimes with a note inside it.
    noted = pubmed(doi=None, pmid=None,
                   title=TITLE + ".[Erratum appears in Pain. 2011 Nov;152(11):2660 Note: Aarts, Leon [added]]")
    d = pair(noted, embase(doi=None))
    assert d.decision == "merge" and "conflicts" not in d.evidence
    cut = pubmed(doi=None, pmid=None, title=TITLE + ".[Erratum appears in Pain. 2011 Nov;152(11):2660 Note: Aa")
    assert pair(cut, embase(doi=None)).decision == "merge"


def test_correction_notice_citing_the_article_keeps_apart_without_pages() -> None:
    # Web of Science titles a correction "<article title> (vol V, pg P, YYYY)".
    notice = embase(doi=None, title=f"{TITLE} (vol 152, pg 2173, 2011)", issue="11", pages=None)
    d = pair(pubmed(doi=None, pmid=None), notice)
    assert d.decision == "apart" and "kind" in d.evidence["conflicts"]


def test_two_exports_of_one_correction_notice_merge() -> None:
    wos = Record(source="ris", source_id="WOS:000296", title=f"{TITLE} (vol 152, pg 2173, 2011)",
                 authors=("Noppers, I.",), journal="PAIN", year=2011, volume="152", issue="11", pages="2660")
    emb = Record(source="ris", source_id="L362901", title=f"{TITLE} (Pain (2011) 152 (2173-2178))",
                 authors=("Noppers I.",), journal="Pain", year=2011, volume="152", issue="11", pages="2660-2660")
    d = pair(wos, emb)
    assert d.decision == "merge" and d.evidence["title_similarity"] == 100.0


PRINTED_TWICE = dict(source="medline", title="[Cardiac rehabilitation after myocardial infarction: a randomized trial]",
                     authors=("Souza, R. M.", "Lima, F. C.", "Alves, J. P."), journal="Arquivos Brasileiros de Cardiologia",
                     year=2012, volume="98", issue="5")


def test_paper_printed_in_two_languages_shares_one_of_its_page_ranges() -> None:
    both = Record(source_id="22735911", pages="412-9, 420-7", **PRINTED_TWICE)  # type: ignore[arg-type]
    english = Record(source_id="L2012", pages="420-427",
                     **{**PRINTED_TWICE, "source": "ris", "journal": "Arq Bras Cardiol",
                        "title": "Cardiac rehabilitation after myocardial infarction: a randomized trial"})
    assert pair(both, english).decision == "merge"
    other = Record(source_id="L2013", pages="428-435", **{**PRINTED_TWICE, "source": "ris"})  # type: ignore[arg-type]
    assert "pages" in pair(both, other).evidence["conflicts"]


def test_meeting_abstract_exported_under_journal_or_meeting_name_merges() -> None:
    title = "Eculizumab in plasma-resistant atypical haemolytic uraemic syndrome: interim results"
    authors = ("Verhave, J. C.", "Wetzels, J. F.", "Van de Kar, N. C.")
    a = Record(source="ris", source_id="L70512", title=title, authors=authors, year=2011, volume="9",
               journal="Journal of Thrombosis and Haemostasis.Conference: 23rd Congress of the ISTH Kyoto Japan")
    b = Record(source="ris", source_id="WOS:0002", title=title, authors=authors, year=2011, volume="9",
               journal="23rd Congress of the ISTH Kyoto Japan")
    assert pair(a, b).decision == "merge"


FRENCH = dict(authors=("Dupont, J.", "Martin, P.", "Lefevre, C."), journal="Annales de Chirurgie", year=1998,
              volume="52")


def test_translated_title_merges_only_with_the_whole_citation_agreeing() -> None:
    # Two English renderings of a French title: the same authors, journal, volume,
    # year and page range make one article; without the full range they stay apart.
    medline = Record(source="medline", source_id="9847301", title="[Early enteral feeding after oesophagectomy. "
                     "A controlled study]", pages="331-7", **FRENCH)  # type: ignore[arg-type]
    embase_ = Record(source="ris", source_id="L28501", title="Early enteral nutrition following oesophagectomy: "
                     "a randomised trial", pages="331-337", **{**FRENCH, "journal": "Ann Chir"})
    d = pair(medline, embase_)
    assert d.decision == "merge" and d.rule == "citation+authors"
    one_page = [Record(**{**vars(r), "pages": "331"}) for r in (medline, embase_)]
    assert pair(*one_page).decision == "apart"  # an abstract on one page: not enough
    other_range = Record(**{**vars(embase_), "pages": "331-335"})
    assert pair(medline, other_range).decision == "apart"
    other_authors = Record(**{**vars(embase_), "authors": ("Bernard, A.", "Petit, L.")})
    assert pair(medline, other_authors).decision == "apart"
    unrelated = Record(**{**vars(embase_), "title": "Antibiotic prophylaxis in hernia repair"})
    assert pair(medline, unrelated).decision == "apart"  # a wrong page field, not a translation


def test_a_supplement_long_page_range_is_not_an_article_citation() -> None:
    # Conference abstracts of one group indexed with the whole supplement's pages: two different
    # abstracts must not merge on the shared range.
    base = dict(authors=("Legendre, C.", "Licht, C.", "Muus, P."), journal="Blood", year=2011, volume="118",
                pages="1-1052")
    a = Record(source="ris", source_id="E1", title="Eculizumab in atypical hemolytic uremic syndrome: "
               "long-term outcomes in plasma-resistant patients", **base)  # type: ignore[arg-type]
    b = Record(source="ris", source_id="E2", title="Eculizumab in atypical hemolytic uremic syndrome: "
               "renal function in plasma-dependent patients", **base)  # type: ignore[arg-type]
    assert pair(a, b).decision != "merge"


# -- generic titles: recurring columns, exact copies -----------------------------
def column(**kw: object) -> Record:
    base = dict(source="csv", source_id="1", title="Editor's Comments", authors=("Weber, Ron",),
                journal="MIS Quarterly", year=2003, volume="27", issue="2", pages="iii-xi")
    base.update(kw)
    return Record(**base)  # type: ignore[arg-type]


def test_column_titles_in_different_issues_keep_apart() -> None:
    # Distinct editorials: same title, journal, year, volume; the issue tells them apart.
    d = pair(column(), column(source_id="2", issue="3", pages="iii-xii"))
    assert d.decision == "apart" and d.rule.startswith("generic-title:")
    d = pair(column(), column(source_id="2", issue="4", pages=None))
    assert d.decision == "apart" and d.rule == "generic-title:issue-differs"
    # A longer column title with the journal's name in it is a column title too.
    long_a = column(title="Remarks from MIS Quarterly Editor - Editor's Comments", pages=None, issue="1")
    long_b = long_a.replace(source_id="2", issue="2")
    assert pair(long_a, long_b).decision == "apart"
    assert not find_duplicates([long_a, long_b, long_a.replace(source_id="3", issue="3")]).links


def test_column_title_without_issue_or_pages_is_not_merged() -> None:
    a = column(issue=None, pages=None)
    assert pair(a, a.replace(source_id="2")).decision == "review"


def test_identical_copies_of_a_generic_title_merge() -> None:
    news = Record(source="ris", source_id="7", title="Nursing news", authors=("Smith, J",),
                  journal="Nurs Times", year=2011, volume="107", issue="3", pages="12")
    d = pair(news, news.replace(source="csv", source_id="x"))
    assert d.decision == "merge" and d.rule == "identical"
    short = Record(source="ris", source_id="1", title="Ketamine for pain", authors=("Roe, A",),
                   journal="BMJ", year=2010, abstract="We review the use of the drug for chronic pain.")
    assert pair(short, short.replace(source_id="2")).decision == "merge"


def test_short_title_with_the_same_page_range_merges_despite_issue_field() -> None:
    # Some exports put an accession number in the issue field.
    a = Record(source="csv", source_id="1", title="Intrapleural therapy", authors=("Huggins, J. T.",),
               journal="Respirology", year=2011, volume="16", issue="825", pages="891-899")
    assert pair(a, a.replace(source_id="2", issue="826", authors=("Huggins, J. Terrill",))).decision == "merge"


# -- contained titles, translations, particles -------------------------------------
def test_same_doi_and_a_title_that_contains_the_other_merge() -> None:
    a = pubmed(title="Anxiety about electronic data hacking", pmid=None)
    b = embase(title="Anxiety about electronic data hacking: predictors and relations with privacy behaviour")
    assert pair(a, b).rule == "doi+title-contained"


def test_subtitle_dropped_merges_with_the_same_page_range() -> None:
    a = pubmed(source="csv", doi=None, pmid=None, title="Infrastructure in the wild", journal=None, journal_iso=None,
               volume=None, issue=None, pages="2796-2807")
    b = a.replace(source_id="2", title="Infrastructure in the wild: what mapping after the earthquake reveals")
    assert pair(a, b).rule == "title-contained+authors+pages"
    assert pair(a, b.replace(pages="2808-2819")).decision == "apart"


def test_translated_title_merges_on_the_whole_citation() -> None:
    a = Record(source="csv", source_id="1", title="Platform economy and crowdworking as challenges",
               authors=("Greef, S.", "Schroeder, W."), journal="Industrielle Beziehungen", year=2020,
               volume="27", issue="2", pages="205-226")
    b = a.replace(source_id="2", title="Plattformökonomie und Crowdworking als Herausforderungen",
                  authors=("Greef, Samuel", "Schroeder, Wolfgang"))
    assert [(l.record_index, l.kept_index) for l in find_duplicates([a, b]).links] in ([(1, 0)], [(0, 1)])
    assert not find_duplicates([a, b.replace(pages="227-240")]).links


def test_surname_particle_in_one_record_only() -> None:
    a = pubmed(doi=None, pmid=None, authors=("Il Cheong, H.",))
    b = embase(doi=None, authors=("Cheong, H. I.",))
    assert pair(a, b).evidence["authors"]["status"] == "match"


def test_response_to_inside_a_title_is_not_a_reply() -> None:
    a = normalise_record(pubmed(title="Evolution of a mapping community in response to humanitarian events"))
    assert a.kind == "article"
    assert normalise_record(pubmed(title="Response to the letter by Smith")).kind == "reply"


def test_versions_of_a_cochrane_review_are_one_work() -> None:
    a = Record(source="csv", source_id="1", title="Air versus oxygen for resuscitation of infants at birth",
               authors=("Tan, A.", "Schulze, A."), journal="Cochrane Database Syst Rev", year=2004,
               issue="3", pages="CD002273", doi="10.1002/14651858.CD002273.pub2")
    b = a.replace(source_id="2", year=2005, issue="2", doi="10.1002/14651858.CD002273.pub3")
    d = pair(a, b)
    assert d.decision == "merge" and d.rule == "review-number+title"
    other_review = b.replace(doi="10.1002/14651858.CD002274.pub3")
    assert pair(a, other_review).decision != "merge"


def test_records_of_one_already_deduplicated_set_are_never_merged() -> None:
    a = pubmed()
    b, c = a.replace(source_id="B", pmid=None, source="ris"), a.replace(source_id="C", pmid=None, source="ris")
    assert len(find_duplicates([a, b, c]).links) == 2
    result = find_duplicates([a, b, c], groups=["old", "old", "new"])
    kept = result.kept_index()
    assert kept[0] != kept[1] and kept[2] in (kept[0], kept[1])


# -- conferences, swapped names, abstracts and their papers ---------------------------
def conference_paper(**kw: object) -> Record:
    base = dict(source="csv", source_id="1", record_type="inproceedings",
                title="Good signals, bad signals: performance and trait implications of signaling",
                authors=("Holthaus, Christian", "Stock, Ruth Maria"), year=2017, pages="1-13",
                extra={"booktitle": "International Conference on Information Systems"})
    base.update(kw)
    return Record(**base)  # type: ignore[arg-type]


def test_same_conference_a_year_apart_merges_two_conferences_do_not() -> None:
    a = conference_paper()
    b = conference_paper(source_id="2", year=2018, pages=None, authors=("Holthaus, C.", "Stock, R.M."),
                         extra={"booktitle": "ICIS : Transforming Society with Digital Innovation"})
    assert pair(a, b).rule == "title+authors+adjacent-year"
    hicss = b.replace(extra={"booktitle": "Proceedings of the 51st Hawaii International Conference on System Sciences"})
    assert pair(a, hicss).decision != "merge"


def test_given_names_written_as_surnames() -> None:
    a = conference_paper(authors=("Carignani, Andrea", "Negri, Lorenzo"))
    b = conference_paper(source_id="2", pages=None, authors=("Andrea, C.", "Lorenzo, N."))
    d = pair(a, b)
    assert d.decision == "merge" and d.evidence["authors"]["names_swapped"]
    assert pair(a, b.replace(authors=("Rossi, C.", "Bianchi, N."))).decision != "merge"


def test_meeting_abstract_and_paper_of_one_volume_merge_two_papers_do_not() -> None:
    paper = pubmed(doi=None, pmid=None, source="csv", issue="12", pages="2129-2132",
                   authors=AUTHORS[:4])
    abstract = paper.replace(source_id="A", issue="9", pages="1514", authors=AUTHORS[:3])
    assert pair(paper, abstract).decision == "merge"
    other_paper = abstract.replace(pages="1514-1520")
    assert pair(paper, other_paper).decision == "apart"
    # one page in the same issue is not an abstract of this paper
    assert pair(paper, abstract.replace(issue="12")).decision == "apart"


def test_lettered_pages_of_one_supplement_issue() -> None:
    a = pubmed(doi=None, pmid=None, source="csv", pages="e8-e9", issue="10", authors=AUTHORS[:2])
    b = a.replace(source_id="2", pages="e3")
    assert pair(a, b).decision == "merge"
    assert pair(a, b.replace(issue="11")).decision == "apart"
    assert pair(a.replace(pages="8-9"), b.replace(pages="3")).decision == "apart"


def test_a_year_in_the_volume_field_is_no_volume_conflict() -> None:
    a = pubmed(doi=None, pmid=None, volume="2011", issue="May", pages=None)
    assert "volume" not in hard_conflicts(normalise_record(a), normalise_record(embase(doi=None)))
    assert "volume" in hard_conflicts(normalise_record(a.replace(volume="2010")), normalise_record(embase(doi=None)))


def test_one_column_of_one_issue_with_its_pages_in_one_record_only() -> None:
    a = column()  # Editor's Comments, MIS Quarterly 27(2), iii-xi
    b = column(source_id="2", pages=None, authors=("Weber, R.",))
    assert pair(a, b).rule == "generic-title+issue"
    assert pair(a, b.replace(authors=("Lee, A. S.",))).decision != "merge"


def test_a_roman_numeral_page_matches_only_itself() -> None:
    from evsynth.dedupe.conflicts import same_first_page

    iii = normalise_record(column())
    assert same_first_page(iii, normalise_record(column(pages="iii-xii")))
    assert not same_first_page(iii, normalise_record(column(pages=None)))
    assert not same_first_page(iii, normalise_record(column(pages="v-ix")))


def test_near_identical_abstracts_are_one_text_too() -> None:
    # One database spells "alpha1a", the other "alpha 1a": still one text, printed twice.
    first = pubmed(abstract=ABSTRACT)
    again = embase(abstract=ABSTRACT.replace("vendor-based", "vendor based").replace("emerging", "emergent"),
                   doi="10.1016/j.pain.2012.03.001", year=2012, volume="153", issue="1", pages="56-64")
    assert pair(first, again).rule == "same-text"
    # ... but an abstract that is only alike (another study's, same field) is not.
    other = embase(abstract=ABSTRACT[: len(ABSTRACT) // 2] + " We surveyed 412 vendors in three countries "
                   "and modelled sponsorship as a moderator of project outcomes over two years.",
                   doi="10.1016/j.pain.2012.03.001", year=2012, volume="153", issue="1", pages="56-64")
    assert pair(first, other).decision == "apart"


def test_an_article_number_as_pages_in_one_export_and_as_issue_in_the_other_is_no_conflict() -> None:
    a = pubmed(doi=None, pmid=None, journal="Nature Communications", volume="8", issue=None, pages="15193")
    b = embase(doi=None, journal="Nature Communications", volume="8", issue="15193", pages="1-12")
    d = pair(a, b)
    assert "pages" not in d.evidence.get("conflicts", ()) and d.decision == "merge"
    # Another article number in the issue field does not excuse other pages.
    c = embase(doi=None, journal="Nature Communications", volume="8", issue="15194", pages="1-12")
    d = pair(a, c)
    assert d.decision == "apart" and "pages" in d.evidence["conflicts"]


def test_a_digit_misread_for_a_letter_is_no_title_number_conflict() -> None:
    title = "Relationship between catechol-O-methyltransferase Val108/158Met genotype and brain volume"
    a = pubmed(doi=None, pmid=None, title=title)
    b = embase(doi=None, title=title.replace("Val108", "Va1108"))
    assert pair(a, b).decision == "merge"
    # Different numbers stay a conflict ("HPV16" / "HPV18"; on other pages: two papers).
    c = pubmed(doi=None, pmid=None, title="HPV16 infection and cervical neoplasia in a cohort of women")
    d = embase(doi=None, title="HPV18 infection and cervical neoplasia in a cohort of women",
               pages="2179-2185")
    assert "title-numbers" in pair(c, d).evidence["conflicts"]


def test_a_number_dropped_from_a_title_is_a_typo_when_the_citation_pins_the_article() -> None:
    # "p6INK4a" in one database, "p16(INK4a)" in the other: same journal, volume, page range.
    title = "p16(INK4a) expression does not predict the outcome of cervical intraepithelial neoplasia grade 2"
    a = pubmed(doi=None, pmid=None, title=title, issue=None, pages="1099-1103")
    b = embase(doi=None, title=title.replace("p16(INK4a)", "p6INK4a"), issue=None, pages="1099-1103")
    assert pair(a, b).decision == "merge"
    # Parts of a series never share a page range: with other pages they stay apart.
    c = embase(doi=None, title=title.replace("grade 2", "grade 3"), issue=None, pages="1104-1110")
    assert "title-numbers" in pair(a, c).evidence["conflicts"]
    # ... and so they do with the first page only.
    d = embase(doi=None, title=title.replace("p16(INK4a)", "p6INK4a"), issue=None, pages="1099")
    assert "title-numbers" in pair(a, d).evidence["conflicts"]


def test_a_year_apart_in_one_volume_of_one_journal_merges_when_one_record_lacks_the_issue() -> None:
    # An online-first year in one database: same long title, authors, journal and volume.
    a = pubmed(doi=None, pmid=None, year=2010, issue=None, pages="214")
    b = embase(doi=None, year=2009, issue="3", pages=None)
    assert pair(a, b).rule == "title+authors+adjacent-year"
    # With two different issues given, the years are not excused.
    assert pair(a.replace(issue="4"), b).decision != "merge"


def cochrane(**kw: object) -> Record:
    base = dict(source="ris", source_id="C1", title="Antiviral treatment for Bell's palsy (idiopathic facial paralysis)",
                authors=("Gagyor, I.", "Madhok, V. B.", "Daly, F.", "Sullivan, F."),
                journal="Cochrane Database of Systematic Reviews", year=2015, issue="11", pages="CD001869",
                doi="10.1002/14651858.CD001869.pub8")
    base.update(kw)
    return Record(**base)  # type: ignore[arg-type]


def test_versions_of_one_cochrane_review_merge_whatever_their_years_and_authors() -> None:
    update = cochrane()
    old = cochrane(source_id="C2", year=2009, issue="4", doi="10.1002/14651858.CD001869.pub4",
                   authors=("Lockhart, P.", "Daly, F.", "Pitkethly, M."))
    d = pair(update, old)
    assert d.decision == "merge" and d.rule == "review-number+title" and d.evidence["review_number"] == "CD001869"
    # The number from the pages alone (no DOI), in the forms exports give it.
    for pages in ("CD001869", "001869", "CD001869.pub8"):
        bare = cochrane(source_id="C3", doi=None, year=2009, issue="4", pages=pages, authors=("Lockhart, P.",))
        assert pair(update, bare).decision == "merge", pages
    # A reworded title of the same review still merges; an unrelated one goes to a person.
    reworded = old.replace(title="Antiviral treatment for Bell's palsy")
    assert pair(update, reworded).decision == "merge"
    unrelated = old.replace(title="Corticosteroids for idiopathic facial nerve paralysis", authors=("Salinas, R.",))
    assert pair(update, unrelated).decision == "review"


def test_two_cochrane_review_numbers_are_two_reviews_and_other_journals_have_none() -> None:
    a = cochrane()
    b = cochrane(source_id="C2", pages="CD001942", doi="10.1002/14651858.CD001942.pub4")
    assert hard_conflicts(normalise_record(a), normalise_record(b)) == ["review-number"]
    # Six digits as the pages of another journal are pages, not a review number.
    other = Record(source="ris", source_id="J1", title=a.title, authors=a.authors, journal="BMJ", year=2009,
                   pages="001869")
    assert normalise_record(other).review_number is None
    assert "year" in hard_conflicts(normalise_record(a), normalise_record(other))


def test_a_series_name_written_into_the_volume_field_is_the_same_volume() -> None:
    # One export writes "Current Topics in Behavioral Neurosciences. 4", the other "4".
    base = dict(doi=None, pmid=None, title="Preface", authors=("Swerdlow, N. R.",), year=2010, pages="v-vii",
                issue=None)
    a = pubmed(journal=None, journal_iso=None, volume="4", **base)
    b = embase(journal="Behavioral Neurobiology of Schizophrenia and Its Treatment",
               volume="Current Topics in Behavioral Neurosciences. 4", **base)
    assert pair(a, b).decision == "merge"
    # Another volume of the series is another preface.
    c = b.replace(volume="Current Topics in Behavioral Neurosciences. 5")
    assert pair(a, c).decision != "merge"


def test_a_supplement_number_in_the_volume_field_of_a_one_page_abstract_is_no_volume_conflict() -> None:
    base = dict(doi=None, pmid=None, title="Neuromapping of endophenotypes in affective disorders: a twin study",
                journal="Bipolar Disorders", year=2015, issue=None, pages="101")
    a = pubmed(volume="17", **base)
    b = embase(volume="1", **base)
    assert pair(a, b).decision == "merge"
    # Page ranges (a paper) or a large second number are other volumes.
    assert "volume" in pair(a.replace(pages="101-108"), b.replace(pages="101-108")).evidence["conflicts"]
    assert "volume" in pair(a, b.replace(volume="16")).evidence["conflicts"]


def test_a_retraction_or_comment_copying_the_abstract_is_never_merged_into_the_article() -> None:
    # A retraction notice must stay visible to the reviewer, whatever it copies.
    article = pubmed(abstract=ABSTRACT)
    for title in ("Retraction notice to: " + TITLE, "Comment on: " + TITLE):
        notice = embase(title=title, abstract=ABSTRACT, doi="10.1016/j.pain.2013.01.001", year=2012,
                        volume="153", issue="1", pages="1")
        d = pair(article, notice)
        assert d.decision == "apart" and "kind" in d.evidence["conflicts"], title
