"""Hand-off to a person over REST: queue, take (one winner), reply, silence while held,
hand back (the form resumes), close."""

from __future__ import annotations

import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, update

from bot import clock
from bot.rules.waiting import wait_in_arabic
from bot.store.agents import add_agent
from bot.store.handoffs import open_handoff_of
from bot.store.models import Agent, AuditEntry
from channels.rest import conversation_id
from tests.helpers.conversations import personal_data, start

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"
TEAM = {"sara": "agent", "omar": "agent", "huda": "agent", "lina": "supervisor"}


@pytest.fixture(scope="module")
def tokens(bot) -> dict[str, str]:
    """Desk accounts, signed in: name → session token."""
    with bot.store.session() as session:
        existing = {a.username for a in session.execute(select(Agent)).scalars()}
    for name, role in TEAM.items():
        if name not in existing:
            add_agent(bot.store, name, PASSWORD, role, clock.now())
    signed = {}
    for name in TEAM:
        code, body = bot.staff(
            "POST", "/api/agents/login", {"username": name, "password": PASSWORD}
        )
        assert code == 200
        signed[name] = body["token"]
    return signed


def call(bot, tokens, who: str, method: str, path: str, body: dict | None = None):
    return bot.staff(method, path, body, token=tokens[who])


def queued(bot, tokens, sender: str, who: str = "lina") -> dict:
    """The sender's entry in `who`'s queue, found by its hand-off id (the queue shows
    conversation ids masked)."""
    handoff = open_handoff_of(bot.store, conversation_id(sender))
    assert handoff is not None
    code, body = call(bot, tokens, who, "GET", "/api/handoffs")
    assert code == 200
    return next(h for h in body["handoffs"] if h["id"] == handoff.id)


def audit_rows(bot, sender: str) -> list[tuple[str, str]]:
    with bot.store.session() as session:
        return [
            (a.actor, a.action)
            for a in session.execute(
                select(AuditEntry)
                .where(AuditEntry.conversation_id == conversation_id(sender))
                .order_by(AuditEntry.id)
            ).scalars()
        ]


def test_an_agent_takes_replies_and_hands_back(bot, sender, tokens):
    assert "ما اسمك الكامل" in bot.say(sender, "ابي اصعد شكوى")
    bot.say(sender, "نورة سعد")
    told = bot.say(sender, "ابي اكلم موظف")
    assert "سيتولى أحد موظفي مركز آمر" in told
    # The expected wait with its noun in agreement («8 دقائق», «12 دقيقة», «ساعتين»), never
    # «180 دقائق»: whatever the queue of this shared store makes it.
    wait = re.search(r"نحو ([^.()]+?)[.)]", told)
    assert wait, told
    assert wait.group(1) in {wait_in_arabic(m) for m in range(1, 24 * 60)}, told
    handoff = queued(bot, tokens, sender, who="sara")
    assert handoff["status"] == "waiting" and handoff["reason"] == "asked"
    assert handoff["summary"]["wanted"] == "الشكوى"
    assert handoff["summary"]["slots"]["beneficiary_name"] == "نورة سعد"

    path = f"/api/handoffs/{handoff['id']}"
    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = list(
            pool.map(lambda a: call(bot, tokens, a, "POST", f"{path}/take")[0], ["sara", "omar"])
        )
    assert sorted(codes) == [200, 409]
    holder = "sara" if codes[0] == 200 else "omar"
    other = "omar" if holder == "sara" else "sara"

    assert call(bot, tokens, other, "POST", f"{path}/reply", {"text": "x"})[0] == 409
    assert call(bot, tokens, other, "POST", f"{path}/reveal")[0] == 403
    # nor its transcript: a JSON 403, and nothing recorded as read
    before = audit_rows(bot, sender)
    code, refused = call(bot, tokens, other, "GET", f"{path}/transcript")
    assert code == 403 and refused["error"]
    assert audit_rows(bot, sender) == before
    # the other agent no longer sees a chat someone else holds; the supervisor does
    visible = call(bot, tokens, other, "GET", "/api/handoffs")[1]["handoffs"]
    assert all(h["id"] != handoff["id"] for h in visible)
    assert queued(bot, tokens, sender)["agent"] == holder
    code, _ = call(bot, tokens, holder, "POST", f"{path}/reply", {"text": "مرحباً، أنا موظف المركز"})
    assert code == 200
    assert bot.bot_texts(sender)[-1] == "مرحباً، أنا موظف المركز"

    assert bot.send(sender, "رقم هويتي لا يقبل في الموقع") == []  # the bot stays silent
    code, transcript = call(bot, tokens, holder, "GET", f"{path}/transcript")
    assert transcript["paused"] is True
    assert audit_rows(bot, sender)[-1] == (holder, "transcript")  # every read recorded
    assert call(bot, tokens, "lina", "GET", f"{path}/transcript")[0] == 200  # a supervisor
    assert audit_rows(bot, sender)[-1] == ("lina", "transcript")
    assert transcript["messages"][-1] == {"from": "user", "text": "رقم هويتي لا يقبل في الموقع"}
    assert {"from": "agent", "text": "مرحباً، أنا موظف المركز"} in transcript["messages"]

    assert call(bot, tokens, holder, "POST", f"{path}/hand-back")[0] == 200
    texts = bot.bot_texts(sender)
    assert "عاد المساعد الآلي" in texts[-2] and "رقم الهوية" in texts[-1]  # the form resumes
    assert "جوالك" in bot.say(sender, "1000000008")


