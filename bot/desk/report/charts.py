"""The report's charts, drawn with matplotlib (Agg, no display, no downloads).

Matplotlib draws characters left to right as they come and does not join Arabic
letters, so every Arabic label goes through `shape`: `arabic_reshaper` picks each
letter's joined presentation form and `python-bidi` puts the string in visual order.
Axes read right to left (first month on the right, names on the right), like the
page. The font is DejaVu Sans, shipped with matplotlib, which has the Arabic
presentation forms. Figures are built with the object API (no pyplot state), so the
desk can draw them in worker threads.
"""

from __future__ import annotations

import io

import arabic_reshaper
from bidi import get_display
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import MaxNLocator

from bot.desk.report.figures import SLA_WORKING_DAYS, ReportFigures
from bot.desk.report.labels import (
    CHANNEL_LABELS,
    SURVEY_QUESTIONS,
    TYPE_LABELS,
    month_label,
)

FONT = FontProperties(family="DejaVu Sans", size=10)
SMALL = FontProperties(family="DejaVu Sans", size=8.5)
GREEN, GOLD, TEAL, GREY, RED = "#0b6e4f", "#c9a227", "#2a9d8f", "#8d99ae", "#b23a48"
CHANNEL_COLOURS = {"web": GREEN, "whatsapp": TEAL, "sms": GOLD, "other": GREY}
DPI = 150
LONGEST_DAY_BAR = 20  # handling times beyond this are gathered in the last bar


def shape(text: str) -> str:
    """Arabic as matplotlib must be given it: joined letter forms, visual order."""
    return get_display(arabic_reshaper.reshape(text))


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.spines[["top", "left"]].set_visible(False)
    axes.yaxis.tick_right()
    axes.yaxis.set_label_position("right")
    return figure, axes


def _counts_on(axis: Axis) -> None:
    """Counts are whole numbers: no 0.5 report on an axis."""
    axis.set_major_locator(MaxNLocator(integer=True))


def _png(figure: Figure) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _label_bars(axes: Axes, bars: BarContainer, horizontal: bool = False) -> None:
    """Each bar's value just past its end (leftwards for the right-to-left bars)."""
    for bar in bars:
        if horizontal:
            value = bar.get_width()
            axes.annotate(
                f"{value:g}",
                (value, bar.get_y() + bar.get_height() / 2),
                xytext=(-4, 0),
                textcoords="offset points",
                ha="right",
                va="center",
                fontproperties=SMALL,
            )
        else:
            value = bar.get_height()
            axes.annotate(
                f"{value:g}",
                (bar.get_x() + bar.get_width() / 2, value),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontproperties=SMALL,
            )


def types_chart(figures: ReportFigures) -> Figure:
    """Reports received by type."""
    figure, axes = _figure(5.2, 3.0)
    names = list(TYPE_LABELS)
    bars = axes.bar(
        [shape(TYPE_LABELS[t]) for t in names],
        [figures.by_type.get(t, 0) for t in names],
        color=[GREEN, GOLD, TEAL],
        width=0.55,
    )
    _label_bars(axes, bars)
    axes.invert_xaxis()
    axes.set_ylim(0, max(figures.by_type.values() or [1]) * 1.12 or 1)
    _counts_on(axes.yaxis)
    axes.set_ylabel(shape("عدد البلاغات"), fontproperties=FONT, labelpad=10)
    for tick in axes.get_xticklabels():
        tick.set_fontproperties(FONT)
    return figure


def monthly_channels_chart(figures: ReportFigures) -> Figure:
    """Reports received per month and channel (grouped bars)."""
    months, channels = figures.months, figures.channels
    figure, axes = _figure(min(10.0, max(6.5, 0.7 * len(months) + 2.5)), 3.4)
    width = 0.8 / len(channels)
    for index, channel in enumerate(channels):
        counts = [figures.monthly_channels[channel][m] for m in months]
        positions = [m + (index - (len(channels) - 1) / 2) * width for m in range(len(months))]
        axes.bar(
            positions,
            counts,
            width=width,
            color=CHANNEL_COLOURS[channel],
            label=shape(CHANNEL_LABELS[channel]),
        )
    axes.set_xticks(range(len(months)))
    # Month over year on two lines, each shaped on its own (bidi works line by line).
    labels = ["\n".join(shape(part) for part in month_label(m).split(" ")) for m in months]
    axes.set_xticklabels(labels, fontproperties=SMALL)
    _counts_on(axes.yaxis)
    axes.invert_xaxis()
    axes.set_ylabel(shape("عدد البلاغات"), fontproperties=FONT, labelpad=10)
    axes.legend(prop=SMALL, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=4)
    return figure


