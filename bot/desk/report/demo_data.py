"""Demo data: a year of reports with their histories, surveys and hand-offs, so the
report can be seen on a fresh install and benchmarked on 100,000 reports.

Reproducible: the same seed, period and store give the same rows. Realistic enough to
read like the published reports: more complaints than requests, a few entities drawing
most escalations (some of them slower than others), a working-day rhythm (quiet Friday
and Saturday), WhatsApp growing over the year, handling times with a long tail past the
5-working-day SLA, high but not perfect satisfaction. Every row is marked as demo data
(`details.demo`, conversation ids `demo-…`). Rows are written in bulk (Core inserts of
thousands of rows), not one ORM object at a time.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from bot.clock import zone
from bot.desk.report import demo_text
from bot.desk.report.bulk_insert import BulkWriter
from bot.rules.catalogue import Catalogue
from bot.rules.working_days import HolidayCalendar
from bot.store.crypto import MOBILE, NATIONAL_ID, hash_of
from bot.store.database import Store
from bot.store.models import Handoff, Report, ReportCounter, StatusChange, SurveyAnswer
from bot.store.reports import entity_key

TYPES = {"complaint": 0.62, "digitization": 0.18, "improvement": 0.20}
TRIGGERS = {
    "sla_passed": 0.35,
    "no_sla": 0.30,
    "closed_unsatisfied": 0.20,
    "technical_failure": 0.15,
}
DECISIONS = {"accepted": 0.45, "rejected": 0.25, "closed": 0.30}
HANDOFF_REASONS = {"asked": 0.6, "not_understood": 0.25, "dispute": 0.15}
AGENTS = {"sara": 0.25, "faisal": 0.22, "noura": 0.2, "majed": 0.15, "hind": 0.1, "lina": 0.08}
HOURS = [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2.2, 3, 3.2, 3, 2.6, 2.4, 2.2, 2, 1.8, 1.8, 2,
         2.4, 2.6, 2.4, 2, 1.5]  # fmt: skip
REPORT_SHARE_WITH_HANDOFF = 0.07
HANDOFFS_WITHOUT_REPORT = 0.03


@dataclass
class DemoSummary:
    reports: int = 0
    history: int = 0
    surveys: int = 0
    handoffs: int = 0
    by_status: Counter[str] = field(default_factory=Counter)


class _Sampler:
    """Weighted choices with precomputed cumulative weights (fast for 100,000 draws)."""

    def __init__(self, rng: random.Random, weights: dict[str, float]) -> None:
        self.rng, self.values = rng, list(weights)
        self.cumulative = list(_accumulate(weights.values()))

    def __call__(self) -> str:
        return self.rng.choices(self.values, cum_weights=self.cumulative)[0]


def _accumulate(values: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for value in values:
        total += value
        out.append(total)
    return out


# A status change: (status, instant, actor, note).
Step = tuple[str, dt.datetime, str, str | None]
Person = tuple[str, str, str]


class DemoWorld:
    """Draws one report's life at a time; knows the calendar, the entities, the clock."""

    def __init__(
        self,
        seed: int,
        start: dt.date,
        end: dt.date,
        calendar: HolidayCalendar,
        catalogue: Catalogue,
        now: dt.datetime,
    ) -> None:
        self.rng = random.Random(seed)
        self.start, self.end, self.calendar, self.now = start, end, calendar, now
        self.tz = zone()
        self.type = _Sampler(self.rng, TYPES)
        self.trigger = _Sampler(self.rng, TRIGGERS)
        self.decision = _Sampler(self.rng, DECISIONS)
        self.reason = _Sampler(self.rng, HANDOFF_REASONS)
        self.agent = _Sampler(self.rng, AGENTS)
        entities = sorted(catalogue.entities.values(), key=lambda e: e.key)
        self.rng.shuffle(entities)
        # Zipf-like: a few entities draw most reports; each has its own speed.
        self.entities = [e.name for e in entities]
        self.entity_weights = _accumulate(1 / (rank + 1) ** 1.1 for rank in range(len(entities)))
        self.entity_slowness = {e.name: self.rng.uniform(0.6, 1.8) for e in entities}
        self.services: dict[str, list[tuple[str, bool]]] = {}
        keys = {e.key: e.name for e in entities}
        for service in catalogue.services:
            self.services.setdefault(keys[service.entity_key], []).append(
                (service.name, service.digital)
            )
        self.entity_keys = {e.name: entity_key(e.name) for e in entities}
        self._due: dict[tuple[dt.date, int], dt.date] = {}
        self.days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        self.day_weights = _accumulate(self._day_weight(i, d) for i, d in enumerate(self.days))
        self.hour_weights = _accumulate(HOURS)

    def _day_weight(self, index: int, day: dt.date) -> float:
        growth = 1 + 0.6 * index / max(len(self.days) - 1, 1)
        if day.weekday() == 4:
            return growth * 0.35  # Friday
        if day.weekday() == 5:
            return growth * 0.55  # Saturday
        return growth * (0.6 if self.calendar.is_holiday(day) else 1.0)

    def instant(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        rng = self.rng
        if hour is None:
            hour = rng.choices(range(24), cum_weights=self.hour_weights)[0]
        local = dt.datetime(
            day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=self.tz
        )
        return local.astimezone(dt.timezone.utc)

    def filing_instants(self, count: int) -> list[dt.datetime]:
        days = self.rng.choices(self.days, cum_weights=self.day_weights, k=count)
        return sorted(self.instant(day) for day in days)

    def channel(self, filed: dt.datetime) -> str:
        progress = (filed.date() - self.start).days / max((self.end - self.start).days, 1)
        draw = self.rng.random()
        whatsapp = 0.26 + 0.14 * progress
        if draw < whatsapp:
            return "whatsapp"
        return "sms" if draw < whatsapp + 0.09 else "webchat"

    def entity(self) -> str:
        return self.rng.choices(self.entities, cum_weights=self.entity_weights)[0]

    def working_instant(self, day: dt.date, after: dt.datetime) -> dt.datetime:
        """A moment in office hours on `day`, after `after` (same-day work)."""
        moment = self.instant(day, self.rng.randrange(8, 16))
        return (
            moment if moment > after else after + dt.timedelta(minutes=self.rng.randrange(20, 240))
        )

    def add_working_days(self, day: dt.date, days: int) -> dt.date:
        """The calendar's answer, memoised (a year has few distinct (day, n) pairs)."""
        key = (day, days)
        if key not in self._due:
            self._due[key] = self.calendar.add_working_days(day, days)
        return self._due[key]

    def handling_days(self, entity: str) -> int:
        days = self.rng.lognormvariate(math.log(3.4), 0.65) * self.entity_slowness[entity]
        return min(int(days), 45)

    def life(self, report_type: str, entity: str, filed: dt.datetime) -> list[Step]:
        """The status history (status, instant, actor, note), not yet cut at `now`."""
        rng = self.rng
        filed_on = filed.astimezone(self.tz).date()
        steps = [("received", filed, "bot", None)]
        review = filed + dt.timedelta(minutes=rng.randrange(30, 60 * 20))
        steps.append(("under_review", review, "staff", None))
        draw = rng.random()
        if draw < 0.05:  # missing data never sent: cancelled by the scheduler after 48 hours
            asked = review + dt.timedelta(hours=rng.randrange(1, 20))
            steps.append(("missing_data", asked, "staff", "نرجو إرفاق المستندات المؤيدة"))
            note = "أُلغي البلاغ آلياً لعدم استكمال البيانات خلال 48 ساعة"
            steps.append(
                ("cancelled", asked + dt.timedelta(hours=48, minutes=1), "scheduler", note)
            )
            return steps
        if draw < 0.07:  # withdrawn by the beneficiary
            steps.append(
                (
                    "cancelled",
                    review + dt.timedelta(hours=rng.randrange(2, 72)),
                    "beneficiary",
                    None,
                )
            )
            return steps
        days = self.handling_days(entity)
        done_on = self.add_working_days(filed_on, days)
        done = self.working_instant(done_on, review + dt.timedelta(minutes=30))
        span = done - review
        if draw < 0.17:  # documents asked for, and sent
            asked = review + span * 0.15
            steps.append(("missing_data", asked, "staff", "نرجو إرفاق صورة رسالة الجهة"))
            # …and sent back within the 48 hours (otherwise the scheduler cancels).
            sent = asked + min(span * 0.1, dt.timedelta(hours=40))
            steps.append(("under_review", sent, "beneficiary", None))
        steps.append(("referred", review + span * 0.4, "staff", None))
        steps.append(("in_progress", review + span * 0.6, "staff", None))
        if report_type == "complaint":
            steps.append(("closed", done, "staff", "تمت معالجة الشكوى لدى الجهة"))
            return steps
        decision = self.decision()
        note = {"accepted": "قُبل الطلب، ومدة التنفيذ 90 يوماً", "rejected": "لم يُقبل الطلب"}
        steps.append((decision, done, "staff", note.get(decision, "أُغلق الطلب")))
        return steps


def _cut(steps: list[Step], now: dt.datetime) -> list[Step]:
    return [step for step in steps if step[1] <= now]


def _next_report_id(connection: Connection) -> int:
    return (connection.execute(select(func.max(Report.id))).scalar() or 0) + 1


def _reserve_numbers(connection: Connection, per_year: Counter[int]) -> dict[int, int]:
    """Move each year's counter past the demo reports, as filing would; returns the first
    free value per year, so demo numbers never collide with real ones."""
    first: dict[int, int] = {}
    for year, count in sorted(per_year.items()):
        last = connection.execute(
            select(ReportCounter.last_value).where(ReportCounter.year == year)
        ).scalar()
        if last is None:
            connection.execute(
                ReportCounter.__table__.insert(), {"year": year, "last_value": count}
            )
            last = 0
        else:
            connection.execute(
                ReportCounter.__table__.update()
                .where(ReportCounter.year == year)
                .values(last_value=last + count)
            )
        first[year] = last + 1
    return first


def generate(
    store: Store,
    reports: int,
    seed: int,
    start: dt.date,
    end: dt.date,
    calendar: HolidayCalendar,
    catalogue: Catalogue,
    now: dt.datetime,
    progress: Callable[[int], None] | None = None,
) -> DemoSummary:
    """Write `reports` demo reports filed between `start` and `end` (Riyadh dates), as
    they stand at `now`, with their histories, surveys and hand-offs."""
    world = DemoWorld(seed, start, end, calendar, catalogue, now)
    summary = DemoSummary()
    # Reports drawn after `now` (when the period ends today) are moved just before it.
    filed_instants = sorted(
        i if i <= now else now - dt.timedelta(minutes=world.rng.randrange(1, 600))
        for i in world.filing_instants(reports)
    )
    with store.engine.begin() as connection:
        writer = BulkWriter(
            connection,
            {
                "reports": Report.__table__,
                "history": StatusChange.__table__,
                "surveys": SurveyAnswer.__table__,
                "handoffs": Handoff.__table__,
            },
        )
        first_id = _next_report_id(connection)
        years = Counter(i.astimezone(world.tz).year for i in filed_instants)
        numbers = _reserve_numbers(connection, years)
        for index, filed in enumerate(filed_instants):
            report_id = first_id + index
            _one_report(world, writer, summary, report_id, filed, numbers, seed)
            if progress and index % 1000 == 999:
                progress(1000)
        for index in range(int(reports * HANDOFFS_WITHOUT_REPORT)):
            filed = world.filing_instants(1)[0]
            if filed <= now:
                conversation = f"demo-{seed}-h{first_id + index}"
                _handoff(world, writer, summary, conversation, filed)
        writer.flush()
        if connection.dialect.name == "postgresql":
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('reports', 'id'), "
                    "(SELECT MAX(id) FROM reports))"
                )
            )
    return summary


