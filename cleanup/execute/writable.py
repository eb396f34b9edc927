"""Whether Attio will take a value, judged before any write from the snapshot, the way Attio judges it: a
member named by email who is a member of the workspace, a select option or status that exists and is not
archived, a referenced record that exists. The plan refuses, in its dry run, a row whose value Attio would
answer with 400 ``value_not_found`` — naming the row, the attribute, the value and the fix; the importers
leave such a value out of its row, which waits for a reviewer with the same words (``importers.unwritable``).

>>> Writable(snapshot).problems(attribute, value)  # doctest: +SKIP
['Deal owner: ann@fund.example is not a member of the workspace; add them as a workspace member in Attio and import again, or map this column to a text attribute']
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ..export.schema import AttributeInfo
from ..export.snapshot import Snapshot


class Writable:
    """What the snapshot says Attio holds: members, records by object, options and statuses."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._records: dict[str, set[str] | None] = {}

    @cached_property
    def members(self) -> tuple[set[str], set[str]] | None:
        """Member ids and email addresses (lower case); None when the snapshot has no members."""
        if "members" not in self.snapshot.parts:
            return None
        frame = self.snapshot.members().select("workspace_member_id", "email_address").collect()
        emails = {str(e).lower() for e in frame["email_address"].drop_nulls()}
        return set(frame["workspace_member_id"].drop_nulls().to_list()), emails

    def records(self, object_slug: str) -> set[str] | None:
        """Record ids of one object; None when the snapshot did not export it (nothing to judge by)."""
        if object_slug not in self._records:
            part = f"records/{object_slug}"
            self._records[object_slug] = (
                set(self.snapshot.records(object_slug).select("_id").collect()["_id"].to_list())
                if part in self.snapshot.parts
                else None
            )
        return self._records[object_slug]

    def problems(self, attr: AttributeInfo, value: Any) -> list[str]:
        """Why Attio would refuse ``value`` (as a write payload gives it) for ``attr``; [] when it would not,
        or when the snapshot holds nothing to judge by. (A record the import creates is referenced by a
        unique value, not by id, and waits for its row: it is not judged here.)"""
        items = value if isinstance(value, list) else [value]
        out: list[str] = []
        for item in items:
            if item is None:
                continue
            said = self._problem(attr, item)
            if said:
                out.append(f"{attr.title}: {said}")
        return out

    def _problem(self, attr: AttributeInfo, item: Any) -> str | None:
        if attr.type == "actor-reference":
            return self._actor(item)
        if attr.type in ("select", "status"):
            return _choice(attr, item)
        if attr.type == "record-reference" and isinstance(item, dict):
            return self._record(item)
        return None

    def _actor(self, item: Any) -> str | None:
        if self.members is None or not isinstance(item, dict):
            return None
        ids, emails = self.members
        email = item.get("workspace_member_email_address")
        if email is not None and str(email).lower() not in emails:
            return (
                f"{email} is not a member of the workspace; add them as a workspace member in Attio and import "
                "again, or map this column to a text attribute"
            )
        member = item.get("referenced_actor_id")
        if item.get("referenced_actor_type") == "workspace-member" and member and member not in ids:
            return f"member {member} is not in the workspace (removed since the snapshot?); export again"
        return None

    def _record(self, item: dict[str, Any]) -> str | None:
        target, record = item.get("target_object"), item.get("target_record_id")
        if not target or not record:
            return None
        known = self.records(str(target))
        if known is None or record in known:
            return None
        return f"the {target} record {record} is not in the snapshot (deleted since, or a wrong id)"


def _choice(attr: AttributeInfo, item: Any) -> str | None:
    """A select option or status named by title or id must exist and not be archived."""
    choices = attr.options if attr.type == "select" else attr.statuses  # none: every value is unknown
    named = item.get("option") or item.get("status") if isinstance(item, dict) else item
    if not isinstance(named, str):
        return None
    found = next((c for c in choices if named in (c.get("title"), c.get("id"))), None)
    kind = "option" if attr.type == "select" else "status"
    if found is None:
        live = ", ".join(sorted(str(c["title"]) for c in choices if not c.get("is_archived"))) or "none yet"
        article = "an" if kind == "option" else "a"
        return (
            f"{named!r} is not {article} {kind} of it (it has: {live}); add the {kind} in Attio and import "
            "again (an Affinity mapping makes it with create_options = true), or map the value to another"
        )
    if found.get("is_archived"):
        return f"the {kind} {named!r} is archived; restore it in Attio or map the value to another"
    return None
