"""Handlers for every endpoint the sandbox serves, grouped as in the fact sheet §2."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any, TypeVar

from .app import Request, Response, json_response, route
from .clock import format_ts, now_ts, parse_ts
from .config import query_score
from .errors import (
    MISSING,
    ApiError,
    NotFound,
    RateLimited,
    SlugConflict,
    ValidationError,
    ValueNotFound,
    body_error,
    json_type,
    query_error,
    reject_unknown_keys,
)
from .filters import compile_filter, count_conditions, sort_records
from .history import ENTRY_PARENT, read_body, refuse_entry_parent, write_history
from .model import Attribute, Note, Record, SelectOption, Status, Task
from .records import (
    assert_entry,
    assert_record,
    create_entry,
    create_record,
    delete_record,
    historic_values,
    merge_records,
    search_records,
    update_record,
)
from .value_types import CREATABLE_TYPES, check_currency_code

JSON = dict[str, Any]
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")

OBJ_R, OBJ_W = "object_configuration:read", "object_configuration:read-write"
REC_R, REC_W = "record_permission:read", "record_permission:read-write"
LIST_R, LIST_W = "list_configuration:read", "list_configuration:read-write"
ENTRY_R, ENTRY_W = "list_entry:read", "list_entry:read-write"
NOTE_R, NOTE_W = "note:read", "note:read-write"
TASK_R, TASK_W = "task:read", "task:read-write"
USERS_R = "user_management:read"
SCORE_HEADER = "x-attio-record-query-score"
NOTE_CONTENT_MAX_BYTES = 1_000_000
"""The largest note ``content`` (UTF-8 bytes) ``POST /v2/notes`` and ``PATCH /v2/notes/{id}`` take; more is
413 ``validation_type``. Attio's own limit is unpublished: this one is the sandbox's choice."""
NOTE_UPDATE_FIELDS = ("title", "format", "content")


# ---------------------------------------------------------------------- helpers
def data_of(req: Request, *required: str) -> JSON:
    """The ``data`` object of a write body, with ``required`` keys present, or Attio's 400."""
    if not isinstance(req.body, dict) or not isinstance(req.body.get("data"), dict):
        given = req.body.get("data", MISSING) if isinstance(req.body, dict) else MISSING
        raise body_error(["data"], "Required", expected="object", received=json_type(given))
    data: JSON = req.body["data"]
    for key in required:
        if key not in data:
            raise body_error(["data", key], "Required", expected="value", received="undefined")
    return data


SchemaError = Callable[..., ValidationError]


