"""Write parsing and identity for Attio's 17 attribute types, as the sandbox applies them.

``parse_value`` turns one accepted write input (a bare value, a shorthand string or a value object)
into the type-specific keys of Attio's read shape, or raises the 400 Attio would send.
``value_key`` gives the identity Attio uses to tell two values apart (dedupe on PATCH, uniqueness).
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Sequence
from functools import lru_cache
from typing import Any, Protocol

import tldextract

from ..values.contact import parse_phone
from ..values.types import ALL_TYPES, LOCATION_KEYS
from .clock import format_ts, parse_date, parse_ts
from .errors import ValueNotFound, invalid_value
from .model import Attribute, Member, SelectOption, Status

JSON = dict[str, Any]

CREATABLE_TYPES = tuple(t for t in ALL_TYPES if t not in ("personal-name", "interaction"))
_LATITUDE = re.compile(r"^[-+]?([1-8]?\d(\.\d+)?|90(\.0+)?)$")
_LONGITUDE = re.compile(r"^[-+]?(180(\.0+)?|((1[0-7]\d)|([1-9]?\d))(\.\d+)?)$")
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")
_ISO_CURRENCIES = frozenset(
    [
        "AED",
        "ARS",
        "AUD",
        "BRL",
        "CAD",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CZK",
        "DKK",
        "EUR",
        "GBP",
        "HKD",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "ISK",
        "JPY",
        "KRW",
        "MXN",
        "MYR",
        "NOK",
        "NZD",
        "PEN",
        "PHP",
        "PLN",
        "RON",
        "SAR",
        "SEK",
        "SGD",
        "THB",
        "TRY",
        "TWD",
        "UAH",
        "USD",
        "VND",
        "ZAR",
    ]
)
_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class Resolver(Protocol):
    """What value parsing needs to look up in the workspace."""

    def object_id_for(self, slug_or_id: str) -> str | None: ...

    def object_slug(self, object_id: str) -> str: ...

    def record_exists(self, object_id: str, record_id: str) -> bool: ...

    def find_record_by_unique(self, object_id: str, attr_slug: str, raw: Any) -> str | None: ...

    def member_by_id(self, member_id: str) -> Member | None: ...

    def member_by_email(self, email: str) -> Member | None: ...


def root_domain(host: str) -> str:
    """The registered domain of ``host`` (``app.attio.co.uk`` → ``attio.co.uk``), from the bundled suffix list."""
    parts = _extract(host)
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}"
    return host


@lru_cache(maxsize=65536)
def _email_parts(email: str) -> tuple[str, str, str, str]:
    local, _, domain = email.rpartition("@")
    specifier = local.split("+", 1)[1] if "+" in local else ""
    return email.lower(), domain.lower(), root_domain(domain.lower()), specifier


def _unwrap(attr: Attribute, raw: Any, key: str) -> Any:
    if isinstance(raw, dict):
        if key not in raw:
            raise invalid_value(attr.api_slug, f"Expected an object with the key {key!r}.")
        return raw[key]
    return raw


def _text(attr: Attribute, raw: Any, _ctx: Resolver) -> JSON:
    value = _unwrap(attr, raw, "value")
    if not isinstance(value, str):
        raise invalid_value(attr.api_slug, "Expected a string.")
    if len(value.encode()) > 10 * 1024 * 1024:
        raise invalid_value(attr.api_slug, "Text values are limited to 10MB.")
    return {"value": value}


def _finite_number(attr: Attribute, value: Any, *, allow_string: bool) -> float | int:
    if isinstance(value, str) and allow_string:
        try:
            value = float(value) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            raise invalid_value(attr.api_slug, "Expected a number.") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise invalid_value(attr.api_slug, "Expected a number.")
    return value


def _number(attr: Attribute, raw: Any, _ctx: Resolver) -> JSON:
    return {"value": _finite_number(attr, _unwrap(attr, raw, "value"), allow_string=False)}


def _checkbox(attr: Attribute, raw: Any, _ctx: Resolver) -> JSON:
    value = _unwrap(attr, raw, "value")
    if value in ("true", "false"):
        value = value == "true"
    if not isinstance(value, bool):
        raise invalid_value(attr.api_slug, "Expected a boolean.")
    return {"value": value}


def _currency(attr: Attribute, raw: Any, _ctx: Resolver) -> JSON:
    if (
        isinstance(raw, dict)
        and "currency_code" in raw
        and raw["currency_code"] not in (None, attr.currency_code)
    ):
        raise invalid_value(attr.api_slug, "The currency code cannot be set per value.")
    value = _finite_number(attr, _unwrap(attr, raw, "currency_value"), allow_string=True)
    if round(value, 4) != value:
        raise invalid_value(attr.api_slug, "Currency values have at most 4 decimal places.")
    return {"currency_value": value, "currency_code": attr.currency_code}


def _date(attr: Attribute, raw: Any, _ctx: Resolver) -> JSON:
    value = _unwrap(attr, raw, "value")
    if not isinstance(value, str):
        raise invalid_value(attr.api_slug, "Expected a date string (YYYY-MM-DD).")
    try:
        return {"value": parse_date(value).isoformat()}
    except (ValueError, OverflowError):
        raise invalid_value(attr.api_slug, f"Invalid date {value!r}.") from None


def _timestamp(attr: Attribute, raw: Any, _ctx: Resolver) -> JSON:
    value = _unwrap(attr, raw, "value")
    if not isinstance(value, str):
        raise invalid_value(attr.api_slug, "Expected an ISO-8601 timestamp string.")
    try:
        return {"value": format_ts(parse_ts(value))}
    except (ValueError, OverflowError):
        raise invalid_value(attr.api_slug, f"Invalid timestamp {value!r}.") from None


def _rating(attr: Attribute, raw: Any, _ctx: Resolver) -> JSON:
    value = _unwrap(attr, raw, "value")
    if isinstance(value, bool) or not isinstance(value, int | float) or value not in (0, 1, 2, 3, 4, 5):
        raise invalid_value(attr.api_slug, "Expected a whole number from 0 to 5.")
    return {"value": int(value)}


def _choice(
    attr: Attribute, raw: Any, key: str, choices: Sequence[SelectOption | Status], noun: str, missing: str
) -> JSON:
    """``{key: choice}``: the unarchived choice (a status or select option, the ``noun``) that ``raw`` names
    by id or title, else the 404 Attio sends (``missing``, then the name asked for)."""
    wanted = _unwrap(attr, raw, key)
    if not isinstance(wanted, str):
        raise invalid_value(attr.api_slug, f"Expected a {noun} title or id.")
    for choice in choices:
        if not choice.is_archived and wanted in (choice.id, choice.title):
            return {key: choice}
    raise ValueNotFound(f'{missing} "{wanted}".')


def _status(attr: Attribute, raw: Any, _ctx: Resolver) -> JSON:
    return _choice(attr, raw, "status", attr.statuses, "status", "Cannot find status with title or ID")


def _select(attr: Attribute, raw: Any, _ctx: Resolver) -> JSON:
    return _choice(attr, raw, "option", attr.options, "select option", "Cannot find select option with title")


def _record_reference(attr: Attribute, raw: Any, ctx: Resolver) -> JSON:
    allowed = attr.allowed_object_ids or []
    if isinstance(raw, str):
        if len(allowed) != 1:
            raise invalid_value(
                attr.api_slug, "A plain string is accepted only when exactly one object is allowed."
            )
        object_id = allowed[0]
        slug = ctx.object_slug(object_id)
        unique_attr = {"companies": "domains", "people": "email_addresses"}.get(slug)
        if unique_attr is None:
            raise invalid_value(attr.api_slug, f"A plain string cannot reference {slug} records.")
        target = ctx.find_record_by_unique(object_id, unique_attr, raw)
        if target is None:
            raise ValueNotFound(f'Record with {unique_attr} "{raw}" not found in object "{slug}".')
        return {"target_object": slug, "target_record_id": target}
    if not isinstance(raw, dict) or not isinstance(raw.get("target_object"), str):
        raise invalid_value(attr.api_slug, "Expected an object with target_object and target_record_id.")
    found_object = ctx.object_id_for(raw["target_object"])
    if found_object is None:
        raise ValueNotFound(f'Object with slug/ID "{raw["target_object"]}" not found.')
    object_id = found_object
    if allowed and object_id not in allowed:
        raise invalid_value(attr.api_slug, f"Records of {raw['target_object']!r} cannot be referenced here.")
    slug = ctx.object_slug(object_id)
    if "target_record_id" in raw:
        target = raw["target_record_id"]
        if not isinstance(target, str) or not ctx.record_exists(object_id, target):
            raise ValueNotFound(f'Record with ID "{target}" not found in object "{slug}".')
        return {"target_object": slug, "target_record_id": target}
    matchers = [k for k in raw if k != "target_object"]
    if len(matchers) != 1:
        raise invalid_value(
            attr.api_slug, "Give target_record_id or exactly one unique attribute to match on."
        )
    given = raw[matchers[0]]
    if not isinstance(given, list) or len(given) != 1:
        raise invalid_value(attr.api_slug, "A matching attribute value must be an array of one value.")
    target = ctx.find_record_by_unique(object_id, matchers[0], given[0])
    if target is None:
        raise ValueNotFound(f'Record with {matchers[0]} matching the given value not found in "{slug}".')
    return {"target_object": slug, "target_record_id": target}


def _actor_reference(attr: Attribute, raw: Any, ctx: Resolver) -> JSON:
    member: Member | None
    if isinstance(raw, str):
        member = ctx.member_by_email(raw)
        if member is None:
            raise ValueNotFound(f'Workspace member with email address "{raw}" not found.')
    elif isinstance(raw, dict) and "workspace_member_email_address" in raw:
        member = ctx.member_by_email(str(raw["workspace_member_email_address"]))
        if member is None:
            raise ValueNotFound(
                f'Workspace member with email address "{raw["workspace_member_email_address"]}" not found.'
            )
    elif isinstance(raw, dict) and "referenced_actor_id" in raw:
        if raw.get("referenced_actor_type", "workspace-member") != "workspace-member":
            raise invalid_value(attr.api_slug, "Only workspace members can be written to actor references.")
        member = ctx.member_by_id(str(raw["referenced_actor_id"]))
        if member is None:
            raise ValueNotFound(f'Workspace member with ID "{raw["referenced_actor_id"]}" not found.')
    else:
        raise invalid_value(attr.api_slug, "Expected a workspace member reference.")
    return {"referenced_actor_type": "workspace-member", "referenced_actor_id": member.id}


def _location(attr: Attribute, raw: Any, _ctx: Resolver) -> JSON:
    if isinstance(raw, str):
        return parse_location_text(raw)
    if not isinstance(raw, dict):
        raise invalid_value(attr.api_slug, "Expected a location object or a string.")
    missing = [k for k in LOCATION_KEYS if k not in raw]
    if missing:
        raise invalid_value(
            attr.api_slug, f"Location objects need all 10 keys; missing: {', '.join(missing)}."
        )
    out: JSON = {}
    for key in LOCATION_KEYS:
        part = raw[key]
        if part is not None and not isinstance(part, str):
            raise invalid_value(attr.api_slug, f"{key} must be a string or null.", path=[attr.api_slug, key])
        out[key] = part
    if out["latitude"] is not None and not _LATITUDE.match(out["latitude"]):
        raise invalid_value(attr.api_slug, "Invalid latitude.", path=[attr.api_slug, "latitude"])
    if out["longitude"] is not None and not _LONGITUDE.match(out["longitude"]):
        raise invalid_value(attr.api_slug, "Invalid longitude.", path=[attr.api_slug, "longitude"])
    if out["country_code"] is not None and not re.fullmatch(r"[A-Z]{2}", out["country_code"]):
        raise invalid_value(attr.api_slug, "country_code must be ISO 3166-1 alpha-2.")
    return out


def parse_location_text(text: str) -> JSON:
    """Parse free text into a location the way a simple geocoder would: last part a country, then region, city."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    out: JSON = dict.fromkeys(LOCATION_KEYS)
    if parts and re.fullmatch(r"[A-Za-z]{2}", parts[-1]):
        out["country_code"] = parts.pop().upper()
    if len(parts) >= 3:
        out["line_1"] = parts[0]
        out["locality"], out["region"] = parts[-2], parts[-1]
    elif len(parts) == 2:
        out["locality"], out["region"] = parts
    elif parts:
        out["locality"] = parts[0]
    return out


