"""A PRISMA diagram that adds up, as a new user meets it: one search of 1,234 records, two imports,
12 unresolved title/abstract conflicts; and the template for updated reviews; and record-study links."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from evsynth.errors import InputError
from evsynth.models import Record
from evsynth.plots import prisma_diagram, save_figure
from evsynth.screening import link_studies, prisma_counts
from evsynth.store import Store


def _text(fig, name):
    found = fig.findobj(lambda a: a.get_gid() == f"text:{name}")
    return " ".join(found[0].get_text().split()) if found else None  # wrapping aside


def _recs(n, source, start=0):
    return [Record(source=source, source_id=f"{source}-{i}", pmid=str(500000 + i) if source == "pubmed" else None,
                   title=f"Record {source} {i}", year=2000 + i % 20) for i in range(start, start + n)]


@pytest.fixture()
def scenario(tmp_path: Path):
    store = Store(tmp_path / "s.sqlite")
    run = store.start_search_run("pubmed", "x[tiab]", query_name="main")
    pub = store.store_fetched(run, _recs(1234, "pubmed"))
    _, emb = store.add_import("embase.ris", "0" * 64, "ris", _recs(8, "ris"), database_name="Embase")
    _, psy = store.add_import("psycinfo.ris", "1" * 64, "ris", _recs(4, "ris2"), database_name="PsycINFO")
    everyone = pub + emb + psy
    conflicts = everyone[:12]
    decided = everyone[12:]
    dec = [{"record_id": r, "stage": "title-abstract", "decision": "include", "reviewer": "a"} for r in conflicts]
    dec += [{"record_id": r, "stage": "title-abstract", "decision": "exclude", "reviewer": "b"} for r in conflicts]
    for i, r in enumerate(decided):
        for who in ("a", "b"):
            dec.append({"record_id": r, "stage": "title-abstract", "decision": "include" if i < 5 else "exclude",
                        "reviewer": who})
    store.add_decisions(dec)
    ft = [("include", None), ("include", None), ("exclude", "wrong design"), ("exclude", "not retrieved")]
    store.add_decisions({"record_id": decided[i], "stage": "full-text", "decision": d, "reason": why,
                         "reviewer": "consensus"} for i, (d, why) in enumerate(ft))
    yield store, pub, decided
    store.close()


def test_every_box_follows_from_the_one_above(scenario):
    store, _pub, _decided = scenario
    c = prisma_counts(store)
    assert c.total_identified == 1246 and c.identified == {"PubMed": 1234, "Embase": 8, "PsycINFO": 4}
    assert c.removed == 0
    assert c.screened == 1246 and c.conflicts_screening == 12 and c.not_screened == 0
    assert c.excluded_screening == 1246 - 12 - 5
    assert c.sought == 5 and c.not_retrieved == 1 and c.not_assessed == 1 and c.assessed == 3
    assert c.included_reports == 2 and c.excluded_fulltext == {"wrong design": 1}
    assert c.problems() == [] and all(ok for _, ok in c.arithmetic())
    fig = prisma_diagram(c)
    assert _text(fig, "screened") == "Records screened (n = 1246)"
    pending = _text(fig, "pending")
    assert pending.startswith("Records without a title/abstract decision (n = 12)")
    assert "unresolved reviewer conflicts (n = 12)" in pending and "not yet screened" not in pending
    assert "not yet assessed (n = 1)" in _text(fig, "pending_fulltext")
    assert _text(fig, "sought") == "Reports sought for retrieval (n = 5)"


def test_counts_that_do_not_add_up_are_shown_or_block(scenario, tmp_path):
    store, *_ = scenario
    bad = dataclasses.replace(prisma_counts(store), screened=1234)
    assert len(bad.problems()) == 2 and "1246" in bad.problems()[0]
    with pytest.raises(InputError, match="do not add up"):
        prisma_diagram(bad, strict=True)
    fig = prisma_diagram(bad)
    assert fig.findobj(lambda a: a.get_gid() == "problems")


def test_update_template_previous_beside_new(scenario, tmp_path):
    store, *_ = scenario
    c = dataclasses.replace(prisma_counts(store), previous_studies=7, previous_reports=7,
                            previous_note="as the previous version reports")
    assert c.total_studies == 7 + c.included_studies
    fig = prisma_diagram(c, title="Update")
    assert "Studies included in previous version of review (n = 7)" in _text(fig, "previous")
    assert _text(fig, "included").startswith(f"New studies included in review (n = {c.included_studies})")
    assert _text(fig, "total") == f"Total studies included in review (n = {7 + c.included_studies})"
    save_figure(fig, tmp_path / "prisma_update", ["png"])


def test_records_linked_to_studies(scenario):
    store, pub, decided = scenario
    included = [r for r in decided[:2]]
    pmid_of = dict(store.execute("SELECT id, pmid FROM records").fetchall())

    @dataclasses.dataclass
    class S:
        study_id: str
        status: str = "completed"
        record_ids: str | None = None
        pmid: str | None = None
        doi: str | None = None
        nct_id: str | None = None

    studies = [S("one", pmid=pmid_of[included[0]]), S("lost", pmid="1"), S("trial", status="recruiting")]
    links = link_studies(store, studies)
    assert links.study_of == {included[0]: "one"}
    assert [rid for rid, _ in links.included_without_study] == [included[1]]
    assert links.studies_without_record == ("lost",)
    msgs = links.messages({"lost": "Lost 1999"})
    assert "1 included record(s) without an extracted study" in msgs[0] and "Lost 1999" in msgs[1]
    # a study can also claim a record by the id the store shows
    shown = store.execute("SELECT source_id FROM records WHERE id = ?", (included[1],)).fetchone()[0]
    again = link_studies(store, [S("one", pmid=pmid_of[included[0]]), S("two", record_ids=shown)])
    assert again.included_without_study == () and again.records_of["two"] == (included[1],)
    assert prisma_counts(store, study_of=again.study_of).included_studies == 2


def test_cli_prisma_strict_passes_on_counts_from_a_store(scenario, tmp_path):
    from typer.testing import CliRunner

    from evsynth.cli import app

    store, *_ = scenario
    store.close()
    result = CliRunner().invoke(app, ["prisma", "--store", str(tmp_path / "s.sqlite"), "--strict",
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "do not add up" not in result.output and (tmp_path / "out" / "prisma.png").exists()


def test_conflict_counted_once_store_and_cli(tmp_path):
    """29 identified, 6 duplicates, reviewer a includes record 1 and b excludes it: the 23 records
    for screening are 3 screened (1 with a conflict) + 20 not yet screened, never 3 + 21."""
    from typer.testing import CliRunner

    from evsynth.cli import app

    store = Store(tmp_path / "s.sqlite")
    run = store.start_search_run("pubmed", "x[tiab]", query_name="main")
    ids = store.store_fetched(run, _recs(29, "pubmed"))
    store.mark_duplicates([{"record_id": ids[23 + i], "duplicate_of": ids[i], "rule": "manual"} for i in range(6)])
    store.add_decisions([
        {"record_id": ids[0], "stage": "title-abstract", "decision": "include", "reviewer": "a"},
        {"record_id": ids[0], "stage": "title-abstract", "decision": "exclude", "reviewer": "b"},
        {"record_id": ids[1], "stage": "title-abstract", "decision": "include", "reviewer": "a"},
        {"record_id": ids[2], "stage": "title-abstract", "decision": "exclude", "reviewer": "a"}])
    c = prisma_counts(store)
    store.close()
    assert (c.total_identified, c.removed, c.screened, c.not_screened, c.conflicts_screening) == (29, 6, 3, 20, 1)
    assert c.problems() == []
    fig = prisma_diagram(c)
    assert _text(fig, "not_screened").startswith("Records not yet screened (n = 20)")
    pending = _text(fig, "pending")
    assert pending.startswith("Records without a title/abstract decision (n = 1)") and "not yet screened" not in pending
    # every number drawn in the screening row and the box beside the arrow into it adds up to 29 − 6
    drawn = [int(n) for name in ("not_screened", "screened")
             for n in __import__("re").findall(r"\(n = (\d+)\)", _text(fig, name))[:1]]
    assert sum(drawn) == 29 - 6
    # a pending total that counts the conflict again is caught
    bad = dataclasses.replace(c, awaiting_screening=c.conflicts_screening + c.not_screened + 1)
    assert any("without a title/abstract decision" in p for p in bad.problems())
    result = CliRunner().invoke(app, ["prisma", "--store", str(tmp_path / "s.sqlite"), "--strict",
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "do not add up" not in result.output
