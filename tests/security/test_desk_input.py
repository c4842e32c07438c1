"""Issue 16, item 6, on the desk and Rasa's hand-off bridge: bad input is a 4xx with a JSON
`{"error": ...}`, never a 500, and nothing changes in the stores.

Each request is sent as an attacker would (raw header bytes through http.client, which
urllib would refuse) to the real processes started by `balagh run`; after each refusal the
reports store (reports, history, outbox, hand-offs, audit log, sessions) and the
conversations store are compared with a snapshot taken before.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text, update

from bot import clock
from bot.rules import input_bounds as bounds
from bot.store.agents import add_agent
from bot.store.handoffs import open_handoff
from bot.store.models import (
    AgentSession,
    AuditEntry,
    Handoff,
    OutboxMessage,
    Report,
    StatusChange,
)
from bot.store.reports import file_report
from tests.e2e.conftest import Bot, running_bot
from tests.helpers.reports import DUE, NOW, complaint

pytestmark = pytest.mark.e2e

INTERNAL = "test-internal-token"
STAFF = "test-staff-token"
PASSWORD = "correct horse battery"
DEEP = b'{"note": ' + b"[" * 5000 + b"]" * 5000 + b"}"
LATIN1_TOKENS = [
    b"Bearer caf\xe9",  # latin-1
    b"Bearer " + STAFF.encode() + b"\xe9",  # the right token with a latin-1 byte after it
    "Bearer توكن".encode(),  # UTF-8, not ASCII
    b"Bearer " + b"a" * (bounds.MAX_BEARER_TOKEN + 1),
]


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw)


def call(
    base: str,
    method: str,
    path: str,
    body: bytes | dict | list | str | None = None,
    token: bytes | str | None = None,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Reply:
    """One request over http.client: header values may be any bytes."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        raw = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        connection.putrequest(method, path)
        if token is not None:
            value = token if isinstance(token, bytes) else f"Bearer {token}".encode()
            connection.putheader("Authorization", value)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if raw is not None:
            connection.putheader("Content-Type", content_type)
        connection.putheader("Content-Length", str(len(raw or b"")))
        connection.endheaders(raw)
        answer = connection.getresponse()
        return Reply(answer.status, answer.headers, answer.read())
    finally:
        connection.close()


def assert_json_error(reply: Reply, *statuses: int) -> None:
    assert reply.status in statuses, (reply.status, reply.raw[:300])
    assert reply.headers.get_content_type() == "application/json", reply.headers
    assert isinstance(reply.json.get("error"), str) and reply.json["error"]


@dataclass
class Desk:
    bot: Bot
    tracker_store_url: str
    tokens: dict[str, str]
    log: Path

    def desk(self, method: str, path: str, body: Any = None, token: Any = None) -> Reply:
        return call(self.bot.desk_url, method, path, body, token)

    def bridge(self, method: str, path: str, body: Any = None, token: Any = INTERNAL) -> Reply:
        return call(self.bot.rasa_url, method, f"/webhooks/handoff/{path}", body, token)

    def stores(self) -> tuple:
        """Everything a refused request must leave as it was."""
        with self.bot.store.session() as session:
            reports = session.execute(
                select(Report.number, Report.status, Report.updated_at).order_by(Report.id)
            ).all()
            history = session.execute(
                select(StatusChange.id, StatusChange.status, StatusChange.note)
            ).all()
            outbox = session.execute(select(OutboxMessage.id, OutboxMessage.payload)).all()
            handoffs = session.execute(
                select(Handoff.id, Handoff.status, Handoff.agent).order_by(Handoff.id)
            ).all()
            audit = session.execute(select(func.count(AuditEntry.id))).scalar_one()
            sessions = session.execute(select(func.count(AgentSession.token_hash))).scalar_one()
        return reports, history, outbox, handoffs, audit, sessions, self.events()

    def events(self) -> int:
        engine = create_engine(self.tracker_store_url)
        try:
            with engine.connect() as connection:
                return connection.execute(text("SELECT count(*) FROM events")).scalar_one()
        finally:
            engine.dispose()

    @contextlib.contextmanager
    def unchanged(self) -> Iterator[None]:
        before = self.stores()
        yield
        assert self.stores() == before


