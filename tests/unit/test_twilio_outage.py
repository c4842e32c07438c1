"""Twilio away for a while (issue 22, item 2): the replies wait, in order, and go out once
each when it returns; a message that waited longer than the window is recorded as failed;
the messages of a replica that stopped meanwhile are taken over by another, once.
The real `twilio` client against the local fake Twilio API."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from sqlalchemy import select, update

from bot import clock
from bot.store.database import utc
from bot.store.models import OutboundMessage
from channels.twilio_channel import ADOPT_AFTER, TwilioConfig, TwilioSender
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


# A replica that stops while Twilio is away: its queue is in memory, the rows are not.


def left_waiting(fake: FakeTwilio, store, tmp_path: Path, bodies: list[str]) -> None:
    """A replica queues `bodies` while Twilio is down, then stops (its tasks cancelled): the
    rows stay `retrying`/`queued`, nothing was sent."""
    fake.set_down(True)
    stopped = sender_for(fake, store, tmp_path, window=60)

    async def scenario() -> None:
        for body in bodies:
            await stopped.send(USER, body)
        while not any(status == "retrying" for status, _ in rows(store)):
            await asyncio.sleep(0)  # let the worker try once
        for worker in stopped._workers.values():
            worker.cancel()
        await asyncio.gather(*stopped._workers.values(), return_exceptions=True)

    asyncio.run(scenario())
    fake.set_down(False)


def later(seconds: float) -> dt.datetime:
    return clock.now() + dt.timedelta(seconds=seconds)


def test_another_replica_sends_what_a_stopped_one_left_once_and_in_order(sqlite_store, tmp_path):
    fake = FakeTwilio()
    fake.start()
    left_waiting(fake, sqlite_store, tmp_path, ["أولاً", "ثانياً", "ثالثاً"])
    assert fake.sent() == [] and {s for s, _ in rows(sqlite_store)} <= {"queued", "retrying"}
    first, second = (sender_for(fake, sqlite_store, tmp_path, 60) for _ in range(2))

    async def scenario() -> tuple[int, int, int]:
        too_soon = await first.adopt_orphans(now=later(ADOPT_AFTER / 2))
        taken = await first.adopt_orphans(now=later(ADOPT_AFTER + 1))
        raced = await second.adopt_orphans(now=later(ADOPT_AFTER + 1))
        await first.idle()
        return too_soon, taken, raced

    assert asyncio.run(scenario()) == (0, 3, 0)
    assert [m["Body"] for m in fake.sent()] == ["أولاً", "ثانياً", "ثالثاً"]
    assert [status for status, _ in rows(sqlite_store)] == ["sent"] * 3


def test_a_living_replica_keeps_its_waiting_messages(sqlite_store, tmp_path):
    fake = FakeTwilio()
    fake.start()
    fake.set_down(True)
    living = sender_for(fake, sqlite_store, tmp_path, window=60)
    other = sender_for(fake, sqlite_store, tmp_path, window=60)
    an_hour_ago = clock.now() - dt.timedelta(hours=1)

    def touched_since(moment: dt.datetime) -> bool:
        with sqlite_store.session() as session:
            found = session.execute(select(OutboundMessage.updated_at)).scalars()
            return all(utc(value) > moment for value in found)

    async def scenario() -> int:
        await living.send(USER, "أولاً")
        await living.send(USER, "ثانياً")  # waits behind the first, untouched by its own
        while not any(status == "retrying" for status, _ in rows(sqlite_store)):
            await asyncio.sleep(0)
        with sqlite_store.session() as session:  # both look abandoned for an hour...
            session.execute(update(OutboundMessage).values(updated_at=an_hour_ago))
        while not touched_since(an_hour_ago):  # ...until the next retry touches them
            await asyncio.sleep(0.005)
        taken = await other.adopt_orphans()
        fake.set_down(False)
        await living.idle()
        return taken

    assert asyncio.run(scenario()) == 0
    assert [m["Body"] for m in fake.sent()] == ["أولاً", "ثانياً"]


def test_an_orphaned_template_is_recorded_failed_with_the_reason(sqlite_store, tmp_path):
    fake = FakeTwilio()
    fake.start()
    with sqlite_store.session() as session:
        session.add(
            OutboundMessage(
                channel="sms",
                recipient=USER,
                body=None,
                template_sid="HX123",
                status="queued",
                attempts=0,
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    sender = sender_for(fake, sqlite_store, tmp_path, window=60)
    assert asyncio.run(sender.adopt_orphans(now=later(ADOPT_AFTER + 1))) == 0
    with sqlite_store.session() as session:
        row = session.execute(select(OutboundMessage)).scalar_one()
        assert (row.status, row.error) == ("failed", "replica stopped; template not kept")
    assert fake.sent() == []
