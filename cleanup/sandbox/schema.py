"""The standard objects of a fresh Attio workspace, as the fact sheet (§4) lists them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AttrSpec:
    """One standard attribute: slug, type and flags; ``ref`` names the allowed object and its pair;
    ``enriched`` marks the attributes Attio fills from its enrichment data (read-only, plan-dependent)."""

    slug: str
    title: str
    type: str
    writable: bool = True
    unique: bool = False
    multi: bool = False
    required: bool = False
    ref: tuple[str, str] | None = None
    options: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    currency: str | None = None
    enriched: bool = False
    default: dict[str, object] | None = field(default=None, hash=False)


INTERACTIONS = tuple(
    AttrSpec(slug, slug.replace("_", " ").capitalize(), "interaction", writable=False)
    for slug in (
        "first_calendar_interaction",
        "last_calendar_interaction",
        "next_calendar_interaction",
        "first_email_interaction",
        "last_email_interaction",
        "first_interaction",
        "last_interaction",
        "next_interaction",
    )
)
SOCIALS = tuple(
    AttrSpec(s, s.capitalize(), "text") for s in ("angellist", "facebook", "instagram", "linkedin", "twitter")
)
CONNECTION = (
    AttrSpec(
        "strongest_connection_strength_legacy",
        "Strongest connection strength (legacy)",
        "number",
        writable=False,
    ),
    AttrSpec(
        "strongest_connection_strength",
        "Strongest connection strength",
        "select",
        writable=False,
        options=("Very weak", "Weak", "Good", "Strong", "Very strong"),
    ),
    AttrSpec("strongest_connection_user", "Strongest connection user", "actor-reference", writable=False),
)
RECORD_ID = AttrSpec("record_id", "Record ID", "text", writable=False, unique=True)
CREATED = (
    AttrSpec(
        "created_at",
        "Created at",
        "timestamp",
        writable=False,
        default={"type": "dynamic", "template": "PT0S"},
    ),
    AttrSpec(
        "created_by",
        "Created by",
        "actor-reference",
        writable=False,
        default={"type": "dynamic", "template": "current-user"},
    ),
)

STANDARD_OBJECTS: dict[str, tuple[str, str, tuple[AttrSpec, ...]]] = {
    "companies": (
        "Company",
        "Companies",
        (
            RECORD_ID,
            AttrSpec("domains", "Domains", "domain", unique=True, multi=True),
            AttrSpec("name", "Name", "text"),
            AttrSpec("description", "Description", "text"),
            AttrSpec("team", "Team", "record-reference", multi=True, ref=("people", "company")),
            AttrSpec(
                "categories",
                "Categories",
                "select",
                multi=True,
                options=(
                    "B2B",
                    "B2C",
                    "SaaS",
                    "Fintech",
                    "Health",
                    "Climate",
                    "AI",
                    "Marketplace",
                    "Hardware",
                ),
            ),
            AttrSpec("primary_location", "Primary location", "location"),
            AttrSpec("logo_url", "Logo URL", "text", writable=False, enriched=True),
            *SOCIALS,
            AttrSpec(
                "twitter_follower_count", "Twitter follower count", "number", writable=False, enriched=True
            ),
            AttrSpec(
                "estimated_arr_usd",
                "Estimated ARR",
                "select",
                writable=False,
                options=("$0-$1M", "$1M-$10M", "$10M-$50M", "$50M-$100M", "$100M+"),
                enriched=True,
            ),
            AttrSpec(
                "funding_raised_usd",
                "Funding raised",
                "currency",
                writable=False,
                currency="USD",
                enriched=True,
            ),
            AttrSpec("foundation_date", "Foundation date", "date", writable=False, enriched=True),
            AttrSpec(
                "employee_range",
                "Employee range",
                "select",
                writable=False,
                options=("1-10", "11-50", "51-250", "251-1K", "1K-5K", "5K-10K", "10K-50K", "50K+"),
                enriched=True,
            ),
            *INTERACTIONS,
            *CONNECTION,
            AttrSpec(
                "associated_deals",
                "Associated deals",
                "record-reference",
                multi=True,
                ref=("deals", "associated_company"),
            ),
            *CREATED,
        ),
    ),
    "people": (
        "Person",
        "People",
        (
            RECORD_ID,
            AttrSpec("name", "Name", "personal-name"),
            AttrSpec("email_addresses", "Email addresses", "email-address", unique=True, multi=True),
            AttrSpec("description", "Description", "text"),
            AttrSpec("company", "Company", "record-reference", ref=("companies", "team")),
            AttrSpec("job_title", "Job title", "text"),
            AttrSpec("avatar_url", "Avatar URL", "text", writable=False, enriched=True),
            AttrSpec("phone_numbers", "Phone numbers", "phone-number", multi=True),
            AttrSpec("primary_location", "Primary location", "location"),
            *SOCIALS,
            AttrSpec(
                "twitter_follower_count", "Twitter follower count", "number", writable=False, enriched=True
            ),
            *INTERACTIONS,
            *CONNECTION,
            AttrSpec(
                "associated_deals",
                "Associated deals",
                "record-reference",
                multi=True,
                ref=("deals", "associated_people"),
            ),
            *CREATED,
        ),
    ),
    "deals": (
        "Deal",
        "Deals",
        (
            RECORD_ID,
            AttrSpec("name", "Deal name", "text", required=True),
            AttrSpec(
                "stage",
                "Deal stage",
                "status",
                required=True,
                statuses=("Lead", "In Progress", "Won 🎉", "Lost"),
            ),
            AttrSpec("owner", "Deal owner", "actor-reference", required=True),
            AttrSpec("value", "Deal value", "currency", currency="USD"),
            AttrSpec(
                "associated_people",
                "Associated people",
                "record-reference",
                multi=True,
                ref=("people", "associated_deals"),
            ),
            AttrSpec(
                "associated_company",
                "Associated company",
                "record-reference",
                ref=("companies", "associated_deals"),
            ),
            *CREATED,
        ),
    ),
}

ENTRY_SYSTEM_ATTRIBUTES = (
    AttrSpec("entry_id", "Entry ID", "text", writable=False, unique=True),
    *CREATED,
)

ENRICHED_ATTRIBUTES: dict[str, frozenset[str]] = {
    slug: frozenset(spec.slug for spec in specs if spec.enriched)
    for slug, (_s, _p, specs) in STANDARD_OBJECTS.items()
}
"""The enriched system attributes of each standard object (fact sheet §4; people's avatar and follower count
are enriched as companies' are): ``show_historic`` and history writes refuse them."""