@pytest.fixture(scope="module")
def desk(tmp_path_factory) -> Iterator[Desk]:
    work = tmp_path_factory.mktemp("desk-input")
    conversations = f"sqlite:///{work / 'conversations.db'}"
    with running_bot(
        work,
        f"sqlite:///{work / 'reports.db'}",
        conversations,
        # No dispatcher: a notification queued by one test must not add conversation events
        # while another test compares the stores.
        {
            "BALAGH_INTERNAL_TOKEN": INTERNAL,
            "BALAGH_STAFF_TOKEN": STAFF,
            "BALAGH_DESK_DISPATCHER": "off",
        },
    ) as bot:
        add_agent(bot.store, "sara", PASSWORD, "agent", clock.now())
        add_agent(bot.store, "lina", PASSWORD, "supervisor", clock.now())
        tokens = {}
        for name in ("sara", "lina"):
            reply = call(
                bot.desk_url, "POST", "/api/agents/login", {"username": name, "password": PASSWORD}
            )
            assert reply.status == 200, reply.raw
            tokens[name] = reply.json["token"]
        yield Desk(bot, conversations, tokens, work / "balagh.log")


def new_report(desk: Desk) -> str:
    return file_report(desk.bot.store, complaint(f"INC-{uuid.uuid4().hex[:8]}"), NOW, DUE).number


def new_handoff(desk: Desk, taken_by: str | None = None) -> int:
    conversation = f"rest:input-{uuid.uuid4().hex[:10]}"
    handoff = open_handoff(desk.bot.store, conversation, "rest", "asked", {}, clock.now())
    if taken_by:
        taken = desk.desk("POST", f"/api/handoffs/{handoff.id}/take", token=desk.tokens[taken_by])
        assert taken.status == 200
    return handoff.id


# --- tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize("token", LATIN1_TOKENS)
def test_a_latin1_or_non_ascii_token_is_a_401_everywhere_on_the_desk(desk, token):
    number, handoff = new_report(desk), new_handoff(desk)
    status = {"status": "in_progress", "note": "x"}
    with desk.unchanged():
        for method, path, body in [
            ("GET", f"/api/reports/{number}", None),
            ("POST", f"/api/reports/{number}/status", status),
            ("GET", "/api/handoffs", None),
            ("POST", f"/api/handoffs/{handoff}/take", None),
            ("POST", "/api/handoffs/report-status", {"number": number, **status}),
            ("POST", "/api/agents/logout", None),
            ("GET", "/api/supervisors/report?from=2025-01-01&to=2025-01-31", None),
        ]:
            assert_json_error(desk.desk(method, path, body, token=token), 401)


@pytest.mark.parametrize("token", [*LATIN1_TOKENS, "Bearer " + INTERNAL + "\u00e9"])
def test_a_non_ascii_token_is_refused_by_the_bridge(desk, token):
    raw = token if isinstance(token, bytes) else token.encode()
    body = {"conversation_id": "rest:someone", "text": "hello"}
    with desk.unchanged():
        for method, path in [
            ("POST", "send"),
            ("POST", "resume"),
            ("GET", "identity?conversation_id=rest:someone"),
            ("GET", "transcript?conversation_id=rest:someone"),
        ]:
            reply = desk.bridge(method, path, body if method == "POST" else None, token=raw)
            assert_json_error(reply, 403)


def test_the_right_tokens_still_work(desk):
    number = new_report(desk)
    assert desk.desk("GET", f"/api/reports/{number}", token=STAFF).status == 200
    assert desk.desk("GET", "/api/handoffs", token=desk.tokens["sara"]).status == 200
    reply = desk.bridge("GET", "transcript?conversation_id=rest:nobody-yet")
    assert reply.status == 200 and reply.json["messages"] == []


