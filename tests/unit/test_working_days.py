import datetime as dt

from bot.rules.working_days import HolidayCalendar, load_calendar

THURSDAY = dt.date(2026, 11, 19)
SUNDAY = dt.date(2026, 11, 22)


def test_friday_and_saturday_are_the_weekend():
    calendar = HolidayCalendar()
    assert calendar.is_working_day(THURSDAY)
    assert not calendar.is_working_day(dt.date(2026, 11, 20))
    assert not calendar.is_working_day(dt.date(2026, 11, 21))
    assert calendar.is_working_day(SUNDAY)


def test_adding_working_days_skips_the_weekend():
    calendar = HolidayCalendar()
    assert calendar.add_working_days(THURSDAY, 1) == SUNDAY
    assert calendar.add_working_days(SUNDAY, 5) == dt.date(2026, 11, 29)


def test_working_days_between_counts_after_start_up_to_end():
    calendar = HolidayCalendar()
    assert calendar.working_days_between(THURSDAY, SUNDAY) == 1
    assert calendar.working_days_between(SUNDAY, SUNDAY) == 0
    assert calendar.working_days_between(SUNDAY, dt.date(2026, 11, 29)) == 5


def test_shipped_file_has_founding_and_national_days_every_year():
    calendar = load_calendar()
    assert not calendar.is_working_day(dt.date(2027, 9, 23))  # a Thursday
    assert not calendar.is_working_day(dt.date(2028, 2, 22))  # a Tuesday


def test_eid_holiday_from_the_file_is_skipped(tmp_path):
    holidays = tmp_path / "holidays.yml"
    holidays.write_text(
        'dated:\n  - name: عيد\n    from: "2026-11-24"\n    to: "2026-11-26"\n', encoding="utf-8"
    )
    calendar = load_calendar(holidays)
    monday = dt.date(2026, 11, 23)
    assert calendar.add_working_days(monday, 1) == dt.date(2026, 11, 29)
    assert calendar.names[dt.date(2026, 11, 25)] == "عيد"


def test_missing_file_means_weekends_only(tmp_path):
    calendar = load_calendar(tmp_path / "absent.yml")
    assert calendar.is_working_day(dt.date(2026, 9, 23))
