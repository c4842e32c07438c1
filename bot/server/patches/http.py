"""Sanic 21.12's request head: a `Content-Length` that is not plain digits is a 400.

Sanic takes `int(headers["content-length"])` as it is: `-5` makes its body reader return
empty chunks forever without yielding, and one such request froze the Rasa server (and the
action server) at 100% CPU before any token was checked; `5, 5` gave a 500. nginx refuses
these at the edge, but loopback and compose's internal network reach the processes
directly. Installed in the Rasa server (`bot.server.patches.install`) and in the action
server (`bot.actions.server`), both Sanic.
"""

from __future__ import annotations

from typing import Any

from sanic.exceptions import InvalidUsage
from sanic.http import Http
from sanic.touchup import TouchUp

# Sanic's own parsing, kept under another name and handed to Sanic's "touch-up" like the
# original (which strips its signal dispatches when an app starts: untouched, they fail).
ORIGINAL = "_balagh_http1_request_header"


def _refuse(http: Any) -> InvalidUsage:
    """Answer 400 and close: no body is read (Sanic would drain it after the answer)."""
    http.request_body = None
    http.request_bytes_left = http.request_bytes = 0
    http.keep_alive = False
    return InvalidUsage("Content-Length must be one non-negative integer")


async def checked_request_header(self: Http) -> None:
    """Sanic's header parsing, refusing a malformed `Content-Length` with a 400.

    The touch-up recompiles this method too, from its source, with `sanic.http`'s globals:
    what it needs of this module is imported here, not found globally."""
    from bot.server.patches.http import _refuse

    try:
        await self._balagh_http1_request_header()
    except ValueError:  # int() of a malformed length, inside Sanic
        raise _refuse(self) from None
    request = getattr(self, "request", None)
    lengths = request.headers.getall("content-length", []) if request is not None else []
    if len(lengths) > 1 or any(not value.strip().isdigit() for value in lengths):
        raise _refuse(self)


def install() -> None:
    if getattr(Http, ORIGINAL, None) is not None:
        return
    setattr(Http, ORIGINAL, Http.http1_request_header)
    TouchUp.register(Http, ORIGINAL)
    Http.http1_request_header = checked_request_header  # type: ignore[method-assign]
