"""The report's figures: pure computations over the rows and aggregates of `rows`.

Definitions (docs/report.md repeats them for operators):
- a report is *completed* when its status is accepted, rejected or closed; the
  completion rate is completed / (filed − cancelled): a withdrawn report is no one's
  work left undone;
- handling time = working days after the filing date up to and including the date it
  was (last) completed, both Riyadh dates; within the SLA = at most 5 working days;
- a report is *delayed* when its delay notice went out, it was completed after its
  answer date, or it is still open after its answer date on the day of the report;
- "closed" in the monthly table = no work left (completed or cancelled), "open" = the
  rest, for the reports received that month, as the 2025 report's CRM table counts them;
- complaint triggers: the period's complaints by trigger; the technical-failure share =
  complaints whose trigger is a technical failure / complaints whose trigger is known;
- the survey's response (the period's reports): sent = its closing notice or its reminder
  was shown in the conversation, or it has a survey row; answered = completed; partly
  answered = not completed with at least one answer; response rate = answered / sent;
- notices: those queued in the period, by route and fate (reached, not reached, skipped,
  pending); reach rate = reached / (queued − pending);
- reopen requests: those made in the period, by decision (accepted, refused, waiting);
- corrective actions: recorded before the period's end and not done before its start.
Statuses are the current ones, on the day the report is produced.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.clock import zone
from bot.desk.report.labels import CHANNEL_ORDER, channel_group
from bot.desk.report.period import Period
from bot.desk.report.privacy import scrub
from bot.desk.report.rows import (
    COMPLETED,
    SURVEY_SCORES,
    CommentRow,
    CorrectiveRow,
    HandoffRow,
    ReportRow,
    SurveyResponse,
    SurveyTotals,
)
from bot.desk.report.stats import mean, median, percentile, share
from bot.rules.eligibility import CENTRE_SLA_WORKING_DAYS, Trigger
from bot.rules.labels import CORRECTIVE_ACTION_STATUSES, CORRECTIVE_ACTION_TYPES
from bot.rules.lifecycle import SETTLED
from bot.rules.notices import CONVERSATION, TWILIO_ROUTES
from bot.rules.working_days import HolidayCalendar
from bot.store.models import REPORT_TYPES, STATUSES

# Survey questions added after the first surveys were answered.
ASKED_LATER = frozenset({"time_score"})

SLA_WORKING_DAYS = CENTRE_SLA_WORKING_DAYS
TOP_ENTITIES = 5

# Complaint triggers in the guide's order; "unknown": a complaint stored without one.
TRIGGERS = tuple(t.value for t in Trigger)
TECHNICAL_FAILURE = Trigger.TECHNICAL_FAILURE.value
UNKNOWN_TRIGGER = "unknown"
# Notice routes and fates, as the staff API names them (`bot.store.follow_up`).
NOTICE_ROUTES = (CONVERSATION, *TWILIO_ROUTES)
NOTICE_STATES = ("reached", "not_reached", "skipped", "pending")
# Reopen requests: the stored decision → the report's word.
REOPEN_OUTCOMES = {"accept": "accepted", "refuse": "refused", None: "waiting"}


class WorkingDayCounter:
    """`HolidayCalendar.working_days_between`, memoised: 100,000 reports share a few
    thousand (filing date, completion date) pairs."""

    def __init__(self, calendar: HolidayCalendar) -> None:
        self.calendar = calendar
        self._cache: dict[tuple[dt.date, dt.date], int] = {}

    def between(self, start: dt.date, end: dt.date) -> int:
        key = (start, end)
        if key not in self._cache:
            self._cache[key] = self.calendar.working_days_between(start, end)
        return self._cache[key]


@dataclass
class HandoffFigures:
    handoffs: int = 0
    handed_conversations: int = 0
    conversations: int = 0
    rate: float | None = None
    by_reason: dict[str, int] = field(default_factory=dict)
    taken: int = 0
    wait_median_minutes: float | None = None
    handling_median_minutes: float | None = None
    handling_p90_minutes: float | None = None
    # agent → (conversations handled to the end, median handling minutes)
    by_agent: list[tuple[str, int, float | None]] = field(default_factory=list)
    # The citizens' ratings (1–5) of the agents' help: how many, their average, by agent.
    rated: int = 0
    rating_mean: float | None = None
    rating_by_agent: dict[str, float | None] = field(default_factory=dict)


@dataclass
class SurveyReach:
    """How many of the period's reports were surveyed and how many answered."""

    sent: int = 0
    answered: int = 0
    partly: int = 0
    not_answered: int = 0
    response_rate: float | None = None
    partial_rate: float | None = None