# --- bodies ------------------------------------------------------------------------------


def test_json_nested_5000_levels_is_a_400(desk):
    number, waiting, held = new_report(desk), new_handoff(desk), new_handoff(desk, "sara")
    sara, lina = desk.tokens["sara"], desk.tokens["lina"]
    with desk.unchanged():
        for path, token in [
            (f"/api/reports/{number}/status", STAFF),
            ("/api/agents/login", None),
            ("/api/handoffs/report-status", sara),
            (f"/api/handoffs/{held}/reply", sara),
            (f"/api/handoffs/{held}/hand-back", sara),
            (f"/api/handoffs/{held}/close", sara),
            (f"/api/handoffs/{waiting}/reassign", lina),
        ]:
            assert_json_error(desk.desk("POST", path, DEEP, token=token), 400)
        for path in ("send", "resume"):
            assert_json_error(desk.bridge("POST", path, DEEP), 400)


@pytest.mark.parametrize(
    "raw",
    [b"{", b"\xff\xfe", b"[1, 2]", b'"text"', b"null", b'{"note": "\\ud800"}'],
    ids=["truncated", "not-utf8", "array", "string", "null", "lone-surrogate"],
)
def test_bodies_that_are_not_a_clean_json_object_are_a_400(desk, raw):
    number, held = new_report(desk), new_handoff(desk, "sara")
    with desk.unchanged():
        assert_json_error(desk.desk("POST", f"/api/reports/{number}/status", raw, STAFF), 400)
        for path in ("/api/handoffs/report-status", f"/api/handoffs/{held}/reply"):
            assert_json_error(desk.desk("POST", path, raw, desk.tokens["sara"]), 400)
        for path in ("send", "resume"):
            assert_json_error(desk.bridge("POST", path, raw), 400)


def test_a_body_over_the_size_limit_is_a_413(desk):
    number = new_report(desk)
    huge = {"status": "in_progress", "note": "x" * (bounds.MAX_BODY_BYTES + 1)}
    with desk.unchanged():
        assert_json_error(desk.desk("POST", f"/api/reports/{number}/status", huge, STAFF), 413)


def test_an_unknown_charset_is_not_a_500(desk):
    number = new_report(desk)
    reply = call(
        desk.bot.desk_url,
        "POST",
        f"/api/reports/{number}/status",
        {"status": "under_review"},
        STAFF,
        content_type="application/json; charset=no-such-charset",
    )
    assert reply.status == 200, reply.raw


# --- hand-off ids ------------------------------------------------------------------------


@pytest.mark.parametrize("wanted", ["9" * 30, str(2**63), "9" * 19, "0", "١٢"])
def test_an_out_of_range_handoff_id_is_a_404(desk, wanted):
    new_handoff(desk, "sara")
    sara, lina = desk.tokens["sara"], desk.tokens["lina"]
    quoted = urllib.parse.quote(wanted)
    with desk.unchanged():
        for method, action, token, body in [
            ("POST", "take", sara, None),
            ("POST", "reply", sara, {"text": "x"}),
            ("POST", "hand-back", sara, None),
            ("POST", "close", sara, None),
            ("POST", "reveal", lina, None),
            ("POST", "reassign", lina, {"to": "sara"}),
            ("GET", "transcript", sara, None),
        ]:
            reply = desk.desk(method, f"/api/handoffs/{quoted}/{action}", body, token)
            assert_json_error(reply, 404)


# --- fields ------------------------------------------------------------------------------

BAD_NOTES = [
    {"a": 1},
    ["x"],
    42,
    "x" * (bounds.MAX_NOTE + 1),
    "ملاحظة\x00",
]
BAD_TIMES = [{"d": 3}, 30, "x" * (bounds.MAX_IMPLEMENTATION_TIME + 1), "3 أيام\x00"]


