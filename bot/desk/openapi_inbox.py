"""The OpenAPI description of the agents' inbox tools (`bot/desk/inbox.py`): canned replies,
internal notes, transfer, the citizen's context, the list of colleagues; merged into the
desk's document by `bot/desk/openapi.py`."""

from __future__ import annotations

from typing import Any

from bot.desk.openapi_parts import (
    AGENT,
    BAD,
    HANDOFF_ID,
    NO_HANDOFF,
    SUPERVISORS,
    UNAUTHORISED,
    _error,
    _json,
    _ok,
    _ref,
)
from bot.rules import input_bounds as bounds
from bot.rules.canned_replies import PLACEHOLDERS
from bot.rules.labels import CHANNEL_LABELS, HANDOFF_REASONS

NOT_READER = _error("only the agent holding the chat or a supervisor")
CANNED_ID = {
    **HANDOFF_ID,
    "description": f"canned reply id: 1..{bounds.MAX_HANDOFF_ID} (more than 18 digits is a 404)",
}
_KNOWN = ", ".join("{" + name + "}" for name in PLACEHOLDERS)

# `GET /api/handoffs`'s parameters (the inbox's filters and search).
QUEUE_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "channel",
        "in": "query",
        "description": "only the chats of this channel",
        "schema": {"type": "string", "enum": list(CHANNEL_LABELS)},
    },
    {
        "name": "reason",
        "in": "query",
        "description": "only the chats handed over for this reason",
        "schema": {"type": "string", "enum": list(HANDOFF_REASONS)},
    },
    {
        "name": "q",
        "in": "query",
        "description": "a report number (9 digits: the chats whose conversation filed it or"
        " proved it by code, or whose summary names it), else a mobile, whole, masked"
        " (`0555****67`) or its last digits: matched on the last two digits only (all a masked"
        " mobile shows). Arabic-Indic digits are read as digits.",
        "schema": {"type": "string", "minLength": 1, "maxLength": bounds.MAX_SEARCH},
    },
]

SCHEMAS: dict[str, Any] = {
    "InboxChoices": {
        "type": "object",
        "description": "the filters' choices: codes to send back, Arabic names to show",
        "properties": {
            name: {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"value": {"type": "string"}, "label": {"type": "string"}},
                },
            }
            for name in ("channel", "reason")
        },
    },
    "Colleagues": {
        "type": "object",
        "properties": {
            "agents": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "username": {"type": "string"},
                        "display_name": {"type": "string"},
                    },
                },
            },
            "me": {"type": "string"},
        },
    },
    "CannedReplyInput": {
        "type": "object",
        "required": ["title", "body"],
        "properties": {
            "title": {"type": "string", "minLength": 1, "maxLength": bounds.MAX_CANNED_TITLE},
            "body": {
                "type": "string",
                "minLength": 1,
                "maxLength": bounds.MAX_CANNED_BODY,
                "description": f"Arabic text; placeholders in braces, only {_KNOWN} (any other"
                " name, or a lone brace, is a 400)",
            },
        },
    },
    "CannedReply": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "body": {"type": "string"},
            "updated_by": {"type": "string"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "CannedReplies": {
        "type": "object",
        "properties": {
            "replies": {"type": "array", "items": _ref("CannedReply")},
            "placeholders": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "label": {"type": "string"}},
                },
            },
        },
    },
    "FilledReplies": {
        "type": "object",
        "properties": {
            "replies": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "text": {
                            "type": "string",
                            "description": "filled for this chat; a value it lacks is"
                            " written «[its Arabic name]»",
                        },
                        "missing": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "the Arabic names of the values left unfilled",
                        },
                    },
                },
            }
        },
    },
    "NoteInput": {
        "type": "object",
        "required": ["text"],
        "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": bounds.MAX_INTERNAL_NOTE}
        },
    },
    "Note": {
        "type": "object",
        "description": "an internal note (never sent to the citizen), or a transfer's note",
        "properties": {
            "id": {"type": "integer"},
            "author": {"type": "string"},
            "kind": {"type": "string", "enum": ["note", "transfer"]},
            "to": {"type": "string", "nullable": True, "description": "a transfer's receiver"},
            "text": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "labels": {
                "type": "object",
                "properties": {"kind": {"type": "string"}, "created_at": {"type": "string"}},
            },
        },
    },
    "Notes": {
        "type": "object",
        "properties": {"notes": {"type": "array", "items": _ref("Note")}},
    },
    "Transfer": {
        "type": "object",
        "required": ["to"],
        "properties": {
            "to": {
                "type": "string",
                "minLength": 1,
                "maxLength": bounds.MAX_USERNAME,
                "description": "another active agent's username",
            },
            "note": {
                "type": "string",
                "maxLength": bounds.MAX_INTERNAL_NOTE,
                "description": "for the receiving agent (never sent to the citizen)",
            },
        },
    },
    "CitizenContext": {
        "type": "object",
        "description": "found through the identity the bot verified; no name, ID or mobile",
        "properties": {
            "reports": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "number": {"type": "string"},
                        "type": {"type": "string"},
                        "status": {"type": "string"},
                        "created_on": {"type": "string", "format": "date"},
                        "due_on": {"type": "string", "format": "date"},
                        "found_by": {"type": "string", "enum": ["this_chat", "code", "mobile"]},
                        "labels": {"type": "object", "additionalProperties": True},
                    },
                },
            },
            "handoffs": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "conversation": {"type": "string", "description": "masked"},
                        "channel": {"type": "string"},
                        "reason": {"type": "string"},
                        "status": {"type": "string"},
                        "agent": {"type": "string", "nullable": True},
                        "created_at": {"type": "string", "format": "date-time"},
                        "ended_at": {"type": "string", "format": "date-time", "nullable": True},
                        "notes": {"type": "array", "items": _ref("Note")},
                        "labels": {"type": "object", "additionalProperties": True},
                    },
                },
            },
        },
    },
}


