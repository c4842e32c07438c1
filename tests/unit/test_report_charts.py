"""The charts' Arabic is shaped (joined presentation forms) and in visual order, and the
font draws every glyph: what makes Arabic readable in matplotlib."""

from __future__ import annotations

import io
import unicodedata
import warnings

import pytest
from fontTools.ttLib import TTFont
from matplotlib.font_manager import findfont
from matplotlib.text import Text
from PIL import Image

from bot.desk.report.build import load_figures
from bot.desk.report.charts import FONT, draw_charts, render_png, shape
from bot.desk.report.labels import CHANNEL_LABELS, TYPE_LABELS
from tests import report_dataset as data

ARABIC_LETTERS = range(0x0621, 0x064B)  # base letters: never drawn unshaped
PRESENTATION_FORMS = (range(0xFB50, 0xFE00), range(0xFE70, 0xFF00))


@pytest.fixture
def charts(sqlite_store):
    data.fill(sqlite_store)
    figures = load_figures(sqlite_store, data.PERIOD, data.AS_OF, data.CALENDAR)
    charts = draw_charts(figures)
    for figure in charts.values():
        figure.canvas.draw()  # tick labels get their text when the figure is drawn
    return charts


def drawn_texts(figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(Text) if t.get_text().strip()]


def logical(visual: str) -> str:
    """Undo shaping and ordering for a right-to-left run: back to the stored text."""
    return unicodedata.normalize("NFKC", visual[::-1])


def test_shape_joins_letters_and_orders_them_for_display():
    visual = shape("تقديم شكوى")
    assert all(ord(c) not in ARABIC_LETTERS for c in visual)
    # Visual order: the last letter first (leftmost). ى follows و, which never joins
    # forward, so it is isolated; ش starts a word: initial form.
    assert visual[0] == "\ufeef" and visual[3] == "\ufeb7"
    assert logical(visual) == "تقديم شكوى"
    assert logical(shape("البلاغات")).startswith("ال")
    assert "\ufefc" in shape("البلاغات")  # the lam-alef ligature, joined to the ب


def test_every_arabic_label_drawn_is_shaped(charts):
    assert set(charts) == {
        "types",
        "monthly_channels",
        "top_escalations",
        "top_delays",
        "handling",
        "satisfaction",
    }
    arabic_drawn = 0
    for name, figure in charts.items():
        for text in drawn_texts(figure):
            assert not any(ord(c) in ARABIC_LETTERS for c in text), (name, text)
            if any(any(ord(c) in r for r in PRESENTATION_FORMS) for c in text):
                arabic_drawn += 1
    assert arabic_drawn >= 20


def test_labels_read_right_to_left(charts):
    types = [t.get_text() for t in charts["types"].axes[0].get_xticklabels()]
    assert [logical(t) for t in types] == list(TYPE_LABELS.values())
    months = [t.get_text() for t in charts["monthly_channels"].axes[0].get_xticklabels()]
    assert months == [f"{shape('مارس')}\n2025", f"{shape('أبريل')}\n2025"]
    legend = charts["monthly_channels"].axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        shape(CHANNEL_LABELS[c]) for c in ("web", "whatsapp", "sms", "other")
    ]
    entities = [t.get_text() for t in charts["top_escalations"].axes[0].get_yticklabels()]
    assert logical(entities[-1]) == data.HEALTH  # the largest on top
    # Right to left: the first category sits on the right.
    axes = charts["types"].axes[0]
    assert axes.get_xlim()[0] > axes.get_xlim()[1]


def test_the_font_has_every_glyph_and_nothing_is_missing(charts):
    font = TTFont(findfont(FONT))
    cmap = font.getBestCmap()
    for figure in charts.values():
        for text in drawn_texts(figure):
            assert all(ord(c) in cmap for c in text if not c.isspace()), text
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        images = render_png(charts)
    assert not [w for w in caught if "missing" in str(w.message).lower()]
    for png in images.values():
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.width > 400


def test_csv_cells_typed_by_citizens_are_never_formulas():
    from bot.desk.report.csv_export import _value

    assert _value('=HYPERLINK("https://evil.example","x")').startswith("'=")
    for start in ("+", "-", "@", "\t", "\r"):
        assert _value(f"{start}1").startswith("'")
    assert _value(-3) == "-3" and _value(0.25) == "0.25" and _value("وزارة") == "وزارة"
