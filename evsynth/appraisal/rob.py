"""Risk of bias: per-domain judgements read from ``extracted/rob.csv``, validated, summarised.

One row per study × domain (``study_id, tool, domain, judgement, support, source, location``).
Tools and their domains follow the published instruments: RoB 2 (randomised trials; the
crossover domain S included), ROBINS-I (non-randomised studies of interventions), the NIH
quality assessment tool for before-after studies with no control group, and the JBI critical
appraisal checklists for case series and case reports. Every judgement names where it is stated
(``source``, ``location``), as every value of ``extracted/`` does. A study with no rows is
"not assessed": nothing is inferred for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import InputError, InputErrors
from ._table import read_rows

__all__ = ["TOOLS", "RobTool", "RobJudgement", "RobTable", "RobExclusion", "NOT_ASSESSED", "ROB_COLUMNS", "load_rob",
           "exclude_high_risk"]

ROB_COLUMNS = ("study_id", "tool", "domain", "judgement", "support", "source", "location")
NOT_ASSESSED = "not assessed"

#: Severity of a judgement on a common scale, for colours and the high-risk sensitivity analysis:
#: 0 low, 1 some concerns / moderate, 2 high / serious, 3 critical, None no information.
_ROB2 = {"low": 0, "some concerns": 1, "high": 2}
_ROBINS = {"low": 0, "moderate": 1, "serious": 2, "critical": 3, "no information": None}
_CHECK = {"yes": 0, "unclear": 1, "no": 2, "not applicable": None}
_NIH = {"yes": 0, "cannot determine": 1, "not reported": 1, "no": 2, "not applicable": None}
_NIH_OVERALL = {"good": 0, "fair": 1, "poor": 2}
_CHECK_OVERALL = {"low": 0, "some concerns": 1, "high": 2}


@dataclass(frozen=True)
class RobTool:
    """An appraisal instrument: its domains (id → name), judgements per domain and for ``overall``."""

    name: str
    designs: str
    domains: dict[str, str]
    judgements: dict[str, int | None]
    overall: dict[str, int | None]
    reference: str


TOOLS: dict[str, RobTool] = {
    "RoB 2": RobTool(
        "RoB 2", "randomised trials (parallel; crossover with domain S)",
        {"D1": "Randomisation process", "DS": "Period and carryover effects (crossover)",
         "D2": "Deviations from intended interventions", "D3": "Missing outcome data",
         "D4": "Measurement of the outcome", "D5": "Selection of the reported result"},
        _ROB2, _ROB2, "Sterne JAC et al. BMJ 2019;366:l4898"),
    "ROBINS-I": RobTool(
        "ROBINS-I", "non-randomised studies of interventions",
        {"D1": "Confounding", "D2": "Selection of participants", "D3": "Classification of interventions",
         "D4": "Deviations from intended interventions", "D5": "Missing data", "D6": "Measurement of outcomes",
         "D7": "Selection of the reported result"},
        _ROBINS, _ROBINS, "Sterne JAC et al. BMJ 2016;355:i4919"),
    "NIH before-after": RobTool(
        "NIH before-after", "before-after (pre-post) studies with no control group",
        {f"Q{i}": f"Item {i}" for i in range(1, 13)}, _NIH, _NIH_OVERALL,
        "NIH NHLBI Quality Assessment Tool for Before-After (Pre-Post) Studies With No Control Group"),
    "JBI case series": RobTool(
        "JBI case series", "case series",
        {f"Q{i}": f"Item {i}" for i in range(1, 11)}, _CHECK, _CHECK_OVERALL,
        "Munn Z et al. JBI Evid Synth 2020;18(10):2127-2133"),
    "JBI case report": RobTool(
        "JBI case report", "case reports",
        {f"Q{i}": f"Item {i}" for i in range(1, 9)}, _CHECK, _CHECK_OVERALL,
        "Moola S et al. JBI Manual for Evidence Synthesis 2020, chapter 7"),
}


@dataclass(frozen=True)
class RobJudgement:
    """One judgement (a row of ``rob.csv``); ``severity`` on the common 0–3 scale (None: no information)."""

    study_id: str
    tool: str
    domain: str
    judgement: str
    support: str
    source: str
    location: str
    line: int

    @property
    def severity(self) -> int | None:
        tool = TOOLS[self.tool]
        return (tool.overall if self.domain == "overall" else tool.judgements)[self.judgement]


@dataclass(frozen=True)
class RobTable:
    """The validated risk-of-bias table of a review."""

    judgements: tuple[RobJudgement, ...]
    path: str | None = None

    @property
    def assessed(self) -> tuple[str, ...]:
        """Study ids with at least one judgement, in table order."""
        return tuple(dict.fromkeys(j.study_id for j in self.judgements))

    def of(self, study_id: str) -> tuple[RobJudgement, ...]:
        """The judgements of one study."""
        return tuple(j for j in self.judgements if j.study_id == study_id)

    def tool_of(self, study_id: str) -> str | None:
        """The tool a study was assessed with (None: not assessed)."""
        return next((j.tool for j in self.judgements if j.study_id == study_id), None)

    def overall(self, study_id: str) -> str:
        """The study's overall judgement as stated, or :data:`NOT_ASSESSED`.

        A study assessed by domain without an ``overall`` row gets "not stated" (the worst domain is
        not taken as the overall judgement: the tools leave that to the assessor).
        """
        rows = self.of(study_id)
        if not rows:
            return NOT_ASSESSED
        return next((j.judgement for j in rows if j.domain == "overall"), "overall not stated")

    def overall_severity(self, study_id: str) -> int | None:
        j = next((j for j in self.of(study_id) if j.domain == "overall"), None)
        return None if j is None else j.severity

    def high_risk(self, study_ids: Iterable[str]) -> tuple[str, ...]:
        """Of ``study_ids``, those whose stated overall judgement is high (RoB 2 "high", ROBINS-I "serious" or
        "critical", checklists "high", NIH "poor")."""
        return tuple(s for s in study_ids if (self.overall_severity(s) or 0) >= 2)

    def summary(self, studies: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        """One row per (study_id, label): tool, overall judgement or "not assessed", per-domain judgements."""
        out = []
        for sid, label in studies:
            rows = self.of(sid)
            out.append({"study_id": sid, "label": label, "tool": self.tool_of(sid), "overall": self.overall(sid),
                        "domains": {j.domain: j.judgement for j in rows if j.domain != "overall"},
                        "sources": sorted({f"{j.source} ({j.location})" for j in rows})})
        return out


def load_rob(path: str | Path, study_ids: Sequence[str] | None = None) -> RobTable:
    """Read and validate ``rob.csv``; a missing file is an empty table (nothing assessed).

    Parameters
    ----------
    path : path
        The CSV (``extracted/rob.csv``).
    study_ids : sequence of str, optional
        Known studies (``studies.csv``); a judgement for any other study is an error.

    Raises
    ------
    InputErrors
        Every problem, each naming file, line and column: unknown tool, a domain or judgement the
        tool does not have, a study assessed with two tools, the same domain twice, an empty
        ``support``, ``source`` or ``location``, an unknown study.
    """
    path = Path(path)
    errors: list[InputError] = []
    rows = read_rows(path, ROB_COLUMNS, ROB_COLUMNS, errors)
    known = None if study_ids is None else set(study_ids)
    out: list[RobJudgement] = []
    seen: dict[tuple[str, str, str], int] = {}
    tool_of: dict[str, tuple[str, int]] = {}
    for line, row in rows:
        bad = False

        def err(msg: str, field: str) -> None:
            nonlocal bad
            bad = True
            errors.append(InputError(msg, path=path, line=line, field=field))

        sid, tname, dom, judg = row.get("study_id", ""), row.get("tool", ""), row.get("domain", ""), \
            row.get("judgement", "").lower()
        if not sid:
            err("empty study_id", "study_id")
        elif known is not None and sid not in known:
            err(f"unknown study {sid!r} (not in studies.csv)", "study_id")
        tool = TOOLS.get(tname)
        if tool is None:
            err(f"tool {tname!r} is not one of: {', '.join(TOOLS)}", "tool")
        else:
            if dom != "overall" and dom not in tool.domains:
                err(f"domain {dom!r} is not a domain of {tname} ({', '.join(tool.domains)}, overall)", "domain")
            allowed = tool.overall if dom == "overall" else tool.judgements
            if judg not in allowed:
                err(f"judgement {row.get('judgement', '')!r} is not one of {tname}'s "
                    f"{'overall ' if dom == 'overall' else ''}judgements ({', '.join(allowed)})", "judgement")
            if sid in tool_of and tool_of[sid][0] != tname:
                err(f"{sid} is assessed with {tool_of[sid][0]} on line {tool_of[sid][1]}; one tool per study",
                    "tool")
            tool_of.setdefault(sid, (tname, line))
        for col in ("support", "source", "location"):
            if not row.get(col):
                err(f"empty {col}: every judgement names its support and where a source states it", col)
        if (sid, tname, dom) in seen:
            err(f"{sid} {dom} already judged on line {seen[(sid, tname, dom)]}", "domain")
        seen.setdefault((sid, tname, dom), line)
        if not bad:
            out.append(RobJudgement(sid, tname, dom, judg, row["support"], row["source"], row["location"], line))
    if errors:
        raise InputErrors(errors)
    return RobTable(tuple(out), str(path))


@dataclass(frozen=True)
class RobExclusion:
    """Which studies a declared "exclude high risk of bias" sensitivity analysis keeps and drops.

    ``runnable`` is False (with the reason in ``note``) when no study of the analysis has a stated
    overall judgement, when none is at high risk (the analysis would repeat the main one), or when
    fewer than two studies would remain.
    """

    keep: tuple[int, ...]
    excluded: tuple[str, ...]
    not_assessed: tuple[str, ...]
    runnable: bool
    note: str


def exclude_high_risk(table: RobTable, study_ids: Sequence[str]) -> RobExclusion:
    """Indices of ``study_ids`` to keep when studies at high overall risk of bias are left out."""
    ids = list(study_ids)
    high = set(table.high_risk(ids))
    unrated = tuple(s for s in ids if table.overall_severity(s) is None)
    keep = tuple(i for i, s in enumerate(ids) if s not in high)
    if len(unrated) == len(ids):
        note = "not done: no study in this analysis has an overall risk-of-bias judgement (not assessed)"
        return RobExclusion(tuple(range(len(ids))), (), unrated, False, note)
    if not high:
        note = "not needed: no study in this analysis is at high overall risk of bias"
        return RobExclusion(keep, (), unrated, False, note)
    if len(keep) < 2:
        note = f"not done: only {len(keep)} study would remain after excluding {len(high)} at high risk"
        return RobExclusion(keep, tuple(s for s in ids if s in high), unrated, False, note)
    note = (f"excludes {len(high)} at high overall risk of bias"
            + (f"; {len(unrated)} without an overall judgement kept" if unrated else ""))
    return RobExclusion(keep, tuple(s for s in ids if s in high), unrated, True, note)
