"""Value objects in Attio's read shape, built directly for seeding (no validation round-trip)."""

from __future__ import annotations

from typing import Any

from ...values.contact import parse_phone
from ..value_types import root_domain

JSON = dict[str, Any]


class ValueMaker:
    """Builds value objects stamped with one ``active_from`` and creating actor."""

    def __init__(self, ts: str, actor: JSON) -> None:
        self.common = {"active_from": ts, "active_until": None, "created_by_actor": actor}

    def _v(self, attribute_type: str, **keys: Any) -> JSON:
        return {**keys, **self.common, "attribute_type": attribute_type}

    def text(self, value: str) -> JSON:
        return self._v("text", value=value)

    def number(self, value: float) -> JSON:
        return self._v("number", value=value)

    def rating(self, value: int) -> JSON:
        return self._v("rating", value=value)

    def date(self, value: str) -> JSON:
        return self._v("date", value=value)

    def timestamp(self, value: str) -> JSON:
        return self._v("timestamp", value=value)

    def currency(self, value: float, code: str) -> JSON:
        return self._v("currency", currency_value=value, currency_code=code)

    def option(self, option: JSON) -> JSON:
        return self._v("select", option=option)

    def status(self, status: JSON) -> JSON:
        return self._v("status", status=status)

    def ref(self, target_object: str, record_id: str) -> JSON:
        return self._v("record-reference", target_object=target_object, target_record_id=record_id)

    def actor(self, actor_type: str, actor_id: str | None) -> JSON:
        return self._v("actor-reference", referenced_actor_type=actor_type, referenced_actor_id=actor_id)

    def domain(self, domain: str) -> JSON:
        return self._v("domain", domain=domain, root_domain=root_domain(domain))

    def email(self, original: str) -> JSON:
        local, _, host = original.lower().rpartition("@")
        specifier = local.split("+", 1)[1] if "+" in local else ""
        return self._v(
            "email-address",
            original_email_address=original,
            email_address=original.lower(),
            email_domain=host,
            email_root_domain=root_domain(host),
            email_local_specifier=specifier,
        )

    def phone(self, original: str, country: str) -> JSON:
        parsed = parse_phone(original, country)
        e164, region = parsed if parsed else (original, country)
        return self._v("phone-number", original_phone_number=original, country_code=region, phone_number=e164)

    def name(self, first: str, last: str) -> JSON:
        return self._v("personal-name", first_name=first, last_name=last, full_name=f"{first} {last}".strip())

    def interaction(self, interaction_type: str, interacted_at: str, owner_member_id: str) -> JSON:
        return self._v(
            "interaction",
            interaction_type=interaction_type,
            interacted_at=interacted_at,
            owner_actor={"type": "workspace-member", "id": owner_member_id},
        )

    def location(self, locality: str, region: str, country: str) -> JSON:
        return self._v(
            "location",
            line_1=None,
            line_2=None,
            line_3=None,
            line_4=None,
            locality=locality,
            region=region,
            postcode=None,
            country_code=country,
            latitude=None,
            longitude=None,
        )
