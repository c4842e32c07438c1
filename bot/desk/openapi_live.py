"""The OpenAPI description of the console's live stream and "the agent is typing"
(`bot/desk/live.py`): the stream's ticket, the stream, the typing signal and the sound of a
new hand-off; merged into the desk's document by `bot/desk/openapi.py`."""

from __future__ import annotations

from typing import Any

from bot.desk.openapi_parts import (
    AGENT,
    BAD,
    HANDOFF_ID,
    NO_HANDOFF,
    UNAUTHORISED,
    _body,
    _error,
    _ok,
    _ref,
)
from bot.rules import input_bounds as bounds

# The stream's own credential: a ticket in the query (EventSource cannot send a header).
SECURITY_SCHEMES: dict[str, Any] = {
    "liveTicket": {
        "type": "apiKey",
        "in": "query",
        "name": "ticket",
        "description": "a ticket of POST /api/agents/live-ticket: one stream, once, within"
        f" {bounds.LIVE_TICKET_SECONDS} s (never the session token)",
    }
}

SCHEMAS: dict[str, Any] = {
    "LiveTicket": {
        "type": "object",
        "properties": {
            "ticket": {"type": "string", "minLength": 43, "maxLength": 43},
            "expires_in": {"type": "integer", "description": "seconds"},
            "stream": {"type": "string", "description": "the stream's path with the ticket"},
        },
    },
    "Typing": {
        "type": "object",
        "required": ["typing"],
        "properties": {
            "typing": {"type": "boolean", "description": "true while typing, false once stopped"}
        },
    },
    "TypingSent": {
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ["sent", "skipped"]},
            "reason": {
                "type": "string",
                "description": "why skipped: `not a web chat` (no widget to tell), `throttled`"
                f" (a `true` more often than every {bounds.TYPING_EVERY_SECONDS:g} s)",
            },
        },
    },
}

_BINARY = {"type": "string", "format": "binary"}
_EVENTS = (
    "Server-sent events, JSON on one line, never a name, an identifier or a message's text:"
    " `hello` {me, waiting}; `handoff` {id, kind: new|changed|ended, waiting, labels (new:"
    " channel and reason in Arabic)}; `chat` {handoff, citizen, replies} (new messages in an"
    " open chat); `note` {handoff}; `bye` {reason: renew|behind|shutdown}, after which the"
    " console takes a new ticket. Each agent is told of the chats her queue shows (waiting"
    " ones, her own; supervisors: all). A comment line every"
    f" {bounds.LIVE_HEARTBEAT_SECONDS} s; the stream ends after"
    f" {bounds.LIVE_STREAM_SECONDS} s."
)


def paths() -> dict[str, Any]:
    return {
        "/api/agents/live-ticket": {
            "post": {
                "tags": ["agents"],
                "summary": "A ticket for the live stream (one use, "
                f"{bounds.LIVE_TICKET_SECONDS} s), taken with the session",
                "security": AGENT,
                "responses": {"200": _ok("the ticket", _ref("LiveTicket")), "401": UNAUTHORISED},
            }
        },
        "/api/live": {
            "get": {
                "tags": ["agents"],
                "summary": "The console's live stream (new hand-offs, the citizen's messages,"
                " changes of a chat)",
                "description": _EVENTS,
                "security": [{"liveTicket": []}],
                "parameters": [
                    {
                        "name": "ticket",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "minLength": 43, "maxLength": 43},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "the stream",
                        "content": {"text/event-stream": {"schema": {"type": "string"}}},
                    },
                    "401": _error("no ticket, or an unknown, expired or used one"),
                    "503": _error("too many streams open; the console polls meanwhile"),
                },
            }
        },
        "/api/handoffs/{id}/typing": {
            "post": {
                "tags": ["agents"],
                "summary": "The agent types (or stopped): the citizen's web widget shows"
                " «الموظف يكتب…»",
                "description": "For the chat's holder. Other channels than the web chat are"
                " answered `skipped`.",
                "security": AGENT,
                "parameters": [HANDOFF_ID],
                "requestBody": _body(_ref("Typing")),
                "responses": {
                    "200": _ok("told to the widget, or skipped", _ref("TypingSent")),
                    "400": BAD,
                    "401": UNAUTHORISED,
                    "404": NO_HANDOFF,
                    "409": _error("this agent does not hold the conversation"),
                    "502": _error("the hand-off bridge did not answer"),
                },
            }
        },
        "/console/sounds/new-handoff.wav": {
            "get": {
                "tags": ["agents"],
                "summary": "The console's sound for a new hand-off (a short chime)",
                "security": [],
                "responses": {
                    "200": {
                        "description": "WAV audio",
                        "content": {
                            "audio/wav": {"schema": {"type": "string", "format": "binary"}}
                        },
                    }
                },
            }
        },
    }
