"""The website's chat widget: socket.io with sessions nobody else can choose.

Rasa's socket.io channel trusts the `session_id` the browser sends, so anyone who learns
or guesses an id reads that conversation. Here the server issues the session token
(`<id>.<HMAC>`), a browser presenting a forged or altered token gets a new session, and
messages are attributed to the session bound to the socket, never to a field of the
message. The same token unlocks the conversation's history (a reload, a dropped
connection, notifications that arrived while away) and attachment uploads. The tokens
are made and checked in `bot/rules/web_sessions.py` (the desk's link back to a conversation
needs them too).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, response
from sanic.headers import parse_content_header
from sanic.request import Request, parse_multipart_form
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from bot import clock
from bot.rules.input_bounds import MAX_MESSAGE
from bot.rules.web_sessions import new_token, sender_of
from bot.settings import load_settings
from bot.store import media
from bot.store.channel_state import socket_closed, socket_opened
from bot.store.database import Store, shared_store
from channels.rest import client_address

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = media.MAX_MEDIA_BYTES
# The whole multipart body: the file and its envelope (boundaries, part headers, name).
MAX_UPLOAD_REQUEST_BYTES = MAX_UPLOAD_BYTES + 64 * 1024
MAX_TEXT = MAX_MESSAGE


def _unread(request: Request, answer: HTTPResponse) -> HTTPResponse:
    """Answer without reading the rest of the body: Sanic then closes the connection
    instead of draining it (it drains up to the app's request size limit otherwise).
    `request.stream` is Sanic 21.12's private `Http` (listed in docs/rasa-patches.md)."""
    if request.stream is not None:
        request.stream.request_max_size = 0
        request.stream.expecting_continue = False  # no "100 Continue" after the answer
    return answer


def storable(text: str) -> str:
    """The text without NUL characters and lone surrogates, which no store of ours (and
    no JSON encoder on the way to the action server) keeps."""
    text = text.replace("\x00", "")
    return text.encode("utf-8", "ignore").decode("utf-8") if not text.isascii() else text


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
        # No origin unless configured (server_config passes BALAGH_WEBCHAT_ORIGINS).
        origins = credentials.get("cors_origins") or []
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
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        """The reports store, where presence is kept (created on first use, in Rasa)."""
        if self._store is None:
            self._store = shared_store(load_settings().database_url).upgrade_once()
        return self._store

    async def _presence(self, change: Callable[..., None], sender: str) -> None:
        """Count a browser in or out (a notice for a citizen with none goes by SMS too);
        the store unreachable costs an SMS at worst, never the chat."""
        try:
            await self.store.run(change, sender, clock.now())
        except Exception as failure:
            logger.warning("web chat presence not recorded: %s", failure)

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
        """`POST /upload?session=<token>` (a streaming route): one multipart `file`, at most
        10 MB, typed by its first bytes (JPEG, PNG, WebP, PDF) whatever the browser
        declared. A body announced or found too large is refused before it is read."""
        if sender_of(self.secret, request.args.get("session")) is None:
            return _unread(request, response.json({"error": "unknown session"}, status=403))
        try:
            announced = int(request.headers.get("content-length", "0"))
        except ValueError:
            return _unread(request, response.json({"error": "bad Content-Length"}, status=400))
        if announced > MAX_UPLOAD_REQUEST_BYTES:
            return _unread(request, response.json({"error": "file too large"}, status=413))
        kind, parameters = parse_content_header(request.headers.get("content-type", ""))
        boundary = parameters.get("boundary")
        if kind != "multipart/form-data" or not boundary:
            return _unread(request, response.json({"error": "no file"}, status=400))
        body = bytearray()
        while request.stream is not None:
            chunk = await request.stream.read()
            if chunk is None:
                break
            body += chunk
            if len(body) > MAX_UPLOAD_REQUEST_BYTES:
                return _unread(request, response.json({"error": "file too large"}, status=413))
        try:
            _, files = parse_multipart_form(bytes(body), str(boundary).encode("utf-8"))
        except Exception:  # a malformed envelope (Sanic's parser raises ValueError and others)
            return response.json({"error": "malformed multipart body"}, status=400)
        upload = files.get("file")
        if upload is None:
            return response.json({"error": "no file"}, status=400)
        if len(upload.body) > MAX_UPLOAD_BYTES:
            return response.json({"error": "file too large"}, status=413)
        stored = await asyncio.to_thread(media.store, self.media_dir, upload.body)
        if stored is None:
            return response.json({"error": "type not allowed"}, status=415)
        return response.json({**stored, "name": (upload.name or stored["url"])[:120]})

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

        @hook.route("/upload", methods=["POST"], stream=True)
        async def upload(request: Request) -> HTTPResponse:
            return await self._upload(request)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            token = (data or {}).get("session_id") if isinstance(data, dict) else None
            sender = sender_of(self.secret, token)
            if sender is None:  # new visitor, or a forged / altered token
                token = new_token(self.secret)
                sender = sender_of(self.secret, token)
            handshake = sio.get_environ(sid) or {}
            request = handshake.get("sanic.request")
            client = client_address(request) if request is not None else "unknown"
            before = (await sio.get_session(sid)).get("sender")
            await sio.save_session(sid, {"sender": sender, "client": client})
            await sio.enter_room(sid, sender)  # a coroutine in python-socketio 5.10+
            await sio.emit("session_confirm", token, room=sid)
            if before != sender:
                if before:
                    await self._presence(socket_closed, before)
                await self._presence(socket_opened, sender)

        @sio.on("disconnect")
        async def disconnect(sid: str) -> None:
            try:
                sender = (await sio.get_session(sid)).get("sender")
            except KeyError:  # the engine already forgot the socket
                return
            if sender:
                await self._presence(socket_closed, sender)

        @sio.on("user_uttered")
        async def handle_message(sid: str, data: Any) -> None:
            session = await sio.get_session(sid)
            sender = session.get("sender")
            if not sender or not isinstance(data, dict):
                await sio.emit("session_required", {}, room=sid)
                return
            text = storable(str(data.get("message") or ""))[:MAX_TEXT]
            metadata: dict[str, Any] = {"client": session.get("client") or "unknown"}
            given = data.get("metadata")
            attachments = given.get("attachments") if isinstance(given, dict) else None
            uploaded = [
                {key: a[key] for key in ("url", "content_type", "size", "name") if key in a}
                for a in (attachments if isinstance(attachments, list) else [])
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
