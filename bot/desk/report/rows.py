"""What the report reads from the store: streamed rows and SQL aggregates, never ORM
objects per report (100,000 reports must take seconds, on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import NamedTuple

from sqlalchemy import Integer, and_, case, func, literal_column, or_, select, union
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from bot.desk.report.period import Period
from bot.rules.lifecycle import COMPLETED  # statuses with an outcome: "completed" (منجز)
from bot.rules.notices import CONVERSATION
from bot.store.database import utc
from bot.store.models import (
    CorrectiveAction,
    Handoff,
    OutboxMessage,
    ReopenRequest,
    Report,
    StatusChange,
    SurveyAnswer,
)
from bot.store.surveys import ANSWER_FIELDS
from bot.store.surveys import REMINDER as SURVEY_REMINDER

# The 1–5 questions, in the survey's order (`time_score`: asked since 0.14).
SURVEY_SCORES = ("solution_score", "time_score", "handling_score", "effort_score")


class ReportRow(NamedTuple):
    type: str
    status: str
    channel: str
    entity: str | None
    created_at: dt.datetime
    due_on: dt.date
    # When it last entered a completed status (None if it never did).
    completed_at: dt.datetime | None
    delay_notified: bool
    # A complaint's trigger (`bot.rules.eligibility.Trigger`; None for the other types).
    trigger: str | None = None


class HandoffRow(NamedTuple):
    conversation_id: str
    reason: str
    status: str
    agent: str | None
    created_at: dt.datetime
    taken_at: dt.datetime | None
    ended_at: dt.datetime | None
    # The citizen's rating (1–5) of the agent's help, when given.
    agent_rating: int | None = None


class SurveyTotals(NamedTuple):
    """Sums and counts per question (partial surveys count for what they answered)."""

    surveys: int
    score_sums: dict[str, int]
    score_counts: dict[str, int]
    useful_yes: int
    useful_answers: int


class CommentRow(NamedTuple):
    text: str
    answered_at: dt.datetime
    type: str
    beneficiary_name: str | None


def _in_period(column: ColumnElement[dt.datetime], period: Period) -> ColumnElement[bool]:
    first, after = period.utc_bounds()
    return (column >= first) & (column < after)


def count_reports(connection: Connection, period: Period) -> int:
    return connection.execute(
        select(func.count(Report.id)).where(_in_period(Report.created_at, period))
    ).scalar_one()


def report_rows(connection: Connection, period: Period) -> Iterator[ReportRow]:
    """Every report filed in the period, with its completion instant, streamed."""
    completion = (
        select(
            StatusChange.report_id.label("report_id"),
            func.max(StatusChange.created_at).label("completed_at"),
        )
        .where(StatusChange.status.in_(COMPLETED))
        .group_by(StatusChange.report_id)
        .subquery()
    )
    query = (
        select(
            Report.type,
            Report.status,
            Report.channel,
            Report.entity,
            Report.created_at,
            Report.due_on,
            completion.c.completed_at,
            Report.delay_notified_at.is_not(None),
            Report.trigger,
        )
        .outerjoin(completion, completion.c.report_id == Report.id)
        .where(_in_period(Report.created_at, period))
    )
    result = connection.execution_options(stream_results=True, yield_per=5000).execute(query)
    for row in result:
        yield ReportRow(
            row[0], row[1], row[2], row[3], utc(row[4]), row[5], utc(row[6]), bool(row[7]), row[8]
        )


def survey_totals(connection: Connection, period: Period) -> SurveyTotals:
    """Survey answers of the period's reports, summed in SQL."""
    useful_yes = func.sum(case((SurveyAnswer.useful.is_(True), 1), else_=0))
    columns = [func.count(SurveyAnswer.id)]
    for field in SURVEY_SCORES:
        column = getattr(SurveyAnswer, field)
        columns += [func.sum(column), func.count(column)]
    columns += [useful_yes, func.count(SurveyAnswer.useful)]
    row = connection.execute(
        select(*columns)
        .join(Report, Report.id == SurveyAnswer.report_id)
        .where(_in_period(Report.created_at, period))
    ).one()
    sums = {f: int(row[1 + 2 * i] or 0) for i, f in enumerate(SURVEY_SCORES)}
    counts = {f: int(row[2 + 2 * i] or 0) for i, f in enumerate(SURVEY_SCORES)}
    return SurveyTotals(int(row[0]), sums, counts, int(row[-2] or 0), int(row[-1] or 0))


def recent_comments(connection: Connection, period: Period, limit: int) -> list[CommentRow]:
    """The newest survey comments on the period's reports (to be scrubbed before use)."""
    rows = connection.execute(
        select(SurveyAnswer.comment, SurveyAnswer.updated_at, Report.type, Report.beneficiary_name)
        .join(Report, Report.id == SurveyAnswer.report_id)
        .where(
            _in_period(Report.created_at, period),
            SurveyAnswer.comment.is_not(None),
            func.length(func.trim(SurveyAnswer.comment)) > 0,
        )
        .order_by(SurveyAnswer.updated_at.desc(), SurveyAnswer.id.desc())
        .limit(limit)
    ).all()
    return [CommentRow(r[0], utc(r[1]), r[2], r[3]) for r in rows]


