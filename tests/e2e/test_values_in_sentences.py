"""Form answers typed as sentences, true error messages, and «ما عندي رقم شكوى», over the
REST channel with the database checked."""

from __future__ import annotations

import pytest

from bot.rules.identity import with_check_digit
from tests.helpers.conversations import old_date, reports_of, start

pytestmark = pytest.mark.e2e

ID = with_check_digit("104512345")  # 1045123450
SYSTEM_DOWN = '/inform{"choice": "technical_failure"}'


def until_reference_question(bot, sender: str) -> None:
    start(bot, sender)
    assert "رقم الهوية" in bot.say(sender, "نورة سعد القحطاني")
    assert "جوالك" in bot.say(sender, "رقم هويتي ١٠٤٥-١٢٣-٤٥٠ لو سمحت")
    assert "رمز تحقق" in bot.say(sender, "جوالي ٠٥٥ ١٢٣ ٤٥٦٧")
    assert "سبب التصعيد" in bot.verify_mobile(sender)
    assert "الجهة الحكومية" in bot.say(sender, '/inform{"choice": "no_sla"}')
    assert "المنصة" in bot.say(sender, "وزارة الصحة")
    assert "اسم الخدمة" in bot.say(sender, "صحتي")
    assert "أي قناة" in bot.say(sender, "حجز موعد")
    assert "الرقم المرجعي" in bot.say(sender, "التطبيق")


def test_values_typed_in_sentences_are_kept_and_filed(bot, sender):
    start(bot, sender)
    assert "رقم الهوية" in bot.say(sender, "نورة سعد القحطاني")
    # a true error first: nine digits typed, and said so
    assert "كتبت 9 أرقام" in bot.say(sender, "رقم هويتي ١٠٤٥١٢٣٤٥ لو سمحت")
    assert "جوالك" in bot.say(sender, "رقم هويتي ١٠٤٥-١٢٣-٤٥٠ لو سمحت")
    assert "هاتف ثابت" in bot.say(sender, "011 234 5678")
    assert "رمز تحقق" in bot.say(sender, "جوالي ٠٥٥ ١٢٣ ٤٥٦٧ لو سمحت")
    code = bot.code_for("+966551234567")
    assert "سبب التصعيد" in bot.say(sender, f"الرمز اللي وصلني {code[:3]} {code[3:]} تفضل")
    assert "الجهة الحكومية" in bot.say(sender, '/inform{"choice": "no_sla"}')
    assert "المنصة" in bot.say(sender, "وزارة الصحة")
    assert "اسم الخدمة" in bot.say(sender, "صحتي")
    assert "أي قناة" in bot.say(sender, "حجز موعد")
    assert "الرقم المرجعي" in bot.say(sender, "التطبيق")
    # (a reference of its own: the same one with the same entity is refused as escalated)
    assert "متى قدّمت" in bot.say(sender, "رقم الشكوى عندهم SEN-2026-9913 تقريبا")
    assert "عنواناً" in bot.say(sender, f"قدمتها في {old_date()} الصبح")
    assert "صف المشكلة" in bot.say(sender, "لم يصلني رد على شكواي")
    assert "المستندات" in bot.say(sender, "حجزت موعداً وأُلغي دون سبب، وقدمت شكوى ولم يرد أحد.")
    assert "راجع بيانات الشكوى" in bot.say(sender, "تخطي")
    assert "تم تقديم بلاغك" in bot.say(sender, "/affirm")
    [report] = reports_of(bot, sender)
    assert report.national_id == ID
    assert report.mobile == "+966551234567"
    assert report.prior_number == "SEN-2026-9913"
    assert report.trigger == "no_sla"


def test_no_reference_number_offers_the_system_down_route(bot, sender):
    until_reference_question(bot, sender)
    messages = bot.send(sender, "ما عندي رقم شكوى")
    text = "\n".join(m.get("text", "") for m in messages)
    assert "تقديمها لدى الجهة" in text and "تعطل نظام الجهة" in text
    assert "يتكون من 3 إلى 40" not in text  # not refused as a malformed reference
    payloads = [b["payload"] for m in messages for b in m.get("buttons", [])]
    assert payloads == [SYSTEM_DOWN, "/cancel_report", "/request_agent"]
    reply = bot.say(sender, SYSTEM_DOWN)
    assert "تعطل نظام الجهة" in reply and "أرفق صورة" in reply
    assert "عنواناً" in bot.say(sender, "https://x.example/error.png")
    assert "صف المشكلة" in bot.say(sender, "الموقع لا يقبل الشكوى")
    assert "المستندات" in bot.say(sender, "حاولت تقديم الشكوى في صحتي وظهر خطأ في كل مرة.")
    assert "راجع بيانات الشكوى" in bot.say(sender, "تخطي")
    assert "تم تقديم بلاغك" in bot.say(sender, "/affirm")
    [report] = reports_of(bot, sender)
    assert report.trigger == "technical_failure"
    assert report.prior_number is None


def test_no_reference_number_then_stop(bot, sender):
    until_reference_question(bot, sender)
    bot.say(sender, "I don't have a reference number")
    assert "تم إلغاء تقديم البلاغ" in bot.say(sender, "/cancel_report")
    assert reports_of(bot, sender) == []
