"""The figures as CSV, for spreadsheets: one figure per line (section, key, column,
value), machine keys rather than Arabic labels so formulas survive wording changes.
Written with a BOM so that Excel reads the Arabic entity names as UTF-8."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from bot.desk.report.figures import ReportFigures

HEADER = ("section", "key", "column", "value")


# A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    text = str(value)
    # Text typed by citizens (entity names, comments) is never run as a formula.
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def figure_lines(f: ReportFigures) -> Iterator[tuple[str, str, str, object]]:
    """Every figure of the page, flattened."""
    yield ("period", "from", "", f.period.start.isoformat())
    yield ("period", "to", "", f.period.end.isoformat())
    yield ("period", "as_of", "", f.as_of.isoformat())
    yield ("totals", "reports", "", f.total)
    for key, count in f.by_type.items():
        yield ("by_type", key, "reports", count)
    for key, count in f.by_status.items():
        yield ("by_status", key, "reports", count)
    for rank, (entity, count) in enumerate(f.top_escalations, 1):
        yield ("top_entities_escalations", entity, f"rank_{rank}", count)
    for rank, (entity, count) in enumerate(f.top_delays, 1):
        yield ("top_entities_delays", entity, f"rank_{rank}", count)
    completion = {
        "completed": f.completed,
        "completion_base": f.completion_base,
        "completion_rate": f.completion_rate,
        "handling_median_working_days": f.handling_median_days,
        "handling_p90_working_days": f.handling_p90_days,
        "within_sla": f.within_sla,
        "within_sla_share": f.within_sla_share,
        "delayed": f.delayed,
    }
    for key, value in completion.items():
        yield ("completion", key, "", value)
    for days, count in f.handling_histogram.items():
        yield ("handling_histogram", str(days), "reports", count)
    yield ("satisfaction", "surveys", "", f.surveys)
    for question, average in f.satisfaction.items():
        yield ("satisfaction", question, "average", average)
        yield ("satisfaction", question, "answers", f.satisfaction_answers.get(question, 0))
    yield ("satisfaction", "useful", "yes", f.useful_yes)
    yield ("satisfaction", "useful", "answers", f.useful_answers)
    yield ("satisfaction", "useful", "share_yes", f.useful_share)
    h = f.handoffs
    handoffs = {
        "handoffs": h.handoffs,
        "handed_conversations": h.handed_conversations,
        "conversations": h.conversations,
        "rate": h.rate,
        "taken": h.taken,
        "wait_median_minutes": h.wait_median_minutes,
        "handling_median_minutes": h.handling_median_minutes,
        "handling_p90_minutes": h.handling_p90_minutes,
        "agent_ratings": h.rated,
        "agent_rating_average": h.rating_mean,
    }
    for key, value in handoffs.items():
        yield ("handoffs", key, "", value)
    for reason, count in h.by_reason.items():
        yield ("handoffs_by_reason", reason, "handoffs", count)
    for agent, count, minutes in h.by_agent:
        yield ("agents", agent, "handled", count)
        yield ("agents", agent, "handling_median_minutes", minutes)
    for agent, average in h.rating_by_agent.items():
        yield ("agents", agent, "rating_average", average)
    for channel in f.channels:
        for month in f.months:
            yield ("monthly_by_channel", channel, month, f.monthly_channels[channel][month])
    for month in f.months:
        for key, count in f.monthly_flow[month].items():
            yield ("monthly_flow", key, month, count)


def render_csv(figures: ReportFigures) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for section, key, column, value in figure_lines(figures):
        writer.writerow((section, key, column, _value(value)))
    return "\ufeff" + buffer.getvalue()
