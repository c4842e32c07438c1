"""After filing: status changes with their notifications (outbox), timed work, ownership
checks, missing documents and the satisfaction survey."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.clock import local_date
from bot.rules.beneficiary import kind_of_national_id
from bot.rules.labels import BENEFICIARY_KIND_LABELS
from bot.rules.lifecycle import (
    MISSING_DATA_HOURS,
    SCHEDULER,
    SETTLED,
    STATUS_LABELS,
    check_transition,
    notification_for,
    status_after_update,
)
from bot.rules.notices import CHOICES, CONVERSATION, routes_for
from bot.rules.working_days import HolidayCalendar
from bot.store.database import Store, utc
from bot.store.models import (
    Document,
    OutboxMessage,
    OwnershipGrant,
    Report,
    SmsOptOut,
    StatusChange,
    SurveyAnswer,
)


class ReportNotFound(LookupError):
    """No report has that number."""


@dataclass(frozen=True)
class ReportView:
    """What the beneficiary and the staff see of a report."""

    number: str
    type: str
    status: str
    channel: str
    conversation_id: str
    national_id: str
    created_at: dt.datetime
    due_on: dt.date
    latest_note: str | None
    entity: str | None
    service: str | None
    beneficiary_kind: str = "citizen"
    organisation_name: str | None = None
    implementation_time: str | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def as_api(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "type": self.type,
            "status": self.status,
            "status_label": self.status_label,
            "channel": self.channel,
            "created_at": self.created_at.isoformat(),
            "due_at": self.due_on.isoformat(),
            "latest_note": self.latest_note,
            "entity": self.entity,
            "service": self.service,
            "beneficiary_kind": self.beneficiary_kind,
            "beneficiary_kind_label": BENEFICIARY_KIND_LABELS[self.beneficiary_kind],
            "organisation_name": self.organisation_name,
            "implementation_time": self.implementation_time,
        }


def _view(report: Report) -> ReportView:
    notes = [h.note for h in report.history if h.note]
    return ReportView(
        number=report.number,
        type=report.type,
        status=report.status,
        channel=report.channel,
        conversation_id=report.conversation_id,
        national_id=report.national_id,
        created_at=report.created_at,
        due_on=report.due_on,
        latest_note=notes[-1] if notes else None,
        entity=report.entity,
        service=report.service,
        # Reports from before the kinds were recorded (or purged): by the ID, else citizen.
        beneficiary_kind=(
            report.beneficiary_kind or kind_of_national_id(report.national_id) or "citizen"
        ),
        organisation_name=report.organisation_name,
        implementation_time=report.implementation_time,
    )


def _report(session: Session, number: str) -> Report:
    report = session.execute(select(Report).where(Report.number == number)).scalar_one_or_none()
    if report is None:
        raise ReportNotFound(number)
    return report


def find_report(store: Store, number: str) -> ReportView | None:
    with store.session() as session:
        report = session.execute(select(Report).where(Report.number == number)).scalar_one_or_none()
        return _view(report) if report else None


def history_of(store: Store, number: str) -> list[dict[str, Any]]:
    """Every status change, update and correction of a report, oldest first (for the
    staff: who, when, and the note)."""
    with store.session() as session:
        report = _report(session, number)
        return [
            {
                "status": change.status,
                "status_label": STATUS_LABELS.get(change.status, change.status),
                "note": change.note,
                "actor": change.actor,
                "at": utc(change.created_at).isoformat(),
            }
            for change in report.history
        ]


def latest_report_of(store: Store, conversation_id: str) -> ReportView | None:
    """The newest report filed from this conversation ("my last report")."""
    with store.session() as session:
        report = (
            session.execute(
                select(Report)
                .where(Report.conversation_id == conversation_id)
                .order_by(Report.id.desc())
                .limit(1)
            )
            .scalars()
            .first()
        )
        return _view(report) if report else None


def _enqueue(
    session: Session, report: Report, kind: str, now: dt.datetime, payload: dict[str, Any]
) -> None:
    """One outbox row per route the notice takes (`bot.rules.notices.routes_for`)."""
    for route, when_away in routes_for(report.channel, report.updates_choice):
        session.add(
            OutboxMessage(
                report_id=report.id,
                conversation_id=report.conversation_id,
                kind=kind,
                payload={"report_number": report.number, **payload},
                created_at=now,
                attempts=0,
                next_attempt_at=now,
                route=route,
                when_away=when_away,
            )
        )


def _set_status(
    session: Session,
    report: Report,
    status: str,
    note: str | None,
    actor: str,
    now: dt.datetime,
    payload: dict[str, Any] | None = None,
    notify: bool = True,
) -> str | None:
    when = (payload or {}).get("implementation_time")
    check_transition(report.status, status, actor, note, when, require_details=True)
    kind = notification_for(report.status, status) if notify else None
    report.status = status
    report.updated_at = now
    if status == "accepted":
        report.implementation_time = when
    session.add(StatusChange(report=report, status=status, note=note, actor=actor, created_at=now))
    if kind:
        _enqueue(session, report, kind, now, {"note": note or "", **(payload or {})})
    return kind


def change_status(
    store: Store,
    number: str,
    status: str,
    note: str | None,
    actor: str,
    now: dt.datetime,
    payload: dict[str, Any] | None = None,
    notify: bool = True,
) -> ReportView:
    """Change a report's status; the notification is queued in the same transaction
    (`notify=False` when the beneficiary made the change in the conversation itself)."""
    with store.session() as session:
        report = _report(session, number)
        _set_status(session, report, status, note, actor, now, payload, notify)
        session.flush()
        return _view(report)


def _resume_clock(
    session: Session, report: Report, now: dt.datetime, calendar: HolidayCalendar
) -> None:
    """The 5 working days stop while the centre waits for the beneficiary's documents:
    the answer date moves by the working days the report spent in missing data."""
    entered = session.execute(
        select(func.max(StatusChange.created_at)).where(
            StatusChange.report_id == report.id, StatusChange.status == "missing_data"
        )
    ).scalar_one_or_none()
    if entered is None:
        return
    waited = calendar.working_days_between(local_date(utc(entered)), local_date(now))
    if waited:
        report.due_on = calendar.add_working_days(report.due_on, waited)


def attach_update(
    store: Store,
    number: str,
    documents: list[tuple[str, str | None]],
    correction: str | None,
    now: dt.datetime,
    calendar: HolidayCalendar | None = None,
) -> ReportView:
    """The beneficiary sent documents or a correction for an open report (any status
    before a decision, `OPEN_FOR_UPDATES`): attach them, with a history row whose note
    holds the correction. A report in missing data goes back to review; any other keeps
    its status. Raises `TransitionError` if the report no longer takes updates (decided,
    closed, cancelled — by the scheduler too) and attaches nothing."""
    with store.session() as session:
        report = _report(session, number)
        after = status_after_update(report.status)
        for reference, content_type in documents:
            session.add(
                Document(
                    report=report,
                    kind="update",
                    reference=reference,
                    content_type=content_type,
                    created_at=now,
                )
            )
        if after is not None:
            note = "أرسل المستفيد المستندات أو التصحيحات المطلوبة"
        else:
            note = "أرسل المستفيد تحديثاً على البلاغ"
        if correction:
            note += f": {correction}"
        if after is not None:
            if calendar is not None:
                _resume_clock(session, report, now, calendar)
            _set_status(session, report, after, note, "beneficiary", now, notify=False)
        else:
            # The status stays: the history row records the update for the staff.
            report.updated_at = now
            session.add(
                StatusChange(
                    report=report,
                    status=report.status,
                    note=note,
                    actor="beneficiary",
                    created_at=now,
                )
            )
        session.flush()
        return _view(report)


def run_timed_work(
    store: Store, now: dt.datetime, today: dt.date, retention_days: int = 365
) -> dict[str, list[str]]:
    """The scheduler's work, driven from the database so it survives restarts:
    cancel reports whose missing data was not completed within 48 hours, queue the
    delay notice for reports past their answer date, remove the personal data of
    reports settled more than `retention_days` ago, and remind once of a survey left
    unanswered for 24 hours. Returns the numbers handled."""
    done: dict[str, list[str]] = {"auto_cancelled": [], "delayed": [], "purged": []}
    deadline = now - dt.timedelta(hours=MISSING_DATA_HOURS)
    with store.session() as session:
        since = (
            select(StatusChange.report_id, func.max(StatusChange.created_at).label("at"))
            .where(StatusChange.status == "missing_data")
            .group_by(StatusChange.report_id)
            .subquery()
        )
        # The 48 hours start when the notice reached the citizen (not when it was queued):
        # a notice no route delivered cancels nothing (`notice_attention` flags it).
        reached = (
            select(OutboxMessage.report_id, func.min(OutboxMessage.reached_at).label("at"))
            .join(since, since.c.report_id == OutboxMessage.report_id)
            .where(
                OutboxMessage.kind == "missing_data",
                OutboxMessage.created_at >= since.c.at,
                OutboxMessage.reached_at.is_not(None),
            )
            .group_by(OutboxMessage.report_id)
            .subquery()
        )
        overdue = session.execute(
            select(Report)
            .join(reached, reached.c.report_id == Report.id)
            .where(Report.status == "missing_data", reached.c.at <= deadline)
        ).scalars()
        for report in overdue:
            check_transition(report.status, "cancelled", SCHEDULER)
            report.status = "cancelled"
            report.updated_at = now
            note = "أُلغي البلاغ آلياً لعدم استكمال البيانات خلال 48 ساعة"
            session.add(
                StatusChange(
                    report=report, status="cancelled", note=note, actor="scheduler", created_at=now
                )
            )
            _enqueue(session, report, "auto_cancelled", now, {"note": note})
            done["auto_cancelled"].append(report.number)
        late = session.execute(
            select(Report).where(
                Report.status.not_in(SETTLED),
                Report.status != "missing_data",  # the centre waits for the beneficiary
                Report.due_on < today,
                Report.delay_notified_at.is_(None),
            )
        ).scalars()
        for report in late:
            report.delay_notified_at = now
            _enqueue(session, report, "delayed", now, {"due_on": report.due_on.isoformat()})
            done["delayed"].append(report.number)
        done["purged"] = _purge_settled(session, now - dt.timedelta(days=retention_days), now)
        # The survey's one reminder (bot/store/surveys.py builds on this module).
        from bot.store.surveys import queue_survey_reminders

        done["survey_reminders"] = queue_survey_reminders(session, now)
    return done


PURGED = "—"  # what a removed name, identifier or mobile reads as


def _purge_settled(session: Any, settled_before: dt.datetime, now: dt.datetime) -> list[str]:
    """The retention rule: reports settled before `settled_before` keep their type,
    status, entity, service, dates, history and survey scores (what the voice-of-the-
    beneficiary report counts) and lose who filed them and what they wrote."""
    old = session.execute(
        select(Report).where(
            Report.status.in_(SETTLED),
            Report.updated_at < settled_before,
            Report.national_id_hash.is_not(None),
        )
    ).scalars()
    purged = []
    for report in old:
        report.beneficiary_name = PURGED
        report.national_id = PURGED
        report.mobile = PURGED
        report.national_id_hash = None
        report.mobile_hash = None
        report.nationality = None
        report.description = None
        report.details = {**(report.details or {}), "personal_data_removed_at": now.isoformat()}
        for survey in session.execute(
            select(SurveyAnswer).where(SurveyAnswer.report_id == report.id)
        ).scalars():
            survey.comment = None
        purged.append(report.number)
    return purged


# --- the outbox ----------------------------------------------------------------------


@dataclass(frozen=True)
class Notification:
    id: int
    conversation_id: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    route: str = CONVERSATION
    when_away: bool = False
    report_id: int | None = None


def _notification(row: OutboxMessage) -> Notification:
    return Notification(
        row.id,
        row.conversation_id,
        row.kind,
        row.payload,
        row.attempts,
        row.route or CONVERSATION,
        bool(row.when_away),
        row.report_id,
    )


def due_notifications(store: Store, now: dt.datetime, limit: int = 50) -> list[Notification]:
    with store.session() as session:
        rows = session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.dispatched_at.is_(None), OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).scalars()
        return [_notification(r) for r in rows]


def mark_dispatched(
    store: Store,
    notification_id: int,
    now: dt.datetime,
    reached: bool = True,
    provider_sid: str | None = None,
) -> None:
    """Handed over: to Rasa (`reached` when a person can see it there), or to Twilio."""
    with store.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == notification_id)
            .values(
                dispatched_at=now,
                attempts=OutboxMessage.attempts + 1,
                last_error=None,
                reached_at=now if reached else None,
                provider_sid=provider_sid,
            )
        )


def mark_skipped(store: Store, notification_id: int, reason: str, now: dt.datetime) -> None:
    """A route not taken (the citizen was there, opted out of SMS, no mobile …): done,
    recorded with the reason."""
    with store.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == notification_id)
            .values(dispatched_at=now, skipped=reason[:32])
        )


@dataclass(frozen=True)
class Recipient:
    """Where a Twilio route of a notice goes (the report's verified mobile)."""

    mobile: str | None
    number: str
    report_id: int
    channel: str
    opted_out: bool


def recipient_of(store: Store, report_id: int) -> Recipient | None:
    with store.session() as session:
        report = session.get(Report, report_id)
        if report is None:
            return None
        mobile = report.mobile if report.mobile and report.mobile.startswith("+") else None
        opt_out = (
            session.get(SmsOptOut, report.mobile_hash) if report.mobile_hash is not None else None
        )
        return Recipient(
            mobile, report.number, report.id, report.channel, bool(opt_out and opt_out.opted_out)
        )


def set_updates_choice(store: Store, number: str, conversation_id: str, choice: str) -> bool:
    """The citizen's choice of where notices go; only the conversation that filed the
    report makes it (False: nothing changed)."""
    if choice not in CHOICES:
        raise ValueError(choice)
    with store.session() as session:
        report = _report(session, number)
        if report.conversation_id != conversation_id:
            return False
        report.updates_choice = choice
        return True


def notices_of(store: Store, number: str) -> list[dict[str, Any]]:
    """Every notice of a report, route by route, with its fate (for the staff)."""
    with store.session() as session:
        report = _report(session, number)
        rows = session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.report_id == report.id)
            .order_by(OutboxMessage.id)
        ).scalars()
        return [_fate(row) for row in rows]


