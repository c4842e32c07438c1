"""Unread counts of the inbox: the citizen's messages in a chat since an agent last opened it.

The citizen's messages are the `user` events of the conversations store (Rasa's `events`
table, the same one the event relay reads): the desk counts them by their time, which Rasa
keeps in clear beside each encrypted event, and never decrypts or reads a message here.
Events the desk triggers itself (`EXTERNAL_*` intents: hand-back, notices) are not the
citizen's. Since when, per agent and chat: the agent's read mark (`bot.store.desk_extras`,
set each time she reads the transcript), else the hand-off's creation (what the citizen
wrote while waiting).

Read only, off the event loop, and never in the way: a conversations store that does not
exist yet (an SQLite file Rasa has not created; it is not created here) or does not answer
gives no counts, and the queue is served without them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

logger = logging.getLogger(__name__)

COUNT_SQL = sa.text(
    "SELECT sender_id, timestamp FROM events WHERE type_name = 'user'"
    " AND sender_id IN :senders AND timestamp > :since"
    " AND (intent_name IS NULL OR intent_name NOT LIKE 'EXTERNAL%')"
).bindparams(sa.bindparam("senders", expanding=True))


class CitizenMessages:
    """Counts the citizen's messages in the conversations store at `url`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    def _connectable(self) -> Engine | None:
        if self._engine is None:
            parsed = make_url(self.url)
            if parsed.get_backend_name() == "sqlite":
                if not parsed.database or not Path(parsed.database).exists():
                    return None  # never create Rasa's file (nor with our umask)
                self._engine = sa.create_engine(self.url, connect_args={"timeout": 5})
            else:
                self._engine = sa.create_engine(self.url, pool_pre_ping=True, pool_size=2)
        return self._engine

    def counts(self, since: Mapping[str, dt.datetime]) -> dict[str, int]:
        """For each conversation, the citizen's messages after its instant (blocking)."""
        if not since:
            return {}
        engine = self._connectable()
        if engine is None:
            return {}
        after = {conversation: at.timestamp() for conversation, at in since.items()}
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    COUNT_SQL, {"senders": sorted(after), "since": min(after.values())}
                ).all()
        except sa.exc.SQLAlchemyError as failure:
            logger.warning("unread counts unavailable: %s", type(failure).__name__)
            return {}
        found = dict.fromkeys(after, 0)
        for sender, timestamp in rows:
            if timestamp is not None and float(timestamp) > after[sender]:
                found[sender] += 1
        return found

    async def counts_async(self, since: Mapping[str, dt.datetime]) -> dict[str, int]:
        return await asyncio.to_thread(self.counts, since)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