def _int(
    raw: Any,
    name: str,
    default: int,
    *,
    minimum: int = 0,
    maximum: int | None = None,
    error: SchemaError = body_error,
) -> int:
    """A whole-number parameter; a bad one is ``error`` (:func:`body_error` or :func:`query_error`)."""
    if raw is None:
        return default
    if isinstance(raw, str):
        if not re.fullmatch(r"-?\d+(\.0*)?", raw.strip()):
            raise error([name], f"Expected a whole number for {name}.", expected="number", received="string")
        raw = int(float(raw))
    if isinstance(raw, float) and raw.is_integer():  # Attio types them as numbers: 3.0 is taken as 3
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise error(
            [name], f"Expected a whole number for {name}.", expected="number", received=json_type(raw)
        )
    if raw < minimum or (maximum is not None and raw > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise error([name], f"{name} must be {bound}.")
    return raw


def page(source: Any, default: int, maximum: int | None, *, in_body: bool = False) -> tuple[int, int]:
    """``limit`` and ``offset`` from a query string (or with ``in_body`` a body), checked against the
    endpoint's maximum; a bad one is Attio's query-params (or body) validation error."""
    got = source if isinstance(source, dict) else {}
    error = body_error if in_body else query_error
    limit = _int(got.get("limit"), "limit", default, minimum=1, maximum=maximum, error=error)
    return limit, _int(got.get("offset"), "offset", 0, error=error)


def _bool_param(req: Request, name: str) -> bool:
    raw = req.query.get(name, "false").lower()
    if raw not in ("true", "false"):
        raise query_error([name], f"{name} must be true or false.", expected="boolean", received="string")
    return raw == "true"


def _list_body(items: list[bytes]) -> Response:
    return Response(200, b'{"data":[' + b",".join(items) + b"]}")


def _record_response(req: Request, rec: Any) -> Response:
    return Response(200, b'{"data":' + req.ws.record_bytes(rec) + b"}")


def _check_str(data: JSON, key: str, *, nullable: bool = False) -> None:
    value = data.get(key, MISSING)
    if value is None and nullable:
        return
    if not isinstance(value, str):
        raise body_error(
            ["data", key], f"Expected string for {key}.", expected="string", received=json_type(value)
        )


# ---------------------------------------------------------------------- self and members
@route("GET", "/v2/self")
def get_self(req: Request) -> Response:
    ws, token = req.ws, req.token
    return json_response(
        {
            "active": True,
            "token_level": "workspace",  # the sandbox's tokens are workspace tokens (2026 sheet: required)
            "scope": " ".join(token.scopes),
            "client_id": token.id,
            "token_type": "Bearer",
            "exp": None,
            "iat": 1700000000,
            "sub": ws.id,
            "aud": token.id,
            "iss": "attio.com",
            "authorized_by_workspace_member_id": token.member_id,
            "workspace_id": ws.id,
            "workspace_name": ws.name,
            "workspace_slug": ws.slug,
            "workspace_logo_url": None,
        }
    )


@route("GET", "/v2/workspace_members", USERS_R)
def list_members(req: Request) -> Response:
    return json_response({"data": [m.to_api(req.ws.id) for m in req.ws.members.values()]})


@route("GET", "/v2/workspace_members/{member_id}", USERS_R)
def get_member(req: Request) -> Response:
    member = req.ws.members.get(req.params["member_id"])
    if member is None:
        raise NotFound(f'Workspace member with ID "{req.params["member_id"]}" not found.')
    return json_response({"data": member.to_api(req.ws.id)})


# ---------------------------------------------------------------------- objects
@route("GET", "/v2/objects", OBJ_R)
def list_objects(req: Request) -> Response:
    return json_response({"data": [o.to_api(req.ws.id) for o in req.ws.objects.values()]})


@route("POST", "/v2/objects", OBJ_W, write=True)
def create_object(req: Request) -> Response:
    data = data_of(req, "api_slug", "singular_noun", "plural_noun")
    for key in ("api_slug", "singular_noun", "plural_noun"):
        _check_str(data, key)
    if not _SLUG.match(data["api_slug"]):
        raise body_error(["data", "api_slug"], "api_slug must be snake_case.")
    obj = req.ws.create_object(data["api_slug"], data["singular_noun"], data["plural_noun"])
    return json_response({"data": obj.to_api(req.ws.id)})


@route("GET", "/v2/objects/{object}", OBJ_R)
def get_object(req: Request) -> Response:
    return json_response({"data": req.ws.object(req.params["object"]).to_api(req.ws.id)})


@route("PATCH", "/v2/objects/{object}", OBJ_W, write=True)
def patch_object(req: Request) -> Response:
    obj = req.ws.object(req.params["object"])
    data = data_of(req)
    changes = {k: v for k, v in data.items() if k in ("api_slug", "singular_noun", "plural_noun")}
    if not changes:
        raise ValidationError("Body payload validation error: nothing to update.")
    for key in changes:
        _check_str(changes, key)
    return json_response({"data": req.ws.update_object(obj, changes).to_api(req.ws.id)})


# ---------------------------------------------------------------------- attributes
def _target(req: Request) -> tuple[str, str]:
    kind = req.params["target"]
    if kind not in ("objects", "lists"):
        raise NotFound(f'Could not find endpoint "{req.method} {req.path}".')
    return kind, req.ws.parent(kind, req.params["identifier"])


@route("GET", "/v2/{target}/{identifier}/attributes", OBJ_R)
def list_attributes(req: Request) -> Response:
    _kind, parent_id = _target(req)
    archived = _bool_param(req, "show_archived")
    limit, offset = page(req.query, 10**9, None)
    attrs = req.ws.attributes_of(parent_id, archived=archived)[offset : offset + limit]
    return json_response({"data": [req.ws.attribute_to_api(a) for a in attrs]})


@route("GET", "/v2/{target}/{identifier}/attributes/{attribute}", OBJ_R)
def get_attribute(req: Request) -> Response:
    kind, _parent = _target(req)
    attr = req.ws.attribute(req.params["identifier"], req.params["attribute"], kind=kind)
    return json_response({"data": req.ws.attribute_to_api(attr)})


def _config_for(req: Request, attr_type: str, config: Any) -> tuple[str | None, str | None, list[str] | None]:
    if not isinstance(config, dict):
        raise body_error(["data", "config"], "Expected object", expected="object")
    code = display = None
    allowed: list[str] | None = None
    currency = config.get("currency")
    if attr_type == "currency":
        if not isinstance(currency, dict) or not check_currency_code(currency.get("default_currency_code")):
            raise body_error(
                ["data", "config", "currency", "default_currency_code"],
                "A valid ISO 4217 currency code is required.",
            )
        display = currency.get("display_type", "symbol")
        if display not in ("code", "name", "narrowSymbol", "symbol"):
            raise body_error(["data", "config", "currency", "display_type"], "Invalid display_type.")
        code = currency["default_currency_code"]
    if attr_type == "record-reference":
        ref = config.get("record_reference")
        objs = ref.get("allowed_objects") if isinstance(ref, dict) else None
        if not isinstance(objs, list) or not objs:
            raise body_error(
                ["data", "config", "record_reference", "allowed_objects"],
                "At least one allowed object is required.",
            )
        allowed = _object_ids(req, objs)
    return code, display, allowed


def _object_ids(req: Request, slugs: list[Any]) -> list[str]:
    """The ids of the objects ``slugs`` name (by slug or id), or the 404 for the first one not found."""
    ids = []
    for slug in slugs:
        obj_id = req.ws.object_id_for(str(slug))
        if obj_id is None:
            raise ValueNotFound(f'Object with slug/ID "{slug}" not found.')
        ids.append(obj_id)
    return ids


@route("POST", "/v2/{target}/{identifier}/attributes", OBJ_W, write=True)
def create_attribute(req: Request) -> Response:
    kind, parent_id = _target(req)
    data = data_of(
        req,
        "title",
        "description",
        "api_slug",
        "type",
        "is_required",
        "is_unique",
        "is_multiselect",
        "config",
    )
    _check_str(data, "title")
    _check_str(data, "api_slug")
    _check_str(data, "description", nullable=True)
    for flag in ("is_required", "is_unique", "is_multiselect"):
        if not isinstance(data[flag], bool):
            raise body_error(["data", flag], "Expected boolean", expected="boolean")
    attr_type = data["type"]
    if attr_type not in CREATABLE_TYPES:
        raise body_error(
            ["data", "type"], f"Invalid enum value. Expected one of {', '.join(CREATABLE_TYPES)}."
        )
    if not _SLUG.match(data["api_slug"]):
        raise body_error(["data", "api_slug"], "api_slug must be snake_case.")
    if attr_type == "status" and kind == "objects":
        raise ValidationError("Status attributes can only be created on lists.")
    if attr_type == "select" and data["is_unique"]:
        raise ValidationError("Select attributes cannot be unique.")
    if attr_type in ("status", "checkbox", "rating") and data["is_multiselect"]:
        raise ValidationError(f"{attr_type} attributes cannot be multiselect.")
    if req.ws.find_attribute(parent_id, data["api_slug"], archived=True):
        raise SlugConflict("An attribute with the same API slug already exists on this object.")
    code, display, allowed = _config_for(req, attr_type, data["config"])
    default = data.get("default_value")
    if default is not None and (
        not isinstance(default, dict) or default.get("type") not in ("static", "dynamic")
    ):
        raise body_error(["data", "default_value"], "default_value must be null or {type, template}.")
    attr = Attribute(
        id=req.ws.make_id("attribute"),
        parent_kind=kind,
        parent_id=parent_id,
        api_slug=data["api_slug"],
        title=data["title"],
        type=attr_type,
        created_at=now_ts(),
        description=data["description"],
        is_required=data["is_required"],
        is_unique=data["is_unique"],
        is_multiselect=data["is_multiselect"],
        default_value=default,
        currency_code=code,
        currency_display=display,
        allowed_object_ids=allowed,
    )
    req.ws.add_attribute(attr)
    return json_response({"data": req.ws.attribute_to_api(attr)})


@route("PATCH", "/v2/{target}/{identifier}/attributes/{attribute}", OBJ_W, write=True)
def patch_attribute(req: Request) -> Response:
    kind, parent_id = _target(req)
    attr = req.ws.attribute(req.params["identifier"], req.params["attribute"], kind=kind)
    data = data_of(req)
    if attr.is_system_attribute:
        raise ApiError("Cannot update a System attribute.", code="system_edit_unauthorized")
    for frozen in ("type", "is_multiselect"):
        if frozen in data:
            raise ValidationError(f"{frozen} cannot be changed after an attribute is created.")
    if "api_slug" in data and data["api_slug"] != attr.api_slug:
        _check_str(data, "api_slug")
        if req.ws.find_attribute(parent_id, data["api_slug"], archived=True):
            raise SlugConflict("An attribute with the same API slug already exists on this object.")
    for key in (
        "title",
        "description",
        "api_slug",
        "is_required",
        "is_unique",
        "is_archived",
        "default_value",
    ):
        if key in data:
            setattr(attr, key, data[key])
    if "config" in data:
        attr.currency_code, attr.currency_display, allowed = _config_for(req, attr.type, data["config"])
        attr.allowed_object_ids = allowed or attr.allowed_object_ids
    req.ws.save_attribute(attr)
    return json_response({"data": req.ws.attribute_to_api(attr)})


def _choice_attr(req: Request, wanted: str) -> Attribute:
    kind, _ = _target(req)
    attr = req.ws.attribute(req.params["identifier"], req.params["attribute"], kind=kind)
    if wanted == "status" and attr.type != "status":
        raise ValidationError("This attribute is not a status attribute.")
    if wanted == "select" and attr.type != "select":
        raise ValidationError("This attribute is not a select attribute.")
    return attr


_Choice = TypeVar("_Choice", SelectOption, Status)


def _named_choice(choices: list[_Choice], wanted: str, noun: str) -> _Choice:
    """The select option or status (``noun``) named ``wanted`` by id or title, or the 404."""
    found = next((c for c in choices if wanted in (c.id, c.title)), None)
    if found is None:
        raise ValueNotFound(f'Cannot find {noun} with title or ID "{wanted}".')
    return found


def _new_title(data: JSON, choices: list[SelectOption] | list[Status], noun: str) -> str:
    """The title ``data`` gives a select option or status (``noun``), checked: a string no other choice of
    the attribute has."""
    _check_str(data, "title")
    if any(c.title == data["title"] for c in choices):
        raise SlugConflict(f'There is already another {noun} with the title "{data["title"]}".')
    title: str = data["title"]
    return title


@route("GET", "/v2/{target}/{identifier}/attributes/{attribute}/options", OBJ_R)
def list_options(req: Request) -> Response:
    kind, _ = _target(req)
    attr = req.ws.attribute(req.params["identifier"], req.params["attribute"], kind=kind)
    archived = _bool_param(req, "show_archived")
    opts = [o for o in attr.options if archived or not o.is_archived] if attr.type == "select" else []
    return json_response({"data": [attr.option_to_api(req.ws.id, o) for o in opts]})


@route("POST", "/v2/{target}/{identifier}/attributes/{attribute}/options", OBJ_W, write=True)
def create_option(req: Request) -> Response:
    attr = _choice_attr(req, "select")
    title = _new_title(data_of(req, "title"), attr.options, "select option")
    option = SelectOption(req.ws.make_id("option"), title)
    attr.options.append(option)
    req.ws.save_attribute(attr)
    return json_response({"data": attr.option_to_api(req.ws.id, option)})


@route("PATCH", "/v2/{target}/{identifier}/attributes/{attribute}/options/{option}", OBJ_W, write=True)
def patch_option(req: Request) -> Response:
    attr = _choice_attr(req, "select")
    option = _named_choice(attr.options, req.params["option"], "select option")
    data = data_of(req)
    if "title" in data and data["title"] != option.title:
        option.title = _new_title(data, attr.options, "select option")
    if "is_archived" in data:
        option.is_archived = bool(data["is_archived"])
    req.ws.save_attribute(attr)
    req.ws.rename_option_values(attr)
    return json_response({"data": attr.option_to_api(req.ws.id, option)})


@route("GET", "/v2/{target}/{identifier}/attributes/{attribute}/statuses", OBJ_R)
def list_statuses(req: Request) -> Response:
    attr = _choice_attr(req, "status")
    archived = _bool_param(req, "show_archived")
    return json_response(
        {"data": [attr.status_to_api(req.ws.id, s) for s in attr.statuses if archived or not s.is_archived]}
    )


@route("POST", "/v2/{target}/{identifier}/attributes/{attribute}/statuses", OBJ_W, write=True)
def create_status(req: Request) -> Response:
    attr = _choice_attr(req, "status")
    data = data_of(req, "title")
    title = _new_title(data, attr.statuses, "status")
    status = Status(
        req.ws.make_id("status"),
        title,
        celebration_enabled=bool(data.get("celebration_enabled", False)),
        target_time_in_status=data.get("target_time_in_status"),
    )
    attr.statuses.append(status)
    req.ws.save_attribute(attr)
    return json_response({"data": attr.status_to_api(req.ws.id, status)})


@route("PATCH", "/v2/{target}/{identifier}/attributes/{attribute}/statuses/{status}", OBJ_W, write=True)
def patch_status(req: Request) -> Response:
    attr = _choice_attr(req, "status")
    status = _named_choice(attr.statuses, req.params["status"], "status")
    data = data_of(req)
    if "title" in data and data["title"] != status.title:
        status.title = _new_title(data, attr.statuses, "status")
    for key in ("celebration_enabled", "target_time_in_status", "is_archived"):
        if key in data:
            setattr(status, key, data[key])
    req.ws.save_attribute(attr)
    req.ws.rename_option_values(attr)
    return json_response({"data": attr.status_to_api(req.ws.id, status)})


# ---------------------------------------------------------------------- records
def _query(req: Request, parent_id: str, score: float | None = None) -> Response:
    """Run a records or entries query; with a ``score``, first check it against the score limits (429) and
    count it in the workspace's window once answered."""
    body = req.body if req.body is not None else {}
    if not isinstance(body, dict):
        raise body_error([], "Expected object", expected="object", received=json_type(body))
    limit, offset = page(body, 500, None, in_body=True)
    predicate = compile_filter(req.ws, parent_id, body.get("filter"))
    sorts = body.get("sorts")
    if score is not None:
        _admit_query(req, score)
    container = req.ws.container(parent_id)
    if predicate is None and sorts is None:  # the export's case: a slice of the cached order
        chosen = container.ordered()[offset : offset + limit]
    else:
        items = [r for r in container.values() if predicate is None or predicate(r)]
        chosen = sort_records(req.ws, parent_id, items, sorts)[offset : offset + limit]
    if score is not None:
        req.scores.add(score)
    return _list_body([req.ws.record_bytes(r) for r in chosen])


def _query_score(req: Request, parent_id: str | None) -> float:
    """The score of this query (:func:`.config.query_score`); an unknown object or list holds no records."""
    body = req.body if isinstance(req.body, dict) else {}
    sorts = body.get("sorts")
    records = len(req.ws.container(parent_id)) if parent_id else 0
    return query_score(
        count_conditions(body.get("filter")),
        len(sorts) if isinstance(sorts, list) else 0,
        records,
        req.config.query_score_weights,
    )


def _score_text(score: float) -> str:
    return f"{score:.4f}".rstrip("0").rstrip(".")


def _admit_query(req: Request, score: float) -> None:
    """Attio's 429 for a query scoring over the per-query limit, or over what the window's budget has left."""
    cfg = req.config
    retry_after = ""
    if cfg.query_score_limit is not None and score > cfg.query_score_limit:
        retry_after = formatdate(int(time.time()) + 1, usegmt=True)
    elif cfg.query_score_budget is not None:
        retry_after = req.scores.retry_after(score, cfg.query_score_budget, cfg.query_score_window_s)
    if retry_after:
        raise RateLimited("Rate limit exceeded, please try again later", headers={"Retry-After": retry_after})


def _scored_query(req: Request, parent: Callable[[], str]) -> Response:
    """The query on the object or list ``parent()`` resolves; while query scores are on, every answer
    (including a 404, 400 or 429) carries ``x-attio-record-query-score``."""
    if not req.config.query_score_on:
        return _query(req, parent())
    parent_id: str | None = None
    try:
        parent_id = parent()
        response = _query(req, parent_id, _query_score(req, parent_id))
    except ApiError as err:
        err.headers[SCORE_HEADER] = _score_text(_query_score(req, parent_id))
        raise
    response.headers[SCORE_HEADER] = _score_text(_query_score(req, parent_id))
    return response


def _queried_object(req: Request) -> str:
    try:
        return req.ws.object(req.params["object"]).id
    except NotFound:
        raise NotFound("The referenced object was not found.") from None


@route("POST", "/v2/objects/{object}/records/query", REC_R, OBJ_R)
def query_records(req: Request) -> Response:
    return _scored_query(req, lambda: _queried_object(req))


def _values(data: JSON) -> Any:
    if "values" not in data:
        raise body_error(["data", "values"], "Required", expected="object", received="undefined")
    return data["values"]


@route("POST", "/v2/objects/{object}/records", REC_W, OBJ_R, write=True, conflicts=True)
def create_record_route(req: Request) -> Response:
    obj = req.ws.object(req.params["object"])
    values = _values(data_of(req))
    rec = create_record(req.ws, obj.id, values, req.actor, company_from_email=req.config.company_from_email)
    return _record_response(req, rec)


@route("PUT", "/v2/objects/{object}/records", REC_W, OBJ_R, write=True, conflicts=True)
def assert_record_route(req: Request) -> Response:
    obj = req.ws.object(req.params["object"])
    matching = req.query.get("matching_attribute")
    if not matching:
        raise query_error(["matching_attribute"], "Required", expected="string", received="undefined")
    rec = assert_record(
        req.ws,
        obj.id,
        matching,
        _values(data_of(req)),
        req.actor,
        company_from_email=req.config.company_from_email,
    )
    return _record_response(req, rec)


@route("GET", "/v2/objects/{object}/records/{record_id}", REC_R, OBJ_R)
def get_record(req: Request) -> Response:
    obj = req.ws.object(req.params["object"])
    return _record_response(req, req.ws.get_record(obj.id, req.params["record_id"]))


@route("PATCH", "/v2/objects/{object}/records/{record_id}", REC_W, OBJ_R, write=True, conflicts=True)
def patch_record(req: Request) -> Response:
    obj = req.ws.object(req.params["object"])
    rec = req.ws.get_record(obj.id, req.params["record_id"])
    return _record_response(req, update_record(req.ws, rec, _values(data_of(req)), req.actor, replace=False))


@route("PUT", "/v2/objects/{object}/records/{record_id}", REC_W, OBJ_R, write=True, conflicts=True)
def put_record(req: Request) -> Response:
    obj = req.ws.object(req.params["object"])
    rec = req.ws.get_record(obj.id, req.params["record_id"])
    return _record_response(req, update_record(req.ws, rec, _values(data_of(req)), req.actor, replace=True))


@route("DELETE", "/v2/objects/{object}/records/{record_id}", REC_W, OBJ_R, write=True)
def delete_record_route(req: Request) -> Response:
    obj = req.ws.object(req.params["object"])
    delete_record(req.ws, req.ws.get_record(obj.id, req.params["record_id"]), req.actor)
    return json_response({})


@route("GET", "/v2/objects/{object}/records/{record_id}/attributes/{attribute}/values", REC_R, OBJ_R)
def record_values(req: Request) -> Response:
    obj = req.ws.object(req.params["object"])
    rec = req.ws.get_record(obj.id, req.params["record_id"])
    attr = req.ws.attribute(obj.id, req.params["attribute"])
    historic = _show_historic(req, attr)
    limit, offset = page(req.query, 10**9, None)
    return json_response(
        {"data": historic_values(rec, attr, show_historic=historic)[offset : offset + limit]}
    )


def _show_historic(req: Request, attr: Attribute) -> bool:
    """The ``show_historic`` parameter, refused (400) for interaction (COMINT) and enriched attributes."""
    historic = _bool_param(req, "show_historic")
    if historic and attr.type == "interaction":
        raise ValidationError("Cannot set show_historic param to true when querying a COMINT attribute.")
    if historic and req.ws.is_enriched(attr):
        raise ValidationError("Cannot set show_historic param to true when querying an enriched attribute.")
    return historic


@route(
    "PUT",
    "/v2/objects/{object}/records/{record_id}/attributes/{attribute}/values",
    REC_W,
    OBJ_R,
    write=True,
    endpoint="history_write",
)
def write_record_values(req: Request) -> Response:
    """Replace an attribute's whole value history (2026 sheet §3; see :mod:`.history`)."""
    obj = req.ws.object(req.params["object"])
    rec = req.ws.get_record(obj.id, req.params["record_id"])
    attr = req.ws.attribute(obj.id, req.params["attribute"])
    return json_response({"data": write_history(req.ws, rec, attr, req.body, req.actor)})


@route("GET", "/v2/objects/{object}/records/{record_id}/entries", REC_R, ENTRY_R)
def record_entries(req: Request) -> Response:
    obj = req.ws.object(req.params["object"])
    rec = req.ws.get_record(obj.id, req.params["record_id"])
    limit, offset = page(req.query, 100, 1000)
    found = [
        {"list_id": li.id, "list_api_slug": li.api_slug, "entry_id": e.id, "created_at": e.created_at}
        for li in req.ws.lists.values()
        for e in req.ws.entries[li.id].values()
        if e.parent_record_id == rec.id
    ]
    return json_response({"data": found[offset : offset + limit]})


@route(
    "POST", "/v2/objects/{object}/records/merge", REC_W, OBJ_R, write=True, bucket="merge", endpoint="merge"
)
def merge_route(req: Request) -> Response:
    obj = req.ws.object(req.params["object"])
    data = data_of(req, "primary_record_id", "secondary_record_id")
    _check_str(data, "primary_record_id")
    _check_str(data, "secondary_record_id")
    new_id, done = merge_records(
        req.ws,
        obj.id,
        data["primary_record_id"],
        data["secondary_record_id"],
        req.actor,
        req.config.merge_delay_ms / 1000,
    )
    return json_response({"data": {"new_record_id": new_id}}, 200 if done else 202)


@route("POST", "/v2/objects/records/search", REC_R, OBJ_R)
def search_route(req: Request) -> Response:
    body = req.body
    if not isinstance(body, dict):
        raise body_error([], "Expected object", expected="object", received=json_type(body))
    for key in ("query", "objects", "request_as"):
        if key not in body:
            raise body_error([key], "Required", received="undefined")
    if not isinstance(body["query"], str):
        raise body_error(["query"], "Expected string")
    objs = body["objects"]
    if not isinstance(objs, list) or not objs:
        raise body_error(["objects"], "At least one object is required.")
    ids = _object_ids(req, objs)
    request_as = body["request_as"]
    if not isinstance(request_as, dict) or request_as.get("type") not in ("workspace", "workspace-member"):
        raise body_error(["request_as"], "request_as must be {type: workspace} or a workspace member.")
    limit = _int(body.get("limit"), "limit", 25, minimum=1, maximum=25)
    return json_response({"data": search_records(req.ws, body["query"], ids, limit)})


# ---------------------------------------------------------------------- lists and entries
@route("GET", "/v2/lists", LIST_R)
def list_lists(req: Request) -> Response:
    return json_response({"data": [req.ws.list_to_api(li) for li in req.ws.lists.values()]})


@route("POST", "/v2/lists", LIST_W, write=True)
def create_list(req: Request) -> Response:
    data = data_of(req, "name", "api_slug", "parent_object", "workspace_access", "workspace_member_access")
    _check_str(data, "name")
    _check_str(data, "api_slug")
    _check_str(data, "parent_object")
    if data["workspace_access"] not in ("full-access", "read-and-write", "read-only", None):
        raise body_error(["data", "workspace_access"], "Invalid enum value.")
    grants = data["workspace_member_access"]
    if not isinstance(grants, list):
        raise body_error(["data", "workspace_member_access"], "Expected array")
    for i, grant in enumerate(grants):
        if not isinstance(grant, dict) or not isinstance(grant.get("workspace_member_id"), str):
            raise body_error(["data", "workspace_member_access", i, "workspace_member_id"], "Expected string")
        if grant.get("level") not in ("full-access", "read-and-write", "read-only"):
            raise body_error(["data", "workspace_member_access", i, "level"], "Invalid enum value.")
    li = req.ws.create_list(
        data["name"],
        data["api_slug"],
        data["parent_object"],
        data["workspace_access"],
        data["workspace_member_access"],
        req.actor,
    )
    return json_response({"data": req.ws.list_to_api(li)})


@route("GET", "/v2/lists/{list}", LIST_R)
def get_list(req: Request) -> Response:
    return json_response({"data": req.ws.list_to_api(req.ws.list_def(req.params["list"]))})


@route("PATCH", "/v2/lists/{list}", LIST_W, write=True)
def patch_list(req: Request) -> Response:
    li = req.ws.list_def(req.params["list"])
    data = data_of(req)
    if "parent_object" in data:
        raise ApiError("The parent object of a list cannot be changed.", code="immutable_value")
    if (
        "api_slug" in data
        and data["api_slug"] != li.api_slug
        and any(x.api_slug == data["api_slug"] for x in req.ws.lists.values())
    ):
        raise SlugConflict(f'A list with the API slug "{data["api_slug"]}" already exists.')
    for key in ("name", "api_slug", "workspace_access", "workspace_member_access"):
        if key in data:
            setattr(li, key, data[key])
    req.ws.save_list(li)
    return json_response({"data": req.ws.list_to_api(li)})


@route("POST", "/v2/lists/{list}/entries/query", ENTRY_R, LIST_R)
def query_entries(req: Request) -> Response:
    return _scored_query(req, lambda: req.ws.list_def(req.params["list"]).id)


def _write_entry(req: Request, write: Callable[..., Record]) -> Response:
    """The entry the body describes, written into the list by ``write`` (:func:`create_entry` or
    :func:`assert_entry`)."""
    li = req.ws.list_def(req.params["list"])
    data = data_of(req, "parent_record_id", "parent_object", "entry_values")
    _check_str(data, "parent_record_id")
    _check_str(data, "parent_object")
    parent_object, parent_record_id = data["parent_object"], data["parent_record_id"]
    entry = write(req.ws, li.id, parent_object, parent_record_id, data["entry_values"], req.actor)
    return _record_response(req, entry)


@route("POST", "/v2/lists/{list}/entries", ENTRY_W, LIST_R, write=True)
def create_entry_route(req: Request) -> Response:
    return _write_entry(req, create_entry)


@route("PUT", "/v2/lists/{list}/entries", ENTRY_W, LIST_R, write=True)
def assert_entry_route(req: Request) -> Response:
    return _write_entry(req, assert_entry)


@route("GET", "/v2/lists/{list}/entries/{entry_id}", ENTRY_R, LIST_R)
def get_entry(req: Request) -> Response:
    li = req.ws.list_def(req.params["list"])
    return _record_response(req, req.ws.get_entry(li.id, req.params["entry_id"]))


def _update_entry(req: Request, *, replace: bool) -> Response:
    li = req.ws.list_def(req.params["list"])
    entry = req.ws.get_entry(li.id, req.params["entry_id"])
    data = data_of(req, "entry_values")
    if "parent_record_id" in data and data["parent_record_id"] != entry.parent_record_id:
        raise ApiError("The parent record of an entry cannot be changed.", code="immutable_value")
    return _record_response(
        req, update_record(req.ws, entry, data["entry_values"], req.actor, replace=replace, kind="entry")
    )


@route("PATCH", "/v2/lists/{list}/entries/{entry_id}", ENTRY_W, LIST_R, write=True)
def patch_entry(req: Request) -> Response:
    return _update_entry(req, replace=False)


@route("PUT", "/v2/lists/{list}/entries/{entry_id}", ENTRY_W, LIST_R, write=True)
def put_entry(req: Request) -> Response:
    return _update_entry(req, replace=True)


@route("DELETE", "/v2/lists/{list}/entries/{entry_id}", ENTRY_W, LIST_R, write=True)
def delete_entry(req: Request) -> Response:
    li = req.ws.list_def(req.params["list"])
    req.ws.remove_record(req.ws.get_entry(li.id, req.params["entry_id"]), "entry")
    return json_response({})


@route("GET", "/v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values", ENTRY_R, LIST_R)
def entry_values(req: Request) -> Response:
    li = req.ws.list_def(req.params["list"])
    entry = req.ws.get_entry(li.id, req.params["entry_id"])
    attr = req.ws.attribute(li.id, req.params["attribute"], kind="lists")
    historic = _show_historic(req, attr)
    limit, offset = page(req.query, 10**9, None)
    values = historic_values(entry, attr, show_historic=historic)
    return json_response({"data": values[offset : offset + limit]})


@route(
    "PUT",
    "/v2/lists/{list}/entries/{entry_id}/attributes/{attribute}/values",
    ENTRY_W,
    LIST_R,
    write=True,
    endpoint="history_write",
)
def write_entry_values(req: Request) -> Response:
    """Replace a list attribute's whole value history on one entry (2026 sheet §3; see :mod:`.history`)."""
    li = req.ws.list_def(req.params["list"])
    entry = req.ws.get_entry(li.id, req.params["entry_id"])
    if req.params["attribute"] == ENTRY_PARENT:
        read_body(req.body)  # the schema is checked first, as for any attribute
        raise refuse_entry_parent()
    attr = req.ws.attribute(li.id, req.params["attribute"], kind="lists")
    return json_response({"data": write_history(req.ws, entry, attr, req.body, req.actor, kind="entry")})


# ---------------------------------------------------------------------- notes
def markdown_to_plain(markdown: str) -> str:
    text = re.sub(r"^#{1,3}\s+", "", markdown, flags=re.M)
    text = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", text, flags=re.M)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|~~|==)(.+?)\1", r"\2", text)
    return re.sub(r"(?<![*\w])[*_](\S(?:.*?\S)?)[*_](?![*\w])", r"\1", text)


