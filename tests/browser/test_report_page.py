"""The voice-of-the-beneficiary report in Debian's Chromium: the generated page (right to
left, tables, charts loaded, A4 PDF, what the operators' reports measure: triggers, the
survey's response, notices per route, reopen requests, the corrective-actions register), and
the supervisors' page in a running desk."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bot import clock
from bot.desk.report.build import load_figures, write_report
from bot.store.agents import add_agent
from bot.store.database import Store
from tests import report_dataset as data
from tests.e2e.conftest import ROOT
from tests.helpers import voice_dataset as voice
from tests.helpers.browser import PASSWORD, desk_alone, sign_in

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('report') / 'reports.db'}")
    data.fill(store)
    voice.fill(store)
    yield store
    store.dispose()


def test_the_report_page_reads_right_to_left_with_its_charts(store, browser, tmp_path):
    figures = load_figures(store, data.PERIOD, data.AS_OF, data.CALENDAR)
    page_file = write_report(figures, tmp_path / "report.html", "html")
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(page_file.as_uri())
    assert page.eval_on_selector("html", "e => getComputedStyle(e).direction") == "rtl"
    expect(page.locator("h1")).to_have_text("تقرير صوت المستفيد")
    # 10 tables, and 6 for what the operators' reports measure besides (triggers, survey
    # response, notices, reopen requests, the register's counts and its list).
    expect(page.locator("table")).to_have_count(16)
    images = page.locator("img[data-chart]")
    expect(images).to_have_count(6)
    widths = images.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert all(width > 400 for width in widths), widths
    monthly = page.locator("#monthly table")
    expect(monthly.locator("thead th")).to_have_text(
        ["الأشهر", "مارس 2025", "أبريل 2025", "الإجمالي"]
    )
    expect(monthly.locator("tr.total td")).to_have_text(["إجمالي البلاغات الواردة", "4", "4", "8"])
    # Right to left: the table's first column is drawn at the right.
    first, last = (monthly.locator("thead th").nth(i).bounding_box() for i in (0, 3))
    assert first["x"] > last["x"]
    expect(page.locator("#completion")).to_contain_text("71٫4٪")
    expect(page.locator("#comments blockquote").first).to_contain_text("[رقم الهوية]")
    _the_operators_measures_are_shown(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type/Page") >= 2
    page.close()


def _the_operators_measures_are_shown(page) -> None:
    """The sections of issue 20, item 7, in Arabic (a page or the supervisors' frame)."""
    triggers = page.locator("#triggers")
    expect(triggers.locator("h2")).to_have_text("أسباب تصعيد الشكاوى")
    expect(triggers.locator("tbody tr").first.locator("td")).to_have_text(
        ["تعذر تقديم الشكوى لتعطل النظام", "2", "40٪"]
    )
    expect(triggers).to_contain_text("نسبة بلاغات الأعطال التقنية: 50٪")
    survey = page.locator("#survey_response tbody tr")
    expect(survey.nth(0).locator("td")).to_have_text(["الاستبيانات المرسلة", "4", "100٪"])
    expect(survey.nth(2).locator("td")).to_have_text(["أُجيبت جزئياً", "1", "25٪"])
    notices = page.locator("#notices")
    expect(notices.locator("thead th")).to_have_text(
        ["القناة", "وصلت", "لم تصل", "لم تُرسل", "قيد الإرسال", "الإجمالي", "نسبة الوصول"]
    )
    expect(notices.locator("tbody tr td:first-child")).to_have_text(
        ["المحادثة", "رسالة نصية", "واتساب"]
    )
    expect(notices.locator("tbody tr").first.locator("td")).to_have_text(
        ["المحادثة", "4", "2", "0", "1", "7", "66٫7٪"]
    )
    expect(page.locator("#reopen tbody tr").nth(2).locator("td")).to_have_text(["مرفوضة", "2"])
    corrective = page.locator("#corrective")
    counts, listing = corrective.locator("table").nth(0), corrective.locator("table").nth(1)
    expect(counts.locator("thead th")).to_have_text(
        ["نوع الإجراء", "مخطط لها", "جارٍ العمل عليها", "منفذة", "الإجمالي"]
    )
    expect(counts.locator("tr.total td")).to_have_text(["الإجمالي", "1", "2", "2", "5"])
    expect(listing.locator("tbody tr")).to_have_count(5)
    expect(listing.locator("tbody tr").nth(1).locator("td")).to_have_text(
        ["وزارة الصحة", "تقنية", "منفذة", "10 فبراير 2025", "15 مارس 2025",
         "إصلاح رفع المرفقات في منصة الوزارة"]
    )  # fmt: skip
    expect(corrective).not_to_contain_text("0559876543")


@pytest.fixture(scope="module")
def desk(store, tmp_path_factory):
    """The desk alone (the report needs neither Rasa nor the action server)."""
    add_agent(store, "lina", PASSWORD, "supervisor", clock.now())
    add_agent(store, "sara", PASSWORD, "agent", clock.now())
    with desk_alone(store.url, tmp_path_factory.mktemp("desk")) as url:
        yield url


def test_a_supervisor_reads_the_report_in_the_desk(desk, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    refused = []  # the pages' Content-Security-Policy must not block any of their own parts
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else 0)
    page.goto(f"{desk}/console/supervisors")
    assert page.eval_on_selector("html", "e => getComputedStyle(e).direction") == "rtl"
    sign_in(page, "sara")
    expect(page.get_by_role("alert")).to_have_text("هذه الصفحة للمشرفين فقط.")
    sign_in(page, "lina")
    page.get_by_label("من").fill("2025-03-01")
    page.get_by_label("إلى").fill("2025-04-30")
    page.get_by_role("button", name="عرض التقرير").click()
    expect(page.locator("#report")).to_have_attribute("data-period", "2025-03-01/2025-04-30")
    report = page.frame_locator("#report")
    expect(report.locator("h1")).to_have_text("تقرير صوت المستفيد")
    expect(report.locator(".card").first).to_contain_text("8")
    expect(report.locator("#completion")).to_contain_text("71٫4٪")
    _the_operators_measures_are_shown(report)
    widths = report.locator("img[data-chart]").evaluate_all(
        "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)"
    )
    assert len(widths) == 6 and min(widths) > 400
    # the report's own style applies inside the frame (allowed by its hash)
    assert report.locator("body").evaluate("b => getComputedStyle(b).maxWidth") == "1000px"
    assert refused == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-supervisors.png"))
    # The console shows supervisors the way to the report (and agents not).
    page.goto(f"{desk}/console")
    expect(page.get_by_role("link", name="تقرير صوت المستفيد")).to_be_visible()
    page.close()
