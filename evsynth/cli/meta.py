"""Commands: meta."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from ._app import app, console, err_console  # noqa: F401


class _Measure(str, enum.Enum):
    GEN = "GEN"
    MD = "MD"
    SMD = "SMD"
    RR = "RR"
    OR = "OR"
    RD = "RD"
    PLO = "PLO"
    PR = "PR"
    PFT = "PFT"


class _Method(str, enum.Enum):
    DL = "DL"
    REML = "REML"
    PM = "PM"
    ML = "ML"
    HE = "HE"
    SJ = "SJ"
    EB = "EB"
    HS = "HS"
    FE = "FE"


class _Transf(str, enum.Enum):
    auto = "auto"
    none = "none"
    exp = "exp"
    ilogit = "ilogit"
    iarcsin = "iarcsin"


class _Format(str, enum.Enum):
    text = "text"
    json = "json"


@app.command("meta")
def meta(
    file: Annotated[Path, typer.Argument(help="CSV with metafor's escalc column names (and optional 'study').")],
    measure: Annotated[
        _Measure,
        typer.Option("--measure", case_sensitive=False,
                     help="GEN (yi, vi), MD/SMD (m1i, sd1i, n1i, m2i, sd2i, n2i), RR/OR/RD (ai, bi, ci, di), "
                          "PLO/PR/PFT (xi, ni)."),
    ] = _Measure.GEN,
    method: Annotated[
        _Method,
        typer.Option("--method", case_sensitive=False,
                     help="tau^2 estimator: REML (default), DL, PM, ML, HE, SJ, EB, HS; FE for a common-effect model."),
    ] = _Method.REML,
    knha: Annotated[bool, typer.Option("--knha", help="Knapp-Hartung (t on k - p df) instead of z.")] = False,
    moderator: Annotated[
        Optional[List[str]],
        typer.Option("--moderator", help="Moderator column (repeat for several): meta-regression."),
    ] = None,
    level: Annotated[float, typer.Option("--level", help="Confidence level in percent.")] = 95.0,
    fmt: Annotated[_Format, typer.Option("--format", help="text (like metafor's print) or json.")] = _Format.text,
    transf: Annotated[
        _Transf,
        typer.Option("--transf", case_sensitive=False,
                     help="Back-transform the pooled estimate and intervals, as metafor's predict(transf=): auto "
                          "(RR, OR, ROM as ratios; PLO, PAS as proportions), none, exp, ilogit, iarcsin."),
    ] = _Transf.auto,
) -> None:
    """Random-effects meta-analysis / meta-regression of a CSV table, as R metafor's rma()."""
    from ..meta import meta_from_csv
    from ..meta.text import format_transformed, transformed_values

    res = meta_from_csv(file, measure=measure.value, method=method.value, knha=knha,
                        moderators=tuple(moderator or ()), level=level)
    if fmt is _Format.json:
        data = res.to_dict()
        back = transformed_values(res, transf.value)
        if back is not None:
            data["transformed"] = back
        typer.echo(json.dumps(data, indent=2))
        for warning in res.warnings:  # stdout stays pure JSON; notes (e.g. rows left out) go to stderr
            err_console.print(f"note: {warning}")
    else:
        back = format_transformed(res, transf.value)
        typer.echo(res.summary() + (f"\n\n{back}" if back else ""))
