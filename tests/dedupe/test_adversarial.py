"""Pairs a careful reviewer keeps apart, built against the rules that merge across conflicts.

Each test takes one of the exceptions to a hard conflict (one text indexed twice,
a number pinned by the citation, a column name before a title, ...) and gives it
the records real exports produce for two *different* items that look like one:
a retraction notice that copies the article's abstract, a Cochrane review's
"WITHDRAWN" version, two abstracts of one supplement that carry the supplement's
whole page range, the two parts of a series in an online journal that numbers
each article from page 1, a protocol published in the journal of its review.
A false merge here drops a study (or hides its retraction) from a review.
"""

from __future__ import annotations

from evsynth.dedupe import find_duplicates
from evsynth.dedupe.normalise import normalise_record
from evsynth.dedupe.score import decide
from evsynth.models import Record

TITLE = "Supervised graded aerobic exercise for chronic widespread pain: a multicentre randomised controlled trial"
AUTHORS = ("Larsen, K. M.", "Okafor, C.", "Brennan, D. J.", "Sato, H.")
ABSTRACT = ("BACKGROUND: Chronic widespread pain is common and disabling. We tested whether a six-week "
            "programme of supervised graded aerobic exercise reduces pain intensity compared with usual care. "
            "METHODS: In this multicentre randomised controlled trial, 212 adults were allocated to exercise or "
            "usual care; the primary outcome was pain intensity on a 0-10 numerical rating scale at 12 weeks. "
            "RESULTS: Pain fell by 1.4 points more with exercise (95% CI 0.8 to 2.0). CONCLUSIONS: Supervised "
            "exercise reduces pain in chronic widespread pain.")


def article(**kw: object) -> Record:
    base = dict(source="ris", source_id="E1", title=TITLE, authors=AUTHORS, journal="Journal of Pain Research",
                year=2019, volume="12", issue="4", pages="1021-1030", doi="10.2147/JPR.S190001", abstract=ABSTRACT)
    base.update(kw)
    return Record(**base)  # type: ignore[arg-type]


def pair(a: Record, b: Record):
    return decide(normalise_record(a), normalise_record(b))


def merged(a: Record, b: Record) -> bool:
    return bool(find_duplicates([a, b]).links)


# -- one text indexed twice (conflicts.same_text) -----------------------------
def test_a_retraction_notice_that_copies_the_abstract_is_never_merged_away() -> None:
    # Embase and Scopus copy the retracted article's abstract into the notice's record.
    for lead in ("Retraction notice to: ", "Retraction: ", "Notice of retraction: "):
        notice = article(title=lead + TITLE, source_id="N1", doi="10.2147/JPR.S250002", year=2020,
                         volume="13", issue="2", pages="455")
        d = pair(article(), notice)
        assert d.decision == "apart" and "kind" in d.evidence["conflicts"], lead
        assert not merged(article(), notice), lead
    # Without a DOI, in the same volume: still apart.
    notice = article(title="Notice of retraction: " + TITLE, source_id="N2", doi=None, issue="9", pages="2500-2501")
    assert pair(article(), notice).decision == "apart"
    # An erratum carrying the abstract is still one text with its article (the labelled sets merge it).
    erratum = article(title="Erratum to: " + TITLE, source_id="N3", doi="10.2147/JPR.S220003", issue="6",
                      pages="1800")
    assert pair(article(), erratum).rule == "same-text"


def test_a_withdrawn_cochrane_review_is_not_merged_with_the_version_it_withdraws() -> None:
    # PubMed keeps the withdrawn review's abstract; its review number is the review's own.
    abstract = ("Bell's palsy is an acute unilateral facial paralysis of unknown cause. Antiviral agents "
                "such as aciclovir and valaciclovir have been combined with corticosteroids in the hope of a "
                "better recovery. We searched the Cochrane Neuromuscular Disease Group Specialized Register, "
                "CENTRAL, MEDLINE and EMBASE for randomised trials of antivirals with or without corticosteroids.")
    authors = ("Lockhart, P.", "Daly, F.", "Pitkethly, M.", "Comerford, N.", "Sullivan, F.")
    review = Record(source="ris", source_id="C1", doi="10.1002/14651858.CD001869.pub4",
                    title="Antiviral treatment for Bell's palsy (idiopathic facial paralysis)", authors=authors,
                    journal="Cochrane Database of Systematic Reviews", year=2009, issue="4", pages="CD001869",
                    abstract=abstract)
    withdrawn = Record(source="ris", source_id="C2", doi="10.1002/14651858.CD001869.pub5",
                       title="WITHDRAWN: Antiviral treatment for Bell's palsy (idiopathic facial paralysis)",
                       authors=authors, journal="Cochrane Database of Systematic Reviews", year=2010, issue="12",
                       pages="CD001869", abstract=abstract)
    d = pair(review, withdrawn)
    assert d.decision == "apart" and d.evidence["conflicts"] == ["kind"]
    assert not merged(review, withdrawn)


