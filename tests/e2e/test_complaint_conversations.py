"""Whole Arabic conversations over the REST channel, with the database checked."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import clock
from bot.rules.working_days import load_calendar
from tests.helpers.conversations import (
    ID,
    old_date,
    personal_data,
    reports_of,
    start,
    until_summary,
)

pytestmark = pytest.mark.e2e


def test_an_eligible_complaint_is_filed_and_stored(bot, sender):
    summary = until_summary(bot, sender)
    assert "راجع بيانات الشكوى" in summary
    assert "********08" in summary and ID not in summary
    messages = bot.send(sender, "/affirm")
    text = "\n".join(m["text"] for m in messages)
    assert "تم تقديم بلاغك" in text
    [report] = reports_of(bot, sender)
    assert report.number in text and report.number.isascii() and report.number.isdigit()
    expected_due = load_calendar().add_working_days(clock.today(), 5)
    assert report.due_on == expected_due
    assert expected_due.isoformat() in text
    assert report.status == "received"
    assert report.national_id == ID
    assert report.mobile == "+966551234567"
    assert report.trigger == "no_sla"
    assert report.request_channel == "app"
    assert report.entity == "وزارة الصحة"
    assert report.channel == "rest"
    assert [h.status for h in report.history] == ["received"]


def test_the_same_complaint_cannot_be_escalated_twice(bot, sender):
    until_summary(bot, sender, reference="DUP-5521")
    assert "تم تقديم بلاغك" in bot.say(sender, "/affirm")
    [first] = reports_of(bot, sender)
    other = sender + "-again"
    start(bot, other)
    personal_data(bot, other)
    bot.say(other, '/inform{"choice": "no_sla"}')
    bot.say(other, "وزاره الصحه")
    bot.say(other, "صحتي")
    bot.say(other, "حجز موعد")
    bot.say(other, "التطبيق")
    reply = bot.say(other, "dup 5521")
    assert "سبق تصعيد هذه الشكوى" in reply and first.number in reply
    assert reports_of(bot, other) == []


def test_too_early_without_sla_is_refused_with_the_date_to_come_back(bot, sender):
    start(bot, sender)
    personal_data(bot, sender)
    bot.say(sender, "3")
    bot.say(sender, "هيئة الزكاة والضريبة والجمارك")
    bot.say(sender, "زاتكا")
    bot.say(sender, "الإقرار الضريبي")
    bot.say(sender, "الموقع الإلكتروني")
    bot.say(sender, "ZT-4410")
    reply = bot.say(sender, "أمس")
    # more than 5 working days: the sixth after the complaint is the first allowed day
    earliest = load_calendar().add_working_days(clock.today() - dt.timedelta(days=1), 6)
    assert "5 أيام عمل" in reply and earliest.isoformat() in reply
    assert "لم يُحفظ أي بلاغ" in reply
    assert reports_of(bot, sender) == []


def test_sla_not_passed_is_refused(bot, sender):
    start(bot, sender)
    personal_data(bot, sender)
    assert "كم يوم عمل" in bot.say(sender, '/inform{"choice": "sla_passed"}')
    bot.say(sender, "٥ أيام")
    bot.say(sender, "وزارة التعليم")
    bot.say(sender, "مدرستي")
    bot.say(sender, "نقل طالب")
    bot.say(sender, "1")
    bot.say(sender, "ED-77")
    reply = bot.say(sender, "اليوم")
    assert "لم تتجاوز الجهة مدة الرد" in reply
    assert reports_of(bot, sender) == []


def test_a_paper_service_is_refused_with_a_digitisation_offer(bot, sender):
    start(bot, sender)
    personal_data(bot, sender)
    bot.say(sender, "لدي رقم شكوى ولم تحدد مدة")
    bot.say(sender, "وزارة العدل")
    bot.say(sender, "ناجز")
    bot.say(sender, "توثيق عقد")
    messages = bot.send(sender, '/inform{"choice": "paper"}')
    assert "خدمة ورقية" in messages[0]["text"]
    assert messages[0]["buttons"][0]["payload"] == "/request_digitization"
    assert reports_of(bot, sender) == []


def test_a_closed_complaint_about_procedures_is_refused(bot, sender):
    start(bot, sender)
    personal_data(bot, sender)
    bot.say(sender, "4")
    bot.say(sender, "وزارة الموارد البشرية")
    bot.say(sender, "قوى")
    bot.say(sender, "نقل خدمات")
    bot.say(sender, "التطبيق")
    bot.say(sender, "HR-99812")
    assert "تقنية أم عن إجراءات" in bot.say(sender, old_date())
    reply = bot.say(sender, "إجراءات الجهة")
    assert "التواصل مع الجهة" in reply
    assert reports_of(bot, sender) == []


def test_technical_failure_needs_a_screenshot_not_a_reference(bot, sender):
    start(bot, sender)
    personal_data(bot, sender)
    bot.say(sender, "1")
    bot.say(sender, "وزارة الداخلية")
    bot.say(sender, "أبشر")
    bot.say(sender, "تجديد الهوية")
    assert "صورة من المشكلة" in bot.say(sender, "الموقع")
    assert "صورة المشكلة التقنية مطلوبة" in bot.say(sender, "ما عندي صورة")
    assert "عنواناً" in bot.say(sender, "https://files.example/shot.png")
    bot.say(sender, "تعطل الموقع")
    bot.say(sender, "تظهر رسالة خطأ عند تقديم الشكوى في أبشر.")
    summary = bot.say(sender, "تخطي")
    assert "صورة المشكلة: مرفقة" in summary
    assert "رقم الشكوى السابقة" not in summary
    assert "تم تقديم بلاغك" in bot.say(sender, "تأكيد")
    [report] = reports_of(bot, sender)
    assert report.prior_number is None
    assert [(d.kind, d.content_type) for d in report.documents] == [("screenshot", "image/png")]


def test_a_field_can_be_corrected_at_the_summary(bot, sender):
    until_summary(bot, sender, reference="FIX-1001")
    fields = bot.send(sender, '/inform{"choice": "edit"}')
    assert any(b["title"] == "الجوال" for b in fields[0]["buttons"])
    assert "جوالك" in bot.say(sender, '/inform{"choice": "mobile"}')
    assert "رمز تحقق" in bot.say(sender, "0509876543")  # a new mobile is confirmed too
    summary = bot.verify_mobile(sender, "+966509876543")
    assert "راجع بيانات الشكوى" in summary and "+**********43" in summary
    assert "تم تقديم بلاغك" in bot.say(sender, "/affirm")
    [report] = reports_of(bot, sender)
    assert report.mobile == "+966509876543"


def test_the_dialogue_can_be_cancelled_midway_and_nothing_is_stored(bot, sender):
    start(bot, sender)
    bot.say(sender, "نورة سعد")
    reply = bot.say(sender, "إلغاء")
    assert "تم إلغاء تقديم البلاغ" in reply
    assert reports_of(bot, sender) == []
    assert bot.tracker(sender)["active_loop"] in ({}, None) or not bot.tracker(sender)[
        "active_loop"
    ].get("name")


def test_a_question_midway_keeps_the_answers_given(bot, sender):
    start(bot, sender)
    bot.say(sender, "نورة سعد")
    answer = bot.say(sender, "هل يمكن تصعيد شكوى على خدمة ورقية؟")
    assert "طلب تحول" in answer
    assert "رقم الهوية" in answer  # the form asks its question again
    assert bot.tracker(sender)["slots"]["beneficiary_name"] == "نورة سعد"
    assert "جوالك" in bot.say(sender, ID)


def test_the_mobile_is_confirmed_with_a_code_before_anything_is_filed(bot, sender):
    start(bot, sender)
    bot.say(sender, "نورة سعد القحطاني")
    bot.say(sender, ID)
    sent = bot.say(sender, "0551234567")
    assert "رمز تحقق من 6 أرقام" in sent and "+**********67" in sent  # masked
    code = bot.code_for()
    wrong = "000000" if code != "000000" else "111111"
    assert "الرمز غير صحيح، بقيت لك 4 محاولات" in bot.say(sender, wrong)
    assert "لم أجد الرمز" in bot.say(sender, "وين الرمز")
    assert "بعد" in bot.say(sender, "ما وصلني الرمز")  # a new one waits a minute
    assert bot.code_for() == code
    assert "جوالك" in bot.say(sender, '/inform{"choice": "change_mobile"}')
    assert "رمز تحقق" in bot.say(sender, "0509876543")
    assert "سبب التصعيد" in bot.verify_mobile(sender, "+966509876543")
    assert reports_of(bot, sender) == []
    slots = bot.tracker(sender)["slots"]
    assert slots["mobile"] == "+966509876543" and slots["mobile_verified"] == "+966509876543"
