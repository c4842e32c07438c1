"""A local stand-in for Twilio's REST API (127.0.0.1 only): records the messages the real
`twilio` client sends, fails on request, and serves media with basic auth."""

from __future__ import annotations

import base64
import threading
import time
import uuid
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.server import serve_in_thread


@dataclass
class FakeTwilio:
    account_sid: str = "AC" + "0" * 32
    auth_token: str = "fake-auth-token"
    messages: list[dict] = field(default_factory=list)
    failures: list[tuple[int, int]] = field(default_factory=list)  # (HTTP status, Twilio code)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, times: int, status: int = 500, code: int = 20500) -> None:
        with self._lock:
            self.failures.extend([(status, code)] * times)

    def sent(self) -> list[dict]:
        with self._lock:
            return list(self.messages)

    def wait_for(self, count: int, timeout: float = 30) -> list[dict]:
        """Poll until at least `count` messages were accepted."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.sent()) >= count:
                return self.sent()
            time.sleep(0.05)
        raise AssertionError(f"expected {count} messages, got {self.sent()}")

    def _authorised(self, request: web.Request) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    async def _create_message(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"code": 20003, "message": "Authenticate"}, status=401)
        form = dict(await request.post())
        with self._lock:
            if self.failures:
                status, code = self.failures.pop(0)
                return web.json_response(
                    {"code": code, "message": "fake failure", "status": status}, status=status
                )
            sid = "SM" + uuid.uuid4().hex
            self.messages.append({**form, "sid": sid})
        return web.json_response(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": form.get("To"),
                "from": form.get("From"),
                "body": form.get("Body"),
                "status": "queued",
            },
            status=201,
        )

    async def _media(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.Response(status=401)
        data, content_type = self.media[request.match_info["name"]]
        return web.Response(body=data, content_type=content_type)

    def start(self) -> None:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", self._create_message)
        app.router.add_get("/media/{name}", self._media)
        self.port = serve_in_thread(app)
