"""Process-wide services the actions share: settings, the holiday calendar, the store.

The calendar file is re-read when it changes, so operators can add announced Eid
holidays without restarting the action server.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from bot.rules.catalogue import Catalogue, load_catalogue
from bot.rules.working_days import HolidayCalendar, load_calendar
from bot.settings import Settings, load_settings
from bot.store.database import upgrade

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_calendar: tuple[float, Path, HolidayCalendar] | None = None
_migrated: set[str] = set()


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


def database_url() -> str:
    """The reports store URL, migrated to the latest schema on first use."""
    url = settings().database_url
    if url not in _migrated:
        with _lock:
            if url not in _migrated:
                upgrade(url)
                _migrated.add(url)
    return url
