"""The OpenAPI 3 description of the desk's APIs, served at `GET /api/openapi.json`.

The staff API (bearer `BALAGH_STAFF_TOKEN`), the agents' API (a session token from
`POST /api/agents/login`), the supervisors' report (a supervisor's session) and the
operations endpoints (health, readiness, metrics). `tests/unit/test_openapi.py` checks that
every route of the desk's router is described here and that every path described exists.
The pages (`/console`, `/console/supervisors`, their `/console/assets/...`, `/widget/...`) are
not APIs and are left out.
"""

from __future__ import annotations

from typing import Any

from bot.desk import openapi_corrective, openapi_inbox, openapi_live
from bot.desk.openapi_parts import (
    AGENT,
    BAD,
    HANDOFF_ID,
    NO_HANDOFF,
    UNAUTHORISED,
    _body,
    _error,
    _json,
    _ok,
    _ref,
)
from bot.rules import input_bounds as bounds
from bot.rules.beneficiary import KINDS as BENEFICIARY_KINDS
from bot.rules.input_bounds import DEFAULT_PER_PAGE, MAX_ENTITY, MAX_PAGE, MAX_PER_PAGE
from bot.rules.lifecycle import REPORT_TYPES, STATUSES

OPENAPI_PATH = "/api/openapi.json"
VERSION = "1"


TOO_LARGE = _error(f"body over {bounds.MAX_BODY_BYTES} bytes")
NO_REPORT = _error("no report with this number")
NOT_HELD = _error("this agent does not hold the conversation (or it was taken or ended)")
BRIDGE = _error("Rasa's hand-off bridge failed")

NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "description": "report number: 9 ASCII digits (anything else is a 404)",
    "schema": {"type": "string", "pattern": "^[0-9]{9}$"},
}
STAFF = [{"staffToken": []}]


def _flag(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "description": description,
        "schema": {"type": "string", "enum": ["true", "false"], "default": "false"},
    }


