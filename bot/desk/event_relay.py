"""Every conversation event, published to RabbitMQ from the tracker store (run by the desk).

Rasa's own event broker publishes from inside the Rasa server, as each message is
handled: it was a fifth of the server's CPU per message (one AMQP publish and confirm per
event), and an event is lost if RabbitMQ is unreachable for longer than the broker's
memory, or if the server dies between storing and publishing. Here the events are
published from where they are already stored (a transactional outbox): the desk reads the
`events` table in `id` order and publishes each row as Rasa's broker would (same exchange,
queue, JSON body and message properties), in batches each sent in one write and
confirmed by RabbitMQ (publisher confirms), then records how far it got in
`balagh_event_relay`. Nothing stored is lost; after a crash the last unconfirmed batch may
be published again (at least once, in order per conversation).

Two replicas can commit their inserts out of `id` order, so a missing `id` is waited for
(`gap_wait` seconds) before the relay moves past it (an insert that was rolled back leaves
a hole for good). With several desks, a PostgreSQL advisory lock lets one relay at a time.

The events are stored encrypted (`bot.server.tracker_store`): each is decrypted here, then
masked. Consumers get events, not identities: the slots holding a name, national ID or mobile are
published masked, the conversation's recorded names blanked in every text, every national
ID and mobile masked (at most the last two digits) and a conversation id holding a phone
number masked with a keyed pseudonym (`masked_event`, `masked_sender`).

RabbitMQ away: the relay retries every `retry` seconds, each time on a new plain connection
(connect bounded by `CONNECT_TIMEOUT`, close by `CLOSE_TIMEOUT`), and a cancellation (the
desk stopping) ends it at once in every state. Not aio_pika's robust connection: it
reconnected in a task of its own that a cancellation of the relay did not reach (the desk
took more than 25 seconds to stop with RabbitMQ down), and one closed while reconnecting
went on reconnecting for ever.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aio_pika
import aiormq
import sqlalchemy as sa
from aiormq.abc import ChannelFrame
from pamqp import commands as spec
from pamqp.header import ContentHeader
from sqlalchemy.engine import Engine

from bot.rules.identity import mask_identifiers, mask_national_id, mask_phone
from bot.settings import Settings
from bot.store.crypto import hash_of, open_event

logger = logging.getLogger(__name__)

PERSISTENT = int(aio_pika.DeliveryMode.PERSISTENT)  # as Rasa's broker publishes
RABBITMQ_EXCHANGE = "rasa-exchange"  # Rasa's pika broker's exchange (a unit test checks)
POSITION_TABLE = "balagh_event_relay"
ADVISORY_LOCK = 74_521_001  # pg_try_advisory_lock key of the relay
CONNECT_TIMEOUT = 10.0  # seconds for a connection to RabbitMQ (TCP, AMQP handshake)
CLOSE_TIMEOUT = 2.0  # seconds for closing one (a broker gone silent never answers)
CREATE_POSITION = (
    f"CREATE TABLE IF NOT EXISTS {POSITION_TABLE} (name VARCHAR(64) PRIMARY KEY, last_id BIGINT)"
)


EVENT_QUEUE = "balagh.events"
# The aiormq whose internals `ConfirmedBatches` uses (requirements.txt's pin; listed in
# docs/rasa-patches.md, and tests/unit/test_patches.py checks that the two agree).
AIORMQ_VERSION = "6.4.2"


def check_aiormq() -> None:
    """Refuse to relay, in one line, on another aiormq than the pinned one."""
    installed = metadata.version("aiormq")
    if installed != AIORMQ_VERSION:
        raise SystemExit(
            f"Balagh's desk refuses to start the event relay: aiormq {installed} is installed,"
            f" but its batches rely on the internals of {AIORMQ_VERSION}. Install "
            "requirements.txt's pins, or re-derive what docs/rasa-patches.md lists for it."
        )


def amqp_url(url: str) -> str:
    """`BALAGH_EVENT_BROKER_URL` checked: `amqp://user:password@host:port/`, or empty (no
    events published). The desk publishes them (this relay), not Rasa."""
    if url and urlsplit(url).scheme not in ("amqp", "amqps"):
        raise SystemExit(f"BALAGH_EVENT_BROKER_URL must be amqp://..., not {url!r}")
    return url


def amqp_body(sender_id: str, data: str, names: Collection[str] = ()) -> bytes:
    """The message Rasa's pika broker sends for a stored event: the event's JSON with
    the conversation's `sender_id` first, identities masked (`masked_event`)."""
    event = masked_event(json.loads(data), names)
    return json.dumps({"sender_id": masked_sender(sender_id), **event}).encode("utf-8")


