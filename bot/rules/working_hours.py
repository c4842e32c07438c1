"""When the centre's agents are at their desks: working days (Sunday–Thursday, minus
holidays) between the configured hours (`BALAGH_AGENT_HOURS`, read by `bot.settings`),
Riyadh time."""

from __future__ import annotations

import datetime as dt

from bot.rules.working_days import HolidayCalendar


def _hours(spec: str) -> tuple[dt.time, dt.time] | None:
    """'08:00-16:00' → (08:00, 16:00); 'always' → None (agents always available)."""
    if spec.strip().lower() == "always":
        return None
    start, end = (dt.time.fromisoformat(part.strip()) for part in spec.split("-"))
    return start, end


def agents_available(local: dt.datetime, calendar: HolidayCalendar, spec: str) -> bool:
    hours = _hours(spec)
    if hours is None:
        return True
    start, end = hours
    return calendar.is_working_day(local.date()) and start <= local.time() < end


def next_opening(local: dt.datetime, calendar: HolidayCalendar, spec: str) -> dt.datetime:
    """The next moment agents are available (`local` itself if they are now)."""
    if agents_available(local, calendar, spec):
        return local
    start, _ = _hours(spec)  # type: ignore[misc]
    day = local.date()
    if not (calendar.is_working_day(day) and local.time() < start):
        day = calendar.add_working_days(day, 1)
    return dt.datetime.combine(day, start, tzinfo=local.tzinfo)
