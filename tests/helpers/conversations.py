"""Conversations over the REST channel shared by the end-to-end and security tests."""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import select

from bot import clock
from bot.store.models import Report
from channels.rest import conversation_id

ID = "1000000008"


def reports_of(bot, sender: str) -> list[Report]:
    """Reports filed by a REST sender, or by a full conversation id (`web:…`)."""
    stored = sender if ":" in sender else conversation_id(sender)
    with bot.store.session() as session:
        query = select(Report).where(Report.conversation_id == stored)
        return list(session.execute(query).scalars())


def start(bot, sender: str) -> str:
    reply = bot.say(sender, "ابي اقدم شكوى على جهة حكومية")
    assert "ما اسمك الكامل" in reply
    return reply


def personal_data(bot, sender: str) -> None:
    assert "رقم الهوية" in bot.say(sender, "نورة سعد القحطاني")
    assert "جوالك" in bot.say(sender, ID)
    assert "رمز تحقق" in bot.say(sender, "٠٥٥١٢٣٤٥٦٧")
    assert "سبب التصعيد" in bot.verify_mobile(sender)


def old_date() -> str:
    return (clock.today() - dt.timedelta(days=40)).strftime("%Y/%m/%d")


def until_summary(bot, sender: str, reference: str = "INC-2026-7781") -> str:
    start(bot, sender)
    personal_data(bot, sender)
    assert "الجهة الحكومية" in bot.say(sender, '/inform{"choice": "no_sla"}')
    assert "المنصة" in bot.say(sender, "وزارة الصحة")
    assert "اسم الخدمة" in bot.say(sender, "صحتي")
    assert "أي قناة" in bot.say(sender, "حجز موعد")
    assert "الرقم المرجعي" in bot.say(sender, "2")
    assert "متى قدّمت" in bot.say(sender, reference)
    assert "عنواناً" in bot.say(sender, old_date())
    assert "صف المشكلة" in bot.say(sender, "لم يصلني رد على شكواي")
    assert "المستندات" in bot.say(sender, "حجزت موعداً وأُلغي دون سبب، وقدمت شكوى ولم يرد أحد.")
    return bot.say(sender, "تخطي")


def file_complaint(bot, sender: str, reference: str) -> Report:
    until_summary(bot, sender, reference=reference)
    assert "تم تقديم بلاغك" in bot.say(sender, "/affirm")
    [report] = reports_of(bot, sender)
    return report


def wait_for_message(bot, sender: str, fragment: str, timeout: float = 30) -> list[str]:
    """Poll the conversation until a bot message contains `fragment` (pushed by the desk)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        texts = bot.bot_texts(sender)
        if any(fragment in t for t in texts):
            return texts
        time.sleep(0.2)
    raise AssertionError(f"no bot message with {fragment!r}; got {bot.bot_texts(sender)[-3:]}")


def status_of(bot, number: str) -> str:
    return bot.staff("GET", f"/api/reports/{number}")[1]["status"]
