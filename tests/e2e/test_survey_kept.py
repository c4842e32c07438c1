"""The survey is never lost (issue 20, item 5), end to end over REST with the desk: a
closing notice during a form leaves the survey waiting until the form ends (stopped, or
filed and the notices' way chosen); one reminder 24 hours later reopens an unanswered
survey where it stopped; the time taken is asked; after an agent hands back or closes a
chat, the citizen rates the agent's help, stored with the hand-off."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import urllib.parse
import urllib.request
import uuid

import aiohttp
import pytest
from sqlalchemy import select

from bot import clock
from bot.desk.dispatcher import Dispatcher
from bot.store.agents import add_agent
from bot.store.follow_up import run_timed_work
from bot.store.handoffs import open_handoff_of
from bot.store.models import Agent, Handoff
from bot.store.reports import file_report
from bot.store.surveys import answers_of
from channels.rest import conversation_id
from tests.helpers.conversations import reports_of, start, until_summary, wait_for_message
from tests.helpers.reports import complaint

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"
LATER = "بعد إكمال طلبك الحالي"  # the survey waits for the form
WAITED = "ويهمنا رأيك"  # the survey that waited starts
FIRST = "الحل المقدم من الجهة"
TIME = "المدة المستغرقة"
RATE_AGENT = "كيف تقيّم مساعدة"


async def dispatch_once(bot, now: dt.datetime) -> int:
    """One pass of the desk's dispatcher at a controlled time."""
    async with aiohttp.ClientSession() as session:
        dispatcher = Dispatcher(bot.store, bot.rasa_url, bot.api_token, now=lambda: now)
        return await dispatcher.run_once(session)


