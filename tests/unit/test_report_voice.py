"""The report measures what the operators' reports measure (issue 20, item 7): complaint
triggers and the technical-failure share, the survey's response, notices per route and fate,
reopen requests and the corrective-actions register, against hand-computed figures
(`tests/helpers/voice_dataset.py`), read from the store on SQLite and PostgreSQL; the CSV and
the page carry them; the period's data is read in a fixed number of statements."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event

from bot import clock
from bot.desk.main import build_app
from bot.desk.report.build import load_figures, render
from bot.desk.report.figures import compute_figures
from bot.desk.report.period import Period
from bot.desk.report.rows import SURVEY_SCORES, SurveyTotals
from bot.store.agents import add_agent
from tests import report_dataset as data
from tests.helpers import voice_dataset as voice


@pytest.fixture
def filled(store):
    data.fill(store)
    ids = voice.fill(store)
    return store, ids


@pytest.fixture
def figures(filled):
    store, _ = filled
    return load_figures(store, data.PERIOD, data.AS_OF, data.CALENDAR)


def test_complaints_per_trigger_and_the_technical_failure_share(figures):
    assert figures.complaints == voice.EXPECTED["complaints"]
    assert figures.by_trigger == voice.EXPECTED["by_trigger"]
    assert figures.technical_failure_share == voice.EXPECTED["technical_failure_share"]
    # The base figures are untouched by the added rows.
    assert figures.total == data.EXPECTED["total"]
    assert figures.surveys == 3


def test_the_survey_response(figures):
    reach = figures.survey_reach
    expected = voice.EXPECTED["survey"]
    assert (reach.sent, reach.answered, reach.partly, reach.not_answered) == (
        expected["sent"],
        expected["answered"],
        expected["partly"],
        expected["not_answered"],
    )
    assert reach.response_rate == 0.5 and reach.partial_rate == 0.25


def test_notices_per_route_reached_not_reached_skipped(figures):
    assert list(figures.notices) == ["conversation", "sms", "whatsapp"]
    assert {r: n.states for r, n in figures.notices.items()} == voice.EXPECTED["notices"]
    rates = {r: n.reach_rate for r, n in figures.notices.items()}
    assert rates == pytest.approx(voice.EXPECTED["reach_rates"])
    assert figures.notices["conversation"].total == 7


def test_reopen_requests(figures):
    r = figures.reopen
    assert {
        "asked": r.asked,
        "accepted": r.accepted,
        "refused": r.refused,
        "waiting": r.waiting,
    } == voice.EXPECTED["reopen"]


def test_the_corrective_actions_register_of_the_period(filled, figures):
    _, ids = filled
    c = figures.corrective
    assert [a.id for a in c.actions] == [ids[key] for key in voice.EXPECTED["listed"]]
    assert c.counts == voice.EXPECTED["counts"]
    assert c.by_status() == voice.EXPECTED["by_status"]
    assert c.total == 5 and c.by_type()["technical"] == 2
    a1 = next(a for a in c.actions if a.id == ids["A1"])
    assert (a1.entity, a1.type, a1.status) == (data.HEALTH, "technical", "done")
    assert (a1.recorded_on, a1.done_on) == (dt.date(2025, 2, 10), dt.date(2025, 3, 15))
    a2 = next(a for a in c.actions if a.id == ids["A2"])
    assert a2.theme == voice.THEME_UPDATES and a2.done_on is None
    assert "0559876543" not in a2.description and "[رقم الجوال]" in a2.description


def test_the_csv_carries_the_new_figures(figures, filled):
    _, ids = filled
    text = render(figures, "csv")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    value = {(r["section"], r["key"], r["column"]): r["value"] for r in rows}
    assert value[("complaint_triggers", "technical_failure", "reports")] == "2"
    assert value[("complaint_triggers", "unknown", "reports")] == "1"
    assert value[("complaint_triggers", "technical_failure_share", "")] == "0.5"
    assert value[("survey_response", "sent", "")] == "4"
    assert value[("survey_response", "partly_answered", "")] == "1"
    assert value[("survey_response", "response_rate", "")] == "0.5"
    assert value[("notices", "conversation", "reached")] == "4"
    assert value[("notices", "sms", "skipped")] == "1"
    assert value[("notices", "conversation", "reach_rate")] == "0.6667"
    assert value[("reopen_requests", "refused", "")] == "2"
    assert value[("corrective_actions", "technical", "in_progress")] == "1"
    assert value[("corrective_actions_by_status", "done", "")] == "2"
    a6 = str(ids["A6"])
    assert value[("corrective_action", a6, "theme")] == voice.THEME_FORMS
    assert value[("corrective_action", a6, "done_on")] == "2025-04-28"
    assert value[("corrective_action", a6, "status")] == "done"


def test_the_page_shows_the_new_sections_in_arabic(figures):
    page = render(figures, "html")
    for section in ("triggers", "survey_response", "notices", "reopen", "corrective"):
        assert f"<section id='{section}'>" in page
    assert "أسباب تصعيد الشكاوى" in page and "تعذر تقديم الشكوى لتعطل النظام" in page
    assert "نسبة بلاغات الأعطال التقنية" in page and "50٪" in page
    assert "أُجيبت جزئياً" in page and "الاستبيانات المرسلة" in page
    assert "رسالة نصية" in page and "واتساب" in page and "لم تُرسل" in page
    assert "66٫7٪" in page  # the conversation's reach: 4 of 6
    assert "طلبات إعادة الفتح" in page and "بانتظار القرار" in page
    assert "الإجراءات التصحيحية" in page and "جارٍ العمل عليها" in page
    assert "الموظفين" in page and "المخرجات" in page and voice.THEME_FORMS in page
    assert "15 مارس 2025" in page  # A1 done
    assert "0559876543" not in page
    # No chart is added: the six of the base report only.
    assert page.count('src="data:image/png;base64,') == 6


def test_an_empty_period_shows_empty_sections(filled):
    store, _ = filled
    empty = Period(dt.date(2024, 6, 1), dt.date(2024, 6, 30))
    figures = load_figures(store, empty, data.AS_OF, data.CALENDAR)
    assert figures.complaints == 0 and figures.technical_failure_share is None
    assert figures.survey_reach.sent == 0 and figures.survey_reach.response_rate is None
    assert all(n.total == 0 and n.reach_rate is None for n in figures.notices.values())
    assert figures.reopen.asked == 0 and figures.corrective.total == 0
    page = render(figures, "html")
    assert "لا توجد إجراءات تصحيحية مسجلة في هذه الفترة." in page


def test_a_fixed_number_of_statements_whatever_the_period_holds(filled):
    """No query per report, notice or action: the same count for a period with everything
    and one with nothing."""
    store, _ = filled

    def statements(period: Period) -> int:
        seen: list[str] = []

        def count(*args, **kwargs) -> None:
            seen.append(args[2])

        event.listen(store.engine, "before_cursor_execute", count)
        try:
            load_figures(store, period, data.AS_OF, data.CALENDAR)
        finally:
            event.remove(store.engine, "before_cursor_execute", count)
        return len(seen)

    busy = statements(data.PERIOD)
    assert busy == statements(Period(dt.date(2024, 6, 1), dt.date(2024, 6, 30)))
    assert busy <= 12


def test_compute_figures_without_the_new_rows_keeps_its_old_signature():
    """Callers that pass only the first figures (the benchmark, older tests) still work."""
    figures = compute_figures(
        data.PERIOD,
        data.AS_OF,
        data.CALENDAR,
        reports=[],
        surveys=SurveyTotals(
            0, dict.fromkeys(SURVEY_SCORES, 0), dict.fromkeys(SURVEY_SCORES, 0), 0, 0
        ),
        handoffs=[],
        conversations=0,
    )
    assert figures.survey_reach.sent == 0 and figures.corrective.actions == []


def test_the_supervisors_page_shows_the_same_new_figures(filled, monkeypatch):
    """The desk's report (`/api/supervisors/report`) runs the same code: the new sections
    and CSV lines are there for a supervisor."""
    store, _ = filled
    add_agent(store, "lina", "correct horse battery", "supervisor", clock.now())
    for name, value in {
        "BALAGH_DATABASE_URL": store.url,
        "BALAGH_STAFF_TOKEN": "staff-token",
        "BALAGH_INTERNAL_TOKEN": "internal-token",
        "BALAGH_DESK_DISPATCHER": "off",
        "BALAGH_SCHEDULER_INTERVAL": "3600",
    }.items():
        monkeypatch.setenv(name, value)
    query = "/api/supervisors/report?from=2025-03-01&to=2025-04-30"

    async def scenario() -> None:
        async with TestClient(TestServer(build_app())) as client:
            login = await client.post(
                "/api/agents/login",
                json={"username": "lina", "password": "correct horse battery"},
            )
            supervisor = {"Authorization": f"Bearer {(await login.json())['token']}"}
            html = await (await client.get(query, headers=supervisor)).text()
            assert "<section id='corrective'>" in html and "أسباب تصعيد الشكاوى" in html
            assert "إصلاح رفع المرفقات في منصة الوزارة" in html
            lines = await (await client.get(query + "&format=csv", headers=supervisor)).text()
            assert "survey_response,sent,,4" in lines
            assert "notices,whatsapp,skipped,1" in lines

    asyncio.run(scenario())
