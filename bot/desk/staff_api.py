"""The staff API (contract in docs/architecture.md): read a report, change its status.

`Authorization: Bearer <BALAGH_STAFF_TOKEN>`. Errors are JSON with an `error` field:
401 without a valid token, 404 for an unknown report, 400 for a malformed request or a
field outside its bounds (`bot/rules/input_bounds.py`), 409 for a status change the life of a
report does not allow. `json_errors` makes every other desk error JSON too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot import clock
from bot.rules import input_bounds as bounds
from bot.rules.input_bounds import BadInput
from bot.rules.lifecycle import TransitionError
from bot.settings import Settings
from bot.store.database import Store
from bot.store.follow_up import (
    ReportNotFound,
    change_status,
    find_report,
    notice_attention,
    notices_of,
)
from bot.store.models import STATUSES

logger = logging.getLogger(__name__)

# What the desk's handlers share: the process's settings and store (`bot/desk/main.py`).
SETTINGS_KEY = web.AppKey("settings", Settings)
STORE_KEY = web.AppKey("store", Store)
TOKEN_KEY = web.AppKey("staff_token", str)


def error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


@web.middleware
async def json_errors(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """Every desk error as `{"error": ...}`: a field out of bounds (400), aiohttp's own
    errors (404, 405, 413...) with their status, anything unexpected as a logged 500."""
    try:
        return await handler(request)
    except BadInput as refused:
        return error(400, str(refused))
    except web.HTTPException as failure:
        if failure.status < 400:
            raise
        allow = {"Allow": failure.headers["Allow"]} if "Allow" in failure.headers else None
        return error(failure.status, failure.reason.lower(), allow)
    except Exception:
        logger.exception("%s %s failed", request.method, request.path)
        return error(500, "internal error")


async def read_object(request: web.Request, *, empty_ok: bool = True) -> dict[str, Any]:
    """The request's JSON object, bounded (`bot/rules/input_bounds.py`): raises BadInput (400)
    for anything else. The body is read as UTF-8 whatever charset the request declares;
    one over the app's client_max_size is a 413."""
    return bounds.json_object(await request.read(), empty_ok=empty_ok)


def handoff_id(request: web.Request) -> int:
    """The `{id}` of a hand-off route (the route allows at most 18 digits); 404 otherwise."""
    found = bounds.handoff_id(request.match_info.get("id", ""))
    if found is None:
        raise web.HTTPNotFound()
    return found


@dataclass(frozen=True)
class StatusChange:
    """A requested status change, validated (shared by the staff and agents' APIs)."""

    status: str
    note: str | None
    implementation_time: str | None

    @property
    def payload(self) -> dict[str, str]:
        return {"implementation_time": self.implementation_time} if self.implementation_time else {}


def read_status_change(body: dict[str, Any]) -> StatusChange:
    status = body.get("status")
    if status not in STATUSES:
        raise BadInput(f"status must be one of: {', '.join(STATUSES)}")
    return StatusChange(
        status,
        bounds.text(body.get("note"), "note", bounds.MAX_NOTE),
        bounds.text(
            body.get("implementation_time"), "implementation_time", bounds.MAX_IMPLEMENTATION_TIME
        ),
    )


@web.middleware
async def require_token(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """The staff token guards the reports API; agents' routes check their own sessions."""
    if request.path.startswith("/api/reports"):
        if not bounds.bearer_matches(request.headers.get("Authorization"), request.app[TOKEN_KEY]):
            return error(401, "missing or invalid bearer token")
    return await handler(request)


def _number(request: web.Request) -> str | None:
    return bounds.report_number(request.match_info["number"])


async def get_report(request: web.Request) -> web.Response:
    number = _number(request)
    report = await request.app[STORE_KEY].run(find_report, number) if number else None
    if report is None:
        return error(404, "no report with this number")
    store = request.app[STORE_KEY]
    # Every notice route by route, and what needs the staff (a missing-data notice that
    # reached nobody: the 48 hours have not started).
    notices = await store.run(notices_of, report.number)
    attention = await store.run(notice_attention, report.number)
    return web.json_response({**report.as_api(), "notices": notices, "attention": attention})


async def post_status(request: web.Request) -> web.Response:
    number = _number(request)
    if number is None:
        return error(404, "no report with this number")
    body = await read_object(request, empty_ok=False)
    change = read_status_change(body)
    actor = bounds.text(body.get("actor"), "actor", bounds.MAX_ACTOR) or "staff"
    try:
        report = await request.app[STORE_KEY].run(
            change_status,
            number,
            change.status,
            change.note,
            actor,
            clock.now(),
            change.payload,
        )
    except ReportNotFound:
        return error(404, "no report with this number")
    except TransitionError as refused:
        return error(409, str(refused))
    logger.info("report %s → %s by %s", number, change.status, actor)
    return web.json_response(report.as_api())


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/reports/{number}", get_report)
    app.router.add_post("/api/reports/{number}/status", post_status)
