"""Agents on Telegram: the real python-telegram-bot client against a local fake Bot API."""

from __future__ import annotations

import uuid

import pytest

from bot import clock
from bot.store.agents import add_agent
from bot.store.handoffs import open_handoff_of
from channels.rest import conversation_id
from tests.e2e.conftest import running_bot
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e

CHAT = -1001
AGENT_TELEGRAM_ID = 5551
STRANGER_ID = 9999


@pytest.fixture(scope="module")
def telegram():
    fake = FakeTelegram()
    fake.start()
    return fake


@pytest.fixture(scope="module")
def tg_bot(tmp_path_factory, telegram):
    work = tmp_path_factory.mktemp("telegram")
    env = {
        "BALAGH_TELEGRAM_TOKEN": telegram.token,
        "BALAGH_TELEGRAM_CHAT_ID": str(CHAT),
        "BALAGH_TELEGRAM_API": telegram.base_url,
        "BALAGH_TELEGRAM_INTERVAL": "0.2",
    }
    with running_bot(
        work, f"sqlite:///{work / 'reports.db'}", f"sqlite:///{work / 'conv.db'}", env
    ) as bot:
        add_agent(
            bot.database_url,
            "fahad",
            "correct horse battery",
            "agent",
            clock.now(),
            telegram_user_id=str(AGENT_TELEGRAM_ID),
        )
        yield bot


def test_announce_take_reply_hand_back_and_refuse_strangers(tg_bot, telegram):
    user = f"user-{uuid.uuid4().hex[:8]}"
    tg_bot.say(user, "ابي اصعد شكوى")
    tg_bot.say(user, "نورة سعد")
    assert "سيتولى" in tg_bot.say(user, "ابي اكلم موظف")
    handoff = open_handoff_of(tg_bot.database_url, conversation_id(user))
    announcement = telegram.wait(
        lambda t: next((m for m in t.sent if f"#{handoff.id}" in str(m.get("text"))), None)
    )
    assert str(announcement["chat_id"]) == str(CHAT) and "نورة سعد" in announcement["text"]
    assert f"take:{handoff.id}" in str(announcement.get("reply_markup"))

    telegram.press(STRANGER_ID, f"take:{handoff.id}", CHAT)
    telegram.wait(lambda t: any("غير مصرح" in str(a.get("text")) for a in t.answers))
    assert open_handoff_of(tg_bot.database_url, conversation_id(user)).status == "waiting"

    telegram.press(AGENT_TELEGRAM_ID, f"take:{handoff.id}", CHAT)
    telegram.wait(lambda t: any("استلمت" in str(a.get("text")) for a in t.answers))
    assert open_handoff_of(tg_bot.database_url, conversation_id(user)).agent == "fahad"

    telegram.write(AGENT_TELEGRAM_ID, f"/reply {handoff.id} أهلاً، معك فهد من المركز", CHAT)
    telegram.wait(lambda t: any("أُرسل الرد" in str(m.get("text")) for m in t.sent))
    assert tg_bot.bot_texts(user)[-1] == "أهلاً، معك فهد من المركز"

    telegram.write(STRANGER_ID, f"/close {handoff.id}", CHAT)
    telegram.wait(lambda t: any("غير مصرح لك" in str(m.get("text")) for m in t.sent))

    telegram.write(AGENT_TELEGRAM_ID, f"/handback {handoff.id}", CHAT)
    telegram.wait(lambda t: any("أُعيدت المحادثة" in str(m.get("text")) for m in t.sent))
    assert "رقم الهوية" in tg_bot.bot_texts(user)[-1]  # the form asks again
    assert "جوالك" in tg_bot.say(user, "1000000008")
