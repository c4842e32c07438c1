"""Rasa's REST channel (same URL, same answers) refusing malformed requests with a 400.

Stock `RestInput` answers a body that is not a JSON object, or a `sender` or `message` of
the wrong type, with a 500 after logging a stack trace. Integrations deserve a clear
error instead. Empty and very long messages are well-formed: the bot answers them in
Arabic like on every other channel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

MAX_SENDER = 255


def problem_with(body: Any) -> str | None:
    """Why a REST webhook body cannot be processed, or None."""
    if not isinstance(body, dict):
        return "the body must be a JSON object with `sender` and `message`"
    sender = body.get("sender")
    if isinstance(sender, bool) or not isinstance(sender, str | int):
        return "`sender` must be a string"
    if not str(sender).strip() or len(str(sender)) > MAX_SENDER:
        return f"`sender` must have 1 to {MAX_SENDER} characters"
    if body.get("message") is not None and not isinstance(body["message"], str):
        return "`message` must be a string"
    if body.get("metadata") is not None and not isinstance(body["metadata"], dict):
        return "`metadata` must be an object"
    return None


class CheckedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def refuse_malformed(request: Request) -> HTTPResponse | None:
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            try:
                body = request.json
            except Exception:  # Sanic raises its own InvalidUsage on bad JSON
                body = None
            problem = problem_with(body)
            return response.json({"error": problem}, status=400) if problem else None

        return blueprint
