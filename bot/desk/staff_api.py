"""The staff API (contract in docs/architecture.md): list reports, read one, change its status.

`Authorization: Bearer <BALAGH_STAFF_TOKEN>`. Errors are JSON with an `error` field:
401 without a valid token, 404 for an unknown report, 400 for a malformed request or a
field outside its bounds (`bot/rules/input_bounds.py`), 409 for a status change the life of a
report does not allow. `json_errors` makes every other desk error JSON too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from aiohttp import web

from bot import clock
from bot.rules import input_bounds as bounds
from bot.rules.input_bounds import BadInput
from bot.rules.labels import REPORT_TYPE_LABELS, label
from bot.rules.lifecycle import REOPEN_DECISIONS, REPORT_TYPES, TransitionError
from bot.rules.working_days import HolidayCalendar, load_calendar
from bot.settings import Settings
from bot.store.database import Store
from bot.store.follow_up import (
    ReportNotFound,
    change_status,
    find_report,
    history_of,
    notice_attention,
    notices_of,
)
from bot.store.models import STATUSES
from bot.store.reopen import decide_reopen, latest_reopen_request
from bot.store.report_lists import ReportFilters, ReportPage, list_reports

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
    reopen = await store.run(latest_reopen_request, report.number)
    history = await store.run(history_of, report.number)  # corrections and updates included
    return web.json_response(
        {
            **report.as_api(),
            "history": history,
            "notices": notices,
            "attention": attention,
            "reopen_request": reopen,
        }
    )


async def post_reopen(request: web.Request) -> web.Response:
    """Staff decide on the beneficiary's request to reopen a closed report."""
    number = _number(request)
    if number is None:
        return error(404, "no report with this number")
    body = await read_object(request, empty_ok=False)
    decision = body.get("decision")
    if decision not in REOPEN_DECISIONS:
        raise BadInput(f"decision: expected one of {', '.join(REOPEN_DECISIONS)}")
    note = bounds.text(body.get("note"), "note", bounds.MAX_NOTE)
    actor = bounds.text(body.get("actor"), "actor", bounds.MAX_ACTOR) or "staff"
    try:
        decided = await request.app[STORE_KEY].run(
            decide_reopen, number, decision, note, actor, clock.now()
        )
    except ReportNotFound:
        return error(404, "no report with this number")
    except TransitionError as refused:  # no request waiting, a refusal without reasons …
        return error(409, str(refused))
    logger.info("reopen request of %s: %s by %s", number, decision, actor)
    return web.json_response(decided)


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


# --- lists of reports (`GET /api/reports`, and the supervisors' `/api/supervisors/reports`)

FLAGS = ("overdue", "awaiting_first_review", "needs_attention")
LIST_PARAMETERS = ("status", "type", "entity", *FLAGS, "page", "per_page")
_COUNT = re.compile(r"[0-9]{1,7}")  # ASCII digits only («٣» is no page number)


@dataclass(frozen=True)
class ListQuery:
    """A list's query string, validated: the filters and the page."""

    filters: ReportFilters
    page: int = 1
    per_page: int = bounds.DEFAULT_PER_PAGE


def _shown(value: str) -> str:
    return repr(value[:40])


def _count(value: str, name: str, highest: int) -> int:
    if not _COUNT.fullmatch(value) or not 1 <= int(value) <= highest:
        raise BadInput(f"{name} must be a whole number from 1 to {highest}")
    return int(value)


def _flag(value: str, name: str) -> bool:
    if value not in ("true", "false"):
        raise BadInput(f"{name} must be true or false")
    return value == "true"


def _statuses(value: str) -> tuple[str, ...]:
    given = value.split(",")
    wrong = [s for s in given if s not in STATUSES]
    if wrong:
        raise BadInput(
            f"status: unknown status {_shown(wrong[0])}; give one or several of "
            f"{', '.join(STATUSES)}, separated by commas"
        )
    return tuple(dict.fromkeys(given))


def read_list_query(query: Mapping[str, str]) -> ListQuery:
    """The query string of a list of reports (the staff's and the supervisors'), or
    BadInput (400) naming the parameter: an unknown or repeated one, or a bad value."""
    names = list(query.keys())  # a multidict: a repeated name comes twice
    for name in names:
        if name not in LIST_PARAMETERS:
            raise BadInput(
                f"unknown parameter {_shown(name)}; expected: {', '.join(LIST_PARAMETERS)}"
            )
        if names.count(name) > 1:
            raise BadInput(f"{name} given more than once")
    kind = query.get("type")
    if kind is not None and kind not in REPORT_TYPES:
        raise BadInput(f"type must be one of: {', '.join(REPORT_TYPES)}")
    entity = query.get("entity")
    if entity is not None:
        entity = bounds.text(entity.strip(), "entity", bounds.MAX_ENTITY)
        if not entity:
            raise BadInput("entity must not be empty")
    status = query.get("status")
    filters = ReportFilters(
        statuses=_statuses(status) if status is not None else (),
        type=kind,
        entity=entity,
        **{name: _flag(query[name], name) for name in FLAGS if name in query},
    )
    page = query.get("page")
    per_page = query.get("per_page")
    return ListQuery(
        filters,
        _count(page, "page", bounds.MAX_PAGE) if page is not None else 1,
        _count(per_page, "per_page", bounds.MAX_PER_PAGE)
        if per_page is not None
        else bounds.DEFAULT_PER_PAGE,
    )


@lru_cache(maxsize=4)
def _calendar(path: str, modified: int) -> HolidayCalendar:
    return load_calendar(path)


def holiday_calendar(settings: Settings) -> HolidayCalendar:
    """The holidays file, read again only when it changed."""
    path = Path(settings.holidays_file)
    try:
        modified = path.stat().st_mtime_ns
    except OSError:
        modified = 0
    return _calendar(str(path), modified)


def listed(page: ReportPage, query: ListQuery) -> dict[str, Any]:
    """A list's answer: the page's reports (each with its type and status in Arabic and
    the day it was filed in the centre's time zone), the page, its size and the total."""
    return {
        "reports": [
            {
                **report.as_api(),
                "type_label": label(REPORT_TYPE_LABELS, report.type),
                "filed_on": clock.local_date(report.created_at).isoformat(),
            }
            for report in page.reports
        ],
        "page": query.page,
        "per_page": query.per_page,
        "total": page.total,
    }


def _list(store: Store, settings: Settings, query: ListQuery) -> ReportPage:
    return list_reports(
        store,
        query.filters,
        clock.today(),
        holiday_calendar(settings),
        query.page,
        query.per_page,
    )


async def report_list(request: web.Request) -> dict[str, Any]:
    """The list a request asks for, as answered (BadInput, a 400, for a bad query)."""
    query = read_list_query(request.query)
    page = await request.app[STORE_KEY].run(_list, request.app[SETTINGS_KEY], query)
    return listed(page, query)


async def get_reports(request: web.Request) -> web.Response:
    answer = await report_list(request)
    return web.json_response(answer, headers={"Cache-Control": "no-store"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/reports", get_reports)
    app.router.add_get("/api/reports/{number}", get_report)
    app.router.add_post("/api/reports/{number}/status", post_status)
    app.router.add_post("/api/reports/{number}/reopen", post_reopen)