@pytest.mark.parametrize("note", BAD_NOTES, ids=["object", "list", "number", "long", "nul"])
def test_a_bad_note_is_refused_by_the_staff_and_agents_apis(desk, note):
    number = new_report(desk)
    change = {"number": number, "status": "rejected", "note": note}
    with desk.unchanged():
        reply = desk.desk("POST", f"/api/reports/{number}/status", change, STAFF)
        assert_json_error(reply, 400)
        reply = desk.desk("POST", "/api/handoffs/report-status", change, desk.tokens["sara"])
        assert_json_error(reply, 400)


@pytest.mark.parametrize("when", BAD_TIMES, ids=["object", "number", "long", "nul"])
def test_a_bad_implementation_time_is_refused(desk, when):
    number = new_report(desk)
    change = {"number": number, "status": "accepted", "implementation_time": when}
    with desk.unchanged():
        reply = desk.desk("POST", f"/api/reports/{number}/status", change, STAFF)
        assert_json_error(reply, 400)
        reply = desk.desk("POST", "/api/handoffs/report-status", change, desk.tokens["sara"])
        assert_json_error(reply, 400)


@pytest.mark.parametrize("actor", [{"a": 1}, "x" * (bounds.MAX_ACTOR + 1), "staff\x00"])
def test_a_bad_actor_is_refused(desk, actor):
    number = new_report(desk)
    with desk.unchanged():
        reply = desk.desk(
            "POST",
            f"/api/reports/{number}/status",
            {"status": "in_progress", "actor": actor},
            STAFF,
        )
        assert_json_error(reply, 400)


def test_the_agents_report_status_refuses_bad_numbers_and_statuses(desk):
    number = new_report(desk)
    sara = desk.tokens["sara"]
    with desk.unchanged():
        for body, code in [
            ({"number": number, "status": "done"}, 400),
            ({"number": 260000001, "status": "closed"}, 400),
            ({"number": "9" * 40, "status": "closed"}, 404),
            ({"number": number + "\x00", "status": "closed"}, 400),
        ]:
            assert_json_error(desk.desk("POST", "/api/handoffs/report-status", body, sara), code)


def test_values_at_their_bounds_are_accepted_and_queued_whole(desk):
    number = new_report(desk)
    when = "خلال " + "ت" * (bounds.MAX_IMPLEMENTATION_TIME - 5)
    note = "م" * bounds.MAX_NOTE
    reply = desk.desk(
        "POST",
        f"/api/reports/{number}/status",
        {"status": "accepted", "note": note, "implementation_time": when, "actor": "a" * 64},
        STAFF,
    )
    assert reply.status == 200, reply.raw
    with desk.bot.store.session() as session:
        report_id = session.execute(select(Report.id).where(Report.number == number)).scalar_one()
        [payload] = session.execute(
            select(OutboxMessage.payload).where(OutboxMessage.report_id == report_id)
        ).scalars()
    assert payload["implementation_time"] == when and payload["note"] == note
    other = new_report(desk)
    change = {"number": other, "status": "in_progress", "note": "ن" * bounds.MAX_NOTE}
    with desk.unchanged():  # an agent holding no chat with that citizen, nor a supervisor
        for who in ("sara", "lina"):
            reply = desk.desk("POST", "/api/handoffs/report-status", change, desk.tokens[who])
            assert_json_error(reply, 403)
    conversation = f"rest:bounds-{uuid.uuid4().hex[:10]}"
    with desk.bot.store.session() as session:
        session.execute(
            update(Report).where(Report.number == other).values(conversation_id=conversation)
        )
    handoff = open_handoff(desk.bot.store, conversation, "rest", "asked", {}, clock.now())
    taken = desk.desk("POST", f"/api/handoffs/{handoff.id}/take", token=desk.tokens["sara"])
    assert taken.status == 200
    reply = desk.desk("POST", "/api/handoffs/report-status", change, desk.tokens["sara"])
    assert reply.status == 200, reply.raw  # the holder, with a note at its bound
    too_long = {**change, "status": "referred", "note": "ن" * (bounds.MAX_NOTE + 1)}
    with desk.unchanged():
        reply = desk.desk("POST", "/api/handoffs/report-status", too_long, desk.tokens["sara"])
        assert_json_error(reply, 400)


