"""The period a report covers: whole calendar days in the centre's time zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.clock import zone


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both included, as Riyadh calendar dates."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def parse(cls, start: str, end: str) -> Period:
        return cls(dt.date.fromisoformat(start), dt.date.fromisoformat(end))

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[first instant, first instant after] in UTC: what the store compares against
        (instants are stored in UTC; a report filed at 01:00 Riyadh time on the 1st
        belongs to the 1st)."""
        tz = zone()
        first = dt.datetime.combine(self.start, dt.time.min, tz)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tz)
        return first.astimezone(dt.timezone.utc), after.astimezone(dt.timezone.utc)

    def months(self) -> list[str]:
        """Every month the period touches, as `YYYY-MM`, in order (empty months too)."""
        months = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months
