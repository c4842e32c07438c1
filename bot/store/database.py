"""The reports store of a process (`Store`): its engine, sessions and migrations.

A process builds one `Store` at its start from `settings.database_url` and passes it to
whoever needs it; every function of `bot.store` takes it first. Code a framework builds,
which cannot be handed one (Rasa's channels, rasa_sdk's actions), asks `shared_store(url)`
for the process's store of that URL. The store's functions are synchronous (SQLAlchemy):
async code runs them with `await store.run(function, *args)`, in a worker thread, so that
the event loop is not blocked while the database works.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.private import private_dir, private_file
from bot.settings import VAR

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"

P = ParamSpec("P")
T = TypeVar("T")


class Store:
    """The reports store at `url` (SQLite or PostgreSQL, the same code): one pooled
    engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url)
        self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False, future=True)
        self._upgraded = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Store({make_url(self.url).render_as_string(hide_password=True)!r})"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed if the block succeeds, rolled back otherwise."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    async def run(
        self, work: Callable[Concatenate[Store, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`work(self, *args, **kwargs)` in a worker thread: what async code (the desk,
        the actions, the channels) calls instead of `work` itself."""
        return await asyncio.to_thread(work, self, *args, **kwargs)

    def upgrade(self) -> None:
        """Bring the schema to the latest migration (idempotent)."""
        config = Config(str(ALEMBIC_INI))
        config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        self._upgraded = True

    def upgrade_once(self) -> Store:
        """Migrate on first use only (later calls cost nothing); returns the store."""
        if not self._upgraded:
            with self._lock:
                if not self._upgraded:
                    self.upgrade()
        return self

    def dispose(self) -> None:
        """Close the pooled connections (tests drop their databases afterwards)."""
        self.engine.dispose()


def utc(instant: dt.datetime | None) -> dt.datetime | None:
    """An instant as the store gives it back, made aware: SQLite returns naive datetimes,
    and the store holds UTC (PostgreSQL's are aware already)."""
    if instant is not None and instant.tzinfo is None:
        return instant.replace(tzinfo=dt.timezone.utc)
    return instant


_shared: dict[str, Store] = {}
_shared_lock = threading.Lock()


def shared_store(url: str) -> Store:
    """The process's store for `url`, built on first use (then always the same one)."""
    with _shared_lock:
        if url not in _shared:
            _shared[url] = Store(url)
        return _shared[url]


def _create_engine(url: str) -> Engine:
    """One pooled engine per store. SQLite waits for the write lock instead of failing,
    and enforces foreign keys; PostgreSQL connections are checked before use so a
    database restart is survived."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            database = Path(parsed.database)
            if database.parent.resolve() == VAR.resolve():
                private_dir(VAR, tighten=True)  # Balagh's own folder, made before this rule
            private_file(database)  # 0600 in a 0700 folder, before SQLite opens it
        engine = create_engine(url, connect_args={"timeout": 30}, future=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, future=True)
