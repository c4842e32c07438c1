"""Bad input gets a clear Arabic answer, never a crash or a silent loss."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def into_form(bot, sender: str) -> None:
    assert "ما اسمك الكامل" in bot.say(sender, "ابي اصعد شكوى")
    bot.say(sender, "نورة سعد")


def test_wrong_checksum_is_explained(bot, sender):
    into_form(bot, sender)
    assert "خانة التحقق" in bot.say(sender, "1000000007")


def test_future_and_impossible_dates_are_explained(bot, sender):
    into_form(bot, sender)
    bot.say(sender, "1000000008")
    bot.say(sender, "0551234567")
    bot.verify_mobile(sender)
    bot.say(sender, "3")
    bot.say(sender, "وزارة الصحة")
    bot.say(sender, "صحتي")
    bot.say(sender, "حجز موعد")
    bot.say(sender, "التطبيق")
    bot.say(sender, "INC-55")
    assert "في المستقبل" in bot.say(sender, "2099/01/01")
    assert "غير موجود في التقويم" in bot.say(sender, "31/02/2026")


def test_a_number_from_abroad_is_taken_and_a_landline_explained(bot, sender):
    into_form(bot, sender)
    bot.say(sender, "1000000008")
    assert "هاتف ثابت" in bot.say(sender, "+44 20 7946 0958")
    assert "رمز تحقق" in bot.say(sender, "+971 50 123 4567")  # a UAE mobile, confirmed
    assert "سبب التصعيد" in bot.verify_mobile(sender, "+971501234567")


def test_repeated_failures_offer_help(bot, sender):
    into_form(bot, sender)
    bot.say(sender, "123")
    bot.say(sender, "456")
    messages = bot.send(sender, "789")
    payloads = [b["payload"] for m in messages for b in m.get("buttons", [])]
    assert "/request_agent" in payloads and "/cancel_report" in payloads


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀"])
def test_empty_or_emoji_messages_get_an_answer(bot, sender, text):
    reply = bot.say(sender, text)
    assert reply.strip()


def test_emoji_in_a_form_field_is_explained(bot, sender):
    assert "ما اسمك" in bot.say(sender, "ابي اصعد شكوى")
    assert "بالحروف" in bot.say(sender, "😀😀😀")


def test_a_huge_message_is_answered(bot, sender):
    reply = bot.say(sender, "ش" * 20_000)
    assert reply.strip()


def test_a_huge_description_is_refused_with_the_limit(bot, sender):
    into_form(bot, sender)
    bot.say(sender, "1000000008")
    bot.say(sender, "0551234567")
    bot.verify_mobile(sender)
    bot.say(sender, "1")
    bot.say(sender, "وزارة الصحة")
    bot.say(sender, "صحتي")
    bot.say(sender, "حجز موعد")
    bot.say(sender, "التطبيق")
    bot.say(sender, "https://x.example/a.png")
    bot.say(sender, "عنوان")
    assert "3000" in bot.say(sender, "وصف " * 5000)


def test_parse_restores_the_users_own_text(bot):
    text = "أُرِيدُ تقديـــم شكوى"
    parsed = bot.parse(text)
    assert parsed["text"] == text
    assert parsed["intent"]["name"] == "file_complaint"
