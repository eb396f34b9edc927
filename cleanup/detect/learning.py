"""Reviewer decisions that teach: approved and rejected pairs re-estimate a workspace's match weights.

A pair's match weight is the prior's log-odds plus its levels' weights, log(m/u). Each decision a reviewer
makes is a labelled pair, and :func:`learn` fits two kinds of shift to them by maximum a posteriori logistic
regression, starting from the unsupervised Fellegi–Sunter fit:

- a shift per *pattern* (the levels of every comparison together: "same first name, same last name, same
  company, different email"), held near zero by a weak prior: pairs that look exactly like the approved
  ones gain confidence, pairs that look exactly like a rejected one lose it;
- a shift per *level* ("a nickname"), held near zero by a strong prior: it moves only when many decisions
  across patterns agree, so a handful of approvals cannot lift every pair that shares one level.

Decisions on proposals are nearly all above the match threshold, so they say little about where the
threshold should be; the priors keep what they teach close to the pairs decided. A decision is kept with
the pair's pattern (each comparison's level by label and its term-frequency log-odds), so it still teaches
after the records were merged, and after the spec gained a level.

>>> weights = learn(weights, labelled(decisions, spec.comparisons))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import orjson
import polars as pl

if TYPE_CHECKING:
    from .matching import Comparison, Weights

NULL_LABEL = "no value"  # a side had no value: the comparison said nothing
ELSE_LABEL = "else"
LEVEL_PRECISION = 20.0  # the prior's precision (1 / variance, per log-odds²) on a level's shift
PATTERN_PRECISION = 0.25  # and on a pattern's: the model's own estimate counts as a few decisions
NEWTON_STEPS = 50


@dataclass(frozen=True)
class Labels:
    """Labelled pairs in a spec's terms: levels (pairs × comparisons, -1 for no value), term-frequency
    log-odds, and whether a reviewer said the pair is one record."""

    levels: np.ndarray
    offset: np.ndarray
    duplicate: np.ndarray

    def __len__(self) -> int:
        return len(self.duplicate)


def level_labels(comparison: Comparison) -> list[str]:
    """The names of ``comparison``'s levels as patterns keep them, 'else' last."""
    return [level.label for level in comparison.levels] + [ELSE_LABEL]


def patterns(scored: pl.DataFrame, offset: np.ndarray, comparisons: Sequence[Comparison]) -> pl.Series:
    """Per scored pair (its ``<column>_level`` columns), its pattern as JSON: ``{"levels": {column: level
    label}, "tf": log-odds}``."""
    named = [
        pl.col(f"{c.column}_level")
        .replace_strict({-1: NULL_LABEL, **dict(enumerate(level_labels(c)))}, return_dtype=pl.String)
        .alias(c.column)
        for c in comparisons
    ]
    tf = pl.Series("tf", np.round(offset, 6), dtype=pl.Float64)
    return scored.select(pl.struct(pl.struct(named).alias("levels"), tf).struct.json_encode()).to_series()


def labelled(decisions: pl.DataFrame, comparisons: Sequence[Comparison]) -> Labels:
    """``decisions`` (``pattern`` JSON, ``duplicate`` bool) in terms of ``comparisons``: a comparison or a
    level the pattern does not name (the spec changed since) counts as no value."""
    index = [{label: i for i, label in enumerate(level_labels(c))} for c in comparisons]
    rows = decisions.filter(pl.col("pattern").is_not_null())
    levels = np.full((rows.height, len(comparisons)), -1, dtype=np.int8)
    offset = np.zeros(rows.height)
    for r, text in enumerate(rows["pattern"].to_list()):
        pattern = orjson.loads(text)
        offset[r] = float(pattern.get("tf") or 0.0)
        chosen = pattern.get("levels") or {}
        for k, comparison in enumerate(comparisons):
            levels[r, k] = index[k].get(chosen.get(comparison.column, NULL_LABEL), -1)
    return Labels(levels, offset, rows["duplicate"].cast(pl.Boolean).to_numpy())


def pattern_keys(levels: np.ndarray) -> np.ndarray:
    """One integer per row of a level matrix (levels from -1 up, at most 15 per comparison), equal for
    equal rows."""
    if levels.shape[1] > 15:
        raise ValueError("at most 15 comparisons can be keyed")
    shifted = levels.astype(np.int64) + 1
    keys: np.ndarray = shifted @ (16 ** np.arange(levels.shape[1], dtype=np.int64))
    return keys


def _design(levels: np.ndarray, widths: Sequence[int], keys: np.ndarray) -> np.ndarray:
    """One column per (comparison, level) — 1 where the pair sits at that level — then one per pattern."""
    starts = np.concatenate([[0], np.cumsum(widths)])
    by_level = np.zeros((len(levels), int(starts[-1])))
    for k in range(levels.shape[1]):
        known = levels[:, k] >= 0
        by_level[np.flatnonzero(known), starts[k] + levels[known, k]] = 1.0
    by_pattern = (pattern_keys(levels)[:, None] == keys[None, :]).astype(float)
    return np.hstack([by_level, by_pattern])


def _map_shifts(
    design: np.ndarray, base: np.ndarray, duplicate: np.ndarray, precision: np.ndarray
) -> np.ndarray:
    """The shifts maximising the labels' log-likelihood under a N(0, 1/precision) prior on each: Newton's
    method on a concave objective, from zero."""
    shift = np.zeros(design.shape[1])
    y = duplicate.astype(float)
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(base + design @ shift)))
        gradient = design.T @ (y - p) - precision * shift
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(precision)
        step = np.linalg.solve(hessian, gradient)
        shift += step
        if np.abs(step).max() < 1e-8:
            break
    return shift


def learn(weights: Weights, labels: Labels) -> Weights:
    """``weights`` (as estimated from the data) with the level and pattern shifts that explain the
    reviewer's labels (no labels: unchanged)."""
    if len(labels) == 0:
        return weights
    ratios = [np.log(m) - np.log(u) for m, u in zip(weights.m, weights.u, strict=True)]
    widths = [len(r) for r in ratios]
    base = np.full(len(labels), np.log(weights.prior / (1 - weights.prior))) + labels.offset
    for k, ratio in enumerate(ratios):
        known = labels.levels[:, k] >= 0
        base[known] += ratio[labels.levels[known, k]]
    keys = np.unique(pattern_keys(labels.levels))
    n_levels = sum(widths)
    precision = np.concatenate([np.full(n_levels, LEVEL_PRECISION), np.full(len(keys), PATTERN_PRECISION)])
    shift = _map_shifts(_design(labels.levels, widths, keys), base, labels.duplicate, precision)
    starts = np.concatenate([[0], np.cumsum(widths)])
    adjust = [shift[starts[k] : starts[k + 1]] for k in range(len(widths))]
    by_pattern = dict(zip(keys.tolist(), shift[n_levels:].tolist(), strict=True))
    return replace(weights, adjust=adjust, pattern_shift=by_pattern, learned_from=len(labels))