def new_session(bot, sender: str) -> None:
    """What an hour of silence does (a new session: open forms close, slots carry over)."""
    conversation = urllib.parse.quote(conversation_id(sender), safe=":+")
    request = urllib.request.Request(
        f"{bot.api}/conversations/{conversation}/execute?token={bot.api_token}",
        data=json.dumps({"name": "action_session_start"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200


def filed(bot, sender: str) -> str:
    """A complaint of this conversation, filed straight into the store; its number."""
    report = dataclasses.replace(
        complaint(f"KEPT-{uuid.uuid4().hex[:8]}"), conversation_id=conversation_id(sender)
    )
    return file_report(bot.store, report, clock.now(), clock.today() + dt.timedelta(days=7)).number


def close(bot, number: str) -> None:
    body = {"status": "closed", "note": "تم حل المشكلة"}
    assert bot.staff("POST", f"/api/reports/{number}/status", body)[0] == 200


def test_a_survey_closed_during_a_form_starts_when_the_form_is_stopped(bot, sender):
    number = filed(bot, sender)
    start(bot, sender)
    close(bot, number)
    texts = wait_for_message(bot, sender, LATER)
    assert "ما اسمك الكامل" in texts[-1]  # the form asks its question again
    assert not any(FIRST in t for t in texts)  # no survey over the form
    assert "رقم الهوية" in bot.say(sender, "نورة سعد القحطاني")  # the form goes on
    stopped = bot.say(sender, "إلغاء")
    assert "تم إلغاء تقديم البلاغ" in stopped
    assert WAITED in stopped and number in stopped and FIRST in stopped
    assert TIME in bot.say(sender, "4")  # the time taken is the second question
    assert "تعامل" in bot.say(sender, "٢")
    answers = answers_of(bot.store, number)
    assert (answers["solution_score"], answers["time_score"]) == (4, 2)


def test_a_survey_closed_during_a_form_starts_once_the_report_is_filed(bot, sender):
    number = filed(bot, sender)
    until_summary(bot, sender, reference=f"KEPT-{uuid.uuid4().hex[:6]}")
    close(bot, number)
    wait_for_message(bot, sender, LATER)
    told = bot.say(sender, "/affirm")
    # Filed, then asked where the notices go: that question is answered first.
    assert "تم تقديم بلاغك" in told and "أين تصلك" in told and FIRST not in told
    [new] = [r for r in reports_of(bot, sender) if r.number != number]
    chosen = bot.say(sender, "هنا فقط")
    assert new.number in chosen and WAITED in chosen and FIRST in chosen
    assert TIME in bot.say(sender, "ممتاز")
    assert answers_of(bot.store, number)["solution_score"] == 5


def test_one_reminder_reopens_an_unanswered_survey_where_it_stopped(bot, sender):
    number = filed(bot, sender)
    close(bot, number)
    wait_for_message(bot, sender, FIRST)
    assert TIME in bot.say(sender, "3")
    new_session(bot, sender)  # the citizen left: an hour of silence closed the form
    later = clock.now() + dt.timedelta(hours=23)
    assert (
        number not in run_timed_work(bot.store, later, clock.local_date(later))["survey_reminders"]
    )
    later = clock.now() + dt.timedelta(hours=25)
    assert number in run_timed_work(bot.store, later, clock.local_date(later))["survey_reminders"]
    assert asyncio.run(dispatch_once(bot, now=later)) >= 1
    texts = wait_for_message(bot, sender, "تذكير: لم يكتمل استبيان")
    assert TIME in texts[-1]  # where it stopped: the first answer is kept
    assert "تعامل" in bot.say(sender, "2")
    answers = answers_of(bot.store, number)
    assert (answers["solution_score"], answers["time_score"]) == (3, 2)
    # Never twice.
    again = clock.now() + dt.timedelta(hours=50)
    assert (
        number not in run_timed_work(bot.store, again, clock.local_date(again))["survey_reminders"]
    )


# --- the agent's help ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def agent_token(bot) -> str:
    with bot.store.session() as session:
        exists = session.get(Agent, "rania") is not None
    if not exists:
        add_agent(bot.store, "rania", PASSWORD, "agent", clock.now())
    code, body = bot.staff("POST", "/api/agents/login", {"username": "rania", "password": PASSWORD})
    assert code == 200
    return body["token"]


def held(bot, token: str, sender: str) -> str:
    """The sender's hand-off, taken by the agent; its path in the agents' API."""
    handoff = open_handoff_of(bot.store, conversation_id(sender))
    assert handoff is not None
    path = f"/api/handoffs/{handoff.id}"
    assert bot.staff("POST", f"{path}/take", token=token)[0] == 200
    return path


def rating_of(bot, sender: str) -> int | None:
    with bot.store.session() as session:
        return session.execute(
            select(Handoff.agent_rating)
            .where(Handoff.conversation_id == conversation_id(sender))
            .order_by(Handoff.id.desc())
            .limit(1)
        ).scalar_one()


def test_after_a_hand_back_the_citizen_rates_the_agents_help(bot, sender, agent_token):
    assert "سيتولى" in bot.say(sender, "ابي اكلم موظف")
    path = held(bot, agent_token, sender)
    assert bot.staff("POST", f"{path}/hand-back", token=agent_token)[0] == 200
    last = bot.bot_texts(sender)[-1]
    assert "عاد المساعد الآلي" in last and RATE_AGENT in last
    assert "شكراً لتقييمك" in bot.say(sender, "ممتاز")
    assert rating_of(bot, sender) == 5
    assert "لا يوجد استبيان مفتوح" in bot.say(sender, "3")  # rated once: no longer asked


def test_after_a_close_the_rating_is_optional(bot, sender, agent_token):
    assert "سيتولى" in bot.say(sender, "ابي اكلم موظف")
    path = held(bot, agent_token, sender)
    assert bot.staff("POST", f"{path}/close", token=agent_token)[0] == 200
    last = bot.bot_texts(sender)[-1]
    assert "أنهى الموظف المحادثة" in last and RATE_AGENT in last
    # Ignored: the citizen asks for something else, which is answered as usual.
    assert "ما اسمك الكامل" in bot.say(sender, "ابي اقدم شكوى على جهة حكومية")
    assert rating_of(bot, sender) is None


def test_a_hand_back_in_a_form_asks_about_the_agent_when_the_form_ends(bot, sender, agent_token):
    start(bot, sender)
    assert "سيتولى" in bot.say(sender, "ابي اكلم موظف")
    path = held(bot, agent_token, sender)
    assert bot.staff("POST", f"{path}/hand-back", token=agent_token)[0] == 200
    texts = bot.bot_texts(sender)
    assert "عاد المساعد الآلي" in texts[-2] and "ما اسمك الكامل" in texts[-1]
    assert not any(RATE_AGENT in t for t in texts[-2:])  # the form is not interrupted
    stopped = bot.say(sender, "إلغاء")
    assert "تم إلغاء تقديم البلاغ" in stopped and RATE_AGENT in stopped
    assert "شكراً لتقييمك" in bot.say(sender, "٤")
    assert rating_of(bot, sender) == 4
