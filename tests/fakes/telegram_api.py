"""A local stand-in for Telegram's Bot API (127.0.0.1): hands updates out by long polling
(getUpdates) or, once a webhook is set, pushes them to it with the webhook's secret as
Telegram does; records what the real python-telegram-bot client sends."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.server import serve_in_thread

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class FakeTelegram:
    token: str = "123456:FAKE-TOKEN"
    port: int = 0
    sent: list[dict] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)
    # setWebhook's parameters (url, secret_token...), cleared by deleteWebhook
    webhook: dict | None = None
    # where a pushed update really goes: the desk behind the edge the webhook's URL names
    deliver_to: str = ""
    # (HTTP status, update_id) of every update pushed to the webhook
    deliveries: list[tuple[int, int]] = field(default_factory=list)
    _updates: list[dict] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _user(self, user_id: int) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": f"u{user_id}"}

    def button_update(self, user_id: int, data: str, chat_id: int) -> dict:
        with self._lock:
            return {
                "update_id": next(self._ids),
                "callback_query": {
                    "id": str(next(self._ids)),
                    "from": self._user(user_id),
                    "chat_instance": "1",
                    "data": data,
                    "message": self._message(chat_id, "…", self._user(1)),
                },
            }

    def message_update(self, user_id: int, text: str, chat_id: int) -> dict:
        with self._lock:
            return {
                "update_id": next(self._ids),
                "message": self._message(chat_id, text, self._user(user_id)),
            }

    def press(self, user_id: int, data: str, chat_id: int) -> None:
        """A user presses an inline button."""
        self._queue(self.button_update(user_id, data, chat_id))

    def write(self, user_id: int, text: str, chat_id: int) -> None:
        self._queue(self.message_update(user_id, text, chat_id))

    def _queue(self, update: dict) -> None:
        with self._lock:
            webhook = dict(self.webhook) if self.webhook else None
            if webhook is None:
                self._updates.append(update)
                return
        status = self.push(update, webhook.get("secret_token"))
        with self._lock:
            self.deliveries.append((status, update["update_id"]))

    def push(self, update: dict, secret: str | None) -> int:
        """POST `update` to the webhook as Telegram does (with `secret` in its header)."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        request = urllib.request.Request(
            self.deliver_to, data=json.dumps(update).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as refused:
            return refused.code

    def _message(self, chat_id: int, text: str, sender: dict) -> dict:
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "group", "title": "agents"},
            "from": sender,
            "text": text,
        }
        if text.startswith("/"):  # Telegram marks a leading command as an entity
            length = len(text.split(maxsplit=1)[0].encode("utf-16-le")) // 2
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return message

    def wait(self, predicate, timeout: float = 30):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = predicate(self)
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"not seen; sent={self.sent} answers={self.answers}")

    async def _get_updates(self, params: dict) -> web.Response:
        """Long polling: waits up to `timeout` seconds for an update at or after `offset`."""
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 30)
        while True:
            with self._lock:
                if self.webhook is not None:
                    return web.json_response(
                        {
                            "ok": False,
                            "error_code": 409,
                            "description": "Conflict: can't use getUpdates method while "
                            "webhook is active; use deleteWebhook to delete the webhook first",
                        },
                        status=409,
                    )
                found = [u for u in self._updates if u["update_id"] >= offset][:limit]
            if found or time.monotonic() >= deadline:
                return web.json_response({"ok": True, "result": found})
            await asyncio.sleep(0.05)

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401}, status=401)
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = dict(await request.post())
        name = request.match_info["method"]
        if name == "getUpdates":
            return await self._get_updates(params)
        with self._lock:
            if name == "getMe":
                result = {"id": 1, "is_bot": True, "first_name": "Balagh", "username": "balagh_bot"}
            elif name == "setWebhook":
                self.webhook = params
                result = True
            elif name == "deleteWebhook":
                self.webhook = None
                result = True
            elif name == "sendMessage":
                self.sent.append(params)
                result = self._message(int(params["chat_id"]), str(params["text"]), self._user(1))
            elif name == "answerCallbackQuery":
                self.answers.append(params)
                result = True
            else:
                result = True
        return web.json_response({"ok": True, "result": result})

    def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._method)
        self.port = serve_in_thread(app)
