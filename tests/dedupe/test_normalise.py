"""Each normalisation of evsynth.dedupe.normalise, on forms real exports use."""

from __future__ import annotations

import pytest

from evsynth.dedupe.normalise import (
    journal_match,
    journal_variants,
    normalise_authors,
    normalise_doi,
    normalise_journal,
    normalise_pages,
    normalise_record,
    normalise_title,
    normalise_volume,
    normalise_year,
    page_starts,
    parse_author,
    record_kind,
    split_author_string,
    title_numbers,
    volume_numbers,
)
from evsynth.models import Record


@pytest.mark.parametrize(
    "raw",
    [
        "10.1097/MOL.0b013e3282ffaf82",
        "https://doi.org/10.1097/MOL.0b013e3282ffaf82",
        "http://dx.doi.org/10.1097/mol.0b013e3282ffaf82",
        "doi:10.1097/MOL.0B013E3282FFAF82",
        "DOI: 10.1097/MOL.0b013e3282ffaf82.",
        "https://doi.org/10.1097%2FMOL.0b013e3282ffaf82",
        "10.1097/MOL.0b013e3282ffaf82 [doi]",
    ],
)
def test_doi_forms(raw: str) -> None:
    assert normalise_doi(raw) == "10.1097/mol.0b013e3282ffaf82"


def test_doi_escaped_parentheses_and_missing() -> None:
    assert normalise_doi("10.1016/S0735-1097%2810%2961089-3") == "10.1016/s0735-1097(10)61089-3"
    assert normalise_doi("not a doi") is None
    assert normalise_doi(None) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SGLT2 inhibition reduces atherosclerosis in Ldlr<sup>-/-</sup> type 1 diabetic mice",
         "sglt2 inhibition reduces atherosclerosis in ldlr type 1 diabetic mice"),
        ("SGLT2 inhibition reduces atherosclerosis in Ldlr(-/-) type 1 diabetic mice",
         "sglt2 inhibition reduces atherosclerosis in ldlr type 1 diabetic mice"),
        ("[Comparative characteristics of in vivo models of hyperlipidemia in Wistar rats]",
         "comparative characteristics of in vivo models of hyperlipidemia in wistar rats"),
        ("Comparative characteristics of in vivo models of hyperlipidemia in Wistar rats. [Russian]",
         "comparative characteristics of in vivo models of hyperlipidemia in wistar rats"),
        ("[Effect of acupuncture on fibromyalgia]. [Chinese]", "effect of acupuncture on fibromyalgia"),
        ("Dépistage du cancer &amp; VPH (author's transl)", "depistage du cancer vph"),
        ("Update on the diagnosis of human papillomavirus infection. [Review] [33 refs]",
         "update on the diagnosis of human papillomavirus infection"),
        ("Dynamics of HPV16 DNA load.[Erratum appears in J Clin Virol. 2006 Oct;37(2):137]",
         "dynamics of hpv16 dna load"),
        ("A study among 10 000 women", "a study among 10000 women"),
        # MEDLINE notes holding a note of their own, or cut off by a length limit.
        ("Statins after stroke.[Erratum appears in Stroke. 2008 Mar;39(3):e62 Note: Amarenco, P [added]]",
         "statins after stroke"),
        ("Statins after stroke.[Erratum appears in Stroke. 2008 Mar;39(3):e62 Note: Amarenco, P [corre",
         "statins after stroke"),
        ("Statins after stroke.[Erratum appear", "statins after stroke"),
        ('"Statins after stroke: a randomized trial"', "statins after stroke a randomized trial"),
        # The corrected article's citation after a correction notice's title.
        ("Statins after stroke (vol 39, pg 1212, 2008)", "statins after stroke"),
        ("Statins after stroke (Stroke (2008) 39 (1212-1219))", "statins after stroke"),
        ("[Erratum", "erratum"),  # nothing but a note: kept rather than emptied
    ],
)
def test_title_forms(raw: str, expected: str) -> None:
    assert normalise_title(raw) == expected


def test_title_numbers_and_series() -> None:
    assert title_numbers(normalise_title("Clinical trials in pain. Part II: analysis")) == (("2",), True)
    assert title_numbers(normalise_title("Clinical trials in pain. Part 2: analysis")) == (("2",), True)
    assert title_numbers(normalise_title("Clinical trials in pain, part two")) == (("2",), True)
    # "p16(INK4a)" and "p16INK4a" carry the same numbers
    assert title_numbers(normalise_title("p16(INK4a) in CIN")) == title_numbers(normalise_title("p16INK4a in CIN"))
    assert title_numbers(normalise_title("Ketamine in depression")) == ((), False)


@pytest.mark.parametrize("name", ["Zhai, Q. J.", "Zhai QJ", "Q. J. Zhai", "Zhai, Qing Jun", "Zhai Q J", "ZHAI, Q.J."])
def test_author_forms(name: str) -> None:
    assert parse_author(name) == ("zhai", "qj")


def test_author_suffixes_particles_and_accents() -> None:
    assert parse_author("Wright Jr., T C") == ("wright", "tc")
    assert parse_author("Grönros, J.") == ("gronros", "j")
    assert parse_author("Jonsson-Rylander A. C.") == ("jonssonrylander", "ac")


