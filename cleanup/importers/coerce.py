"""Text cells from a CSV → Attio write values, per attribute type, with an error per bad cell that says
what was wrong and how to fix it.

Each distinct cell text is converted once. Multi-valued attributes split a cell on the separator
(Affinity uses ``;``). Dates take ISO forms, a file-wide day order (``--date-format``) for slashed dates,
and Excel serial numbers; timestamps are written in UTC.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from nameparser import HumanName

from ..errors import CleanupError
from ..export.schema import AttributeInfo
from ..values.contact import host_of, parse_phone
from ..values.timestamps import parse_timestamp

EXCEL_EPOCH = date(1899, 12, 30)
DATE_FORMATS = {"iso": ("%Y-%m-%d",), "mdy": ("%m/%d/%Y", "%m/%d/%y"), "dmy": ("%d/%m/%Y", "%d/%m/%y")}
TRUE = {"true", "yes", "y", "1", "x", "✓"}
FALSE = {"false", "no", "n", "0", ""}
DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class CoerceError(CleanupError, ValueError):
    """One cell that cannot become the attribute's value; the message says why and what would work."""


@dataclass(frozen=True)
class Reference:
    """A cell of a record-reference attribute: the names (ids, domains, emails or record names) of the
    records it points at, split on the separator; looked up once the workspace is read (``references``)."""

    object_ids: tuple[str, ...]  # the objects the attribute may point at (empty: any)
    names: tuple[str, ...]


@dataclass(frozen=True)
class Options:
    """How cells are read: the multi-value separator, the day order of slashed dates, a phone region."""

    separator: str = ";"
    date_format: str = "iso"  # iso | mdy | dmy
    phone_region: str | None = None
    members: dict[str, str] = field(default_factory=dict)  # member email → id (for actor references)
    in_mapping: bool = False  # settings come from a mapping file (Affinity), not command-line flags (CSV)

    def setting(self, name: str, value: str) -> str:
        """How the user gives a setting, where they give it: ``--date-format mdy`` on the command line, or
        ``date_format = "mdy" under [import] in the mapping``."""
        if self.in_mapping:
            return f'{name} = "{value}" under [import] in the mapping'
        return f"--{name.replace('_', '-')} {value}"


TIME = re.compile(
    r"^(?P<day>\S+?)[\sT,]+(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ap>[AaPp]\.?\s*[Mm]\.?)?$"
)


def _date_hint(options: Options) -> str:
    if options.date_format == "iso":
        return f"write YYYY-MM-DD, or for slashed dates give {options.setting('date_format', 'mdy')} (or dmy)"
    form = "MM/DD/YYYY" if options.date_format == "mdy" else "DD/MM/YYYY"
    return f"write {form} ({options.setting('date_format', options.date_format)}, as given) or YYYY-MM-DD"


def _date(text: str, options: Options) -> date:
    value = text.strip()
    if re.fullmatch(r"\d{5}(\.\d+)?", value):  # an Excel serial day number
        return EXCEL_EPOCH + timedelta(days=int(float(value)))
    try:
        return parse_timestamp(value).date()
    except ValueError:
        pass
    for form in DATE_FORMATS.get(options.date_format, ()):
        try:
            return datetime.strptime(value, form).date()
        except ValueError:
            continue
    timed = TIME.fullmatch(value)
    if timed is not None and timed["day"] != value:
        return _date(timed["day"], options)  # a date and time where a date is wanted: the date
    raise CoerceError(f"{text!r} is not a date; {_date_hint(options)}")