def top_entities_chart(pairs: list[tuple[str, int]], colour: str = GREEN) -> Figure:
    """Entities with the most reports (largest on top, names on the right)."""
    figure, axes = _figure(6.5, 0.45 * max(len(pairs), 1) + 1.0)
    names = [shape(name) for name, _ in reversed(pairs)]
    counts = [count for _, count in reversed(pairs)]
    bars = axes.barh(names, counts, color=colour, height=0.6)
    _label_bars(axes, bars, horizontal=True)
    axes.set_xlim(max(counts + [1]) * 1.15, 0)
    _counts_on(axes.xaxis)
    axes.spines[["right"]].set_visible(True)
    axes.spines[["left"]].set_visible(False)
    for tick in axes.get_yticklabels():
        tick.set_fontproperties(FONT)
    axes.set_xlabel(shape("عدد البلاغات"), fontproperties=FONT)
    return figure


def handling_chart(figures: ReportFigures) -> Figure:
    """Completed reports by handling time, with the 5-working-day SLA marked."""
    figure, axes = _figure(6.5, 3.0)
    counts = [0] * (LONGEST_DAY_BAR + 1)
    for days, count in figures.handling_histogram.items():
        counts[min(days, LONGEST_DAY_BAR)] += count
    colours = [GREEN if d <= SLA_WORKING_DAYS else RED for d in range(len(counts))]
    axes.bar(range(len(counts)), counts, color=colours, width=0.8)
    axes.axvline(SLA_WORKING_DAYS + 0.5, color=GREY, linestyle="--", linewidth=1)
    axes.text(
        SLA_WORKING_DAYS + 0.7,
        max(counts or [0]) * 0.92,
        shape("مهلة 5 أيام عمل"),
        fontproperties=SMALL,
        ha="right",
    )
    axes.set_xticks(range(0, LONGEST_DAY_BAR + 1, 2))
    axes.set_xticklabels([f"{d}+" if d == LONGEST_DAY_BAR else str(d) for d in range(0, 21, 2)])
    axes.invert_xaxis()
    axes.set_xlabel(shape("أيام العمل حتى الإنجاز"), fontproperties=FONT)
    _counts_on(axes.yaxis)
    axes.set_ylabel(shape("عدد البلاغات"), fontproperties=FONT, labelpad=10)
    return figure


def satisfaction_chart(figures: ReportFigures) -> Figure:
    """Average answer (1–5) per survey question."""
    figure, axes = _figure(6.5, 2.4)
    questions = [q for q in reversed(SURVEY_QUESTIONS) if q in figures.satisfaction]
    values = [round(figures.satisfaction.get(q) or 0, 2) for q in questions]
    bars = axes.barh(
        [shape(SURVEY_QUESTIONS[q]) for q in questions], values, color=TEAL, height=0.55
    )
    _label_bars(axes, bars, horizontal=True)
    axes.set_xlim(5, 0)
    axes.spines[["right"]].set_visible(True)
    axes.spines[["left"]].set_visible(False)
    for tick in axes.get_yticklabels():
        tick.set_fontproperties(FONT)
    axes.set_xlabel(shape("متوسط الإجابة من 5"), fontproperties=FONT)
    return figure


def draw_charts(figures: ReportFigures) -> dict[str, Figure]:
    """The charts that have something to show, by name."""
    charts: dict[str, Figure] = {}
    if figures.total:
        charts["types"] = types_chart(figures)
        charts["monthly_channels"] = monthly_channels_chart(figures)
    if figures.top_escalations:
        charts["top_escalations"] = top_entities_chart(figures.top_escalations, GREEN)
    if figures.top_delays:
        charts["top_delays"] = top_entities_chart(figures.top_delays, RED)
    if figures.handling_histogram:
        charts["handling"] = handling_chart(figures)
    if any(v is not None for v in figures.satisfaction.values()):
        charts["satisfaction"] = satisfaction_chart(figures)
    return charts


def render_png(charts: dict[str, Figure]) -> dict[str, bytes]:
    return {name: _png(figure) for name, figure in charts.items()}