def plain_to_markdown(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]#+\-!=~|>])", r"\\\1", text)


def _rendered(content: str, content_format: str) -> tuple[str, str]:
    """A note's ``content_plaintext`` and ``content_markdown`` from content in ``content_format``."""
    if content_format == "markdown":
        return markdown_to_plain(content), content
    return content, plain_to_markdown(content)


def _check_format(data: JSON) -> None:
    if data.get("format") not in ("plaintext", "markdown"):
        raise body_error(["data", "format"], "Invalid enum value. Expected 'plaintext' | 'markdown'.")


def _check_content_size(content: str) -> None:
    """Attio's 413 ``validation_type`` for content over :data:`NOTE_CONTENT_MAX_BYTES`."""
    size = len(content.encode())
    if size > NOTE_CONTENT_MAX_BYTES:
        raise ValidationError(
            f"Note content is too large ({size} bytes); at most {NOTE_CONTENT_MAX_BYTES} bytes are accepted.",
            status_code=413,
        )


@route("GET", "/v2/notes", NOTE_R, OBJ_R, REC_R)
def list_notes(req: Request) -> Response:
    limit, offset = page(req.query, 10, 50)
    parent_object = req.query.get("parent_object")
    parent_record = req.query.get("parent_record_id")
    notes = req.ws.notes.values()
    if parent_object:
        obj_id = req.ws.object(parent_object).id
        notes = [n for n in notes if n.parent_object_id == obj_id]  # type: ignore[assignment]
    if parent_record:
        notes = [n for n in notes if n.parent_record_id == parent_record]  # type: ignore[assignment]
    chosen = (
        list(notes)[offset : offset + limit]
        if (parent_object or parent_record)
        else req.ws.notes.ordered()[offset : offset + limit]
    )
    return json_response({"data": [req.ws.note_to_api(n) for n in chosen]})