# The lists of reports (`GET /api/reports`, `GET /api/supervisors/reports`): every filter
# given must hold; an unknown or repeated parameter, or a bad value, is a 400 naming it.
LIST_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "status",
        "in": "query",
        "description": "one or several statuses, separated by commas (any of them)",
        "schema": {"type": "string", "example": "received,under_review"},
    },
    {"name": "type", "in": "query", "schema": {"type": "string", "enum": list(REPORT_TYPES)}},
    {
        "name": "entity",
        "in": "query",
        "description": "the entity as filed (the catalogue's name) or its catalogue key;"
        " compared on normalised Arabic",
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_ENTITY},
    },
    _flag(
        "overdue",
        "true: not settled and past its answer date (a report waiting in missing data is not:"
        " the clock stops)",
    ),
    _flag(
        "awaiting_first_review",
        "true: still `received` more than one working day after the day it was filed (the"
        " guide: the missing-data notice within the first day); weekends and holidays skipped",
    ),
    _flag(
        "needs_attention",
        "true: waiting in missing data while its missing-data notice reached nobody",
    ),
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PER_PAGE,
            "default": DEFAULT_PER_PAGE,
        },
    },
]

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}},
    },
    "Report": {
        "type": "object",
        "required": ["number", "type", "status", "channel", "created_at", "due_at"],
        "properties": {
            "number": {"type": "string", "pattern": "^[0-9]{9}$"},
            "type": {"type": "string", "enum": list(REPORT_TYPES)},
            "status": {"type": "string", "enum": list(STATUSES)},
            "status_label": {"type": "string", "description": "the status in Arabic"},
            "channel": {"type": "string", "description": "where it was filed"},
            "created_at": {"type": "string", "format": "date-time"},
            "due_at": {"type": "string", "format": "date", "description": "answer due by"},
            "latest_note": {"type": "string", "nullable": True},
            "entity": {"type": "string", "nullable": True},
            "service": {"type": "string", "nullable": True},
            "beneficiary_kind": {
                "type": "string",
                "enum": list(BENEFICIARY_KINDS),
                "description": "who filed (reports from before 0.13: citizen or resident)",
            },
            "beneficiary_kind_label": {"type": "string", "description": "who filed, in Arabic"},
            "organisation_name": {"type": "string", "nullable": True},
            "implementation_time": {
                "type": "string",
                "nullable": True,
                "description": "when an accepted request will be implemented",
            },
        },
    },
    "ReportWithNotices": {
        "allOf": [
            {"$ref": "#/components/schemas/Report"},
            {
                "type": "object",
                "required": ["history", "notices", "attention", "reopen_request"],
                "properties": {
                    "history": {
                        "type": "array",
                        "description": "every status change, update and correction, oldest"
                        " first",
                        "items": {
                            "type": "object",
                            "properties": {
                                "status": {"type": "string"},
                                "status_label": {"type": "string"},
                                "note": {"type": "string", "nullable": True},
                                "actor": {"type": "string"},
                                "at": {"type": "string", "format": "date-time"},
                            },
                        },
                    },
                    "reopen_request": {
                        "allOf": [{"$ref": "#/components/schemas/ReopenRequest"}],
                        "nullable": True,
                        "description": "the beneficiary's latest request to reopen it",
                    },
                    "notices": {
                        "type": "array",
                        "description": "every notice of the report, route by route",
                        "items": {"$ref": "#/components/schemas/Notice"},
                    },
                    "attention": {
                        "type": "string",
                        "nullable": True,
                        "enum": ["missing_data_notice_not_delivered", None],
                        "description": "what needs the staff: the missing-data notice reached"
                        " nobody (the 48 hours have not started)",
                    },
                },
            },
        ]
    },
    "ReopenRequest": {
        "type": "object",
        "required": ["reason", "requested_at", "decision"],
        "properties": {
            "reason": {"type": "string"},
            "requested_at": {"type": "string", "format": "date-time"},
            "decision": {"type": "string", "nullable": True, "enum": ["accept", "refuse", None]},
            "decision_note": {"type": "string", "nullable": True},
            "decided_at": {"type": "string", "format": "date-time", "nullable": True},
        },
    },
    "ReopenDecision": {
        "type": "object",
        "required": ["decision"],
        "properties": {
            "decision": {"type": "string", "enum": ["accept", "refuse"]},
            "note": {
                "type": "string",
                "maxLength": bounds.MAX_NOTE,
                "description": "required for `refuse`: the reasons (sent to the beneficiary)",
            },
            "actor": {"type": "string", "maxLength": bounds.MAX_ACTOR},
        },
    },
    "ListedReport": {
        "allOf": [
            {"$ref": "#/components/schemas/Report"},
            {
                "type": "object",
                "required": ["type_label", "filed_on"],
                "properties": {
                    "type_label": {"type": "string", "description": "the type in Arabic"},
                    "filed_on": {
                        "type": "string",
                        "format": "date",
                        "description": "the day it was filed, in the centre's time zone",
                    },
                },
            },
        ]
    },
    "ReportList": {
        "type": "object",
        "required": ["reports", "page", "per_page", "total"],
        "properties": {
            "reports": {
                "type": "array",
                "description": "this page's reports, oldest first (filed, then id)",
                "items": {"$ref": "#/components/schemas/ListedReport"},
            },
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "description": "how many match, on every page"},
        },
    },
    "SupervisorReportList": {
        "allOf": [
            {"$ref": "#/components/schemas/ReportList"},
            {
                "type": "object",
                "required": ["choices"],
                "properties": {
                    "choices": {
                        "type": "object",
                        "description": "the filters' choices: each status and type with its"
                        " Arabic name",
                        "additionalProperties": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "value": {"type": "string"},
                                    "label": {"type": "string"},
                                },
                            },
                        },
                    }
                },
            },
        ]
    },
    "Notice": {
        "type": "object",
        "required": ["kind", "route", "state", "attempts", "created_at"],
        "properties": {
            "kind": {"type": "string"},
            "route": {"type": "string", "enum": ["conversation", "sms", "whatsapp"]},
            "state": {
                "type": "string",
                "enum": ["reached", "skipped", "not_reached", "pending"],
                "description": "`not_reached`: shown in a web chat nobody had open",
            },
            "skipped": {
                "type": "string",
                "nullable": True,
                "description": "present, opted_out, no_mobile, undeliverable, not_configured",
            },
            "attempts": {"type": "integer"},
            "last_error": {"type": "string", "nullable": True},
            "created_at": {"type": "string", "format": "date-time"},
            "reached_at": {"type": "string", "format": "date-time", "nullable": True},
        },
    },
    "StatusChange": {
        "type": "object",
        "required": ["status"],
        "properties": {
            "status": {"type": "string", "enum": list(STATUSES)},
            "note": {
                "type": "string",
                "maxLength": bounds.MAX_NOTE,
                "description": "required (non-empty) for `rejected`: the reasons",
            },
            "implementation_time": {
                "type": "string",
                "maxLength": bounds.MAX_IMPLEMENTATION_TIME,
                "description": "required for `accepted`",
            },
        },
    },
    "StaffStatusChange": {
        "allOf": [
            _ref("StatusChange"),
            {
                "type": "object",
                "properties": {
                    "actor": {"type": "string", "maxLength": bounds.MAX_ACTOR, "default": "staff"}
                },
            },
        ]
    },
    "AgentStatusChange": {
        "allOf": [
            _ref("StatusChange"),
            {
                "type": "object",
                "required": ["number"],
                "properties": {"number": {"type": "string", "pattern": "^[0-9]{9}$"}},
            },
        ]
    },
    "Login": {
        "type": "object",
        "required": ["username", "password"],
        "properties": {
            "username": {"type": "string", "minLength": 1, "maxLength": bounds.MAX_USERNAME},
            "password": {"type": "string", "minLength": 1, "maxLength": bounds.MAX_PASSWORD},
        },
    },
    "Session": {
        "type": "object",
        "properties": {
            "token": {"type": "string", "description": "send as `Authorization: Bearer`"},
            "expires_at": {"type": "string", "format": "date-time"},
            "role": {"type": "string", "enum": ["agent", "supervisor"]},
        },
    },
    "Status": {"type": "object", "properties": {"status": {"type": "string"}}},
    "Handoff": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "conversation": {
                "type": "string",
                "description": "the conversation id, masked (channel prefix and at most the "
                "last two characters); act on the chat by the hand-off's id",
            },
            "channel": {"type": "string"},
            "reason": {"type": "string", "enum": ["asked", "not_understood", "dispute"]},
            "status": {"type": "string", "enum": ["waiting", "active"]},
            "agent": {"type": "string", "nullable": True},
            "waiting_seconds": {"type": "integer"},
            "unread": {
                "type": "integer",
                "description": "the citizen's messages since the signed-in agent last read"
                " the transcript (else since the hand-off began)",
            },
            "transfer": {
                "type": "object",
                "nullable": True,
                "description": "the transfer that brought the chat to its holder, with its note",
                "properties": {"from": {"type": "string"}, "note": {"type": "string"}},
            },
            "summary": {
                "type": "object",
                "description": "what the bot knew (identifiers masked)",
                "additionalProperties": True,
            },
            "labels": {
                "type": "object",
                "description": "what the console shows: the codes above in Arabic, named "
                "by the bot's own tables (identifiers masked as in the summary)",
                "properties": {
                    "channel": {"type": "string"},
                    "reason": {"type": "string"},
                    "status": {"type": "string"},
                    "wanted": {"type": "string"},
                    "answers": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "field": {"type": "string"},
                                "value": {"type": "string"},
                            },
                        },
                    },
                    "report_number": {"type": "string", "nullable": True},
                },
            },
        },
    },
    "Queue": {
        "type": "object",
        "properties": {
            "handoffs": {"type": "array", "items": _ref("Handoff")},
            "me": {"type": "string", "description": "the signed-in agent's username"},
            "choices": _ref("InboxChoices"),
        },
    },
    **openapi_inbox.SCHEMAS,
    **openapi_corrective.SCHEMAS,
    **openapi_live.SCHEMAS,
    "Held": {
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ["active"]},
            "agent": {"type": "string"},
        },
    },
    "Reply": {
        "type": "object",
        "required": ["text"],
        "properties": {"text": {"type": "string", "minLength": 1, "maxLength": bounds.MAX_REPLY}},
    },
    "Sent": {
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ["sent"]},
            "channel": {"type": "string", "description": "the user's channel"},
        },
    },
    "Reassign": {
        "type": "object",
        "required": ["to"],
        "properties": {
            "to": {
                "type": "string",
                "minLength": 1,
                "maxLength": bounds.MAX_USERNAME,
                "description": "an active agent's username",
            }
        },
    },
    "Identity": {
        "type": "object",
        "description": "unmasked; every reveal is audited",
        "properties": {
            "national_id": {"type": "string", "nullable": True},
            "mobile": {"type": "string", "nullable": True},
        },
    },
    "Transcript": {
        "type": "object",
        "properties": {
            "messages": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "from": {"type": "string", "enum": ["user", "bot", "agent"]},
                        "text": {"type": "string"},
                    },
                },
            },
            "paused": {"type": "boolean"},
        },
    },
    "Readiness": {
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ["ready", "unavailable"]},
            "checks": {
                "type": "object",
                "additionalProperties": {"type": "string", "enum": ["ok", "unavailable"]},
            },
        },
    },
}


