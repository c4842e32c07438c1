"""Acting on a decided report: requests to reopen a closed one (the beneficiary asks within
30 days of the closing, with a reason; staff decide; the decision and its notice are written
in one transaction), and the reasons of a rejection."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import local_date
from bot.rules.lifecycle import (
    REOPEN_DECISIONS,
    REOPENED_STATUS,
    TransitionError,
    reopen_refusal,
)
from bot.store.database import Store, utc
from bot.store.follow_up import _enqueue, _report, _set_status
from bot.store.models import ReopenRequest, StatusChange


class NoPendingRequest(TransitionError):
    """Staff decided on a report that has no reopen request waiting."""


def _pending(session: Session, report_id: int) -> ReopenRequest | None:
    return session.execute(
        select(ReopenRequest)
        .where(ReopenRequest.report_id == report_id, ReopenRequest.decision.is_(None))
        .limit(1)
    ).scalar_one_or_none()


def _closed_on(session: Session, report_id: int) -> dt.date | None:
    closed = session.execute(
        select(func.max(StatusChange.created_at)).where(
            StatusChange.report_id == report_id, StatusChange.status == "closed"
        )
    ).scalar_one_or_none()
    return local_date(utc(closed)) if closed is not None else None


def request_reopen(
    store: Store, number: str, conversation_id: str, reason: str, now: dt.datetime
) -> str | None:
    """Record the request; None when recorded, else why not (`not_closed`, `too_late`,
    `pending`: one is already waiting for the staff)."""
    with store.session() as session:
        report = _report(session, number)
        refusal = reopen_refusal(report.status, _closed_on(session, report.id), local_date(now))
        if refusal:
            return refusal
        if _pending(session, report.id) is not None:
            return "pending"
        session.add(
            ReopenRequest(
                report_id=report.id,
                conversation_id=conversation_id,
                reason=reason[:2000],
                requested_at=now,
            )
        )
        session.add(
            StatusChange(
                report=report,
                status=report.status,
                note=f"طلب المستفيد إعادة فتح البلاغ: {reason[:500]}",
                actor="beneficiary",
                created_at=now,
            )
        )
        return None


def closing_date(store: Store, number: str) -> dt.date | None:
    with store.session() as session:
        return _closed_on(session, _report(session, number).id)


def decide_reopen(
    store: Store, number: str, decision: str, note: str | None, actor: str, now: dt.datetime
) -> dict[str, Any]:
    """Staff accept (the report goes back to review: the `reopened` notice) or refuse (a
    reason is required: the `reopen_refused` notice). Raises `NoPendingRequest` or
    `TransitionError` (the staff API's 409) and changes nothing then."""
    if decision not in REOPEN_DECISIONS:
        raise ValueError(decision)
    if decision == "refuse" and not (note or "").strip():
        raise TransitionError("a refused reopen request needs the reasons (note)")
    with store.session() as session:
        report = _report(session, number)
        request = _pending(session, report.id)
        if request is None:
            raise NoPendingRequest(f"report {number} has no reopen request waiting")
        if decision == "accept":
            _set_status(session, report, REOPENED_STATUS, note or "أُعيد فتح البلاغ", actor, now)
        else:
            session.add(
                StatusChange(
                    report=report, status=report.status, note=note, actor=actor, created_at=now
                )
            )
            _enqueue(session, report, "reopen_refused", now, {"note": note})
        request.decision, request.decision_note = decision, note
        request.decided_by, request.decided_at = actor[:64], now
        session.flush()
        return reopen_view(request)


def reopen_view(request: ReopenRequest) -> dict[str, Any]:
    return {
        "reason": request.reason,
        "requested_at": utc(request.requested_at).isoformat(),
        "decision": request.decision,
        "decision_note": request.decision_note,
        "decided_at": request.decided_at and utc(request.decided_at).isoformat(),
    }


def latest_reopen_request(store: Store, number: str) -> dict[str, Any] | None:
    """The report's latest reopen request (for the staff)."""
    with store.session() as session:
        report = _report(session, number)
        request = session.execute(
            select(ReopenRequest)
            .where(ReopenRequest.report_id == report.id)
            .order_by(ReopenRequest.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        return reopen_view(request) if request else None


def rejection_reasons(store: Store, number: str) -> str | None:
    """What the staff wrote when they rejected the report (None: it was never rejected)."""
    with store.session() as session:
        report = _report(session, number)
        return session.execute(
            select(StatusChange.note)
            .where(StatusChange.report_id == report.id, StatusChange.status == "rejected")
            .order_by(StatusChange.id.desc())
            .limit(1)
        ).scalar_one_or_none()
