"""The website's chat widget: socket.io with sessions nobody else can choose.

Rasa's socket.io channel trusts the `session_id` the browser sends, so anyone who learns
or guesses an id reads that conversation. Here the server issues the session token
(`<id>.<HMAC>`), a browser presenting a forged or altered token gets a new session, and
messages are attributed to the session bound to the socket, never to a field of the
message. The same token unlocks the conversation's history (a reload, a dropped
connection, notifications that arrived while away) and attachment uploads.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import mimetypes
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from bot.settings import load_settings

logger = logging.getLogger(__name__)

ALLOWED_UPLOADS = {"image/jpeg", "image/png", "image/webp", "application/pdf"}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_TEXT = 5000


def sign(secret: str, conversation: str) -> str:
    return hmac.new(secret.encode(), conversation.encode(), hashlib.sha256).hexdigest()[:32]


def new_token(secret: str) -> str:
    conversation = uuid.uuid4().hex
    return f"{conversation}.{sign(secret, conversation)}"


def sender_of(secret: str, token: Any) -> str | None:
    """The conversation a token grants, or None if it was not issued by this server."""
    if not isinstance(token, str) or token.count(".") != 1:
        return None
    conversation, signature = token.split(".")
    if not re.fullmatch(r"[0-9a-f]{32}", conversation):  # as new_token makes them
        return None
    # bytes: compare_digest refuses non-ASCII str (a forged token must get 403, not 500)
    if not hmac.compare_digest(signature.encode(), sign(secret, conversation).encode()):
        return None
    return f"web:{conversation}"


class WebChatOutput(SocketIOOutput):
    """Sends to the conversation's room: every open tab of the session sees it."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text})

    async def send_custom_json(self, recipient_id: str, json_message: dict, **kwargs: Any) -> None:
        """Notification metadata is for WhatsApp templates; the widget shows the text."""


class WebChatInput(InputChannel):
    """socket.io at `/socket.io`; history and uploads under `/webhooks/webchat/`."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        origins = credentials.get("cors_origins") or "*"
        if isinstance(origins, str) and origins != "*":
            origins = [o.strip() for o in origins.split(",") if o.strip()]
        return cls(
            secret=str(credentials.get("secret") or secrets.token_hex(32)),
            cors_origins=origins,
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            redis_url=credentials.get("redis_url") or "",
        )

    def __init__(
        self,
        secret: str,
        cors_origins: Any = "*",
        socketio_path: str = "/socket.io",
        redis_url: str = "",
    ):
        self.secret = secret
        self.cors_origins = cors_origins
        self.socketio_path = socketio_path
        # With several replicas, a message emitted by any of them reaches the browser
        # connected to another one through Redis pub/sub.
        self.redis_url = redis_url
        self.sio: AsyncServer | None = None
        self.media_dir: Path = load_settings().media_dir

    def get_output_channel(self) -> OutputChannel | None:
        return WebChatOutput(self.sio, "bot_uttered") if self.sio else None

    async def _history(self, request: Request) -> HTTPResponse:
        sender = sender_of(self.secret, request.args.get("session"))
        if sender is None:
            return response.json({"error": "unknown session"}, status=403)
        tracker = await request.app.ctx.agent.tracker_store.retrieve(sender)
        messages = []
        for event in tracker.events if tracker else []:
            if event.type_name == "user" and event.text and not event.text.startswith("EXTERNAL:"):
                shown = event.text if not event.text.startswith("/") else None
                if shown:
                    messages.append({"from": "user", "text": shown})
            elif event.type_name == "bot" and event.text:
                messages.append(
                    {"from": "bot", "text": event.text, "buttons": event.data.get("buttons") or []}
                )
        return response.json({"messages": messages})

    async def _upload(self, request: Request) -> HTTPResponse:
        if sender_of(self.secret, request.args.get("session")) is None:
            return response.json({"error": "unknown session"}, status=403)
        upload = request.files.get("file") if request.files else None
        if upload is None:
            return response.json({"error": "no file"}, status=400)
        content_type = (upload.type or "").split(";")[0].lower()
        if content_type not in ALLOWED_UPLOADS:
            return response.json({"error": "type not allowed"}, status=415)
        if len(upload.body) > MAX_UPLOAD_BYTES:
            return response.json({"error": "file too large"}, status=413)
        self.media_dir.mkdir(parents=True, exist_ok=True)
        extension = mimetypes.guess_extension(content_type) or ".bin"
        path = self.media_dir / f"{uuid.uuid4().hex}{extension}"
        path.write_bytes(upload.body)
        return response.json(
            {
                "url": f"media/{path.name}",
                "content_type": content_type,
                "size": len(upload.body),
                "name": (upload.name or path.name)[:120],
            }
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        manager = (
            AsyncRedisManager(self.redis_url, channel="balagh-socketio") if self.redis_url else None
        )
        sio = AsyncServer(
            async_mode="sanic", cors_allowed_origins=self.cors_origins, client_manager=manager
        )
        hook = SocketBlueprint(sio, self.socketio_path, "webchat_webhook", __name__)
        self.sio = sio

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/history", methods=["GET"])
        async def history(request: Request) -> HTTPResponse:
            return await self._history(request)

        @hook.route("/upload", methods=["POST"])
        async def upload(request: Request) -> HTTPResponse:
            return await self._upload(request)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            token = (data or {}).get("session_id") if isinstance(data, dict) else None
            sender = sender_of(self.secret, token)
            if sender is None:  # new visitor, or a forged / altered token
                token = new_token(self.secret)
                sender = sender_of(self.secret, token)
            await sio.save_session(sid, {"sender": sender})
            await sio.enter_room(sid, sender)  # a coroutine in python-socketio 5.10+
            await sio.emit("session_confirm", token, room=sid)

        @sio.on("user_uttered")
        async def handle_message(sid: str, data: Any) -> None:
            sender = (await sio.get_session(sid)).get("sender")
            if not sender or not isinstance(data, dict):
                await sio.emit("session_required", {}, room=sid)
                return
            text = str(data.get("message") or "")[:MAX_TEXT]
            metadata: dict[str, Any] = {}
            attachments = (data.get("metadata") or {}).get("attachments") or []
            uploaded = [
                a
                for a in attachments
                if isinstance(a, dict) and str(a.get("url", "")).startswith("media/")
            ]
            if uploaded:
                metadata["attachments"] = uploaded[:5]
            output = WebChatOutput(sio, "bot_uttered")
            await sio.emit("bot_typing", {"typing": True}, room=sender)
            try:
                await on_new_message(
                    UserMessage(text, output, sender, input_channel=self.name(), metadata=metadata)
                )
            finally:
                await sio.emit("bot_typing", {"typing": False}, room=sender)

        return hook