def _held_action(summary: str, ok: dict[str, Any], body: dict[str, Any] | None = None) -> dict:
    operation: dict[str, Any] = {
        "tags": ["agents"],
        "summary": summary,
        "security": AGENT,
        "parameters": [HANDOFF_ID],
        "responses": {
            "200": ok,
            "400": BAD,
            "401": UNAUTHORISED,
            "404": NO_HANDOFF,
            "409": NOT_HELD,
        },
    }
    if body is not None:
        operation["requestBody"] = _body(body)
    return {"post": operation}


def _paths() -> dict[str, Any]:
    status_ok = _ok("the report after the change", _ref("Report"))
    return {
        "/api/reports": {
            "get": {
                "tags": ["staff"],
                "summary": "List reports: by status, type, entity, overdue, awaiting their"
                " first review, needing the staff; paged, oldest first",
                "security": STAFF,
                "parameters": LIST_PARAMETERS,
                "responses": {
                    "200": _ok("one page of the list", _ref("ReportList")),
                    "400": _error("an unknown or repeated parameter, or a bad value (named)"),
                    "401": UNAUTHORISED,
                },
            }
        },
        "/api/reports/{number}": {
            "get": {
                "tags": ["staff"],
                "summary": "Read a report",
                "security": STAFF,
                "parameters": [NUMBER],
                "responses": {
                    "200": _ok("the report and its notices", _ref("ReportWithNotices")),
                    "401": UNAUTHORISED,
                    "404": NO_REPORT,
                },
            }
        },
        "/api/reports/{number}/reopen": {
            "post": {
                "tags": ["staff"],
                "summary": "Accept or refuse the beneficiary's request to reopen a closed report",
                "description": "Accepting puts the report back to review (the beneficiary is"
                " told it was reopened); refusing needs the reasons, sent to the beneficiary.",
                "security": STAFF,
                "parameters": [NUMBER],
                "requestBody": _body(_ref("ReopenDecision")),
                "responses": {
                    "200": _ok("the request as decided", _ref("ReopenRequest")),
                    "400": _error("malformed, or an unknown decision"),
                    "401": UNAUTHORISED,
                    "404": NO_REPORT,
                    "409": _error("no request waiting, or a refusal without its reasons"),
                },
            }
        },
        "/api/reports/{number}/status": {
            "post": {
                "tags": ["staff"],
                "summary": "Change a report's status (notifies the beneficiary)",
                "security": STAFF,
                "parameters": [NUMBER],
                "requestBody": _body(_ref("StaffStatusChange")),
                "responses": {
                    "200": status_ok,
                    "400": BAD,
                    "401": UNAUTHORISED,
                    "404": NO_REPORT,
                    "409": _error("a change the report's life does not allow"),
                    "413": TOO_LARGE,
                },
            }
        },
        "/api/agents/login": {
            "post": {
                "tags": ["agents"],
                "summary": "Sign in: a session token",
                "security": [],
                "requestBody": _body(_ref("Login")),
                "responses": {
                    "200": _ok("signed in", _ref("Session")),
                    "400": BAD,
                    "401": _error("wrong username or password"),
                    "429": _error(
                        "too many failed sign-ins for this username or address: wait "
                        "`Retry-After` seconds (`retry_after`; `message` says it in Arabic)"
                    ),
                },
            }
        },
        "/api/agents/logout": {
            "post": {
                "tags": ["agents"],
                "summary": "Sign out (the session token stops working)",
                "security": AGENT,
                "responses": {"200": _ok("signed out", _ref("Status")), "401": UNAUTHORISED},
            }
        },
        "/api/handoffs": {
            "get": {
                "tags": ["agents"],
                "summary": "The queue: waiting chats and the agent's own (a supervisor's: all),"
                " filtered by channel and reason, searched by report number or mobile",
                "security": AGENT,
                "parameters": openapi_inbox.QUEUE_PARAMETERS,
                "responses": {
                    "200": _ok("open hand-offs", _ref("Queue")),
                    "400": _error("an unknown or repeated parameter, or a bad value (named)"),
                    "401": UNAUTHORISED,
                },
            }
        },
        "/api/handoffs/report-status": {
            "post": {
                "tags": ["agents"],
                "summary": "Change a report's status from a chat (audited, notified)",
                "description": "Only for the report filed by a chat the agent holds "
                "(supervisors included); the staff API's statuses and bounds.",
                "security": AGENT,
                "requestBody": _body(_ref("AgentStatusChange")),
                "responses": {
                    "200": status_ok,
                    "400": BAD,
                    "401": UNAUTHORISED,
                    "403": _error("only the report filed by a chat you hold"),
                    "404": NO_REPORT,
                    "409": _error("a change the report's life does not allow"),
                },
            }
        },
        "/api/handoffs/{id}/take": _held_action(
            "Take a waiting chat (atomic: one agent holds it)",
            _ok("held by this agent", _ref("Held")),
        ),
        "/api/handoffs/{id}/reply": {
            "post": {
                **_held_action(
                    "Reply on the user's own channel", _ok("delivered", _ref("Sent")), _ref("Reply")
                )["post"],
                "responses": {
                    "200": _ok("delivered", _ref("Sent")),
                    "400": BAD,
                    "401": UNAUTHORISED,
                    "404": NO_HANDOFF,
                    "409": NOT_HELD,
                    "502": BRIDGE,
                },
            }
        },
        "/api/handoffs/{id}/hand-back": _held_action(
            "Give the conversation back to the bot", _ok("returned", _ref("Status"))
        ),
        "/api/handoffs/{id}/close": _held_action(
            "Close the conversation", _ok("closed", _ref("Status"))
        ),
        "/api/handoffs/{id}/reassign": {
            "post": {
                "tags": ["supervisors"],
                "summary": "Give an open chat to another agent (supervisors only)",
                "security": AGENT,
                "parameters": [HANDOFF_ID],
                "requestBody": _body(_ref("Reassign")),
                "responses": {
                    "200": _ok("held by the new agent", _ref("Held")),
                    "400": BAD,
                    "401": UNAUTHORISED,
                    "403": _error("only a supervisor can reassign"),
                    "404": _error("no open hand-off"),
                },
            }
        },
        "/api/handoffs/{id}/reveal": {
            "post": {
                "tags": ["agents"],
                "summary": "The beneficiary's identifiers, unmasked (audited)",
                "description": "For the agent holding the chat or a supervisor.",
                "security": AGENT,
                "parameters": [HANDOFF_ID],
                "responses": {
                    "200": _ok("identifiers", _ref("Identity")),
                    "401": UNAUTHORISED,
                    "403": _error("only the agent holding the chat or a supervisor"),
                    "404": NO_HANDOFF,
                    "502": BRIDGE,
                },
            }
        },
        "/api/handoffs/{id}/transcript": {
            "get": {
                "tags": ["agents"],
                "summary": "The conversation so far (every read audited)",
                "description": "For the agent holding the chat or a supervisor.",
                "security": AGENT,
                "parameters": [HANDOFF_ID],
                "responses": {
                    "200": _ok("messages", _ref("Transcript")),
                    "401": UNAUTHORISED,
                    "403": _error("only the agent holding the chat or a supervisor"),
                    "404": NO_HANDOFF,
                    "502": BRIDGE,
                },
            }
        },
        "/api/supervisors/report": {
            "get": {
                "tags": ["supervisors"],
                "summary": "The voice-of-the-beneficiary report of a period",
                "description": "A supervisor's session (an agent's is a 403).",
                "security": AGENT,
                "parameters": [
                    {
                        "name": name,
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "format": "date"},
                    }
                    for name in ("from", "to")
                ]
                + [
                    {
                        "name": "format",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["html", "csv"], "default": "html"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "the report",
                        "content": {
                            "text/html": {"schema": {"type": "string"}},
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    "400": BAD,
                    "401": UNAUTHORISED,
                    "403": _error("supervisors only"),
                },
            }
        },
        "/api/supervisors/reports": {
            "get": {
                "tags": ["supervisors"],
                "summary": "The staff API's lists of reports, for the supervisors' page",
                "description": "A supervisor's session (an agent's is a 403); the parameters"
                " and the answer of `GET /api/reports`, with the filters' Arabic choices.",
                "security": AGENT,
                "parameters": LIST_PARAMETERS,
                "responses": {
                    "200": _ok("one page of the list", _ref("SupervisorReportList")),
                    "400": _error("an unknown or repeated parameter, or a bad value (named)"),
                    "401": UNAUTHORISED,
                    "403": _error("supervisors only"),
                },
            }
        },
        **openapi_inbox.paths(),
        **openapi_corrective.paths(),
        **openapi_live.paths(),
        OPENAPI_PATH: {
            "get": {
                "tags": ["operations"],
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3", **_json({"type": "object"})}},
            }
        },
        "/health": {
            "get": {
                "tags": ["operations"],
                "summary": "Liveness (same as /health/live)",
                "security": [],
                "responses": {"200": _ok("alive", _ref("Status"))},
            }
        },
        "/health/live": {
            "get": {
                "tags": ["operations"],
                "summary": "Liveness: the process answers",
                "security": [],
                "responses": {"200": _ok("alive", _ref("Status"))},
            }
        },
        "/health/ready": {
            "get": {
                "tags": ["operations"],
                "summary": "Readiness: the stores it needs answer",
                "security": [],
                "responses": {
                    "200": _ok("ready", _ref("Readiness")),
                    "503": _ok("a store does not answer", _ref("Readiness")),
                },
            }
        },
        "/metrics": {
            "get": {
                "tags": ["operations"],
                "summary": "Prometheus metrics (BALAGH_METRICS_TOKEN, or loopback when unset)",
                "security": [{"metricsToken": []}, {}],
                "responses": {
                    "200": {
                        "description": "Prometheus text format",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    "403": _error("not the metrics token, or not a loopback caller"),
                },
            }
        },
    }


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.0 document."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Balagh desk",
            "version": VERSION,
            "description": (
                "The staff API, the agents' and supervisors' APIs and the operations "
                'endpoints of the desk. Every error is JSON: `{"error": "..."}`.'
            ),
        },
        "tags": [
            {"name": "staff", "description": "the centre's systems (BALAGH_STAFF_TOKEN)"},
            {"name": "agents", "description": "signed-in agents (session token)"},
            {"name": "supervisors", "description": "signed-in supervisors"},
            {"name": "operations", "description": "health, readiness, metrics"},
        ],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "staffToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "BALAGH_STAFF_TOKEN",
                },
                "agentSession": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "the token of POST /api/agents/login",
                },
                "metricsToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "BALAGH_METRICS_TOKEN",
                },
                **openapi_live.SECURITY_SCHEMES,
            },
        },
    }
