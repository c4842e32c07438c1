"""The lists of reports over HTTP: the staff API's `GET /api/reports` (the staff token) and
the supervisors' `GET /api/supervisors/reports` (a supervisor's session), one parser for
both: a bad or unknown parameter is a 400 naming it, never a 500."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import itertools
from collections.abc import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request

from bot import clock
from bot.desk.main import build_app
from bot.desk.staff_api import read_list_query
from bot.rules.input_bounds import BadInput
from bot.store.agents import add_agent
from bot.store.follow_up import change_status
from bot.store.report_lists import ReportFilters
from bot.store.reports import file_report
from tests.helpers.reports import complaint

PASSWORD = "correct horse battery"
STAFF = {"Authorization": "Bearer staff-token"}
_prior = itertools.count(1)


def _file(store, days_ago: int, due_in: int, kind: str = "complaint", entity="وزارة الصحة"):
    new = complaint(prior_number=f"INC-{next(_prior)}", entity=entity)
    if kind != "complaint":
        new = dataclasses.replace(new, type=kind, prior_number=None, trigger=None)
    filed = clock.now() - dt.timedelta(days=days_ago)
    return file_report(store, new, filed, clock.today() + dt.timedelta(days=due_in)).number


@pytest.fixture
def desk_env(sqlite_store, monkeypatch):
    """Three overdue reports (two complaints, one digitisation request), one not yet due,
    one closed; a supervisor and an agent."""
    store = sqlite_store
    overdue = [_file(store, 30, -10), _file(store, 20, -5), _file(store, 10, -1, "digitization")]
    fresh = _file(store, 0, 7)
    closed = _file(store, 40, -20)
    change_status(store, closed, "closed", "تم", "staff", clock.now())
    add_agent(store, "lina", PASSWORD, "supervisor", clock.now())
    add_agent(store, "sara", PASSWORD, "agent", clock.now())
    for name, value in {
        "BALAGH_DATABASE_URL": store.url,
        "BALAGH_STAFF_TOKEN": "staff-token",
        "BALAGH_INTERNAL_TOKEN": "internal-token",
        "BALAGH_DESK_DISPATCHER": "off",
        "BALAGH_SCHEDULER_INTERVAL": "3600",
    }.items():
        monkeypatch.setenv(name, value)
    return {"overdue": overdue, "fresh": fresh, "closed": closed}


def with_desk(scenario: Callable[[TestClient], Awaitable[None]]) -> None:
    async def run() -> None:
        async with TestClient(TestServer(build_app())) as client:
            await scenario(client)

    asyncio.run(run())


async def _sign_in(client: TestClient, username: str) -> dict[str, str]:
    reply = await client.post(
        "/api/agents/login", json={"username": username, "password": PASSWORD}
    )
    assert reply.status == 200
    return {"Authorization": f"Bearer {(await reply.json())['token']}"}


async def _error(reply, status: int) -> str:
    assert reply.status == status, await reply.text()
    assert reply.content_type == "application/json"
    body = await reply.json()
    assert set(body) == {"error"}
    return body["error"]


# --- the staff API ---------------------------------------------------------------------


def test_the_list_needs_the_staff_token_and_shows_nothing_without_it(desk_env):
    async def scenario(client: TestClient) -> None:
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": "staff-token"},
            await _sign_in(client, "lina"),  # an agent's session is not the staff token
        ):
            for path in ("/api/reports", "/api/reports?overdue=true", "/api/reports?bogus=1"):
                reply = await client.get(path, headers=headers)
                assert await _error(reply, 401) == "missing or invalid bearer token"
                text = await reply.text()
                assert not any(n in text for n in [*desk_env["overdue"], desk_env["fresh"]])

    with_desk(scenario)


def test_the_staff_list_filters_and_pages(desk_env):
    overdue, fresh, closed = desk_env["overdue"], desk_env["fresh"], desk_env["closed"]

    async def scenario(client: TestClient) -> None:
        everything = await client.get("/api/reports", headers=STAFF)
        assert everything.status == 200
        assert everything.headers["Cache-Control"] == "no-store"
        body = await everything.json()
        assert set(body) == {"reports", "page", "per_page", "total"}
        assert (body["page"], body["per_page"], body["total"]) == (1, 20, 5)
        assert [r["number"] for r in body["reports"]] == [closed, *overdue, fresh]  # oldest first
        first = body["reports"][1]
        assert first["type"] == "complaint" and first["type_label"] == "تقديم شكوى"
        assert first["status"] == "received" and first["status_label"] == "تم الاستلام"
        assert first["entity"] == "وزارة الصحة"
        assert (
            first["filed_on"] == clock.local_date(clock.now() - dt.timedelta(days=30)).isoformat()
        )
        assert "national_id" not in first and "mobile" not in first

        late = await (await client.get("/api/reports?overdue=true", headers=STAFF)).json()
        assert [r["number"] for r in late["reports"]] == overdue and late["total"] == 3
        paged = await client.get("/api/reports?overdue=true&per_page=2&page=2", headers=STAFF)
        paged = await paged.json()
        assert [r["number"] for r in paged["reports"]] == overdue[2:]
        assert (paged["page"], paged["per_page"], paged["total"]) == (2, 2, 3)
        beyond = await (await client.get("/api/reports?page=9", headers=STAFF)).json()
        assert beyond["reports"] == [] and beyond["total"] == 5

        query = "/api/reports?overdue=true&type=digitization"
        paper = await (await client.get(query, headers=STAFF)).json()
        assert [r["number"] for r in paper["reports"]] == overdue[2:]
        assert paper["reports"][0]["type_label"] == "طلب تحول"
        several = await client.get(
            "/api/reports?status=closed,received&per_page=100", headers=STAFF
        )
        assert (await several.json())["total"] == 5
        only_closed = await (await client.get("/api/reports?status=closed", headers=STAFF)).json()
        assert [r["number"] for r in only_closed["reports"]] == [closed]
        entity = await client.get("/api/reports", params={"entity": "وزاره صحه"}, headers=STAFF)
        assert (await entity.json())["total"] == 5
        other = await client.get("/api/reports", params={"entity": "وزارة التعليم"}, headers=STAFF)
        assert (await other.json())["total"] == 0
        awaiting = "/api/reports?awaiting_first_review=true"
        waiting = await (await client.get(awaiting, headers=STAFF)).json()
        assert [r["number"] for r in waiting["reports"]] == overdue  # received, filed long ago
        attention = await client.get("/api/reports?needs_attention=true", headers=STAFF)
        assert (await attention.json())["total"] == 0
        unset = await client.get("/api/reports?overdue=false", headers=STAFF)
        assert (await unset.json())["total"] == 5
        # The reports' own routes are still theirs.
        short = await client.get("/api/reports/12345", headers=STAFF)
        assert await _error(short, 404) == "no report with this number"
        moved = await client.post(
            f"/api/reports/{fresh}/status", json={"status": "under_review"}, headers=STAFF
        )
        assert moved.status == 200 and (await moved.json())["number"] == fresh

    with_desk(scenario)


BAD_QUERIES = [
    ("bogus=1", "unknown parameter 'bogus'"),
    ("Status=received", "unknown parameter 'Status'"),
    ("status=lost", "status: unknown status 'lost'"),
    ("status=", "status: unknown status ''"),
    ("status=received,,closed", "status: unknown status ''"),
    ("status=received&status=closed", "status given more than once"),
    ("type=question", "type must be one of"),
    ("type=", "type must be one of"),
    ("entity=", "entity must not be empty"),
    ("entity=" + "ا" * 201, "entity must be a string of at most 200"),
    ("entity=a%00b", "entity must not contain NUL"),
    ("overdue=yes", "overdue must be true or false"),
    ("overdue=TRUE", "overdue must be true or false"),
    ("awaiting_first_review=1", "awaiting_first_review must be true or false"),
    ("needs_attention=", "needs_attention must be true or false"),
    ("page=0", "page must be a whole number from 1 to 100000"),
    ("page=-1", "page must be"),
    ("page=1.5", "page must be"),
    ("page=abc", "page must be"),
    ("page=%D9%A3", "page must be"),  # «٣»: an Arabic-Indic digit
    ("page=100001", "page must be"),
    ("page=" + "9" * 40, "page must be"),
    ("per_page=0", "per_page must be a whole number from 1 to 100"),
    ("per_page=101", "per_page must be"),
    ("per_page=", "per_page must be"),
]


def test_bad_parameters_are_a_400_naming_them_on_both_lists(desk_env):
    async def scenario(client: TestClient) -> None:
        supervisor = await _sign_in(client, "lina")
        for base, headers in (("/api/reports", STAFF), ("/api/supervisors/reports", supervisor)):
            for query, said in BAD_QUERIES:
                message = await _error(await client.get(f"{base}?{query}", headers=headers), 400)
                assert said in message, (base, query, message)

    with_desk(scenario)


def test_one_parser_for_both_lists():
    def parse(query: str):
        return read_list_query(make_mocked_request("GET", f"/api/reports?{query}").query)

    parsed = parse("status=received,under_review,received&type=improvement&overdue=true&page=3")
    assert parsed.filters == ReportFilters(
        statuses=("received", "under_review"), type="improvement", overdue=True
    )
    assert (parsed.page, parsed.per_page) == (3, 20)
    assert parse("").filters == ReportFilters()
    assert parse("needs_attention=true&per_page=100").filters.needs_attention
    with pytest.raises(BadInput, match="unknown parameter"):
        parse("limit=5")


# --- the supervisors' list ---------------------------------------------------------------


def test_only_a_supervisor_gets_the_supervisors_list(desk_env):
    async def scenario(client: TestClient) -> None:
        path = "/api/supervisors/reports?overdue=true"
        assert (await _error(await client.get(path), 401)).startswith("sign in first")
        assert (await _error(await client.get(path, headers=STAFF), 401)).startswith("sign in")
        agent = await _sign_in(client, "sara")
        assert await _error(await client.get(path, headers=agent), 403) == "supervisors only"
        refused = await client.get(path, headers=agent)
        assert desk_env["overdue"][0] not in await refused.text()
        supervisor = await _sign_in(client, "lina")
        reply = await client.get(path, headers=supervisor)
        assert reply.status == 200
        body = await reply.json()
        staff = await (await client.get("/api/reports?overdue=true", headers=STAFF)).json()
        assert {k: v for k, v in body.items() if k != "choices"} == staff
        statuses = {c["value"]: c["label"] for c in body["choices"]["status"]}
        assert statuses["missing_data"] == "نقص البيانات" and len(statuses) == 9
        types = [c["label"] for c in body["choices"]["type"]]
        assert types == ["تقديم شكوى", "طلب تحول", "اقتراح تطوير"]

    with_desk(scenario)