@route("POST", "/v2/notes", NOTE_W, OBJ_R, REC_R, write=True)
def create_note(req: Request) -> Response:
    data = data_of(req, "parent_object", "parent_record_id", "title", "format", "content")
    for key in ("parent_object", "parent_record_id", "title", "content"):
        _check_str(data, key)
    _check_format(data)
    _check_content_size(data["content"])
    obj = req.ws.object(data["parent_object"])
    if not req.ws.record_exists(obj.id, data["parent_record_id"]):
        raise NotFound(f'Record with ID "{data["parent_record_id"]}" not found.')
    created = now_ts()
    if data.get("created_at") is not None:
        _check_str(data, "created_at")
        try:
            moment = parse_ts(data["created_at"])
        except ValueError:
            raise body_error(["data", "created_at"], "Invalid ISO 8601 timestamp.") from None
        if moment < datetime(1970, 1, 1, tzinfo=UTC) or moment > datetime.now(UTC):
            raise ValidationError("created_at must be between 1970-01-01 and now.")
        created = format_ts(moment)
    meeting_id = data.get("meeting_id")
    if meeting_id is not None:
        _check_str(data, "meeting_id")
    plain, markdown = _rendered(data["content"], data["format"])
    note = Note(
        id=req.ws.make_id("note"),
        parent_object_id=obj.id,
        parent_record_id=data["parent_record_id"],
        title=data["title"],
        content_plaintext=plain,
        content_markdown=markdown,
        created_by_actor=req.actor,
        created_at=created,
        meeting_id=meeting_id,
        seq=req.ws.next_seq(),
    )
    req.ws.notes[note.id] = note
    req.ws.save_note(note)
    return json_response({"data": req.ws.note_to_api(note)})


