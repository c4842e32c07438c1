"""Issue 21, items 2, 4 and 5 over HTTP (aiohttp's test server, a fake hand-off bridge): the
inbox's filters, search and unread counts; canned replies (supervisors manage them,
placeholders checked and filled); internal notes that never reach the bridge; transfer with
a note; the citizen's context through the verified identity, audited. Every route is tried
with the request that must be refused, and nothing changes then."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot import clock
from bot.desk import handoff_api
from bot.desk.main import build_app
from bot.store.codes import record_channel_number
from bot.store.database import Store
from bot.store.handoffs import open_handoff, take
from bot.store.models import (
    Agent,
    AuditEntry,
    CannedReply,
    Handoff,
    HandoffNote,
    HandoffRead,
    OwnershipGrant,
)
from bot.store.reports import file_report
from tests.fakes.server import serving
from tests.helpers.agents import agent_with_session
from tests.helpers.reports import complaint

CODE_SECRET = "test-code-secret-for-the-inbox"
MOBILE = "+966551234567"  # the helpers' complaint's mobile
OTHER_MOBILE = "+966559876512"


# --- the desk, its store, a fake bridge and a conversations store ----------------------------


@dataclasses.dataclass
class Desk:
    store: Store
    conversations: Path
    bridge_calls: list[tuple[str, str, Any]]
    identity: dict[str, Any]
    tokens: dict[str, str] = dataclasses.field(default_factory=dict)

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def say(self, conversation: str, at: dt.datetime, intent: str | None = "inform") -> None:
        """A citizen's message stored in the conversations store (as Rasa stores it)."""
        with sqlite3.connect(self.conversations) as connection:
            connection.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, intent_name, data)"
                " VALUES (?, 'user', ?, ?, 'sealed')",
                (conversation, at.timestamp(), intent),
            )


def _agent(store: Store, username: str, role: str, active: bool = True) -> str:
    """A desk account and a session (display name «<username> الموظفة»)."""
    return agent_with_session(store, username, role, active, f"{username} الموظفة")


@pytest.fixture
def desk(sqlite_store, tmp_path, monkeypatch) -> Desk:
    conversations = tmp_path / "conversations.db"
    with sqlite3.connect(conversations) as connection:
        connection.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255),"
            " type_name VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255),"
            " action_name VARCHAR(255), data TEXT)"
        )
    for name, value in {
        "BALAGH_DATABASE_URL": sqlite_store.url,
        "BALAGH_TRACKER_STORE_URL": f"sqlite:///{conversations}",
        "BALAGH_STAFF_TOKEN": "staff-token",
        "BALAGH_INTERNAL_TOKEN": "internal-token",
        "BALAGH_DESK_DISPATCHER": "off",
        "BALAGH_SCHEDULER_INTERVAL": "3600",
        "BALAGH_CODE_SECRET": CODE_SECRET,
    }.items():
        monkeypatch.setenv(name, value)
    desk = Desk(sqlite_store, conversations, [], {"national_id": None, "mobile": None})
    desk.tokens = {
        "sara": _agent(sqlite_store, "sara", "agent"),
        "huda": _agent(sqlite_store, "huda", "agent"),
        "lina": _agent(sqlite_store, "lina", "supervisor"),
        "gone": _agent(sqlite_store, "gone", "agent"),
    }
    with sqlite_store.session() as session:  # an account disabled after its session began
        session.get(Agent, "gone").active = False
    return desk


def fake_bridge(desk: Desk) -> web.Application:
    """Rasa's hand-off bridge as the desk calls it; every call recorded."""

    async def send(request: web.Request) -> web.Response:
        desk.bridge_calls.append(("send", request.path, await request.json()))
        return web.json_response({"status": "sent", "channel": "rest"})

    async def transcript(request: web.Request) -> web.Response:
        desk.bridge_calls.append(("transcript", request.path, dict(request.query)))
        return web.json_response({"messages": [{"from": "user", "text": "مرحبا"}], "paused": True})

    async def identity(request: web.Request) -> web.Response:
        desk.bridge_calls.append(("identity", request.path, dict(request.query)))
        return web.json_response(desk.identity)

    app = web.Application()
    app.router.add_post("/webhooks/handoff/send", send)
    app.router.add_get("/webhooks/handoff/transcript", transcript)
    app.router.add_get("/webhooks/handoff/identity", identity)
    return app


