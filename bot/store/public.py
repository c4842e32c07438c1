"""What a report's public pages may read: its status page (`/s/<link>`) and the way back to
the web chat conversation it was filed in (`/c/<link>`).

Anyone holding a link opens these pages, so this module answers with no name, identifier,
mobile, organisation, description or conversation id: only the number, the type, the status,
the dates, the latest note and, once accepted, when it will be implemented. The conversation
id is given separately (`conversation_of`) to the desk, which turns it into a widget session
and never shows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from bot.clock import local_date
from bot.store.database import Store, utc
from bot.store.models import Report, StatusChange

# The ids an INTEGER column holds (PostgreSQL refuses a larger one with an error).
_MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class PublicStatus:
    """A report as its public status page shows it (codes: the page names them in Arabic)."""

    number: str
    type: str
    status: str
    filed_on: dt.date  # the centre's calendar date of the filing
    due_on: dt.date
    latest_note: str | None
    implementation_time: str | None  # only once accepted


def public_status(
    store: Store,
    report_id: int,
    clean: Callable[[str, str | None], str] | None = None,
) -> PublicStatus | None:
    """The report `report_id` as the public page may show it; None if there is none.

    `clean(text, beneficiary_name)` (the desk passes its scrubber) removes identifiers from
    the free texts written by staff (the note, the implementation time); the name it is
    given never leaves this function."""
    if not 0 < report_id <= _MAX_ID:
        return None
    with store.session() as session:
        report = session.get(Report, report_id)
        if report is None:
            return None
        note = session.execute(
            select(StatusChange.note)
            .where(StatusChange.report_id == report_id, StatusChange.note.is_not(None))
            .where(StatusChange.note != "")
            .order_by(StatusChange.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        when = report.implementation_time if report.status == "accepted" else None
        if clean is not None:
            name = report.beneficiary_name
            note = clean(note, name) if note else note
            when = clean(when, name) if when else when
        return PublicStatus(
            number=report.number,
            type=report.type,
            status=report.status,
            filed_on=local_date(utc(report.created_at)),
            due_on=report.due_on,
            latest_note=note or None,
            implementation_time=when or None,
        )


def conversation_of(store: Store, report_id: int) -> str | None:
    """The conversation the report was filed from (`web:<id>`, `whatsapp:+…`, …)."""
    if not 0 < report_id <= _MAX_ID:
        return None
    with store.session() as session:
        return session.execute(
            select(Report.conversation_id).where(Report.id == report_id)
        ).scalar_one_or_none()


def report_id_of(store: Store, number: str) -> int | None:
    """The id a link names, for the report with this number (whoever makes the link)."""
    with store.session() as session:
        return session.execute(
            select(Report.id).where(Report.number == number)
        ).scalar_one_or_none()