def _note(req: Request) -> Note:
    note = req.ws.notes.get(req.params["note_id"])
    if note is None:
        raise NotFound(f'Note with ID "{req.params["note_id"]}" was not found.')
    return note


@route("GET", "/v2/notes/{note_id}", NOTE_R, OBJ_R, REC_R)
def get_note(req: Request) -> Response:
    return json_response({"data": req.ws.note_to_api(_note(req))})


@route("PATCH", "/v2/notes/{note_id}", NOTE_W, OBJ_R, REC_R, write=True, endpoint="note_update")
def patch_note(req: Request) -> Response:
    """Update a note's ``title`` and/or body (2026 sheet §2); its parent, meeting, tags and creation stay.

    ``format`` without ``content`` is 400 ``validation_type``; ``content`` without ``format`` is taken as
    ``plaintext`` (a client sending ``format`` with every ``content``, as the sheet advises, never meets
    this default). New content replaces the whole body, re-rendered as create renders it; over
    :data:`NOTE_CONTENT_MAX_BYTES` it is 413. Any other key in ``data`` is 400.
    """
    note = _note(req)
    data = data_of(req)
    _check_note_update(data)
    if "content" in data:
        plain, markdown = _rendered(data["content"], data.get("format", "plaintext"))
        note.content_plaintext, note.content_markdown = plain, markdown
    if "title" in data:
        note.title = data["title"]
    req.ws.save_note(note)
    return json_response({"data": req.ws.note_to_api(note)})