def test_closing_tells_the_user(bot, sender, tokens):
    bot.say(sender, "ابي اكلم موظف")
    handoff = queued(bot, tokens, sender)
    path = f"/api/handoffs/{handoff['id']}"
    assert call(bot, tokens, "huda", "POST", f"{path}/take")[0] == 200
    assert call(bot, tokens, "huda", "POST", f"{path}/close")[0] == 200
    assert "أنهى الموظف المحادثة" in bot.bot_texts(sender)[-1]
    assert "أهلاً بك" in bot.say(sender, "السلام عليكم")  # the bot answers again
    assert call(bot, tokens, "huda", "POST", f"{path}/close")[0] == 409


def test_sign_in_roles_reveal_and_audit(bot, sender, tokens):
    assert bot.staff("GET", "/api/handoffs", token="not-a-session")[0] == 401
    code, _ = bot.staff(
        "POST", "/api/agents/login", {"username": "sara", "password": "wrong pass!"}
    )
    assert code == 401
    bot.say(sender, "ابي اصعد شكوى")
    bot.say(sender, "نورة سعد")
    bot.say(sender, "1000000008")
    bot.say(sender, "ابي اكلم موظف")
    handoff = queued(bot, tokens, sender)
    assert handoff["summary"]["slots"]["national_id"] == "********08"  # masked
    path = f"/api/handoffs/{handoff['id']}"
    assert call(bot, tokens, "omar", "POST", f"{path}/reassign", {"to": "omar"})[0] == 403
    assert call(bot, tokens, "lina", "POST", f"{path}/reassign", {"to": "huda"})[0] == 200
    code, revealed = call(bot, tokens, "huda", "POST", f"{path}/reveal")
    assert code == 200 and revealed["national_id"] == "1000000008"
    with bot.store.session() as session:
        entries = {
            (a.actor, a.action)
            for a in session.execute(
                select(AuditEntry).where(AuditEntry.conversation_id == conversation_id(sender))
            ).scalars()
        }
    assert {("lina", "reassign"), ("huda", "reveal")} <= entries
    assert call(bot, tokens, "huda", "POST", f"{path}/close")[0] == 200


def test_not_understood_twice_hands_over(bot, sender, tokens):
    first = bot.say(sender, "")
    assert "لم أفهم" in first
    second = bot.say(sender, "")
    assert "سيتولى أحد موظفي مركز آمر" in second
    assert queued(bot, tokens, sender)["reason"] == "not_understood"


def test_a_disputed_decision_goes_to_a_person(bot, sender, tokens):
    start(bot, sender)
    personal_data(bot, sender)
    for answer in ("3", "هيئة الزكاة والضريبة والجمارك", "زاتكا", "الإقرار الضريبي"):
        bot.say(sender, answer)
    bot.say(sender, "الموقع الإلكتروني")
    bot.say(sender, "ZT-4410")
    [refusal] = [m for m in bot.send(sender, "أمس") if m.get("buttons")]
    [dispute] = [b["payload"] for b in refusal["buttons"] if "dispute" in b["payload"]]
    assert "سيتولى" in bot.say(sender, dispute)  # the button the refusal offered
    assert queued(bot, tokens, sender)["reason"] == "dispute"


