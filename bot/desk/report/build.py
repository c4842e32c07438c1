"""From the store to a finished report: shared by `balagh report` and the desk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from bot.desk.report import rows
from bot.desk.report.figures import ReportFigures, compute_figures
from bot.desk.report.period import Period
from bot.rules.working_days import HolidayCalendar
from bot.store.database import Store

FORMATS = ("html", "csv")
COMMENTS = 8
# Below this many reports the pass takes well under a second: no progress bar.
PROGRESS_FROM = 10_000

T = TypeVar("T")


def _with_progress(items: Iterable[T], total: int, enabled: bool) -> Iterator[T]:
    if not enabled or total < PROGRESS_FROM:
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, total=total, desc="reading reports", unit=" reports", leave=False)


def load_figures(
    store: Store,
    period: Period,
    as_of: dt.date,
    calendar: HolidayCalendar,
    comments: int = COMMENTS,
    progress: bool = False,
) -> ReportFigures:
    """Read the period from the store (one streamed pass, SQL aggregates) and compute:
    a fixed number of statements, whatever the period holds (no query per report)."""
    with store.engine.connect() as connection:
        total = rows.count_reports(connection, period)
        reports = _with_progress(rows.report_rows(connection, period), total, progress)
        return compute_figures(
            period,
            as_of,
            calendar,
            reports=reports,
            surveys=rows.survey_totals(connection, period),
            handoffs=rows.handoff_rows(connection, period),
            conversations=rows.conversations_count(connection, period),
            # Read more than needed: repeated comments are quoted once.
            comments=rows.recent_comments(connection, period, comments * 5),
            comment_limit=comments,
            response=rows.survey_response(connection, period),
            notices=rows.notice_states(connection, period),
            reopen=rows.reopen_decisions(connection, period),
            corrective=rows.corrective_rows(connection, period),
        )


def render(figures: ReportFigures, fmt: str) -> str:
    """The report's text in `fmt` (html: with its charts drawn; csv: the figures)."""
    if fmt == "csv":
        from bot.desk.report.csv_export import render_csv

        return render_csv(figures)
    if fmt == "html":
        from bot.desk.report.charts import draw_charts, render_png
        from bot.desk.report.html_page import render_html

        return render_html(figures, render_png(draw_charts(figures)))
    raise ValueError(f"format must be one of {FORMATS}")


def write_report(figures: ReportFigures, out: Path, fmt: str) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(figures, fmt), encoding="utf-8")
    return out