def _timestamp(text: str, options: Options) -> str:
    """ISO timestamps, dates (midnight UTC), and a date with a time of day, 24-hour or with AM/PM
    (``01/15/2023 09:12 AM`` with ``--date-format mdy``); a time without a zone is taken as UTC."""
    value = text.strip()
    try:
        moment = parse_timestamp(value)
    except ValueError:
        timed = TIME.fullmatch(value)
        if timed is None:
            day = _date(value, options)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        else:
            day = _date(timed["day"], options)
            hour, minute, second = int(timed["h"]), int(timed["m"]), int(timed["s"] or 0)
            if timed["ap"]:
                if not 1 <= hour <= 12:
                    raise CoerceError(f"{text!r}: {hour} is not an hour on a 12-hour clock") from None
                hour = hour % 12 + (12 if timed["ap"][0] in "Pp" else 0)
            try:
                moment = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)
            except ValueError:
                raise CoerceError(f"{text!r} is not a time of day; write e.g. 09:12 or 9:12 AM") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


CURRENCY = re.compile(r"^(?:[A-Z]{3}\s?)?[$€£¥₹]?|[$€£¥₹]?(?:\s?[A-Z]{3})?$")


def _number(text: str, _: Options) -> float:
    """Digits with a dot for decimals, allowing thousands separators (``1,200``, ``1 200``, ``1'200``, and
    ``1.200,50`` when both are there) and a currency symbol or code (``$12,500,000``, ``EUR 40``)."""
    value = CURRENCY.sub("", text.strip()).strip()
    value = re.sub(r"(?<=\d)[\s\u00a0\u202f']+(?=\d{3})", "", value)
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", value):
        value = value.replace(",", "")
    elif re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+,\d+", value):
        value = value.replace(".", "").replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not math.isfinite(number) or not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", value):
        raise CoerceError(
            f"{text!r} is not a number; write digits with a dot for decimals (1200.50; 1,200 and $ are fine)"
        )
    return number


def _checkbox(text: str, _: Options) -> bool:
    value = text.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise CoerceError(f"{text!r} is not a yes/no value; write true or false")


def domain_of(text: str) -> str:
    """A website or domain as Attio stores it: host only, lower case, without ``www.``."""
    value = host_of(text).removeprefix("www.")
    if not DOMAIN.fullmatch(value):
        raise CoerceError(f"{text!r} is not a website or domain; write e.g. acme.com")
    return value


def _domain(text: str, _: Options) -> dict[str, str]:
    return {"domain": domain_of(text)}


