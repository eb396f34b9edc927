"""Phone numbers and web hosts read one way everywhere: by the importers (one cell at a time), by the
normalisers (a column at a time) and by the sandbox (as Attio reads what it is sent).

>>> parse_phone("+44 20 7946 0958")
('+442079460958', 'GB')
>>> host_of("https://WWW.Acme.com:443/about?x=1")
'www.acme.com'
"""

from __future__ import annotations

import re

import phonenumbers
import polars as pl

# What stands around a host in a URL, removed in this order: the scheme, the path (with query and fragment),
# credentials, the port. Shared by :func:`host_of` and :func:`host_expr`, so a cell and a column agree.
HOST_NOISE = (r"^[a-z][a-z0-9+.-]*://", r"[/?#].*$", r"^.*@", r":.*$")


def parse_phone(text: str, region: str | None = None) -> tuple[str, str] | None:
    """A phone number's E.164 form and its region (``region``: of a number written without ``+``), or
    ``None`` when it cannot be read or is not a possible number."""
    text = text.strip()
    international = text.startswith("+")
    if not international and not region:
        return None
    try:
        number = phonenumbers.parse(text, None if international else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    found = phonenumbers.region_code_for_number(number) or (region or "")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), found


def host_of(text: str) -> str:
    """The host of a domain or URL, lower case, without scheme, credentials, port, path or outer dots."""
    value = text.strip().lower()
    for pattern in HOST_NOISE:
        value = re.sub(pattern, "", value)
    return value.strip(".")


def host_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`host_of` of every value of a string column, vectorised."""
    out = expr.str.strip_chars().str.to_lowercase()
    for pattern in HOST_NOISE:
        out = out.str.replace(pattern, "")
    return out.str.strip_chars(".")
