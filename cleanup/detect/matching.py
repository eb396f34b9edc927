"""Declarative record matching: a recipe declares blocking keys and ordered comparison levels; one engine
compiles them into Polars joins and expressions and rapidfuzz ``cpdist`` calls, weighs the levels the
Fellegi–Sunter way (``m`` by EM over the candidate pairs, ``u`` from random pairs, or both set by hand),
links pairs above a probability, and forms clusters by connected components.

>>> spec = MatchSpec(
...     blocks=(Block(("domain",)), Block(("name",))),
...     comparisons=(
...         Comparison("domain", (exact(),), noun="domain"),
...         Comparison("name", (exact(), fuzzy("jaro_winkler", 0.92), fuzzy("token_sort", 0.8)), noun="names"),
...     ),
... )
>>> matches = match(frame, spec, id_column="_id")  # doctest: +SKIP

Scoring is the cost, not the join: each distinct pair of values is scored once, in C, across cores.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

Scorer = Callable[..., float]
SCORERS: dict[str, tuple[Scorer, float]] = {
    "jaro_winkler": (JaroWinkler.normalized_similarity, 1.0),
    "ratio": (fuzz.ratio, 100.0),
    "token_sort": (fuzz.token_sort_ratio, 100.0),
    "token_set": (fuzz.token_set_ratio, 100.0),
}
NULL_LEVEL = -1  # either side has no value: the comparison says nothing


class MatchSpecError(ValueError):
    """A match spec that cannot run on the frame given (a missing column, an unknown scorer)."""


@dataclass(frozen=True)
class Level:
    """One comparison level: exact equality (``scorer`` None) or a similarity at or above ``threshold``.

    ``m`` (how often true matches reach this level) and ``u`` (how often non-matches do) are estimated
    from the data unless set here.
    """

    label: str
    scorer: str | None = None
    threshold: float = 1.0
    m: float | None = None
    u: float | None = None


def exact(*, m: float | None = None, u: float | None = None) -> Level:
    """Equal values (for list columns: at least one value in common, set overlap)."""
    return Level("exact", None, 1.0, m, u)


def fuzzy(scorer: str, threshold: float, *, m: float | None = None, u: float | None = None) -> Level:
    """Similar values: ``scorer`` (jaro_winkler, ratio, token_sort, token_set) at or above ``threshold`` (0..1);
    for list columns, the most similar pair of values."""
    if scorer not in SCORERS:
        raise MatchSpecError(f"unknown scorer {scorer!r}; use one of {', '.join(SCORERS)}")
    return Level(f"{scorer} ≥ {threshold:g}", scorer, threshold, m, u)


@dataclass(frozen=True)
class Comparison:
    """How one normalised column is compared: ordered levels, best first; anything else is 'else'.

    ``display`` names the column shown in evidence (the value as the user wrote it); ``noun`` is how
    evidence names the column ('domain', 'names').
    """

    column: str
    levels: tuple[Level, ...]
    noun: str
    display: str | None = None
    else_m: float | None = None
    else_u: float | None = None

    @property
    def n_levels(self) -> int:
        return len(self.levels) + 1  # + else


@dataclass(frozen=True)
class Block:
    """Candidate pairs share the values of ``columns`` (list columns: any one value). Blocks larger than
    ``max_block`` records (a shared free-mail domain, a common surname) are skipped as uninformative."""

    columns: tuple[str, ...]
    max_block: int = 200


@dataclass(frozen=True)
class MatchSpec:
    """Blocking rules, comparisons, and when a pair counts as a match."""

    blocks: tuple[Block, ...]
    comparisons: tuple[Comparison, ...]
    threshold: float = 0.9
    prior: float | None = None  # probability that two random records match; estimated when None
    em_iterations: int = 30
    u_sample: int = 100_000
    seed: int = 0
    min_records_to_estimate: int = 500  # below this, hand-set or default weights are used


@dataclass
class Weights:
    """The fitted Fellegi–Sunter parameters: per comparison, m and u per level (the last is 'else')."""

    m: list[np.ndarray]
    u: list[np.ndarray]
    prior: float

    def table(self, spec: MatchSpec) -> pl.DataFrame:
        """One row per comparison level with m, u and the match weight log2(m/u)."""
        rows = []
        for comparison, m, u in zip(spec.comparisons, self.m, self.u, strict=True):
            labels = [level.label for level in comparison.levels] + ["else"]
            rows += [
                (comparison.column, label, float(mi), float(ui), float(np.log2(mi / ui)))
                for label, mi, ui in zip(labels, m, u, strict=True)
            ]
        return pl.DataFrame(rows, schema=["comparison", "level", "m", "u", "weight"], orient="row")


@dataclass
class Matches:
    """What :func:`match` found: scored candidate pairs, linked pairs and clusters."""

    pairs: pl.DataFrame  # left, right, probability, evidence, <column>_level, <column>_score
    clusters: pl.DataFrame  # id, cluster (the smallest id of the cluster)
    weights: Weights
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def links(self) -> pl.DataFrame:
        """The pairs at or above the spec's threshold."""
        return self.pairs.filter(pl.col("linked"))


