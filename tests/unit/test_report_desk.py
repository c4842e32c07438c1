"""The supervisors' report in the desk, over HTTP: supervisors only, and the same
figures as `balagh report`."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot import clock
from bot.desk.main import build_app
from bot.desk.report.build import load_figures, render
from bot.rules.working_days import load_calendar
from bot.store.agents import add_agent
from tests import report_dataset as data

PASSWORD = "correct horse battery"
QUERY = "/api/supervisors/report?from=2025-03-01&to=2025-04-30"


@pytest.fixture
def desk_env(sqlite_store, monkeypatch):
    data.fill(sqlite_store)
    add_agent(sqlite_store, "lina", PASSWORD, "supervisor", clock.now())
    add_agent(sqlite_store, "sara", PASSWORD, "agent", clock.now())
    for name, value in {
        "BALAGH_DATABASE_URL": sqlite_store.url,
        "BALAGH_STAFF_TOKEN": "staff-token",
        "BALAGH_INTERNAL_TOKEN": "internal-token",
        "BALAGH_DESK_DISPATCHER": "off",
        "BALAGH_SCHEDULER_INTERVAL": "3600",
    }.items():
        monkeypatch.setenv(name, value)
    return sqlite_store


async def _sign_in(client: TestClient, username: str) -> dict[str, str]:
    reply = await client.post(
        "/api/agents/login", json={"username": username, "password": PASSWORD}
    )
    assert reply.status == 200
    return {"Authorization": f"Bearer {(await reply.json())['token']}"}


def test_only_supervisors_get_the_report(desk_env):
    async def scenario() -> None:
        async with TestClient(TestServer(build_app())) as client:
            page = await client.get("/console/supervisors")
            assert page.status == 200 and 'dir="rtl"' in await page.text()
            assert (await client.get(QUERY)).status == 401
            staff = {
                "Authorization": "Bearer staff-token"
            }  # the staff API's token is not a session
            assert (await client.get(QUERY, headers=staff)).status == 401
            agent = await _sign_in(client, "sara")
            refused = await client.get(QUERY, headers=agent)
            assert refused.status == 403 and (await refused.json())["error"] == "supervisors only"

    asyncio.run(scenario())


def test_the_desk_shows_the_same_figures_as_the_command(desk_env):
    expected = render(load_figures(desk_env, data.PERIOD, clock.today(), load_calendar()), "csv")

    async def scenario() -> None:
        async with TestClient(TestServer(build_app())) as client:
            supervisor = await _sign_in(client, "lina")
            page = await client.get(QUERY, headers=supervisor)
            assert page.status == 200 and page.content_type == "text/html"
            html = await page.text()
            assert "تقرير صوت المستفيد" in html and "71٫4٪" in html
            figures = await client.get(QUERY + "&format=csv", headers=supervisor)
            assert figures.status == 200 and figures.content_type == "text/csv"
            assert "attachment" in figures.headers["Content-Disposition"]
            assert await figures.text() == expected
            for wrong in ("?from=2025-04-30&to=2025-03-01", "?from=1/3/2025&to=2025-04-30"):
                bad = await client.get("/api/supervisors/report" + wrong, headers=supervisor)
                assert bad.status == 400
            assert (await client.get(QUERY + "&format=pdf", headers=supervisor)).status == 400

    asyncio.run(scenario())


def test_periods_the_report_cannot_compute_are_refused():
    """Year 1 or 9999 overflowed the day's UTC bounds (a 500 before)."""
    from aiohttp.test_utils import make_mocked_request

    from bot.desk.supervisors import _period

    for dates in ("from=0001-01-01&to=0001-01-02", "from=9999-12-30&to=9999-12-31"):
        assert _period(make_mocked_request("GET", f"/api/supervisors/report?{dates}")) is None
    good = make_mocked_request("GET", "/api/supervisors/report?from=2026-01-01&to=2026-01-31")
    assert _period(good) is not None
