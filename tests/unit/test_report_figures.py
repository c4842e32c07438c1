"""The report's figures against hand-computed ones (tests/report_dataset.py), read from
the store on SQLite and PostgreSQL; the statistics, periods and outputs on their own."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from bot.desk.report.build import load_figures, render
from bot.desk.report.figures import handoff_figures
from bot.desk.report.period import Period
from bot.desk.report.rows import HandoffRow
from bot.desk.report.stats import median, percentile, share
from tests import report_dataset as data


@pytest.fixture
def figures(store):
    data.fill(store)
    return load_figures(store, data.PERIOD, data.AS_OF, data.CALENDAR)


def test_totals_and_entities(figures):
    expected = data.EXPECTED
    assert figures.total == expected["total"]
    assert figures.by_type == expected["by_type"]
    assert figures.by_status == {
        "received": 1,
        "under_review": 0,
        "missing_data": 0,
        "referred": 0,
        "in_progress": 1,
        "accepted": 2,
        "rejected": 0,
        "closed": 3,
        "cancelled": 1,
    }
    assert figures.top_escalations == expected["top_escalations"]
    assert figures.top_delays == expected["top_delays"]


def test_completion_and_handling_time_in_working_days(figures):
    expected = data.EXPECTED
    assert figures.completed == expected["completed"]
    assert figures.completion_base == expected["completion_base"]
    assert figures.completion_rate == pytest.approx(5 / 7)
    histogram = {}
    for days in expected["handling"]:
        histogram[days] = histogram.get(days, 0) + 1
    assert figures.handling_histogram == histogram
    assert figures.handling_median_days == expected["median"]
    assert figures.handling_p90_days == pytest.approx(expected["p90"])
    assert figures.within_sla == expected["within_sla"]
    assert figures.within_sla_share == pytest.approx(4 / 5)
    assert figures.delayed == expected["delayed"]


def test_monthly_volume_per_channel_and_flow(figures):
    assert figures.months == ["2025-03", "2025-04"]
    assert figures.monthly_channels == data.EXPECTED["monthly_channels"]
    assert figures.monthly_flow == data.EXPECTED["monthly_flow"]
    assert figures.channels == ["web", "whatsapp", "sms", "other"]


def test_satisfaction_handoffs_and_comments(figures):
    expected = data.EXPECTED
    assert figures.surveys == 3
    assert figures.satisfaction == pytest.approx(expected["satisfaction"])
    assert figures.satisfaction_answers == expected["answers"]
    assert (figures.useful_yes, figures.useful_answers) == expected["useful"]
    assert figures.useful_share == 0.5
    h = figures.handoffs
    assert (h.handoffs, h.handed_conversations, h.conversations) == (3, 3, 10)
    assert h.rate == pytest.approx(0.3)
    assert h.by_reason == {"asked": 1, "dispute": 1, "not_understood": 1}
    assert h.taken == 2
    assert h.wait_median_minutes == pytest.approx(expected["wait_median"])
    assert h.handling_median_minutes == pytest.approx(expected["handling_median"])
    assert h.handling_p90_minutes == pytest.approx(expected["handling_p90"])
    assert [(agent, count) for agent, count, _ in h.by_agent] == [("sara", 2)]
    assert [c.text for c in figures.comments] == expected["comments"]
    assert [c.date for c in figures.comments] == [dt.date(2025, 4, 22), dt.date(2025, 3, 6)]


def test_the_csv_carries_the_figures(figures):
    text = render(figures, "csv")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    value = {(r["section"], r["key"], r["column"]): r["value"] for r in rows}
    assert value[("totals", "reports", "")] == "8"
    assert value[("completion", "completion_rate", "")] == "0.7143"
    assert value[("completion", "handling_p90_working_days", "")] == "6.2"
    assert value[("monthly_by_channel", "other", "2025-04")] == "1"
    assert value[("monthly_flow", "open", "2025-04")] == "2"
    assert value[("top_entities_escalations", data.HEALTH, "rank_1")] == "3"
    assert value[("satisfaction", "useful", "share_yes")] == "0.5"
    assert value[("handoffs", "rate", "")] == "0.3"


def test_the_html_page_shows_the_figures_in_arabic(figures):
    page = render(figures, "html")
    assert '<html lang="ar" dir="rtl">' in page
    assert "71٫4٪" in page  # completion rate 5/7
    assert "6٫2" in page  # p90 of the handling time
    assert "80٪" in page  # within the SLA: 4 of 5
    assert "مارس 2025" in page and "أبريل 2025" in page
    assert data.HEALTH in page and "[رقم الجوال]" in page
    assert "0551234567" not in page and "1000000008" not in page and "فهد" not in page
    assert page.count('src="data:image/png;base64,') == 6


def test_an_empty_period_gives_a_page_without_charts(sqlite_store):
    data.fill(sqlite_store)
    empty = Period(dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    figures = load_figures(sqlite_store, empty, data.AS_OF, data.CALENDAR)
    assert figures.total == 0 and figures.completion_rate is None
    assert figures.handling_median_days is None
    page = render(figures, "html")
    assert "data:image/png" not in page and "لا توجد ملاحظات" in page


def test_statistics_definitions():
    assert median([7, 1, 3]) == 3
    assert median([1, 2, 3, 4]) == 2.5
    assert percentile([1, 2, 3, 5, 7], 90) == pytest.approx(6.2)
    assert percentile([4], 90) == 4
    assert median([]) is None and share(1, 0) is None


def test_periods_are_riyadh_days():
    period = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    first, after = period.utc_bounds()
    assert first == dt.datetime(2025, 2, 28, 21, tzinfo=dt.timezone.utc)
    assert after == dt.datetime(2025, 3, 31, 21, tzinfo=dt.timezone.utc)
    assert Period(dt.date(2024, 11, 5), dt.date(2025, 2, 1)).months() == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]
    with pytest.raises(ValueError):
        Period(dt.date(2025, 3, 2), dt.date(2025, 3, 1))


def test_handoffs_still_held_count_in_the_rate_but_not_in_handling_time():
    t = dt.datetime(2025, 3, 2, 7, tzinfo=dt.timezone.utc)
    minutes = dt.timedelta(minutes=1)
    rows = [
        HandoffRow("a", "asked", "active", "sara", t, t + 2 * minutes, None),
        HandoffRow("a", "asked", "closed", "sara", t, t + 4 * minutes, t + 10 * minutes),
    ]
    result = handoff_figures(rows, conversations=4)
    assert (result.handoffs, result.handed_conversations, result.rate) == (2, 1, 0.25)
    assert result.wait_median_minutes == 3
    assert result.handling_median_minutes == 6