def with_desk(desk: Desk, scenario: Callable[[TestClient], Awaitable[None]]) -> None:
    async def run() -> None:
        async with serving(fake_bridge(desk)) as bridge_url:
            app = build_app()
            app[handoff_api.RASA_KEY] = bridge_url
            async with TestClient(TestServer(app)) as client:
                await scenario(client)

    asyncio.run(run())


def handoff(
    desk: Desk,
    conversation: str,
    channel: str = "rest",
    reason: str = "asked",
    summary: dict | None = None,
    minutes_ago: int = 5,
    holder: str | None = None,
) -> int:
    created = clock.now() - dt.timedelta(minutes=minutes_ago)
    view = open_handoff(desk.store, conversation, channel, reason, summary or {}, created)
    if holder:
        assert take(desk.store, view.id, holder, created)
    return view.id


def snapshot(store: Store) -> dict[str, list]:
    """Every row an inbox action could change."""
    tables = (Handoff, HandoffNote, HandoffRead, CannedReply, AuditEntry)
    with store.session() as session:
        return {
            table.__tablename__: [
                json.dumps(
                    {c.name: str(getattr(row, c.name)) for c in table.__table__.columns},
                    ensure_ascii=False,
                    sort_keys=True,
                )
                for row in session.execute(select(table)).scalars()
            ]
            for table in tables
        }


async def refused(reply, status: int) -> str:
    assert reply.status == status, await reply.text()
    assert reply.content_type == "application/json"
    return (await reply.json())["error"]


async def queue(client: TestClient, desk: Desk, who: str, **query: str) -> list[dict]:
    reply = await client.get("/api/handoffs", params=query, headers=desk.headers(who))
    assert reply.status == 200, await reply.text()
    return (await reply.json())["handoffs"]


def ids(items: list[dict]) -> set[int]:
    return {item["id"] for item in items}


# --- 2. the inbox ----------------------------------------------------------------------------


def test_the_inbox_filters_by_channel_and_reason_with_arabic_choices(desk):
    web_chat = handoff(desk, "web:abc123def456", channel="webchat")
    whatsapp = handoff(desk, "whatsapp:+966500000067", channel="whatsapp", reason="dispute")
    rest = handoff(desk, "rest:someone-1", reason="not_understood")
    hers = handoff(desk, "rest:someone-2", holder="huda")

    async def scenario(client: TestClient) -> None:
        reply = await client.get("/api/handoffs", headers=desk.headers("sara"))
        body = await reply.json()
        assert ids(body["handoffs"]) == {web_chat, whatsapp, rest}  # not huda's chat
        assert {"value": "whatsapp", "label": "واتساب"} in body["choices"]["channel"]
        assert {"value": "dispute", "label": "اعتراض على قرار"} in body["choices"]["reason"]
        assert ids(await queue(client, desk, "sara", channel="whatsapp")) == {whatsapp}
        assert ids(await queue(client, desk, "sara", reason="not_understood")) == {rest}
        both = await queue(client, desk, "sara", channel="rest", reason="not_understood")
        assert ids(both) == {rest}
        assert await queue(client, desk, "sara", channel="sms") == []
        everything = await queue(client, desk, "lina", channel="rest")
        assert ids(everything) == {rest, hers}  # a supervisor sees every open chat

    with_desk(desk, scenario)


@pytest.mark.parametrize(
    "query",
    [
        "channel=telegram",
        "reason=bored",
        "channel=rest&channel=webchat",
        "status=waiting",
        "q=abc",
        "q=" + "1" * 40,
        "q=**",
        "q=%00",
        "q=",
    ],
)
def test_a_bad_inbox_query_is_a_400_and_changes_nothing(desk, query):
    handoff(desk, "rest:someone")

    async def scenario(client: TestClient) -> None:
        before = snapshot(desk.store)
        reply = await client.get(f"/api/handoffs?{query}", headers=desk.headers("sara"))
        await refused(reply, 400)
        assert snapshot(desk.store) == before

    with_desk(desk, scenario)


