"""PostgreSQL restarts: Rasa's SQL tracker store keeps pooled connections that are dead
after a restart, so the first statements on them fail. Its connections are checked before
use (`pool_pre_ping`), so the server reconnects by itself.

`CachedSQLTrackerStore` runs the SQL of every message on its own connections
(`bot.server.pg_async`), but Rasa's engine still serves the rest: the tables' creation, a
tracker saved that the store did not retrieve (a conversation the hand-off bridge opens),
the full tracker and the conversations' list of Rasa's HTTP API.

Installed by `bot.server.patches.install` (every target is listed there).
"""

from __future__ import annotations

from typing import Any

from rasa.core import tracker_store as rasa_tracker_store


def install() -> None:
    """Patch Rasa in this process (once: called by `bot.server.patches.install`)."""
    engine_kwargs = rasa_tracker_store.create_engine_kwargs

    def engine_kwargs_with_ping(url: Any) -> dict[str, Any]:
        kwargs = engine_kwargs(url)
        if rasa_tracker_store.is_postgresql_url(url):
            kwargs["pool_pre_ping"] = True
        return kwargs

    rasa_tracker_store.create_engine_kwargs = engine_kwargs_with_ping