def test_nul_and_overlong_agent_fields_are_refused(desk):
    waiting, held = new_handoff(desk), new_handoff(desk, "sara")
    sara, lina = desk.tokens["sara"], desk.tokens["lina"]
    with desk.unchanged():
        for path, body, token in [
            (f"/api/handoffs/{held}/reply", {"text": "مرحبا\x00"}, sara),
            (f"/api/handoffs/{held}/reply", {"text": "ر" * (bounds.MAX_REPLY + 1)}, sara),
            (f"/api/handoffs/{held}/reply", {"text": {"a": "b"}}, sara),
            (f"/api/handoffs/{held}/reply", {"text": ["b"]}, sara),
            (f"/api/handoffs/{held}/reply", {"text": "  "}, sara),
            (f"/api/handoffs/{waiting}/reassign", {"to": "sara\x00"}, lina),
            (f"/api/handoffs/{waiting}/reassign", {"to": "s" * (bounds.MAX_USERNAME + 1)}, lina),
            (f"/api/handoffs/{waiting}/reassign", {"to": {"name": "sara"}}, lina),
            (f"/api/handoffs/{waiting}/reassign", {"to": "nobody-here"}, lina),
            (f"/api/handoffs/{held}/hand-back", {"x": "\x00"}, sara),
            ("/api/agents/login", {"username": "sara\x00", "password": PASSWORD}, None),
            ("/api/agents/login", {"username": "sara", "password": PASSWORD + "\x00"}, None),
            ("/api/agents/login", {"username": "s" * 65, "password": PASSWORD}, None),
            ("/api/agents/login", {"username": "sara", "password": "p" * 1025}, None),
            ("/api/agents/login", {"username": ["sara"], "password": PASSWORD}, None),
        ]:
            assert_json_error(desk.desk("POST", path, body, token), 400)


def test_the_supervisors_report_refuses_bad_queries(desk):
    lina = desk.tokens["lina"]
    with desk.unchanged():
        for query in ["from=2025-01-01%00&to=2025-01-31", "from=" + "9" * 5000 + "&to=x", ""]:
            reply = desk.desk("GET", f"/api/supervisors/report?{query}", token=lina)
            assert_json_error(reply, 400)


# --- the bridge ----------------------------------------------------------------------------

BAD_CONVERSATIONS = [None, 5, ["rest:a"], {"id": "rest:a"}, "", "x" * 129, "rest:a\x00"]


@pytest.mark.parametrize(
    "conversation",
    BAD_CONVERSATIONS,
    ids=["missing", "number", "list", "object", "empty", "long", "nul"],
)
def test_the_bridge_refuses_a_bad_conversation_id(desk, conversation):
    with desk.unchanged():
        for path in ("send", "resume"):
            body = {"text": "hello", "agent": "sara"}
            if conversation is not None:
                body["conversation_id"] = conversation
            assert_json_error(desk.bridge("POST", path, body), 400)
        if isinstance(conversation, str) or conversation is None:
            query = (
                ""
                if conversation is None
                else urllib.parse.urlencode({"conversation_id": conversation})
            )
            for path in ("identity", "transcript"):
                assert_json_error(desk.bridge("GET", f"{path}?{query}"), 400)


def test_the_bridge_refuses_bad_reply_fields(desk):
    with desk.unchanged():
        for body in [
            {"conversation_id": "rest:a", "text": {"a": 1}},
            {"conversation_id": "rest:a", "text": "x" * (bounds.MAX_REPLY + 1)},
            {"conversation_id": "rest:a", "text": "hello\x00"},
            {"conversation_id": "rest:a", "text": "hello", "agent": {"x": 1}},
            {"conversation_id": "rest:a", "text": "hello", "agent": "a" * 65},
        ]:
            assert_json_error(desk.bridge("POST", "send", body), 400)
        for query in ["conversation_id=a&conversation_id=b"]:
            assert_json_error(desk.bridge("GET", f"transcript?{query}"), 400)


