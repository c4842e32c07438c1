"""Every kind of beneficiary files (issue 19, item 1): a visitor from abroad with a passport
and a foreign mobile, an establishment with its unified number, a non-profit."""

from __future__ import annotations

import pytest

from tests.helpers.conversations import old_date, reports_of

pytestmark = pytest.mark.e2e

SUGGESTION = "إضافة تنبيه قبل انتهاء الجواز بشهر"


def test_a_visitor_from_abroad_files_with_a_passport_and_a_foreign_mobile(bot, sender):
    assert "ما اسمك الكامل" in bot.say(sender, "ابي اقدم شكوى على جهة حكومية")
    asked = bot.send(sender, "John Smith")[0]
    assert "زائر" in [b["title"] for b in asked["buttons"]]  # for those without an ID
    assert "جنسيتك" in bot.say(sender, "ما عندي هوية، جوازي رقمه C0123456")
    assert "جوالك" in bot.say(sender, "بريطاني")
    assert "رمز تحقق" in bot.say(sender, "+44 7911 123456")
    assert "سبب التصعيد" in bot.verify_mobile(sender, "+447911123456")
    assert "الجهة الحكومية" in bot.say(sender, '/inform{"choice": "no_sla"}')
    assert "المنصة" in bot.say(sender, "وزارة الداخلية")
    assert "اسم الخدمة" in bot.say(sender, "أبشر")
    assert "أي قناة" in bot.say(sender, "تأشيرة الزيارة")
    assert "الرقم المرجعي" in bot.say(sender, "الموقع")
    assert "متى قدّمت" in bot.say(sender, "VIS-2026-118")
    assert "عنواناً" in bot.say(sender, old_date())
    assert "صف المشكلة" in bot.say(sender, "لم يصلني رد على طلب التأشيرة")
    assert "المستندات" in bot.say(sender, "قدمت شكوى على التأشيرة ولم يرد أحد منذ أسابيع.")
    summary = bot.say(sender, "تخطي")
    assert "صفة المستفيد: زائر" in summary and "الجنسية: بريطاني" in summary
    assert "C0123456" not in summary  # masked like every identifier
    assert "تم تقديم بلاغك" in bot.say(sender, "/affirm")
    [report] = reports_of(bot, sender)
    assert (report.beneficiary_kind, report.national_id) == ("visitor", "C0123456")
    assert (report.nationality, report.mobile) == ("بريطاني", "+447911123456")


def test_an_establishment_files_with_its_unified_number(bot, sender):
    assert "ما اسمك الكامل" in bot.say(sender, "عندي اقتراح لتطوير خدمة رقمية")
    bot.say(sender, "سارة عبدالله الشهري")
    assert "الرقم الوطني الموحد" in bot.say(sender, '/inform{"choice": "business"}')
    assert "اسم المنشأة" in bot.say(sender, "الرقم الموحد 7001234567")
    assert "جوالك" in bot.say(sender, "شركة النخبة للتقنية")
    bot.say(sender, "0551234567")
    bot.verify_mobile(sender)
    for answer in ("تجديد الجواز", "ابشر", "التطبيق"):
        bot.say(sender, answer)
    summary = bot.say(sender, SUGGESTION)
    assert "صفة المستفيد: منشأة تجارية" in summary
    assert "اسم الجهة المستفيدة: شركة النخبة للتقنية" in summary
    assert "تم تقديم بلاغك" in bot.say(sender, "تأكيد")
    [report] = reports_of(bot, sender)
    assert (report.beneficiary_kind, report.national_id) == ("business", "7001234567")
    assert report.organisation_name == "شركة النخبة للتقنية"
    assert report.beneficiary_name == "سارة عبدالله الشهري"  # the contact person


def test_a_non_profit_says_who_it_is_and_is_asked_its_licence(bot, sender):
    bot.say(sender, "عندي اقتراح لتطوير خدمة رقمية")
    bot.say(sender, "خالد المطيري")
    assert "ترخيص" in bot.say(sender, "احنا جمعية خيرية")
    assert "لم أجد رقم الجهة" in bot.say(sender, "ما ادري")
    assert "ما اسم الجهة" in bot.say(sender, "ترخيص رقم 1234")
    assert "جوالك" in bot.say(sender, "جمعية البر الخيرية")
    slots = bot.tracker(sender)["slots"]
    assert (slots["beneficiary_kind"], slots["national_id"]) == ("nonprofit", "1234")
