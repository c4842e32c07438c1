"""After filing, end to end over REST with the desk: staff status changes, notifications in
the conversation, missing documents, closing, the survey, timed rules, ownership."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import aiohttp
import pytest
import yaml
from sqlalchemy import select, update

from bot import clock
from bot.desk.dispatcher import Dispatcher
from bot.store.follow_up import run_timed_work
from bot.store.models import OutboxMessage, Report
from bot.store.surveys import answers_of
from tests.e2e.conftest import ROOT, running_bot
from tests.helpers.conversations import (
    ID,
    file_complaint,
    reports_of,
    start,
    status_of,
    wait_for_message,
)

pytestmark = pytest.mark.e2e


async def dispatch_once(bot, now: dt.datetime | None = None) -> int:
    """One pass of the desk's dispatcher, optionally at a controlled time."""
    async with aiohttp.ClientSession() as session:
        dispatcher = Dispatcher(
            bot.store, bot.rasa_url, bot.api_token, now=(lambda: now) if now else clock.now
        )
        return await dispatcher.run_once(session)


def test_the_whole_life_of_a_report(bot, sender):
    report = file_complaint(bot, sender, "LIFE-1")
    code, body = bot.staff("GET", f"/api/reports/{report.number}")
    assert code == 200
    assert body["type"] == "complaint" and body["status"] == "received"
    assert body["channel"] == "rest" and body["due_at"] == report.due_on.isoformat()

    code, _ = bot.staff("POST", f"/api/reports/{report.number}/status", {"status": "in_progress"})
    assert code == 200
    wait_for_message(bot, sender, "جارٍ العمل")

    note = "نرجو إرفاق صورة رسالة الجهة"
    assert (
        bot.staff(
            "POST", f"/api/reports/{report.number}/status", {"status": "missing_data", "note": note}
        )[0]
        == 200
    )
    texts = wait_for_message(bot, sender, note)
    assert any("48 ساعة" in t for t in texts)

    assert "أرفق المستندات" in bot.say(sender, "ابي ارسل المستندات الناقصة")
    # A link the citizen typed (files attached through a channel are tested in test_media).
    assert "أُعيد البلاغ" in bot.say(sender, "https://x.example/reply.png")
    assert status_of(bot, report.number) == "under_review"
    with bot.store.session() as session:
        stored = session.execute(select(Report).where(Report.number == report.number)).scalar_one()
        assert [d.kind for d in stored.documents] == ["update"]
        assert [h.status for h in stored.history] == [
            "received",
            "in_progress",
            "missing_data",
            "under_review",
        ]

    assert (
        bot.staff(
            "POST",
            f"/api/reports/{report.number}/status",
            {"status": "closed", "note": "تم حل المشكلة"},
        )[0]
        == 200
    )
    texts = wait_for_message(bot, sender, "راضٍ جداً")
    assert any("تم حل المشكلة" in t for t in texts)
    assert "المدة المستغرقة" in bot.say(sender, '/inform{"choice": "5"}')
    assert "تعامل" in bot.say(sender, "4")  # the time taken (asked since 0.14)
    assert answers_of(bot.store, report.number)["solution_score"] == 5  # partial kept
    assert "سهولة" in bot.say(sender, "٤")
    assert "مفيدة" in bot.say(sender, "3")
    assert "ملاحظة" in bot.say(sender, "/affirm")
    assert "شكراً لك على مشاركتك" in bot.say(sender, "الخدمة ممتازة وسريعة")
    assert answers_of(bot.store, report.number) == {
        "solution_score": 5,
        "time_score": 4,
        "handling_score": 4,
        "effort_score": 3,
        "useful": True,
        "comment": "الخدمة ممتازة وسريعة",
        "completed": True,
        "stopped": False,
    }


def test_staff_api_refuses_bad_requests(bot, sender):
    report = file_complaint(bot, sender, "API-1")
    path = f"/api/reports/{report.number}"
    assert bot.staff("GET", path, token="wrong")[0] == 401
    assert bot.staff("GET", "/api/reports/999999999")[0] == 404
    assert bot.staff("GET", "/api/reports/abc")[0] == 404
    assert bot.staff("POST", f"{path}/status", {"status": "done"})[0] == 400
    assert bot.staff("POST", f"{path}/status", {"status": "closed", "note": "x" * 3000})[0] == 400
    assert bot.staff("POST", f"{path}/status", {"status": "cancelled"})[0] == 200
    code, body = bot.staff("POST", f"{path}/status", {"status": "in_progress"})
    assert code == 409 and "cancelled" in body["error"]


