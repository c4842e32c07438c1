"""A local stand-in for Telegram's Bot API (127.0.0.1): queues updates for getUpdates and
records what the real python-telegram-bot client sends."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.server import serve_in_thread


@dataclass
class FakeTelegram:
    token: str = "123456:FAKE-TOKEN"
    port: int = 0
    sent: list[dict] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)
    _updates: list[dict] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _user(self, user_id: int) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": f"u{user_id}"}

    def press(self, user_id: int, data: str, chat_id: int) -> None:
        """A user presses an inline button."""
        with self._lock:
            self._updates.append(
                {
                    "update_id": next(self._ids),
                    "callback_query": {
                        "id": str(next(self._ids)),
                        "from": self._user(user_id),
                        "chat_instance": "1",
                        "data": data,
                        "message": self._message(chat_id, "…", self._user(1)),
                    },
                }
            )

    def write(self, user_id: int, text: str, chat_id: int) -> None:
        with self._lock:
            self._updates.append(
                {
                    "update_id": next(self._ids),
                    "message": self._message(chat_id, text, self._user(user_id)),
                }
            )

    def _message(self, chat_id: int, text: str, sender: dict) -> dict:
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "group", "title": "agents"},
            "from": sender,
            "text": text,
        }

    def wait(self, predicate, timeout: float = 30):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = predicate(self)
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"not seen; sent={self.sent} answers={self.answers}")

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401}, status=401)
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = dict(await request.post())
        name = request.match_info["method"]
        with self._lock:
            if name == "getMe":
                result = {"id": 1, "is_bot": True, "first_name": "Balagh", "username": "balagh_bot"}
            elif name == "getUpdates":
                offset = int(params.get("offset") or 0)
                result = [u for u in self._updates if u["update_id"] >= offset]
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