@dataclass
class NoticeRoute:
    """The notices of one route (conversation, SMS, WhatsApp) queued in the period."""

    states: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NOTICE_STATES, 0))

    @property
    def total(self) -> int:
        return sum(self.states.values())

    @property
    def reach_rate(self) -> float | None:
        """Reached among the notices whose fate is known (pending ones left out)."""
        return share(self.states["reached"], self.total - self.states["pending"])


@dataclass
class ReopenFigures:
    asked: int = 0
    accepted: int = 0
    refused: int = 0
    waiting: int = 0


@dataclass
class CorrectiveEntry:
    """One action of the register as the report lists it (its text without personal data)."""

    id: int
    entity: str | None
    theme: str | None
    type: str
    status: str
    description: str
    recorded_on: dt.date
    done_on: dt.date | None


@dataclass
class CorrectiveFigures:
    """The corrective-actions register of the period: counts by type and status, the list."""

    total: int = 0
    # type → status → actions
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {
            t: dict.fromkeys(CORRECTIVE_ACTION_STATUSES, 0) for t in CORRECTIVE_ACTION_TYPES
        }
    )
    actions: list[CorrectiveEntry] = field(default_factory=list)

    def by_status(self) -> dict[str, int]:
        return {
            s: sum(per_type.get(s, 0) for per_type in self.counts.values())
            for s in CORRECTIVE_ACTION_STATUSES
        }

    def by_type(self) -> dict[str, int]:
        return {t: sum(per_status.values()) for t, per_status in self.counts.items()}


@dataclass
class Comment:
    text: str
    date: dt.date
    type: str


@dataclass
class ReportFigures:
    """Everything the page, the CSV and the supervisors' page show."""

    period: Period
    as_of: dt.date
    total: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    top_escalations: list[tuple[str, int]] = field(default_factory=list)
    top_delays: list[tuple[str, int]] = field(default_factory=list)
    completed: int = 0
    completion_base: int = 0
    completion_rate: float | None = None
    handling_histogram: dict[int, int] = field(default_factory=dict)
    handling_median_days: float | None = None
    handling_p90_days: float | None = None
    within_sla: int = 0
    within_sla_share: float | None = None
    delayed: int = 0
    surveys: int = 0
    satisfaction: dict[str, float | None] = field(default_factory=dict)
    satisfaction_answers: dict[str, int] = field(default_factory=dict)
    useful_yes: int = 0
    useful_answers: int = 0
    useful_share: float | None = None
    handoffs: HandoffFigures = field(default_factory=HandoffFigures)
    months: list[str] = field(default_factory=list)
    # channel group → month → reports received
    monthly_channels: dict[str, dict[str, int]] = field(default_factory=dict)
    # month → {"received", "closed", "open"}
    monthly_flow: dict[str, dict[str, int]] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    # Complaints by trigger (`TRIGGERS`, then "unknown" when some have none).
    complaints: int = 0
    by_trigger: dict[str, int] = field(default_factory=dict)
    technical_failure_share: float | None = None
    survey_reach: SurveyReach = field(default_factory=SurveyReach)
    notices: dict[str, NoticeRoute] = field(
        default_factory=lambda: {r: NoticeRoute() for r in NOTICE_ROUTES}
    )
    reopen: ReopenFigures = field(default_factory=ReopenFigures)
    corrective: CorrectiveFigures = field(default_factory=CorrectiveFigures)

    @property
    def channels(self) -> list[str]:
        """Channel groups to show: web, WhatsApp, SMS always; "other" only if used."""
        return [
            c
            for c in CHANNEL_ORDER
            if c != "other" or any(self.monthly_channels.get("other", {}).values())
        ]


def _top(counter: Counter[str], n: int) -> list[tuple[str, int]]:
    """The n largest, ties broken by name so the list is stable."""
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:n]