def test_accepted_digitisation_is_notified_with_the_implementation_time(bot, sender):
    from tests.helpers.digitization import file_digitization

    file_digitization(bot, sender, national_id="1000000081")
    [report] = reports_of(bot, sender)
    assert (
        bot.staff(
            "POST",
            f"/api/reports/{report.number}/status",
            {"status": "accepted", "implementation_time": "خلال 6 أشهر"},
        )[0]
        == 200
    )
    wait_for_message(bot, sender, "خلال 6 أشهر")
    status = bot.say(sender, f"حالة البلاغ {report.number}")
    assert "مقبول" in status and "موعد التنفيذ المتوقع: خلال 6 أشهر" in status
    assert bot.staff("GET", f"/api/reports/{report.number}")[1]["implementation_time"] == (
        "خلال 6 أشهر"
    )


def test_the_life_of_a_report_refuses_what_the_guide_does_not_allow(bot, sender):
    report = file_complaint(bot, sender, "TABLE-1")
    path = f"/api/reports/{report.number}/status"
    code, body = bot.staff("POST", path, {"status": "rejected"})
    assert code == 409 and "reasons" in body["error"]  # a rejection gives its reasons
    code, body = bot.staff("POST", path, {"status": "accepted", "note": "نعم"})
    assert code == 409 and "implementation_time" in body["error"]
    assert status_of(bot, report.number) == "received"  # nothing changed
    reasons = {"status": "rejected", "note": "الخدمة خارج اختصاص الجهة"}
    assert bot.staff("POST", path, reasons)[0] == 200
    wait_for_message(bot, sender, "خارج اختصاص")
    # A settled report is not cancelled by its citizen either.
    bot.say(sender, f"ابي الغي البلاغ {report.number}")
    refused = bot.say(sender, "/affirm")
    assert "لا يمكن إلغاء البلاغ" in refused and "مرفوض" in refused
    assert status_of(bot, report.number) == "rejected"


def test_missing_data_not_completed_in_48_hours_cancels_the_report(bot, sender):
    report = file_complaint(bot, sender, "LATE-48")
    assert (
        bot.staff("POST", f"/api/reports/{report.number}/status", {"status": "missing_data"})[0]
        == 200
    )
    # The 48 hours start when the notice reached the conversation.
    assert bot.notices(report.number, "missing_data", settled=1) == {("conversation", "reached")}
    start = clock.now()
    run_timed_work(bot.store, start + dt.timedelta(hours=47), clock.today())
    assert status_of(bot, report.number) == "missing_data"
    later = start + dt.timedelta(hours=49)
    done = run_timed_work(bot.store, later, clock.local_date(later))
    assert report.number in done["auto_cancelled"]
    assert status_of(bot, report.number) == "cancelled"
    assert asyncio.run(dispatch_once(bot, now=later)) >= 1  # the desk, at that moment
    wait_for_message(bot, sender, "آلياً لعدم استكمال")


def test_a_delay_beyond_five_working_days_is_notified_once(bot, sender):
    report = file_complaint(bot, sender, "DELAY-5")
    after_due = report.due_on + dt.timedelta(days=1)
    assert report.number not in run_timed_work(bot.store, clock.now(), report.due_on)["delayed"]
    assert report.number in run_timed_work(bot.store, clock.now(), after_due)["delayed"]
    assert report.number not in run_timed_work(bot.store, clock.now(), after_due)["delayed"]
    texts = wait_for_message(bot, sender, "تأخر الرد")
    assert sum("تأخر الرد" in t for t in texts) == 1


def test_status_for_the_owner_a_stranger_and_a_wrong_number(bot, sender):
    report = file_complaint(bot, sender, "OWN-1")
    assert (
        bot.staff(
            "POST", f"/api/reports/{report.number}/status", {"status": "referred", "note": "أحيل"}
        )[0]
        == 200
    )
    mine = bot.say(sender, "وش صار على بلاغي؟")
    assert report.number in mine and "أُحيل إلى الجهة" in mine and "أحيل" in mine

    stranger = sender + "-stranger"
    asked = bot.say(stranger, f"ابي اعرف حالة البلاغ {report.number}")
    assert "أرسلنا رمزاً" in asked and "أُحيل" not in asked
    code = bot.code_for()  # went to the mobile the report was filed with
    wrong_code = "000000" if code != "000000" else "111111"
    refused = bot.say(stranger, wrong_code)
    assert "الرمز غير صحيح" in refused and "أُحيل" not in refused

    sent_before = len(Path(bot.otp_outbox).read_text().splitlines())
    wrong = sender + "-wrong"
    unknown = "259999999"
    told = bot.say(wrong, f"حالة البلاغ {unknown}")
    assert told.replace(unknown, report.number) == asked  # the same answer: nothing leaks
    assert bot.say(wrong, wrong_code).replace(unknown, report.number) == refused
    assert len(Path(bot.otp_outbox).read_text().splitlines()) == sent_before  # none sent

    owner_elsewhere = sender + "-owner"
    bot.say(owner_elsewhere, f"حالة البلاغ {report.number}")
    assert "أُحيل إلى الجهة" in bot.say(owner_elsewhere, f"الرمز {bot.code_for()}")
    # granted: the next question about it needs no code
    assert "أُحيل إلى الجهة" in bot.say(owner_elsewhere, f"حالة البلاغ {report.number}")