def _check_note_update(data: JSON) -> None:
    """The 400 (or 413) for a note update's ``data`` that breaks the rules of :func:`patch_note`."""
    reject_unknown_keys(["data"], data, NOTE_UPDATE_FIELDS)
    for key in ("title", "content"):
        if key in data:
            _check_str(data, key)
    if "format" in data:
        _check_format(data)
        if "content" not in data:
            raise body_error(
                ["data", "content"],
                "content is required when format is given.",
                expected="string",
                received="undefined",
            )
    if "content" in data:
        _check_content_size(data["content"])


@route("DELETE", "/v2/notes/{note_id}", NOTE_W, write=True)
def delete_note(req: Request) -> Response:
    note = _note(req)
    del req.ws.notes[note.id]
    req.ws.store.delete("notes", note.id)
    return json_response({})


# ---------------------------------------------------------------------- tasks
def _links(req: Request, raw: Any) -> list[JSON]:
    if not isinstance(raw, list):
        raise body_error(["data", "linked_records"], "Expected array")
    out = []
    for item in raw:
        if not isinstance(item, dict) or "target_object" not in item:
            raise body_error(["data", "linked_records"], "Each linked record needs target_object.")
        obj_id = req.ws.object_id_for(str(item["target_object"]))
        if obj_id is None:
            raise ValidationError("Only standard or custom object records can be linked to.")
        if "target_record_id" in item:
            record_id = item["target_record_id"]
            if not req.ws.record_exists(obj_id, str(record_id)):
                raise NotFound(f'Record with ID "{record_id}" not found.')
        else:
            matchers = [k for k in item if k != "target_object"]
            given = item[matchers[0]] if len(matchers) == 1 else None
            found = (
                req.ws.find_record_by_unique(obj_id, matchers[0], given[0])
                if isinstance(given, list) and given
                else None
            )
            if found is None:
                raise ValueNotFound("The linked record could not be found by its matching attribute.")
            record_id = found
        out.append({"target_object_id": obj_id, "target_record_id": record_id})
    return out


