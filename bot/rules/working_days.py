"""Saudi working days: Sunday to Thursday, minus the official holidays.

Holidays are data (`resources/holidays.yml`), because the Eid dates move every year
and are announced late; operators edit the file, the code stays the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DEFAULT_HOLIDAYS_FILE = Path(__file__).resolve().parents[2] / "resources" / "holidays.yml"
WEEKEND = {4, 5}  # Friday, Saturday (Monday is 0)


@dataclass(frozen=True)
class HolidayCalendar:
    """Recurring (month, day) holidays and explicit dated holidays."""

    recurring: frozenset[tuple[int, int]] = frozenset()
    dated: frozenset[dt.date] = frozenset()
    names: dict[dt.date, str] = field(default_factory=dict, compare=False)
    # The last day up to which the dated holidays are known (the file's `covers_until`;
    # without it, the last dated holiday).
    covers_until: dt.date | None = field(default=None, compare=False)

    def known_until(self) -> dt.date | None:
        """Up to which day the dated holidays are known (None: no dated holiday at all)."""
        if self.covers_until is not None:
            return self.covers_until
        return max(self.dated) if self.dated else None

    def is_holiday(self, day: dt.date) -> bool:
        return day in self.dated or (day.month, day.day) in self.recurring

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() not in WEEKEND and not self.is_holiday(day)

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (start itself not counted)."""
        current = start
        remaining = days
        while remaining > 0:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 if end <= start)."""
        count = 0
        current = start
        while current < end:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


def load_calendar(path: Path | str | None = None) -> HolidayCalendar:
    """Read the holidays file; a missing file means weekends only."""
    file = Path(path) if path else DEFAULT_HOLIDAYS_FILE
    if not file.exists():
        return HolidayCalendar()
    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    recurring = set()
    for item in data.get("recurring") or []:
        month, day = (int(part) for part in str(item["date"]).split("-"))
        recurring.add((month, day))
    dated: set[dt.date] = set()
    names: dict[dt.date, str] = {}
    for item in data.get("dated") or []:
        first = dt.date.fromisoformat(str(item["from"]))
        last = dt.date.fromisoformat(str(item.get("to", item["from"])))
        if last < first:
            raise ValueError(f"holiday range ends before it starts: {item}")
        day = first
        while day <= last:
            dated.add(day)
            names[day] = str(item.get("name", ""))
            day += dt.timedelta(days=1)
    covers_until = data.get("covers_until")
    return HolidayCalendar(
        frozenset(recurring),
        frozenset(dated),
        names,
        dt.date.fromisoformat(str(covers_until)) if covers_until else None,
    )


COVERAGE_DAYS = 365  # the calendar should know the holidays of the next 12 months


def coverage_warning(calendar: HolidayCalendar, today: dt.date, file: Path | str) -> str | None:
    """What to tell the operator when the holidays file does not cover the next 12 months
    (the Eid holidays are announced late; a missing one shifts every due date), else None."""
    horizon = today + dt.timedelta(days=COVERAGE_DAYS)
    known = calendar.known_until()
    if known is not None and known >= horizon:
        return None
    listed = f"lists holidays up to {known.isoformat()} only" if known else "lists no dated holiday"
    return (
        f"{file} {listed}: add the official holidays up to {horizon.isoformat()} "
        "(and set `covers_until`), or due dates after that ignore them"
    )