# Consumers get events, not identities. The slots that hold who the citizen is are
# published masked, the names the conversation recorded are blanked wherever they appear
# (what the user typed, what the bot answered), and every national ID or mobile in any
# string is masked as in the logs (`mask_identifiers`: at most the last two digits).
NAME_SLOTS = ("beneficiary_name", "profile_name")
NAME_MASK = "***"
MIN_NAME = 2  # shorter values are not blanked in texts (they would blank every letter)
SLOT_MASKS: dict[str, Callable[[Any], Any]] = {
    **dict.fromkeys(NAME_SLOTS, lambda value: None if value is None else NAME_MASK),
    "national_id": lambda value: mask_national_id(str(value)) if value else value,
    "profile_national_id": lambda value: mask_national_id(str(value)) if value else value,
    "mobile": lambda value: mask_phone(str(value)) if value else value,
    "profile_mobile": lambda value: mask_phone(str(value)) if value else value,
    "ownership_proof": lambda value: None if value is None else NAME_MASK,
}
NAMES_SQL = (
    "SELECT sender_id, data FROM events WHERE type_name = 'slot'"
    f" AND action_name IN ({', '.join(repr(slot) for slot in NAME_SLOTS)})"
    " AND sender_id IN :senders"
)


def masked_event(event: Any, names: Collection[str] = ()) -> Any:
    """`event` (a stored event's JSON) with its personal data masked: a personal slot's
    value, the `names` wherever they appear, every national ID and mobile in its strings."""
    if isinstance(event, dict) and event.get("event") == "slot" and event.get("name") in SLOT_MASKS:
        event = {**event, "value": SLOT_MASKS[event["name"]](event.get("value"))}
    ordered = sorted((n for n in names if len(n) >= MIN_NAME), key=len, reverse=True)
    return _masked(event, ordered)


def _masked(value: Any, names: list[str]) -> Any:
    if isinstance(value, str):
        for name in names:
            value = value.replace(name, NAME_MASK)
        return mask_identifiers(value)
    if isinstance(value, dict):
        return {key: _masked(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item, names) for item in value]
    return value


def masked_sender(sender_id: str) -> str:
    """A conversation id that holds a phone number (`whatsapp:+9665…`, an SMS sender) is
    published masked, with a keyed pseudonym after `#` so that a consumer still tells
    conversations apart (`whatsapp:+**********67#3fa2c1d09b7e4a11`); others as they are."""
    shown = mask_identifiers(sender_id)
    if shown == sender_id:
        return sender_id
    return f"{shown}#{hash_of('conversation', sender_id)[:16]}"