def _fate(row: OutboxMessage) -> dict[str, Any]:
    if row.reached_at is not None:
        state = "reached"
    elif row.skipped:
        state = "skipped"
    elif row.dispatched_at is not None:
        state = "not_reached"  # shown in a web chat nobody had open
    else:
        state = "pending"
    return {
        "kind": row.kind,
        "route": row.route or CONVERSATION,
        "state": state,
        "skipped": row.skipped,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "created_at": utc(row.created_at).isoformat(),
        "reached_at": row.reached_at and utc(row.reached_at).isoformat(),
    }


def notice_attention(store: Store, number: str) -> str | None:
    """`missing_data_notice_not_delivered` when the report waits for documents but no route
    of its missing-data notice reached the citizen (every route done): the 48 hours have
    not started, and the staff must reach the beneficiary another way."""
    with store.session() as session:
        report = _report(session, number)
        if report.status != "missing_data":
            return None
        entered = session.execute(
            select(func.max(StatusChange.created_at)).where(
                StatusChange.report_id == report.id, StatusChange.status == "missing_data"
            )
        ).scalar_one_or_none()
        rows = list(
            session.execute(
                select(OutboxMessage).where(
                    OutboxMessage.report_id == report.id,
                    OutboxMessage.kind == "missing_data",
                    OutboxMessage.created_at >= entered,
                )
            ).scalars()
        )
        if not rows or any(r.reached_at is not None or r.dispatched_at is None for r in rows):
            return None
        return "missing_data_notice_not_delivered"