def test_the_search_finds_a_chat_by_report_number(desk):
    filed = file_report(
        desk.store,
        dataclasses.replace(complaint(), conversation_id="rest:filer"),
        clock.now(),
        clock.today(),
    ).number
    other = file_report(
        desk.store,
        dataclasses.replace(complaint(prior_number="INC-9"), conversation_id="rest:owner"),
        clock.now(),
        clock.today(),
    ).number
    filer = handoff(desk, "rest:filer")
    prover = handoff(desk, "rest:prover")
    named = handoff(desk, "rest:named", summary={"report_number": other})
    handoff(desk, "rest:stranger")
    with desk.store.session() as session:  # proved it owns `filed` by a code
        session.add(
            OwnershipGrant(
                conversation_id="rest:prover",
                report_number=filed,
                proof="code",
                granted_at=clock.now(),
            )
        )

    async def scenario(client: TestClient) -> None:
        assert ids(await queue(client, desk, "sara", q=filed)) == {filer, prover}
        assert ids(await queue(client, desk, "sara", q=other)) == {named}
        arabic_digits = filed.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
        assert ids(await queue(client, desk, "sara", q=arabic_digits)) == {filer, prover}
        assert await queue(client, desk, "sara", q="269999999") == []

    with_desk(desk, scenario)


def test_the_search_by_mobile_compares_only_the_digits_a_masked_mobile_shows(desk):
    on_whatsapp = handoff(desk, "whatsapp:+966555000067", channel="whatsapp")
    by_sms = handoff(desk, "+966555000012", channel="sms")
    in_summary = handoff(
        desk, "web:abcdef123456", channel="webchat", summary={"slots": {"mobile": "+********67"}}
    )
    file_report(
        desk.store,
        dataclasses.replace(complaint(), conversation_id="rest:filer"),  # mobile …67
        clock.now(),
        clock.today(),
    )
    filer = handoff(desk, "rest:filer")
    handoff(desk, "rest:nobody")

    async def scenario(client: TestClient) -> None:
        ending_67 = {on_whatsapp, in_summary, filer}
        for q in ("0555****67", "+**********67", "67", "٠٥٥٥****٦٧", "0555 000 067"):
            assert ids(await queue(client, desk, "sara", q=q)) == ending_67, q
        # The hidden digits are never compared: no search tells an agent one of them.
        assert ids(await queue(client, desk, "sara", q="0599****67")) == ending_67
        assert ids(await queue(client, desk, "sara", q="12")) == {by_sms}
        assert await queue(client, desk, "sara", q="0555****99") == []

    with_desk(desk, scenario)


def test_unread_counts_are_the_citizens_messages_since_the_agent_last_read(desk):
    now = clock.now()
    mine = handoff(desk, "rest:mine", minutes_ago=10, holder="sara")
    waiting = handoff(desk, "rest:waiting", minutes_ago=10)
    desk.say("rest:mine", now - dt.timedelta(minutes=11))  # before the hand-off: read already
    desk.say("rest:mine", now - dt.timedelta(minutes=5))
    desk.say("rest:mine", now - dt.timedelta(minutes=4))
    desk.say("rest:mine", now - dt.timedelta(minutes=3), intent="EXTERNAL_notification")
    desk.say("rest:waiting", now - dt.timedelta(minutes=2))

    async def scenario(client: TestClient) -> None:
        unread = {h["id"]: h["unread"] for h in await queue(client, desk, "sara")}
        assert unread == {mine: 2, waiting: 1}  # not the desk's own EXTERNAL_ event
        reply = await client.get(f"/api/handoffs/{mine}/transcript", headers=desk.headers("sara"))
        assert reply.status == 200
        unread = {h["id"]: h["unread"] for h in await queue(client, desk, "sara")}
        assert unread[mine] == 0  # read
        # Per agent: the supervisor has not read it.
        assert {h["id"]: h["unread"] for h in await queue(client, desk, "lina")}[mine] == 2
        desk.say("rest:mine", clock.now() + dt.timedelta(seconds=1))
        unread = {h["id"]: h["unread"] for h in await queue(client, desk, "sara")}
        assert unread[mine] == 1  # a new message after her read
        # A refused transcript read marks nothing.
        before = snapshot(desk.store)
        denied = await client.get(f"/api/handoffs/{mine}/transcript", headers=desk.headers("huda"))
        await refused(denied, 403)
        assert snapshot(desk.store) == before

    with_desk(desk, scenario)
    with desk.store.session() as session:
        marks = session.execute(select(HandoffRead.handoff_id, HandoffRead.agent)).all()
    assert marks == [(mine, "sara")]  # kept in the store, per agent


def test_without_a_conversations_store_the_queue_still_answers(desk, monkeypatch, tmp_path):
    monkeypatch.setenv("BALAGH_TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'none' / 'c.db'}")
    waiting = handoff(desk, "rest:waiting")

    async def scenario(client: TestClient) -> None:
        assert [(h["id"], h["unread"]) for h in await queue(client, desk, "sara")] == [(waiting, 0)]

    with_desk(desk, scenario)
    assert not (tmp_path / "none").exists()  # Rasa's file is never created by the desk


