"""The staff API (contract in ARCHITECTURE.md): read a report, change its status.

`Authorization: Bearer <BALAGH_STAFF_TOKEN>`. Errors are JSON with an `error` field:
401 without a valid token, 404 for an unknown report, 400 for a malformed request,
409 for a status change the life of a report does not allow.
"""

from __future__ import annotations

import hmac
import json
import logging
import re

from aiohttp import web

from bot import clock
from bot.lifecycle import TransitionError
from bot.store.follow_up import ReportNotFound, change_status, find_report
from bot.store.models import STATUSES

logger = logging.getLogger(__name__)

NUMBER = re.compile(r"^\d{9}$")
MAX_NOTE = 2000
DATABASE_KEY = web.AppKey("database_url", str)
TOKEN_KEY = web.AppKey("staff_token", str)


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@web.middleware
async def require_token(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """The staff token guards the reports API; agents' routes check their own sessions."""
    if request.path.startswith("/api/reports"):
        expected = request.app[TOKEN_KEY]
        given = request.headers.get("Authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
            return error(401, "missing or invalid bearer token")
    return await handler(request)


def _number(request: web.Request) -> str | None:
    number = request.match_info["number"]
    return number if NUMBER.match(number) else None


async def get_report(request: web.Request) -> web.Response:
    number = _number(request)
    report = find_report(request.app[DATABASE_KEY], number) if number else None
    if report is None:
        return error(404, "no report with this number")
    return web.json_response(report.as_api())


async def post_status(request: web.Request) -> web.Response:
    number = _number(request)
    if number is None:
        return error(404, "no report with this number")
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return error(400, "body must be JSON")
    if not isinstance(body, dict):
        return error(400, "body must be a JSON object")
    status, note = body.get("status"), body.get("note")
    if status not in STATUSES:
        return error(400, f"status must be one of: {', '.join(STATUSES)}")
    if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
        return error(400, f"note must be a string of at most {MAX_NOTE} characters")
    implementation_time = body.get("implementation_time")
    if implementation_time is not None and not isinstance(implementation_time, str):
        return error(400, "implementation_time must be a string")
    actor = str(body.get("actor") or "staff")[:64]
    payload = {"implementation_time": implementation_time} if implementation_time else {}
    try:
        report = change_status(
            request.app[DATABASE_KEY], number, status, note, actor, clock.now(), payload
        )
    except ReportNotFound:
        return error(404, "no report with this number")
    except TransitionError as refused:
        return error(409, str(refused))
    logger.info("report %s → %s by %s", number, status, actor)
    return web.json_response(report.as_api())


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/reports/{number}", get_report)
    app.router.add_post("/api/reports/{number}/status", post_status)