class ReportAccumulator:
    """One streaming pass over the period's reports."""

    def __init__(self, period: Period, as_of: dt.date, calendar: HolidayCalendar) -> None:
        self.period, self.as_of = period, as_of
        self.days = WorkingDayCounter(calendar)
        self.tz = zone()
        self.total = 0
        self.by_type: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()
        self.escalations: Counter[str] = Counter()
        self.delays: Counter[str] = Counter()
        self.triggers: Counter[str] = Counter()
        self.handling: list[int] = []
        self.delayed = 0
        months = period.months()
        self.channels = {c: dict.fromkeys(months, 0) for c in CHANNEL_ORDER}
        self.flow = {m: {"received": 0, "closed": 0, "open": 0} for m in months}

    def add(self, row: ReportRow) -> None:
        self.total += 1
        self.by_type[row.type] += 1
        self.by_status[row.status] += 1
        filed = row.created_at.astimezone(self.tz).date()
        month = f"{filed.year:04d}-{filed.month:02d}"
        self.channels[channel_group(row.channel)][month] += 1
        flow = self.flow[month]
        flow["received"] += 1
        flow["closed" if row.status in SETTLED else "open"] += 1
        if row.type == "complaint":
            self.triggers[row.trigger if row.trigger in TRIGGERS else UNKNOWN_TRIGGER] += 1
            if row.entity:
                self.escalations[row.entity] += 1
        completed_on = None
        if row.status in COMPLETED and row.completed_at is not None:
            completed_on = row.completed_at.astimezone(self.tz).date()
            self.handling.append(self.days.between(filed, completed_on))
        late = row.delay_notified or (
            completed_on > row.due_on
            if completed_on is not None
            else row.status not in SETTLED and self.as_of > row.due_on
        )
        if late:
            self.delayed += 1
            if row.entity:
                self.delays[row.entity] += 1

    def fill(self, figures: ReportFigures, top: int) -> None:
        figures.total = self.total
        figures.by_type = {t: self.by_type.get(t, 0) for t in REPORT_TYPES}
        figures.by_status = {s: self.by_status.get(s, 0) for s in STATUSES}
        figures.top_escalations = _top(self.escalations, top)
        figures.top_delays = _top(self.delays, top)
        figures.completed = sum(self.by_status.get(s, 0) for s in COMPLETED)
        figures.completion_base = self.total - self.by_status.get("cancelled", 0)
        figures.completion_rate = share(figures.completed, figures.completion_base)
        figures.handling_histogram = dict(sorted(Counter(self.handling).items()))
        figures.handling_median_days = median(self.handling)
        figures.handling_p90_days = percentile(self.handling, 90)
        figures.within_sla = sum(1 for d in self.handling if d <= SLA_WORKING_DAYS)
        figures.within_sla_share = share(figures.within_sla, len(self.handling))
        figures.delayed = self.delayed
        figures.months = list(self.flow)
        figures.monthly_channels = self.channels
        figures.monthly_flow = self.flow
        figures.complaints = sum(self.triggers.values())
        figures.by_trigger = {t: self.triggers.get(t, 0) for t in TRIGGERS}
        if self.triggers.get(UNKNOWN_TRIGGER):
            figures.by_trigger[UNKNOWN_TRIGGER] = self.triggers[UNKNOWN_TRIGGER]
        known = figures.complaints - self.triggers.get(UNKNOWN_TRIGGER, 0)
        figures.technical_failure_share = share(self.triggers.get(TECHNICAL_FAILURE, 0), known)


def _minutes(later: dt.datetime, earlier: dt.datetime) -> float:
    return (later - earlier).total_seconds() / 60


def handoff_figures(rows: Iterable[HandoffRow], conversations: int) -> HandoffFigures:
    """Hand-off rate (conversations handed to a person / conversations in the store),
    the wait before an agent took them, and agents' handling time (taken → ended)."""
    result = HandoffFigures(conversations=conversations)
    handed: set[str] = set()
    reasons: Counter[str] = Counter()
    waits: list[float] = []
    handling: list[float] = []
    per_agent: dict[str, list[float]] = defaultdict(list)
    ratings: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        result.handoffs += 1
        handed.add(row.conversation_id)
        reasons[row.reason] += 1
        if row.agent_rating is not None:
            ratings[row.agent or "—"].append(row.agent_rating)
        if row.taken_at is None:
            continue
        result.taken += 1
        waits.append(_minutes(row.taken_at, row.created_at))
        if row.ended_at is not None:
            minutes = _minutes(row.ended_at, row.taken_at)
            handling.append(minutes)
            per_agent[row.agent or "—"].append(minutes)
    result.handed_conversations = len(handed)
    result.rate = share(len(handed), conversations)
    result.by_reason = dict(reasons.most_common())
    result.wait_median_minutes = median(waits)
    result.handling_median_minutes = median(handling)
    result.handling_p90_minutes = percentile(handling, 90)
    result.by_agent = sorted(
        ((agent, len(times), median(times)) for agent, times in per_agent.items()),
        key=lambda item: (-item[1], item[0]),
    )
    every = [rating for given in ratings.values() for rating in given]
    result.rated = len(every)
    result.rating_mean = mean(sum(every), len(every))
    result.rating_by_agent = {
        agent: mean(sum(given), len(given)) for agent, given in sorted(ratings.items())
    }
    return result