# ---------------------------------------------------------------------------------------------- blocking
def _check_columns(frame: pl.DataFrame, spec: MatchSpec, id_column: str) -> None:
    wanted = {id_column}
    wanted |= {c for block in spec.blocks for c in block.columns}
    for comparison in spec.comparisons:
        wanted.add(comparison.column)
        if comparison.display:
            wanted.add(comparison.display)
    missing = sorted(wanted - set(frame.columns))
    if missing:
        raise MatchSpecError(f"the frame lacks the column(s) {', '.join(missing)} the match spec uses")


def _non_empty(column: str, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.String:
        return pl.col(column).is_not_null() & (pl.col(column) != "")
    return pl.col(column).is_not_null()


def candidate_pairs(frame: pl.DataFrame, blocks: Sequence[Block]) -> pl.DataFrame:
    """Row-index pairs (``left < right``) that share a block key under any rule."""
    found = []
    indexed = frame.with_row_index("_row")
    for block in blocks:
        keys = indexed.select("_row", *block.columns)
        for column in block.columns:
            if isinstance(keys.schema[column], pl.List):
                keys = keys.explode(column)
        keys = keys.filter(pl.all_horizontal(_non_empty(c, keys.schema[c]) for c in block.columns)).unique()
        keys = keys.filter(pl.len().over(block.columns).is_between(2, block.max_block))
        pairs = (
            keys.join(keys, on=list(block.columns), suffix="_r")
            .filter(pl.col("_row") < pl.col("_row_r"))
            .select(pl.col("_row").alias("left"), pl.col("_row_r").alias("right"))
        )
        found.append(pairs)
    if not found:
        return pl.DataFrame(schema={"left": pl.UInt32, "right": pl.UInt32})
    return pl.concat(found).unique().sort("left", "right")


# ---------------------------------------------------------------------------------------------- scoring
def _similarity(left: pl.Series, right: pl.Series, scorer: str) -> pl.Series:
    """``scorer`` similarity (0..1) of each pair, computing each distinct (unordered) pair of values once."""
    func, scale = SCORERS[scorer]
    pairs = pl.DataFrame({"a": left, "b": right}).with_columns(
        lo=pl.when(pl.col("b").is_not_null()).then(pl.min_horizontal("a", "b")),
        hi=pl.when(pl.col("a").is_not_null()).then(pl.max_horizontal("a", "b")),
    )
    distinct = pairs.select("lo", "hi").drop_nulls().unique()
    scores = process.cpdist(
        distinct["lo"].to_list(), distinct["hi"].to_list(), scorer=func, workers=-1, dtype=np.float32
    )
    distinct = distinct.with_columns(score=pl.Series(scores / np.float32(scale), dtype=pl.Float32))
    return pairs.join(distinct, on=["lo", "hi"], how="left", maintain_order="left")["score"]


def _list_similarity(left: pl.Series, right: pl.Series, scorer: str) -> pl.Series:
    """The best ``scorer`` similarity between any value of ``left`` and any of ``right`` (list columns), per
    row: the rows' cross products scored by :func:`_similarity` (distinct pairs of values once)."""
    cross = (
        pl.DataFrame({"a": left.list.drop_nulls(), "b": right.list.drop_nulls()})
        .with_row_index("_row")
        .explode("a")
        .explode("b")
    )
    scored = cross.with_columns(score=_similarity(cross["a"], cross["b"], scorer))
    best = scored.group_by("_row").agg(pl.col("score").max())
    rows = pl.DataFrame({"_row": pl.int_range(left.len(), dtype=pl.UInt32, eager=True)})
    return rows.join(best, on="_row", how="left", maintain_order="left")["score"]  # empty lists: null


def _single_valued(a: pl.Series, b: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Two sides of list values that hold at most one value each, as those values (the same levels,
    compared faster); other sides as they are."""
    if isinstance(a.dtype, pl.List):
        a, b = a.list.drop_nulls(), b.list.drop_nulls()
        longest = pl.select(pl.max_horizontal(a.list.len().max(), b.list.len().max())).item()
        if longest is None or longest <= 1:
            return a.list.first(), b.list.first()
    return a, b


def compare(frame: pl.DataFrame, pairs: pl.DataFrame, comparisons: Sequence[Comparison]) -> pl.DataFrame:
    """Each pair's level per comparison (``<column>_level``: index of the first level met, ``len(levels)``
    for else, -1 when a side is empty) and the best similarity seen (``<column>_score``, 1 when equal).

    List columns compare as sets: exact means a value in common, a fuzzy level the best-scoring pair of
    values (so every value of a record counts, not only its first)."""
    out = pairs
    for comparison in comparisons:
        column = frame[comparison.column]
        a, b = _single_valued(column.gather(pairs["left"]), column.gather(pairs["right"]))
        if isinstance(a.dtype, pl.List):
            both = pl.DataFrame({"a": a.list.drop_nulls(), "b": b.list.drop_nulls()})
            flags = both.select(
                empty=(pl.col("a").list.len() == 0) | (pl.col("b").list.len() == 0),
                equal=pl.col("a").list.set_intersection("b").list.len() > 0,
            )
        else:
            flags = pl.DataFrame({"a": a, "b": b}).select(
                empty=pl.col("a").is_null()
                | pl.col("b").is_null()
                | (pl.col("a") == "")
                | (pl.col("b") == ""),
                equal=(pl.col("a") == pl.col("b")).fill_null(False),
            )
        empty = flags["empty"].fill_null(True).to_numpy()
        equal = flags["equal"].fill_null(False).to_numpy() & ~empty
        score = equal.astype(np.float32)
        similarity: dict[str, np.ndarray] = {}
        hits = []
        for lvl in comparison.levels:
            if lvl.scorer is None:
                hits.append(equal)
                continue
            if lvl.scorer not in similarity:
                scores = (_list_similarity if isinstance(a.dtype, pl.List) else _similarity)(a, b, lvl.scorer)
                similarity[lvl.scorer] = scores.fill_null(0.0).to_numpy()
                score = np.maximum(score, similarity[lvl.scorer])
            hits.append(equal | (similarity[lvl.scorer] >= lvl.threshold))
        level = np.full(pairs.height, len(comparison.levels), dtype=np.int8)
        for index in reversed(range(len(hits))):  # the first level met wins
            level[hits[index]] = index
        level[empty] = NULL_LEVEL
        out = out.with_columns(
            pl.Series(f"{comparison.column}_level", level, dtype=pl.Int8),
            pl.Series(f"{comparison.column}_score", score, dtype=pl.Float32),
        )
    return out


# ---------------------------------------------------------------------------------------------- weights
def _random_pairs(n: int, size: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    left = rng.integers(0, n, size=size)
    right = rng.integers(0, n, size=size)
    keep = left != right
    return pl.DataFrame({"left": left[keep].astype(np.uint32), "right": right[keep].astype(np.uint32)})


def _level_matrix(scored: pl.DataFrame, comparisons: Sequence[Comparison]) -> np.ndarray:
    if scored.height == 0:
        return np.zeros((0, len(comparisons)), dtype=np.int8)
    return scored.select(f"{c.column}_level" for c in comparisons).to_numpy().astype(np.int8)


def _default_m(comparison: Comparison) -> np.ndarray:
    """A starting guess: matches mostly agree, less so at looser levels."""
    n = comparison.n_levels
    start = np.array([0.9 * (0.35**i) for i in range(n - 1)] + [0.05])
    result: np.ndarray = start / start.sum()
    return result


def _frequencies(
    levels: np.ndarray, n: int, weights: np.ndarray | None = None, pseudo_count: float = 1e-6
) -> np.ndarray:
    """Each level's share of the known levels (weighted), smoothed by ``pseudo_count`` per level."""
    known = levels >= 0
    counts = np.bincount(levels[known], weights=None if weights is None else weights[known], minlength=n)
    result: np.ndarray = (counts + pseudo_count) / (counts.sum() + n * pseudo_count)
    return result


def estimate(frame: pl.DataFrame, candidates: np.ndarray, spec: MatchSpec) -> Weights:
    """u from random pairs of records (nearly all non-matches); m and the prior by EM over the candidates.

    The prior is the probability that two *random* records match (as u is measured on random pairs), so
    a pair's posterior does not depend on how many candidates blocking produced; EM re-estimates it as the
    expected matches among the candidates over all pairs (matches outside every block are not counted).
    """
    comparisons = spec.comparisons
    if frame.height < spec.min_records_to_estimate:
        return default_weights(spec, frame.height)
    sample = (
        compare(frame, _random_pairs(frame.height, spec.u_sample, spec.seed), comparisons)
        if frame.height > 1
        else None
    )
    u = []
    for k, comparison in enumerate(comparisons):
        levels = (
            _level_matrix(sample, comparisons)[:, k] if sample is not None else np.zeros(0, dtype=np.int8)
        )
        freq = _frequencies(levels, comparison.n_levels)
        freq = np.maximum(freq, 1.0 / max(spec.u_sample, 1) / 10)
        if comparison.levels and comparison.levels[0].scorer is None:
            freq = _with_exact_chance(freq, _exact_chance(frame[comparison.column]))
        for index, level in enumerate(comparison.levels):
            if level.u is not None:
                freq[index] = level.u
        if comparison.else_u is not None:
            freq[-1] = comparison.else_u
        u.append(freq / freq.sum())
    m = [_fixed_m(c, _default_m(c)) for c in comparisons]
    all_pairs = max(frame.height * (frame.height - 1) / 2, 1.0)
    ceiling = min(0.5, len(candidates) / all_pairs) if len(candidates) else 0.5
    prior = spec.prior if spec.prior is not None else max(ceiling / 10, 1e-12)
    for _ in range(spec.em_iterations if len(candidates) else 0):
        p = _posterior(candidates, m, u, prior)
        new_m = [
            _fixed_m(c, _frequencies(candidates[:, k], c.n_levels, p, pseudo_count=1.0))
            for k, c in enumerate(comparisons)
        ]
        new_prior = (
            spec.prior if spec.prior is not None else float(np.clip(p.sum() / all_pairs, 1e-12, ceiling))
        )
        converged = abs(new_prior - prior) <= 1e-6 * prior and all(
            np.allclose(a, b, atol=1e-6) for a, b in zip(m, new_m, strict=True)
        )
        m, prior = new_m, new_prior
        if converged:
            break
    return Weights(m, u, prior)


def _exact_chance(column: pl.Series) -> float:
    """The chance that two random records with a value agree exactly, from the value counts: the sum over
    values of c·(c−1) / (n·(n−1)). Exact for rare agreements, where sampling random pairs sees none."""
    values = column.explode() if isinstance(column.dtype, pl.List) else column
    values = values.drop_nulls()
    if values.dtype == pl.String:
        values = values.filter(values != "")
    n = values.len()
    if n < 2:
        return 0.0
    counts = values.value_counts(name="c")["c"].cast(pl.Float64).to_numpy()
    return float((counts * (counts - 1)).sum() / (n * (n - 1)))


def _with_exact_chance(freq: np.ndarray, chance: float) -> np.ndarray:
    """u with its first (exact) level set to ``chance`` and the other levels rescaled to the rest."""
    chance = min(max(chance, 1e-9), 0.999)
    rest = freq[1:] / max(freq[1:].sum(), 1e-12)
    result: np.ndarray = np.concatenate([[chance], rest * (1 - chance)])
    return result


def default_weights(spec: MatchSpec, records: int) -> Weights:
    """Weights without estimation, for workspaces too small to learn from: the levels' hand-set m and u,
    else defaults (an exact agreement happens by chance 1 in 10,000 times, a fuzzy one more often)."""
    m, u = [], []
    for comparison in spec.comparisons:
        chance = [
            level.u
            if level.u is not None
            else (1e-4 if level.scorer is None else 1e-3 * (1 + 20 * (1 - level.threshold)))
            for level in comparison.levels
        ]
        u_levels = np.array(
            [*chance, comparison.else_u if comparison.else_u is not None else max(1 - sum(chance), 1e-3)]
        )
        u.append(u_levels / u_levels.sum())
        m.append(_fixed_m(comparison, _default_m(comparison)))
    prior = spec.prior if spec.prior is not None else min(0.1, 1 / max(records, 2))
    return Weights(m, u, prior)


def _fixed_m(comparison: Comparison, m: np.ndarray) -> np.ndarray:
    m = m.copy()
    for index, level in enumerate(comparison.levels):
        if level.m is not None:
            m[index] = level.m
    if comparison.else_m is not None:
        m[-1] = comparison.else_m
    floored = np.maximum(m, 1e-6)
    result: np.ndarray = floored / floored.sum()
    return result


def _posterior(levels: np.ndarray, m: list[np.ndarray], u: list[np.ndarray], prior: float) -> np.ndarray:
    """The match probability of each pair given its levels."""
    weight = np.full(len(levels), np.log(prior / (1 - prior)))
    for k in range(levels.shape[1]):
        column = levels[:, k]
        ratio = np.log(m[k]) - np.log(u[k])
        weight += np.where(column >= 0, ratio[np.maximum(column, 0)], 0.0)
    result: np.ndarray = 1.0 / (1.0 + np.exp(-weight))
    return result


# ---------------------------------------------------------------------------------------------- clustering
def connected_components(left: np.ndarray, right: np.ndarray, n: int) -> np.ndarray:
    """The component label (smallest member index) of each of ``n`` nodes, given the edges."""
    labels = np.arange(n)
    if len(left) == 0:
        return labels
    left = left.astype(np.int64)
    right = right.astype(np.int64)
    while True:
        a, b = labels[left], labels[right]
        if np.array_equal(a, b):
            return labels
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        np.minimum.at(labels, hi, lo)
        while True:  # pointer jumping until every node points at its root
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped


# ---------------------------------------------------------------------------------------------- evidence
def _quote(expr: pl.Expr) -> pl.Expr:
    return pl.lit("'") + expr.cast(pl.String) + pl.lit("'")


def _shown(values: pl.Series) -> pl.Series:
    if isinstance(values.dtype, pl.List):
        return values.list.eval(pl.element().cast(pl.String)).list.join(", ")
    return values.cast(pl.String)


def _evidence(scored: pl.DataFrame, frame: pl.DataFrame, comparisons: Sequence[Comparison]) -> pl.Series:
    """Per pair, what matched in words: "same domain acme.com; names 'Acme GmbH' / 'ACME Gmbh.' 0.97"."""
    parts = []
    columns: dict[str, Any] = {}
    for comparison in comparisons:
        shown = _shown(frame[comparison.display or comparison.column])
        columns[f"{comparison.column}__a"] = shown.gather(scored["left"])
        columns[f"{comparison.column}__b"] = shown.gather(scored["right"])
        compared = frame[comparison.column]
        left, right = compared.gather(scored["left"]), compared.gather(scored["right"])
        if isinstance(compared.dtype, pl.List):  # what the two lists share, as compared
            shared = (
                pl.DataFrame({"l": left, "r": right})
                .select(pl.col("l").list.set_intersection("r"))
                .to_series()
            )
            columns[f"{comparison.column}__same"] = _shown(shared)
        else:
            columns[f"{comparison.column}__same"] = columns[f"{comparison.column}__a"]
    work = scored.with_columns(**columns)
    for comparison in comparisons:
        level = pl.col(f"{comparison.column}_level")
        a, b = pl.col(f"{comparison.column}__a"), pl.col(f"{comparison.column}__b")
        score = pl.col(f"{comparison.column}_score").round(2).cast(pl.String)
        exact_index = next((i for i, lv in enumerate(comparison.levels) if lv.scorer is None), None)
        is_list = isinstance(frame.schema[comparison.column], pl.List)
        same = (
            (level == exact_index) & (pl.lit(is_list) | (a == b))
            if exact_index is not None
            else pl.lit(False)
        )
        parts.append(
            pl.when(level == NULL_LEVEL)
            .then(None)
            .when(same)
            .then(pl.lit(f"same {comparison.noun} ") + pl.col(f"{comparison.column}__same"))
            .when(level < len(comparison.levels))
            .then(pl.lit(f"{comparison.noun} ") + _quote(a) + pl.lit(" / ") + _quote(b) + pl.lit(" ") + score)
            .otherwise(pl.lit(f"different {comparison.noun} ") + _quote(a) + pl.lit(" / ") + _quote(b))
        )
    return work.select(pl.concat_str(parts, separator="; ", ignore_nulls=True).alias("evidence")).to_series()


# ---------------------------------------------------------------------------------------------- the engine
def match(
    frame: pl.DataFrame,
    spec: MatchSpec,
    *,
    id_column: str,
    weights: Weights | None = None,
    exclude: pl.DataFrame | None = None,
) -> Matches:
    """Score candidate pairs of ``frame``'s rows and cluster the linked ones.

    ``exclude`` (columns ``left_id``, ``right_id``) lists pairs a reviewer said are not duplicates: they
    are never linked. ``weights`` reuses parameters fitted before (e.g. on a larger sample).
    """
    import time

    _check_columns(frame, spec, id_column)
    stages: dict[str, float] = {}
    started = time.perf_counter()
    pairs = candidate_pairs(frame, spec.blocks)
    stages["block"] = time.perf_counter() - started
    started = time.perf_counter()
    scored = compare(frame, pairs, spec.comparisons)
    levels = _level_matrix(scored, spec.comparisons)
    fitted = weights or estimate(frame, levels, spec)
    probability = _posterior(levels, fitted.m, fitted.u, fitted.prior) if len(levels) else np.zeros(0)
    ids = frame[id_column]
    scored = scored.with_columns(
        left_id=ids.gather(scored["left"]),
        right_id=ids.gather(scored["right"]),
        probability=pl.Series(probability, dtype=pl.Float64),
    ).with_columns(linked=pl.col("probability") >= spec.threshold)
    if exclude is not None and exclude.height:
        rejected = exclude.select(
            pl.min_horizontal("left_id", "right_id").alias("left_id"),
            pl.max_horizontal("left_id", "right_id").alias("right_id"),
            pl.lit(True).alias("_rejected"),
        ).unique()
        scored = (
            scored.with_columns(
                _lo=pl.min_horizontal("left_id", "right_id"), _hi=pl.max_horizontal("left_id", "right_id")
            )
            .join(rejected, left_on=["_lo", "_hi"], right_on=["left_id", "right_id"], how="left")
            .with_columns(linked=pl.col("linked") & pl.col("_rejected").is_null())
            .drop("_lo", "_hi", "_rejected")
        )
    stages["score"] = time.perf_counter() - started
    started = time.perf_counter()
    links = scored.filter("linked")
    labels = connected_components(links["left"].to_numpy(), links["right"].to_numpy(), frame.height)
    member = np.zeros(frame.height, dtype=bool)
    member[links["left"].to_numpy()] = True
    member[links["right"].to_numpy()] = True
    clusters = (
        pl.DataFrame({"id": ids, "_label": labels})
        .filter(pl.Series(member))
        .with_columns(cluster=pl.col("id").min().over("_label"))
        .drop("_label")
        .sort("cluster", "id")
    )
    stages["cluster"] = time.perf_counter() - started
    scored = scored.with_columns(evidence=_evidence(scored, frame, spec.comparisons))
    return Matches(scored, clusters, fitted, stages)


# ---------------------------------------------------------------------------------------------- survivorship
@dataclass(frozen=True)
class Prefer:
    """One survivorship rule: order a cluster's records by ``column`` (``descending`` for 'most')."""

    label: str
    column: str
    descending: bool = True


MOST_COMPLETE = Prefer("most complete", "_completeness")
MOST_ACTIVITY = Prefer("most notes and entries", "_activity")
OLDEST = Prefer("oldest", "_created_at", descending=False)
NEWEST = Prefer("newest", "_created_at")
PREFERRED = Prefer("created by the preferred author", "_preferred")


def choose_survivors(
    clusters: pl.DataFrame, records: pl.DataFrame, rules: Sequence[Prefer], *, id_column: str = "_id"
) -> pl.DataFrame:
    """``clusters`` (id, cluster) with ``survivor``: the first record of its cluster under ``rules``,
    ties broken by id so the choice is stable."""
    columns = [rule.column for rule in rules]
    missing = [c for c in columns if c not in records.columns]
    if missing:
        raise MatchSpecError(f"survivorship needs the column(s) {', '.join(missing)}")
    ranked = clusters.join(records.select(pl.col(id_column).alias("id"), *columns), on="id", how="left").sort(
        ["cluster", *columns, "id"],
        descending=[False, *(rule.descending for rule in rules), False],
        nulls_last=True,
    )
    return ranked.with_columns(survivor=pl.col("id").first().over("cluster")).select(
        "id", "cluster", "survivor"
    )
