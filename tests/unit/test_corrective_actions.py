"""The corrective-actions register (issue 20, item 7): the store on SQLite and PostgreSQL, and
the staff API over HTTP — the token, every bound, unknown ids, and nothing changed when a
request is refused."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.desk.main import build_app
from bot.rules import input_bounds as bounds
from bot.store import corrective_actions as register
from bot.store.corrective_actions import (
    change_action_status,
    find_action,
    list_actions,
    record_action,
)
from bot.store.database import Store

T0 = dt.datetime(2026, 3, 1, 7, tzinfo=dt.timezone.utc)
HOUR = dt.timedelta(hours=1)
HEALTH = "وزارة الصحة"
STAFF = {"Authorization": "Bearer staff-token"}
ROUTE = "/api/corrective-actions"


def _record(store: Store, kind: str = "technical", **fields) -> int:
    values = {"entity": HEALTH, "theme": None, "description": "إصلاح رفع المرفقات"} | fields
    return record_action(store, kind=kind, actor="noura", now=T0, **values).id


# --- the store -------------------------------------------------------------------------------


def test_an_action_goes_from_planned_to_done_and_back(store):
    made = record_action(
        store, entity=HEALTH, theme=None, kind="staff", description="تدريب", actor="noura", now=T0
    )
    assert (made.status, made.started_at, made.done_at) == ("planned", None, None)
    started = change_action_status(store, made.id, "in_progress", "fahad", T0 + HOUR)
    assert started.started_at == T0 + HOUR and started.updated_by == "fahad"
    done = change_action_status(store, made.id, "done", "fahad", T0 + 2 * HOUR)
    assert done.done_at == T0 + 2 * HOUR and done.started_at == T0 + HOUR
    again = change_action_status(store, made.id, "done", "sara", T0 + 3 * HOUR)
    assert again.updated_at == T0 + 2 * HOUR and again.updated_by == "fahad"  # nothing changed
    reopened = change_action_status(store, made.id, "in_progress", "sara", T0 + 4 * HOUR)
    assert reopened.done_at is None and reopened.started_at == T0 + HOUR
    view = find_action(store, made.id).as_api()
    assert view["type_label"] == "الموظفين" and view["status_label"] == "جارٍ العمل عليها"
    assert view["recorded_on"] == "2026-03-01" and view["done_on"] is None


def test_recorded_straight_as_done_has_both_dates(store):
    made = record_action(
        store,
        entity=None,
        theme="نماذج اتصل بنا",
        kind="outputs",
        description="إطلاق النماذج",
        actor="noura",
        now=T0,
        status="done",
    )
    assert made.started_at == T0 and made.done_at == T0 and made.entity is None


def test_the_store_refuses_unknown_codes_and_a_missing_subject(store):
    with pytest.raises(ValueError):
        _record(store, kind="marketing")
    with pytest.raises(ValueError):
        _record(store, entity=None, theme=None)
    with pytest.raises(ValueError):
        change_action_status(store, _record(store), "cancelled", "noura", T0)
    assert list_actions(store)[1] == 1  # only the good one


def test_lists_filter_and_page_in_the_order_recorded(store):
    first = _record(store)
    second = _record(store, kind="procedures", theme="التحديثات", entity=None)
    third = _record(store, kind="technical")
    change_action_status(store, third, "done", "noura", T0 + HOUR)
    actions, total = list_actions(store)
    assert [a.id for a in actions] == [first, second, third] and total == 3
    actions, total = list_actions(store, statuses=("planned",), kinds=("technical",))
    assert [a.id for a in actions] == [first] and total == 1
    actions, total = list_actions(store, page=2, per_page=2)
    assert [a.id for a in actions] == [third] and total == 3


def test_unknown_and_huge_ids_find_nothing(store):
    """Ids up to 2⁶³−1 reach the store (the route's bound): none is an error, even past
    PostgreSQL's integer column."""
    for wanted in (1, bounds.MAX_HANDOFF_ID):
        assert find_action(store, wanted) is None
        assert change_action_status(store, wanted, "done", "noura", T0) is None


def test_the_register_is_bounded(store, monkeypatch):
    monkeypatch.setattr(register, "MAX_CORRECTIVE_ACTIONS", 2)
    _record(store)
    _record(store)
    with pytest.raises(register.TooManyActions):
        _record(store)
    assert list_actions(store)[1] == 2


# --- the staff API ---------------------------------------------------------------------------


@pytest.fixture
def desk(sqlite_store, monkeypatch):
    for name, value in {
        "BALAGH_DATABASE_URL": sqlite_store.url,
        "BALAGH_STAFF_TOKEN": "staff-token",
        "BALAGH_INTERNAL_TOKEN": "internal-token",
        "BALAGH_DESK_DISPATCHER": "off",
        "BALAGH_SCHEDULER_INTERVAL": "3600",
    }.items():
        monkeypatch.setenv(name, value)
    return sqlite_store


def with_desk(scenario: Callable[[TestClient], Awaitable[None]]) -> None:
    async def run() -> None:
        async with TestClient(TestServer(build_app())) as client:
            await scenario(client)

    asyncio.run(run())


async def _error(reply, status: int) -> str:
    assert reply.status == status, await reply.text()
    assert reply.content_type == "application/json"
    body = await reply.json()
    assert set(body) == {"error"}
    return body["error"]


GOOD = {
    "entity": HEALTH,
    "type": "technical",
    "description": "إصلاح رفع المرفقات في منصة الوزارة",
    "actor": "noura",
}


def test_staff_record_read_list_and_change_an_action(desk):
    async def scenario(client: TestClient) -> None:
        made = await client.post(ROUTE, json=GOOD, headers=STAFF)
        assert made.status == 201
        action = await made.json()
        assert action["status"] == "planned" and action["status_label"] == "مخطط لها"
        assert action["type_label"] == "تقنية" and action["created_by"] == "noura"
        theme = {
            "theme": "  وصول التحديثات  ",
            "type": "procedures",
            "status": "in_progress",
            "description": "رسائل نصية",
        }
        second = await (await client.post(ROUTE, json=theme, headers=STAFF)).json()
        assert second["theme"] == "وصول التحديثات" and second["entity"] is None
        assert second["created_by"] == "staff" and second["started_at"] is not None
        one = await client.get(f"{ROUTE}/{action['id']}", headers=STAFF)
        assert one.status == 200 and (await one.json())["description"] == GOOD["description"]
        listed = await (await client.get(ROUTE, headers=STAFF)).json()
        assert [a["id"] for a in listed["actions"]] == [action["id"], second["id"]]
        assert listed["total"] == 2 and listed["page"] == 1 and listed["per_page"] == 20
        assert {"value": "staff", "label": "الموظفين"} in listed["choices"]["type"]
        assert {"value": "done", "label": "منفذة"} in listed["choices"]["status"]
        filtered = await client.get(
            ROUTE + "?status=in_progress,done&type=procedures", headers=STAFF
        )
        assert [a["id"] for a in (await filtered.json())["actions"]] == [second["id"]]
        done = await client.patch(
            f"{ROUTE}/{action['id']}", json={"status": "done", "actor": "fahad"}, headers=STAFF
        )
        assert done.status == 200
        changed = await done.json()
        assert changed["status"] == "done" and changed["status_label"] == "منفذة"
        assert changed["done_at"] and changed["done_on"] and changed["updated_by"] == "fahad"

    with_desk(scenario)


def test_requests_without_the_staff_token_are_refused_and_change_nothing(desk):
    made = _record(desk)

    async def scenario(client: TestClient) -> None:
        agentish = {"Authorization": "Bearer internal-token"}
        forged = {"Authorization": "Bearer staff-tokén"}
        for headers in ({}, agentish, forged, {"Authorization": "staff-token"}):
            await _error(await client.get(ROUTE, headers=headers), 401)
            await _error(await client.post(ROUTE, json=GOOD, headers=headers), 401)
            await _error(await client.get(f"{ROUTE}/{made}", headers=headers), 401)
            patch = await client.patch(f"{ROUTE}/{made}", json={"status": "done"}, headers=headers)
            await _error(patch, 401)
            # Before the method or the path is looked at.
            await _error(await client.delete(f"{ROUTE}/{made}", headers=headers), 401)
            await _error(await client.get(f"{ROUTE}/abc", headers=headers), 401)

    with_desk(scenario)
    actions, total = list_actions(desk)
    assert total == 1 and actions[0].status == "planned" and actions[0].updated_by == "noura"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (None, "body"),
        ([GOOD], "JSON object"),
        ({**GOOD, "priority": "high"}, "priority"),
        ({**GOOD, "entity": "   "}, "entity or theme"),
        ({**GOOD, "entity": None, "theme": ""}, "entity or theme"),
        ({**GOOD, "entity": "ج" * (bounds.MAX_ACTION_SUBJECT + 1)}, "entity"),
        ({**GOOD, "theme": 5}, "theme"),
        ({**GOOD, "type": "marketing"}, "type"),
        ({k: v for k, v in GOOD.items() if k != "type"}, "type"),
        ({**GOOD, "status": "cancelled"}, "status"),
        ({**GOOD, "status": None}, "status"),
        ({k: v for k, v in GOOD.items() if k != "description"}, "description"),
        ({**GOOD, "description": "  "}, "description"),
        ({**GOOD, "description": "و" * (bounds.MAX_ACTION_DESCRIPTION + 1)}, "description"),
        ({**GOOD, "description": "a\u0000b"}, "NUL"),
        ({**GOOD, "actor": "x" * (bounds.MAX_ACTOR + 1)}, "actor"),
    ],
)
def test_a_bad_new_action_is_a_400_naming_the_field_and_nothing_is_stored(desk, body, named):
    async def scenario(client: TestClient) -> None:
        kwargs = {"data": b""} if body is None else {"json": body}
        message = await _error(await client.post(ROUTE, headers=STAFF, **kwargs), 400)
        assert named in message

    with_desk(scenario)
    assert list_actions(desk)[1] == 0