def handoff_rows(connection: Connection, period: Period) -> Iterator[HandoffRow]:
    """Hand-offs opened in the period."""
    result = connection.execution_options(stream_results=True, yield_per=5000).execute(
        select(
            Handoff.conversation_id,
            Handoff.reason,
            Handoff.status,
            Handoff.agent,
            Handoff.created_at,
            Handoff.taken_at,
            Handoff.ended_at,
            Handoff.agent_rating,
        ).where(_in_period(Handoff.created_at, period))
    )
    for row in result:
        yield HandoffRow(
            row[0], row[1], row[2], row[3], utc(row[4]), utc(row[5]), utc(row[6]), row[7]
        )


def conversations_count(connection: Connection, period: Period) -> int:
    """Conversations that reached the store in the period: those that filed a report or
    were handed to a person (the hand-off rate's denominator)."""
    both = union(
        select(Report.conversation_id.label("c")).where(_in_period(Report.created_at, period)),
        select(Handoff.conversation_id.label("c")).where(_in_period(Handoff.created_at, period)),
    ).subquery()
    return connection.execute(
        select(func.count(literal_column("c", Integer))).select_from(both)
    ).scalar_one()


# --- what the operators' reports measure besides (issue 20, item 7) ------------------------


class SurveyResponse(NamedTuple):
    """The survey's reach among the period's reports (each report counted once)."""

    # Surveyed: the closing notice was shown in the report's conversation (where the survey
    # opens), its survey reminder was shown, or it has a survey row (answers or a «إلغاء»).
    sent: int
    # Answered to the end (`completed`).
    answered: int
    # Not completed, with at least one answer (a score, useful yes/no, or a comment).
    partly: int


class CorrectiveRow(NamedTuple):
    id: int
    entity: str | None
    theme: str | None
    type: str
    status: str
    description: str
    created_at: dt.datetime
    done_at: dt.datetime | None


def survey_response(connection: Connection, period: Period) -> SurveyResponse:
    """Surveys sent, answered and partly answered for the period's reports: one statement."""
    shown = (
        select(OutboxMessage.report_id.label("report_id"))
        .where(
            OutboxMessage.delivered_at.is_not(None),
            or_(
                and_(OutboxMessage.kind == "closed", OutboxMessage.route == CONVERSATION),
                OutboxMessage.kind == SURVEY_REMINDER,
            ),
        )
        .group_by(OutboxMessage.report_id)
        .subquery()
    )
    answers = [getattr(SurveyAnswer, f).is_not(None) for f in ANSWER_FIELDS if f != "comment"] + [
        func.length(func.trim(func.coalesce(SurveyAnswer.comment, ""))) > 0
    ]

    def how_many(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    completed = SurveyAnswer.completed.is_(True)
    row = connection.execute(
        select(
            how_many(or_(shown.c.report_id.is_not(None), SurveyAnswer.id.is_not(None))),
            how_many(completed),
            how_many(and_(SurveyAnswer.id.is_not(None), ~completed, or_(*answers))),
        )
        .select_from(Report)
        .outerjoin(shown, shown.c.report_id == Report.id)
        .outerjoin(SurveyAnswer, SurveyAnswer.report_id == Report.id)
        .where(_in_period(Report.created_at, period))
    ).one()
    return SurveyResponse(int(row[0]), int(row[1]), int(row[2]))


def notice_states(connection: Connection, period: Period) -> list[tuple[str, str, int]]:
    """(route, state, notices) of the notices queued in the period, the state as the staff
    API names it (`bot.store.follow_up`): reached, skipped (and why: not counted here),
    not_reached (done, nobody reached), pending (not done yet). One grouped statement."""
    reached = OutboxMessage.reached_at.is_not(None)
    skipped = OutboxMessage.skipped.is_not(None)
    dispatched = OutboxMessage.dispatched_at.is_not(None)
    rows = connection.execute(
        select(OutboxMessage.route, reached, skipped, dispatched, func.count(OutboxMessage.id))
        .where(_in_period(OutboxMessage.created_at, period))
        .group_by(OutboxMessage.route, reached, skipped, dispatched)
    ).all()
    found = []
    for route, was_reached, was_skipped, was_dispatched, count in rows:
        if was_reached:
            state = "reached"
        elif was_skipped:
            state = "skipped"
        elif was_dispatched:
            state = "not_reached"
        else:
            state = "pending"
        found.append((route or CONVERSATION, state, int(count)))
    return found


def reopen_decisions(connection: Connection, period: Period) -> dict[str | None, int]:
    """Reopen requests made in the period, by decision (accept, refuse, None: waiting)."""
    rows = connection.execute(
        select(ReopenRequest.decision, func.count(ReopenRequest.id))
        .where(_in_period(ReopenRequest.requested_at, period))
        .group_by(ReopenRequest.decision)
    ).all()
    return {decision: int(count) for decision, count in rows}


def corrective_rows(connection: Connection, period: Period) -> Iterator[CorrectiveRow]:
    """The register as it stood in the period: every action recorded before its end and not
    done before its start (current statuses), in the order they were recorded."""
    first, after = period.utc_bounds()
    result = connection.execute(
        select(
            CorrectiveAction.id,
            CorrectiveAction.entity,
            CorrectiveAction.theme,
            CorrectiveAction.type,
            CorrectiveAction.status,
            CorrectiveAction.description,
            CorrectiveAction.created_at,
            CorrectiveAction.done_at,
        )
        .where(
            CorrectiveAction.created_at < after,
            or_(CorrectiveAction.done_at.is_(None), CorrectiveAction.done_at >= first),
        )
        .order_by(CorrectiveAction.created_at, CorrectiveAction.id)
    )
    for row in result:
        yield CorrectiveRow(*row[:6], utc(row[6]), utc(row[7]))
