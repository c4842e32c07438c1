"""Every conversation event, published to RabbitMQ from the tracker store (run by the desk).

Rasa's own event broker publishes from inside the Rasa server, as each message is
handled: it was a fifth of the server's CPU per message (one AMQP publish and confirm per
event), and an event is lost if RabbitMQ is unreachable for longer than the broker's
memory, or if the server dies between storing and publishing. Here the events are
published from where they are already stored (a transactional outbox): the desk reads the
`events` table in `id` order and publishes each row as Rasa's broker would (same exchange,
queue and JSON body), with publisher confirms, then records how far it got in
`balagh_event_relay`. Nothing stored is lost; after a crash the last unconfirmed batch may
be published again (at least once, in order per conversation).

Two replicas can commit their inserts out of `id` order, so a missing `id` is waited for
(`gap_wait` seconds) before the relay moves past it (an insert that was rolled back leaves
a hole for good). With several desks, a PostgreSQL advisory lock lets one relay at a time.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.server_config import EVENT_QUEUE

logger = logging.getLogger(__name__)

RABBITMQ_EXCHANGE = "rasa-exchange"  # Rasa's pika broker's exchange (a unit test checks)
POSITION_TABLE = "balagh_event_relay"
ADVISORY_LOCK = 74_521_001  # pg_try_advisory_lock key of the relay
CREATE_POSITION = (
    f"CREATE TABLE IF NOT EXISTS {POSITION_TABLE} (name VARCHAR(64) PRIMARY KEY, last_id BIGINT)"
)


def amqp_body(sender_id: str, data: str) -> bytes:
    """The message Rasa's pika broker sends for a stored event: the event's JSON with
    the conversation's `sender_id` first."""
    return json.dumps({"sender_id": sender_id, **json.loads(data)}).encode("utf-8")


@dataclass
class Pending:
    """Stored events ready to publish, and how far the position may then move."""

    rows: list[tuple[int, str, str]]
    last_id: int


# What `_try_lock` gives where there is no lock to take (SQLite: one desk only).
NO_LOCK_NEEDED = object()


