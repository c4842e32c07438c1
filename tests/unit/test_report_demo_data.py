"""The demo data generator: reproducible with a seed, consistent with the store's rules,
realistic in its proportions, and the same figures on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from bot.clock import zone
from bot.desk.report.build import load_figures, render
from bot.desk.report.demo_data import generate
from bot.desk.report.period import Period
from bot.rules.catalogue import load_catalogue
from bot.rules.working_days import load_calendar
from bot.store.database import Store
from bot.store.models import Handoff, Report, StatusChange, SurveyAnswer
from bot.store.reports import file_report
from tests.helpers.reports import complaint

START, END = dt.date(2025, 1, 1), dt.date(2025, 6, 30)
NOW = dt.datetime(2025, 6, 30, 20, 59, tzinfo=dt.timezone.utc)  # 23:59 in Riyadh
PERIOD = Period(START, END)
AS_OF = dt.date(2025, 7, 1)


def demo(store: Store, reports: int = 1500, seed: int = 11):
    store.upgrade()
    return generate(store, reports, seed, START, END, load_calendar(), load_catalogue(), NOW)


def report_rows(store: Store) -> list[tuple]:
    with store.session() as session:
        return session.execute(
            select(
                Report.number,
                Report.type,
                Report.status,
                Report.channel,
                Report.entity,
                Report.created_at,
                Report.national_id,
            ).order_by(Report.id)
        ).all()


def test_the_same_seed_gives_the_same_data(tmp_path):
    stores = [Store(f"sqlite:///{tmp_path / name}.db") for name in ("a", "b", "c")]
    first, second = demo(stores[0]), demo(stores[1])
    demo(stores[2], seed=12)
    assert first == second and first.reports == 1500
    assert report_rows(stores[0]) == report_rows(stores[1])
    assert report_rows(stores[0]) != report_rows(stores[2])


def test_the_data_follow_the_stores_rules(sqlite_store):
    summary = demo(sqlite_store)
    calendar = load_calendar()
    with sqlite_store.session() as session:
        reports = session.execute(select(Report)).scalars().all()
        history: dict[int, list[StatusChange]] = {}
        for change in session.execute(select(StatusChange).order_by(StatusChange.id)).scalars():
            history.setdefault(change.report_id, []).append(change)
        surveyed = {s.report_id for s in session.execute(select(SurveyAnswer)).scalars()}
        handoffs = session.execute(select(Handoff)).scalars().all()
    assert len(reports) == summary.reports and len(surveyed) == summary.surveys
    assert len(handoffs) == summary.handoffs > 0
    for report in reports:
        changes = history[report.id]
        assert changes[0].status == "received" and changes[-1].status == report.status
        times = [c.created_at for c in changes]
        assert times == sorted(times) and times[-1] <= NOW.replace(tzinfo=None)
        filed_on = report.created_at.replace(tzinfo=dt.timezone.utc).astimezone(zone()).date()
        assert report.due_on == calendar.add_working_days(filed_on, 5)
        assert len(report.national_id) == 10 and report.mobile.startswith("+9665")
        assert report.details == {"demo": True}
    statuses = {r.id: r.status for r in reports}
    assert all(statuses[i] in ("closed", "accepted", "rejected") for i in surveyed)
    # Numbers came from the counter: a real filing afterwards gets the next one.
    filed = file_report(sqlite_store, complaint(), NOW, END)
    assert int(filed.number) > max(int(r.number) for r in reports)


def test_the_proportions_look_like_the_service(sqlite_store):
    demo(sqlite_store, reports=3000)
    figures = load_figures(sqlite_store, PERIOD, AS_OF, load_calendar())
    assert figures.total == 3000
    types = figures.by_type
    assert types["complaint"] > types["improvement"] + types["digitization"]
    assert 0.85 < figures.completion_rate < 1
    assert 0.45 < figures.within_sla_share < 0.9
    assert figures.handling_median_days < figures.handling_p90_days <= 45
    assert 3 < figures.satisfaction["solution_score"] < 4.6
    assert 0.45 < figures.useful_share < 0.8
    assert 0.03 < figures.handoffs.rate < 0.2
    top_share = figures.top_escalations[0][1] / types["complaint"]
    assert 0.15 < top_share < 0.5  # a few entities draw most escalations
    whatsapp = figures.monthly_channels["whatsapp"]
    received = {m: v["received"] for m, v in figures.monthly_flow.items()}
    assert whatsapp["2025-06"] / received["2025-06"] > whatsapp["2025-01"] / received["2025-01"]
    with sqlite_store.session() as session:
        created = session.execute(select(Report.created_at)).scalars().all()
    weekdays = Counter(
        c.replace(tzinfo=dt.timezone.utc).astimezone(zone()).weekday() for c in created
    )
    assert weekdays[4] < weekdays[6] / 2  # Friday is quiet, Sunday is busy


@pytest.mark.postgres
def test_the_same_figures_on_sqlite_and_postgresql(sqlite_store, postgres_store):
    demo(sqlite_store, reports=2000, seed=5)
    demo(postgres_store, reports=2000, seed=5)
    calendar = load_calendar()
    stores = (sqlite_store, postgres_store)
    figures = [load_figures(store, PERIOD, AS_OF, calendar) for store in stores]
    assert figures[0].total == 2000 and figures[0].comments
    assert render(figures[0], "csv") == render(figures[1], "csv")
    assert figures[0].comments == figures[1].comments
    # The id sequence was moved past the demo rows: real filings still work.
    assert file_report(postgres_store, complaint(), NOW, END).number