def test_a_bad_status_change_is_a_400_and_an_unknown_id_a_404(desk):
    made = _record(desk)

    async def scenario(client: TestClient) -> None:
        one = f"{ROUTE}/{made}"
        for body, named in (
            ({}, "status"),
            ({"status": "cancelled"}, "status"),
            ({"status": "done", "note": "x"}, "note"),
            ({"actor": "fahad"}, "status"),
            ({"status": "done", "actor": ["fahad"]}, "actor"),
        ):
            assert named in await _error(await client.patch(one, json=body, headers=STAFF), 400)
        for raw in (b"", b"\xff\xfe", b"[]", b'{"status": "done"'):
            await _error(await client.patch(one, data=raw, headers=STAFF), 400)
        for unknown in (str(made + 1), "999999999999999999"):
            missing = f"{ROUTE}/{unknown}"
            assert "no corrective action" in await _error(
                await client.patch(missing, json={"status": "done"}, headers=STAFF), 404
            )
            await _error(await client.get(missing, headers=STAFF), 404)
        for beyond in ("abc", str(bounds.MAX_HANDOFF_ID + 1), "٣", "-1", "0x1"):
            await _error(await client.get(f"{ROUTE}/{beyond}", headers=STAFF), 404)
        await _error(await client.get(f"{ROUTE}/0", headers=STAFF), 404)
        await _error(await client.delete(one, headers=STAFF), 405)
        await _error(await client.put(one, json={"status": "done"}, headers=STAFF), 405)

    with_desk(scenario)
    action = find_action(desk, made)
    assert action.status == "planned" and action.updated_by == "noura"


@pytest.mark.parametrize(
    "query",
    [
        "?colour=red",
        "?status=planned&status=done",
        "?status=cancelled",
        "?type=marketing",
        "?page=0",
        "?page=abc",
        "?per_page=101",
        "?per_page=٣",
    ],
)
def test_a_bad_list_query_is_a_400(desk, query):
    async def scenario(client: TestClient) -> None:
        await _error(await client.get(ROUTE + query, headers=STAFF), 400)

    with_desk(scenario)


def test_a_full_register_answers_409(desk, monkeypatch):
    monkeypatch.setattr(register, "MAX_CORRECTIVE_ACTIONS", 1)
    _record(desk)

    async def scenario(client: TestClient) -> None:
        assert "at most 1" in await _error(await client.post(ROUTE, json=GOOD, headers=STAFF), 409)

    with_desk(scenario)
    assert list_actions(desk)[1] == 1
