import datetime as dt
from zoneinfo import ZoneInfo

from bot.rules.working_days import HolidayCalendar
from bot.rules.working_hours import agents_available, next_opening

RIYADH = ZoneInfo("Asia/Riyadh")
CALENDAR = HolidayCalendar()


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=RIYADH)


def test_agents_work_sunday_to_thursday_in_office_hours():
    assert agents_available(at(23, 9), CALENDAR, "08:00-16:00")  # Monday 09:00
    assert not agents_available(at(23, 16), CALENDAR, "08:00-16:00")
    assert not agents_available(at(27, 10), CALENDAR, "08:00-16:00")  # Friday
    assert agents_available(at(27, 10), CALENDAR, "always")


def test_next_opening():
    assert next_opening(at(23, 7), CALENDAR, "08:00-16:00") == at(23, 8)
    assert next_opening(at(23, 17), CALENDAR, "08:00-16:00") == at(24, 8)
    assert next_opening(at(26, 17), CALENDAR, "08:00-16:00") == at(29, 8)  # Thu → Sun
    assert next_opening(at(23, 9), CALENDAR, "08:00-16:00") == at(23, 9)
