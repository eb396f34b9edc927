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

from ..errors import DetectError
from .learning import labelled, learn, pattern_keys, patterns

Scorer = Callable[..., float]
SCORERS: dict[str, tuple[Scorer, float]] = {
    "jaro_winkler": (JaroWinkler.normalized_similarity, 1.0),
    "ratio": (fuzz.ratio, 100.0),
    "token_sort": (fuzz.token_sort_ratio, 100.0),
    "token_set": (fuzz.token_set_ratio, 100.0),
}
NULL_LEVEL = -1  # either side has no value: the comparison says nothing
VectorScorer = Callable[[pl.Series, pl.Series], pl.Series]
# Vectorised scorers, registered by name with :func:`register_scorer`: given the distinct pairs of values
# (two String Series), a similarity 0..1 per pair (e.g. how two first names relate: the same, a nickname).
VECTOR_SCORERS: dict[str, VectorScorer] = {}


DIRECT_SCORERS: set[str] = set()  # vectorised scorers run on the pairs as they are, not distinct pairs


def register_scorer(name: str, func: VectorScorer, *, distinct: bool = True) -> None:
    """Make ``func`` usable as the scorer ``name`` of :func:`fuzzy` levels (and ``Level(scorer=name)``).
    ``distinct``: score each distinct pair of values once (values that repeat, like names); else every
    pair as it is (values nearly all distinct, like email addresses, where finding the distinct pairs
    costs more than it saves)."""
    VECTOR_SCORERS[name] = func
    if distinct:
        DIRECT_SCORERS.discard(name)
    else:
        DIRECT_SCORERS.add(name)


class MatchSpecError(DetectError):
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
    tf: bool = False  # exact levels: weigh each agreement by how many records hold the agreed value


def exact(*, m: float | None = None, u: float | None = None) -> Level:
    """Equal values (for list columns: at least one value in common, set overlap)."""
    return Level("exact", None, 1.0, m, u)


def fuzzy(scorer: str, threshold: float, *, m: float | None = None, u: float | None = None) -> Level:
    """Similar values: ``scorer`` (jaro_winkler, ratio, token_sort, token_set) at or above ``threshold`` (0..1);
    for list columns, the most similar pair of values."""
    if scorer not in SCORERS and scorer not in VECTOR_SCORERS:
        raise MatchSpecError(
            f"unknown scorer {scorer!r}; use one of {', '.join([*SCORERS, *VECTOR_SCORERS])}"
        )
    return Level(f"{scorer} ≥ {threshold:g}", scorer, threshold, m, u)


def exact_tf(*, m: float | None = None) -> Level:
    """Equal values, weighed by the agreed value's frequency (a term-frequency adjustment, as splink's):
    the level's ``u`` is, per pair, the chance that another record holds that value too, (c − 1) / (N − 1)
    for c records holding it among N with a value (for list columns the rarest shared value). A phone
    number held by a whole office counts far less than a personal one."""
    return Level("exact (by frequency)", None, 1.0, m, None, tf=True)


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
    # Ceilings on a pair's probability, whatever the other comparisons say: ``else_ceiling`` when the values
    # differ (contradicting evidence: 'Fund I' / 'Fund II'), ``null_ceiling`` when a side has no value (a
    # match this comparison cannot confirm: a name alike but no domain to agree).
    else_ceiling: float | None = None
    null_ceiling: float | None = None
    # Evidence names what each record holds (``display``: 'John.Doe@gmail.com' / 'johndoe@gmail.com') where
    # the compared values agree, not the shared canonical value.
    as_held: bool = False
    # Evidence says nothing of this comparison while the records agree ('same qualifiers (none)' is noise),
    # only when they differ.
    quiet_when_same: bool = False
    # Its 'else' level tells two entities apart, where a typo would have met a level ('Jr.' / 'Sr.', two
    # first names neither nicknames, initials nor misspellings). When any comparison of a spec is decisive,
    # only pairs scored below ``cannot_link`` *and* at a decisive comparison's else level are kept out of one
    # cluster: two records scored low only because both hold typos stay linkable through a third.
    decisive: bool = False

    @property
    def n_levels(self) -> int:
        return len(self.levels) + 1  # + else