def normalise_domain(text: str) -> str | None:
    """Strip scheme, path, query and port from a domain input; ``None`` if no host remains."""
    host = text.strip().lower()
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", host)
    host = re.split(r"[/?#]", host, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    return host if _DOMAIN.match(host) else None


def _domain(attr: Attribute, raw: Any, _ctx: Resolver) -> JSON:
    value = _unwrap(attr, raw, "domain")
    host = normalise_domain(value) if isinstance(value, str) else None
    if host is None:
        raise invalid_value(attr.api_slug, f"Invalid domain {value!r}.")
    return {"domain": host, "root_domain": root_domain(host)}


def _email(attr: Attribute, raw: Any, _ctx: Resolver) -> JSON:
    value = _unwrap(attr, raw, "email_address")
    if not isinstance(value, str) or not _EMAIL.match(value.strip()):
        raise invalid_value(attr.api_slug, f"Invalid email address {value!r}.")
    original = value.strip()
    email, domain, root, specifier = _email_parts(original)
    return {
        "original_email_address": original,
        "email_address": email,
        "email_domain": domain,
        "email_root_domain": root,
        "email_local_specifier": specifier,
    }


def _phone(attr: Attribute, raw: Any, _ctx: Resolver) -> JSON:
    if isinstance(raw, dict):
        original, country = raw.get("original_phone_number"), raw.get("country_code")
    else:
        original, country = raw, None
    if not isinstance(original, str) or (country is not None and not isinstance(country, str)):
        raise invalid_value(attr.api_slug, "Expected a phone number string.")
    parsed = parse_phone(original, country)
    if parsed is None:
        raise invalid_value(
            attr.api_slug, "Invalid phone number, possibly due to missing country information."
        )
    e164, region = parsed
    return {"original_phone_number": original, "country_code": region, "phone_number": e164}


def _personal_name(attr: Attribute, raw: Any, _ctx: Resolver) -> JSON:
    if isinstance(raw, str):
        last, sep, first = raw.partition(",")
        if not sep:
            first, last = raw.strip(), ""
        first, last = first.strip(), last.strip()
        return {"first_name": first, "last_name": last, "full_name": f"{first} {last}".strip()}
    if not isinstance(raw, dict):
        raise invalid_value(attr.api_slug, "Expected a name object or a 'Last, First' string.")
    errors = [
        {"code": "invalid_type", "path": [attr.api_slug, k], "message": "Required", "expected": "string"}
        for k in ("first_name", "last_name", "full_name")
        if not isinstance(raw.get(k), str)
    ]
    if errors:
        err = invalid_value(attr.api_slug, "Required")
        err.validation_errors = errors
        raise err
    return {"first_name": raw["first_name"], "last_name": raw["last_name"], "full_name": raw["full_name"]}


def _interaction(attr: Attribute, _raw: Any, _ctx: Resolver) -> JSON:
    raise invalid_value(attr.api_slug, "Interaction attributes are written by Attio and cannot be set.")


PARSERS = {
    "text": _text,
    "number": _number,
    "checkbox": _checkbox,
    "currency": _currency,
    "date": _date,
    "timestamp": _timestamp,
    "rating": _rating,
    "status": _status,
    "select": _select,
    "record-reference": _record_reference,
    "actor-reference": _actor_reference,
    "location": _location,
    "domain": _domain,
    "email-address": _email,
    "phone-number": _phone,
    "personal-name": _personal_name,
    "interaction": _interaction,
}


def parse_value(attr: Attribute, raw: Any, ctx: Resolver) -> JSON:
    """Parse one write input for ``attr``; the result holds live Status/SelectOption objects to resolve."""
    return PARSERS[attr.type](attr, raw, ctx)


def value_key(attr_type: str, value: JSON) -> Hashable:
    """The identity of a value: two values with the same key are the same value to Attio."""
    key: Hashable
    match attr_type:
        case "email-address":
            key = value["email_address"]
        case "domain":
            key = value["domain"]
        case "phone-number":
            key = value["phone_number"]
        case "select":
            key = value["option"]["id"]["option_id"]
        case "status":
            key = value["status"]["id"]["status_id"]
        case "record-reference":
            key = (value["target_object"], value["target_record_id"])
        case "actor-reference":
            key = (value["referenced_actor_type"], value["referenced_actor_id"])
        case "currency":
            key = value["currency_value"]
        case "location":
            key = tuple(value.get(k) for k in LOCATION_KEYS)
        case "personal-name":
            key = (value["first_name"], value["last_name"], value["full_name"])
        case "interaction":
            key = (value["interaction_type"], value["interacted_at"])
        case _:
            key = value["value"]
    return key


def check_currency_code(code: Any) -> bool:
    """Whether ``code`` is an ISO-4217 code the sandbox knows."""
    return isinstance(code, str) and code in _ISO_CURRENCIES
