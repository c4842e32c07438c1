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
    yield from _voice_lines(f)


def _voice_lines(f: ReportFigures) -> Iterator[tuple[str, str, str, object]]:
    """What the operators' reports measure besides: triggers, the survey's reach, notices,
    reopen requests, the corrective-actions register (counts, then the list)."""
    yield ("complaint_triggers", "complaints", "", f.complaints)
    for trigger, count in f.by_trigger.items():
        yield ("complaint_triggers", trigger, "reports", count)
    yield ("complaint_triggers", "technical_failure_share", "", f.technical_failure_share)
    r = f.survey_reach
    reach = {
        "sent": r.sent,
        "answered": r.answered,
        "partly_answered": r.partly,
        "not_answered": r.not_answered,
        "response_rate": r.response_rate,
        "partial_rate": r.partial_rate,
    }
    for key, value in reach.items():
        yield ("survey_response", key, "", value)
    for route, notices in f.notices.items():
        for state, count in notices.states.items():
            yield ("notices", route, state, count)
        yield ("notices", route, "total", notices.total)
        yield ("notices", route, "reach_rate", notices.reach_rate)
    for key in ("asked", "accepted", "refused", "waiting"):
        yield ("reopen_requests", key, "", getattr(f.reopen, key))
    c = f.corrective
    yield ("corrective_actions", "total", "", c.total)
    for kind, per_status in c.counts.items():
        for status, count in per_status.items():
            yield ("corrective_actions", kind, status, count)
    for status, count in c.by_status().items():
        yield ("corrective_actions_by_status", status, "", count)
    for a in c.actions:
        key = str(a.id)
        yield ("corrective_action", key, "entity", a.entity)
        yield ("corrective_action", key, "theme", a.theme)
        yield ("corrective_action", key, "type", a.type)
        yield ("corrective_action", key, "status", a.status)
        yield ("corrective_action", key, "recorded_on", a.recorded_on.isoformat())
        yield ("corrective_action", key, "done_on", a.done_on and a.done_on.isoformat())
        yield ("corrective_action", key, "description", a.description)


def render_csv(figures: ReportFigures) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for section, key, column, value in figure_lines(figures):
        writer.writerow((section, key, column, _value(value)))
    return "\ufeff" + buffer.getvalue()