@dataclass(frozen=True)
class Block:
    """Candidate pairs share the values of ``columns`` (list columns: any one value). Blocks larger than
    ``max_block`` records (a shared free-mail domain, a common surname) are skipped as uninformative."""

    columns: tuple[str, ...]
    max_block: int = 200
    # A boolean column: only pairs in which at least one record has it true (a typo key pairs a record
    # entered by hand, without a domain, with any record; two records with domains let the domains decide).
    either: str | None = None


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
    # Pairs scored below this probability are two records that must not share a cluster (a Jr. and a Sr.):
    # a record linked to both is ambiguous, and :func:`unlink_conflicts` drops its weaker links. With
    # ``decisive`` comparisons, only such pairs at a decisive comparison's else level.
    cannot_link: float | None = None


@dataclass
class Weights:
    """The fitted Fellegi–Sunter parameters: per comparison, m and u per level (the last is 'else')."""

    m: list[np.ndarray]
    u: list[np.ndarray]
    prior: float
    # Learned from reviewer decisions (:mod:`.learning`): log-odds added to each level's weight and to the
    # pairs of each pattern (by :func:`.learning.pattern_keys`); how many decisions taught them.
    adjust: list[np.ndarray] | None = None
    pattern_shift: dict[int, float] = field(default_factory=dict)
    learned_from: int = 0

    def ratios(self) -> list[np.ndarray]:
        """Per comparison, each level's weight in log-odds: log(m/u), plus what reviewers taught."""
        ratios = [np.log(m) - np.log(u) for m, u in zip(self.m, self.u, strict=True)]
        if self.adjust is not None:
            ratios = [r + a for r, a in zip(ratios, self.adjust, strict=True)]
        return ratios

    def probability(self, levels: np.ndarray, offset: np.ndarray | None = None) -> np.ndarray:
        """The match probability of each pair given its levels and a per-pair log-odds ``offset``."""
        weight = np.full(len(levels), np.log(self.prior / (1 - self.prior)))
        for k, ratio in enumerate(self.ratios()):
            column = levels[:, k]
            weight += np.where(column >= 0, ratio[np.maximum(column, 0)], 0.0)
        if offset is not None:
            weight += offset
        if self.pattern_shift and len(levels):
            known = np.array(sorted(self.pattern_shift), dtype=np.int64)
            shifts = np.array([self.pattern_shift[k] for k in known.tolist()])
            keys = pattern_keys(levels)
            at = np.clip(np.searchsorted(known, keys), 0, len(known) - 1)
            weight += np.where(known[at] == keys, shifts[at], 0.0)
        result: np.ndarray = 1.0 / (1.0 + np.exp(-weight))
        return result

    def table(self, spec: MatchSpec) -> pl.DataFrame:
        """One row per comparison level with m, u, the match weight log2(m/u) and, after reviewer
        decisions, the weight learned from them (``learned``, log2)."""
        rows = []
        for k, (comparison, m, u) in enumerate(zip(spec.comparisons, self.m, self.u, strict=True)):
            labels = [level.label for level in comparison.levels] + ["else"]
            ratio = self.ratios()[k] / np.log(2)
            rows += [
                (comparison.column, label, float(mi), float(ui), float(np.log2(mi / ui)), float(r))
                for label, mi, ui, r in zip(labels, m, u, ratio, strict=True)
            ]
        return pl.DataFrame(rows, schema=["comparison", "level", "m", "u", "weight", "learned"], orient="row")


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
        if block.either is not None:  # only keys a flagged record holds can give a pair
            flagged = frame[block.either].fill_null(False).gather(keys["_row"])
            keys = keys.join(keys.filter(flagged).select(block.columns).unique(), on=list(block.columns))
        keys = keys.filter(pl.len().over(block.columns).is_between(2, block.max_block))
        pairs = (
            keys.join(keys, on=list(block.columns), suffix="_r")
            .filter(pl.col("_row") < pl.col("_row_r"))
            .select(pl.col("_row").alias("left"), pl.col("_row_r").alias("right"))
        )
        if block.either is not None:
            flag = frame[block.either].fill_null(False)
            pairs = pairs.filter(flag.gather(pairs["left"]) | flag.gather(pairs["right"]))
        found.append(pairs)
    if not found:
        return pl.DataFrame(schema={"left": pl.UInt32, "right": pl.UInt32})
    return pl.concat(found).unique().sort("left", "right")