@dataclass
class ConfirmedBatches:
    """Publishes a batch of messages to `exchange` on an aiormq channel in confirm mode,
    as Rasa's broker publishes each (persistent, `app_id` = `RASA_ENVIRONMENT`), and
    returns when RabbitMQ has confirmed every one of them.

    The message id is the event's `events.id`: a consumer can recognise an event
    published again after a crash (delivery is at least once).

    aiormq's own `basic_publish` sends one message at a time: a task, a random message id,
    a queued write, a socket send and a drain per message were five sixths of the relay's
    CPU, and RabbitMQ read each message from its own TCP segment (docs/rasa-server.md).
    Here a batch's frames go out in one write, in order, under the channel's lock, each
    message with the delivery tag and confirmation future that aiormq itself would give
    it (`channel.confirmations`): aiormq's reader resolves them as RabbitMQ acknowledges,
    fails them on a nack (`DeliveryError`), and its future store fails them if the
    channel closes, as for its own publishes. Those internals are aiormq 6.4.2's
    (`AIORMQ_VERSION`, checked when the relay is made; docs/rasa-patches.md)."""

    channel: Any  # aiormq.Channel, opened with publisher_confirms=True
    exchange: str

    async def publish(self, messages: list[tuple[str, bytes]]) -> None:
        """Publish `(message id, body)` pairs, in order."""
        channel = self.channel
        if channel.is_closed:
            raise aiormq.exceptions.ChannelInvalidStateError("the channel is closed")
        app_id = os.environ.get("RASA_ENVIRONMENT")
        confirms: list[asyncio.Future] = []
        async with channel.lock:
            frames: list[Any] = []
            for message_id, body in messages:
                properties = spec.Basic.Properties(
                    delivery_mode=PERSISTENT, app_id=app_id, message_id=message_id
                )
                channel.delivery_tag += 1
                confirm = channel.create_future()
                channel.confirmations[channel.delivery_tag] = confirm
                confirms.append(confirm)
                frames.append(spec.Basic.Publish(exchange=self.exchange, routing_key=""))
                frames.append(ContentHeader(properties=properties, body_size=len(body)))
                frames.extend(channel._split_body(body))  # frame_max sized pieces
            written = channel.create_future()
            await channel.write_queue.put(
                ChannelFrame(frames=frames, channel_number=channel.number, drain_future=written)
            )
            await _settled([written])
        try:
            await _settled(confirms)
        finally:
            for confirm in confirms:
                confirm.cancel()  # after a failure: the batch is published again anyway


class RabbitMQClosed(ConnectionError):
    """The channel closed before RabbitMQ confirmed (or received) a batch."""


async def _settled(futures: list[asyncio.Future]) -> None:
    """Wait until the futures are resolved or one fails, and raise the failure. aiormq
    cancels the futures of a channel that closes: that is a lost connection, raised as
    `RabbitMQClosed`, not a cancellation of the relay (which still raises CancelledError)."""
    await asyncio.wait(futures, return_when=asyncio.FIRST_EXCEPTION)
    closed = False
    for future in futures:
        if not future.done():
            continue
        failure = asyncio.CancelledError() if future.cancelled() else future.exception()
        if isinstance(failure, asyncio.CancelledError):
            closed = True  # cancelled, or failed with CancelledError (aiormq does both)
        elif failure is not None:
            raise failure
    if closed:
        raise RabbitMQClosed("RabbitMQ closed the channel before confirming the batch")


