"""Hand-off to a person over REST: queue, take (one winner), reply, silence while held,
hand back (the form resumes), close."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.e2e


def queued(bot, sender: str) -> dict:
    code, body = bot.staff("GET", "/api/handoffs")
    assert code == 200
    return next(h for h in body["handoffs"] if h["conversation_id"] == sender)


def test_an_agent_takes_replies_and_hands_back(bot, sender):
    assert "ما اسمك الكامل" in bot.say(sender, "ابي اصعد شكوى")
    bot.say(sender, "نورة سعد")
    assert "سيتولى أحد موظفي مركز آمر" in bot.say(sender, "ابي اكلم موظف")
    handoff = queued(bot, sender)
    assert handoff["status"] == "waiting" and handoff["reason"] == "asked"
    assert handoff["summary"]["wanted"] == "الشكوى"
    assert handoff["summary"]["slots"]["beneficiary_name"] == "نورة سعد"

    path = f"/api/handoffs/{handoff['id']}"
    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = list(
            pool.map(lambda a: bot.staff("POST", f"{path}/take", {"agent": a})[0], ["sara", "omar"])
        )
    assert sorted(codes) == [200, 409]
    holder = "sara" if codes[0] == 200 else "omar"
    other = "omar" if holder == "sara" else "sara"

    assert bot.staff("POST", f"{path}/reply", {"agent": other, "text": "x"})[0] == 409
    code, _ = bot.staff(
        "POST", f"{path}/reply", {"agent": holder, "text": "مرحباً، أنا موظف المركز"}
    )
    assert code == 200
    assert bot.bot_texts(sender)[-1] == "مرحباً، أنا موظف المركز"

    assert bot.send(sender, "رقم هويتي لا يقبل في الموقع") == []  # the bot stays silent
    code, transcript = bot.staff("GET", f"{path}/transcript")
    assert transcript["paused"] is True
    assert transcript["messages"][-1] == {"from": "user", "text": "رقم هويتي لا يقبل في الموقع"}
    assert {"from": "agent", "text": "مرحباً، أنا موظف المركز"} in transcript["messages"]

    assert bot.staff("POST", f"{path}/hand-back", {"agent": holder})[0] == 200
    texts = bot.bot_texts(sender)
    assert "عاد المساعد الآلي" in texts[-2] and "رقم الهوية" in texts[-1]  # the form resumes
    assert "جوالك" in bot.say(sender, "1000000008")


def test_closing_tells_the_user(bot, sender):
    bot.say(sender, "ابي اكلم موظف")
    handoff = queued(bot, sender)
    path = f"/api/handoffs/{handoff['id']}"
    bot.staff("POST", f"{path}/take", {"agent": "huda"})
    assert bot.staff("POST", f"{path}/close", {"agent": "huda"})[0] == 200
    assert "أنهى الموظف المحادثة" in bot.bot_texts(sender)[-1]
    assert "أهلاً بك" in bot.say(sender, "السلام عليكم")  # the bot answers again
    assert bot.staff("POST", f"{path}/close", {"agent": "huda"})[0] == 409


def test_not_understood_twice_hands_over(bot, sender):
    first = bot.say(sender, "")
    assert "لم أفهم" in first
    second = bot.say(sender, "")
    assert "سيتولى أحد موظفي مركز آمر" in second
    assert queued(bot, sender)["reason"] == "not_understood"


def test_a_disputed_decision_goes_to_a_person(bot, sender):
    assert "سيتولى" in bot.say(sender, '/request_agent{"choice": "dispute"}')
    assert queued(bot, sender)["reason"] == "dispute"
