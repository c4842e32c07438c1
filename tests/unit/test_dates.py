import datetime as dt

import pytest

from bot.rules.dates import format_date_ar, parse_user_date

TODAY = dt.date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-11-01", dt.date(2026, 11, 1)),
        ("2026/11/01", dt.date(2026, 11, 1)),
        ("1/11/2026", dt.date(2026, 11, 1)),
        ("٢٠٢٦/١١/٠١", dt.date(2026, 11, 1)),
        ("١/١١/٢٠٢٦م", dt.date(2026, 11, 1)),
        ("1 نوفمبر 2026", dt.date(2026, 11, 1)),
        ("5 مارس", dt.date(2026, 3, 5)),
        ("30 ديسمبر", dt.date(2025, 12, 30)),
    ],
)
def test_gregorian_dates(typed, expected):
    parsed = parse_user_date(typed, TODAY)
    assert parsed.date == expected
    assert parsed.calendar == "gregorian"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1448/05/15", dt.date(2026, 10, 26)),
        ("15/5/1448 هـ", dt.date(2026, 10, 26)),
        ("١٥/٠٥/١٤٤٨", dt.date(2026, 10, 26)),
        ("15 جمادى الأولى 1448", dt.date(2026, 10, 26)),
    ],
)
def test_hijri_dates(typed, expected):
    parsed = parse_user_date(typed, TODAY)
    assert parsed.date == expected
    assert parsed.calendar == "hijri"


@pytest.mark.parametrize(
    ("typed", "days_ago"),
    [
        ("اليوم", 0),
        ("أمس", 1),
        ("قبل أمس", 2),
        ("قبل أسبوعين", 14),
        ("قبل ٣ أيام", 3),
        ("قبل ثلاثة أيام", 3),
        ("قبل يومين", 2),
        ("قبل شهر", 30),
        ("منذ 10 أيام", 10),
        ("الأسبوع الماضي", 7),
        # Persian and Urdu words, as residents type them (Persian letters or Arabic ones)
        ("قبل یک شهر", 30),
        ("قبل يك ماه", 30),
        ("قبل 3 هفته", 21),
        ("قبل ۵ روز", 5),
    ],
)
def test_relative_dates(typed, days_ago):
    assert parse_user_date(typed, TODAY).date == TODAY - dt.timedelta(days=days_ago)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("2026/12/25", "future"),
        ("31/02/2026", "impossible"),
        ("2026/13/01", "impossible"),
        ("1448/13/01", "impossible"),
        ("1/1/2001", "too_old"),
        ("بكرة", "future"),  # tomorrow: a date, in the future
        ("", "unparsed"),
        ("😀", "unparsed"),
    ],
)
def test_refused_dates_say_why(typed, error):
    parsed = parse_user_date(typed, TODAY)
    assert parsed.date is None
    assert parsed.error == error


def test_format_names_the_weekday():
    assert format_date_ar(dt.date(2026, 11, 29)) == "الأحد 2026-11-29"


@pytest.mark.parametrize(
    ("typed", "days_back"),
    [
        ("3 weeks ago", 21),
        ("about a month ago", 30),
        ("yesterday", 1),
        ("last week", 7),
        ("gabl 3 asabee3", 21),  # Arabizi
        ("gabl shahr", 30),
        ("mn osboo3ain", 14),
    ],
)
def test_elapsed_time_in_english_and_arabizi(typed: str, days_back: int) -> None:
    today = dt.date(2026, 12, 3)
    assert parse_user_date(typed, today).date == today - dt.timedelta(days=days_back)
