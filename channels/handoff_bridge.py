"""The desk's private door into Rasa for hand-offs (not a user-facing channel).

`POST /webhooks/handoff/send` delivers an agent's reply on the user's own channel (the
channel of the conversation's latest message: web widget, WhatsApp, SMS) and records it
in the conversation; `POST /webhooks/handoff/resume` lifts the pause so the bot answers
again; `GET /webhooks/handoff/transcript` reads the conversation (a button pressed shows as
the title of the button the bot offered, `bot.rules.labels.pressed_title`);
`POST /webhooks/handoff/typing` tells the web widget of a conversation that the agent is
typing (`{"conversation_id", "typing": true|false}`: the widget's `bot_typing` event, marked
`agent`, to the conversation's room; nothing stored). Every call needs the shared
`BALAGH_INTERNAL_TOKEN` (403 without it); `send` and `resume` take the conversation's lock, so
an agent's reply and a user's message arriving together are kept in order. Input is bounded
as on the desk (`bot/rules/input_bounds.py`): a body that is not a JSON object, a
conversation_id that is not a string of 1..128 characters without NUL, a reply over 4,000
characters: 400 with a JSON error, and the conversation is not touched.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationResumed
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rules import input_bounds as bounds
from bot.rules.input_bounds import BadInput
from bot.rules.labels import pressed_title
from bot.rules.web_sessions import PREFIX as WEB_PREFIX

logger = logging.getLogger(__name__)

MAX_REPLY = bounds.MAX_REPLY


def _bad(refused: BadInput) -> HTTPResponse:
    return response.json({"error": str(refused)}, status=400)


def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object, bounded; BadInput otherwise."""
    return bounds.json_object(request.body or b"", empty_ok=False)


def _conversation_arg(request: Request) -> str:
    """The `conversation_id` query argument (given once), bounded; BadInput otherwise."""
    given = request.args.getlist("conversation_id") or []
    if len(given) != 1:
        raise BadInput("conversation_id required (once)")
    return bounds.conversation_id(given[0])


