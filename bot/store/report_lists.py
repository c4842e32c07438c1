"""Lists of reports for the staff and the supervisors: what the guide asks of them.

`list_reports` returns one page of reports (oldest first) matching `ReportFilters`, and how
many match in all: one query for the page and one count, the same on SQLite and PostgreSQL.
The filters, combined with AND:

- `statuses` (any of them), `type`, `entity` (the name as filed, or its catalogue key);
- `overdue`: not settled and past its answer date (`due_on` before today); a report waiting
  in missing data is not overdue: the clock stops while the centre waits for the beneficiary;
- `awaiting_first_review`: still `received` more than one working day after the day it was
  filed (the guide: the missing-data notice goes out «خلال اليوم الأول»): filed on a
  Thursday, it is listed from the Monday (Sunday is its first working day), holidays
  skipped as in `bot/rules/working_days.py`;
- `needs_attention`: waiting in missing data while no route of its missing-data notice
  reached the citizen, every route done (what `notice_attention` says of one report).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from bot import clock
from bot.rules.beneficiary import kind_of_national_id
from bot.rules.lifecycle import REPORT_TYPES, SETTLED, STATUSES
from bot.rules.working_days import HolidayCalendar
from bot.store.database import Store, utc
from bot.store.follow_up import ReportView
from bot.store.models import OutboxMessage, Report, StatusChange
from bot.store.reports import entity_key

# Working days after the filing day within which the first review is due (the guide's
# «خلال اليوم الأول»): a report still received after them waits too long.
FIRST_REVIEW_WORKING_DAYS = 1
_LOOKBACK_DAYS = 400  # a calendar closed for longer than this is not a calendar


@dataclass(frozen=True)
class ReportFilters:
    """Which reports to list (every filter given must hold)."""

    statuses: tuple[str, ...] = ()
    type: str | None = None
    entity: str | None = None
    overdue: bool = False
    awaiting_first_review: bool = False
    needs_attention: bool = False

    def __post_init__(self) -> None:
        unknown = [s for s in self.statuses if s not in STATUSES]
        if unknown:
            raise ValueError(f"unknown statuses: {', '.join(unknown)}")
        if self.type is not None and self.type not in REPORT_TYPES:
            raise ValueError(f"unknown report type: {self.type}")


class ReportPage(NamedTuple):
    """One page of a list: its reports, oldest first, and how many match in all."""

    reports: list[ReportView]
    total: int


def first_review_cutoff(today: dt.date, calendar: HolidayCalendar) -> dt.date:
    """The last filing day of a report whose first review is late today: more than
    `FIRST_REVIEW_WORKING_DAYS` working days lie after it, up to today."""
    day = today - dt.timedelta(days=1)
    for _ in range(_LOOKBACK_DAYS):
        if calendar.working_days_between(day, today) > FIRST_REVIEW_WORKING_DAYS:
            return day
        day -= dt.timedelta(days=1)
    return day


def _start_of(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The instant (UTC) the centre's `day` begins."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.timezone.utc)


def _needs_attention() -> ColumnElement[bool]:
    """In missing data, with a missing-data notice queued since it entered it, every route
    of which is done (dispatched or skipped) and none of which reached the citizen."""
    entered = (
        select(func.max(StatusChange.created_at))
        .where(StatusChange.report_id == Report.id, StatusChange.status == "missing_data")
        .correlate(Report)
        .scalar_subquery()
    )
    notice = and_(
        OutboxMessage.report_id == Report.id,
        OutboxMessage.kind == "missing_data",
        OutboxMessage.created_at >= entered,
    )
    reached_or_pending = or_(
        OutboxMessage.reached_at.is_not(None), OutboxMessage.dispatched_at.is_(None)
    )
    return and_(
        Report.status == "missing_data",
        select(OutboxMessage.id).where(notice).correlate(Report).exists(),
        ~select(OutboxMessage.id).where(notice, reached_or_pending).correlate(Report).exists(),
    )


def conditions(
    filters: ReportFilters,
    today: dt.date,
    calendar: HolidayCalendar,
    zone: dt.tzinfo | None = None,
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of `filters` on the reports table."""
    found: list[ColumnElement[bool]] = []
    if filters.statuses:
        found.append(Report.status.in_(sorted(set(filters.statuses))))
    if filters.type:
        found.append(Report.type == filters.type)
    if filters.entity:
        found.append(
            or_(
                Report.entity == filters.entity,
                Report.entity_key == filters.entity,
                Report.entity_key == entity_key(filters.entity),
            )
        )
    if filters.overdue:
        found += [
            Report.status.not_in(sorted(SETTLED)),
            Report.status != "missing_data",  # the clock stops while the centre waits
            Report.due_on < today,
        ]
    if filters.awaiting_first_review:
        cutoff = first_review_cutoff(today, calendar)
        found += [
            Report.status == "received",
            Report.created_at < _start_of(cutoff + dt.timedelta(days=1), zone or clock.zone()),
        ]
    if filters.needs_attention:
        found.append(_needs_attention())
    return found


_LATEST_NOTE = (
    select(StatusChange.note)
    .where(
        StatusChange.report_id == Report.id,
        StatusChange.note.is_not(None),
        StatusChange.note != "",
    )
    .order_by(StatusChange.id.desc())
    .limit(1)
    .correlate(Report)
    .scalar_subquery()
)
_COLUMNS = (
    Report.number,
    Report.type,
    Report.status,
    Report.channel,
    Report.conversation_id,
    Report.national_id,
    Report.created_at,
    Report.due_on,
    _LATEST_NOTE.label("latest_note"),
    Report.entity,
    Report.service,
    Report.beneficiary_kind,
    Report.organisation_name,
    Report.implementation_time,
)


def _view(row) -> ReportView:  # type: ignore[no-untyped-def]
    return ReportView(
        number=row.number,
        type=row.type,
        status=row.status,
        channel=row.channel,
        conversation_id=row.conversation_id,
        national_id=row.national_id,
        created_at=utc(row.created_at),
        due_on=row.due_on,
        latest_note=row.latest_note,
        entity=row.entity,
        service=row.service,
        # As `find_report`: reports from before the kinds were recorded, by the ID.
        beneficiary_kind=(
            row.beneficiary_kind or kind_of_national_id(row.national_id) or "citizen"
        ),
        organisation_name=row.organisation_name,
        implementation_time=row.implementation_time,
    )


def list_reports(
    store: Store,
    filters: ReportFilters,
    today: dt.date,
    calendar: HolidayCalendar,
    page: int = 1,
    per_page: int = 20,
    zone: dt.tzinfo | None = None,
) -> ReportPage:
    """Page `page` (from 1) of the reports matching `filters`, `per_page` of them, oldest
    first (filing time, then id), and the number matching in all. `today` and `zone`: the
    centre's date and time zone (default `BALAGH_TIMEZONE`)."""
    if page < 1 or per_page < 1:
        raise ValueError("page and per_page start at 1")
    where = conditions(filters, today, calendar, zone)
    with store.session() as session:
        rows = session.execute(
            select(*_COLUMNS)
            .where(*where)
            .order_by(Report.created_at, Report.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        total = session.execute(select(func.count()).select_from(Report).where(*where)).scalar_one()
    return ReportPage([_view(row) for row in rows], int(total))
