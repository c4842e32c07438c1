"""Filing and finding reports: the only place the actions touch the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import local_date
from bot.rules.arabic import comparison_key, to_ascii_digits
from bot.rules.eligibility import EarlierRequest
from bot.store.crypto import MOBILE, NATIONAL_ID, hash_of, lookup_hashes
from bot.store.database import Store
from bot.store.models import Document, Report, ReportCounter, StatusChange


class AlreadyEscalated(Exception):
    """The same complaint number with the same entity was escalated before."""

    def __init__(self, existing_number: str) -> None:
        super().__init__(existing_number)
        self.existing_number = existing_number


@dataclass
class NewReport:
    """What the dialogue collected, ready to be filed."""

    type: str
    channel: str
    conversation_id: str
    beneficiary_name: str
    national_id: str
    mobile: str
    entity: str | None = None
    platform: str | None = None
    service: str | None = None
    request_channel: str | None = None
    trigger: str | None = None
    closed_topic: str | None = None
    sla_working_days: int | None = None
    prior_number: str | None = None
    prior_date: dt.date | None = None
    title: str | None = None
    description: str | None = None
    documents: list[tuple[str, str, str | None]] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    needs_review: bool = False
    beneficiary_kind: str | None = None
    nationality: str | None = None
    organisation_name: str | None = None


@dataclass(frozen=True)
class FiledReport:
    """The number and answer date given back to the beneficiary."""

    number: str
    due_on: dt.date
    id: int = 0  # what the report's links name


def reference_key(reference: str) -> str:
    """Complaint numbers compare without spaces, dashes, case or Arabic-Indic digits."""
    return "".join(ch for ch in to_ascii_digits(reference).upper() if ch.isalnum())


def entity_key(entity: str) -> str:
    """Entity names compare on normalised Arabic (هيئة / هيئه, the article dropped)."""
    return comparison_key(entity)


def _next_number(session: Session, now: dt.datetime) -> str:
    """Increment this year's counter inside the filing transaction.

    The UPDATE takes the row's write lock (PostgreSQL) or the database's (SQLite), so
    two concurrent filings can never read the same value.
    """
    year = local_date(now).year
    dialect = session.bind.dialect.name
    if dialect == "postgresql":
        session.execute(
            text(
                "INSERT INTO report_counters (year, last_value) VALUES (:y, 0) "
                "ON CONFLICT (year) DO NOTHING"
            ),
            {"y": year},
        )
    else:
        session.execute(
            text("INSERT OR IGNORE INTO report_counters (year, last_value) VALUES (:y, 0)"),
            {"y": year},
        )
    session.execute(
        update(ReportCounter)
        .where(ReportCounter.year == year)
        .values(last_value=ReportCounter.last_value + 1)
    )
    value = session.execute(
        select(ReportCounter.last_value).where(ReportCounter.year == year)
    ).scalar_one()
    return f"{year % 100:02d}{value:07d}"


def find_escalation(store: Store, entity: str, prior_number: str) -> str | None:
    """The number of a live escalation of this complaint number with this entity, if any."""
    with store.session() as session:
        return session.execute(
            select(Report.number).where(
                Report.type == "complaint",
                Report.status != "cancelled",
                Report.entity_key == entity_key(entity),
                Report.prior_number_key == reference_key(prior_number),
            )
        ).scalar_one_or_none()


def file_report(store: Store, new: NewReport, now: dt.datetime, due_on: dt.date) -> FiledReport:
    """Store the report, its first status and its documents in one transaction."""
    try:
        with store.session() as session:
            number = _next_number(session, now)
            report = Report(
                number=number,
                type=new.type,
                status="received",
                channel=new.channel,
                conversation_id=new.conversation_id,
                beneficiary_name=new.beneficiary_name,
                national_id=new.national_id,
                mobile=new.mobile,
                national_id_hash=hash_of(NATIONAL_ID, new.national_id),
                mobile_hash=hash_of(MOBILE, new.mobile),
                beneficiary_kind=new.beneficiary_kind,
                nationality=new.nationality,
                organisation_name=new.organisation_name,
                entity=new.entity,
                entity_key=entity_key(new.entity) if new.entity else None,
                platform=new.platform,
                service=new.service,
                request_channel=new.request_channel,
                trigger=new.trigger,
                closed_topic=new.closed_topic,
                sla_working_days=new.sla_working_days,
                prior_number=new.prior_number,
                prior_number_key=reference_key(new.prior_number) if new.prior_number else None,
                prior_date=new.prior_date,
                title=new.title,
                description=new.description,
                details=new.details,
                needs_review=new.needs_review,
                created_at=now,
                updated_at=now,
                due_on=due_on,
            )
            session.add(report)
            session.add(StatusChange(report=report, status="received", actor="bot", created_at=now))
            for kind, reference, content_type in new.documents:
                session.add(
                    Document(
                        report=report,
                        kind=kind,
                        reference=reference,
                        content_type=content_type,
                        created_at=now,
                    )
                )
            session.flush()
            return FiledReport(number, due_on, report.id)
    except IntegrityError:
        if new.type == "complaint" and new.entity and new.prior_number:
            existing = find_escalation(store, new.entity, new.prior_number)
            if existing:
                raise AlreadyEscalated(existing) from None
        raise


def earlier_requests(store: Store, national_id: str, report_type: str) -> list[EarlierRequest]:
    """The beneficiary's earlier, not cancelled, reports of one type (newest first)."""
    with store.session() as session:
        rows = session.execute(
            select(Report.number, Report.service, Report.entity, Report.description)
            .where(
                Report.national_id_hash.in_(lookup_hashes(NATIONAL_ID, national_id)),
                Report.type == report_type,
                Report.status != "cancelled",
            )
            .order_by(Report.id.desc())
        ).all()
    return [
        EarlierRequest(number, service or "", entity, text)
        for number, service, entity, text in rows
    ]
