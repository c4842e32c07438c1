"""The cached SQL tracker store: what several replicas rely on, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import stat

import pytest
import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered

from bot.server.tracker_store import CachedSQLTrackerStore
from bot.store.crypto import DataKeyError
from tests.helpers.trackers import DOMAIN, _connection, run


class RecordingBroker(EventBroker):
    """Collects what would be published (RabbitMQ itself is exercised by tests/cluster)."""

    def __init__(self) -> None:
        self.published: list[dict] = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


def store_for(url: str, broker: EventBroker | None = None) -> CachedSQLTrackerStore:
    return CachedSQLTrackerStore(domain=DOMAIN, event_broker=broker, **_connection(url))


def new_tracker(store: CachedSQLTrackerStore, sender: str):  # noqa: ANN201
    tracker = run(store.get_or_create_tracker(sender))
    tracker.update(UserUttered("مرحبا", {"name": "greet", "confidence": 1.0}))
    tracker.update(BotUttered("أهلاً"))
    tracker.update(ActionExecuted("action_listen"))
    run(store.save(tracker))
    return tracker


def texts(tracker) -> list[str]:  # noqa: ANN001
    return [e.text for e in tracker.events if isinstance(e, UserUttered | BotUttered)]


def test_two_replicas_see_each_others_messages(database_url):
    first, second = store_for(database_url), store_for(database_url)
    tracker = new_tracker(first, "s1")
    assert run(first.retrieve("s1")) is tracker  # nothing new: nothing re-read
    other = run(second.retrieve("s1"))
    other.update(UserUttered("شكرا", {"name": "greet", "confidence": 1.0}))
    other.update(BotUttered("العفو"))
    run(second.save(other))
    again = run(first.retrieve("s1"))
    assert texts(again) == ["مرحبا", "أهلاً", "شكرا", "العفو"]
    assert texts(run(store_for(database_url).retrieve("s1"))) == texts(again)  # a cold read


def test_a_tracker_changed_but_not_saved_is_read_again(database_url):
    store = store_for(database_url)
    tracker = new_tracker(store, "s2")
    tracker.update(UserUttered("لم يُحفظ", {"name": "greet", "confidence": 1.0}))
    reread = run(store.retrieve("s2"))
    assert reread is not tracker
    assert "لم يُحفظ" not in texts(reread)


def test_a_new_session_started_elsewhere_is_loaded_from_scratch(database_url):
    first, second = store_for(database_url), store_for(database_url)
    new_tracker(first, "s3")
    other = run(second.retrieve("s3"))
    other.update(SessionStarted())
    other.update(ActionExecuted("action_listen"))
    other.update(UserUttered("جلسة جديدة", {"name": "greet", "confidence": 1.0}))
    run(second.save(other))
    assert texts(run(first.retrieve("s3"))) == ["جلسة جديدة"]


@pytest.mark.postgres
def test_each_event_is_published_once(postgres_url):
    broker = RecordingBroker()
    store = store_for(postgres_url, broker)
    tracker = new_tracker(store, "s4")
    tracker.update(UserUttered("ثانية", {"name": "greet", "confidence": 1.0}))
    run(store.save(tracker))
    run(store.save(tracker))  # nothing new
    published = [(e["event"], e.get("text")) for e in broker.published]
    assert published.count(("user", "مرحبا")) == 1
    assert published.count(("user", "ثانية")) == 1
    assert all(e["sender_id"] == "s4" for e in broker.published)


def _stored(store: CachedSQLTrackerStore, sender: str) -> int:
    with store.session_scope() as session:
        return session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).count()


def test_a_new_conversation_is_written_with_its_first_message(database_url):
    from rasa.core.tracker_store import AwaitableTrackerStore, FailSafeTrackerStore

    store = store_for(database_url)
    wrapped = AwaitableTrackerStore(FailSafeTrackerStore(store))  # as Rasa runs a store

    writes: list[object] = []  # (Rasa's fail-safe wrapper would swallow an exception)
    used = store._insert_new, store._additional_events
    store._insert_new = store._additional_events = lambda *args: writes.append(args)
    tracker = run(wrapped.get_or_create_tracker("s5", append_action_listen=False))
    store._insert_new, store._additional_events = used
    assert writes == [] and len(tracker.events) == 0  # no round trip for nothing
    assert _stored(store, "s5") == 0
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("مرحبا", {"name": "greet", "confidence": 1.0}))
    run(wrapped.save(tracker))
    assert _stored(store, "s5") == 4
    assert texts(run(store_for(database_url).retrieve("s5"))) == ["مرحبا"]


def test_the_latest_session_is_read_as_rasas_store_reads_it(database_url):
    """Our SQL and Rasa's query (`_event_query`, through Rasa's `retrieve` on our store:
    Rasa's own store cannot decrypt the events) read the same session."""
    from rasa.core.tracker_store import SQLTrackerStore

    class Stock:
        def __init__(self) -> None:
            self.store = store_for(database_url)

        async def retrieve(self, sender: str):  # noqa: ANN201
            return await SQLTrackerStore.retrieve(self.store, sender)

    store = store_for(database_url)
    tracker = new_tracker(store, "s6")  # a conversation without `session_started`
    stock = Stock()
    assert [e.as_dict() for e in run(store_for(database_url).retrieve("s6")).events] == [
        e.as_dict() for e in run(stock.retrieve("s6")).events
    ]
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("جلسة ثانية", {"name": "greet", "confidence": 1.0}))
    run(store.save(tracker))
    ours = run(store_for(database_url).retrieve("s6"))
    assert texts(ours) == ["جلسة ثانية"]
    assert [e.as_dict() for e in ours.events] == [
        e.as_dict() for e in run(stock.retrieve("s6")).events
    ]