@dataclass
class EventRelay:
    """Publishes the `events` table of `tracker_store_url` to RabbitMQ at `amqp_url`."""

    tracker_store_url: str
    amqp_url: str
    queue: str = EVENT_QUEUE
    name: str = "events"  # the relay's row in POSITION_TABLE
    batch: int = 500
    gap_wait: float = 5.0
    interval: float = 0.2  # seconds between looks at the table when nothing was new
    start: str = "first"  # or "latest": skip what was stored before the first run
    _engine: Engine | None = None
    _gaps: dict[int, float] = field(default_factory=dict)  # missing id -> first seen
    _events_table_seen: bool = False

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = sa.create_engine(self.tracker_store_url, pool_pre_ping=True)
        return self._engine

    def position(self) -> int:
        """How far the events are published (created on the first run)."""
        with self.engine.begin() as connection:
            connection.execute(sa.text(CREATE_POSITION))
            found = connection.execute(
                sa.text(f"SELECT last_id FROM {POSITION_TABLE} WHERE name = :name"),
                {"name": self.name},
            ).scalar()
            if found is not None:
                return int(found)
            start = 0
            if self.start == "latest" and sa.inspect(connection).has_table("events"):
                start = connection.execute(sa.text("SELECT max(id) FROM events")).scalar() or 0
            connection.execute(
                sa.text(f"INSERT INTO {POSITION_TABLE} (name, last_id) VALUES (:name, :id)"),
                {"name": self.name, "id": start},
            )
            return start

    def advance(self, last_id: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                sa.text(f"UPDATE {POSITION_TABLE} SET last_id = :id WHERE name = :name"),
                {"name": self.name, "id": last_id},
            )

    def pending(self, after: int, now: float | None = None) -> Pending:
        """The stored events after `after` that can be published in order: up to the
        first missing id still within `gap_wait` of when it was first seen missing."""
        now = time.monotonic() if now is None else now
        with self.engine.connect() as connection:
            if not self._events_table_seen:
                if not sa.inspect(connection).has_table("events"):
                    return Pending([], after)  # Rasa has not created it yet
                self._events_table_seen = True
            rows = connection.execute(
                sa.text(
                    "SELECT id, sender_id, data FROM events WHERE id > :after"
                    " ORDER BY id LIMIT :batch"
                ),
                {"after": after, "batch": self.batch},
            ).all()
        ready: list[tuple[int, str, str]] = []
        expected = after + 1
        for event_id, sender_id, data in rows:
            if event_id != expected:
                first_seen = self._gaps.setdefault(expected, now)
                if now - first_seen < self.gap_wait:
                    break  # an insert with a lower id may still be committing
                logger.info("events %d..%d never appeared; moving on", expected, event_id - 1)
            ready.append((event_id, sender_id, data))
            expected = event_id + 1
        last = ready[-1][0] if ready else after
        self._gaps = {gap: seen for gap, seen in self._gaps.items() if gap > last}
        return Pending(ready, last)

    async def _exchange(self, connection: Any) -> Any:
        """Rasa's broker's exchange and queue, declared as Rasa declares them."""
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(
            RABBITMQ_EXCHANGE, type=aio_pika.ExchangeType.FANOUT
        )
        queue = await channel.declare_queue(self.queue, durable=True)
        await queue.bind(exchange, "")
        return exchange

    async def publish(self, exchange: Any, rows: list[tuple[int, str, str]]) -> None:
        """Publish the rows, in order, each confirmed by RabbitMQ.

        The publishes are pipelined: all are sent, then the confirms awaited together (one
        round trip and one wake-up per confirm was most of the relay's CPU, and RabbitMQ's).
        The order holds: each publish is started in row order and takes the channel's
        FIFO lock before its first suspension, so the frames go out in row order."""
        app_id = os.environ.get("RASA_ENVIRONMENT")
        confirms = [
            asyncio.ensure_future(
                exchange.publish(
                    aio_pika.Message(
                        amqp_body(sender_id, data),
                        app_id=app_id,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key="",
                )
            )
            for _, sender_id, data in rows
        ]
        try:
            await asyncio.gather(*confirms)
        finally:
            for confirm in confirms:
                confirm.cancel()  # after a failure: the batch is published again anyway

    async def relay_once(self, exchange: Any, after: int) -> Pending:
        """Publish what is ready after `after` and record it."""
        pending = await asyncio.to_thread(self.pending, after)
        if pending.rows:
            await self.publish(exchange, pending.rows)
        if pending.last_id != after:
            await asyncio.to_thread(self.advance, pending.last_id)
        return pending

    def _try_lock(self) -> Any:
        """A connection holding the relay's advisory lock, or None (another desk has it).
        Other databases (SQLite) have no concurrent desks to exclude: no connection is held."""
        if self.engine.dialect.name != "postgresql":
            return NO_LOCK_NEEDED
        connection = self.engine.connect()
        held = connection.execute(sa.text(f"SELECT pg_try_advisory_lock({ADVISORY_LOCK})"))
        if held.scalar():
            return connection
        connection.close()
        return None

    def _release(self, connection: Any) -> None:
        """Give the advisory lock back (a pooled connection keeps its session, and the
        lock with it, after `close`)."""
        if connection is NO_LOCK_NEEDED:
            return
        try:
            connection.execute(sa.text(f"SELECT pg_advisory_unlock({ADVISORY_LOCK})"))
        except sa.exc.DBAPIError:
            connection.invalidate()  # the session, and its lock, are gone anyway
        finally:
            connection.close()

    async def run(self) -> None:
        """Relay until cancelled: publish, then wait `interval` unless the batch was full.
        Failures (RabbitMQ or PostgreSQL down) are retried every few seconds."""
        while True:
            lock = None
            try:
                lock = await asyncio.to_thread(self._try_lock)
                if lock is None:
                    await asyncio.sleep(5)
                    continue
                after = await asyncio.to_thread(self.position)
                connection = await aio_pika.connect_robust(self.amqp_url)
                async with connection:
                    exchange = await self._exchange(connection)
                    while True:
                        pending = await self.relay_once(exchange, after)
                        after = pending.last_id
                        if len(pending.rows) < self.batch:
                            # Caught up: wait for more rather than publish a few at a
                            # time (each look and position update costs two queries).
                            await asyncio.sleep(self.interval)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("event relay failed; trying again in 3 s")
                await asyncio.sleep(3)
            finally:
                if lock is not None:
                    await asyncio.to_thread(self._release, lock)


def from_environment(tracker_store_url: str, amqp_url: str) -> EventRelay:
    return EventRelay(
        tracker_store_url,
        amqp_url,
        queue=os.environ.get("BALAGH_EVENT_QUEUE", EVENT_QUEUE),
        gap_wait=float(os.environ.get("BALAGH_EVENT_RELAY_GAP_WAIT", "5")),
        interval=float(os.environ.get("BALAGH_EVENT_RELAY_INTERVAL", "0.2")),
        start=os.environ.get("BALAGH_EVENT_RELAY_START", "first"),
    )
