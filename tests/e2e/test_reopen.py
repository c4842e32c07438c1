"""Reopening a closed report, end to end (issue 20, item 4): the citizen asks in the
conversation with a reason; staff accept or refuse through the staff API (refused without
the token, 409 with nothing waiting); the decision reaches the conversation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from bot.store.models import Report, StatusChange
from tests.helpers.conversations import file_complaint, status_of, wait_for_message

pytestmark = pytest.mark.e2e


def close(bot, number: str) -> None:
    body = {"status": "closed", "note": "تمت معالجة المشكلة"}
    assert bot.staff("POST", f"/api/reports/{number}/status", body)[0] == 200


def test_a_closed_report_is_reopened_on_request_when_staff_accept(bot, sender):
    report = file_complaint(bot, sender, "RPN-1001")
    path = f"/api/reports/{report.number}/reopen"
    assert bot.staff("POST", path, {"decision": "accept"})[0] == 409  # nothing asked yet
    close(bot, report.number)
    wait_for_message(bot, sender, "أُغلق بلاغك")
    bot.say(sender, "/cancel_report")  # stops the survey: not what this test is about
    asked = bot.say(sender, f"قفلوا البلاغ {report.number} والمشكلة ما انحلت ابي يفتحونه من جديد")
    assert "سبب طلب إعادة فتح" in asked
    done = bot.say(sender, "الخدمة لسه ما تشتغل بعد الإغلاق")
    assert "استلمنا طلب إعادة فتح البلاغ" in done and report.number in done
    _, seen = bot.staff("GET", f"/api/reports/{report.number}")
    assert seen["reopen_request"]["reason"] == "الخدمة لسه ما تشتغل بعد الإغلاق"
    assert seen["reopen_request"]["decision"] is None

    # Without the staff token: refused, and the request still waits.
    assert bot.staff("POST", path, {"decision": "accept"}, token="wrong")[0] == 401
    assert bot.staff("POST", path, {"decision": "maybe"})[0] == 400
    assert bot.staff("POST", path, {"decision": "refuse"})[0] == 409  # no reasons
    assert status_of(bot, report.number) == "closed"
    assert (
        bot.staff("GET", f"/api/reports/{report.number}")[1]["reopen_request"]["decision"] is None
    )

    code, decided = bot.staff("POST", path, {"decision": "accept", "actor": "sara"})
    assert code == 200 and decided["decision"] == "accept"
    assert status_of(bot, report.number) == "under_review"
    wait_for_message(bot, sender, "قُبل طلب إعادة فتح بلاغك")


def test_a_refusal_reaches_the_citizen_with_its_reasons(bot, sender):
    report = file_complaint(bot, sender, "RPN-2002")
    close(bot, report.number)
    wait_for_message(bot, sender, "أُغلق بلاغك")
    bot.say(sender, "/cancel_report")
    bot.say(sender, f"ابي اعيد فتح البلاغ {report.number}")
    bot.say(sender, "ما وصلني أي حل")
    body = {"decision": "refuse", "note": "تحققنا من تنفيذ الخدمة مع الجهة"}
    assert bot.staff("POST", f"/api/reports/{report.number}/reopen", body)[0] == 200
    wait_for_message(bot, sender, "لم يُقبل طلب إعادة فتح بلاغك")
    assert status_of(bot, report.number) == "closed"


def test_after_30_days_the_citizen_is_told_why_and_offered_a_new_report(bot, sender):
    report = file_complaint(bot, sender, "RPN-3003")
    close(bot, report.number)
    wait_for_message(bot, sender, "أُغلق بلاغك")
    bot.say(sender, "/cancel_report")
    with bot.store.session() as session:
        report_id = session.execute(
            select(Report.id).where(Report.number == report.number)
        ).scalar_one()
        session.execute(
            update(StatusChange)
            .where(StatusChange.report_id == report_id, StatusChange.status == "closed")
            .values(created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=45))
        )
    bot.say(sender, f"ابي اعيد فتح البلاغ {report.number}")
    answer = bot.say(sender, "المشكلة رجعت")
    assert "أكثر من 30 يوماً" in answer and "بلاغ جديد" in answer
    assert bot.staff("GET", f"/api/reports/{report.number}")[1]["reopen_request"] is None


def test_asking_why_a_report_was_rejected_gives_its_reasons(bot, sender):
    report = file_complaint(bot, sender, "RJW-4004")
    reasons = {"status": "rejected", "note": "البلاغ خارج نطاق الخدمات الرقمية"}
    assert bot.staff("POST", f"/api/reports/{report.number}/status", reasons)[0] == 200
    wait_for_message(bot, sender, "خارج نطاق")
    bot.say(sender, "تمام")  # the notice was acknowledged: nothing frames the question now
    answer = bot.say(sender, "ليش انرفض بلاغي؟")
    assert "البلاغ خارج نطاق الخدمات الرقمية" in answer and report.number in answer
