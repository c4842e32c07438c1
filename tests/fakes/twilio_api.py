"""A local stand-in for Twilio's REST API (127.0.0.1 only): records the messages the real
`twilio` client sends, fails on request, and serves media with basic auth the way Twilio
does (`/media/<name>`, optionally redirected to its "CDN" `/cdn/<name>`, which needs no
credentials), slowly or without a Content-Length on request. Every media request is
recorded with its Authorization header. `ForeignHost` is somebody else's server
(127.0.0.2) that records what it is sent."""

from __future__ import annotations

import asyncio
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
    redirects: dict[str, str] = field(default_factory=dict)  # media name -> Location
    slow: set[str] = field(default_factory=set)  # media answered after `slow_seconds`
    slow_seconds: float = 60
    unsized: set[str] = field(default_factory=set)  # media sent chunked, no Content-Length
    media_requests: list[tuple[str, str | None]] = field(default_factory=list)
    port: int = 0
    # Twilio Verify: the code last sent to each number, and every request (service, To).
    verify_codes: dict[str, str] = field(default_factory=dict)
    verify_requests: list[tuple[str, str, str]] = field(default_factory=list)
    down: bool = False  # an outage: every message request answered 503 until it ends
    accepted_at: list[float] = field(default_factory=list)  # time.monotonic() per message
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sent: threading.Condition = field(default_factory=threading.Condition)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, times: int, status: int = 500, code: int = 20500) -> None:
        with self._lock:
            self.failures.extend([(status, code)] * times)

    def set_down(self, down: bool) -> None:
        """Twilio's API away (503, error 20503 to every message request) or back."""
        with self._lock:
            self.down = down

    def accepted(self) -> list[tuple[float, dict]]:
        """(time.monotonic() when taken, message) of every message, in the order taken."""
        with self._lock:
            return list(zip(self.accepted_at, self.messages, strict=True))

    def sent(self) -> list[dict]:
        with self._lock:
            return list(self.messages)

    def media_url(self, name: str) -> str:
        return f"{self.base_url}/media/{name}"

    def requests_for(self, name: str) -> list[tuple[str, str | None]]:
        """(path, Authorization header) of every media request naming `name`."""
        with self._lock:
            return [(path, auth) for path, auth in self.media_requests if path.endswith(name)]

    def wait_for_text(self, to: str, fragment: str, timeout: float = 30) -> list[dict]:
        """Block until a message to `to` containing `fragment` was accepted (woken by each
        accepted message, no polling); return every message to `to`."""
        deadline = time.monotonic() + timeout
        with self._sent:
            while True:
                mine = [m for m in self.sent() if m.get("To") == to]
                if any(fragment in (m.get("Body") or "") for m in mine):
                    return mine
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no message with {fragment!r} to {to}: {mine}")
                self._sent.wait(left)

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
            if self.down:
                return web.json_response(
                    {"code": 20503, "message": "Service unavailable", "status": 503}, status=503
                )
            if self.failures:
                status, code = self.failures.pop(0)
                return web.json_response(
                    {"code": code, "message": "fake failure", "status": status}, status=status
                )
            sid = "SM" + uuid.uuid4().hex
            self.messages.append({**form, "sid": sid})
            self.accepted_at.append(time.monotonic())
        with self._sent:
            self._sent.notify_all()
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

    async def _verification(self, request: web.Request) -> web.Response:
        """Verify's "send a code": a new six-digit code for `To` (the SMS is Twilio's)."""
        if not self._authorised(request):
            return web.json_response({"code": 20003, "message": "Authenticate"}, status=401)
        form = dict(await request.post())
        service, to = request.match_info["service"], str(form.get("To") or "")
        if not to.startswith("+") or form.get("Channel") != "sms":
            return web.json_response({"code": 60200, "message": "Invalid parameter"}, status=400)
        with self._lock:
            code = f"{uuid.uuid4().int % 10**6:06d}"
            self.verify_codes[to] = code
            self.verify_requests.append((service, "send", to))
        return web.json_response(
            {"sid": "VE" + uuid.uuid4().hex, "service_sid": service, "to": to, "status": "pending"},
            status=201,
        )

    async def _verification_check(self, request: web.Request) -> web.Response:
        """Verify's "check a code": approved when it is the code last sent to `To`."""
        if not self._authorised(request):
            return web.json_response({"code": 20003, "message": "Authenticate"}, status=401)
        form = dict(await request.post())
        service, to = request.match_info["service"], str(form.get("To") or "")
        with self._lock:
            self.verify_requests.append((service, "check", to))
            if to not in self.verify_codes:
                return web.json_response({"code": 20404, "message": "Not found"}, status=404)
            approved = self.verify_codes[to] == form.get("Code")
            if approved:
                del self.verify_codes[to]
        return web.json_response(
            {
                "sid": "VE" + uuid.uuid4().hex,
                "service_sid": service,
                "to": to,
                "status": "approved" if approved else "pending",
                "valid": approved,
            }
        )

    def _record(self, request: web.Request) -> None:
        with self._lock:
            self.media_requests.append((request.path, request.headers.get("Authorization")))

    async def _media(self, request: web.Request) -> web.StreamResponse:
        """Twilio's media URL: basic auth required; may redirect to the CDN."""
        self._record(request)
        if not self._authorised(request):
            return web.Response(status=401)
        name = request.match_info["name"]
        if name in self.redirects:
            return web.Response(status=307, headers={"Location": self.redirects[name]})
        if name in self.slow:
            await asyncio.sleep(self.slow_seconds)
        return await self._serve(request, name)

    async def _cdn(self, request: web.Request) -> web.StreamResponse:
        """The CDN a media URL redirects to: a signed URL, no credentials needed."""
        self._record(request)
        return await self._serve(request, request.match_info["name"])

    async def _serve(self, request: web.Request, name: str) -> web.StreamResponse:
        data, content_type = self.media[name]
        if name not in self.unsized:
            return web.Response(body=data, content_type=content_type)
        reply = web.StreamResponse(headers={"Content-Type": content_type})
        reply.enable_chunked_encoding()
        await reply.prepare(request)
        for start in range(0, len(data), 64 * 1024):
            await reply.write(data[start : start + 64 * 1024])
        await reply.write_eof()
        return reply

    def start(self) -> None:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", self._create_message)
        app.router.add_post("/v2/Services/{service}/Verifications", self._verification)
        app.router.add_post("/v2/Services/{service}/VerificationCheck", self._verification_check)
        app.router.add_get("/media/{name}", self._media)
        app.router.add_get("/cdn/{name}", self._cdn)
        self.port = serve_in_thread(app)


@dataclass
class ForeignHost:
    """Somebody else's server on another loopback address: answers every GET with a small
    PNG and records each request's path and Authorization header."""

    host: str = "127.0.0.2"
    seen: list[tuple[str, str | None]] = field(default_factory=list)
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def _any(self, request: web.Request) -> web.Response:
        self.seen.append((request.path, request.headers.get("Authorization")))
        return web.Response(body=b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")

    def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._any)
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            runner = web.AppRunner(app)
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, self.host, 0)
            loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()

        threading.Thread(target=serve, daemon=True).start()
        if not ready.wait(10):
            raise RuntimeError("foreign host did not start")
