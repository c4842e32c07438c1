"""Honest waiting times (issue 21, item 6): the expected wait from the queue, the agents
signed in and their recent handling time; above an hour (or with nobody signed in) the
citizen is told so plainly and offered to leave a message or a call-back on the verified
mobile, which the hand-off carries masked for the agent."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import clock
from bot.actions import services
from bot.actions.handoff import ActionHandoff
from bot.rules.labels import summary_view
from bot.rules.waiting import expected_wait_minutes, is_long, wait_in_arabic
from bot.store.agents import add_agent, sign_in
from bot.store.handoffs import end, open_handoff, open_handoff_of, queue_load, take

PASSWORD = "correct horse battery"


@pytest.mark.parametrize(
    ("ahead", "agents", "handling", "minutes"),
    [
        (0, 1, None, 8),  # nobody ahead, the default handling time
        (3, 1, 10.0, 40),  # three chats ahead of one agent
        (3, 2, 10.0, 20),  # shared by two agents
        (20, 2, 12.0, 132),  # more than an hour
        (0, 0, 10.0, None),  # nobody signed in: the wait cannot be told
    ],
)
def test_the_expected_wait_comes_from_the_queue_and_the_agents(ahead, agents, handling, minutes):
    assert expected_wait_minutes(ahead, agents, handling) == minutes


@pytest.mark.parametrize(
    ("minutes", "said"),
    [
        (1, "دقيقة واحدة"),
        (2, "دقيقتين"),
        (8, "8 دقائق"),
        (45, "45 دقيقة"),
        (60, "60 دقيقة"),
        (132, "ساعتين"),
        (180, "3 ساعات"),
        (11 * 60, "11 ساعة"),
    ],
)
def test_the_wait_is_said_with_its_noun_in_agreement(minutes, said):
    assert wait_in_arabic(minutes) == said


def test_more_than_an_hour_or_unknown_is_long():
    assert not is_long(60) and is_long(61) and is_long(None)


@pytest.fixture
def store(sqlite_store, monkeypatch):
    monkeypatch.setattr(services, "store", lambda: sqlite_store)
    monkeypatch.setenv("BALAGH_AGENT_HOURS", "always")
    return sqlite_store


def test_the_queue_load_counts_the_waiting_the_signed_in_and_the_recent_handling(store):
    now = clock.now()
    for name in ("sara", "omar", "away"):
        add_agent(store, name, PASSWORD, "agent", now)
    sign_in(store, "sara", PASSWORD, now)
    sign_in(store, "omar", PASSWORD, now)
    for index in range(3):
        open_handoff(store, f"rest:w{index}", "rest", "asked", {}, now)
    done = open_handoff(store, "rest:done", "rest", "asked", {}, now - dt.timedelta(minutes=30))
    take(store, done.id, "sara", now - dt.timedelta(minutes=20))
    end(store, done.id, "sara", "closed", now - dt.timedelta(minutes=8))
    waiting, on_shift, handling = queue_load(store, now)
    assert (waiting, on_shift) == (3, 2)
    assert handling == pytest.approx(12.0)


def handoff_of(sender: str, channel: str, slots: dict[str, Any] | None = None):
    tracker = Tracker(
        sender,
        slots or {},
        {"intent": {"name": "request_agent"}, "text": "ابي موظف", "entities": []},
        [{"event": "user", "text": "ابي موظف", "input_channel": channel}],
        False,
        None,
        {},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandoff().run(dispatcher, tracker, {}))
    return [m.get("response") for m in dispatcher.messages], dispatcher.messages


def test_with_an_agent_free_the_wait_is_told_in_minutes(store):
    now = clock.now()
    add_agent(store, "sara", PASSWORD, "agent", now)
    sign_in(store, "sara", PASSWORD, now)
    responses, messages = handoff_of("rest:short", "rest")
    assert responses == ["utter_handoff_waiting"] and messages[0]["wait"] == "8 دقائق"


def test_nobody_signed_in_is_said_plainly_and_a_call_back_offered_on_whatsapp(store):
    sender = "whatsapp:+966551234567"
    responses, messages = handoff_of(sender, "whatsapp")
    assert responses == ["utter_handoff_nobody_on_shift", "utter_handoff_callback_offer"]
    assert messages[1]["mobile"].endswith("67") and "1234" not in messages[1]["mobile"]
    handoff = open_handoff_of(store, sender)
    assert handoff is not None and handoff.summary["callback_mobile"] == messages[1]["mobile"]
    assert "1234" not in handoff.summary["callback_mobile"]  # masked for the agent


def test_a_long_queue_without_a_verified_mobile_offers_to_leave_a_message(store):
    now = clock.now()
    add_agent(store, "sara", PASSWORD, "agent", now)
    sign_in(store, "sara", PASSWORD, now)
    for index in range(9):  # nine ahead of one agent: 80 minutes
        open_handoff(store, f"rest:q{index}", "rest", "asked", {}, now)
    responses, messages = handoff_of("rest:long", "rest")
    assert responses == ["utter_handoff_long_wait", "utter_handoff_leave_message"]
    assert messages[0]["wait"] == "ساعة واحدة"
    assert "callback_mobile" not in open_handoff_of(store, "rest:long").summary


def test_the_agent_sees_the_call_back_mobile_masked_in_arabic():
    view = summary_view({"wanted": "asked", "slots": {}, "callback_mobile": "05******67"})
    assert {"field": "يمكن الاتصال به على", "value": "05******67"} in view["answers"]


@pytest.mark.parametrize(
    ("conversation", "number"),
    [
        ("whatsapp:+966551234567", "+966551234567"),
        ("+966551234567", "+966551234567"),  # SMS
        ("web:" + "a" * 32, None),
        ("rest:+966551234567", None),
    ],
)
def test_the_audited_reveal_gives_the_number_of_a_whatsapp_or_sms_chat(conversation, number):
    from channels.handoff_bridge import _channel_number

    assert _channel_number(conversation) == number