class HandoffBridge(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "handoff"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        token = (credentials or {}).get("token")
        if not token:
            cls.raise_missing_credentials_exception()
        return cls(str(token))

    def __init__(self, token: str) -> None:
        self.token = token

    def _allowed(self, request: Request) -> bool:
        return bounds.bearer_matches(request.headers.get("Authorization"), self.token)

    @staticmethod
    def _output_for(request: Request, channel: str | None) -> Any:
        for input_channel in getattr(request.app.ctx, "input_channels", []) or []:
            if input_channel.name() == channel:
                output = input_channel.get_output_channel()
                if output is not None:
                    return output
        return CollectingOutputChannel()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bridge = Blueprint("handoff_bridge", __name__)

        @bridge.route("/send", methods=["POST"])
        async def send(request: Request) -> HTTPResponse:
            if not self._allowed(request):
                return response.json({"error": "forbidden"}, status=403)
            try:
                body = _body(request)
                conversation = bounds.conversation_id(body.get("conversation_id"))
                text = bounds.text(body.get("text"), "text", MAX_REPLY, required=True) or ""
                author = bounds.text(body.get("agent"), "agent", bounds.MAX_USERNAME) or ""
            except BadInput as refused:
                return _bad(refused)
            text = text.strip()
            if not text:
                return response.json({"error": "conversation_id and text required"}, status=400)
            agent = request.app.ctx.agent
            async with agent.lock_store.lock(conversation):
                tracker = await agent.processor.get_tracker(conversation)
                output = self._output_for(request, tracker.get_latest_input_channel())
                await output.send_response(conversation, {"text": text})
                tracker.update(BotUttered(text, metadata={"agent": author}))
                await agent.tracker_store.save(tracker)
            return response.json({"status": "sent", "channel": output.name()})

        @bridge.route("/resume", methods=["POST"])
        async def resume(request: Request) -> HTTPResponse:
            if not self._allowed(request):
                return response.json({"error": "forbidden"}, status=403)
            try:
                conversation = bounds.conversation_id(_body(request).get("conversation_id"))
            except BadInput as refused:
                return _bad(refused)
            agent = request.app.ctx.agent
            async with agent.lock_store.lock(conversation):
                tracker = await agent.processor.get_tracker(conversation)
                tracker.update(ConversationResumed())
                # As if the bot had listened: the next message (the desk's hand-back event,
                # or the user's) is handled like any other turn.
                tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
                await agent.tracker_store.save(tracker)
            return response.json({"status": "resumed"})

        @bridge.route("/identity", methods=["GET"])
        async def identity(request: Request) -> HTTPResponse:
            """The beneficiary's identifiers, unmasked, for an agent who asked to reveal them
            (the desk checks the agent and writes the audit entry)."""
            if not self._allowed(request):
                return response.json({"error": "forbidden"}, status=403)
            try:
                conversation = _conversation_arg(request)
            except BadInput as refused:
                return _bad(refused)
            tracker = await request.app.ctx.agent.tracker_store.retrieve(conversation)
            slots = tracker.current_slot_values() if tracker else {}
            return response.json(
                {
                    "national_id": slots.get("national_id") or slots.get("profile_national_id"),
                    # A WhatsApp or SMS conversation is the number itself (a call-back).
                    "mobile": slots.get("mobile")
                    or slots.get("profile_mobile")
                    or _channel_number(conversation),
                }
            )

        @bridge.route("/transcript", methods=["GET"])
        async def transcript(request: Request) -> HTTPResponse:
            if not self._allowed(request):
                return response.json({"error": "forbidden"}, status=403)
            try:
                conversation = _conversation_arg(request)
            except BadInput as refused:
                return _bad(refused)
            tracker = await request.app.ctx.agent.tracker_store.retrieve(conversation)
            lines = []
            offered: list = []  # the buttons of the bot's messages since the user's last
            for event in tracker.events if tracker else []:
                if event.type_name == "user" and not (event.text or "").startswith("EXTERNAL:"):
                    # A button pressed reads as its title, never as its payload.
                    lines.append({"from": "user", "text": pressed_title(event.text or "", offered)})
                    offered = []
                elif event.type_name == "bot":
                    offered = [*offered, *((event.data or {}).get("buttons") or [])]
                    if event.text:
                        who = "agent" if (event.metadata or {}).get("agent") else "bot"
                        lines.append({"from": who, "text": event.text})
            return response.json(
                {"messages": lines, "paused": bool(tracker and tracker.is_paused())}
            )

        @bridge.route("/typing", methods=["POST"])
        async def typing(request: Request) -> HTTPResponse:
            """The agent holding a web chat types (or stopped): the widget's own typing
            event, marked `agent`, to the conversation's room («الموظف يكتب…»). Nothing is
            stored; other channels have no such event (`skipped`)."""
            if not self._allowed(request):
                return response.json({"error": "forbidden"}, status=403)
            try:
                body = _body(request)
                conversation = bounds.conversation_id(body.get("conversation_id"))
                typing = bounds.flag(body.get("typing"), "typing")
            except BadInput as refused:
                return _bad(refused)
            sio = _web_chat_socket(request)
            if sio is None or not conversation.startswith(WEB_PREFIX):
                return response.json({"status": "skipped"})
            # The room is the conversation (`channels/webchat.py`); through Redis with replicas.
            await sio.emit("bot_typing", {"typing": typing, "agent": True}, room=conversation)
            return response.json({"status": "sent"})

        return bridge


def _web_chat_socket(request: Request) -> Any:
    """The web chat channel's socket.io server in this Rasa process, if it runs one."""
    for input_channel in getattr(request.app.ctx, "input_channels", []) or []:
        if input_channel.name() == "webchat":
            return getattr(input_channel, "sio", None)
    return None


def _channel_number(conversation: str) -> str | None:
    """A WhatsApp conversation (`whatsapp:+9665…`) or an SMS one (`+9665…`) → its number;
    None for any other conversation."""
    number = conversation.removeprefix("whatsapp:")
    return number if number.startswith("+") and number[1:].isdigit() else None
