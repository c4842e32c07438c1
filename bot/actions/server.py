"""`python -m bot.actions.server`: the action server, internal and authenticated.

It is rasa_sdk's own server (`rasa_sdk.endpoint.create_app`, the actions of
`bot.actions.actions`) with two differences that close it to anyone but Rasa:
- it listens on 127.0.0.1 unless `BALAGH_ACTIONS_HOST` opens it (compose's internal
  network);
- every request but `/health` must carry `Authorization: Bearer <BALAGH_ACTIONS_TOKEN>`,
  the secret Rasa sends (`action_endpoint.headers` in the rendered endpoints file). A
  forged tracker posted by anyone else is refused with 401 before it is read.
Bodies are bounded (`MAX_BODY_BYTES`) and a malformed call answers 400, not 500.
`GET /metrics` (refusals by reason, `bot/actions/metrics.py`) has its own door:
`BALAGH_METRICS_TOKEN`, or loopback callers when it is unset (`bot/observability/door.py`).
"""

from __future__ import annotations

import argparse
import logging
from importlib import metadata
from typing import Any

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.actions import metrics as _metrics  # noqa: F401 - registers the action metrics
from bot.observability import logs
from bot.observability.door import sanic_metrics
from bot.observability.holidays import warn_if_short
from bot.rules.input_bounds import bearer_matches
from bot.settings import settings_or_exit
from bot.store.database import shared_store

logger = logging.getLogger(__name__)

ACTIONS_PACKAGE = "bot.actions.actions"
# A tracker of a long conversation plus the domain is a few hundred KB; 8 MB is far above
# any real call and far below what would hurt the server.
MAX_BODY_BYTES = 8 * 1024 * 1024
OPEN_PATHS = frozenset({"/health"})
METRICS_PATH = "/metrics"


def call_problem(body: Any) -> str | None:
    """Why a body is not an action call Rasa would send, or None."""
    if not isinstance(body, dict) or not isinstance(body.get("next_action"), str):
        return "the body must be a JSON action call with `next_action`"
    tracker = body.get("tracker")
    if not isinstance(tracker, dict):
        return "`tracker` must be an object"
    if not isinstance(tracker.get("slots", {}), dict):
        return "`tracker.slots` must be an object"
    if not isinstance(tracker.get("events", []), list):
        return "`tracker.events` must be a list"
    if not isinstance(tracker.get("latest_message", {}) or {}, dict):
        return "`tracker.latest_message` must be an object"
    if not isinstance(body.get("domain", {}) or {}, dict):
        return "`domain` must be an object"
    return None


def build_app(token: str) -> Sanic:
    """rasa_sdk's app with the token check in front of it."""
    app = create_app(ACTIONS_PACKAGE, cors_origins=[])
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or request.path == METRICS_PATH:
            return None  # /metrics checks its own door
        if not bearer_matches(request.headers.get("Authorization"), token):
            return response.json({"error": "missing or invalid action server token"}, status=401)
        if request.method == "POST":
            try:
                body = request.json
            except Exception:  # Sanic's InvalidUsage on a body that is not JSON
                body = None
            problem = call_problem(body)
            if problem:
                return response.json({"error": problem}, status=400)
        return None

    @app.exception(SanicException)
    async def http_error(request: Request, error: SanicException) -> HTTPResponse:
        """404, 405, 413... as JSON (rasa_sdk answers every exception with a 500 that
        echoes the request's body)."""
        return response.json({"error": str(error) or "bad request"}, status=error.status_code)

    @app.exception(Exception)
    async def internal_error(request: Request, error: Exception) -> HTTPResponse:
        logger.exception("action server failed on %s", request.path)
        return response.json({"error": "internal error"}, status=500)

    @app.get(METRICS_PATH)
    async def metrics(request: Request) -> HTTPResponse:
        return sanic_metrics(request)

    return app


# The rasa-sdk this server was built on (requirements.txt's pin; its use is listed in
# docs/rasa-patches.md, and tests/unit/test_patches.py checks that the two agree).
RASA_SDK_VERSION = "3.6.2"


def check_rasa_sdk() -> None:
    """Refuse to start, in one line, on another rasa-sdk than the pinned one."""
    try:
        installed = metadata.version("rasa-sdk")
    except metadata.PackageNotFoundError:
        installed = "none"
    if installed != RASA_SDK_VERSION:
        raise SystemExit(
            f"Balagh's action server refuses to start: rasa-sdk {installed} is installed, but "
            f"it was built on {RASA_SDK_VERSION}. Install requirements.txt's pins, or re-derive "
            "what docs/rasa-patches.md lists for the new version."
        )


def main(argv: list[str] | None = None) -> None:
    check_rasa_sdk()
    # Sanic's request head, as in the Rasa server: a malformed Content-Length is a 400.
    from bot.server.patches.http import install as refuse_malformed_lengths

    refuse_malformed_lengths()
    parser = argparse.ArgumentParser(prog="python -m bot.actions.server", description=__doc__)
    parser.add_argument("-p", "--port", type=int, help="default: BALAGH_ACTIONS_PORT")
    args = parser.parse_args(argv)
    settings = settings_or_exit("balagh actions")
    shared_store(settings.database_url)  # the process's store, built once (migrated on first use)
    logs.configure("actions")
    warn_if_short()
    host, port = settings.actions_host, args.port or settings.actions_port
    app = build_app(settings.actions_token.value())
    logs.reformat("actions")  # Sanic's loggers, configured with the app
    logger.info("action server on %s:%s (token required)", host, port)
    app.run(host, port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
