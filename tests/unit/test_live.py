"""Issue 21, item 3 over HTTP (aiohttp's test server): the console's live stream opens only
with a ticket taken with the session (missing, unknown, expired, reused, a session token in
its place: 401), pushes new hand-offs, their changes, the citizen's messages and notes to the
agents allowed to see them, from one watcher per desk; two desk replicas on PostgreSQL push
the same changes and share the tickets; "the agent is typing" reaches the hand-off bridge for
a web chat's holder only, throttled. The watcher's pieces (the hand-offs' changes, the
messages of the open chats, a cursor that waits for ids committed out of order) are pure and
tested as such."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import secrets
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import clock
from bot.desk import handoff_api, live
from bot.desk.main import build_app
from bot.ops.load_balancer import LIVE_PATH, render_compose
from bot.rules import input_bounds as bounds
from bot.store.agents import AgentView
from bot.store.database import Store
from bot.store.handoffs import open_handoff, take
from bot.store.models import Agent
from tests.fakes.server import serving
from tests.helpers.agents import agent_with_session

# --- a desk, its accounts, a conversations store, a fake bridge ------------------------------


def _agent(store: Store, username: str, role: str) -> str:
    return agent_with_session(store, username, role)


EVENTS_TABLE = (
    "CREATE TABLE events (id {key}, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255),"
    " timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
)


@dataclasses.dataclass
class Desk:
    store: Store
    conversations_url: str
    tokens: dict[str, str]
    typing_calls: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    bridge_status: int = 200

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def say(self, conversation: str, type_name: str = "user", intent: str | None = "inform"):
        """A row of the conversations store, as Rasa stores one (the data sealed)."""
        engine = sa.create_engine(self.conversations_url)
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, data)"
                    " VALUES (:sender, :type, :at, :intent, 'sealed')"
                ),
                {"sender": conversation, "type": type_name, "at": 1.0, "intent": intent},
            )
        engine.dispose()


def _environment(monkeypatch, database_url: str, conversations_url: str) -> None:
    for name, value in {
        "BALAGH_DATABASE_URL": database_url,
        "BALAGH_TRACKER_STORE_URL": conversations_url,
        "BALAGH_STAFF_TOKEN": "staff-token",
        "BALAGH_INTERNAL_TOKEN": "internal-token",
        "BALAGH_DESK_DISPATCHER": "off",
        "BALAGH_SCHEDULER_INTERVAL": "3600",
    }.items():
        monkeypatch.setenv(name, value)


def _accounts(store: Store) -> dict[str, str]:
    return {
        "sara": _agent(store, "sara", "agent"),
        "huda": _agent(store, "huda", "agent"),
        "lina": _agent(store, "lina", "supervisor"),
    }


@pytest.fixture
def desk(sqlite_store, tmp_path, monkeypatch) -> Desk:
    conversations = tmp_path / "conversations.db"
    with sqlite3.connect(conversations) as connection:
        connection.execute(EVENTS_TABLE.format(key="INTEGER PRIMARY KEY"))
    url = f"sqlite:///{conversations}"
    _environment(monkeypatch, sqlite_store.url, url)
    return Desk(sqlite_store, url, _accounts(sqlite_store))


def fake_bridge(desk: Desk) -> web.Application:
    async def typing(request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer internal-token"
        desk.typing_calls.append(await request.json())
        return web.json_response({"status": "sent"}, status=desk.bridge_status)

    async def ok(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/webhooks/handoff/typing", typing)
    app.router.add_post("/webhooks/handoff/resume", ok)
    app.router.add_post("/conversations/{id}/trigger_intent", ok)
    return app


def with_desk(desk: Desk, scenario: Callable[[TestClient], Awaitable[None]]) -> None:
    async def run() -> None:
        async with serving(fake_bridge(desk)) as bridge_url:
            app = build_app()
            app[handoff_api.RASA_KEY] = bridge_url
            async with TestClient(TestServer(app)) as client:
                await scenario(client)

    asyncio.run(run())


class Stream:
    """A console's end of the stream: its events as (name, data)."""

    def __init__(self, response: Any) -> None:
        self.response = response

    async def next(self, timeout: float = 3.0) -> tuple[str, dict[str, Any]]:
        async def read() -> tuple[str, dict[str, Any]]:
            name, data = "", {}
            while True:
                line = (await self.response.content.readline()).decode()
                if not line:
                    raise EOFError("the stream ended")
                line = line.rstrip("\n")
                if line.startswith("event: "):
                    name = line[len("event: ") :]
                elif line.startswith("data: "):
                    data = json.loads(line[len("data: ") :])
                elif line == "" and name:
                    return name, data

        return await asyncio.wait_for(read(), timeout)

    async def until(self, name: str, timeout: float = 3.0, **wanted: Any) -> dict[str, Any]:
        """The next `name` event whose data has the `wanted` values (others are skipped)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            got, data = await self.next(max(0.01, deadline - loop.time()))
            if got == name and all(data.get(k) == v for k, v in wanted.items()):
                return data

    async def nothing(self, name: str, seconds: float = 1.5, **wanted: Any) -> None:
        """No such event within `seconds`."""
        with pytest.raises(asyncio.TimeoutError):
            await self.until(name, seconds, **wanted)


async def ticket_of(client: TestClient, desk: Desk, username: str) -> str:
    reply = await client.post("/api/agents/live-ticket", headers=desk.headers(username))
    assert reply.status == 200, await reply.text()
    body = await reply.json()
    assert body["expires_in"] == bounds.LIVE_TICKET_SECONDS
    assert body["stream"] == f"/api/live?ticket={body['ticket']}"
    return body["ticket"]


async def open_stream(client: TestClient, desk: Desk, username: str) -> Stream:
    ticket = await ticket_of(client, desk, username)
    reply = await client.get("/api/live", params={"ticket": ticket})
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/event-stream")
    assert reply.headers["X-Accel-Buffering"] == "no"
    stream = Stream(reply)
    hello = await stream.until("hello")
    assert hello["me"] == username
    return stream


async def refused(reply: Any, status: int) -> None:
    assert reply.status == status, await reply.text()
    assert set(await reply.json()) == {"error"}


# --- the ticket --------------------------------------------------------------------------------


def test_a_stream_opens_only_with_a_ticket_taken_with_the_session_and_only_once(desk):
    async def scenario(client: TestClient) -> None:
        await refused(await client.post("/api/agents/live-ticket"), 401)  # no session
        wrong = {"Authorization": "Bearer " + secrets.token_urlsafe(32)}
        await refused(await client.post("/api/agents/live-ticket", headers=wrong), 401)

        await refused(await client.get("/api/live"), 401)  # no ticket
        await refused(await client.get("/api/live", params={"ticket": "x" * 43}), 401)  # unknown
        session = desk.tokens["sara"]  # the long-lived token in its place opens nothing
        await refused(await client.get("/api/live", params={"ticket": session}), 401)
        await refused(await client.get("/api/live", params={"ticket": "a" * 5000}), 401)

        ticket = await ticket_of(client, desk, "sara")
        assert bounds.live_ticket(ticket) == ticket and ticket != session
        # A ticket is no session: as a bearer token it opens nothing.
        as_bearer = {"Authorization": f"Bearer {ticket}"}
        await refused(await client.get("/api/handoffs", headers=as_bearer), 401)
        twice = f"/api/live?ticket={ticket}&ticket={ticket}"
        await refused(await client.get(twice), 401)

        opened = await client.get("/api/live", params={"ticket": ticket})
        assert opened.status == 200
        hello = await Stream(opened).until("hello")
        assert hello == {"me": "sara", "waiting": 0}
        assert opened.headers["Cache-Control"] == "no-store"
        assert "frame-ancestors 'none'" in opened.headers["Content-Security-Policy"]
        opened.close()
        # Used: a second stream with it is refused (as is the bearer that it never was).
        await refused(await client.get("/api/live", params={"ticket": ticket}), 401)

    with_desk(desk, scenario)


def test_an_expired_ticket_or_one_of_a_disabled_account_opens_nothing(desk):
    now = clock.now()
    store = desk.store
    old = live.issue_ticket(store, "sara", now - dt.timedelta(seconds=31))
    assert live.redeem_ticket(store, old, now) is None  # expired (and forgotten)
    assert live.redeem_ticket(store, old, now - dt.timedelta(seconds=30)) is None  # gone

    fresh = live.issue_ticket(store, "huda", now)
    with store.session() as session:
        session.get(Agent, "huda").active = False
    assert live.redeem_ticket(store, fresh, now) is None

    good = live.issue_ticket(store, "lina", now)
    assert live.redeem_ticket(store, good, now + dt.timedelta(seconds=29)) == AgentView(
        "lina", "lina", "supervisor"
    )
    assert live.redeem_ticket(store, good, now) is None  # once

    async def scenario(client: TestClient) -> None:
        expired = live.issue_ticket(store, "sara", clock.now() - dt.timedelta(minutes=1))
        await refused(await client.get("/api/live", params={"ticket": expired}), 401)

    with_desk(desk, scenario)


# --- what the stream pushes, to whom -----------------------------------------------------------


def test_new_handoffs_their_changes_messages_and_notes_reach_who_may_see_them(desk):
    async def scenario(client: TestClient) -> None:
        sara, huda, lina = [await open_stream(client, desk, n) for n in ("sara", "huda", "lina")]

        view = open_handoff(desk.store, "web:abc123", "webchat", "asked", {}, clock.now())
        for stream in (sara, huda, lina):  # a waiting chat is everyone's
            new = await stream.until("handoff", timeout=2.0, id=view.id)
            assert new == {
                "id": view.id,
                "kind": "new",
                "waiting": 1,
                "labels": {"channel": "الموقع الإلكتروني", "reason": "طلب المستفيد موظفاً"},
            }

        desk.say("web:abc123")  # the citizen writes while waiting: everyone's unread count
        for stream in (sara, huda, lina):
            assert await stream.until("chat", handoff=view.id) == {
                "handoff": view.id,
                "citizen": 1,
                "replies": 0,
            }

        taken = await client.post(f"/api/handoffs/{view.id}/take", headers=desk.headers("sara"))
        assert taken.status == 200
        for stream in (sara, huda, lina):  # it leaves the waiting list of every agent
            changed = await stream.until("handoff", id=view.id)
            assert changed == {"id": view.id, "kind": "changed", "waiting": 0}

        desk.say("web:abc123")  # now sara's chat: she and the supervisor are told, not huda
        desk.say("web:abc123", "bot", None)  # and a reply written to the citizen
        desk.say("web:abc123", "user", "EXTERNAL_handback")  # the desk's own, not the citizen's
        desk.say("rest:someone-else")  # no open hand-off: nobody
        for stream in (sara, lina):
            got = await stream.until("chat", handoff=view.id)
            assert got == {"handoff": view.id, "citizen": 1, "replies": 1}
        await huda.nothing("chat", seconds=1.0)

        note = await client.post(
            f"/api/handoffs/{view.id}/notes", json={"text": "ملاحظة"}, headers=desk.headers("lina")
        )
        assert note.status == 201
        for stream in (sara, lina):
            assert await stream.until("note") == {"handoff": view.id}
        await huda.nothing("note", seconds=1.0)

        ended = await client.post(f"/api/handoffs/{view.id}/close", headers=desk.headers("sara"))
        assert ended.status == 200
        for stream in (sara, lina):
            assert (await stream.until("handoff", id=view.id))["kind"] == "ended"
        await huda.nothing("handoff", seconds=1.0, id=view.id)

    with_desk(desk, scenario)


def test_a_change_made_by_this_desk_is_pushed_at_once(desk):
    """Not after the watcher's next look: the desk's own changes wake it."""
    view = open_handoff(desk.store, "rest:quick", "rest", "asked", {}, clock.now())

    async def scenario(client: TestClient) -> None:
        sara = await open_stream(client, desk, "sara")
        await asyncio.sleep(live.POLL_SECONDS * 2)  # the watcher has seen the chat waiting
        loop = asyncio.get_running_loop()
        started = loop.time()
        taken = await client.post(f"/api/handoffs/{view.id}/take", headers=desk.headers("sara"))
        assert taken.status == 200
        await sara.until("handoff", id=view.id, kind="changed")
        assert loop.time() - started < live.POLL_SECONDS

    with_desk(desk, scenario)


# --- "the agent is typing" ---------------------------------------------------------------------


def test_typing_reaches_the_bridge_for_the_holder_of_a_web_chat_only(desk):
    web_chat = open_handoff(desk.store, "web:abc123", "webchat", "asked", {}, clock.now())
    rest = open_handoff(desk.store, "rest:someone", "rest", "asked", {}, clock.now())
    for view in (web_chat, rest):
        assert take(desk.store, view.id, "sara", clock.now())

    async def scenario(client: TestClient) -> None:
        path = f"/api/handoffs/{web_chat.id}/typing"
        sara = desk.headers("sara")
        await refused(await client.post(path, json={"typing": True}), 401)
        huda = desk.headers("huda")
        await refused(await client.post(path, json={"typing": True}, headers=huda), 409)
        lina = desk.headers("lina")  # a supervisor reads the chat, but does not write in it
        await refused(await client.post(path, json={"typing": True}, headers=lina), 409)
        for bad in ({}, {"typing": "yes"}, {"typing": 1}, [True]):
            await refused(await client.post(path, json=bad, headers=sara), 400)
        unknown = "/api/handoffs/999/typing"
        await refused(await client.post(unknown, json={"typing": True}, headers=sara), 404)
        assert desk.typing_calls == []

        sent = await client.post(path, json={"typing": True}, headers=sara)
        assert await sent.json() == {"status": "sent"}
        again = await client.post(path, json={"typing": True}, headers=sara)  # within a second
        assert await again.json() == {"status": "skipped", "reason": "throttled"}
        stopped = await client.post(path, json={"typing": False}, headers=sara)
        assert await stopped.json() == {"status": "sent"}
        assert desk.typing_calls == [
            {"conversation_id": "web:abc123", "typing": True},
            {"conversation_id": "web:abc123", "typing": False},
        ]

        other = f"/api/handoffs/{rest.id}/typing"  # no widget to tell
        skipped = await client.post(other, json={"typing": True}, headers=sara)
        assert await skipped.json() == {"status": "skipped", "reason": "not a web chat"}
        assert len(desk.typing_calls) == 2

        desk.bridge_status = 500
        await asyncio.sleep(bounds.TYPING_EVERY_SECONDS)
        await refused(await client.post(path, json={"typing": True}, headers=sara), 502)

    with_desk(desk, scenario)


def test_the_sound_of_a_new_handoff_is_the_desks_own_file(desk):
    async def scenario(client: TestClient) -> None:
        reply = await client.get(live.SOUND_PATH)
        assert reply.status == 200 and reply.headers["Content-Type"] == "audio/wav"
        body = await reply.read()
        assert body[:4] == b"RIFF" and body[8:12] == b"WAVE" and len(body) < 20_000
        assert "default-src 'none'" in reply.headers["Content-Security-Policy"]

    with_desk(desk, scenario)


# --- several desk replicas on PostgreSQL --------------------------------------------------------


@pytest.mark.postgres
def test_two_desk_replicas_share_tickets_and_push_the_same_changes(postgres_store, monkeypatch):
    engine = sa.create_engine(postgres_store.url)
    with engine.begin() as connection:  # Rasa's events table, in the same database here
        connection.execute(sa.text(EVENTS_TABLE.format(key="SERIAL PRIMARY KEY")))
    engine.dispose()
    _environment(monkeypatch, postgres_store.url, postgres_store.url)
    desk = Desk(postgres_store, postgres_store.url, _accounts(postgres_store))

    async def run() -> None:
        async with (
            TestClient(TestServer(build_app())) as one,
            TestClient(TestServer(build_app())) as two,
        ):
            # A ticket taken on one replica opens a stream on the other, once.
            ticket = await ticket_of(one, desk, "sara")
            on_two = await two.get("/api/live", params={"ticket": ticket})
            assert on_two.status == 200
            sara_two = Stream(on_two)
            await sara_two.until("hello")
            await refused(await one.get("/api/live", params={"ticket": ticket}), 401)
            # Two replicas redeeming one ticket at once: one stream.
            raced = await ticket_of(two, desk, "huda")
            both = await asyncio.gather(
                one.get("/api/live", params={"ticket": raced}),
                two.get("/api/live", params={"ticket": raced}),
            )
            assert sorted(r.status for r in both) == [200, 401]
            lina_one = await open_stream(one, desk, "lina")

            view = open_handoff(desk.store, "web:pg", "webchat", "asked", {}, clock.now())
            for stream in (sara_two, lina_one):
                assert (await stream.until("handoff", timeout=2.0, id=view.id))["kind"] == "new"
            desk.say("web:pg")
            for stream in (sara_two, lina_one):
                assert (await stream.until("chat", timeout=2.0))["citizen"] == 1
            # Taken through replica one: the stream on replica two hears of it too.
            taken = await one.post(f"/api/handoffs/{view.id}/take", headers=desk.headers("sara"))
            assert taken.status == 200
            assert (await sara_two.until("handoff", timeout=2.0, id=view.id))["kind"] == "changed"

    asyncio.run(run())


# --- the watcher's pieces ------------------------------------------------------------------------

W1 = live.Chat(1, "web:a", "webchat", "asked", "waiting", None)
SARA = AgentView("sara", "sara", "agent")
HUDA = AgentView("huda", "huda", "agent")
LINA = AgentView("lina", "lina", "supervisor")


def test_the_handoffs_changes_between_two_looks():
    held = dataclasses.replace(W1, status="active", agent="sara")
    other = live.Chat(2, "rest:b", "rest", "not_understood", "waiting", None)
    assert live.handoff_events({}, {}) == []
    [new] = live.handoff_events({}, {1: W1, 2: other})[:1]
    assert new.data == {
        "id": 1,
        "kind": "new",
        "waiting": 2,
        "labels": {"channel": "الموقع الإلكتروني", "reason": "طلب المستفيد موظفاً"},
    }
    [changed] = live.handoff_events({1: W1, 2: other}, {1: held, 2: other})
    assert changed.data == {"id": 1, "kind": "changed", "waiting": 1}
    assert all(changed.visible_to(a) for a in (SARA, HUDA, LINA))  # it left the waiting list
    moved = dataclasses.replace(held, agent="huda")
    [transfer] = live.handoff_events({1: held}, {1: moved})
    assert transfer.visible_to(SARA) and transfer.visible_to(HUDA) and transfer.visible_to(LINA)
    assert not transfer.visible_to(AgentView("reem", "reem", "agent"))
    [ended] = live.handoff_events({1: moved}, {})
    assert ended.data == {"id": 1, "kind": "ended", "waiting": 0}
    assert ended.visible_to(HUDA) and ended.visible_to(LINA) and not ended.visible_to(SARA)
    assert live.handoff_events({1: held}, {1: held}) == []
    wire = ended.wire().decode()
    assert wire == 'event: handoff\ndata: {"id":1,"kind":"ended","waiting":0}\n\n'


def test_the_messages_of_the_open_chats_are_counted_per_chat():
    held = live.Chat(2, "whatsapp:+966500000012", "whatsapp", "asked", "active", "sara")
    rows = [
        live.Row(10, "web:a", "user", "inform"),
        live.Row(11, "web:a", "action", None),
        live.Row(12, "web:a", "bot", None),
        live.Row(13, "web:a", "user", "EXTERNAL_handback"),
        live.Row(14, "whatsapp:+966500000012", "user", None),
        live.Row(15, "rest:nobody", "user", "greet"),
    ]
    events = live.chat_events(rows, {1: W1, 2: held})
    assert [(e.name, e.data) for e in events] == [
        ("chat", {"handoff": 1, "citizen": 1, "replies": 1}),
        ("chat", {"handoff": 2, "citizen": 1, "replies": 0}),
    ]
    assert events[0].visible_to(HUDA)  # waiting: everyone's
    assert events[1].visible_to(SARA) and events[1].visible_to(LINA)
    assert not events[1].visible_to(HUDA)
    note = live.LiveEvent("note", {"handoff": 1}, (W1,))
    assert note.visible_to(LINA) and not note.visible_to(SARA)  # a waiting chat's notes


def test_the_cursor_waits_for_an_id_committed_late_then_moves_past_a_hole():
    cursor = live.Cursor(after=0, gap_wait=2.0)
    assert cursor.take([1, 2, 4], now=0.0) == {1, 2, 4}
    assert cursor.after == 2  # 3 may still be committing
    assert cursor.take([4], now=1.0) == set()  # read again: not announced twice
    assert cursor.take([3, 4, 5], now=1.5) == {3, 5}
    assert cursor.after == 5
    assert cursor.take([7, 8], now=2.0) == {7, 8}
    assert cursor.after == 5
    assert cursor.take([7, 8], now=3.9) == set()
    assert cursor.after == 5
    assert cursor.take([7, 8], now=4.0) == set()  # 6 never came: moved past it
    assert cursor.after == 8
    assert cursor.take([6, 9], now=4.1) == {9}  # too late for 6
    assert cursor.after == 9 and cursor.seen == set() and cursor.gaps == {}


def test_the_watcher_turns_new_rows_into_events(desk):
    """One look after another, as the desk's background task does: the first look only
    learns where things are; a hand-off queued and a citizen's message after it are events."""

    async def run() -> None:
        hub = live.Hub()
        watcher = live.Watcher(desk.store, live.Conversations(desk.conversations_url), hub)
        mine = hub.subscribe(SARA)
        desk.say("web:before")  # stored before the watcher started: not news
        assert await watcher.step(now=0.0) == []
        view = open_handoff(desk.store, "web:before", "webchat", "asked", {}, clock.now())
        desk.say("web:before")
        events = await watcher.step(now=0.5)
        assert [(e.name, e.data.get("kind"), e.data.get("citizen")) for e in events] == [
            ("handoff", "new", None),
            ("chat", None, 1),
        ]
        assert mine.queue.qsize() == 2
        assert await watcher.step(now=1.0) == []
        watcher.conversations.dispose()
        assert view.id == events[0].data["id"]

    asyncio.run(run())


