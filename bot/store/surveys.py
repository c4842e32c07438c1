"""The satisfaction survey that is never lost, and the citizen's rating of an agent's help.

- Answers: each one stored when given (partial surveys kept), one survey per report, only
  from the conversation that filed the report; since 0.14 the survey also asks about the
  time the report took (`time_score`, as the operators' reports measure it). A survey the
  citizen stopped («إلغاء») is marked so (`stopped_at`).
- The reminder: 24 hours after the closing notice was shown in the conversation (the
  survey opened, or waited for a form to end), a survey neither completed nor stopped gets
  one reminder (`survey_reminder`, to the conversation only), queued by the scheduler
  (`run_timed_work`): never twice for a report, not for a report reopened since (it is no
  longer closed), not for one whose personal data was removed.
- The agent's help: after an agent hands a chat back or closes it, the citizen is asked one
  1–5 question; the answer is stored with the hand-off (`agent_rating`, `rated_at`), once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from bot.rules.notices import CONVERSATION
from bot.store.database import Store, utc
from bot.store.follow_up import ReportNotFound
from bot.store.models import Handoff, OutboxMessage, Report, SurveyAnswer

# Every answer of the survey, in the order it is asked.
ANSWER_FIELDS = (
    "solution_score",
    "time_score",
    "handling_score",
    "effort_score",
    "useful",
    "comment",
)
REMINDER = "survey_reminder"  # the outbox kind
REMINDER_AFTER = dt.timedelta(hours=24)
# How long after a hand-off ended its rating is still asked for.
RATING_WINDOW = dt.timedelta(hours=24)
ENDED = ("returned", "closed")


def _report(session: Session, number: str) -> Report:
    report = session.execute(select(Report).where(Report.number == number)).scalar_one_or_none()
    if report is None:
        raise ReportNotFound(number)
    return report


def _survey(session: Session, report: Report, now: dt.datetime) -> SurveyAnswer:
    survey = session.execute(
        select(SurveyAnswer).where(SurveyAnswer.report_id == report.id)
    ).scalar_one_or_none()
    if survey is None:
        survey = SurveyAnswer(report_id=report.id, created_at=now, updated_at=now, completed=False)
        session.add(survey)
    return survey


def record_answer(
    store: Store,
    number: str,
    field: str,
    value: Any,
    now: dt.datetime,
    completed: bool,
    conversation_id: str,
) -> bool:
    """Store one answer (any of `ANSWER_FIELDS`); False, and nothing stored, when the
    conversation did not file the report."""
    if field not in ANSWER_FIELDS:
        raise ValueError(field)
    with store.session() as session:
        report = _report(session, number)
        if report.conversation_id != conversation_id:
            return False
        survey = _survey(session, report, now)
        setattr(survey, field, value)
        survey.updated_at = now
        survey.completed = bool(survey.completed or completed)
        return True


def answers_of(store: Store, number: str) -> dict[str, Any] | None:
    """Every answer given (None where not), `completed` and `stopped`; None when the
    survey was never answered nor stopped. Raises `ReportNotFound`."""
    with store.session() as session:
        report = _report(session, number)
        survey = session.execute(
            select(SurveyAnswer).where(SurveyAnswer.report_id == report.id)
        ).scalar_one_or_none()
        if survey is None:
            return None
        return {f: getattr(survey, f) for f in ANSWER_FIELDS} | {
            "completed": bool(survey.completed),
            "stopped": survey.stopped_at is not None,
        }


def stop_survey(store: Store, number: str, now: dt.datetime, conversation_id: str) -> bool:
    """The citizen stopped the survey: its answers stay, and no reminder follows."""
    with store.session() as session:
        report = _report(session, number)
        if report.conversation_id != conversation_id:
            return False
        survey = _survey(session, report, now)
        survey.stopped_at = now
        survey.updated_at = now
        return True


def queue_survey_reminders(session: Session, now: dt.datetime) -> list[str]:
    """Queue the one reminder of each survey left unanswered 24 hours after its closing
    notice was shown (in the scheduler's transaction); the numbers reminded."""
    shown = (
        select(OutboxMessage.report_id, func.max(OutboxMessage.delivered_at).label("at"))
        .where(
            OutboxMessage.kind == "closed",
            OutboxMessage.route == CONVERSATION,
            OutboxMessage.delivered_at.is_not(None),
        )
        .group_by(OutboxMessage.report_id)
        .subquery()
    )
    reminded = select(OutboxMessage.report_id).where(OutboxMessage.kind == REMINDER)
    due = session.execute(
        select(Report)
        .join(shown, shown.c.report_id == Report.id)
        .outerjoin(SurveyAnswer, SurveyAnswer.report_id == Report.id)
        .where(
            shown.c.at <= now - REMINDER_AFTER,
            Report.status == "closed",
            Report.national_id_hash.is_not(None),  # personal data not removed
            Report.id.not_in(reminded),
            or_(
                SurveyAnswer.id.is_(None),
                and_(SurveyAnswer.completed.is_(False), SurveyAnswer.stopped_at.is_(None)),
            ),
        )
        .order_by(Report.id)
    ).scalars()
    numbers = []
    for report in due:
        session.add(
            OutboxMessage(
                report_id=report.id,
                conversation_id=report.conversation_id,
                kind=REMINDER,
                payload={"report_number": report.number},
                created_at=now,
                attempts=0,
                next_attempt_at=now,
                route=CONVERSATION,  # where the survey is answered; never by SMS
                when_away=False,
            )
        )
        numbers.append(report.number)
    return numbers


# --- the agent's help ----------------------------------------------------------------------


def rateable_handoff(store: Store, conversation_id: str, now: dt.datetime) -> int | None:
    """The hand-off of this conversation whose agent's help may be rated now: the latest
    one ended (handed back or closed) by an agent within `RATING_WINDOW`, not rated yet."""
    with store.session() as session:
        row = (
            session.execute(
                select(Handoff)
                .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(ENDED))
                .order_by(Handoff.id.desc())
                .limit(1)
            )
            .scalars()
            .first()
        )
        if row is None or row.agent is None or row.agent_rating is not None:
            return None
        ended = utc(row.ended_at)
        return row.id if ended is not None and now - ended <= RATING_WINDOW else None


def rate_handoff(
    store: Store, handoff_id: int, conversation_id: str, rating: int, now: dt.datetime
) -> bool:
    """Store the citizen's rating (1–5) with the hand-off: once, by its own conversation,
    after it ended. False when nothing was stored."""
    if not 1 <= rating <= 5:
        raise ValueError(rating)
    with store.session() as session:
        return bool(
            session.execute(
                update(Handoff)
                .where(
                    Handoff.id == handoff_id,
                    Handoff.conversation_id == conversation_id,
                    Handoff.status.in_(ENDED),
                    Handoff.agent_rating.is_(None),
                )
                .values(agent_rating=rating, rated_at=now)
            ).rowcount
        )