def test_author_lists() -> None:
    assert normalise_authors("Zuna, R E and Wang, S S and Schiffman, M") == (
        ("zuna", "re"), ("wang", "ss"), ("schiffman", "m"))
    assert normalise_authors(["Zuna RE; Wang SS"]) == (("zuna", "re"), ("wang", "ss"))
    # EndNote export with the names glued together
    assert normalise_authors(("Adeli K.Lewis G. F.",)) == (("adeli", "k"), ("lewis", "gf"))
    assert split_author_string("Gan L. M.Jonsson-Rylander A. C.") == ["Gan L. M", "Jonsson-Rylander A. C"]
    assert normalise_authors(("Anonymous",)) == ()


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Curr Opin Lipidol", "Current Opinion in Lipidology", True),
        ("J Am Coll Cardiol", "Journal of the American College of Cardiology", True),
        ("Proc Natl Acad Sci U S A", "Proceedings of the National Academy of Sciences of the United States of America", True),
        ("Clinical Obstetrics & Gynecology", "Clinical Obstetrics and Gynecology", True),
        ("Cancer", "Cancer Cytopathology", False),
        ("Diabetes", "Diabetes Care", False),
        ("Diabetologia", "Diabetes", False),
        # ISO 4 drops articles, conjunctions and prepositions in any language.
        ("Enferm Infecc Microbiol Clin", "Enfermedades Infecciosas y Microbiologia Clinica", True),
        ("Rev Mal Respir", "Revue des Maladies Respiratoires", True),
        ("Ann Fr Anesth Reanim", "Annales Francaises d'Anesthesie et de Reanimation", True),
    ],
)
def test_journal_match(a: str, b: str, same: bool) -> None:
    assert journal_match(normalise_journal(a), normalise_journal(b)) is same


def test_journal_variants_cover_subtitles_and_parallel_titles() -> None:
    full = journal_variants("Cancer epidemiology, biomarkers & prevention : a publication of the AACR")
    assert any(journal_match(v, normalise_journal("Cancer Epidemiology Biomarkers and Prevention")) for v in full)
    parallel = journal_variants("International journal of cancer.Journal international du cancer")
    assert ("international", "journal", "cancer") in parallel
    conf = journal_variants("Circulation. Conference: American Heart Association's Scientific Sessions")
    assert ("circulation",) in conf
    meeting = journal_variants("Pediatric Nephrology.Conference: 45th Annual Meeting of the ESPN Krakow Poland")
    assert normalise_journal("45th Annual Meeting of the ESPN Krakow Poland") in meeting


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("73-6", ("73", "76")),
        ("1312-7", ("1312", "1317")),
        ("288--297", ("288", "297")),
        ("e001469", ("e1469", None)),
        ("A94-A95", ("a94", "a95")),
        ("A116.E1088", ("a116", "e1088")),
        ("01-Apr", ("1", "4")),  # 1-4 after a spreadsheet made it a date
        ("NA", (None, None)),
        ("106 (no pagination)", ("106", None)),
        ("P213 [abstract 1142]", ("213", None)),  # a bracketed note
        ('"1041-8, 1049-56"', ("1041", "1048")),  # several ranges: the first
        (None, (None, None)),
    ],
)
def test_pages(raw: str | None, expected: tuple[str | None, str | None]) -> None:
    assert normalise_pages(raw) == expected


def test_page_starts_of_a_field_listing_several_ranges() -> None:
    # Papers printed in two or three languages list every range.
    assert page_starts("1041-8, 1049-56") == ("1041", "1049")
    assert page_starts("233-238+246-251") == ("233", "246")
    assert page_starts("1041-1048") == ()
    assert page_starts("97-104; discussion 104-6") == ()  # a discussion is no second range


def test_volumes_and_years() -> None:
    assert normalise_volume("29 (3)") == "29"
    assert normalise_volume("Vol. 12") == "12"
    assert normalise_volume("1)") is None  # malformed: cannot be compared
    assert volume_numbers("61 SUPPL. 1") == ("61", "1")
    assert normalise_year("2008") == 2008
    assert normalise_year("Spring 2011;") == 2011
    assert normalise_year(2011) == 2011
    assert normalise_year("n.d.") is None


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Erratum: Ketamine for fibromyalgia", "erratum"),
        ("Correction to: Ketamine for fibromyalgia", "erratum"),
        ("Comment on: Ketamine for fibromyalgia", "comment"),
        ("Reply to Smith: ketamine and fibromyalgia", "reply"),
        ("Retraction notice to: ketamine and fibromyalgia", "retraction"),
        ("Ketamine for fibromyalgia: a randomised trial", "article"),
        ("Ketamine for fibromyalgia (vol 152, pg 2173, 2011)", "erratum"),
        ("Ketamine for fibromyalgia (Pain (2011) 152 (2173-2178))", "erratum"),
        ("Ketamine for fibromyalgia.[Erratum appears in Pain. 2011;152:2660 Note: Aarts, L [added]]",
         "article"),
    ],
)
def test_record_kind(title: str, kind: str) -> None:
    assert record_kind(Record(source="ris", title=title), normalise_title(title))[0] == kind


def test_venue_from_type() -> None:
    conf = Record(source="bibtex", title="x", record_type="inproceedings")
    art = Record(source="ris", title="x", record_type="JOUR")
    assert record_kind(conf, "x")[1] == "conference"
    assert record_kind(art, "x")[1] == "journal"
    assert record_kind(Record(source="csv", title="x"), "x")[1] is None


def test_normalise_record_uncomparable() -> None:
    assert not normalise_record(Record(source="csv", source_id="1", year=2001)).comparable
    assert normalise_record(Record(source="csv", source_id="2", doi="10.1000/xyz")).comparable
