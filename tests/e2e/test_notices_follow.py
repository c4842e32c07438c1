"""Notices follow the citizen, end to end (issue 20): a citizen files in the web chat and
leaves; the missing-data notice reaches them by SMS through the real `twilio` client and
the local fake Twilio API; the link in it opens their conversation again; the document
they send there puts the report back to review with its answer date moved by the time the
centre waited. And an SMS user's «إيقاف» / «تشغيل»."""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.request
import uuid

import pytest
from sqlalchemy import select, update

from bot import clock
from bot.rules.dates import format_date_ar
from bot.rules.working_days import load_calendar
from bot.store.channel_state import has_opted_out
from bot.store.follow_up import find_report
from bot.store.models import OutboxMessage, Report, StatusChange
from tests.e2e.conftest import running_bot
from tests.helpers.reports import SYSTEM_DOWN_ANSWERS
from tests.helpers.twilio import (
    SMS_FROM,
    new_user,
    post,
    replies_to,
    twilio_env,
)
from tests.helpers.webchat import WebChat

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bot(tmp_path_factory, twilio):
    work = tmp_path_factory.mktemp("notices")
    env = twilio_env(twilio)
    with running_bot(
        work, f"sqlite:///{work / 'reports.db'}", f"sqlite:///{work / 'conv.db'}", env
    ) as running:
        yield running


def file_in_the_web_chat(bot, chat: WebChat, mobile: str) -> tuple[str, str]:
    """A complaint filed in the widget's channel; (its number, the last reply)."""
    chat.say("ابي اصعد شكوى")
    for message in ["فهد العتيبي", "1000000008", "0" + mobile.removeprefix("+966")]:
        chat.say(message)
    chat.say(bot.code_for(mobile))
    for message in SYSTEM_DOWN_ANSWERS:
        chat.say(message)
    assert "راجع بيانات الشكوى" in chat.say("تخطي")
    reply = chat.say("/affirm")
    return re.search(r"رقم البلاغ: (\d{9})", reply).group(1), reply


def test_a_citizen_who_left_the_web_chat_is_reached_by_sms_and_comes_back(bot, twilio):
    mobile = new_user("+9665")
    chat = WebChat(bot.rasa_url)
    number, confirmation = file_in_the_web_chat(bot, chat, mobile)
    assert "أين تصلك تحديثات البلاغ" in confirmation
    assert re.search(rf"{re.escape(bot.desk_url)}/s/[A-Za-z0-9_-]+", confirmation)
    chat.close()  # the citizen closed the tab

    status, _ = bot.staff(
        "POST", f"/api/reports/{number}/status", {"status": "missing_data", "note": "صورة الهوية"}
    )
    assert status == 200
    (sms,) = [m for m in twilio.wait_for_text(mobile, number) if number in m["Body"]]
    assert sms["From"] == SMS_FROM
    link = re.search(rf"{re.escape(bot.desk_url)}/c/[A-Za-z0-9_-]+", sms["Body"]).group(0)
    fates = bot.notices(number, "missing_data", settled=2)
    assert fates == {("conversation", "not_reached"), ("sms", "reached")}
    assert bot.staff("GET", f"/api/reports/{number}")[1]["attention"] is None

    # The centre waited three working days before the citizen answered.
    calendar = load_calendar()
    entered = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=7)
    with bot.store.session() as session:
        report_id = session.execute(select(Report.id).where(Report.number == number)).scalar_one()
        session.execute(
            update(StatusChange)
            .where(StatusChange.report_id == report_id, StatusChange.status == "missing_data")
            .values(created_at=entered)
        )
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.report_id == report_id)
            .values(created_at=entered, reached_at=entered)
        )
    before = find_report(bot.store, number).due_on

    with urllib.request.urlopen(link, timeout=10) as page:  # the link opens the widget on it
        token = html.unescape(re.search(r'data-session="([^"]+)"', page.read().decode()).group(1))
    back = WebChat(bot.rasa_url, token)
    assert back.token == token  # the same conversation, not a new one
    reply = back.say("تفضل صورة الهوية https://x.example/id.png")
    back.close()
    after = find_report(bot.store, number)
    assert after.status == "under_review"
    waited = calendar.working_days_between(clock.local_date(entered), clock.today())
    assert waited >= 3 and after.due_on == calendar.add_working_days(before, waited)
    assert number in reply and format_date_ar(after.due_on) in reply


def test_sms_stop_and_start_in_arabic_are_recorded_and_answered(bot, twilio):
    user = new_user("+9665")

    def send(text: str) -> int:
        params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": user, "To": SMS_FROM, "Body": text}
        return post(bot, "sms", params)

    assert send("إيقاف") == 200
    [stopped] = replies_to(twilio, user, 1)
    assert "أوقفنا" in stopped["Body"] and "تشغيل" in stopped["Body"]
    assert has_opted_out(bot.store, user)
    assert send("تشغيل") == 200
    started = replies_to(twilio, user, 2)[-1]
    assert "أعدنا" in started["Body"]
    assert not has_opted_out(bot.store, user)
    # Neither keyword reached the bot: its greeting menu never came.
    assert send("هلا") == 200
    replies = replies_to(twilio, user, 3)
    assert sum("1) تقديم شكوى" in r["Body"] for r in replies) == 1
