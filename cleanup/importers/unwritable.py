"""Values Attio would refuse, taken out of an import's rows before anything is written: an owner who is not a
workspace member, a select option or status that is archived (or gone), a link to a record not in the
snapshot. Each is judged as the executor's dry run judges it (:class:`~cleanup.execute.writable.Writable`);
the value is left out, the rest of the row kept, and the row left ``pending`` with the reason and the fix —
a finding to review, never a 400 at apply time and never a whole row lost for one value.

>>> hold_back_unwritable(rows, snapshot.schema, Writable(snapshot))  # doctest: +SKIP
>>> rows[0]["reason"]  # doctest: +SKIP
'import Affinity persons 38706 (Jane Doe); left out, to review: Owner: ann@x.com is not a member of the
workspace; add them as a workspace member in Attio and import again, or map this column to a text attribute'

A row whose only change was the value left out stays ``pending`` (and is accounted as pending) so the
finding is seen; approved as it stands, it writes only what is left (its matching value, or nothing).
"""

from __future__ import annotations

from typing import Any

from ..actions import Action
from ..execute.writable import Writable
from ..export.schema import AttributeInfo, ListInfo, ObjectInfo, WorkspaceSchema

JSON = dict[str, Any]
LEFT_OUT = "; left out, to review: "  # as :func:`.rows.review` words it
RECORD_ACTIONS = {Action.ASSERT_RECORD.value, Action.CREATE_RECORD.value, Action.UPDATE_RECORD.value}
ENTRY_ACTIONS = {Action.CREATE_ENTRY.value, Action.UPDATE_ENTRY.value}


def hold_back_unwritable(rows: list[JSON], schema: WorkspaceSchema, writable: Writable) -> None:
    """Take out of each row (a dict whose ``payload`` is still a dict) the values Attio would refuse, in
    place: record rows' ``values`` against ``schema.objects[row["object"]]``, entry rows' ``entry_values``
    against ``schema.lists[row["list"]]``. Only the offending items go (a multiselect keeps its good ones);
    the matching attribute stays, and attributes ``schema`` does not have (one the run creates) are not
    judged. A row that lost anything becomes ``pending``, the words added to its evidence and its reason.

    Run it before :func:`.references.hold_dependents`, so rows waiting for a row it holds are held too."""
    for row in rows:
        payload = row.get("payload")
        if not isinstance(payload, dict):
            continue
        attributes, values = _values_of(row, payload, schema)
        if not values:
            continue
        noun = "entry" if row["action"] in ENTRY_ACTIONS else "record"
        held = take_out(values, attributes, writable, keep=payload.get("matching_attribute"), noun=noun)
        if held:
            _hold(row, held)


def take_out(
    values: JSON,
    attributes: dict[str, AttributeInfo],
    writable: Writable,
    *,
    keep: str | None = None,
    noun: str = "record",
) -> list[str]:
    """Remove from ``values`` (write values by attribute slug) the items Attio would refuse; returns why, in
    words (a required attribute left empty says so: Attio makes no new ``noun`` without it). ``keep``: an
    attribute never taken out (what the row is matched on)."""
    held: list[str] = []
    for slug in list(values):
        attr = attributes.get(slug)
        if attr is None or slug == keep:
            continue
        value = values[slug]
        items = value if isinstance(value, list) else [value]
        kept = []
        for item in items:
            said = writable.problems(attr, item)
            held += said
            if not said:
                kept.append(item)
        if len(kept) == len(items):
            continue
        if kept and isinstance(value, list):
            values[slug] = kept
        else:
            values.pop(slug)
            if attr.is_required:
                held.append(f"{attr.title} is required: Attio makes no new {noun} without it")
    return held


def _values_of(row: JSON, payload: JSON, schema: WorkspaceSchema) -> tuple[dict[str, AttributeInfo], JSON]:
    """The attributes a row writes to and its write values (empty when the row writes none)."""
    container: ObjectInfo | ListInfo | None = None
    key = ""
    if row.get("action") in RECORD_ACTIONS:
        container, key = schema.objects.get(row.get("object") or ""), "values"
    elif row.get("action") in ENTRY_ACTIONS:
        container, key = schema.lists.get(row.get("list") or ""), "entry_values"
    values = payload.get(key)
    if container is None or not isinstance(values, dict):
        return {}, {}
    return {a.slug: a for a in container.attributes}, values


def _hold(row: JSON, held: list[str]) -> None:
    """Leave ``row`` for review, saying what was left out (with what was already, in one list)."""
    told = "; ".join(held)
    row["decision"] = "pending"
    row["evidence"] = f"{row['evidence']}; {told}" if row.get("evidence") else told
    reason = row.get("reason") or ""
    row["reason"] = (
        reason.replace(LEFT_OUT, f"{LEFT_OUT}{told}; ", 1)
        if LEFT_OUT in reason
        else f"{reason}{LEFT_OUT}{told}"
    )