def _email(text: str, _: Options) -> dict[str, str]:
    try:
        found = validate_email(text.strip(), check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise CoerceError(f"{text!r} is not an email address ({error})") from None
    return {"email_address": found.normalized.lower()}  # as Attio stores it


def _phone(text: str, options: Options) -> dict[str, Any]:
    parsed = parse_phone(text, options.phone_region)
    if parsed is not None:
        return {"original_phone_number": parsed[0]}
    if text.strip().startswith("+"):
        raise CoerceError(f"{text!r} is not a possible phone number; check its country code and digits")
    by_column = "" if options.in_mapping else ", or --phone-region-column with a country column"
    raise CoerceError(
        f"{text!r} is not a phone number Attio accepts; write it with + and the country code, or give "
        f"the region of numbers without it: {options.setting('phone_region', 'GB')}{by_column}"
    )


# Country names people write that are not the region's English display name.
COUNTRY_ALIASES = {
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "united states of america": "US", "america": "US",
    "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "deutschland": "DE", "españa": "ES", "holland": "NL",
    "the netherlands": "NL", "schweiz": "CH", "suisse": "CH", "österreich": "AT", "czech republic": "CZ",
    "south korea": "KR", "korea": "KR", "russia": "RU", "uae": "AE",
}  # fmt: skip


@cache
def _regions() -> dict[str, str]:
    from phonenumbers.geocoder import _region_display_name

    names = {region.casefold(): region for region in phonenumbers.SUPPORTED_REGIONS}
    for region in phonenumbers.SUPPORTED_REGIONS:
        shown = _region_display_name(region, "en")
        if shown:
            names.setdefault(shown.casefold(), region)
    return {**names, **COUNTRY_ALIASES}


def region_of(text: str) -> str:
    """A country cell (ISO code or English name) as the phone region of numbers written without +country:
    ``region_of("United Kingdom")`` and ``region_of("gb")`` are ``"GB"``."""
    region = _regions().get(" ".join(text.split()).casefold())
    if region is None:
        raise CoerceError(
            f"{text!r} is not a country the phone numbers can be read for; write its two-letter code (e.g. GB)"
        )
    return region


def _name(text: str, _: Options) -> dict[str, str]:
    name = HumanName(text.strip())
    first = " ".join(p for p in (name.first, name.middle) if p)
    last = " ".join(p for p in (name.last, name.suffix) if p)
    return {"first_name": first, "last_name": last, "full_name": text.strip()}


def _actor(text: str, options: Options) -> dict[str, str]:
    """A workspace member by email (``Name <email>`` as Affinity writes owners is fine too)."""
    found = re.search(r"<([^>]+)>", text)
    email = (found.group(1) if found else text).strip()
    if "@" not in email:
        raise CoerceError(f"{text!r} names no workspace member; write the member's email address")
    address = _email(email, options)["email_address"].lower()
    if address in options.members:  # by id, as Attio reads it back: a re-run compares equal
        return {"referenced_actor_type": "workspace-member", "referenced_actor_id": options.members[address]}
    return {"workspace_member_email_address": address}


def _text(text: str, _: Options) -> str:
    return text.strip()


def _location(text: str, _: Options) -> str:
    return text.strip()  # Attio parses free text into a location


CONVERTERS: dict[str, Callable[[str, Options], Any]] = {
    "text": _text,
    "number": _number,
    "currency": _number,
    "rating": _number,
    "checkbox": _checkbox,
    "date": lambda t, o: _date(t, o).isoformat(),
    "timestamp": _timestamp,
    "domain": _domain,
    "email-address": _email,
    "phone-number": _phone,
    "personal-name": _name,
    "location": _location,
    "actor-reference": _actor,
}


def _reference(attr: AttributeInfo, options: Options) -> Callable[[str], Any]:
    allowed = tuple((attr.config.get("record_reference") or {}).get("allowed_object_ids") or ())

    def one(text: str) -> Any:
        names = tuple(dict.fromkeys(p for p in (part.strip() for part in text.split(options.separator)) if p))
        found = Reference(allowed, names)
        return [found] if attr.is_multiselect else found

    return one


def converter(attr: AttributeInfo, options: Options) -> Callable[[str], Any]:
    """One cell's text → the attribute's write value (a list for multiselect attributes); a record
    reference becomes a :class:`Reference`, looked up later."""
    kind = attr.type
    if kind == "record-reference":
        return _reference(attr, options)
    if kind in ("select", "status"):
        titles = {
            o["title"].casefold(): o["title"] for o in (attr.options if kind == "select" else attr.statuses)
        }

        def one(text: str) -> Any:
            # An option the attribute lacks is kept as written: the importer leaves it out of its row, which
            # waits for review with the fix (or the import makes it, with create_options): a finding, not a
            # bad cell that refuses the file.
            return titles.get(text.strip().casefold(), text.strip())
    elif kind in CONVERTERS:
        convert = CONVERTERS[kind]

        def one(text: str) -> Any:
            return convert(text, options)
    else:
        raise CoerceError(f"{attr.slug} is a {kind} attribute, which an import cannot write from a column")

    if not attr.is_multiselect:
        return one

    def many(text: str) -> list[Any]:
        parts = [p for p in (part.strip() for part in text.split(options.separator)) if p]
        out = []
        for part in parts:
            value = one(part)
            if value not in out:
                out.append(value)
        return out

    return many


def clamp_note_date(moment: datetime) -> tuple[str, str | None]:
    """A note's ``created_at`` in UTC for Attio (which refuses dates before 1970 and in the future);
    returns the value and a flag when it had to be clamped."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    floor = datetime(1970, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC)
    if moment < floor:
        return floor.isoformat().replace("+00:00", "Z"), f"dated {moment.date()}, before 1970: clamped"
    if moment > now:
        return now.isoformat().replace("+00:00", "Z"), f"dated {moment.date()}, in the future: clamped"
    return moment.isoformat().replace("+00:00", "Z"), None
