"""Twilio away for a while (issue 22, item 2): the replies wait, in order, and go out once
each when it returns; a message that waited longer than the window is recorded as failed.
The real `twilio` client against the local fake Twilio API."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from bot.store.models import OutboundMessage
from channels.twilio_channel import TwilioConfig, TwilioSender
from tests.fakes.twilio_api import FakeTwilio

USER = "+966551230001"


def sender_for(fake: FakeTwilio, store, tmp_path: Path, window: float) -> TwilioSender:
    config = TwilioConfig(
        fake.account_sid,
        fake.auth_token,
        "+15005550006",
        "https://balagh.example.sa",
        api_base=fake.base_url,
        media_dir=tmp_path,
        retry_delay=0.01,
        retry_window=window,
    )
    return TwilioSender(config, "sms", store)


def send_all(sender: TwilioSender, bodies: list[str]) -> None:
    async def scenario() -> None:
        for body in bodies:
            await sender.send(USER, body)
        await sender.idle()

    asyncio.run(scenario())


def rows(store) -> list[tuple[str, int]]:
    with store.session() as session:
        found = session.execute(select(OutboundMessage).order_by(OutboundMessage.id)).scalars()
        return [(row.status, row.attempts) for row in found]


def test_an_outage_delays_the_replies_in_order_and_sends_each_once(sqlite_store, tmp_path):
    fake = FakeTwilio()
    fake.start()
    fake.fail_next(6, status=503, code=20503)  # Twilio away for six tries
    send_all(sender_for(fake, sqlite_store, tmp_path, window=60), ["أولاً", "ثانياً", "ثالثاً"])
    assert [m["Body"] for m in fake.sent()] == ["أولاً", "ثانياً", "ثالثاً"]
    assert rows(sqlite_store) == [("sent", 7), ("sent", 1), ("sent", 1)]


def test_a_reply_that_waited_past_the_window_is_recorded_as_failed(sqlite_store, tmp_path):
    fake = FakeTwilio()
    fake.start()
    fake.fail_next(1000, status=500, code=20500)
    send_all(sender_for(fake, sqlite_store, tmp_path, window=0.1), ["لن تصل"])
    assert fake.sent() == []
    [(status, attempts)] = rows(sqlite_store)
    assert status == "failed" and attempts >= 2