@pytest.mark.postgres
def test_a_lost_connection_is_replaced_without_losing_or_doubling_events(postgres_url):
    """The store's connection dies (as when PostgreSQL restarts): the next read and the
    next save reconnect by themselves; a save whose answer was lost is not inserted twice."""
    import psycopg2
    from sqlalchemy import create_engine, text

    from tests.conftest import POSTGRES_ADMIN_URL

    store = store_for(postgres_url)
    tracker = new_tracker(store, "s7")
    [pid] = store.postgres.backend_pids()
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"SELECT pg_terminate_backend({pid})"))
    admin.dispose()
    assert run(store.retrieve("s7")) is tracker  # read again on a new connection
    assert store.postgres.backend_pids() != [pid]

    insert = store._insert

    async def inserted_then_lost(sender_id, events):  # noqa: ANN001, ANN202
        await insert(sender_id, events)
        raise psycopg2.OperationalError("server closed the connection unexpectedly")

    store._insert = inserted_then_lost
    tracker.update(UserUttered("ثالثة", {"name": "greet", "confidence": 1.0}))
    run(store.save(tracker))  # lost after the insert: not repeated
    store._insert = insert
    tracker.update(BotUttered("تم"))
    run(store.save(tracker))
    assert texts(run(store_for(postgres_url).retrieve("s7"))) == ["مرحبا", "أهلاً", "ثالثة", "تم"]


def _stored_data(url: str, sender: str) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        ).scalars()
        found = list(rows)
    engine.dispose()
    return found


def test_events_are_stored_encrypted_and_read_back(database_url):
    store = store_for(database_url)
    tracker = run(store.get_or_create_tracker("s9"))
    tracker.update(UserUttered("هويتي 1000000008 وجوالي 0551234567", {"name": "greet"}))
    tracker.update(BotUttered("شكراً نورة"))
    run(store.save(tracker))
    stored = _stored_data(database_url, "s9")
    assert len(stored) == 3 and all(data.startswith("enc1:") for data in stored)
    assert not any(word in data for data in stored for word in ("1000000008", "نورة"))
    assert texts(run(store_for(database_url).retrieve("s9"))) == [
        "هويتي 1000000008 وجوالي 0551234567",
        "شكراً نورة",
    ]
    assert texts(run(store_for(database_url).retrieve_full_tracker("s9"))) == texts(tracker)


def test_events_stored_in_clear_before_are_read_and_a_moved_one_is_refused(database_url):
    store = store_for(database_url)
    new_tracker(store, "s10")
    engine = sa.create_engine(database_url)
    clear = UserUttered("قبل التشفير", {"name": "greet", "confidence": 1.0}).as_dict()
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO events (sender_id, type_name, timestamp, data)"
                " VALUES ('s10', 'user', :t, :data)"
            ),
            {"t": clear["timestamp"], "data": json.dumps(clear)},
        )
    assert texts(run(store_for(database_url).retrieve("s10")))[-1] == "قبل التشفير"
    with engine.begin() as connection:  # an event of s10 copied into another conversation
        connection.execute(
            sa.text(
                "INSERT INTO events (sender_id, type_name, timestamp, data)"
                " SELECT 's11', type_name, timestamp, data FROM events WHERE sender_id = 's10'"
            )
        )
    engine.dispose()
    with pytest.raises(DataKeyError):
        run(store_for(database_url).retrieve("s11"))


def test_a_sqlite_conversations_store_is_created_0600(tmp_path):
    database = tmp_path / "var" / "conversations.db"
    new_tracker(store_for(f"sqlite:///{database}"), "s12")
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700