@dataclass
class Pending:
    """Stored events ready to publish (their JSON decrypted), and how far the position may
    then move."""

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
    retry: float = 3.0  # seconds between attempts after a failure (RabbitMQ, PostgreSQL)
    start: str = "first"  # or "latest": skip what was stored before the first run
    _engine: Engine | None = None
    _gaps: dict[int, float] = field(default_factory=dict)  # missing id -> first seen
    _events_table_seen: bool = False

    def __post_init__(self) -> None:
        check_aiormq()  # before any `ConfirmedBatches` is made

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
            ready.append((event_id, sender_id, open_event(sender_id, data)))
            expected = event_id + 1
        last = ready[-1][0] if ready else after
        self._gaps = {gap: seen for gap, seen in self._gaps.items() if gap > last}
        return Pending(ready, last)

    def names(self, senders: set[str]) -> dict[str, set[str]]:
        """The names each conversation recorded (its name slots' values, at any time):
        blanked wherever its events quote them."""
        found: dict[str, set[str]] = {}
        if not senders:
            return found
        query = sa.text(NAMES_SQL).bindparams(sa.bindparam("senders", expanding=True))
        with self.engine.connect() as connection:
            rows = connection.execute(query, {"senders": sorted(senders)}).all()
        for sender_id, data in rows:
            value = json.loads(open_event(sender_id, data)).get("value")
            if isinstance(value, str) and value.strip():
                found.setdefault(sender_id, set()).add(value.strip())
        return found

    async def _exchange(self, connection: Any) -> ConfirmedBatches:
        """Rasa's broker's exchange and queue, declared as Rasa declares them, and a
        publisher of confirmed batches to that exchange."""
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(
            RABBITMQ_EXCHANGE, type=aio_pika.ExchangeType.FANOUT
        )
        queue = await channel.declare_queue(self.queue, durable=True)
        await queue.bind(exchange, "")
        return ConfirmedBatches(exchange.channel, RABBITMQ_EXCHANGE)

    async def relay_once(self, publisher: Any, after: int) -> Pending:
        """Publish what is ready after `after` (in `id` order, each event confirmed by
        RabbitMQ) and record it."""
        pending = await asyncio.to_thread(self.pending, after)
        if pending.rows:
            names = await asyncio.to_thread(self.names, {row[1] for row in pending.rows})
            await publisher.publish(
                [
                    (str(event_id), amqp_body(sender_id, data, names.get(sender_id, ())))
                    for event_id, sender_id, data in pending.rows
                ]
            )
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
        Failures (RabbitMQ or PostgreSQL down) are retried every `retry` seconds."""
        while True:
            lock = None
            try:
                lock = await asyncio.to_thread(self._try_lock)
                if lock is None:
                    await asyncio.sleep(5)
                    continue
                after = await asyncio.to_thread(self.position)
                await self._relay_connected(after)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("event relay failed; trying again in %.0f s", self.retry)
                await asyncio.sleep(self.retry)
            finally:
                if lock is not None:
                    await asyncio.to_thread(self._release, lock)

    async def _relay_connected(self, after: int) -> None:
        """Relay on one connection to RabbitMQ until it fails (or the relay is cancelled);
        the connection is closed either way, and its tasks end with it."""
        connection = await _cancellable(aio_pika.connect(self.amqp_url, timeout=CONNECT_TIMEOUT))
        try:
            publisher = await self._exchange(connection)
            while True:
                if publisher.channel.is_closed:  # noticed while idle, not at the next batch
                    raise RabbitMQClosed("the connection to RabbitMQ was lost")
                pending = await self.relay_once(publisher, after)
                after = pending.last_id
                if len(pending.rows) < self.batch:
                    # Caught up: wait for more rather than publish a few at a
                    # time (each look and position update costs two queries).
                    await asyncio.sleep(self.interval)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), CLOSE_TIMEOUT)


T = TypeVar("T")


async def _cancellable(connecting: Awaitable[T]) -> T:
    """Await `connecting` in a task of its own, so that cancelling the relay cancels the
    relay: a cancellation that reaches aio_pika while it connects may come back as a
    connection error, and the relay would then try again instead of stopping."""
    task = asyncio.ensure_future(connecting)
    try:
        await asyncio.wait({task})
    except asyncio.CancelledError:
        task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.wait({task}, timeout=CLOSE_TIMEOUT)
            if task.done() and not task.cancelled() and task.exception() is None:
                await asyncio.wait_for(task.result().close(), CLOSE_TIMEOUT)  # type: ignore[attr-defined]
        raise
    return task.result()


@dataclass(frozen=True)
class RelayLag:
    """How far the relay is behind the stored events (for `/metrics`)."""

    events: int  # stored after the relay's position (ids, so holes count too)
    seconds: float  # age of the oldest event not yet published (0 when caught up)


def relay_lag(engine: Engine, name: str = "events", now: float | None = None) -> RelayLag:
    """Read at scrape time: the relay's position, the newest event's id, and the time of
    the first event after the position (three indexed lookups)."""
    now = time.time() if now is None else now
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        if not inspector.has_table("events"):
            return RelayLag(0, 0.0)
        position = 0
        if inspector.has_table(POSITION_TABLE):
            found = connection.execute(
                sa.text(f"SELECT last_id FROM {POSITION_TABLE} WHERE name = :name"),
                {"name": name},
            ).scalar()
            position = int(found or 0)
        newest = connection.execute(sa.text("SELECT max(id) FROM events")).scalar() or 0
        oldest = connection.execute(
            sa.text("SELECT timestamp FROM events WHERE id > :after ORDER BY id LIMIT 1"),
            {"after": position},
        ).scalar()
    behind = max(0, int(newest) - position)
    return RelayLag(behind, max(0.0, now - float(oldest)) if oldest is not None else 0.0)


def from_settings(settings: Settings) -> EventRelay:
    return EventRelay(
        settings.tracker_store_url,
        amqp_url(settings.event_broker_url),
        queue=settings.event_queue,
        gap_wait=settings.event_relay_gap_wait,
        interval=settings.event_relay_interval,
        start=settings.event_relay_start,
    )
