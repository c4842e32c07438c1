"""Rasa's SQL tracker store without re-reading the whole conversation at every message.

Stock `SQLTrackerStore` loads and replays every event of the session for each message,
counts them again to know what to insert, and, with an event broker, loads the whole
conversation a third time to find what to publish: the cost grows with the length of the
conversation. Here each Rasa process keeps the trackers it served (LRU) with how far they
are known to be stored:

- `retrieve` asks the database only for events newer than the last one this process saw
  (usually none; a few when the previous message went to another replica) and applies
  them; a new session, or a tracker changed without being saved, means a full reload;
- `save` inserts the events added since (one statement), then publishes exactly those to
  the broker.

Safe with several replicas because a conversation's messages are processed one at a time
under the (atomic Redis) lock: between a `retrieve` and its `save`, nobody else appends.
The table is Rasa's own, and so is the JSON of each event, but it is stored encrypted
(AES-GCM under `BALAGH_DATA_KEY`, the conversation's id as associated data:
`bot.store.crypto.seal_event`): what users typed and the slots holding who they are are not
in clear at rest. Events stored in clear before are still read; `balagh rotate-data-key`
encrypts them. Rasa's stock store reads ours no longer (what this relies on of Rasa's store
is listed in `bot.server.patches`).
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.private import private_file
from bot.server.pg_async import CONNECTION_LOST, AsyncPostgres
from bot.store.crypto import open_event, seal_event

Result = TypeVar("Result")

# Rasa's `events` table (`SQLTrackerStore.SQLEvent`), in the driver's `%s` style.
INSERT_EVENTS_SQL = (
    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data)"
)
NEWER_EVENTS_SQL = (
    "SELECT id, type_name, data FROM events WHERE sender_id = %s AND id > %s ORDER BY id"
)
NEWEST_ID_SQL = "SELECT max(id) FROM events WHERE sender_id = %s"
# Rasa's `_event_query` for the latest session: the events from the latest
# `session_started` on, or all of them when the conversation never had one.
_SESSION_START_SQL = (
    "(SELECT max(timestamp) FROM events WHERE sender_id = %s"
    f" AND type_name = '{SessionStarted.type_name}')"
)
SESSION_EVENTS_SQL = (
    "SELECT id, data FROM events WHERE sender_id = %s"
    f" AND (timestamp >= {_SESSION_START_SQL} OR {_SESSION_START_SQL} IS NULL) ORDER BY id"
)


@dataclass
class _Known:
    tracker: DialogueStateTracker
    stored: int  # how many of tracker.events are in the database
    last_id: int  # the newest events.id of the conversation at that point


class CachedSQLTrackerStore(SQLTrackerStore):
    """Endpoint type `bot.server.tracker_store.CachedSQLTrackerStore` (settings as for `SQL`)."""

    def __init__(self, *args: Any, cache_size: int = 2000, **kwargs: Any) -> None:
        if kwargs.get("dialect") == "sqlite" and kwargs.get("db") not in (None, ":memory:"):
            private_file(Path(kwargs["db"]))  # 0600 before SQLite creates it (0644)
        super().__init__(*args, **kwargs)
        self.cache_size = int(cache_size)
        self._known: OrderedDict[str, _Known] = OrderedDict()
        self._postgres: AsyncPostgres | None = None

    def _remember(self, tracker: DialogueStateTracker, last_id: int) -> None:
        self._known[tracker.sender_id] = _Known(tracker, len(tracker.events), last_id)
        self._known.move_to_end(tracker.sender_id)
        while len(self._known) > self.cache_size:
            self._known.popitem(last=False)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        known = self._known.get(sender_id)
        if known is not None and len(known.tracker.events) == known.stored:
            newer = await self._read(NEWER_EVENTS_SQL, (sender_id, known.last_id))
            if not any(type_name == SessionStarted.type_name for _, type_name, _ in newer):
                for _, _, data in newer:
                    known.tracker.update(Event.from_parameters(_event(sender_id, data)))
                self._remember(known.tracker, newer[-1][0] if newer else known.last_id)
                return known.tracker
        self._known.pop(sender_id, None)
        rows = await self._read(SESSION_EVENTS_SQL, (sender_id, sender_id, sender_id))
        if not rows or not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(
            sender_id, [_event(sender_id, data) for _, data in rows], self.domain.slots
        )
        self._remember(tracker, rows[-1][0])
        return tracker

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's, with the events decrypted: what `retrieve_full_tracker` reads (Rasa's
        `/conversations/…/tracker`)."""
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).all()
            events = [_event(sender_id, row.data) for row in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        known = self._known.get(tracker.sender_id)
        if known is None and not tracker.events:
            # A new conversation (Rasa saves it empty before its first message, through
            # the wrapper it puts around every store): nothing to write until that
            # message has been handled.
            self._remember(tracker, 0)
            return
        if known is not None and known.tracker is tracker:
            new_events = list(itertools.islice(tracker.events, known.stored, None))
            last_id = await self._insert_new(tracker.sender_id, new_events, known.last_id)
        else:
            with self.session_scope() as session:  # Rasa's way: count what is stored
                new_events = list(self._additional_events(session, tracker))
            last_id = await self._insert_new(tracker.sender_id, new_events, None)
        self._remember(tracker, last_id)
        if self.event_broker is not None and new_events:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    # The SQL of every message goes straight through the driver (the ORM's queries, row
    # objects and per-event INSERTs were most of the store's cost). On PostgreSQL it is
    # awaited on asynchronous connections in autocommit mode (`bot.server.pg_async`): the server's
    # loop serves other conversations while PostgreSQL answers (an INSERT's answer waits
    # for its commit to reach the disk); each statement here is atomic on its own, and
    # neither a pool checkout with its liveness ping nor a COMMIT costs a round trip. A
    # connection lost (PostgreSQL restarted) is replaced and the statement run again, once.
    # SQLite (the embedded default, one process) runs each in a transaction of its own.

    def _driver_sql(self, sql: str) -> str:
        """`sql` written with `%s` placeholders, in the driver's own style."""
        return sql.replace("%s", "?") if self.engine.dialect.paramstyle == "qmark" else sql

    @property
    def postgres(self) -> AsyncPostgres | None:
        """The asynchronous connections, on PostgreSQL."""
        if self._postgres is None and self.engine.dialect.name == "postgresql":
            _, arguments = self.engine.dialect.create_connect_args(self.engine.url)
            self._postgres = AsyncPostgres(arguments)
        return self._postgres

    def _in_transaction(self, work: Callable[[Any], Result]) -> Result:
        """`work(cursor)` in a committed transaction of its own (SQLite)."""
        with self.session_scope() as session:
            cursor = session.connection().connection.cursor()
            try:
                result = work(cursor)
            finally:
                cursor.close()
            session.commit()
            return result

    async def _fetch(self, sql: str, parameters: tuple | list) -> list[tuple]:
        """The rows of one statement."""
        postgres = self.postgres
        if postgres is not None:
            return await postgres.fetch(sql, parameters)

        def rows(cursor: Any) -> list[tuple]:
            cursor.execute(self._driver_sql(sql), parameters)
            return cursor.fetchall()

        return self._in_transaction(rows)

    async def _read(self, sql: str, parameters: tuple) -> list[tuple]:
        """The rows of a query; run again on a new connection if the connection was lost."""
        try:
            return await self._fetch(sql, parameters)
        except CONNECTION_LOST:
            return await self._fetch(sql, parameters)

    async def _insert_new(self, sender_id: str, events: list[Event], last_id: int | None) -> int:
        """Insert the events (one statement) and return the conversation's newest
        `events.id`. If the connection is lost meanwhile, the insert is repeated only if
        it did not happen: under the conversation's lock nobody else adds to it, so a
        newest id past `last_id` means it did."""
        try:
            return await self._insert(sender_id, events)
        except CONNECTION_LOST:
            newest = await self._newest_id(sender_id)
            if last_id is not None and newest > last_id:
                return newest
            if last_id is None and events:
                raise  # cannot tell whether the lost statement was carried out
            return await self._insert(sender_id, events)

    async def _insert(self, sender_id: str, events: list[Event]) -> int:
        if events and self.postgres is not None:
            rows = ",".join(["(%s, %s, %s, %s, %s, %s)"] * len(events))
            values = [value for event in events for value in self._values(sender_id, event)]
            insert = f"{INSERT_EVENTS_SQL} VALUES {rows} RETURNING id"
            ids = await self.postgres.fetch(insert, values)
            return max(row[0] for row in ids)
        if events:
            self._in_transaction(
                lambda cursor: cursor.executemany(
                    self._driver_sql(f"{INSERT_EVENTS_SQL} VALUES (%s, %s, %s, %s, %s, %s)"),
                    [self._values(sender_id, event) for event in events],
                )
            )
        return await self._newest_id(sender_id)

    async def _newest_id(self, sender_id: str) -> int:
        return (await self._fetch(NEWEST_ID_SQL, (sender_id,)))[0][0] or 0

    @staticmethod
    def _values(sender_id: str, event: Event) -> tuple:
        """The columns of `INSERT_EVENTS_SQL` for one event (as Rasa's store fills them)."""
        data = event.as_dict()
        return (
            sender_id,
            event.type_name,
            data.get("timestamp"),
            data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            data.get("name"),
            seal_event(sender_id, json.dumps(data)),
        )


def _event(sender_id: str, stored: str) -> dict[str, Any]:
    """A stored event's dictionary: its JSON decrypted (`bot.store.crypto.open_event`)."""
    return json.loads(open_event(sender_id, stored))