def mark_failed(store: Store, notification_id: int, error: str, retry_at: dt.datetime) -> None:
    with store.session() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == notification_id)
            .values(
                attempts=OutboxMessage.attempts + 1,
                last_error=error[:500],
                next_attempt_at=retry_at,
            )
        )


def claim_delivery(
    store: Store, notification_id: int, conversation_id: str, now: dt.datetime
) -> Notification | None:
    """Mark a notification as shown to the user; None if it already was (a redelivery) or
    if it is addressed to another conversation (a notice is never shown to anyone else)."""
    with store.session() as session:
        claimed = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == notification_id,
                OutboxMessage.conversation_id == conversation_id,
                OutboxMessage.delivered_at.is_(None),
            )
            .values(delivered_at=now)
        ).rowcount
        if not claimed:
            return None
        return _notification(session.get(OutboxMessage, notification_id))


# --- ownership checks --------------------------------------------------------------------


def is_owner(store: Store, conversation_id: str, number: str | None) -> bool:
    """May this conversation see and act on this report? It filed it, or it entered the
    code sent to the report's mobile (a grant). An identifier typed in this conversation
    proves nothing. Read from the store at each use: nothing the tracker carries decides
    it."""
    if not number:
        return False
    with store.session() as session:
        report = session.execute(select(Report).where(Report.number == number)).scalar_one_or_none()
        if report is None:
            return False
        if report.conversation_id == conversation_id:
            return True
        granted = session.execute(
            select(func.count(OwnershipGrant.id)).where(
                OwnershipGrant.conversation_id == conversation_id,
                OwnershipGrant.report_number == number,
            )
        ).scalar_one()
        return bool(granted)


def reports_awaiting_documents(
    store: Store, conversation_id: str, notified: Sequence[str] = ()
) -> list[str]:
    """The reports in `missing_data` this conversation may complete, oldest first: those it
    filed and those whose missing-data notice it was shown (`notified`), each one passing
    `is_owner`."""
    with store.session() as session:
        rows = session.execute(
            select(Report.number)
            .where(
                Report.status == "missing_data",
                (Report.conversation_id == conversation_id) | Report.number.in_(list(notified)),
            )
            .order_by(Report.id)
        ).scalars()
        numbers = list(rows)
    return [number for number in numbers if is_owner(store, conversation_id, number)]


def report_mobile(store: Store, number: str) -> str | None:
    """The mobile a report was filed with (where its ownership code goes)."""
    with store.session() as session:
        report = session.execute(select(Report).where(Report.number == number)).scalar_one_or_none()
        return report.mobile if report is not None else None


def grant_ownership(
    store: Store, conversation_id: str, number: str, proof: str, now: dt.datetime
) -> None:
    with store.session() as session:
        session.add(
            OwnershipGrant(
                conversation_id=conversation_id, report_number=number, proof=proof, granted_at=now
            )
        )