def _one_report(
    world: DemoWorld,
    writer: BulkWriter,
    summary: DemoSummary,
    report_id: int,
    filed: dt.datetime,
    numbers: dict[int, int],
    seed: int,
) -> None:
    rng = world.rng
    report_type = world.type()
    entity = world.entity()
    name, national, mobile = demo_text.person(rng)
    local_year = filed.astimezone(world.tz).year
    number = f"{local_year % 100:02d}{numbers[local_year]:07d}"
    numbers[local_year] += 1
    filed_on = filed.astimezone(world.tz).date()
    due_on = world.add_working_days(filed_on, 5)
    steps = _cut(world.life(report_type, entity, filed), world.now)
    status, last_change = steps[-1][0], steps[-1][1]
    conversation = f"demo-{seed}-{report_id}"
    services = world.services.get(entity) or [(None, True)]
    service, _ = rng.choice(services)
    complaint = report_type == "complaint"
    trigger = world.trigger() if complaint else None
    prior = f"{70_000_000 + report_id}" if complaint and trigger != "technical_failure" else None
    writer.add(
        "reports",
        {
            "id": report_id,
            "number": number,
            "type": report_type,
            "status": status,
            "channel": world.channel(filed),
            "conversation_id": conversation,
            "beneficiary_name": name,
            "national_id": national,
            "mobile": mobile,
            "national_id_hash": hash_of(NATIONAL_ID, national),
            "mobile_hash": hash_of(MOBILE, mobile),
            "entity": entity,
            "entity_key": world.entity_keys[entity],
            "service": service,
            "request_channel": "app" if complaint else None,
            "trigger": trigger,
            "prior_number": prior,
            "prior_number_key": prior,
            "prior_date": filed_on - dt.timedelta(days=rng.randrange(8, 40)) if prior else None,
            "title": rng.choice(demo_text.TITLES[report_type]),
            "description": rng.choice(demo_text.DESCRIPTIONS[report_type]),
            "details": {"demo": True},
            "needs_review": False,
            "created_at": filed,
            "updated_at": last_change,
            "due_on": due_on,
            "delay_notified_at": _delay_notice(world, steps, due_on),
        },
    )
    for step_status, at, actor, note in steps:
        writer.add(
            "history",
            {
                "report_id": report_id,
                "status": step_status,
                "note": note,
                "actor": actor,
                "created_at": at,
            },
        )
    summary.reports += 1
    summary.history += len(steps)
    summary.by_status[status] += 1
    if status == "closed" or (status in ("accepted", "rejected") and rng.random() < 0.6):
        _survey(world, writer, summary, report_id, steps, filed_on, (name, national, mobile))
    if rng.random() < REPORT_SHARE_WITH_HANDOFF:
        _handoff(
            world, writer, summary, conversation, filed - dt.timedelta(minutes=rng.randrange(3, 40))
        )