# -- a number pinned by the citation (conflicts._pinned_by_citation) ----------
def meeting_abstract(title: str, **kw: object) -> Record:
    base = dict(source="ris", source_id=title[:20], title=title, authors=("Castle, P. E.", "Wheeler, C. M.",
                                                                          "Solomon, D."),
                journal="International Journal of Gynecological Cancer", year=2006, volume="16",
                issue="Suppl 1", pages="1-58", record_type="CONF")
    base.update(kw)
    return Record(**base)  # type: ignore[arg-type]


def test_abstracts_sharing_their_supplements_page_range_keep_their_numbers_apart() -> None:
    # Some exports give every abstract of a supplement the supplement's whole range.
    for one, other in (("HPV16", "HPV18"), ("type 1 diabetes", "type 2 diabetes"), ("2009 cohort", "2010 cohort")):
        title = f"Prevalence of {one} among women with ASC-US cytology in the ALTS trial"
        a = meeting_abstract(title)
        b = meeting_abstract(title.replace(one, other))
        d = pair(a, b)
        assert d.decision == "apart" and "title-numbers" in d.evidence["conflicts"], one
        # ... also when the export says neither "Suppl" nor conference.
        a, b = (meeting_abstract(t, issue=None, record_type="JOUR") for t in (title, title.replace(one, other)))
        assert pair(a, b).decision == "apart", one


def test_the_parts_of_a_series_in_an_online_journal_share_pages_1_to_n_but_not_their_part() -> None:
    # An online journal numbers each article from page 1: "1-10" twice in one issue.
    title = "Developing a core outcome set for chronic widespread pain trials: part 1, a systematic review"

    def bmc(t: str, doi: str | None) -> Record:
        return Record(source="ris", source_id=t[-30:] + str(doi), title=t,
                      authors=("Nguyen, T.", "Olsen, B.", "Fischer, A."), journal="Trials", year=2020,
                      volume="21", issue="1", pages="1-10", doi=doi)

    for dois in (("10.1186/s13063-020-04001-1", "10.1186/s13063-020-04002-2"), (None, None)):
        a, b = bmc(title, dois[0]), bmc(title.replace("part 1", "part 2"), dois[1])
        d = pair(a, b)
        assert d.decision == "apart" and "title-numbers" in d.evidence["conflicts"], dois


def test_a_companion_paper_given_the_main_papers_abstract_is_not_one_text() -> None:
    # A database attached the trial's abstract to its companion papers: their titles add words
    # naming another paper, and two articles (no notice) need the same title to be one text.
    for extra in (": cost-effectiveness analysis", ". II. Twelve-month follow-up"):
        companion = article(title=TITLE + extra, source_id="P2", pages="1031-1040", doi="10.2147/JPR.S190002")
        d = pair(article(), companion)
        assert d.decision == "apart" and {"doi", "pages"} <= set(d.evidence["conflicts"]), extra
    # The same abstract under an invited commentary's title (not recognised as a comment).
    commentary = article(title="Invited commentary: " + TITLE, source_id="P3", pages="1041-1042",
                         doi="10.2147/JPR.S190003")
    assert pair(article(), commentary).decision == "apart"


# -- a title after a lead-in (score._lead_in) ---------------------------------
def test_a_lead_in_naming_another_item_never_merges_the_item_with_its_article() -> None:
    # Campbell Systematic Reviews titles its protocols "PROTOCOL: <review title>": same
    # authors and journal; without DOIs or pages and in one year nothing else tells them apart.
    title = ("Effects of school based physical activity interventions on academic achievement in "
             "children and adolescents: a systematic review")

    def campbell(t: str) -> Record:
        return Record(source="ris", source_id=t[:12], title=t, authors=("Kowalski, M.", "Lindqvist, E.", "Haddad, R."),
                      journal="Campbell Systematic Reviews", year=2021)

    review = campbell(title)
    for lead in ("PROTOCOL: ", "Study protocol: ", "Correspondence: ", "Highlights from: ", "Journal club: ",
                 "Authors' rejoinder: ", "Oral presentation: "):
        d = pair(review, campbell(lead + title))
        assert d.decision != "merge", (lead, d.rule)
        assert d.decision == "apart" or d.rule in ("lead-in-names-another-item", "similar-title"), (lead, d.rule)
    # A magazine's column name before the whole title still merges (same authors, journal, year).
    how = campbell("How I did it ... " + title)
    assert pair(review, how).decision == "merge"


