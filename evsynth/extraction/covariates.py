"""The review-specific checks of ``extracted/``: covariates and vocabularies declared in ``review.toml``.

Every message names the file, row and column (as all extraction errors do) and the
``review.toml`` key that made the value invalid.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..errors import InputError

__all__ = ["review_for", "check_covariates", "check_vocabularies", "expected_covariates", "parse_covariate"]


def review_for(folder: Path, review: Any = None) -> Any:
    """``review`` if given, else the ``review.toml`` beside ``folder`` (its parent), else a review declaring nothing."""
    from ..project import REVIEW_FILE, generic_review, load_review

    if review is not None:
        return review
    parent = Path(folder).resolve().parent
    if (parent / REVIEW_FILE).is_file():
        return load_review(parent / REVIEW_FILE)
    return generic_review(parent)


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError
    return value


def parse_covariate(cov: Any, column: str, text: str) -> Any:
    """One cell of a covariate column as its declared type.

    Raises
    ------
    ValueError
        With a message naming the rule (the caller adds file, row, column and key).
    """
    kind = cov.type
    if kind in ("text",):
        return text
    if kind == "category":
        if text not in cov.levels:
            raise ValueError(f"{column} {text!r} is not in the vocabulary ({', '.join(cov.levels)})")
        return text
    try:
        value = int(text) if kind == "integer" else _number(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not {'a whole number' if kind == 'integer' else 'a number'}") from None
    if cov.minimum is not None:
        if cov.exclusive_minimum and not value > cov.minimum:
            raise ValueError(f"Input should be greater than {cov.minimum:g}")
        if not cov.exclusive_minimum and not value >= cov.minimum:
            raise ValueError(f"Input should be greater than or equal to {cov.minimum:g}")
    return value


def check_covariates(review: Any, rows: Sequence[tuple[int, Mapping[str, str]]], path: Path,
                     errors: list[InputError]) -> dict[int, dict[str, Any]]:
    """Parse the covariate columns of ``studies.csv`` rows; returns row number → {column: value}."""
    out: dict[int, dict[str, Any]] = {}
    for number, row in rows:
        values: dict[str, Any] = {}
        for cov in review.covariates:
            key = f"covariates.{cov.name}" + (".levels" if cov.type == "category" else ".type")
            for column in cov.columns:
                text = row.get(column, "")
                if text == "":
                    values[column] = None  # declared, not reported
                    continue
                try:
                    values[column] = parse_covariate(cov, column, text)
                except ValueError as exc:
                    errors.append(InputError(f"{exc} (value {text!r}; review.toml {key})", path=path, line=number,
                                             field=column))
            if cov.type == "range":
                low, high = values.get(f"{cov.name}_low"), values.get(f"{cov.name}_high")
                if low is not None and high is not None and low > high:
                    errors.append(InputError(f"{cov.name}_low ({low}) is greater than {cov.name}_high ({high}) "
                                             f"(review.toml covariates.{cov.name} is a range)", path=path,
                                             line=number, field=f"{cov.name}_high"))
        out[number] = values
    return out


def _vocab_error(name: str, value: str, vocab: Mapping[str, str], key: str, path: Path, line: int) -> InputError:
    return InputError(f"{name} {value!r} is not in the vocabulary ({', '.join(vocab)}) declared in review.toml "
                      f"[{key}]", path=path, line=line, field=name)


def check_vocabularies(review: Any, studies: Sequence[tuple[int, Mapping[str, str]]],
                       outcomes: Sequence[tuple[int, Mapping[str, str]]], paths: Mapping[str, Path],
                       errors: list[InputError]) -> None:
    """Designs, arms, timepoints and scales against the review's vocabularies (an empty vocabulary allows any)."""
    for number, row in studies:
        design = row.get("design", "")
        if design and review.designs and design not in review.designs:
            errors.append(_vocab_error("design", design, review.designs, "vocabulary.designs", paths["studies"],
                                       number))
    for number, row in outcomes:
        for name, vocab in (("arm", review.arms), ("timepoint", review.timepoints), ("scale", review.scales)):
            value = row.get(name, "")
            if value and vocab and value not in vocab:
                errors.append(_vocab_error(name, value, vocab, f"vocabulary.{name}s", paths["outcomes"], number))


def expected_covariates(review: Any) -> tuple[str, ...]:
    """Covariates reported as missing when empty (``expected = true``, the default)."""
    return tuple(c.name for c in review.covariates if c.expected)
