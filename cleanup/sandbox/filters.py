"""Attio's filter and sort grammar (fact sheet §5) compiled to Python predicates and sort keys.

``{"name": "Acme"}`` (shorthand), ``{"name": {"$contains": "ac"}}``, ``{"name": {"first_name": {...}}}``,
``$and``/``$or``/``$not``, ``{"record_id": {"$in": [...]}}`` and path filters
``{"path": [["companies", "team"], ["people", "name"]], "constraints": {...}}`` are understood.
Arrays are rejected everywhere but under ``$in``, as Attio does.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .clock import parse_ts
from .errors import FilterError
from .model import Attribute, Record
from .workspace import Workspace

JSON = dict[str, Any]
Predicate = Callable[[Record], bool]

DEFAULT_PROPERTY = {
    "text": "value",
    "number": "value",
    "checkbox": "value",
    "date": "value",
    "timestamp": "value",
    "rating": "value",
    "currency": "currency_value",
    "personal-name": "full_name",
    "email-address": "email_address",
    "domain": "domain",
    "phone-number": "phone_number",
    "select": "option",
    "status": "status",
    "record-reference": "target_record_id",
    "actor-reference": "referenced_actor_id",
    "location": "locality",
    "interaction": "interacted_at",
}
_ORDERED = ("$eq", "$in", "$gt", "$gte", "$lt", "$lte")
_STRINGY = ("$eq", "$in", "$contains", "$starts_with", "$ends_with", "$not_empty")
PROPERTIES: dict[str, dict[str, tuple[str, ...]]] = {
    "text": {"value": _STRINGY},
    "number": {"value": (*_ORDERED, "$not_empty")},
    "rating": {"value": (*_ORDERED, "$not_empty")},
    "currency": {"currency_value": (*_ORDERED, "$not_empty"), "currency_code": ("$eq", "$in")},
    "date": {"value": (*_ORDERED, "$not_empty")},
    "timestamp": {"value": (*_ORDERED, "$not_empty")},
    "checkbox": {"value": ("$eq",)},
    "select": {"option": ("$eq", "$in", "$not_empty"), "active_from": _ORDERED[2:]},
    "status": {"status": ("$eq", "$in", "$not_empty"), "active_from": _ORDERED[2:]},
    "record-reference": {"target_record_id": ("$eq", "$in", "$not_empty"), "target_object": ("$eq", "$in")},
    "actor-reference": {"referenced_actor_type": ("$eq",), "referenced_actor_id": ("$eq", "$in")},
    "domain": {"domain": _STRINGY, "root_domain": _STRINGY},
    "email-address": {
        "email_address": _STRINGY,
        "email_domain": _STRINGY,
        "email_root_domain": _STRINGY,
        "email_local_specifier": _STRINGY,
    },
    "phone-number": {"phone_number": _STRINGY, "country_code": ("$eq", "$not_empty")},
    "location": {
        **dict.fromkeys(("line_1", "line_2", "line_3", "line_4", "locality", "region", "postcode"), _STRINGY),
        "country_code": ("$eq", "$starts_with", "$not_empty"),
    },
    "personal-name": dict.fromkeys(("first_name", "last_name", "full_name"), _STRINGY),
    "interaction": {
        "owner_member_id": ("$eq", "$not_empty"),
        "interacted_at": (*_ORDERED, "$not_empty"),
        "interaction_type": ("$eq", "$not_empty"),
    },
}
_SCALAR = str | int | float | bool
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "$eq": operator.eq,
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}


class _Compiler:
    def __init__(self, ws: Workspace, parent_id: str) -> None:
        self.ws = ws
        self.parent_id = parent_id
        self.is_list = parent_id in ws.lists

    def node(self, node: Any, parent_id: str | None = None) -> Predicate:
        parent_id = parent_id or self.parent_id
        if not isinstance(node, dict):
            raise FilterError("A filter must be an object.")
        if "path" in node or "constraints" in node:
            rest = {k: v for k, v in node.items() if k not in ("path", "constraints")}
            preds = [self.path(node.get("path"), node.get("constraints"))]
            if rest:
                preds.append(self.node(rest, parent_id))
            return _all(preds)
        preds = []
        for key, cond in node.items():
            if key in ("$and", "$or"):
                if not isinstance(cond, list) or not cond:
                    raise FilterError(f"{key} takes a non-empty array of filters.")
                parts = [self.node(c, parent_id) for c in cond]
                preds.append(_all(parts) if key == "$and" else _any(parts))
            elif key == "$not":
                preds.append(_negate(self.node(cond, parent_id)))
            elif key.startswith("$"):
                raise FilterError(f"Unknown operator {key}.")
            elif key in ("record_id", "entry_id") and self.ws.find_attribute(parent_id, key) is None:
                raise FilterError(f"Unknown attribute {key}.")
            else:
                attr = self.ws.find_attribute(parent_id, key)
                if attr is None:
                    raise FilterError(f'Unknown attribute "{key}".')
                preds.append(self.attribute(attr, cond))
        return _all(preds)

    def attribute(self, attr: Attribute, cond: Any) -> Predicate:
        if isinstance(cond, list):
            raise FilterError("Filter values must not be arrays; use $in or $or.")
        if (
            attr.type == "record-reference"
            and isinstance(cond, dict)
            and "target_object" in cond
            and "target_record_id" in cond
            and not isinstance(cond["target_record_id"], dict)
        ):
            target = cond["target_record_id"]
            return self._any_value(attr, lambda v: v["target_record_id"] == target)
        if not isinstance(cond, dict):
            return self._any_value(attr, self._op(attr, DEFAULT_PROPERTY[attr.type], "$eq", cond))
        if not cond:
            raise FilterError("Empty condition.")
        if all(k.startswith("$") for k in cond):
            checks = [self._op(attr, DEFAULT_PROPERTY[attr.type], op, v) for op, v in cond.items()]
            return self._any_value(attr, _all_v(checks))
        checks = []
        allowed = PROPERTIES.get(attr.type, {})
        for prop, sub in cond.items():
            if prop not in allowed:
                raise FilterError(f'"{prop}" cannot be filtered on a {attr.type} attribute.')
            if isinstance(sub, list):
                raise FilterError("Filter values must not be arrays; use $in or $or.")
            if isinstance(sub, dict):
                checks += [self._op(attr, prop, op, v) for op, v in sub.items()]
            else:
                checks.append(self._op(attr, prop, "$eq", sub))
        return self._any_value(attr, _all_v(checks))

    def _any_value(self, attr: Attribute, check: Callable[[JSON], bool]) -> Predicate:
        attr_id = attr.id
        return lambda r: any(check(v) for v in r.values.get(attr_id, ()))

    def _op(self, attr: Attribute, prop: str, op: str, wanted: Any) -> Callable[[JSON], bool]:
        allowed = PROPERTIES.get(attr.type, {}).get(prop)
        if allowed is None or op not in allowed:
            raise FilterError(f"{op} cannot be used on {attr.type} property {prop}.")
        if op == "$in":
            if not isinstance(wanted, list) or not all(isinstance(w, _SCALAR) for w in wanted):
                raise FilterError("$in takes an array of values.")
            checks = [self._op(attr, prop, "$eq", w) for w in wanted]  # each value checked as $eq checks it
            if prop in ("option", "status") or not wanted:  # by title or id: no one key to look up
                return lambda v: any(c(v) for c in checks)
            coerce = self._coercer(attr, prop, wanted[0])
            targets = {coerce(w) for w in wanted}  # one set lookup per value, however long the list

            def member(v: JSON) -> bool:
                got = _prop(v, prop)
                try:
                    return got is not None and coerce(got) in targets
                except (TypeError, ValueError):
                    return False

            return member
        if op == "$not_empty":
            if wanted is not True and wanted is not False:
                raise FilterError("$not_empty takes true or false.")
            return lambda v: (_prop(v, prop) not in (None, "")) == wanted
        if isinstance(wanted, list | dict) or wanted is None:
            raise FilterError(f"{op} takes a single value.")
        if prop in ("option", "status"):
            if op != "$eq":
                raise FilterError(f"{op} cannot be used on {attr.type}.")
            return lambda v: (
                wanted in (v[prop]["title"], v[prop]["id"].get("option_id") or v[prop]["id"].get("status_id"))
            )
        if op in ("$contains", "$starts_with", "$ends_with"):
            if not isinstance(wanted, str):
                raise FilterError(f"{op} takes a string.")
            needle = wanted.lower()
            fn = {"$contains": str.__contains__, "$starts_with": str.startswith, "$ends_with": str.endswith}[
                op
            ]
            return lambda v: isinstance(s := _prop(v, prop), str) and fn(s.lower(), needle)
        coerce = self._coercer(attr, prop, wanted)
        target = coerce(wanted)
        compare: Callable[[Any, Any], Any] = _COMPARE[op]

        def check(v: JSON) -> bool:
            got = _prop(v, prop)
            if got is None:
                return False
            try:
                return bool(compare(coerce(got), target))
            except (TypeError, ValueError):
                return False

        return check

    def _coercer(self, attr: Attribute, prop: str, wanted: Any) -> Callable[[Any], Any]:
        if attr.type in ("timestamp", "interaction") or prop == "active_from":
            if not isinstance(wanted, str):
                raise FilterError("Timestamps are compared with ISO-8601 strings.")
            if attr.type == "timestamp" and "T" not in wanted.upper():
                raise FilterError("Timestamp filters need both a date and a time.")
            try:
                parse_ts(wanted)
            except ValueError:
                raise FilterError(f"Invalid timestamp {wanted!r}.") from None
            return lambda x: parse_ts(x) if isinstance(x, str) else x
        if attr.type in ("number", "rating", "currency") and prop != "currency_code":
            try:
                float(wanted)
            except (TypeError, ValueError):
                raise FilterError("Expected a number.") from None
            return float
        if attr.type in ("email-address", "domain"):
            return lambda x: str(x).lower()
        if attr.type == "checkbox" and not isinstance(wanted, bool):
            raise FilterError("Checkbox filters take true or false.")
        if attr.type == "phone-number" and prop == "phone_number":
            return lambda x: str(x).replace(" ", "")
        return lambda x: x

    def path(self, path: Any, constraints: Any) -> Predicate:
        if not isinstance(path, list) or not path or not isinstance(constraints, dict):
            raise FilterError("A path filter needs a non-empty path and a constraints object.")
        steps: list[tuple[str, Attribute | None]] = []
        here = self.parent_id
        for i, pair in enumerate(path):
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
                raise FilterError("Each path step is a [object or list slug, attribute slug] pair.")
            where, attr_slug = pair
            step_parent = self._parent_id(where)
            if step_parent != here:
                raise FilterError(
                    f'Path step {i} names "{where}", which is not where the previous step leads.'
                )
            if attr_slug == "parent_record" and step_parent in self.ws.lists:
                steps.append((step_parent, None))
                here = self.ws.lists[step_parent].parent_object_id
                continue
            attr = self.ws.find_attribute(step_parent, attr_slug)
            if attr is None:
                raise FilterError(f'Unknown attribute "{attr_slug}" in path.')
            steps.append((step_parent, attr))
            if i < len(path) - 1:
                if attr.type != "record-reference":
                    raise FilterError(f'"{attr_slug}" is not a record reference, so the path cannot go on.')
                here = (attr.allowed_object_ids or [""])[0]
                nxt = path[i + 1][0] if isinstance(path[i + 1], list) else None
                if isinstance(nxt, str) and self._parent_id(nxt) in (attr.allowed_object_ids or []):
                    here = self._parent_id(nxt)
        _, last_attr = steps[-1]
        final = self.node(constraints, here) if last_attr is None else self.attribute(last_attr, constraints)
        hops = steps[:-1]

        def walk(rec: Record, depth: int) -> bool:
            if depth == len(hops):
                return final(rec)
            parent_id, attr = hops[depth]
            if attr is None:
                parents = self.ws.records.get(self.ws.lists[parent_id].parent_object_id)
                target = parents.get(rec.parent_record_id or "") if parents is not None else None
                return target is not None and walk(target, depth + 1)
            for value in rec.values.get(attr.id, ()):
                obj_id = self.ws.object_id_for(value["target_object"])
                target = self.ws.records.get(obj_id or "", {}).get(value["target_record_id"])
                if target is not None and walk(target, depth + 1):
                    return True
            return False

        return lambda r: walk(r, 0)

    def _parent_id(self, slug_or_id: str) -> str:
        obj = self.ws.object_id_for(slug_or_id)
        if obj is not None:
            return obj
        li = next((x for x in self.ws.lists.values() if slug_or_id in (x.api_slug, x.id)), None)
        if li is None:
            raise FilterError(f'Unknown object or list "{slug_or_id}" in path.')
        return li.id


def _prop(value: JSON, prop: str) -> Any:
    if prop == "owner_member_id":
        owner = value.get("owner_actor") or {}
        return owner.get("id")
    return value.get(prop)


def _negate(pred: Predicate) -> Predicate:
    return lambda r: not pred(r)


def _all(preds: list[Predicate]) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    return lambda r: all(p(r) for p in preds)


def _any(preds: list[Predicate]) -> Predicate:
    return lambda r: any(p(r) for p in preds)


def _all_v(checks: list[Callable[[JSON], bool]]) -> Callable[[JSON], bool]:
    if len(checks) == 1:
        return checks[0]
    return lambda v: all(c(v) for c in checks)


def compile_filter(ws: Workspace, parent_id: str, flt: Any) -> Predicate | None:
    """A predicate for ``flt`` over records (or entries) of ``parent_id``; ``None`` for no filter."""
    if flt is None or flt == {}:
        return None
    return _Compiler(ws, parent_id).node(flt)


def sort_records(ws: Workspace, parent_id: str, records: list[Record], sorts: Any) -> list[Record]:
    """Apply Attio ``sorts`` in order (the first sort is the primary key); missing values sort last."""
    if sorts is None:
        return records
    if not isinstance(sorts, list):
        raise FilterError("sorts must be an array.")
    keyed = records
    for sort in reversed(sorts):
        if not isinstance(sort, dict) or sort.get("direction") not in ("asc", "desc"):
            raise FilterError("Each sort needs a direction of asc or desc.")
        attr_ref = sort.get("attribute")
        if attr_ref is None and isinstance(sort.get("path"), list) and sort["path"]:
            step = sort["path"][-1]
            attr_ref = step[1] if isinstance(step, list) and len(step) == 2 else None
            if sort["path"] and len(sort["path"]) > 1:
                raise FilterError("Sorting by multi-step paths is not supported by the sandbox.")
        attr = ws.find_attribute(parent_id, attr_ref) if isinstance(attr_ref, str) else None
        if attr is None:
            raise FilterError(f"Unknown sort attribute {attr_ref!r}.")
        field = sort.get("field") or DEFAULT_PROPERTY[attr.type]
        if field not in PROPERTIES.get(attr.type, {}) and field != DEFAULT_PROPERTY[attr.type]:
            raise FilterError(f'"{field}" is not a sortable field of {attr.api_slug}.')
        reverse = sort["direction"] == "desc"

        def key(rec: Record, attr_id: str = attr.id, field: str = field) -> Any:
            values = rec.values.get(attr_id) or [{}]
            got = _prop(values[0], field)
            if isinstance(got, dict):
                got = got.get("title")
            return got

        present = [r for r in keyed if key(r) is not None]
        missing = [r for r in keyed if key(r) is None]
        present.sort(key=lambda r: _sortable(key(r)), reverse=reverse)
        keyed = present + missing
    return keyed


def _sortable(value: Any) -> Any:
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (0, value)
    if isinstance(value, datetime):
        return (1, value.isoformat())
    return (1, str(value).lower())


def count_conditions(node: Any) -> int:
    """How many conditions a filter holds, for the query score: each shorthand value, each comparison
    operator and each hop of a path count one; ``$and``, ``$or`` and ``$not`` count none of their own.

    >>> count_conditions({"$or": [{"name": "Acme"}, {"domains": {"domain": {"$contains": "ac"}}}]})
    2
    """
    if node is None:
        return 0
    if isinstance(node, list):
        return sum(count_conditions(item) for item in node)
    if not isinstance(node, dict):
        return 1
    total = 0
    for key, value in node.items():
        if key == "path":
            total += len(value) if isinstance(value, list) else 1
        elif key.startswith("$") and key not in ("$and", "$or", "$not"):
            total += 1
        else:
            total += count_conditions(value)
    return total
