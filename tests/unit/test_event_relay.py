"""The event relay publishes the stored events as Rasa's broker would, once, in order, on
the real PostgreSQL and RabbitMQ."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator

import aio_pika
import pytest
import sqlalchemy as sa
from rasa.core.brokers import pika as rasa_pika
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.desk import event_relay
from bot.desk.event_relay import EventRelay
from bot.server.tracker_store import CachedSQLTrackerStore
from tests.conftest import AMQP_URL, delete_queue
from tests.helpers.broker import BrokerProxy
from tests.helpers.trackers import DOMAIN, _connection, run


def test_the_exchange_and_body_are_rasas():
    assert event_relay.RABBITMQ_EXCHANGE == rasa_pika.RABBITMQ_EXCHANGE
    event = UserUttered("مرحبا", {"name": "greet", "confidence": 1.0}).as_dict()
    broker = object.__new__(rasa_pika.PikaEventBroker)
    rasas = broker._message({"sender_id": "s1", **event}, None).body
    assert event_relay.amqp_body("s1", json.dumps(event)) == rasas


def _events_table(url: str, ids: list[int]) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255),"
                " type_name VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255),"
                " action_name VARCHAR(255), data TEXT)"
            )
        )
        for event_id in ids:
            connection.execute(
                sa.text("INSERT INTO events (id, sender_id, data) VALUES (:id, 's', '{}')"),
                {"id": event_id},
            )
    engine.dispose()


def test_a_missing_id_is_waited_for_then_passed(tmp_path):
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    _events_table(url, [1, 2, 4, 5])
    relay = EventRelay(url, AMQP_URL, gap_wait=5)
    assert relay.position() == 0
    first = relay.pending(0, now=100.0)
    assert [row[0] for row in first.rows] == [1, 2] and first.last_id == 2
    assert relay.pending(2, now=104.0).rows == []  # 3 may still be committing
    late = relay.pending(2, now=105.5)  # 3 never came (a rolled-back insert)
    assert [row[0] for row in late.rows] == [4, 5] and late.last_id == 5
    relay.advance(5)
    assert EventRelay(url, AMQP_URL).position() == 5  # remembered across restarts


def test_latest_start_skips_what_was_stored_before(tmp_path):
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    _events_table(url, [1, 2, 3])
    assert EventRelay(url, AMQP_URL, start="latest").position() == 3


@pytest.fixture
def queue() -> Iterator[str]:
    """A queue of the test's own, deleted afterwards even if the test failed: a queue left
    bound to Rasa's fanout exchange would receive a copy of every event any relay on this
    RabbitMQ publishes from then on (the benchmarks' included)."""
    name = f"balagh.test.{uuid.uuid4().hex[:8]}"
    yield name
    delete_queue(name)


async def _drain(queue_name: str, senders: set[str]) -> list[aio_pika.IncomingMessage]:
    """The queue's messages about the test's own conversations (the exchange is a fanout:
    anything else publishing on this RabbitMQ meanwhile lands in the queue too)."""
    connection = await aio_pika.connect_robust(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True, passive=True)
        messages = []
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            if json.loads(message.body).get("sender_id") in senders:
                messages.append(message)
        await queue.delete(if_unused=False, if_empty=False)
        return messages


async def _relay_all(relay: EventRelay) -> int:
    """One pass of `relay` over what is stored, on the real RabbitMQ: how many it published."""
    connection = await aio_pika.connect_robust(AMQP_URL)
    async with connection:
        exchange = await relay._exchange(connection)
        return len((await relay.relay_once(exchange, relay.position())).rows)


@pytest.mark.postgres
def test_stored_events_reach_rabbitmq_once_in_order(postgres_url, queue, monkeypatch):
    monkeypatch.setenv("RASA_ENVIRONMENT", "production")
    store = CachedSQLTrackerStore(domain=DOMAIN, **_connection(postgres_url))
    tracker = run(store.get_or_create_tracker("r1"))
    tracker.update(UserUttered("مرحبا", {"name": "greet", "confidence": 1.0}))
    tracker.update(BotUttered("أهلاً"))
    run(store.save(tracker))

    assert asyncio.run(_relay_all(EventRelay(postgres_url, AMQP_URL, queue=queue))) == 3
    assert asyncio.run(_relay_all(EventRelay(postgres_url, AMQP_URL, queue=queue))) == 0  # done
    tracker.update(ActionExecuted("action_listen"))
    run(store.save(tracker))
    assert asyncio.run(_relay_all(EventRelay(postgres_url, AMQP_URL, queue=queue))) == 1
    messages = asyncio.run(_drain(queue, {"r1"}))
    bodies = [json.loads(message.body) for message in messages]
    assert [(b["sender_id"], b["event"]) for b in bodies] == [
        ("r1", "action"),
        ("r1", "user"),
        ("r1", "bot"),
        ("r1", "action"),
    ]
    assert bodies[1]["text"] == "مرحبا" and bodies[1]["parse_data"]["intent"]["name"] == "greet"
    assert all(m.delivery_mode == aio_pika.DeliveryMode.PERSISTENT for m in messages)
    assert all(m.app_id == "production" for m in messages)  # RASA_ENVIRONMENT, as Rasa's
    assert [m.message_id for m in messages] == ["1", "2", "3", "4"]  # the events' ids


@pytest.mark.postgres
def test_a_pipelined_batch_keeps_the_stored_order(postgres_url, queue):
    """The publishes of a batch are all in flight at once: they still reach the queue in
    the events' order."""
    store = CachedSQLTrackerStore(domain=DOMAIN, **_connection(postgres_url))
    for conversation in range(3):
        tracker = run(store.get_or_create_tracker(f"p{conversation}"))
        for turn in range(100):
            tracker.update(UserUttered(f"رسالة {turn}", {"name": "greet", "confidence": 1.0}))
        run(store.save(tracker))

    assert asyncio.run(_relay_all(EventRelay(postgres_url, AMQP_URL, queue=queue))) == 303
    drained = asyncio.run(_drain(queue, {"p0", "p1", "p2"}))
    bodies = [json.loads(message.body) for message in drained]
    expected = [
        (f"p{conversation}", f"رسالة {turn}") for conversation in range(3) for turn in range(100)
    ]
    assert [(b["sender_id"], b["text"]) for b in bodies if b["event"] == "user"] == expected
    assert len(bodies) == 303


@pytest.mark.postgres
def test_one_relay_at_a_time(postgres_url):
    first, second = EventRelay(postgres_url, AMQP_URL), EventRelay(postgres_url, AMQP_URL)
    held = first._try_lock()
    try:
        assert held is not None and second._try_lock() is None
    finally:
        first._release(held)
    again = second._try_lock()
    assert again is not None
    second._release(again)


def test_sqlite_has_no_lock_to_hold_a_connection_for(tmp_path):
    relay = EventRelay(f"sqlite:///{tmp_path / 'conversations.db'}", AMQP_URL)
    opened: list[object] = []
    sa.event.listen(relay.engine, "connect", lambda connection, record: opened.append(record))
    held = relay._try_lock()
    assert held is not None  # the relay runs: there is no other desk to wait for
    assert opened == []  # and no connection is kept open for a lock that does not exist
    relay._release(held)


@pytest.mark.postgres
def test_events_are_kept_until_rabbitmq_confirms_them(postgres_url):
    """RabbitMQ refusing a publish (down, or no confirm) moves nothing: the next run
    publishes the same events from the same position."""
    store = CachedSQLTrackerStore(domain=DOMAIN, **_connection(postgres_url))
    tracker = run(store.get_or_create_tracker("r2"))
    tracker.update(UserUttered("مرحبا", {"name": "greet", "confidence": 1.0}))
    run(store.save(tracker))

    class Refusing:
        async def publish(self, messages: list[tuple[str, bytes]]) -> None:
            raise aio_pika.exceptions.DeliveryError(None, None)

    class Recording:
        def __init__(self) -> None:
            self.bodies: list[dict] = []

        async def publish(self, messages: list[tuple[str, bytes]]) -> None:
            self.bodies.extend(json.loads(body) for _, body in messages)

    relay = EventRelay(postgres_url, AMQP_URL)
    with pytest.raises(aio_pika.exceptions.DeliveryError):
        asyncio.run(relay.relay_once(Refusing(), relay.position()))
    assert EventRelay(postgres_url, AMQP_URL).position() == 0
    recording = Recording()
    asyncio.run(relay.relay_once(recording, relay.position()))
    assert [(b["sender_id"], b["event"]) for b in recording.bodies] == [
        ("r2", "action"),
        ("r2", "user"),
    ]
    assert EventRelay(postgres_url, AMQP_URL).position() > 0


@pytest.mark.postgres
def test_a_batch_cut_off_by_a_closed_connection_is_not_recorded(postgres_url, queue):
    """The connection to RabbitMQ closes while a batch waits for its confirms: the
    publish fails (it does not wait forever) and the position does not move."""
    store = CachedSQLTrackerStore(domain=DOMAIN, **_connection(postgres_url))
    tracker = run(store.get_or_create_tracker("r3"))
    for turn in range(50):
        tracker.update(UserUttered(f"رسالة {turn}", {"name": "greet", "confidence": 1.0}))
    run(store.save(tracker))
    relay = EventRelay(postgres_url, AMQP_URL, queue=queue)

    async def cut_off() -> None:
        connection = await aio_pika.connect(AMQP_URL)
        publisher = await relay._exchange(connection)
        publish = publisher.publish

        async def publish_then_close(messages: list[tuple[str, bytes]]) -> None:
            sending = asyncio.ensure_future(publish(messages))
            await asyncio.sleep(0)  # the batch is under way
            await connection.close()
            await sending

        publisher.publish = publish_then_close
        await relay.relay_once(publisher, relay.position())

    with pytest.raises(event_relay.RabbitMQClosed):  # not CancelledError: the relay goes on
        asyncio.run(cut_off())
    assert EventRelay(postgres_url, AMQP_URL, queue=queue).position() == 0
    assert asyncio.run(_relay_all(EventRelay(postgres_url, AMQP_URL, queue=queue))) == 51
    asyncio.run(_drain(queue, {"r3"}))


# --- consumers get events, not identities ------------------------------------------------

NAME, NATIONAL_ID, MOBILE = "نورة سعد", "1000000008", "+966551234567"
PERSONAL_DOMAIN = Domain.from_yaml(
    "version: '3.1'\nintents: [inform]\nslots:\n"
    + "".join(
        f"  {slot}: {{type: text, influence_conversation: false, mappings: [{{type: custom}}]}}\n"
        for slot in ("beneficiary_name", "national_id", "mobile", "profile_name")
    )
)


def test_a_published_event_carries_no_identity():
    said = {"event": "user", "text": f"أنا {NAME} هويتي {NATIONAL_ID} وجوالي 0551234567"}
    said["parse_data"] = {"entities": [{"entity": "id", "value": NATIONAL_ID}], "text": "x"}
    published = event_relay.masked_event(said, {NAME})
    shown = json.dumps(published, ensure_ascii=False)
    for identity in (NAME, NATIONAL_ID, "0551234567", "551234567"):
        assert identity not in shown
    assert published["text"] == "أنا *** هويتي ********08 وجوالي +**********67"
    for slot, value, masked in [
        ("beneficiary_name", NAME, "***"),
        ("profile_name", NAME, "***"),
        ("national_id", NATIONAL_ID, "********08"),
        ("mobile", MOBILE, "+**********67"),
        ("entity", "وزارة الصحة", "وزارة الصحة"),  # not personal: as it is
        ("national_id", None, None),  # a reset slot stays a reset
    ]:
        event = {"event": "slot", "name": slot, "value": value, "timestamp": 1.0}
        assert event_relay.masked_event(event)["value"] == masked
    assert event_relay.masked_event({"event": "action", "name": "action_listen"}) == {
        "event": "action",
        "name": "action_listen",
    }


def test_a_conversation_id_holding_a_phone_number_is_published_masked():
    whatsapp = event_relay.masked_sender("whatsapp:+966551234567")
    assert whatsapp.startswith("whatsapp:+**********67#") and "551234567" not in whatsapp
    assert whatsapp == event_relay.masked_sender("whatsapp:+966551234567")  # stable
    assert whatsapp != event_relay.masked_sender("whatsapp:+966551234467")  # tells apart
    assert event_relay.masked_sender("web:3f2a9c0e1b7d4e55") == "web:3f2a9c0e1b7d4e55"


def test_the_relay_publishes_events_without_identities(database_url):
    """Through the real tracker store (SQLite, then PostgreSQL) and the relay: the name
    is blanked even in the user's message that gave it (stored before the slot)."""

    class Recording:
        def __init__(self) -> None:
            self.bodies: list[bytes] = []

        async def publish(self, messages: list[tuple[str, bytes]]) -> None:
            self.bodies.extend(body for _, body in messages)

    store = CachedSQLTrackerStore(domain=PERSONAL_DOMAIN, **_connection(database_url))
    sender = "whatsapp:+966551234567"
    tracker = run(store.get_or_create_tracker(sender))
    tracker.update(UserUttered(f"اسمي {NAME}", {"name": "inform", "confidence": 1.0}))
    tracker.update(SlotSet("beneficiary_name", NAME))
    tracker.update(UserUttered(f"هويتي {NATIONAL_ID} وجوالي {MOBILE}", {"name": "inform"}))
    tracker.update(SlotSet("national_id", NATIONAL_ID))
    tracker.update(SlotSet("mobile", MOBILE))
    tracker.update(BotUttered(f"الاسم: {NAME}، الهوية: ********08"))
    run(store.save(tracker))
    other = run(store.get_or_create_tracker("web:other"))
    other.update(UserUttered(f"سعد {NAME[:4]}", {"name": "inform"}))  # not its name: kept
    run(store.save(other))

    relay = EventRelay(database_url, AMQP_URL)
    recording = Recording()
    asyncio.run(relay.relay_once(recording, relay.position()))
    bodies = [json.loads(body) for body in recording.bodies]
    assert len(bodies) == 9
    published = b"".join(recording.bodies).decode("utf-8")
    for identity in (NAME, NATIONAL_ID, MOBILE, "551234567", "966551234567"):
        assert identity not in published and json.dumps(identity)[1:-1] not in published
    mine = [b for b in bodies if b["sender_id"] != "web:other"]
    assert {b["sender_id"] for b in mine} == {event_relay.masked_sender(sender)}
    texts = [b.get("text") for b in mine if b["event"] in ("user", "bot")]
    assert texts == [
        "اسمي ***",
        "هويتي ********08 وجوالي +**********67",
        "الاسم: ***، الهوية: ********08",
    ]
    theirs = [b["text"] for b in bodies if b["sender_id"] == "web:other" and b["event"] == "user"]
    assert theirs == [f"سعد {NAME[:4]}"]
    relay.engine.dispose()


def test_a_cancelled_relay_stops_at_once_while_rabbitmq_is_away(tmp_path, queue):
    """RabbitMQ gone while the relay was connected: the relay notices, keeps trying, and a
    cancellation (the desk stopping) ends it at once, leaving no task behind (aio_pika's
    robust connection went on reconnecting in a task of its own, and the desk's shutdown
    waited for it)."""
    broker = BrokerProxy()
    relay = EventRelay(f"sqlite:///{tmp_path / 'conversations.db'}", broker.url, queue=queue)
    relay.retry = 0.2
    exchange = relay._exchange

    async def scenario() -> None:
        declared = asyncio.Event()

        async def observed(connection: aio_pika.abc.AbstractConnection) -> object:
            publisher = await exchange(connection)
            declared.set()  # connected, and publishing (or idle) from now on
            return publisher

        relay._exchange = observed
        others = asyncio.all_tasks()
        running = asyncio.create_task(relay.run())
        await asyncio.wait_for(declared.wait(), 30)
        broker.stop()
        assert await asyncio.to_thread(broker.refused.wait, 30), "the relay did not try again"
        running.cancel()
        # At once: a couple of seconds at most on a loaded machine (aio_pika's reconnection
        # held the desk's shutdown for more than 25 s before).
        done, _ = await asyncio.wait([running], timeout=3)
        assert done == {running}
        assert asyncio.all_tasks() == others  # no reconnection, no connection's task left

    try:
        asyncio.run(scenario())
    finally:
        broker.close()