# --- 5. canned replies -----------------------------------------------------------------------

CANNED = "/api/agents/canned-replies"
GREETING = {
    "title": "ترحيب",
    "body": "مرحباً {first_name}، معك {agent_name}. بلاغك رقم {report_number} قيد المراجعة.",
}


def test_supervisors_manage_canned_replies_and_agents_are_refused(desk):
    async def scenario(client: TestClient) -> None:
        before = snapshot(desk.store)
        await refused(await client.post(CANNED, json=GREETING, headers=desk.headers("sara")), 403)
        await refused(await client.post(CANNED, json=GREETING), 401)
        assert snapshot(desk.store) == before

        made = await client.post(CANNED, json=GREETING, headers=desk.headers("lina"))
        assert made.status == 201
        reply = await made.json()
        assert reply["body"] == GREETING["body"] and reply["updated_by"] == "lina"
        listed = await client.get(CANNED, headers=desk.headers("sara"))  # agents read them
        assert [r["title"] for r in (await listed.json())["replies"]] == ["ترحيب"]

        one = f"{CANNED}/{reply['id']}"
        changed = {"title": "ترحيب", "body": "أهلاً {first_name}"}
        before = snapshot(desk.store)
        await refused(await client.put(one, json=changed, headers=desk.headers("sara")), 403)
        await refused(await client.delete(one, headers=desk.headers("sara")), 403)
        assert snapshot(desk.store) == before
        edited = await client.put(one, json=changed, headers=desk.headers("lina"))
        assert edited.status == 200 and (await edited.json())["body"] == "أهلاً {first_name}"

        second = {"title": "وداع", "body": "شكراً لتواصلك"}
        assert (await client.post(CANNED, json=second, headers=desk.headers("lina"))).status == 201
        before = snapshot(desk.store)
        duplicate = await client.post(CANNED, json=second, headers=desk.headers("lina"))
        await refused(duplicate, 409)
        renamed = await client.put(one, json=second, headers=desk.headers("lina"))
        await refused(renamed, 409)
        missing = await client.put(f"{CANNED}/999999", json=second, headers=desk.headers("lina"))
        await refused(missing, 404)
        await refused(await client.delete(f"{CANNED}/999999", headers=desk.headers("lina")), 404)
        await refused(
            await client.delete(f"{CANNED}/{'9' * 19}", headers=desk.headers("lina")), 404
        )
        assert snapshot(desk.store) == before

        deleted = await client.delete(one, headers=desk.headers("lina"))
        assert deleted.status == 200
        listed = await client.get(CANNED, headers=desk.headers("lina"))
        assert [r["title"] for r in (await listed.json())["replies"]] == ["وداع"]

    with_desk(desk, scenario)
    with desk.store.session() as session:
        actions = session.execute(select(AuditEntry.actor, AuditEntry.action)).all()
    assert actions == [
        ("lina", "canned_create"),
        ("lina", "canned_update"),
        ("lina", "canned_create"),
        ("lina", "canned_delete"),
    ]


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"title": "خطأ", "body": "مرحباً {name}"}, "{name}"),
        ({"title": "خطأ", "body": "رقم {report_number} و{national_id}"}, "{national_id}"),
        ({"title": "خطأ", "body": "مرحباً {first_name"}, "brace"),
        ({"title": "خطأ", "body": "مرحباً first_name}"}, "brace"),
        ({"title": "خطأ", "body": "{{first_name}}"}, "brace"),
        ({"title": "", "body": "نص"}, "title"),
        ({"title": "   ", "body": "نص"}, "title"),
        ({"title": "عنوان", "body": "  "}, "body"),
        ({"title": "ع" * 81, "body": "نص"}, "title"),
        ({"title": "عنوان", "body": "ن" * 1001}, "body"),
        ({"title": "عنوان"}, "body"),
        ({"title": 5, "body": "نص"}, "title"),
        ({"title": "عنوان", "body": "نص\u0000"}, "NUL"),
    ],
)
def test_a_canned_reply_with_an_unknown_placeholder_or_out_of_bounds_is_refused(desk, body, said):
    async def scenario(client: TestClient) -> None:
        before = snapshot(desk.store)
        message = await refused(
            await client.post(CANNED, json=body, headers=desk.headers("lina")), 400
        )
        assert said in message
        assert snapshot(desk.store) == before

    with_desk(desk, scenario)