# ---------------------------------------------------------------------------------------------- scoring
def _similarity(left: pl.Series, right: pl.Series, scorer: str) -> pl.Series:
    """``scorer`` similarity (0..1) of each pair, computing each distinct (unordered) pair of values once
    (a vectorised scorer registered with ``distinct=False``: every pair as it is, null where a side is)."""
    if scorer in DIRECT_SCORERS:
        scores = VECTOR_SCORERS[scorer](left, right).cast(pl.Float32)
        return scores.set(left.is_null() | right.is_null(), None)
    pairs = pl.DataFrame({"a": left, "b": right}).with_columns(
        lo=pl.when(pl.col("b").is_not_null()).then(pl.min_horizontal("a", "b")),
        hi=pl.when(pl.col("a").is_not_null()).then(pl.max_horizontal("a", "b")),
    )
    distinct = pairs.select("lo", "hi").drop_nulls().unique()
    distinct = distinct.with_columns(score=_distinct_scores(distinct["lo"], distinct["hi"], scorer))
    return pairs.join(distinct, on=["lo", "hi"], how="left", maintain_order="left")["score"]


def _distinct_scores(lo: pl.Series, hi: pl.Series, scorer: str) -> pl.Series:
    """``scorer`` similarity (0..1) of each pair of values: a registered vectorised scorer over the whole
    columns, else rapidfuzz's ``cpdist`` across cores."""
    if scorer in VECTOR_SCORERS:
        return VECTOR_SCORERS[scorer](lo, hi).cast(pl.Float32)
    func, scale = SCORERS[scorer]
    scores = process.cpdist(lo.to_list(), hi.to_list(), scorer=func, workers=-1, dtype=np.float32)
    return pl.Series(scores / np.float32(scale), dtype=pl.Float32)


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
    # EM over the distinct patterns of levels, each weighed by how many pairs show it: the same result as
    # over every pair, at a cost of hundreds of rows, not millions
    patterns, counts = _patterns(candidates)
    for _ in range(spec.em_iterations if len(candidates) else 0):
        p = _posterior(patterns, m, u, prior) * counts
        new_m = [
            _fixed_m(c, _frequencies(patterns[:, k], c.n_levels, p, pseudo_count=1.0))
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


def _patterns(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a level matrix and how many times each occurs (rows packed into one integer
    each, so the sort is of numbers, not of rows)."""
    if len(levels) == 0:
        return levels, np.zeros(0, dtype=np.int64)
    shifted = levels.astype(np.int64) + 1  # levels from -1 (null) up
    base = int(shifted.max()) + 1
    if base ** levels.shape[1] >= 2**62:  # too many comparisons to pack: sort the rows themselves
        patterns, counts = np.unique(levels, axis=0, return_counts=True)
        return patterns, counts
    keys = shifted @ (base ** np.arange(levels.shape[1], dtype=np.int64))
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    return levels[first], counts


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
    """The match probability of each pair given its levels, under m, u and the prior alone (EM's step)."""
    return Weights(m, u, prior).probability(levels)


def _value_chances(column: pl.Series) -> pl.DataFrame:
    """Per value ``v`` of ``column`` (list columns: each element), ``chance``: the chance that a random other
    record with a value holds it too, (c − 1) / (N − 1)."""
    values = pl.DataFrame({"_row": pl.int_range(column.len(), eager=True), "v": column})
    if isinstance(column.dtype, pl.List):
        values = values.explode("v")
    values = values.drop_nulls().unique()
    n = max(values["_row"].n_unique(), 2)
    return values.group_by("v").agg(chance=(pl.len().cast(pl.Float64) - 1) / (n - 1))


def tf_offsets(
    frame: pl.DataFrame, scored: pl.DataFrame, comparisons: Sequence[Comparison], weights: Weights
) -> np.ndarray:
    """Per pair, the log-odds correction of term-frequency adjusted levels (:func:`exact_tf`): where a pair
    agrees at such a level, the level's average ``u`` gives way to the agreed value's own chance (for
    lists the rarest shared value), so a value many records hold counts less and a rare one more."""
    offset = np.zeros(scored.height)
    for k, comparison in enumerate(comparisons):
        index = next((i for i, lv in enumerate(comparison.levels) if lv.tf and lv.scorer is None), None)
        if index is None or scored.height == 0:
            continue
        column = frame[comparison.column]
        left, right = column.gather(scored["left"]), column.gather(scored["right"])
        both = pl.DataFrame({"l": left, "r": right}).with_row_index("_row")
        if isinstance(column.dtype, pl.List):
            shared = both.select("_row", v=pl.col("l").list.set_intersection("r")).explode("v")
        else:
            shared = both.filter(pl.col("l") == pl.col("r")).select("_row", v=pl.col("l"))
        rarest = shared.join(_value_chances(column), on="v").group_by("_row").agg(pl.col("chance").min())
        chance = np.full(scored.height, np.nan)
        chance[rarest["_row"].to_numpy()] = rarest["chance"].to_numpy()
        agree = (scored[f"{comparison.column}_level"].to_numpy() == index) & (np.nan_to_num(chance) > 0)
        offset[agree] += np.log(weights.u[k][index]) - np.log(chance[agree])
    return offset


def apply_ceilings(
    probability: np.ndarray, levels: np.ndarray, comparisons: Sequence[Comparison]
) -> np.ndarray:
    """``probability`` held to each comparison's ``else_ceiling`` where it is at its else level and to its
    ``null_ceiling`` where a side has no value (per pair, the lowest ceiling that applies)."""
    out = probability
    for k, comparison in enumerate(comparisons):
        column = levels[:, k] if len(levels) else np.zeros(0, dtype=np.int8)
        if comparison.else_ceiling is not None:
            out = np.where(column == len(comparison.levels), np.minimum(out, comparison.else_ceiling), out)
        if comparison.null_ceiling is not None:
            out = np.where(column == NULL_LEVEL, np.minimum(out, comparison.null_ceiling), out)
    return out


# ---------------------------------------------------------------------------------------------- clustering
AMBIGUITY_MARGIN = np.log(100.0)  # a link this many nats likelier than its rival is kept; else both go


def _cannot_link(below: float, comparisons: Sequence[Comparison]) -> pl.Expr:
    """Which scored pairs are two entities: below ``below``, and when some comparisons are decisive, at the
    else level of one of them (a 'Jr.' / 'Sr.'; not two records low only because each holds a typo)."""
    unlikely = pl.col("probability") < below
    decisive = [pl.col(f"{c.column}_level") == len(c.levels) for c in comparisons if c.decisive]
    return unlikely & pl.any_horizontal(decisive) if decisive else unlikely


def _conflicts(
    scored: pl.DataFrame, n: int, below: float, comparisons: Sequence[Comparison] = ()
) -> pl.DataFrame:
    """Candidate pairs that cannot link (:func:`_cannot_link`) whose records the links put in one cluster
    (``a``, ``b``)."""
    links = scored.filter("linked")
    labels = connected_components(links["left"].to_numpy(), links["right"].to_numpy(), n)
    unlikely = scored.filter(_cannot_link(below, comparisons))
    same = labels[unlikely["left"].to_numpy()] == labels[unlikely["right"].to_numpy()]
    return unlikely.filter(pl.Series(same, dtype=pl.Boolean)).select(a="left", b="right")


def _logit(p: pl.Expr) -> pl.Expr:
    p = p.clip(1e-15, 1 - 1e-15)
    return (p / (1 - p)).log()


def _dropped_links(links: pl.DataFrame, conflicts: pl.DataFrame) -> pl.DataFrame:
    """For each conflict (a, b) and each record c linked to both: the weaker of the links c–a, c–b, and
    the stronger too unless it is likelier by :data:`AMBIGUITY_MARGIN`. Conflicts joined by longer paths
    lose every link of a and of b. Rows: ``left``, ``right`` of the links to drop."""
    ends = links.select("left", "right", "probability")
    incident = pl.concat(
        [
            ends.select(x="left", c="right", p="probability", left="left", right="right"),
            ends.select(x="right", c="left", p="probability", left="left", right="right"),
        ]
    )
    side_a = conflicts.join(incident.rename({"x": "a", "p": "pa", "left": "la", "right": "ra"}), on="a")
    triples = side_a.join(incident.rename({"x": "b", "p": "pb", "left": "lb", "right": "rb"}), on=["b", "c"])
    clear = (_logit(pl.col("pa")) - _logit(pl.col("pb"))).abs() >= AMBIGUITY_MARGIN
    drop_a = ~clear | (pl.col("pa") < pl.col("pb"))
    drop_b = ~clear | (pl.col("pb") <= pl.col("pa"))
    dropped = [
        triples.filter(drop_a).select(left="la", right="ra"),
        triples.filter(drop_b).select(left="lb", right="rb"),
    ]
    distant = conflicts.join(triples.select("a", "b").unique(), on=["a", "b"], how="anti")
    ends_of = pl.concat([distant.select(x="a"), distant.select(x="b")]).unique()
    dropped.append(incident.join(ends_of, on="x").select("left", "right"))
    return pl.concat(dropped).unique()


def unlink_conflicts(
    scored: pl.DataFrame,
    n: int,
    below: float,
    rounds: int = 5,
    comparisons: Sequence[Comparison] = (),
) -> pl.DataFrame:
    """``scored`` with ``linked`` cleared on the links that would put two records scored below ``below``
    (and, when any of ``comparisons`` is decisive, at a decisive one's else level) in one cluster: a record
    that links to two people who are clearly not one (a son under no suffix, his father "Sr." and himself
    "Jr.") keeps only a link likelier by far than its rival, else none."""
    for _ in range(rounds):
        conflicts = _conflicts(scored, n, below, comparisons)
        if conflicts.height == 0:
            break
        drop = _dropped_links(scored.filter("linked"), conflicts).with_columns(_drop=pl.lit(True))
        scored = (
            scored.join(drop, on=["left", "right"], how="left", maintain_order="left")
            .with_columns(linked=pl.col("linked") & pl.col("_drop").is_null())
            .drop("_drop")
        )
    return scored


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


# A level counts against a match when it makes two records at least ten times likelier to be two than
# one (a different first name, 'Fund I' / 'Fund II'), or when it holds the pair below a ceiling. Weaker
# differences (a second email address, another street) are evidence, not a contradiction.
AGAINST_WEIGHT = -np.log(10.0)


def _contradicting(comparison: Comparison, k: int, weights: Weights | None) -> list[int]:
    """The levels of ``comparison`` that count against a match (see :data:`AGAINST_WEIGHT`; 'else' when
    there are no weights)."""
    else_level = len(comparison.levels)
    if weights is None:
        return [else_level]
    strong = {int(i) for i in np.flatnonzero(weights.ratios()[k] <= AGAINST_WEIGHT)}
    if comparison.else_ceiling is not None:
        strong.add(else_level)
    return sorted(strong)


def _evidence(
    scored: pl.DataFrame,
    frame: pl.DataFrame,
    comparisons: Sequence[Comparison],
    weights: Weights | None = None,
) -> pl.Series:
    """Per pair, what matched in words, what counts against a match first: "different first name 'Ann' /
    'Eve'; same domain acme.com; names 'Acme GmbH' / 'ACME Gmbh.' 0.97". Values are shown as the records
    hold them (the ``display`` column); levels with a label of their own are named ('nickname')."""
    parts = []
    against = []
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
    for k, comparison in enumerate(comparisons):
        level = pl.col(f"{comparison.column}_level")
        a, b = pl.col(f"{comparison.column}__a"), pl.col(f"{comparison.column}__b")
        score = pl.col(f"{comparison.column}_score").round(2).cast(pl.String)
        exact_index = next((i for i, lv in enumerate(comparison.levels) if lv.scorer is None), None)
        is_list = isinstance(frame.schema[comparison.column], pl.List)
        same = (
            (level == exact_index) & (pl.lit(is_list or comparison.as_held) | (a == b))
            if exact_index is not None
            else pl.lit(False)
        )
        held: pl.Expr = pl.col(f"{comparison.column}__same")
        if comparison.as_held and comparison.display and comparison.display != comparison.column:
            held = pl.when(a == b).then(a).otherwise(_quote(a) + pl.lit(" / ") + _quote(b))
        text: Any = (
            pl.when(level == NULL_LEVEL).then(None).when(same).then(pl.lit(f"same {comparison.noun} ") + held)
        )
        for index, lvl in enumerate(comparison.levels):
            if lvl.scorer is not None and not lvl.label.startswith(lvl.scorer):  # a level named in words
                text = (
                    text.when((level == index) & (a == b))
                    .then(pl.lit(f"same {comparison.noun} ") + a)
                    .when(level == index)
                    .then(
                        pl.lit(f"{comparison.noun} ")
                        + _quote(a)
                        + pl.lit(" / ")
                        + _quote(b)
                        + pl.lit(f" ({lvl.label})")
                    )
                )
        text = (
            text.when(level < len(comparison.levels))
            .then(pl.lit(f"{comparison.noun} ") + _quote(a) + pl.lit(" / ") + _quote(b) + pl.lit(" ") + score)
            .otherwise(pl.lit(f"different {comparison.noun} ") + _quote(a) + pl.lit(" / ") + _quote(b))
        )
        if comparison.quiet_when_same:
            text = pl.when(level < len(comparison.levels)).then(None).otherwise(text)
        contradicts = level.is_in(_contradicting(comparison, k, weights))
        parts.append(pl.when(~contradicts).then(text))
        against.append(pl.when(contradicts).then(text))
    return work.select(
        pl.concat_str([*against, *parts], separator="; ", ignore_nulls=True).alias("evidence")
    ).to_series()


def _against(scored: pl.DataFrame, comparisons: Sequence[Comparison], weights: Weights) -> pl.Series:
    """Per pair, the nouns of the comparisons whose level counts against a match ('first name')."""
    if not comparisons:
        return pl.Series("against", [[]] * scored.height, dtype=pl.List(pl.String))
    nouns = [
        pl.when(pl.col(f"{c.column}_level").is_in(_contradicting(c, k, weights))).then(pl.lit(c.noun))
        for k, c in enumerate(comparisons)
    ]
    return scored.select(pl.concat_list(nouns).list.drop_nulls().alias("against")).to_series()


# ---------------------------------------------------------------------------------------------- the engine
EVIDENCE_FLOOR = 0.01  # pairs scored below this get no evidence text (most candidates: far from a match)


def match(
    frame: pl.DataFrame,
    spec: MatchSpec,
    *,
    id_column: str,
    weights: Weights | None = None,
    exclude: pl.DataFrame | None = None,
    decisions: pl.DataFrame | None = None,
) -> Matches:
    """Score candidate pairs of ``frame``'s rows and cluster the linked ones.

    ``exclude`` (columns ``left_id``, ``right_id``) lists pairs a reviewer said are not duplicates: they
    are never linked. ``decisions`` (``pattern``, ``duplicate``: reviewers' verdicts on earlier pairs, see
    :mod:`.learning`) re-estimate the weights. ``weights`` reuses parameters fitted before (e.g. on a
    larger sample). Linked pairs carry their ``pattern``, for a decision on them to teach later.
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
    if decisions is not None and decisions.height:
        fitted = learn(fitted, labelled(decisions, spec.comparisons))
    offset = tf_offsets(frame, scored, spec.comparisons, fitted)
    probability = apply_ceilings(fitted.probability(levels, offset), levels, spec.comparisons)
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
    if spec.cannot_link is not None:
        scored = unlink_conflicts(scored, frame.height, spec.cannot_link, comparisons=spec.comparisons)
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
    worth = pl.Series(probability >= EVIDENCE_FLOOR)  # words for pairs worth reading
    explained = scored.filter(worth)
    scored = scored.join(
        explained.select(
            "left",
            "right",
            evidence=_evidence(explained, frame, spec.comparisons, fitted),
            pattern=patterns(explained, offset[worth.to_numpy()], spec.comparisons),
            against=_against(explained, spec.comparisons, fitted),
        ),
        on=["left", "right"],
        how="left",
        maintain_order="left",
    )
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