def test_the_bridge_still_delivers_a_good_reply(desk):
    conversation = f"rest:input-{uuid.uuid4().hex[:10]}"
    before = desk.events()
    reply = desk.bridge(
        "POST", "send", {"conversation_id": conversation, "text": "مرحبا", "agent": "sara"}
    )
    assert reply.status == 200, reply.raw
    assert desk.events() > before
    transcript = desk.bridge("GET", f"transcript?conversation_id={conversation}").json
    assert transcript["messages"] == [{"from": "agent", "text": "مرحبا"}]


# --- every desk error is JSON ----------------------------------------------------------------


def test_unknown_paths_and_methods_answer_json(desk):
    assert_json_error(desk.desk("GET", "/api/nothing-here"), 404)
    assert_json_error(desk.desk("GET", "/api/handoffs/1/take", token=desk.tokens["sara"]), 405)
    reply = desk.desk("DELETE", "/api/reports/260000001", token=STAFF)
    assert_json_error(reply, 405)
    assert "GET" in reply.headers["Allow"]
    arabic_digit = urllib.parse.quote("26000000١")
    assert_json_error(desk.desk("GET", f"/api/reports/{arabic_digit}", token=STAFF), 404)


def test_nothing_above_reached_an_unexpected_exception(desk):
    """Every refusal above was a handled one: the desk logged no uncaught exception."""
    log = desk.log.read_text(errors="replace")
    assert "Traceback" not in log, log[log.find("Traceback") - 2000 :][:6000]


def test_an_agent_changes_only_the_report_of_the_chat_she_holds(desk):
    number = new_report(desk)
    conversation = f"rest:holder-{uuid.uuid4().hex[:10]}"
    with desk.bot.store.session() as session:
        session.execute(
            update(Report).where(Report.number == number).values(conversation_id=conversation)
        )
    handoff = open_handoff(desk.bot.store, conversation, "rest", "asked", {}, clock.now())
    change = {"number": number, "status": "in_progress"}
    with desk.unchanged():  # not taken yet: nobody holds it
        reply = desk.desk("POST", "/api/handoffs/report-status", change, desk.tokens["sara"])
        assert_json_error(reply, 403)
    taken = desk.desk("POST", f"/api/handoffs/{handoff.id}/take", token=desk.tokens["sara"])
    assert taken.status == 200
    reply = desk.desk("POST", "/api/handoffs/report-status", change, desk.tokens["sara"])
    assert reply.status == 200, reply.raw
    with desk.unchanged():  # a supervisor who does not hold it neither
        reply = desk.desk("POST", "/api/handoffs/report-status", change, desk.tokens["lina"])
        assert_json_error(reply, 403)


# --- issue 19, item 5: who reads what, sign-in ------------------------------------------------


def test_a_transcript_is_refused_to_an_agent_who_does_not_hold_the_chat(desk):
    waiting, held = new_handoff(desk), new_handoff(desk, "lina")
    with desk.unchanged():  # nothing recorded as read
        for wanted in (waiting, held):
            reply = desk.desk(
                "GET", f"/api/handoffs/{wanted}/transcript", token=desk.tokens["sara"]
            )
            assert_json_error(reply, 403)
            reply = desk.desk("POST", f"/api/handoffs/{wanted}/reveal", token=desk.tokens["sara"])
            assert_json_error(reply, 403)
        missing = f"/api/handoffs/{bounds.MAX_HANDOFF_ID}/transcript"
        assert_json_error(desk.desk("GET", missing, token=desk.tokens["lina"]), 404)
    with desk.bot.store.session() as session:
        before = session.execute(select(func.count(AuditEntry.id))).scalar_one()
    reply = desk.desk("GET", f"/api/handoffs/{held}/transcript", token=desk.tokens["lina"])
    assert reply.status == 200, reply.raw
    with desk.bot.store.session() as session:
        last = session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar()
        assert session.execute(select(func.count(AuditEntry.id))).scalar_one() == before + 1
    assert (last.actor, last.action, last.detail) == ("lina", "transcript", {"handoff": held})