def test_canned_replies_are_filled_for_the_chat(desk):
    number = file_report(
        desk.store,
        dataclasses.replace(complaint(), conversation_id="rest:filer"),
        clock.now(),
        clock.today(),
    ).number
    from_report = handoff(desk, "rest:filer", holder="sara")
    from_summary = handoff(
        desk,
        "rest:typing",
        summary={"slots": {"beneficiary_name": "ريم خالد"}, "report_number": "260000777"},
        holder="sara",
    )
    bare = handoff(desk, "rest:bare", holder="sara")
    waiting = handoff(desk, "rest:waiting")
    with desk.store.session() as session:
        session.add(
            CannedReply(
                title="ترحيب",
                body=GREETING["body"],
                created_by="lina",
                created_at=clock.now(),
                updated_by="lina",
                updated_at=clock.now(),
            )
        )

    async def filled(client: TestClient, chat: int, who: str = "sara") -> dict:
        reply = await client.get(f"/api/handoffs/{chat}/canned-replies", headers=desk.headers(who))
        assert reply.status == 200, await reply.text()
        [one] = (await reply.json())["replies"]
        return one

    async def scenario(client: TestClient) -> None:
        one = await filled(client, from_report)
        assert one["text"] == f"مرحباً نورة، معك sara الموظفة. بلاغك رقم {number} قيد المراجعة."
        assert one["missing"] == []
        one = await filled(client, from_summary)
        assert one["text"] == "مرحباً ريم، معك sara الموظفة. بلاغك رقم 260000777 قيد المراجعة."
        one = await filled(client, bare)
        assert (
            one["text"]
            == "مرحباً [الاسم الأول]، معك sara الموظفة. بلاغك رقم [رقم البلاغ] قيد المراجعة."
        )
        assert one["missing"] == ["الاسم الأول", "رقم البلاغ"]
        assert (await filled(client, waiting, "lina"))["text"].startswith(
            "مرحباً [الاسم الأول]، معك lina"
        )
        # Not hers: a waiting chat (take it first), another agent's chat.
        for who, chat in (("sara", waiting), ("huda", from_report)):
            denied = await client.get(
                f"/api/handoffs/{chat}/canned-replies", headers=desk.headers(who)
            )
            await refused(denied, 403)
        await refused(
            await client.get("/api/handoffs/999999/canned-replies", headers=desk.headers("sara")),
            404,
        )

    with_desk(desk, scenario)


# --- 5. internal notes -----------------------------------------------------------------------


def test_an_internal_note_is_stored_shown_to_agents_and_never_sent(desk):
    chat = handoff(desk, "rest:citizen", holder="sara")
    note = "المستفيد غاضب؛ راجعتُ البلاغ السابق"

    async def scenario(client: TestClient) -> None:
        made = await client.post(
            f"/api/handoffs/{chat}/notes", json={"text": note}, headers=desk.headers("sara")
        )
        assert made.status == 201
        assert (await made.json())["labels"]["kind"] == "ملاحظة داخلية"
        by_lina = await client.post(
            f"/api/handoffs/{chat}/notes", json={"text": "تابعي معه"}, headers=desk.headers("lina")
        )
        assert by_lina.status == 201  # a supervisor may write one too
        listed = await client.get(f"/api/handoffs/{chat}/notes", headers=desk.headers("sara"))
        notes = (await listed.json())["notes"]
        assert [(n["author"], n["text"], n["kind"]) for n in notes] == [
            ("sara", note, "note"),
            ("lina", "تابعي معه", "note"),
        ]

    with_desk(desk, scenario)
    assert [call for call in desk.bridge_calls if call[0] == "send"] == []  # never sent
    assert note not in json.dumps(desk.bridge_calls, ensure_ascii=False)
    with desk.store.session() as session:
        audited = session.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.detail).where(
                AuditEntry.action != "take"
            )
        )
        rows = audited.all()
    assert [(a, b) for a, b, _ in rows] == [("sara", "note"), ("lina", "note")]
    assert all(note not in json.dumps(d, ensure_ascii=False) for _, _, d in rows)  # not the text


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("huda", {"text": "ليست محادثتي"}, 403),  # another agent's chat
        ("gone", {"text": "حساب معطل"}, 401),
        (None, {"text": "بلا جلسة"}, 401),
        ("sara", {"text": ""}, 400),
        ("sara", {"text": "   "}, 400),
        ("sara", {"text": "ن" * 2001}, 400),
        ("sara", {"text": ["قائمة"]}, 400),
        ("sara", {}, 400),
        ("sara", {"text": "\ud800"}, 400),
    ],
)
def test_a_refused_note_stores_nothing(desk, who, body, status):
    chat = handoff(desk, "rest:citizen", holder="sara")

    async def scenario(client: TestClient) -> None:
        before = snapshot(desk.store)
        headers = desk.headers(who) if who else {}
        raw = json.dumps(body).encode()
        reply = await client.post(
            f"/api/handoffs/{chat}/notes",
            data=raw,
            headers={**headers, "Content-Type": "application/json"},
        )
        await refused(reply, status)
        if who == "huda":
            await refused(
                await client.get(f"/api/handoffs/{chat}/notes", headers=desk.headers("huda")), 403
            )
        assert snapshot(desk.store) == before

    with_desk(desk, scenario)
    assert desk.bridge_calls == []


