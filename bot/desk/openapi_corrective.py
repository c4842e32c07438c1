"""The OpenAPI description of the corrective-actions register
(`bot/desk/corrective_actions_api.py`); merged into the desk's document by
`bot/desk/openapi.py`."""

from __future__ import annotations

from typing import Any

from bot.desk.openapi_parts import UNAUTHORISED, _body, _error, _ok, _ref
from bot.rules import input_bounds as bounds
from bot.rules.labels import CORRECTIVE_ACTION_STATUSES, CORRECTIVE_ACTION_TYPES

STAFF = [{"staffToken": []}]
ROUTE = "/api/corrective-actions"
NO_ACTION = _error("no corrective action with this id")
BAD = _error("malformed, an unknown field, or a field outside its bounds (named)")
ACTION_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": f"action id: 1..{bounds.MAX_HANDOFF_ID} (more than 18 digits is a 404)",
    "schema": {"type": "integer", "minimum": 1, "maximum": bounds.MAX_HANDOFF_ID},
}
_TYPES = {"type": "string", "enum": list(CORRECTIVE_ACTION_TYPES)}
_STATUSES = {"type": "string", "enum": list(CORRECTIVE_ACTION_STATUSES)}
_ACTOR = {
    "type": "string",
    "maxLength": bounds.MAX_ACTOR,
    "description": "who records or changes it (default `staff`)",
}
_SUBJECT = {"type": "string", "maxLength": bounds.MAX_ACTION_SUBJECT}
_DATE = {"type": "string", "format": "date", "nullable": True}
_INSTANT = {"type": "string", "format": "date-time", "nullable": True}

PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "status",
        "in": "query",
        "description": "one or several statuses, separated by commas (any of them)",
        "schema": {"type": "string", "example": "planned,in_progress"},
    },
    {
        "name": "type",
        "in": "query",
        "description": "one or several types, separated by commas (any of them)",
        "schema": {"type": "string", "example": "technical"},
    },
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": bounds.MAX_PAGE, "default": 1},
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": bounds.MAX_PER_PAGE,
            "default": bounds.DEFAULT_PER_PAGE,
        },
    },
]

SCHEMAS: dict[str, Any] = {
    "CorrectiveActionInput": {
        "type": "object",
        "description": "an entity, a theme or both; no other field",
        "required": ["type", "description"],
        "additionalProperties": False,
        "properties": {
            "entity": {**_SUBJECT, "description": "the government entity it is about"},
            "theme": {**_SUBJECT, "description": "the theme it is about (when not an entity)"},
            "type": _TYPES,
            "status": {**_STATUSES, "default": "planned"},
            "description": {
                "type": "string",
                "minLength": 1,
                "maxLength": bounds.MAX_ACTION_DESCRIPTION,
                "description": "what the action is (Arabic)",
            },
            "actor": _ACTOR,
        },
    },
    "CorrectiveActionStatus": {
        "type": "object",
        "required": ["status"],
        "additionalProperties": False,
        "properties": {"status": _STATUSES, "actor": _ACTOR},
    },
    "CorrectiveAction": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "entity": {**_SUBJECT, "nullable": True},
            "theme": {**_SUBJECT, "nullable": True},
            "type": _TYPES,
            "type_label": {"type": "string", "description": "the type in Arabic"},
            "status": _STATUSES,
            "status_label": {"type": "string", "description": "the status in Arabic"},
            "description": {"type": "string"},
            "created_by": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_by": {"type": "string"},
            "updated_at": {"type": "string", "format": "date-time"},
            "started_at": {**_INSTANT, "description": "first in progress (or done)"},
            "done_at": {**_INSTANT, "description": "done (None while it is not)"},
            "recorded_on": {"type": "string", "format": "date", "description": "Riyadh day"},
            "started_on": _DATE,
            "done_on": _DATE,
        },
    },
    "CorrectiveActionList": {
        "type": "object",
        "properties": {
            "actions": {"type": "array", "items": _ref("CorrectiveAction")},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer", "description": "every page"},
            "choices": {
                "type": "object",
                "description": "the types and statuses: codes to send, Arabic names to show",
                "additionalProperties": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"value": {"type": "string"}, "label": {"type": "string"}},
                    },
                },
            },
        },
    },
}


def paths() -> dict[str, Any]:
    return {
        ROUTE: {
            "get": {
                "tags": ["staff"],
                "summary": "The corrective-actions register, in the order recorded; filtered by"
                " status and type, paged",
                "security": STAFF,
                "parameters": PARAMETERS,
                "responses": {
                    "200": _ok("one page of the register", _ref("CorrectiveActionList")),
                    "400": _error("an unknown or repeated parameter, or a bad value (named)"),
                    "401": UNAUTHORISED,
                },
            },
            "post": {
                "tags": ["staff"],
                "summary": "Record a corrective action against an entity or a theme",
                "security": STAFF,
                "requestBody": _body(_ref("CorrectiveActionInput")),
                "responses": {
                    "201": _ok("recorded", _ref("CorrectiveAction")),
                    "400": BAD,
                    "401": UNAUTHORISED,
                    "409": _error(f"the register is full ({bounds.MAX_CORRECTIVE_ACTIONS})"),
                    "413": _error(f"body over {bounds.MAX_BODY_BYTES} bytes"),
                },
            },
        },
        ROUTE + "/{id}": {
            "get": {
                "tags": ["staff"],
                "summary": "Read a corrective action",
                "security": STAFF,
                "parameters": [ACTION_ID],
                "responses": {
                    "200": _ok("the action", _ref("CorrectiveAction")),
                    "401": UNAUTHORISED,
                    "404": NO_ACTION,
                },
            },
            "patch": {
                "tags": ["staff"],
                "summary": "Change a corrective action's status (planned, in progress, done)",
                "description": "Done sets `done_at`; leaving done clears it; the first move"
                " out of planned sets `started_at`. The same status again changes nothing.",
                "security": STAFF,
                "parameters": [ACTION_ID],
                "requestBody": _body(_ref("CorrectiveActionStatus")),
                "responses": {
                    "200": _ok("the action after the change", _ref("CorrectiveAction")),
                    "400": BAD,
                    "401": UNAUTHORISED,
                    "404": NO_ACTION,
                },
            },
        },
    }
