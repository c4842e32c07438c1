"""The staff's lists of reports in the store (SQLite and PostgreSQL): each filter, paging,
oldest first, working days counted across a weekend and a holiday, one query for the page
and one count."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from bot.rules.working_days import HolidayCalendar
from bot.store.follow_up import change_status, find_report, mark_dispatched, notice_attention
from bot.store.models import OutboxMessage, Report
from bot.store.report_lists import (
    ReportFilters,
    first_review_cutoff,
    list_reports,
)
from bot.store.reports import entity_key, file_report
from tests.helpers.reports import complaint

RIYADH = ZoneInfo("Asia/Riyadh")
WEEKENDS_ONLY = HolidayCalendar()
# Thursday 26 November 2026, 10:00 in Riyadh; the weekend is Friday and Saturday.
THURSDAY = dt.datetime(2026, 11, 26, 10, 0, tzinfo=RIYADH)
HEALTH = "وزارة الصحة"
ZAKAT = "هيئة الزكاة والضريبة والجمارك"
_prior = itertools.count(1)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def file(
    store, filed_at: dt.datetime, due_on: dt.date = day("2026-12-03"), kind="complaint", **extra
) -> str:
    """File a report at `filed_at` (a new prior complaint number each time: one escalation
    per entity and number)."""
    new = complaint(prior_number=f"INC-{next(_prior)}", **extra)
    if kind != "complaint":
        new = dataclasses.replace(new, type=kind, prior_number=None, trigger=None)
    return file_report(store, new, filed_at.astimezone(dt.timezone.utc), due_on).number


def numbers(store, filters=ReportFilters(), today=day("2026-12-01"), **options) -> list[str]:
    options.setdefault("zone", RIYADH)
    page = list_reports(store, filters, today, options.pop("calendar", WEEKENDS_ONLY), **options)
    return [report.number for report in page.reports]


def move(store, number: str, *statuses: str, at: dt.datetime = THURSDAY) -> None:
    for status in statuses:
        extra = {"implementation_time": "خلال شهر"} if status == "accepted" else None
        change_status(
            store, number, status, "ملاحظة", "staff", at.astimezone(dt.timezone.utc), extra
        )


# --- order and pages -----------------------------------------------------------------


def test_oldest_first_then_by_id_paged_with_the_total(store):
    later = file(store, THURSDAY + dt.timedelta(hours=3))
    oldest = file(store, THURSDAY - dt.timedelta(days=2))
    same_a = file(store, THURSDAY)
    same_b = file(store, THURSDAY)  # the same instant: the earlier id first
    newest = file(store, THURSDAY + dt.timedelta(days=1))
    order = [oldest, same_a, same_b, later, newest]
    assert numbers(store) == order
    pages = [
        list_reports(store, ReportFilters(), day("2026-12-01"), WEEKENDS_ONLY, page, 2)
        for page in (1, 2, 3, 4)
    ]
    assert [[r.number for r in p.reports] for p in pages] == [order[:2], order[2:4], order[4:], []]
    assert {p.total for p in pages} == {5}
    with pytest.raises(ValueError):
        list_reports(store, ReportFilters(), day("2026-12-01"), WEEKENDS_ONLY, 0, 20)


def test_a_listed_report_reads_as_the_staff_api_reads_it(store):
    number = file(store, THURSDAY)
    move(store, number, "under_review", "referred")
    (listed,) = list_reports(store, ReportFilters(), day("2026-12-01"), WEEKENDS_ONLY).reports
    found = find_report(store, number)
    assert listed.latest_note == "ملاحظة" == found.latest_note
    assert listed.created_at == THURSDAY  # aware, on SQLite too
    same = {k: v for k, v in listed.as_api().items() if k != "created_at"}
    assert same == {k: v for k, v in found.as_api().items() if k != "created_at"}
    assert listed.as_api()["status_label"] == "أُحيل إلى الجهة المقدمة للخدمة"


def test_one_query_for_the_page_and_one_count_however_many_reports(store):
    for hours in range(25):
        move(store, file(store, THURSDAY + dt.timedelta(hours=hours)), "under_review")
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        everything = ReportFilters(
            statuses=("missing_data",), overdue=True, awaiting_first_review=True
        )
        for filters in (ReportFilters(), ReportFilters(needs_attention=True), everything):
            statements.clear()
            page = list_reports(store, filters, day("2026-12-01"), WEEKENDS_ONLY, 1, 20, RIYADH)
            selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
            assert len(selects) == 2, selects
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    page = list_reports(store, ReportFilters(), day("2026-12-01"), WEEKENDS_ONLY, 2, 20)
    assert (len(page.reports), page.total) == (5, 25)


# --- status, type, entity ------------------------------------------------------------


def test_by_status_one_or_several(store):
    received = file(store, THURSDAY)
    review = file(store, THURSDAY + dt.timedelta(hours=1))
    move(store, review, "under_review")
    missing = file(store, THURSDAY + dt.timedelta(hours=2))
    move(store, missing, "missing_data")
    closed = file(store, THURSDAY + dt.timedelta(hours=3))
    move(store, closed, "closed")
    assert numbers(store, ReportFilters(statuses=("missing_data",))) == [missing]
    several = ReportFilters(statuses=("closed", "received", "under_review"))
    assert numbers(store, several) == [received, review, closed]
    assert numbers(store, ReportFilters(statuses=("cancelled",))) == []
    with pytest.raises(ValueError):
        ReportFilters(statuses=("lost",))


def test_by_type_and_by_entity_name_or_key(store):
    health = file(store, THURSDAY, entity=HEALTH)
    zakat = file(store, THURSDAY + dt.timedelta(hours=1), entity=ZAKAT)
    paper = file(store, THURSDAY + dt.timedelta(hours=2), kind="digitization", entity=ZAKAT)
    idea = file(store, THURSDAY + dt.timedelta(hours=3), kind="improvement", entity=HEALTH)
    assert numbers(store, ReportFilters(type="complaint")) == [health, zakat]
    assert numbers(store, ReportFilters(type="digitization")) == [paper]
    assert numbers(store, ReportFilters(type="improvement")) == [idea]
    assert numbers(store, ReportFilters(entity=ZAKAT)) == [zakat, paper]
    assert numbers(store, ReportFilters(entity=entity_key(ZAKAT))) == [zakat, paper]
    # Written another way (ة / ه, no article): the same catalogue key.
    assert entity_key("وزاره صحه") == entity_key(HEALTH)
    assert numbers(store, ReportFilters(entity="وزاره صحه")) == [health, idea]
    assert numbers(store, ReportFilters(entity="وزارة التعليم")) == []
    assert numbers(store, ReportFilters(type="improvement", entity=ZAKAT)) == []
    with pytest.raises(ValueError):
        ReportFilters(type="question")


# --- overdue ---------------------------------------------------------------------------


def test_overdue_is_open_and_past_its_answer_date_and_missing_data_stops_the_clock(store):
    today = day("2026-12-01")
    late = file(store, THURSDAY, due_on=day("2026-11-30"))
    late_in_progress = file(store, THURSDAY, due_on=day("2026-11-20"))
    move(store, late_in_progress, "in_progress")
    due_today = file(store, THURSDAY, due_on=today)
    not_yet = file(store, THURSDAY, due_on=day("2026-12-03"))
    waiting = file(store, THURSDAY, due_on=day("2026-11-30"))
    move(store, waiting, "missing_data")  # the centre waits for the beneficiary
    for settled in ("closed", "accepted", "rejected", "cancelled"):
        move(store, file(store, THURSDAY, due_on=day("2026-11-30")), settled)
    assert set(numbers(store, ReportFilters(overdue=True), today)) == {late, late_in_progress}
    assert numbers(store, ReportFilters(overdue=True), today) == [late, late_in_progress]
    assert due_today not in numbers(store, ReportFilters(overdue=True), today)
    assert numbers(store, ReportFilters(overdue=True), day("2026-12-02")) == [
        late,
        late_in_progress,
        due_today,
    ]
    assert not_yet not in numbers(store, ReportFilters(overdue=True), day("2026-12-03"))
    assert numbers(store, ReportFilters(overdue=True, statuses=("in_progress",)), today) == [
        late_in_progress
    ]


# --- awaiting the first review ---------------------------------------------------------


def test_the_first_review_cutoff_skips_the_weekend():
    # Monday: the reports filed up to Saturday (Thursday, the weekend) have had Sunday and
    # Monday.
    assert first_review_cutoff(day("2026-11-30"), WEEKENDS_ONLY) == day("2026-11-28")
    # Sunday: Thursday has had one working day only; Wednesday two (Thursday, Sunday).
    assert first_review_cutoff(day("2026-11-29"), WEEKENDS_ONLY) == day("2026-11-25")
    # Saturday: Wednesday has had Thursday only; Tuesday, Wednesday and Thursday.
    assert first_review_cutoff(day("2026-11-28"), WEEKENDS_ONLY) == day("2026-11-24")
    assert first_review_cutoff(day("2026-11-25"), WEEKENDS_ONLY) == day("2026-11-23")


def test_awaiting_first_review_counts_working_days_across_a_weekend(store):
    thursday = file(store, THURSDAY)
    reviewed = file(store, THURSDAY)
    move(store, reviewed, "under_review")
    asked = file(store, THURSDAY)
    move(store, asked, "missing_data")
    awaiting = ReportFilters(awaiting_first_review=True)
    for today in ("2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29"):
        # Thursday itself, the weekend, then Sunday: its first working day.
        assert numbers(store, awaiting, day(today)) == [], today
    assert numbers(store, awaiting, day("2026-11-30")) == [thursday]  # Monday
    assert numbers(store, awaiting, day("2026-12-01")) == [thursday]
    assert numbers(store, ReportFilters(statuses=("received",)), day("2026-11-29")) == [thursday]


def test_the_filing_day_is_the_centre_s_day_and_holidays_are_skipped(store):
    # Wednesday 23:30 in Riyadh is still Wednesday (20:30 UTC); 00:30 Thursday is Thursday
    # there, though Wednesday in UTC.
    wednesday_night = file(store, dt.datetime(2026, 11, 25, 23, 30, tzinfo=RIYADH))
    thursday_early = file(store, dt.datetime(2026, 11, 26, 0, 30, tzinfo=RIYADH))
    awaiting = ReportFilters(awaiting_first_review=True)
    assert numbers(store, awaiting, day("2026-11-29")) == [wednesday_night]  # Sunday
    assert numbers(store, awaiting, day("2026-11-30")) == [wednesday_night, thursday_early]
    # Monday a holiday: the Thursday report has had one working day until Tuesday.
    holiday = HolidayCalendar(dated=frozenset({day("2026-11-30")}))
    assert numbers(store, awaiting, day("2026-11-30"), calendar=holiday) == [wednesday_night]
    assert numbers(store, awaiting, day("2026-12-01"), calendar=holiday) == [
        wednesday_night,
        thursday_early,
    ]


# --- the missing-data notice that reached nobody ---------------------------------------


def _notices(store, number: str) -> list[int]:
    with store.session() as session:
        return list(
            session.execute(
                select(OutboxMessage.id)
                .join(Report, Report.id == OutboxMessage.report_id)
                .where(
                    Report.number == number,
                    OutboxMessage.kind == "missing_data",
                    OutboxMessage.dispatched_at.is_(None),
                )
                .order_by(OutboxMessage.id)
            ).scalars()
        )


def _asked(store, at: dt.datetime) -> tuple[str, list[int]]:
    number = file(store, at)
    move(store, number, "missing_data", at=at)
    return number, _notices(store, number)


def test_needs_attention_when_the_missing_data_notice_reached_nobody(store):
    at = THURSDAY.astimezone(dt.timezone.utc)
    unreached, ids = _asked(store, at)
    for notice in ids:
        mark_dispatched(store, notice, at, reached=False)  # a web chat nobody had open
    reached, ids = _asked(store, at + dt.timedelta(minutes=1))
    mark_dispatched(store, ids[0], at, reached=True)
    pending, _ = _asked(store, at + dt.timedelta(minutes=2))  # not sent yet: no verdict
    answered, ids = _asked(store, at + dt.timedelta(minutes=3))
    for notice in ids:
        mark_dispatched(store, notice, at, reached=False)
    move(store, answered, "under_review", at=at + dt.timedelta(hours=1))  # no longer waiting
    # Asked twice: the first notice reached nobody, the second reached the citizen.
    again, ids = _asked(store, at + dt.timedelta(minutes=4))
    for notice in ids:
        mark_dispatched(store, notice, at, reached=False)
    move(store, again, "under_review", at=at + dt.timedelta(hours=1))
    move(store, again, "missing_data", at=at + dt.timedelta(hours=2))
    mark_dispatched(store, _notices(store, again)[0], at + dt.timedelta(hours=2), reached=True)
    listed = numbers(store, ReportFilters(needs_attention=True))
    assert listed == [unreached]
    everyone = [unreached, reached, pending, answered, again]
    assert listed == [n for n in everyone if notice_attention(store, n)]
    # Asked twice, the second notice reaching nobody either: listed.
    for notice in _notices(store, reached):
        mark_dispatched(store, notice, at, reached=False)
    move(store, reached, "under_review", "missing_data", at=at + dt.timedelta(hours=3))
    for notice in _notices(store, reached):
        mark_dispatched(store, notice, at + dt.timedelta(hours=3), reached=False)
    assert numbers(store, ReportFilters(needs_attention=True)) == [unreached, reached]
    assert notice_attention(store, reached) == "missing_data_notice_not_delivered"