def test_a_note_on_an_ended_hand_off_is_refused(desk):
    chat = handoff(desk, "rest:citizen", holder="sara")
    with desk.store.session() as session:
        session.get(Handoff, chat).status = "closed"

    async def scenario(client: TestClient) -> None:
        before = snapshot(desk.store)
        reply = await client.post(
            f"/api/handoffs/{chat}/notes", json={"text": "متأخرة"}, headers=desk.headers("lina")
        )
        await refused(reply, 409)
        assert snapshot(desk.store) == before

    with_desk(desk, scenario)


# --- 5. transfer -----------------------------------------------------------------------------


def test_a_transfer_gives_the_chat_to_another_agent_with_its_note(desk):
    chat = handoff(desk, "rest:citizen", holder="sara")
    note = "يريد متابعة بلاغه عن وزارة الصحة، تحققتُ من هويته"

    async def scenario(client: TestClient) -> None:
        moved = await client.post(
            f"/api/handoffs/{chat}/transfer",
            json={"to": "huda", "note": note},
            headers=desk.headers("sara"),
        )
        assert moved.status == 200 and await moved.json() == {"status": "active", "agent": "huda"}
        [entry] = [h for h in await queue(client, desk, "huda") if h["id"] == chat]
        assert entry["agent"] == "huda"
        assert entry["transfer"] == {"from": "sara", "note": note}  # shown to the receiver
        assert chat not in ids(await queue(client, desk, "sara"))  # no longer hers
        notes = await client.get(f"/api/handoffs/{chat}/notes", headers=desk.headers("huda"))
        [shown] = (await notes.json())["notes"]
        assert (shown["kind"], shown["author"], shown["to"], shown["text"]) == (
            "transfer",
            "sara",
            "huda",
            note,
        )
        assert shown["labels"]["kind"] == "تحويل"
        late = await client.post(
            f"/api/handoffs/{chat}/reply", json={"text": "ردّ"}, headers=desk.headers("sara")
        )
        await refused(late, 409)  # she cannot reply any more

    with_desk(desk, scenario)
    assert desk.bridge_calls == []  # nothing reached the citizen
    with desk.store.session() as session:
        [row] = session.execute(select(AuditEntry).where(AuditEntry.action == "transfer")).scalars()
        assert (row.actor, row.detail) == ("sara", {"handoff": chat, "from": "sara", "to": "huda"})


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("huda", {"to": "lina", "note": "ليست لي"}, 409),  # not the holder
        ("lina", {"to": "huda", "note": "مشرفة"}, 409),  # a supervisor reassigns instead
        ("sara", {"to": "sara", "note": "لنفسي"}, 400),
        ("sara", {"to": "nobody", "note": "مجهول"}, 400),
        ("sara", {"to": "gone", "note": "حساب معطل"}, 400),
        ("sara", {"to": "", "note": "فارغ"}, 400),
        ("sara", {"note": "بلا مستلم"}, 400),
        ("sara", {"to": "huda", "note": "ن" * 2001}, 400),
        ("sara", {"to": "huda", "note": 7}, 400),
        ("sara", {"to": "h" * 65}, 400),
        (None, {"to": "huda"}, 401),
    ],
)
def test_a_refused_transfer_changes_nothing(desk, who, body, status):
    chat = handoff(desk, "rest:citizen", holder="sara")

    async def scenario(client: TestClient) -> None:
        before = snapshot(desk.store)
        reply = await client.post(
            f"/api/handoffs/{chat}/transfer",
            json=body,
            headers=desk.headers(who) if who else {},
        )
        await refused(reply, status)
        assert snapshot(desk.store) == before

    with_desk(desk, scenario)