def _assignees(req: Request, raw: Any) -> list[JSON]:
    if not isinstance(raw, list):
        raise body_error(["data", "assignees"], "Expected array")
    out = []
    for item in raw:
        member = None
        if isinstance(item, dict) and "workspace_member_email_address" in item:
            member = req.ws.member_by_email(str(item["workspace_member_email_address"]))
        elif isinstance(item, dict) and item.get("referenced_actor_type") == "workspace-member":
            member = req.ws.member_by_id(str(item.get("referenced_actor_id")))
        else:
            raise body_error(["data", "assignees"], "Invalid assignee.")
        if member is None:
            raise ValueNotFound("Workspace member not found.")
        out.append({"referenced_actor_type": "workspace-member", "referenced_actor_id": member.id})
    return out


def _deadline(raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise body_error(["data", "deadline_at"], "Expected string or null")
    try:
        return format_ts(parse_ts(raw))
    except ValueError:
        raise body_error(["data", "deadline_at"], "Invalid ISO 8601 timestamp.") from None


@route("GET", "/v2/tasks", TASK_R, OBJ_R, REC_R, USERS_R)
def list_tasks(req: Request) -> Response:
    limit, offset = page(req.query, 500, None)
    tasks = list(req.ws.tasks.values())
    sort = req.query.get("sort", "created_at:asc")
    if sort not in ("created_at:asc", "created_at:desc", "completed_at:asc", "completed_at:desc"):
        raise query_error(["sort"], "Invalid enum value.", expected="created_at:asc | created_at:desc | …")
    linked_object, linked_record = req.query.get("linked_object"), req.query.get("linked_record_id")
    if bool(linked_object) != bool(linked_record):
        missing = "linked_record_id" if linked_object else "linked_object"
        raise query_error(
            [missing], "linked_object and linked_record_id must be given together.", received="undefined"
        )
    if linked_object and linked_record:
        obj_id = req.ws.object(linked_object).id
        tasks = [
            t
            for t in tasks
            if any(
                lr["target_object_id"] == obj_id and lr["target_record_id"] == linked_record
                for lr in t.linked_records
            )
        ]
    if "assignee" in req.query:
        who = req.query["assignee"]
        if who in ("", "null"):
            tasks = [t for t in tasks if not t.assignees]
        else:
            member = req.ws.member_by_email(who) or req.ws.member_by_id(who)
            member_id = member.id if member else who
            tasks = [t for t in tasks if any(a["referenced_actor_id"] == member_id for a in t.assignees)]
    if "is_completed" in req.query:
        done = _bool_param(req, "is_completed")
        tasks = [t for t in tasks if t.is_completed == done]
    field, direction = sort.split(":")
    tasks.sort(
        key=lambda t: (getattr(t, field) is None, getattr(t, field) or "", t.seq), reverse=direction == "desc"
    )
    return json_response({"data": [req.ws.task_to_api(t) for t in tasks[offset : offset + limit]]})


@route("POST", "/v2/tasks", TASK_W, OBJ_R, REC_R, USERS_R, write=True)
def create_task(req: Request) -> Response:
    data = data_of(req, "content", "format", "deadline_at", "is_completed", "linked_records", "assignees")
    _check_str(data, "content")
    if len(data["content"]) > 2000:
        raise body_error(["data", "content"], "Task content is limited to 2000 characters.")
    if data["format"] != "plaintext":
        raise body_error(["data", "format"], "Invalid enum value. Expected 'plaintext'.")
    if not isinstance(data["is_completed"], bool):
        raise body_error(["data", "is_completed"], "Expected boolean")
    created = now_ts()
    task = Task(
        id=req.ws.make_id("task"),
        content_plaintext=data["content"],
        deadline_at=_deadline(data["deadline_at"]),
        is_completed=data["is_completed"],
        linked_records=_links(req, data["linked_records"]),
        assignees=_assignees(req, data["assignees"]),
        created_by_actor=req.actor,
        created_at=created,
        completed_at=created if data["is_completed"] else None,
        seq=req.ws.next_seq(),
    )
    req.ws.tasks[task.id] = task
    req.ws.save_task(task)
    return json_response({"data": req.ws.task_to_api(task)})


def _task(req: Request) -> Task:
    task = req.ws.tasks.get(req.params["task_id"])
    if task is None:
        raise NotFound(f'Task with ID "{req.params["task_id"]}" not found.')
    return task


@route("GET", "/v2/tasks/{task_id}", TASK_R, OBJ_R, REC_R, USERS_R)
def get_task(req: Request) -> Response:
    return json_response({"data": req.ws.task_to_api(_task(req))})


@route("PATCH", "/v2/tasks/{task_id}", TASK_W, OBJ_R, REC_R, USERS_R, write=True)
def patch_task(req: Request) -> Response:
    task = _task(req)
    data = data_of(req)
    frozen = set(data) - {"deadline_at", "is_completed", "linked_records", "assignees"}
    if frozen:
        raise body_error(
            ["data", sorted(frozen)[0]],
            "Only deadline_at, is_completed, linked_records and assignees can change.",
        )
    if "deadline_at" in data:
        task.deadline_at = _deadline(data["deadline_at"])
    if "is_completed" in data:
        if not isinstance(data["is_completed"], bool):
            raise body_error(["data", "is_completed"], "Expected boolean")
        if data["is_completed"] and not task.is_completed:
            task.completed_at = now_ts()
        elif not data["is_completed"]:
            task.completed_at = None
        task.is_completed = data["is_completed"]
    if "linked_records" in data:
        task.linked_records = _links(req, data["linked_records"])
    if "assignees" in data:
        task.assignees = _assignees(req, data["assignees"])
    req.ws.save_task(task)
    return json_response({"data": req.ws.task_to_api(task)})


@route("DELETE", "/v2/tasks/{task_id}", TASK_W, write=True)
def delete_task(req: Request) -> Response:
    task = _task(req)
    del req.ws.tasks[task.id]
    req.ws.store.delete("tasks", task.id)
    return json_response({})
