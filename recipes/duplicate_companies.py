"""Duplicate companies: records of one company under name variants (legal suffix, case, typo) and domain
variants (``www.``, a subdomain, another TLD, a prefixed domain) → ``merge_records`` into a survivor.

Blocking: any registered domain in common, any domain label in common (``acme.de`` / ``acme.io``), the
same normalised name. Comparisons: the records' registered domains as sets (any in common), their domain
labels (any in common, else the most similar pair), and the name (exact, Jaro–Winkler, token sort),
weighed by Fellegi–Sunter with m estimated by EM.

Domains that unrelated organisations share are no evidence: a free-mail provider (``gmail.com``) or a
shared platform itself (``medium.com/@acme``, ``linktr.ee/acme``) is neither a blocking key nor compared,
and a site on a platform is its own domain (``acme.notion.site`` and ``beta.notion.site`` differ).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from cleanup.actions import ActionTable
from cleanup.detect import normalise as norm
from cleanup.detect.findings import MATCH_PARAMS, SURVIVOR_PARAMS, merge_findings
from cleanup.detect.matching import (
    Block,
    Comparison,
    MatchSpec,
    exact,
    fuzzy,
)
from cleanup.detect.recipe import Recipe
from cleanup.export.snapshot import Snapshot

NAME = "duplicate_companies"
OBJECT = "companies"


def spec(threshold: float = 0.9, max_block: int = 50) -> MatchSpec:
    """The match spec: what is blocked on and compared."""
    return MatchSpec(
        blocks=(
            Block(("_domain",), max_block),
            Block(("_label",), max_block),
            Block(("_name",), max_block),
        ),
        comparisons=(
            Comparison("_domain", (exact(),), noun="domain", display="domains"),
            Comparison("_label", (exact(), fuzzy("ratio", 0.85)), noun="domain names"),
            Comparison(
                "_name",
                (exact(), fuzzy("jaro_winkler", 0.95), fuzzy("jaro_winkler", 0.88), fuzzy("token_sort", 0.8)),
                noun="names",
                display="name",
            ),
        ),
        threshold=threshold,
    )


def prepare(records: pl.DataFrame) -> pl.DataFrame:
    """The normalised columns the spec reads: ``_name``, and every identifying registered domain
    (``_domain``) and its label (``_label``) as lists; ``_label_main`` (the first label) is for tools that
    compare one value per record."""
    domains = (
        records.select("_id", "domains")
        .explode("domains")
        .with_columns(_domain=norm.identifying_domain(pl.col("domains")))
        .with_columns(_label=pl.col("_domain").str.split(".").list.first())
        .group_by("_id", maintain_order=True)
        .agg(pl.col("_domain").drop_nulls().unique(), pl.col("_label").drop_nulls().unique())
    )
    return (
        records.with_columns(_name=norm.company_name(pl.col("name")))
        .join(domains, on="_id", how="left")
        .with_columns(_label_main=pl.col("_label").list.sort().list.first())
    )


def detect(
    snapshot: Snapshot,
    *,
    threshold: float,
    max_block: int,
    survivor: tuple[str, ...],
    prefer_created_by: str | None,
) -> ActionTable:
    prepared = prepare(snapshot.records(OBJECT).collect())
    return merge_findings(
        snapshot,
        NAME,
        OBJECT,
        prepared,
        spec(threshold, max_block),
        survivor=survivor,
        prefer_created_by=prefer_created_by,
        noun="company",
    )


def _needs(snapshot: Snapshot, params: Mapping[str, Any]) -> Sequence[str]:
    return [f"records/{OBJECT}"]


RECIPE = Recipe(
    name=NAME,
    description="Companies recorded more than once (name and domain variants): merge each cluster into the "
    "record with the most notes and entries, then the most complete, then the oldest.",
    run=detect,
    params=(
        *MATCH_PARAMS,
        *SURVIVOR_PARAMS,
    ),
    needs=_needs,
)