def test_a_transfer_of_a_missing_or_waiting_chat_is_refused(desk):
    waiting = handoff(desk, "rest:waiting")

    async def scenario(client: TestClient) -> None:
        before = snapshot(desk.store)
        for path, status in (
            ("/api/handoffs/999999/transfer", 404),
            (f"/api/handoffs/{waiting}/transfer", 409),
            (f"/api/handoffs/{'1' * 19}/transfer", 404),
        ):
            reply = await client.post(path, json={"to": "huda"}, headers=desk.headers("sara"))
            await refused(reply, status)
        assert snapshot(desk.store) == before

    with_desk(desk, scenario)


# --- 4. the citizen's context ----------------------------------------------------------------


def _file(desk: Desk, conversation: str, prior: str, **changes: Any) -> str:
    new = dataclasses.replace(
        complaint(prior_number=prior), conversation_id=conversation, **changes
    )
    return file_report(desk.store, new, clock.now(), clock.today() + dt.timedelta(days=5)).number


def test_the_context_goes_through_the_verified_identity_and_is_audited(desk):
    here = _file(desk, "web:citizen-now", "INC-1")  # filed by this conversation (mobile …67)
    same_mobile = _file(desk, "rest:old-chat", "INC-2", type="digitization", trigger=None)
    proved = _file(desk, "rest:elsewhere", "INC-3", mobile=OTHER_MOBILE)
    same_id_only = _file(desk, "rest:impostor", "INC-4", mobile="+966500000001")
    with desk.store.session() as session:
        session.add(
            OwnershipGrant(
                conversation_id="web:citizen-now",
                report_number=proved,
                proof="code",
                granted_at=clock.now(),
            )
        )
    earlier = handoff(desk, "rest:old-chat", minutes_ago=600, holder="huda")
    with desk.store.session() as session:
        row = session.get(Handoff, earlier)
        row.status, row.ended_at = "closed", clock.now() - dt.timedelta(hours=9)
    with desk.store.session() as session:
        session.add(
            HandoffNote(
                handoff_id=earlier,
                author="huda",
                kind="note",
                body="طلب تحديث رقم الجوال",
                created_at=clock.now() - dt.timedelta(hours=9),
            )
        )
    chat = handoff(desk, "web:citizen-now", channel="webchat", holder="sara")
    handoff(desk, "rest:impostor", minutes_ago=3)  # someone else's chat

    async def scenario(client: TestClient) -> None:
        reply = await client.get(f"/api/handoffs/{chat}/context", headers=desk.headers("sara"))
        assert reply.status == 200
        text = await reply.text()
        body = json.loads(text)
        found = {r["number"]: r for r in body["reports"]}
        assert set(found) == {here, same_mobile, proved}  # never by the national ID alone
        assert same_id_only not in found
        assert found[here]["labels"]["found_by"] == "قُدِّم من هذه المحادثة"
        assert found[proved]["labels"]["found_by"] == "أثبت ملكيته برمز تحقق"
        assert found[same_mobile]["labels"]["found_by"] == "بالجوال نفسه المُتحقق منه"
        assert found[same_mobile]["labels"]["type"] == "طلب تحول"
        assert found[here]["labels"]["type"] == "تقديم شكوى"
        assert found[here]["labels"]["status"] == "تم الاستلام"
        assert found[here]["labels"]["due_on"].endswith(found[here]["due_on"])
        [before] = body["handoffs"]
        assert before["id"] == earlier
        assert before["conversation"] == "rest:******at"  # masked as in the queue
        assert before["labels"] == {
            "channel": "واجهة برمجية",
            "reason": "طلب المستفيد موظفاً",
            "status": "أُغلقت",
            "created_on": before["labels"]["created_on"],
        }
        assert [n["text"] for n in before["notes"]] == ["طلب تحديث رقم الجوال"]
        for secret in ("1000000008", "966551234567", "551234567", "نورة", "old-chat"):
            assert secret not in text  # no identifier, name or unmasked conversation
        # A supervisor may read it too; each read is audited.
        assert (
            await client.get(f"/api/handoffs/{chat}/context", headers=desk.headers("lina"))
        ).status == 200

    with_desk(desk, scenario)
    with desk.store.session() as session:
        rows = session.execute(
            select(AuditEntry).where(AuditEntry.action == "context").order_by(AuditEntry.id)
        ).scalars()
        audited = [(r.actor, r.conversation_id, r.detail["handoff"]) for r in rows]
    assert audited == [("sara", "web:citizen-now", chat), ("lina", "web:citizen-now", chat)]