def fill_surveys(figures: ReportFigures, totals: SurveyTotals) -> None:
    """Average and count of each 1–5 question; a question asked only since a later version
    (the time taken, 0.14) is listed once the period has answers to it."""
    figures.surveys = totals.surveys
    asked = [f for f in SURVEY_SCORES if f not in ASKED_LATER or totals.score_counts[f]]
    figures.satisfaction = {f: mean(totals.score_sums[f], totals.score_counts[f]) for f in asked}
    figures.satisfaction_answers = {f: totals.score_counts[f] for f in asked}
    figures.useful_yes = totals.useful_yes
    figures.useful_answers = totals.useful_answers
    figures.useful_share = share(totals.useful_yes, totals.useful_answers)


def sample_comments(rows: Iterable[CommentRow], limit: int) -> list[Comment]:
    """Comments as quoted in the report, newest first: personal data replaced, dates in
    Riyadh, the same words quoted once («شكراً لكم» twenty times says nothing)."""
    tz = zone()
    comments: list[Comment] = []
    seen: set[str] = set()
    for row in rows:
        text = scrub(row.text, row.beneficiary_name)
        if text and text not in seen and len(comments) < limit:
            seen.add(text)
            comments.append(Comment(text, row.answered_at.astimezone(tz).date(), row.type))
    return comments


def survey_reach(response: SurveyResponse) -> SurveyReach:
    """Sent, answered, partly answered, not answered, and their shares of those sent."""
    return SurveyReach(
        sent=response.sent,
        answered=response.answered,
        partly=response.partly,
        not_answered=response.sent - response.answered - response.partly,
        response_rate=share(response.answered, response.sent),
        partial_rate=share(response.partly, response.sent),
    )


def notice_figures(states: Iterable[tuple[str, str, int]]) -> dict[str, NoticeRoute]:
    """Notices by route and fate; a route outside the known three is listed after them."""
    routes = {r: NoticeRoute() for r in NOTICE_ROUTES}
    for route, state, count in states:
        routes.setdefault(route, NoticeRoute()).states[state] += count
    return routes


def reopen_figures(decisions: dict[str | None, int]) -> ReopenFigures:
    result = ReopenFigures(asked=sum(decisions.values()))
    for decision, count in decisions.items():
        outcome = REOPEN_OUTCOMES.get(decision, "waiting")
        setattr(result, outcome, getattr(result, outcome) + count)
    return result


def corrective_figures(rows: Iterable[CorrectiveRow]) -> CorrectiveFigures:
    """Counts by type and status and the list; descriptions quoted without IDs or mobiles
    (staff write them, but a citizen's number copied into one is not for the report)."""
    tz = zone()
    result = CorrectiveFigures()
    for row in rows:
        result.total += 1
        per_type = result.counts.setdefault(row.type, {})
        per_type[row.status] = per_type.get(row.status, 0) + 1
        result.actions.append(
            CorrectiveEntry(
                row.id,
                row.entity,
                row.theme,
                row.type,
                row.status,
                scrub(row.description),
                row.created_at.astimezone(tz).date(),
                row.done_at.astimezone(tz).date() if row.done_at is not None else None,
            )
        )
    return result


def compute_figures(
    period: Period,
    as_of: dt.date,
    calendar: HolidayCalendar,
    reports: Iterable[ReportRow],
    surveys: SurveyTotals,
    handoffs: Iterable[HandoffRow],
    conversations: int,
    comments: Iterable[CommentRow] = (),
    comment_limit: int = 8,
    top: int = TOP_ENTITIES,
    response: SurveyResponse | None = None,
    notices: Iterable[tuple[str, str, int]] = (),
    reopen: dict[str | None, int] | None = None,
    corrective: Iterable[CorrectiveRow] = (),
) -> ReportFigures:
    """All figures of one period from already-read rows (no database here)."""
    figures = ReportFigures(period=period, as_of=as_of)
    accumulator = ReportAccumulator(period, as_of, calendar)
    for row in reports:
        accumulator.add(row)
    accumulator.fill(figures, top)
    fill_surveys(figures, surveys)
    figures.handoffs = handoff_figures(handoffs, conversations)
    figures.comments = sample_comments(comments, comment_limit)
    figures.survey_reach = survey_reach(response or SurveyResponse(0, 0, 0))
    figures.notices = notice_figures(notices)
    figures.reopen = reopen_figures(reopen or {})
    figures.corrective = corrective_figures(corrective)
    return figures