def test_an_identifier_typed_in_a_form_proves_nothing(bot, sender):
    report = file_complaint(bot, sender, "ID-TYPED-1")
    other = sender + "-same-id"
    start(bot, other)
    bot.say(other, "نورة سعد القحطاني")
    assert "جوالك" in bot.say(other, ID)  # the victim's ID, typed
    bot.say(other, "إلغاء")
    asked = bot.say(other, f"حالة البلاغ {report.number}")
    assert "أرسلنا رمزاً" in asked and "حالة البلاغ" not in asked


def test_failed_codes_are_limited_without_locking_the_owner_out(bot, sender):
    report = file_complaint(bot, sender, "GUESS-1")
    guesser = sender + "-guesser"
    bot.say(guesser, f"حالة البلاغ {report.number}")
    code = bot.code_for()
    wrong_code = "000000" if code != "000000" else "111111"
    for left in ("4 محاولات", "3 محاولات", "محاولتان", "محاولة واحدة"):
        assert left in bot.say(guesser, wrong_code)
    locked = bot.say(guesser, wrong_code)
    assert "5 مرات" in locked and "حالة البلاغ" not in locked
    # a new code at once is refused (one a minute), and the old one is dead
    again = bot.say(guesser, f"حالة البلاغ {report.number}")
    assert "بعد" in again and bot.code_for() == code
    assert "حالة البلاغ " + report.number not in bot.say(guesser, code)

    owner_elsewhere = sender + "-owner"  # the owner, from a new conversation
    assert "أرسلنا رمزاً" in bot.say(owner_elsewhere, f"حالة البلاغ {report.number}")
    assert report.number in bot.say(owner_elsewhere, bot.code_for())
    assert "موعد الرد" in bot.bot_texts(owner_elsewhere)[-1]


def test_cancellation_with_confirmation_keeps_the_history(bot, sender):
    report = file_complaint(bot, sender, "CXL-1")
    assert report.number in bot.say(sender, f"ابي الغي البلاغ {report.number}")
    assert "لم يُلغَ" in bot.say(sender, "/deny")
    assert status_of(bot, report.number) == "received"
    bot.say(sender, f"ابي الغي البلاغ {report.number}")
    assert "تم إلغاء البلاغ" in bot.say(sender, "/affirm")
    with bot.store.session() as session:
        stored = session.execute(select(Report).where(Report.number == report.number)).scalar_one()
        assert [h.status for h in stored.history] == ["received", "cancelled"]


def test_faq_answers_are_the_guides(bot, sender):
    responses = yaml.safe_load((ROOT / "domain" / "faq.yml").read_text(encoding="utf-8"))
    expected = responses["responses"]["utter_faq/missing_documents_deadline"][0]["text"]
    assert bot.say(sender, "كم مدة استكمال المستندات الناقصة؟") == expected


@pytest.fixture(scope="module")
def quiet_desk_bot(tmp_path_factory):
    """A Balagh whose desk does not dispatch: the test plays the restarted desk."""
    work = tmp_path_factory.mktemp("restart")
    with running_bot(
        work,
        f"sqlite:///{work / 'reports.db'}",
        f"sqlite:///{work / 'conversations.db'}",
        {"BALAGH_DESK_DISPATCHER": "off"},
    ) as running:
        yield running


def test_a_desk_restart_loses_nothing_and_sends_nothing_twice(quiet_desk_bot, sender):
    bot = quiet_desk_bot
    report = file_complaint(bot, sender, "RESTART-1")
    assert (
        bot.staff("POST", f"/api/reports/{report.number}/status", {"status": "in_progress"})[0]
        == 200
    )
    assert not any("جارٍ العمل" in t for t in bot.bot_texts(sender))  # queued, not sent

    assert asyncio.run(dispatch_once(bot)) == 1  # the desk after its restart
    assert sum("جارٍ العمل" in t for t in bot.bot_texts(sender)) == 1
    # A crash after delivery but before the bookkeeping: the row is delivered again...
    with bot.store.session() as session:
        session.execute(update(OutboxMessage).values(dispatched_at=None))
    assert asyncio.run(dispatch_once(bot)) == 1
    # ...and the user still sees it once.
    assert sum("جارٍ العمل" in t for t in bot.bot_texts(sender)) == 1
