"""The supervisors' page: the voice-of-the-beneficiary report of any period, in the desk.

The page (`/console/supervisors`) is static, like the console; the figures come from
`GET /api/supervisors/report?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=html|csv]`, which
needs an agent session whose role is supervisor (401 without a valid session, 403 for
an agent). It runs the same code as `balagh report`, so both show the same figures.

The page also shows the lists of reports the staff API gives (`GET /api/reports`): overdue,
awaiting their first review for more than a working day, needing the staff (a missing-data
notice that reached nobody), by status and type, paged, through
`GET /api/supervisors/reports` (the same parameters and answer, read by the same code, with
the Arabic names of the statuses and types for the page's filters).
"""

from __future__ import annotations

from aiohttp import web

from bot import clock
from bot.desk.report.build import FORMATS, load_figures, render
from bot.desk.report.period import Period
from bot.desk.staff_api import SETTINGS_KEY, STORE_KEY, error, report_list
from bot.rules.input_bounds import bearer_token
from bot.rules.labels import REPORT_TYPE_LABELS
from bot.rules.lifecycle import REPORT_TYPES, STATUS_LABELS, STATUSES
from bot.rules.working_days import load_calendar
from bot.settings import ROOT, Settings
from bot.store.agents import agent_for_token
from bot.store.database import Store

PAGE = ROOT / "bot" / "desk" / "static" / "supervisors.html"
MAX_DAYS = 3 * 366  # a longer period is a mistake more often than a wish
CONTENT_TYPES = {"html": "text/html", "csv": "text/csv"}


@web.middleware
async def require_supervisor(request: web.Request, handler):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/supervisors"):
        token = bearer_token(request.headers.get("Authorization"))
        store = request.app[STORE_KEY]
        agent = await store.run(agent_for_token, token, clock.now()) if token else None
        if agent is None:
            return error(401, "sign in first (missing, invalid or expired session)")
        if not agent.is_supervisor:
            return error(403, "supervisors only")
    return await handler(request)


async def page(_: web.Request) -> web.FileResponse:
    return web.FileResponse(PAGE, headers={"Content-Type": "text/html; charset=utf-8"})


MIN_YEAR, MAX_YEAR = 2000, 2100  # reports exist between these, with room to spare


def _period(request: web.Request) -> Period | None:
    try:
        period = Period.parse(request.query.get("from", ""), request.query.get("to", ""))
    except ValueError:
        return None
    if not (MIN_YEAR <= period.start.year and period.end.year <= MAX_YEAR):
        return None  # the day's UTC bounds of year 1 or 9999 overflow
    return period if (period.end - period.start).days < MAX_DAYS else None


def _build(store: Store, settings: Settings, period: Period, fmt: str) -> str:
    figures = load_figures(store, period, clock.today(), load_calendar(settings.holidays_file))
    return render(figures, fmt)


async def report(request: web.Request) -> web.Response:
    period = _period(request)
    if period is None:
        return error(400, f"from and to must be dates (YYYY-MM-DD), to ≥ from, ≤ {MAX_DAYS} days")
    fmt = request.query.get("format", "html")
    if fmt not in FORMATS:
        return error(400, f"format must be one of {', '.join(FORMATS)}")
    body = await request.app[STORE_KEY].run(_build, request.app[SETTINGS_KEY], period, fmt)
    headers = {"Cache-Control": "no-store"}
    if fmt == "csv":
        name = f"voice-of-beneficiary-{period.start}-{period.end}.csv"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return web.Response(
        text=body, content_type=CONTENT_TYPES[fmt], charset="utf-8", headers=headers
    )


# The choices of the page's filters: codes sent back, Arabic names shown.
CHOICES = {
    "status": [{"value": code, "label": STATUS_LABELS[code]} for code in STATUSES],
    "type": [{"value": code, "label": REPORT_TYPE_LABELS[code]} for code in REPORT_TYPES],
}


async def reports(request: web.Request) -> web.Response:
    """The staff API's lists (`bot.desk.staff_api.report_list`), for a supervisor."""
    answer = await report_list(request)
    return web.json_response({**answer, "choices": CHOICES}, headers={"Cache-Control": "no-store"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/console/supervisors", page)
    app.router.add_get("/api/supervisors/report", report)
    app.router.add_get("/api/supervisors/reports", reports)
