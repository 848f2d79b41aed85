"""Reading ``review.toml`` and finding a project folder.

:func:`load_review` parses the file with :mod:`tomllib` and checks every key;
an error names the file, the key path (``analyses[2].measure``) and, where it
can be found, the line. :func:`find_project` finds the project as git finds its
root: ``--project DIR``, else ``EVSYNTH_PROJECT``, else the nearest folder
upwards from the working directory holding ``review.toml``.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Mapping

from .._inputs import read_input_utf8
from ..errors import InputError, NotFoundError
from .model import (
    COVARIATE_TYPES,
    Alternative,
    Analysis,
    Covariate,
    Floor,
    OisAssumptions,
    ReferenceLine,
    Review,
    ReviewRef,
    Sensitivity,
    Situate,
)

__all__ = ["REVIEW_FILE", "load_review", "find_project", "open_review", "generic_review"]

REVIEW_FILE = "review.toml"
_ESTIMATORS = ("REML", "DL", "PM", "ML", "HE", "SJ", "EB", "HS", "FE")
_TOP = {"title", "question", "pico", "updates", "vocabulary", "covariates", "analyses", "situate", "report",
        "folders", "grade"}
#: The optimal information size assumptions that are fractions (each strictly between 0 and 1).
_OIS_FRACTIONS = ("rrr", "alpha", "power", "half_width", "control_risk")


class _Ctx:
    """The file being read: its path and text, for error locations."""

    def __init__(self, path: Path | None, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, key: str) -> int | None:
        """Best-effort line of a dotted key path (``analyses[1].measure``, ``covariates.dose.type``).

        A key that is missing is located at the header of the table that should hold it.
        """
        parts = re.findall(r"[^.\[\]]+|\[\d+\]", key)
        start, header = -1, []  # start: the line of the current table's header (-1: the top level)
        for i, part in enumerate(parts):
            if part.startswith("["):
                hits = [j for j, l in enumerate(self.lines) if l.strip() == f"[[{'.'.join(header)}]]"]
                n = int(part[1:-1])
                if n < len(hits):
                    start = hits[n]
                continue
            header.append(part)
            name = ".".join(header)
            if i == len(parts) - 1:  # the key itself: searched inside the current table only
                for j in range(start + 1, len(self.lines)):
                    s = self.lines[j].strip()
                    if re.match(rf"^\"?{re.escape(part)}\"?\s*=", s) or s in (f"[{name}]", f"[[{name}]]"):
                        return j + 1
                    if s.startswith("["):
                        break
                return start + 1 if start >= 0 else None
            for j in range(max(start, 0), len(self.lines)):
                s = self.lines[j].strip()
                if s in (f"[{name}]", f"[[{name}]]") or re.match(rf"^\[+{re.escape(name)}[.\]]", s) \
                        or re.match(rf"^{re.escape(part)}\s*=", s):
                    start = j
                    break
        return start + 1 if start >= 0 else None

    def error(self, message: str, key: str) -> InputError:
        return InputError(f"{message} (review.toml key {key})", path=self.path, line=self.line_of(key), field=key)


def _table(ctx: _Ctx, value: Any, key: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ctx.error("must be a table", key)
    return value


def _str(ctx: _Ctx, value: Any, key: str, default: str = "") -> str:
    if value is None:
        return default
    if not isinstance(value, str):
        raise ctx.error(f"must be text, not {value!r}", key)
    return value.strip()


def _strs(ctx: _Ctx, value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ctx.error("must be a list of text", key)
    return tuple(value)


def _num(ctx: _Ctx, value: Any, key: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ctx.error(f"must be a number, not {value!r}", key)
    return float(value)


def _bool(ctx: _Ctx, value: Any, key: str, default: bool = False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ctx.error(f"must be true or false, not {value!r}", key)
    return value


def _unknown(ctx: _Ctx, table: Mapping[str, Any], allowed: set[str], key: str) -> None:
    for k in table:
        if k not in allowed:
            where = f"{key}.{k}" if key else k
            raise ctx.error(f"unknown key {k!r} (known: {', '.join(sorted(allowed))})", where)


def _vocab(ctx: _Ctx, value: Any, key: str) -> dict[str, str]:
    """A vocabulary: a table value → meaning, or a plain list of values."""
    if value is None:
        return {}
    if isinstance(value, list):
        return {v: "" for v in _strs(ctx, value, key)}
    table = _table(ctx, value, key)
    return {str(k): _str(ctx, v, f"{key}.{k}") for k, v in table.items()}


def _covariates(ctx: _Ctx, value: Any) -> tuple[Covariate, ...]:
    out = []
    for name, spec in _table(ctx, value, "covariates").items():
        key = f"covariates.{name}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ctx.error("a covariate name must be lower case letters, digits and _ (a CSV column)", key)
        spec = _table(ctx, spec, key)
        _unknown(ctx, spec, {"type", "label", "unit", "levels", "minimum", "exclusive_minimum", "expected", "show",
                             "description"}, key)
        kind = _str(ctx, spec.get("type"), f"{key}.type", "text")
        if kind not in COVARIATE_TYPES:
            raise ctx.error(f"type {kind!r} is not one of {', '.join(COVARIATE_TYPES)}", f"{key}.type")
        levels = _vocab(ctx, spec.get("levels"), f"{key}.levels")
        if kind == "category" and not levels:
            raise ctx.error("a category needs its levels", f"{key}.levels")
        out.append(Covariate(name, kind, _str(ctx, spec.get("label"), f"{key}.label"),
                             _str(ctx, spec.get("unit"), f"{key}.unit"), levels,
                             _num(ctx, spec.get("minimum"), f"{key}.minimum"),
                             _bool(ctx, spec.get("exclusive_minimum"), f"{key}.exclusive_minimum"),
                             _bool(ctx, spec.get("expected"), f"{key}.expected", True),
                             _bool(ctx, spec.get("show"), f"{key}.show"),
                             _str(ctx, spec.get("description"), f"{key}.description")))
    return tuple(out)


def _sensitivity(ctx: _Ctx, value: Any, key: str) -> Sensitivity:
    spec = _table(ctx, value, key)
    _unknown(ctx, spec, {"knha", "estimators", "measures", "alternatives", "exclude_derived", "leave_one_out",
                         "cumulative", "exclude_high_risk", "later_timepoint"}, key)
    estimators = tuple(e.upper() for e in _strs(ctx, spec.get("estimators"), f"{key}.estimators"))
    for e in estimators:
        if e not in _ESTIMATORS:
            raise ctx.error(f"estimator {e!r} is not one of {', '.join(_ESTIMATORS)}", f"{key}.estimators")
    alts = []
    for i, alt in enumerate(spec.get("alternatives") or []):
        akey = f"{key}.alternatives[{i}]"
        alt = _table(ctx, alt, akey)
        _unknown(ctx, alt, {"label", "where"}, akey)
        where = dict(_table(ctx, alt.get("where"), f"{akey}.where"))
        if not where:
            raise ctx.error("an alternative needs `where` (outcome fields the alternative rows have)", f"{akey}.where")
        alts.append(Alternative(_str(ctx, alt.get("label"), f"{akey}.label") or f"Alternative rows {where}", where))
    cumulative = spec.get("cumulative")
    if cumulative is not None:
        cumulative = _str(ctx, cumulative, f"{key}.cumulative")
    return Sensitivity(_bool(ctx, spec.get("knha"), f"{key}.knha"), estimators,
                       tuple(m.upper() for m in _strs(ctx, spec.get("measures"), f"{key}.measures")), tuple(alts),
                       _bool(ctx, spec.get("exclude_derived"), f"{key}.exclude_derived"),
                       _bool(ctx, spec.get("leave_one_out"), f"{key}.leave_one_out", True), cumulative or None,
                       _bool(ctx, spec.get("exclude_high_risk"), f"{key}.exclude_high_risk"),
                       _bool(ctx, spec.get("later_timepoint"), f"{key}.later_timepoint"))


def _ois(ctx: _Ctx, value: Any, key: str, base: OisAssumptions) -> OisAssumptions:
    """``[grade.ois]`` (``base``: the defaults) or ``[analyses.ois]`` (``base``: the review's): the keys given replace."""
    from dataclasses import replace

    spec = _table(ctx, value, key)
    _unknown(ctx, spec, {*_OIS_FRACTIONS, "control_risk_source"}, key)
    changes: dict[str, Any] = {}
    for name in _OIS_FRACTIONS:
        v = _num(ctx, spec.get(name), f"{key}.{name}")
        if v is None:
            continue
        if not 0 < v < 1:
            raise ctx.error(f"{name} must be a fraction strictly between 0 and 1, not {v:g}", f"{key}.{name}")
        changes[name] = v
    source = _str(ctx, spec.get("control_risk_source"), f"{key}.control_risk_source")
    if "control_risk" in changes and not source:
        raise ctx.error("a control_risk needs control_risk_source (where the value comes from)",
                        f"{key}.control_risk_source")
    if source and "control_risk" not in changes:
        raise ctx.error("control_risk_source names where control_risk comes from; set control_risk beside it",
                        f"{key}.control_risk")
    if source:
        changes["control_risk_source"] = source
    return replace(base, **changes)


_ANALYSIS_KEYS = {"id", "title", "outcome", "outcome_type", "arm", "control", "timepoint", "role", "measure", "method",
                  "knha", "level", "moderators", "subgroup", "sensitivity", "report", "summary", "effect_label",
                  "forest_title", "arm_label", "control_label", "favours", "notes", "ois"}


def _analyses(ctx: _Ctx, value: Any, covariates: tuple[Covariate, ...],
              ois: OisAssumptions = OisAssumptions()) -> tuple[Analysis, ...]:
    from ..effects._core import BINARY_MEASURES, CONTINUOUS_MEASURES, MEASURES

    if value is None:
        return ()
    if not isinstance(value, list):
        raise ctx.error("must be an array of tables ([[analyses]])", "analyses")
    names = {c.name: c for c in covariates}
    out, seen = [], set()
    for i, spec in enumerate(value):
        key = f"analyses[{i}]"
        spec = _table(ctx, spec, key)
        _unknown(ctx, spec, _ANALYSIS_KEYS, key)
        aid = _str(ctx, spec.get("id"), f"{key}.id")
        if not re.fullmatch(r"[a-z][a-z0-9_-]*", aid):
            raise ctx.error("every analysis needs an id (lower case letters, digits, _ or -)", f"{key}.id")
        if aid in seen:
            raise ctx.error(f"duplicate analysis id {aid!r}", f"{key}.id")
        seen.add(aid)
        measure = _str(ctx, spec.get("measure"), f"{key}.measure", "GEN").upper()
        if measure not in MEASURES:
            raise ctx.error(f"measure {measure!r} is not one of {', '.join(MEASURES)}", f"{key}.measure")
        method = _str(ctx, spec.get("method"), f"{key}.method", "REML").upper()
        if method not in _ESTIMATORS:
            raise ctx.error(f"method {method!r} is not one of {', '.join(_ESTIMATORS)}", f"{key}.method")
        arm = _str(ctx, spec.get("arm"), f"{key}.arm")
        control = _strs(ctx, spec.get("control"), f"{key}.control")
        if measure in BINARY_MEASURES + CONTINUOUS_MEASURES and not control:
            raise ctx.error(f"the two-group measure {measure} needs `control` (the control arm or arms)",
                            f"{key}.control")
        level = _num(ctx, spec.get("level"), f"{key}.level")
        if level is not None and not 50 <= level < 100:
            raise ctx.error("level must be a percentage between 50 and 100", f"{key}.level")
        moderators = _strs(ctx, spec.get("moderators"), f"{key}.moderators")
        for m in moderators:
            if m not in names:
                raise ctx.error(f"moderator {m!r} is not a declared covariate", f"{key}.moderators")
        subgroup = spec.get("subgroup")
        if subgroup is not None:
            subgroup = _str(ctx, subgroup, f"{key}.subgroup")
            if subgroup not in names:
                raise ctx.error(f"subgroup {subgroup!r} is not a declared covariate", f"{key}.subgroup")
        role_in_report = _str(ctx, spec.get("report"), f"{key}.report", "main" if i == 0 else "secondary")
        if role_in_report not in ("main", "secondary"):
            raise ctx.error("report must be main or secondary", f"{key}.report")
        out.append(Analysis(
            id=aid, title=_str(ctx, spec.get("title"), f"{key}.title") or aid,
            outcome=_strs(ctx, spec.get("outcome"), f"{key}.outcome"),
            outcome_type=_str(ctx, spec.get("outcome_type"), f"{key}.outcome_type") or None,
            arm=arm, control=control,
            timepoint=_str(ctx, spec.get("timepoint"), f"{key}.timepoint") or None,
            role=_str(ctx, spec.get("role"), f"{key}.role", "main"), measure=measure, method=method,
            knha=_bool(ctx, spec.get("knha"), f"{key}.knha"), level=level if level is not None else 95.0,
            moderators=moderators, subgroup=subgroup,
            sensitivity=_sensitivity(ctx, spec.get("sensitivity"), f"{key}.sensitivity"),
            role_in_report=role_in_report,
            summary=_str(ctx, spec.get("summary"), f"{key}.summary"),
            effect_label=_str(ctx, spec.get("effect_label"), f"{key}.effect_label"),
            forest_title=_str(ctx, spec.get("forest_title"), f"{key}.forest_title"),
            arm_label=_str(ctx, spec.get("arm_label"), f"{key}.arm_label"),
            control_label=_str(ctx, spec.get("control_label"), f"{key}.control_label"),
            favours=_strs(ctx, spec.get("favours"), f"{key}.favours"),
            notes=_strs(ctx, spec.get("notes"), f"{key}.notes"),
            ois=_ois(ctx, spec.get("ois"), f"{key}.ois", ois),
        ))
    return tuple(out)


def _situate(ctx: _Ctx, value: Any, covariates: tuple[Covariate, ...], analyses: tuple[Analysis, ...]
             ) -> Situate | None:
    if value is None:
        return None
    spec = _table(ctx, value, "situate")
    _unknown(ctx, spec, {"trial", "x", "y", "x_name", "y_name", "shape", "analysis", "equivalence", "equivalence_label", "floor",
                         "floor_label", "floor_source", "reference_lines", "reference_scale", "reference_scale_unit",
                         "total_unit", "xlim", "ylim", "colour_label", "note", "prior_note",
                         "min_k_metaregression", "prior_exposure", "exposures", "exposure_noun"}, "situate")
    names = {c.name for c in covariates}
    for axis in ("x", "y", "shape", "prior_exposure", "exposures"):
        v = spec.get(axis)
        if v is not None and _str(ctx, v, f"situate.{axis}") not in names:
            raise ctx.error(f"{axis} {v!r} is not a declared covariate", f"situate.{axis}")
    for axis in ("trial", "x", "y"):
        if not spec.get(axis):
            raise ctx.error(f"situate needs `{axis}`", f"situate.{axis}")
    analysis = spec.get("analysis")
    if analysis is not None and analysis not in {a.id for a in analyses}:
        raise ctx.error(f"analysis {analysis!r} is not a declared analysis id", "situate.analysis")
    floors = []
    for i, f in enumerate(spec.get("floor") or []):
        key = f"situate.floor[{i}]"
        f = _table(ctx, f, key)
        _unknown(ctx, f, {"covariate", "minimum", "fallback", "fallback_factor", "unit"}, key)
        cov = _str(ctx, f.get("covariate"), f"{key}.covariate")
        if cov not in names:
            raise ctx.error(f"covariate {cov!r} is not declared", f"{key}.covariate")
        floors.append(Floor(cov, _num(ctx, f.get("minimum"), f"{key}.minimum") or 0.0,
                            _str(ctx, f.get("fallback"), f"{key}.fallback") or None,
                            _num(ctx, f.get("fallback_factor"), f"{key}.fallback_factor") or 1.0,
                            _str(ctx, f.get("unit"), f"{key}.unit")))
    lines = []
    for i, line in enumerate(spec.get("reference_lines") or []):
        key = f"situate.reference_lines[{i}]"
        line = _table(ctx, line, key)
        _unknown(ctx, line, {"axis", "value", "label", "source"}, key)
        axis = _str(ctx, line.get("axis"), f"{key}.axis")
        if axis not in ("x", "y"):
            raise ctx.error("axis must be x or y", f"{key}.axis")
        value_ = _num(ctx, line.get("value"), f"{key}.value")
        if value_ is None:
            raise ctx.error("a reference line needs its value", f"{key}.value")
        lines.append(ReferenceLine(axis, value_, _str(ctx, line.get("label"), f"{key}.label"),
                                   _str(ctx, line.get("source"), f"{key}.source")))

    def lim(k: str) -> tuple[float, float] | None:
        v = spec.get(k)
        if v is None:
            return None
        if not (isinstance(v, list) and len(v) == 2 and all(isinstance(x, (int, float)) for x in v)):
            raise ctx.error("must be [low, high]", f"situate.{k}")
        return float(v[0]), float(v[1])

    equivalence = {str(k): float(_num(ctx, v, f"situate.equivalence.{k}") or 1.0)
                   for k, v in _table(ctx, spec.get("equivalence"), "situate.equivalence").items()}
    return Situate(
        trial=_str(ctx, spec.get("trial"), "situate.trial"), x=spec["x"], y=spec["y"],
        x_name=_str(ctx, spec.get("x_name"), "situate.x_name"), y_name=_str(ctx, spec.get("y_name"), "situate.y_name"),
        shape=spec.get("shape"),
        analysis=analysis, equivalence=equivalence,
        equivalence_label=_str(ctx, spec.get("equivalence_label"), "situate.equivalence_label"),
        floor=tuple(floors), floor_label=_str(ctx, spec.get("floor_label"), "situate.floor_label"),
        floor_source=_str(ctx, spec.get("floor_source"), "situate.floor_source"), reference_lines=tuple(lines),
        reference_scale=_num(ctx, spec.get("reference_scale"), "situate.reference_scale"),
        reference_scale_unit=_str(ctx, spec.get("reference_scale_unit"), "situate.reference_scale_unit"),
        total_unit=_str(ctx, spec.get("total_unit"), "situate.total_unit"),
        xlim=lim("xlim"), ylim=lim("ylim"),
        colour_label=_str(ctx, spec.get("colour_label"), "situate.colour_label"),
        note=_str(ctx, spec.get("note"), "situate.note"),
        prior_note=_str(ctx, spec.get("prior_note"), "situate.prior_note"),
        min_k_metaregression=int(_num(ctx, spec.get("min_k_metaregression"), "situate.min_k_metaregression") or 10),
        prior_exposure=spec.get("prior_exposure"), exposures=spec.get("exposures"),
        exposure_noun=_str(ctx, spec.get("exposure_noun"), "situate.exposure_noun") or "treatments",
    )


def parse_review(data: Mapping[str, Any], root: Path, path: Path | None = None, text: str = "") -> Review:
    """Build a :class:`Review` from parsed TOML ``data`` (``path``/``text`` only locate errors)."""
    ctx = _Ctx(path, text)
    _unknown(ctx, data, _TOP, "")
    title = _str(ctx, data.get("title"), "title")
    if not title:
        raise ctx.error("the review needs a title", "title")
    pico = {k: _str(ctx, v, f"pico.{k}") for k, v in _table(ctx, data.get("pico"), "pico").items()}
    upd = _table(ctx, data.get("updates"), "updates")
    _unknown(ctx, upd, {"citation", "pmid", "doi", "publications", "patients", "source"}, "updates")
    updates = None
    if upd:
        pmid = upd.get("pmid")
        updates = ReviewRef(_str(ctx, upd.get("citation"), "updates.citation"),
                            None if pmid is None else str(pmid), _str(ctx, upd.get("doi"), "updates.doi") or None,
                            None if upd.get("publications") is None else int(_num(ctx, upd["publications"],
                                                                                  "updates.publications") or 0),
                            None if upd.get("patients") is None else int(_num(ctx, upd["patients"],
                                                                              "updates.patients") or 0),
                            _str(ctx, upd.get("source"), "updates.source"))
    vocab = _table(ctx, data.get("vocabulary"), "vocabulary")
    _unknown(ctx, vocab, {"designs", "arms", "timepoints", "scales"}, "vocabulary")
    covariates = _covariates(ctx, data.get("covariates"))
    grade = _table(ctx, data.get("grade"), "grade")
    _unknown(ctx, grade, {"ois"}, "grade")
    ois = _ois(ctx, grade.get("ois"), "grade.ois", OisAssumptions())
    analyses = _analyses(ctx, data.get("analyses"), covariates, ois)
    arms = _vocab(ctx, vocab.get("arms"), "vocabulary.arms")
    for i, a in enumerate(analyses):
        for arm in (a.arm, *a.control):
            if arm and arms and arm not in arms:
                raise ctx.error(f"arm {arm!r} is not in vocabulary.arms", f"analyses[{i}].arm")
    report = _table(ctx, data.get("report"), "report")
    _unknown(ctx, report, {"limitations"}, "report")
    folders = _table(ctx, data.get("folders"), "folders")
    _unknown(ctx, folders, {"extracted", "queries", "out", "store"}, "folders")
    return Review(
        root=root, path=path, title=title, question=_str(ctx, data.get("question"), "question"), pico=pico,
        updates=updates, designs=_vocab(ctx, vocab.get("designs"), "vocabulary.designs"), arms=arms,
        timepoints=_vocab(ctx, vocab.get("timepoints"), "vocabulary.timepoints"),
        scales=_vocab(ctx, vocab.get("scales"), "vocabulary.scales"), covariates=covariates, analyses=analyses,
        situate=_situate(ctx, data.get("situate"), covariates, analyses),
        limitations=_strs(ctx, report.get("limitations"), "report.limitations"),
        folders={k: root / _str(ctx, v, f"folders.{k}") for k, v in folders.items()}, ois=ois,
    )


def load_review(path: str | os.PathLike[str]) -> Review:
    """Read a project's ``review.toml`` (``path`` is the file or its folder).

    Raises
    ------
    NotFoundError
        No ``review.toml`` there.
    InputError
        Unreadable, not UTF-8, not TOML, or a key is missing or invalid (file, line and key path named).
    """
    path = Path(path)
    if path.is_dir():
        path = path / REVIEW_FILE
    if not path.is_file():
        raise NotFoundError(f"no {REVIEW_FILE} at {path}; `evsynth init DIR` writes a new review project")
    text = read_input_utf8(path, why="TOML files must be UTF-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(f"not valid TOML: {exc}", path=path, line=int(m.group(1)) if m else None) from None
    return parse_review(data, path.parent, path, text)


def generic_review(root: str | os.PathLike[str] = ".") -> Review:
    """A review without ``review.toml``: no vocabularies, no covariates, no analyses."""
    return Review(root=Path(root), path=None, title="Untitled review")


def find_project(project: str | os.PathLike[str] | None = None, *, start: str | os.PathLike[str] | None = None
                 ) -> Path:
    """The project folder: ``project``, else ``$EVSYNTH_PROJECT``, else the nearest folder upwards with review.toml.

    Raises
    ------
    NotFoundError
        ``project`` (or the variable) names a folder without ``review.toml``, or none is found upwards.
    """
    given = project if project is not None else os.environ.get("EVSYNTH_PROJECT") or None
    if given is not None:
        folder = Path(given)
        if folder.is_file() and folder.name == REVIEW_FILE:
            folder = folder.parent
        if not (folder / REVIEW_FILE).is_file():
            raise NotFoundError(f"no {REVIEW_FILE} in {folder}; `evsynth init {folder}` writes a new review project")
        return folder
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / REVIEW_FILE).is_file():
            return folder
    raise NotFoundError(f"no {REVIEW_FILE} in {here} or any folder above it; pass --project DIR, set "
                        "EVSYNTH_PROJECT, or run `evsynth init DIR`")


def open_review(project: str | os.PathLike[str] | None = None, *, start: str | os.PathLike[str] | None = None
                ) -> Review:
    """:func:`find_project` then :func:`load_review`."""
    return load_review(find_project(project, start=start))