def _delay_notice(world: DemoWorld, steps: list[Step], due_on: dt.date) -> dt.datetime | None:
    """What the scheduler would have done: the notice the day after the answer date, if
    the report was still not settled then."""
    notice = dt.datetime.combine(due_on + dt.timedelta(days=1), dt.time(0, 5), world.tz)
    notice = notice.astimezone(dt.timezone.utc)
    if notice > world.now:
        return None
    settled = next(
        (at for s, at, *_ in steps if s in ("accepted", "rejected", "closed", "cancelled")), None
    )
    return notice if settled is None or settled > notice else None


def _survey(
    world: DemoWorld,
    writer: BulkWriter,
    summary: DemoSummary,
    report_id: int,
    steps: list[Step],
    filed_on: dt.date,
    person: Person,
) -> None:
    rng = world.rng
    if rng.random() > 0.45:
        return  # most people do not answer
    done = steps[-1][1]
    answered = done + dt.timedelta(minutes=rng.randrange(5, 60 * 36))
    if answered > world.now:
        return
    days = world.calendar.working_days_between(filed_on, done.astimezone(world.tz).date())
    mood = 4.4 - 0.15 * max(0, days - 5) - (1.2 if steps[-1][0] == "rejected" else 0)

    def score(offset: float = 0) -> int:
        return max(1, min(5, round(rng.gauss(mood + offset, 0.9))))

    solution, handling, effort = score(), score(0.2), score(-0.1)
    time_taken = score(-0.3)  # the operators' reports find the time taken rated lowest
    partial = rng.random() < 0.1
    comment = None
    if not partial and rng.random() < 0.3:
        comment = demo_text.comment(rng, solution, *person)
    writer.add(
        "surveys",
        {
            "report_id": report_id,
            "solution_score": solution,
            "time_score": time_taken,
            "handling_score": handling,
            "effort_score": None if partial else effort,
            "useful": None if partial else rng.random() < 0.25 + 0.1 * solution,
            "comment": comment,
            "completed": not partial,
            "created_at": answered,
            "updated_at": answered + dt.timedelta(minutes=rng.randrange(1, 8)),
        },
    )
    summary.surveys += 1