def login(desk: Desk, username: str, password: str, address: str) -> Reply:
    """A sign-in as it comes through the edge from `address` (nginx appends the peer's
    address to X-Forwarded-For and sets the edge header)."""
    return call(
        desk.bot.desk_url,
        "POST",
        "/api/agents/login",
        {"username": username, "password": password},
        headers={"X-Forwarded-For": f"203.0.113.7, {address}", "X-Balagh-Edge": "1"},
    )


def new_agent(desk: Desk) -> str:
    name = f"agent-{uuid.uuid4().hex[:8]}"
    add_agent(desk.bot.store, name, PASSWORD, "agent", clock.now())
    return name


def test_25_wrong_passwords_then_the_right_one_is_refused(desk):
    name = new_agent(desk)
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    codes = []
    with desk.unchanged():  # no session, no sign-in audited
        for _ in range(25):
            codes.append(login(desk, name, "wrong password!!", address).status)
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
        right = login(desk, name, PASSWORD, address)
        assert_json_error(right, 429)
        wait = int(right.headers["Retry-After"])
        assert 0 < wait <= 900 and right.json["retry_after"] == wait
        assert "حاول مجدداً بعد" in right.json["message"]
        # the username is locked from any address
        assert_json_error(login(desk, name, PASSWORD, "192.0.2.200"), 429)
    assert login(desk, "sara", PASSWORD, address).status == 200  # others from there still can


def test_many_failures_from_one_address_lock_that_address(desk):
    address = f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"
    for i in range(20):  # twenty unknown names: none of them reaches its own limit
        assert (
            login(desk, f"guess-{i}-{uuid.uuid4().hex[:6]}", "wrong password!!", address).status
            == 401
        )
    with desk.unchanged():
        reply = login(desk, "sara", PASSWORD, address)
        assert_json_error(reply, 429)
    assert login(desk, "sara", PASSWORD, "192.0.2.201").status == 200  # another address


def test_unknown_and_known_usernames_take_the_same_time(desk):
    import statistics
    import time

    name = new_agent(desk)

    def timed(username: str) -> float:
        address = f"100.64.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"
        started = time.perf_counter()
        assert login(desk, username, "wrong password!!", address).status == 401
        return time.perf_counter() - started

    known, unknown = [], []
    for _ in range(3):
        known.append(timed(name))
        unknown.append(timed(f"nobody-{uuid.uuid4().hex[:8]}"))
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.7 < ratio < 1.4, (known, unknown)  # before: unknown ≈ 2 × known (scrypt twice)


PAGES = ["/console", "/console/supervisors"]


@pytest.mark.parametrize(
    "path",
    [*PAGES, "/console/assets/console.js", "/console/assets/supervisors.css", "/api/handoffs"],
)
def test_the_console_and_supervisors_pages_send_a_strict_policy(desk, path):
    reply = desk.desk("GET", path)
    assert reply.status in (200, 401)
    policy = reply.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives.get("script-src", "'none'") in ("'self'", "'none'")
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Referrer-Policy"] == "no-referrer"
    assert reply.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_have_no_inline_script_or_style(desk, path):
    import html.parser

    found = []

    class Scan(html.parser.HTMLParser):
        def handle_starttag(self, tag, attrs):
            names = dict(attrs)
            if tag == "script" and not names.get("src"):
                found.append("inline <script>")
            if tag == "style":
                found.append("<style>")
            found.extend(f"{tag} {a}" for a in names if a == "style" or a.startswith("on"))

    Scan().feed(desk.desk("GET", path).raw.decode())
    assert found == []


def test_a_console_asset_outside_the_list_is_a_404(desk):
    for name in ("console.html", "..%2Fstatic%2Fconsole.html", "balagh-widget.js"):
        assert desk.desk("GET", f"/console/assets/{name}").status == 404