def paths() -> dict[str, Any]:
    canned = "/api/agents/canned-replies"
    canned_saved = {
        "400": _error(f"malformed, a field out of bounds, or a placeholder other than {_KNOWN}"),
        "401": UNAUTHORISED,
        "403": SUPERVISORS,
        "409": _error("another canned reply has this title, or there are too many"),
    }
    return {
        "/api/agents": {
            "get": {
                "tags": ["agents"],
                "summary": "The active desk accounts (whom a chat can be transferred to)",
                "security": AGENT,
                "responses": {"200": _ok("accounts", _ref("Colleagues")), "401": UNAUTHORISED},
            }
        },
        canned: {
            "get": {
                "tags": ["agents"],
                "summary": "The canned replies, as saved (placeholders unfilled)",
                "security": AGENT,
                "responses": {
                    "200": _ok("canned replies", _ref("CannedReplies")),
                    "401": UNAUTHORISED,
                },
            },
            "post": {
                "tags": ["supervisors"],
                "summary": "Add a canned reply (supervisors only)",
                "security": AGENT,
                "requestBody": {"required": True, **_json(_ref("CannedReplyInput"))},
                "responses": {"201": _ok("saved", _ref("CannedReply")), **canned_saved},
            },
        },
        canned + "/{id}": {
            "put": {
                "tags": ["supervisors"],
                "summary": "Change a canned reply (supervisors only)",
                "security": AGENT,
                "parameters": [CANNED_ID],
                "requestBody": {"required": True, **_json(_ref("CannedReplyInput"))},
                "responses": {
                    "200": _ok("saved", _ref("CannedReply")),
                    **canned_saved,
                    "404": _error("no such canned reply"),
                },
            },
            "delete": {
                "tags": ["supervisors"],
                "summary": "Remove a canned reply (supervisors only)",
                "security": AGENT,
                "parameters": [CANNED_ID],
                "responses": {
                    "200": _ok("deleted", _ref("Status")),
                    "401": UNAUTHORISED,
                    "403": SUPERVISORS,
                    "404": _error("no such canned reply"),
                },
            },
        },
        "/api/handoffs/{id}/canned-replies": {
            "get": {
                "tags": ["agents"],
                "summary": "The canned replies filled for this chat (report number, first name,"
                " the agent's name)",
                "description": "For the agent holding the chat or a supervisor.",
                "security": AGENT,
                "parameters": [HANDOFF_ID],
                "responses": {
                    "200": _ok("filled replies", _ref("FilledReplies")),
                    "401": UNAUTHORISED,
                    "403": NOT_READER,
                    "404": NO_HANDOFF,
                },
            }
        },
        "/api/handoffs/{id}/notes": {
            "get": {
                "tags": ["agents"],
                "summary": "The chat's internal notes and transfer notes, oldest first",
                "description": "For the agent holding the chat or a supervisor.",
                "security": AGENT,
                "parameters": [HANDOFF_ID],
                "responses": {
                    "200": _ok("notes", _ref("Notes")),
                    "401": UNAUTHORISED,
                    "403": NOT_READER,
                    "404": NO_HANDOFF,
                },
            },
            "post": {
                "tags": ["agents"],
                "summary": "Write an internal note (agents only see it; never sent to the"
                " citizen; audited)",
                "description": "For the agent holding the chat or a supervisor, on an open chat.",
                "security": AGENT,
                "parameters": [HANDOFF_ID],
                "requestBody": {"required": True, **_json(_ref("NoteInput"))},
                "responses": {
                    "201": _ok("stored", _ref("Note")),
                    "400": BAD,
                    "401": UNAUTHORISED,
                    "403": NOT_READER,
                    "404": NO_HANDOFF,
                    "409": _error("the hand-off has ended"),
                },
            },
        },
        "/api/handoffs/{id}/transfer": {
            "post": {
                "tags": ["agents"],
                "summary": "Give the chat one holds to another active agent, with a note for"
                " her (audited)",
                "security": AGENT,
                "parameters": [HANDOFF_ID],
                "requestBody": {"required": True, **_json(_ref("Transfer"))},
                "responses": {
                    "200": _ok("held by the receiving agent", _ref("Held")),
                    "400": _error("malformed, oneself, or not an active agent's username"),
                    "401": UNAUTHORISED,
                    "404": NO_HANDOFF,
                    "409": _error("this agent does not hold the conversation"),
                },
            }
        },
        "/api/handoffs/{id}/context": {
            "get": {
                "tags": ["agents"],
                "summary": "The citizen's reports and earlier hand-offs (every read audited)",
                "description": "For the agent holding the chat or a supervisor. Found through"
                " the identity the bot verified: the reports this conversation filed or proved"
                " by code, and those filed with a verified mobile (never by a national ID"
                " alone).",
                "security": AGENT,
                "parameters": [HANDOFF_ID],
                "responses": {
                    "200": _ok("the context", _ref("CitizenContext")),
                    "401": UNAUTHORISED,
                    "403": NOT_READER,
                    "404": NO_HANDOFF,
                },
            }
        },
    }