def test_the_watcher_waits_for_rasas_store_without_creating_it(tmp_path, sqlite_store):
    missing = tmp_path / "not-yet.db"

    async def run() -> None:
        watcher = live.Watcher(sqlite_store, live.Conversations(f"sqlite:///{missing}"), live.Hub())
        assert await watcher.step(now=0.0) == []
        assert await watcher.step(now=1.0) == []

    asyncio.run(run())
    assert not missing.exists()


def test_a_stream_too_far_behind_is_closed_and_every_stream_ends_at_shutdown():
    hub = live.Hub()
    slow, other = hub.subscribe(SARA), hub.subscribe(LINA)
    event = live.LiveEvent("chat", {"handoff": 1, "citizen": 1, "replies": 0}, (W1,))
    for _ in range(bounds.MAX_LIVE_BACKLOG + 5):
        hub.publish(event)
    assert slow.behind and slow.queue.qsize() == bounds.MAX_LIVE_BACKLOG + 1  # then the end
    hub.close_all()
    assert other.queue.qsize() == bounds.MAX_LIVE_BACKLOG + 2
    for _ in range(bounds.MAX_LIVE_STREAMS_PER_AGENT - 1):
        assert hub.subscribe(SARA) is not None
    assert hub.subscribe(SARA) is None  # one agent, a bounded number of streams
    assert hub.subscribe(HUDA) is not None


# --- the edge ----------------------------------------------------------------------------------


def test_the_edge_passes_the_stream_unbuffered_and_held_open():
    assert LIVE_PATH == live.STREAM_PATH
    conf = render_compose()
    block = conf.split(f"location = {LIVE_PATH} {{", 1)[1].split("}", 1)[0]
    assert "proxy_pass http://desk;" in block
    assert "proxy_buffering off;" in block
    assert "proxy_read_timeout 3600s;" in block
    assert "location ^~ /console/sounds/ {" in conf
    assert Path(live.SOUND).exists()