# -- versions of one Cochrane review (cochrane.py) ----------------------------
def test_a_cochrane_protocol_merged_with_its_review_is_never_the_record_kept() -> None:
    # The labelled sets count a protocol as a version of its review (same review number),
    # so they merge; but a reviewer screening the protocol would exclude the review with it.
    title = "Laparoscopic surgical box model training for surgical trainees with no prior laparoscopic experience"
    authors = ("Nagendran, M.", "Toon, C. D.", "Davidson, B. R.", "Gurusamy, K. S.")
    protocol = Record(source="ris", source_id="P", doi="10.1002/14651858.CD010479", title=title, authors=authors,
                      journal="Cochrane Database of Systematic Reviews", year=2013, issue="2", pages="CD010479",
                      abstract="This is a protocol for a Cochrane Review (Intervention). The objectives are as "
                               "follows: to compare the benefits and harms of box model training.",
                      keywords=("education",), language="eng", issn="1469-493X")
    review = Record(source="ris", source_id="R", doi="10.1002/14651858.CD010479.pub2", title=title, authors=authors,
                    journal="Cochrane Database of Systematic Reviews", year=2014, issue="1", pages="CD010479")
    result = find_duplicates([protocol, review])  # the protocol is the more complete record
    (link,) = result.links
    assert (link.record_index, link.kept_index) == (0, 1)
    # ... and the review is not given the protocol's abstract.
    assert all("abstract" not in fills for _, fills in result.filled)


def test_an_expression_of_concern_copying_the_abstract_stays_apart_like_a_retraction() -> None:
    # A warning about the article, not a correction of it: a review must see it.
    for title, types in (("Expression of concern: " + TITLE, ()), (TITLE, ("Expression of Concern",))):
        notice = article(title=title, publication_types=types, source_id="EOC", doi="10.2147/JPR.S260004",
                         year=2020, volume="13", issue="1", pages="99")
        assert normalise_record(notice).kind == "retraction"
        d = pair(article(), notice)
        assert d.decision == "apart" and "kind" in d.evidence["conflicts"], title


def test_one_page_range_in_two_issues_pins_no_title_number() -> None:
    # A journal paginating each issue anew: "2009" and "2010" reports of one group, both 45-52.
    def report(year_word: str, issue: str) -> Record:
        return Record(source="ris", source_id=year_word + issue, title=f"Outcomes of the {year_word} screening "
                      "round of the regional diabetic retinopathy programme", authors=("Berg, L.", "Moreau, J."),
                      journal="Tidsskrift for Oejenlaeger", year=2011, volume="8", issue=issue, pages="45-52")

    d = pair(report("2009", "1"), report("2010", "3"))
    assert d.decision == "apart" and "title-numbers" in d.evidence["conflicts"]
    # In one issue, the range pins the article: the number is a typo.
    assert pair(report("2009", "1"), report("2010", "1")).decision == "merge"


def test_an_erratum_merged_with_its_article_as_one_text_is_never_the_record_kept() -> None:
    # PubMed's record of the erratum would be kept before Embase's of the article: a reviewer
    # screening "Erratum: ..." would exclude the study with it.
    embase_article = article(source_id="A")
    pubmed_erratum = article(source="pubmed", source_id="31234567", pmid="31234567", title="Erratum: " + TITLE,
                             issue="6", pages="1800", doi="10.2147/JPR.S220003")
    (link,) = find_duplicates([embase_article, pubmed_erratum]).links
    assert link.rule == "same-text" and (link.record_index, link.kept_index) == (1, 0)


def test_two_abstracts_of_an_issues_abstract_section_given_its_range_are_two_items() -> None:
    # An issue's abstract section (pages 201-224, no "Suppl") given to each of its abstracts:
    # the PHOENIX 1 and PHOENIX 2 abstracts of one group differ in their number and their text.
    def phoenix(n: int, text: str) -> Record:
        return Record(source="ris", source_id=f"PH{n}", title=f"Efficacy and safety of ustekinumab in moderate to "
                      f"severe psoriasis: 76-week results from the PHOENIX {n} trial",
                      authors=("Leonardi, C. L.", "Kimball, A. B.", "Papp, K. A."), journal="Journal of the American "
                      "Academy of Dermatology", year=2008, volume="58", issue="2", pages="201-224", abstract=text)

    one = phoenix(1, "In PHOENIX 1, 766 patients were randomised to ustekinumab 45 mg or 90 mg or placebo; at "
                     "week 12, 67.1% and 66.4% reached PASI 75, against 3.1% on placebo. " * 3)
    two = phoenix(2, "In PHOENIX 2, 1230 patients were randomised; partial responders were intensified to dosing "
                     "every 8 weeks, and PASI 75 at week 12 was 66.7% and 75.7%, against 3.7% on placebo. " * 3)
    d = pair(one, two)
    assert d.decision == "apart" and "title-numbers" in d.evidence["conflicts"]


