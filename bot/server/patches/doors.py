"""The doors of the Rasa process (installed by `bot.server.patches.install`, listed there).

1. Typed intents. Rasa reads any message that starts with `/` as `/intent{"slot": value}`
   (its `RegexMessageHandler`), so a citizen could type `/EXTERNAL_notification{...}` or set
   any slot. Here a `/` message keeps that meaning only when it is the payload of a button
   the bot offered in its last turn (the offers are the `buttons` of the bot's messages
   since the user last spoke, kept in the tracker). A button pressed from an older turn is
   read as its title; anything else is read by the NLU as plain text. Internal
   `EXTERNAL_*` intents are never offered: only the desk triggers them, through the HTTP
   API and its token.
2. The HTTP app. Every request: no NUL byte in its path or query (400), bodies at most
   `MAX_REQUEST_BYTES` (Sanic refuses more before reading them). `POST /model/parse` takes
   a JSON object with a `text` of at most `MAX_TEXT` characters, else 400 with a JSON error
   (stock Rasa answers some malformed bodies with a 500).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Reversible
from typing import Any

from rasa.core import processor as rasa_processor
from rasa.core import run as rasa_run
from rasa.shared.core.events import BotUttered, Event, UserUttered
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic_cors.core import SANIC_CORS_EVALUATED

from bot.rules.input_bounds import MAX_MESSAGE

logger = logging.getLogger(__name__)

PAYLOAD_PREFIX = "/"
MAX_TEXT = MAX_MESSAGE
# Widget uploads are 10 MB at most; the multipart envelope needs a little more.
MAX_REQUEST_BYTES = 11 * 1024 * 1024


def _buttons(event: Event) -> list[dict[str, Any]]:
    data = getattr(event, "data", None) or {}
    found = (data.get("buttons") or []) + (data.get("quick_replies") or [])
    return [button for button in found if isinstance(button, dict)]


def reading_of(text: str, events: Reversible[Event]) -> str | None:
    """What the NLU should read for a message that starts with `/`: None when it is the
    payload of a button of the bot's last turn (read as Rasa reads payloads), the button's
    title when it is the payload of an older button, else the text without its `/`."""
    typed = text.strip()
    if not typed.startswith(PAYLOAD_PREFIX):
        return None
    last_turn = True
    for event in reversed(events):  # the tracker's deque, not copied
        if isinstance(event, UserUttered):
            last_turn = False
        elif isinstance(event, BotUttered):
            for button in _buttons(event):
                if str(button.get("payload") or "").strip() == typed:
                    return None if last_turn else str(button.get("title") or "")
    return typed.lstrip(PAYLOAD_PREFIX).strip()


def _guard_typed_payloads() -> None:
    parse_message = rasa_processor.MessageProcessor.parse_message

    async def parse_offered_payloads_only(
        self: rasa_processor.MessageProcessor,
        message: Any,
        tracker: Any = None,
        only_output_properties: bool = True,
    ) -> dict[str, Any]:
        # No tracker: `POST /model/parse`, the token holder's API, reads payloads as Rasa does.
        if tracker is not None and (message.text or "").lstrip().startswith(PAYLOAD_PREFIX):
            reading = reading_of(message.text, tracker.events)
            if reading is not None:
                logger.info("typed payload from %s read as text", tracker.sender_id)
                message = copy.copy(message)
                message.text = reading
        return await parse_message(self, message, tracker, only_output_properties)

    rasa_processor.MessageProcessor.parse_message = parse_offered_payloads_only  # type: ignore[method-assign]


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def parse_body_problem(body: Any) -> str | None:
    """Why a `/model/parse` body cannot be parsed, or None."""
    if not isinstance(body, dict):
        return "the body must be a JSON object with a `text` string"
    text = body.get("text")
    if not isinstance(text, str):
        return "`text` must be a string"
    if len(text) > MAX_TEXT:
        return f"`text` must have at most {MAX_TEXT} characters"
    if "\x00" in text:
        return "`text` must not contain NUL characters"
    if body.get("message_id") is not None and not isinstance(body["message_id"], str):
        return "`message_id` must be a string"
    return None


async def refuse_malformed(request: Request) -> HTTPResponse | None:
    """App-wide request middleware of the Rasa server."""
    if "\x00" in request.path or "%00" in (request.query_string or ""):
        return _error(400, "NUL characters are not allowed")
    if request.path.startswith(SOCKETIO_PATH):
        # socket.io answers CORS itself (for the same origins); sanic-cors adding its own
        # headers again gave two `Access-Control-Allow-Origin`, which browsers refuse, so the
        # widget's long-polling fallback failed across origins.
        setattr(request.ctx, SANIC_CORS_EVALUATED, True)
    if request.method == "POST" and request.path.rstrip("/") == "/model/parse":
        try:
            body = request.json
        except Exception:  # Sanic's InvalidUsage: not JSON
            body = None
        problem = parse_body_problem(body)
        if problem:
            return _error(400, problem)
    return None


SOCKETIO_PATH = "/socket.io"


def _guard_app() -> None:
    configure_app = rasa_run.configure_app

    def configure_guarded_app(*args: Any, **kwargs: Any) -> Sanic:
        app = configure_app(*args, **kwargs)
        app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES
        app.register_middleware(refuse_malformed, "request")
        return app

    rasa_run.configure_app = configure_guarded_app


def install() -> None:
    """Patch this process's Rasa (once: called by `bot.server.patches.install`)."""
    _guard_typed_payloads()
    _guard_app()