def _handoff(
    world: DemoWorld,
    writer: BulkWriter,
    summary: DemoSummary,
    conversation: str,
    opened: dt.datetime,
) -> None:
    rng = world.rng
    taken = opened + dt.timedelta(minutes=rng.lognormvariate(math.log(4), 0.8))
    ended = taken + dt.timedelta(minutes=rng.lognormvariate(math.log(11), 0.6))
    row = {
        "conversation_id": conversation,
        "channel": world.channel(opened),
        "reason": world.reason(),
        "status": rng.choice(("closed", "returned")),
        "agent": world.agent(),
        "summary": {"wanted": "", "demo": True},
        "created_at": opened,
        "taken_at": taken,
        "ended_at": ended,
        "agent_rating": None,
        "rated_at": None,
    }
    if rng.random() < 0.5:  # half the citizens rate the agent's help
        rating = max(1, min(5, round(rng.gauss(4.1, 0.9))))
        row.update(agent_rating=rating, rated_at=ended + dt.timedelta(minutes=1))
    if ended > world.now:  # still being worked on at `now`
        row.update(status="active", ended_at=None, agent_rating=None, rated_at=None)
        if taken > world.now:
            row.update(status="waiting", agent=None, taken_at=None)
    writer.add("handoffs", row)
    summary.handoffs += 1
