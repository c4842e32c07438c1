"""The current date in the centre's time zone (Riyadh), in one place so tests can fix it."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo


def now() -> dt.datetime:
    """Aware current time in the configured zone."""
    return dt.datetime.now(ZoneInfo(os.environ.get("BALAGH_TIMEZONE", "Asia/Riyadh")))


def today() -> dt.date:
    """Today's date in Riyadh (a complaint filed at 01:00 Riyadh time is filed 'today')."""
    return now().date()
