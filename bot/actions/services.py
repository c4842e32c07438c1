"""Process-wide services the actions share: settings, the holiday calendar, the store.

rasa_sdk builds the actions itself, so they cannot be handed the store: they ask `store()`
for the process's one (built at the action server's start, `bot/actions/server.py`) and run
its functions with `await services.run(function, *args)`, off the event loop.
The calendar file is re-read when it changes, so operators can add announced Eid
holidays without restarting the action server.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from bot.rules.catalogue import Catalogue, load_catalogue
from bot.rules.working_days import HolidayCalendar, load_calendar
from bot.settings import Settings, load_settings
from bot.store.database import Store, shared_store

logger = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

_lock = threading.Lock()
_calendar: tuple[float, Path, HolidayCalendar] | None = None


def settings() -> Settings:
    return load_settings()


def calendar() -> HolidayCalendar:
    """The holiday calendar, reloaded when its file's modification time changes."""
    global _calendar
    path = settings().holidays_file
    mtime = path.stat().st_mtime if path.exists() else 0.0
    with _lock:
        if _calendar is None or _calendar[0] != mtime or _calendar[1] != path:
            _calendar = (mtime, path, load_calendar(path))
        return _calendar[2]


def catalogue() -> Catalogue:
    """The catalogue of entities, platforms and services (re-read when the file changes)."""
    return load_catalogue(settings().catalogue_file)


def store() -> Store:
    """The process's reports store, migrated to the latest schema on first use (which
    blocks: async code calls `run`)."""
    return shared_store(settings().database_url).upgrade_once()


async def run(work: Callable[Concatenate[Store, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`work(store(), *args, **kwargs)` in a worker thread: the action server's event loop
    serves other calls while the database works."""
    return await asyncio.to_thread(lambda: work(store(), *args, **kwargs))
