"""Rasa's REST channel (same URL, same answers) for integrations and tests, in its own
namespace and refusing malformed requests with a 400.

- Its conversations are `rest:<sender>`: a REST caller can never continue a WhatsApp,
  SMS or web conversation (`whatsapp:+9665…`, `web:<id>`), whose ids only signed Twilio
  webhooks and signed widget sessions set. A `sender` with `:` or longer than
  `MAX_SENDER` characters is refused.
- With `BALAGH_REST_TOKEN` set, every message needs `Authorization: Bearer <token>` (and
  the public edge passes the channel); without it the channel is for loopback callers.
- The text is capped at `MAX_TEXT` characters like the widget and Twilio channels, the
  body at `MAX_BODY_BYTES`; NUL characters are refused; the input channel is always
  `rest` and only `attachments` are kept of the metadata.

Stock `RestInput` answers a body that is not a JSON object, or fields of the wrong type,
with a 500 after logging a stack trace. Empty messages are well-formed: the bot answers
them in Arabic like on every other channel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rules.input_bounds import MAX_MESSAGE, bearer_matches, caller_address, encodable
from bot.settings import EDGE_HEADER


def client_address(request: Request) -> str:
    """The caller's address, for the limits on one-time codes (`caller_address`)."""
    return caller_address(
        str(request.ip or "") or None,
        request.headers.get(EDGE_HEADER),
        request.headers.get("X-Forwarded-For"),
    )


NAMESPACE = "rest:"
MAX_SENDER = 64
MAX_TEXT = MAX_MESSAGE
MAX_BODY_BYTES = 256 * 1024  # 5,000 characters JSON-escaped as \\uXXXX are 30 KB


def conversation_id(sender: str | int) -> str:
    """The stored conversation of a REST sender."""
    return f"{NAMESPACE}{sender}"


def problem_with(body: Any) -> str | None:
    """Why a REST webhook body cannot be processed, or None."""
    if not isinstance(body, dict):
        return "the body must be a JSON object with `sender` and `message`"
    sender = body.get("sender")
    if isinstance(sender, bool) or not isinstance(sender, str | int):
        return "`sender` must be a string"
    sender = str(sender)
    if not sender.strip() or len(sender) > MAX_SENDER:
        return f"`sender` must have 1 to {MAX_SENDER} characters"
    if ":" in sender or "\x00" in sender or "/" in sender:
        return "`sender` must not contain `:`, `/` or NUL characters"
    message = body.get("message")
    if message is not None and not isinstance(message, str):
        return "`message` must be a string"
    if message and "\x00" in message:
        return "`message` must not contain NUL characters"
    for name, text in (("sender", sender), ("message", message or "")):
        if not encodable(text):
            return f"`{name}` must be valid Unicode text (no unpaired surrogates)"
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        return "`metadata` must be an object"
    return None


class CheckedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(token=str((credentials or {}).get("token") or ""))

    def __init__(self, token: str = "") -> None:
        self.token = token

    async def _extract_sender(self, req: Request) -> str | None:
        return conversation_id(req.json["sender"])

    def _extract_message(self, req: Request) -> str | None:
        message = req.json.get("message")
        return message[:MAX_TEXT] if isinstance(message, str) else ""  # answered in Arabic

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()  # never the caller's choice (notifications follow it)

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = request.json.get("metadata") or {}
        kept = {key: metadata[key] for key in ("attachments",) if key in metadata}
        kept["client"] = client_address(request)  # the channel's, never the caller's
        return kept

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def refuse_malformed(request: Request) -> HTTPResponse | None:
            # Sanic routes `/webhook/` to the same handler: the checks must see it too.
            if request.method != "POST" or not request.path.rstrip("/").endswith("/webhook"):
                return None
            if not self.token and request.headers.get(EDGE_HEADER):
                return response.json(
                    {"error": "the REST channel is off at the public edge"}, status=404
                )
            if self.token and not bearer_matches(request.headers.get("Authorization"), self.token):
                return response.json({"error": "missing or invalid bearer token"}, status=401)
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.json(
                    {"error": f"the body must be at most {MAX_BODY_BYTES} bytes"}, status=413
                )
            try:
                body = request.json
            except Exception:  # Sanic raises its own InvalidUsage on bad JSON
                body = None
            problem = problem_with(body)
            return response.json({"error": problem}, status=400) if problem else None

        return blueprint
