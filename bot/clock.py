"""Time in one place: instants are UTC (stored so on SQLite and PostgreSQL alike), and
dates are the centre's calendar dates in its time zone (`BALAGH_TIMEZONE`, Riyadh: a report
filed at 01:00 Riyadh time is filed "today" there)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.settings import load_settings


def zone() -> ZoneInfo:
    return load_settings().zone


def now() -> dt.datetime:
    """The current instant, timezone-aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


def local_date(instant: dt.datetime) -> dt.date:
    """The centre's calendar date at `instant`."""
    return instant.astimezone(zone()).date()


def today() -> dt.date:
    """Today's date in the centre's time zone."""
    return local_date(now())