def test_a_typed_dispute_payload_the_bot_did_not_offer_is_read_as_text(bot, sender, tokens):
    bot.say(sender, '/request_agent{"choice": "dispute"}')
    status, body = call(bot, tokens, "omar", "GET", "/api/handoffs")
    assert status == 200
    handoff = open_handoff_of(bot.store, conversation_id(sender))
    assert handoff is None or handoff.reason != "dispute"
    assert not any(
        handoff is not None and h["id"] == handoff.id and h["reason"] == "dispute"
        for h in body["handoffs"]
    )


def test_user_and_agent_messages_arriving_together_are_all_kept_in_order(bot, sender, tokens):
    bot.say(sender, "ابي اكلم موظف")
    handoff = queued(bot, tokens, sender)
    path = f"/api/handoffs/{handoff['id']}"
    assert call(bot, tokens, "sara", "POST", f"{path}/take")[0] == 200
    user_lines = [f"رسالة المستفيد {i}" for i in range(8)]
    agent_lines = [f"رد الموظف {i}" for i in range(8)]

    def user_side() -> None:
        for line in user_lines:
            bot.send(sender, line)

    def agent_side() -> None:
        for line in agent_lines:
            assert call(bot, tokens, "sara", "POST", f"{path}/reply", {"text": line})[0] == 200

    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(user_side), pool.submit(agent_side)]:
            done.result()
    events = bot.tracker(sender)["events"]
    users = [e["text"] for e in events if e["event"] == "user" and e["text"] in user_lines]
    agents = [e["text"] for e in events if e["event"] == "bot" and e["text"] in agent_lines]
    assert users == user_lines  # none lost, none twice, in the order sent
    assert agents == agent_lines
    assert call(bot, tokens, "sara", "POST", f"{path}/close")[0] == 200


def test_the_queue_shows_conversation_ids_masked_and_acts_by_handoff_id(bot, tokens):
    sender = f"966{uuid.uuid4().int % 10**9:09d}"  # shaped like a phone number
    assert "سيتولى" in bot.say(sender, "ابي اكلم موظف")
    for who in ("sara", "lina"):
        code, body = call(bot, tokens, who, "GET", "/api/handoffs")
        assert code == 200
        raw = json.dumps(body, ensure_ascii=False)
        assert sender not in raw and sender[:-2] not in raw
        assert all("conversation_id" not in h for h in body["handoffs"])
    entry = queued(bot, tokens, sender)
    assert entry["conversation"] == "rest:" + "*" * (len(sender) - 2) + sender[-2:]
    path = f"/api/handoffs/{entry['id']}"
    assert call(bot, tokens, "sara", "POST", f"{path}/take")[0] == 200
    assert call(bot, tokens, "sara", "POST", f"{path}/reply", {"text": "أهلاً"})[0] == 200
    assert bot.bot_texts(sender)[-1] == "أهلاً"
    assert call(bot, tokens, "sara", "POST", f"{path}/close")[0] == 200


def test_a_chat_is_reassigned_only_to_an_existing_active_agent(bot, sender, tokens):
    with bot.store.session() as session:
        exists = session.get(Agent, "former") is not None
    if not exists:
        add_agent(bot.store, "former", PASSWORD, "agent", clock.now())
    with bot.store.session() as session:
        session.execute(update(Agent).where(Agent.username == "former").values(active=False))
    bot.say(sender, "ابي اكلم موظف")
    handoff = queued(bot, tokens, sender)
    path = f"/api/handoffs/{handoff['id']}"
    before = audit_rows(bot, sender)
    for target in ("nobody-by-this-name", "former"):
        code, body = call(bot, tokens, "lina", "POST", f"{path}/reassign", {"to": target})
        assert code == 400 and "active agent" in body["error"]
    entry = queued(bot, tokens, sender)
    assert (entry["status"], entry["agent"]) == ("waiting", None)  # nothing changed
    assert audit_rows(bot, sender) == before
    assert call(bot, tokens, "lina", "POST", f"{path}/reassign", {"to": "omar"})[0] == 200
    assert call(bot, tokens, "omar", "POST", f"{path}/close")[0] == 200