def test_a_mobile_verified_by_code_in_the_chat_finds_the_citizens_reports(desk):
    earlier = _file(desk, "rest:last-year", "INC-7", mobile=OTHER_MOBILE)
    chat = handoff(desk, "web:verified", channel="webchat", holder="sara")
    unproved = handoff(desk, "web:unproved", channel="webchat", holder="sara")
    desk.identity = {"national_id": "1000000008", "mobile": OTHER_MOBILE}  # the tracker's slot
    record_channel_number(
        desk.store, CODE_SECRET.encode(), "web:verified", OTHER_MOBILE, clock.now()
    )

    async def numbers(client: TestClient, which: int) -> list[str]:
        reply = await client.get(f"/api/handoffs/{which}/context", headers=desk.headers("sara"))
        assert reply.status == 200
        return [r["number"] for r in (await reply.json())["reports"]]

    async def scenario(client: TestClient) -> None:
        assert await numbers(client, chat) == [earlier]
        assert await numbers(client, unproved) == []  # a mobile typed is not a mobile proved

    with_desk(desk, scenario)


def test_a_whatsapp_chat_is_its_own_verified_mobile(desk):
    earlier = _file(desk, "web:on-the-site", "INC-8", mobile=OTHER_MOBILE)
    chat = handoff(desk, f"whatsapp:{OTHER_MOBILE}", channel="whatsapp", holder="sara")

    async def scenario(client: TestClient) -> None:
        reply = await client.get(f"/api/handoffs/{chat}/context", headers=desk.headers("sara"))
        assert [r["number"] for r in (await reply.json())["reports"]] == [earlier]

    with_desk(desk, scenario)


def test_the_context_is_refused_to_other_agents_and_nothing_is_audited(desk):
    _file(desk, "web:citizen", "INC-1")
    chat = handoff(desk, "web:citizen", channel="webchat", holder="sara")
    waiting = handoff(desk, "web:waiting", channel="webchat")

    async def scenario(client: TestClient) -> None:
        before = snapshot(desk.store)
        for who, path, status in (
            ("huda", f"/api/handoffs/{chat}/context", 403),
            ("sara", f"/api/handoffs/{waiting}/context", 403),
            ("gone", f"/api/handoffs/{chat}/context", 401),
            (None, f"/api/handoffs/{chat}/context", 401),
            ("sara", "/api/handoffs/999999/context", 404),
        ):
            headers = desk.headers(who) if who else {}
            await refused(await client.get(path, headers=headers), status)
        assert snapshot(desk.store) == before

    with_desk(desk, scenario)
    assert [c for c in desk.bridge_calls if c[0] == "identity"] == []  # nothing read


# --- colleagues, and every new route needs a session --------------------------------------


def test_the_transfer_list_names_the_active_agents(desk):
    async def scenario(client: TestClient) -> None:
        reply = await client.get("/api/agents", headers=desk.headers("sara"))
        body = await reply.json()
        assert [a["username"] for a in body["agents"]] == ["huda", "lina", "sara"]  # not gone
        assert body["me"] == "sara"

    with_desk(desk, scenario)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/agents"),
        ("GET", CANNED),
        ("POST", CANNED),
        ("PUT", f"{CANNED}/1"),
        ("DELETE", f"{CANNED}/1"),
        ("GET", "/api/handoffs/1/canned-replies"),
        ("GET", "/api/handoffs/1/notes"),
        ("POST", "/api/handoffs/1/notes"),
        ("POST", "/api/handoffs/1/transfer"),
        ("GET", "/api/handoffs/1/context"),
    ],
)
def test_every_new_route_needs_a_session(desk, method, path):
    handoff(desk, "rest:citizen", holder="sara")

    async def scenario(client: TestClient) -> None:
        before = snapshot(desk.store)
        for headers in ({}, {"Authorization": "Bearer not-a-session"}, desk.headers("gone")):
            reply = await client.request(method, path, json={"text": "x"}, headers=headers)
            await refused(reply, 401)
        assert snapshot(desk.store) == before

    with_desk(desk, scenario)
