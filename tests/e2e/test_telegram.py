"""Agents on Telegram: the real python-telegram-bot client against a local fake Bot API,
by long polling and by webhook."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import clock
from bot.store.agents import add_agent
from bot.store.database import Store
from bot.store.handoffs import open_handoff_of
from channels.rest import conversation_id
from tests.e2e.conftest import running_bot
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e

CHAT = -1001
AGENT_TELEGRAM_ID = 5551
STRANGER_ID = 9999
WEBHOOK_URL = "https://balagh.example.test/telegram/webhook"
WEBHOOK_SECRET = "test-webhook-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def telegram():
    fake = FakeTelegram()
    fake.start()
    return fake


@contextlib.contextmanager
def _telegram_bot(work: Path, telegram: FakeTelegram, **extra_env: str) -> Iterator[tuple]:
    """`balagh run` with Telegram on, and its reports store with the agent fahad."""
    env = {
        "BALAGH_TELEGRAM_TOKEN": telegram.token,
        "BALAGH_TELEGRAM_CHAT_ID": str(CHAT),
        "BALAGH_TELEGRAM_API": telegram.base_url,
        "BALAGH_TELEGRAM_INTERVAL": "0.2",
        **extra_env,
    }
    with running_bot(
        work, f"sqlite:///{work / 'reports.db'}", f"sqlite:///{work / 'conv.db'}", env
    ) as bot:
        store = Store(bot.database_url)
        add_agent(
            store,
            "fahad",
            "correct horse battery",
            "agent",
            clock.now(),
            telegram_user_id=str(AGENT_TELEGRAM_ID),
        )
        yield bot, store
        store.dispose()


@pytest.fixture(scope="module")
def tg_bot(tmp_path_factory, telegram):
    with _telegram_bot(tmp_path_factory.mktemp("telegram"), telegram) as running:
        yield running


def _escalated(tg_bot, store: Store, telegram: FakeTelegram):  # type: ignore[no-untyped-def]
    """A user asks for a person; the hand-off is announced in the agents' chat."""
    user = f"user-{uuid.uuid4().hex[:8]}"
    tg_bot.say(user, "ابي اصعد شكوى")
    tg_bot.say(user, "نورة سعد")
    assert "سيتولى" in tg_bot.say(user, "ابي اكلم موظف")
    handoff = open_handoff_of(store, conversation_id(user))
    announcement = telegram.wait(
        lambda t: next((m for m in t.sent if f"#{handoff.id}" in str(m.get("text"))), None)
    )
    assert str(announcement["chat_id"]) == str(CHAT) and "نورة سعد" in announcement["text"]
    assert f"take:{handoff.id}" in str(announcement.get("reply_markup"))
    return user, handoff


def test_announce_take_reply_hand_back_and_refuse_strangers(tg_bot, telegram):
    tg_bot, store = tg_bot
    user, handoff = _escalated(tg_bot, store, telegram)

    telegram.press(STRANGER_ID, f"take:{handoff.id}", CHAT)
    telegram.wait(lambda t: any("غير مصرح" in str(a.get("text")) for a in t.answers))
    assert open_handoff_of(store, conversation_id(user)).status == "waiting"

    telegram.press(AGENT_TELEGRAM_ID, f"take:{handoff.id}", CHAT)
    telegram.wait(lambda t: any("استلمت" in str(a.get("text")) for a in t.answers))
    assert open_handoff_of(store, conversation_id(user)).agent == "fahad"

    telegram.write(AGENT_TELEGRAM_ID, f"/reply {handoff.id} أهلاً، معك فهد من المركز", CHAT)
    telegram.wait(lambda t: any("أُرسل الرد" in str(m.get("text")) for m in t.sent))
    assert tg_bot.bot_texts(user)[-1] == "أهلاً، معك فهد من المركز"

    telegram.write(STRANGER_ID, f"/close {handoff.id}", CHAT)
    telegram.wait(lambda t: any("غير مصرح لك" in str(m.get("text")) for m in t.sent))

    telegram.write(AGENT_TELEGRAM_ID, f"/handback {handoff.id}", CHAT)
    telegram.wait(lambda t: any("أُعيدت المحادثة" in str(m.get("text")) for m in t.sent))
    assert "رقم الهوية" in tg_bot.bot_texts(user)[-1]  # the form asks again
    assert "جوالك" in tg_bot.say(user, "1000000008")


def test_webhook_mode_takes_telegram_updates_and_refuses_forged_ones(tmp_path_factory):
    telegram = FakeTelegram()
    telegram.start()
    bot_env = {
        "BALAGH_TELEGRAM_WEBHOOK_URL": WEBHOOK_URL,
        "BALAGH_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    work = tmp_path_factory.mktemp("telegram-webhook")
    with _telegram_bot(work, telegram, **bot_env) as (bot, store):
        # the desk registers the public URL and its secret; no getUpdates while it is set
        webhook = telegram.wait(lambda t: t.webhook)
        assert webhook["url"] == WEBHOOK_URL and webhook["secret_token"] == WEBHOOK_SECRET
        telegram.deliver_to = f"{bot.desk_url}/telegram/webhook"  # what the edge does
        user, handoff = _escalated(bot, store, telegram)

        telegram.press(AGENT_TELEGRAM_ID, f"take:{handoff.id}", CHAT)
        telegram.wait(lambda t: any("استلمت" in str(a.get("text")) for a in t.answers))
        assert open_handoff_of(store, conversation_id(user)).agent == "fahad"

        # an update in the agent's name without the secret, or with another, changes nothing
        forged = telegram.message_update(AGENT_TELEGRAM_ID, f"/close {handoff.id}", CHAT)
        assert telegram.push(forged, None) == 403
        assert telegram.push(forged, "x" * len(WEBHOOK_SECRET)) == 403

        telegram.write(AGENT_TELEGRAM_ID, f"/reply {handoff.id} معك فهد", CHAT)
        telegram.wait(lambda t: any("أُرسل الرد" in str(m.get("text")) for m in t.sent))
        assert bot.bot_texts(user)[-1] == "معك فهد"
        assert open_handoff_of(store, conversation_id(user)).status == "active"

        telegram.write(STRANGER_ID, "مرحبا", CHAT)
        telegram.wait(lambda t: any("غير مصرح لك" in str(m.get("text")) for m in t.sent))

        telegram.write(AGENT_TELEGRAM_ID, f"/close {handoff.id}", CHAT)
        telegram.wait(lambda t: any("أُنهيت" in str(m.get("text")) for m in t.sent))
        assert open_handoff_of(store, conversation_id(user)) is None
        assert {status for status, _ in telegram.deliveries} == {200}