def test_replies_and_notices_known_by_their_punctuation_are_not_articles() -> None:
    # NEJM and Lancet put the reply after the title it answers; BMJ letters open with "Re:".
    labelled = {
        "Esketamine for treatment-resistant depression. Reply.": "reply",
        "Esketamine for treatment-resistant depression - Authors' reply": "reply",
        "Esketamine for treatment-resistant depression \u2014 Authors' reply": "reply",
        "Author response: esketamine for treatment-resistant depression": "reply",
        "Re: Esketamine for treatment-resistant depression": "comment",
        "Correspondence: esketamine for treatment-resistant depression": "comment",
        "Withdrawal: esketamine for treatment-resistant depression": "retraction",
        "Addendum: esketamine for treatment-resistant depression": "erratum",
        "Invited commentary: esketamine for treatment-resistant depression": "comment",
        "Editorial commentary: esketamine for treatment-resistant depression": "comment",
        # ... and the same words as an article's own title stay an article.
        "Alcohol intake and breast cancer: dose-response": "article",
        "Re-evaluation of esketamine for treatment-resistant depression": "article",
        "Withdrawal of antidepressants after remission": "article",
        "Correspondence analysis of depressive symptoms": "article",
        "Predictors of response to esketamine": "article",
    }
    for title, kind in labelled.items():
        assert normalise_record(Record(source="ris", source_id="k", title=title)).kind == kind, title
    # A reply by the article's own authors, in its journal and year, with neither DOI nor pages.
    nejm = dict(authors=("Popova, V.", "Daly, E. J.", "Trivedi, M."), journal="New England Journal of Medicine",
                year=2019, volume="381")
    paper = Record(source="ris", source_id="p", title="Efficacy and safety of flexibly dosed esketamine nasal spray "
                   "combined with a newly initiated oral antidepressant in treatment-resistant depression", **nejm)
    reply = Record(source="ris", source_id="r", title=paper.title + ". Reply.", **nejm)
    d = pair(paper, reply)
    assert d.decision == "apart" and d.evidence["conflicts"] == ["kind"]


def test_a_trials_protocol_pilot_or_follow_up_is_not_merged_with_its_results_on_the_title() -> None:
    # Trials / BMJ Open publish a trial's protocol and its results: same authors, journal and
    # volume (one year), and without DOIs or pages only the title's report words differ.
    core = "Mindfulness-based cognitive therapy versus usual care for recurrent depression in primary care"

    def trials(title: str, **kw: object) -> Record:
        base = dict(source="ris", source_id=title[-40:], title=title, authors=("Okonkwo, E.", "Marsh, T.", "Vidal, R."),
                    journal="Trials", year=2020, volume="21")
        base.update(kw)
        return Record(**base)  # type: ignore[arg-type]

    results = trials(core + ": a randomised controlled trial")
    for other in (": study protocol for a randomised controlled trial", ": a randomised controlled trial protocol",
                  ": a pilot randomised controlled trial", ": a randomised controlled trial. Two-year follow-up"):
        d = pair(results, trials(core + other))
        assert d.decision == "review" and d.rule == "report-differs", (other, d.rule)
    # One DOI, or one volume and first page, still pins one paper whose title a database shortened.
    protocol = trials(core + ": study protocol for a randomised controlled trial", doi="10.1186/s13063-020-4100-1")
    assert pair(protocol.replace(source_id="x", title=core), protocol).decision == "merge"


# -- a supplement's number as the volume (conflicts._supplement_as_volume) ----
def test_a_new_journals_small_volumes_a_year_apart_are_two_volumes() -> None:
    # A young journal's volumes 3 and 4: the same annual meeting abstract on page 101 in two
    # years is two meetings' abstracts, whatever the volume numbers' size.
    def abstract(volume: str, year: int) -> Record:
        return Record(source="ris", source_id=volume, title="Burnout among emergency physicians in a regional "
                      "health system: a cross-sectional survey", authors=("Ahmed, S.", "Novak, P."),
                      journal="Journal of Emergency Medicine Open", year=year, volume=volume, pages="101")

    d = pair(abstract("3", 2021), abstract("4", 2022))
    assert d.decision == "apart" and "volume" in d.evidence["conflicts"]
