"""Time in one place: instants are UTC (stored so on SQLite and PostgreSQL alike), and
dates are the centre's calendar dates in Riyadh (a report filed at 01:00 Riyadh time is
filed "today" there)."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo


def zone() -> ZoneInfo:
    return ZoneInfo(os.environ.get("BALAGH_TIMEZONE", "Asia/Riyadh"))


def now() -> dt.datetime:
    """The current instant, timezone-aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


def local_date(instant: dt.datetime) -> dt.date:
    """The centre's calendar date at `instant`."""
    return instant.astimezone(zone()).date()


def today() -> dt.date:
    """Today's date in the centre's time zone."""
    return local_date(now())
