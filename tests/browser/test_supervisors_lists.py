"""The supervisors' lists of reports in Debian's Chromium, on a running desk: a supervisor
signs in, reads the overdue reports with their types and statuses in Arabic, pages through
them, and switches lists and filters; nothing breaks the pages' policy."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from playwright.sync_api import expect

from bot import clock
from bot.rules.lifecycle import REPORT_TYPES, STATUSES
from bot.store.agents import add_agent
from bot.store.database import Store
from bot.store.follow_up import change_status
from bot.store.reports import file_report
from tests.e2e.conftest import ROOT
from tests.helpers.browser import PASSWORD, desk_alone, sign_in
from tests.helpers.reports import complaint

ARTIFACTS = ROOT / "test-artifacts"
OVERDUE = 23  # two pages of 20


def _file(store: Store, index: int, days_ago: int, due_in: int, kind: str = "complaint") -> str:
    new = complaint(prior_number=f"INC-{index}", entity="وزارة الصحة")
    if kind != "complaint":
        new = dataclasses.replace(new, type=kind, prior_number=None, trigger=None)
    filed = clock.now() - dt.timedelta(days=days_ago, minutes=index)
    return file_report(store, new, filed, clock.today() + dt.timedelta(days=due_in)).number


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """23 overdue reports (the oldest a digitisation request, one in progress), one in
    missing data past its date (not overdue: the clock stops), one not yet due."""
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('lists') / 'reports.db'}")
    store.upgrade()
    overdue = [
        _file(store, i, 40 - i, -3, "digitization" if i == 0 else "complaint")
        for i in range(OVERDUE)
    ]
    change_status(store, overdue[1], "in_progress", None, "staff", clock.now())
    waiting = _file(store, 100, 50, -3)
    change_status(store, waiting, "missing_data", "أرفق الصورة", "staff", clock.now())
    fresh = _file(store, 101, 0, 7)
    add_agent(store, "lina", PASSWORD, "supervisor", clock.now())
    add_agent(store, "sara", PASSWORD, "agent", clock.now())
    yield store, overdue, waiting, fresh
    store.dispose()


@pytest.fixture(scope="module")
def desk(reports, tmp_path_factory):
    """The desk alone (the lists need neither Rasa nor the action server)."""
    store = reports[0]
    with desk_alone(store.url, tmp_path_factory.mktemp("desk")) as url:
        yield url


def test_a_supervisor_reads_the_overdue_reports_in_arabic_and_pages(desk, reports, browser):
    _, overdue, waiting, fresh = reports
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    refused = []  # the pages' Content-Security-Policy must not block any of their own parts
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else 0)
    page.goto(f"{desk}/console/supervisors")
    sign_in(page, "lina")

    tab = page.get_by_role("tab", name="متأخرة")
    expect(tab).to_have_attribute("aria-selected", "true")
    panel = page.get_by_role("tabpanel")
    expect(panel).to_have_attribute("data-shown", "overdue/1")
    rows = page.locator("#list-rows tr")
    expect(rows).to_have_count(20)
    expect(page.locator("#list-summary")).to_have_text(f"عدد البلاغات: {OVERDUE}")
    expect(page.locator("#list-page")).to_have_text("الصفحة 1 من 2")
    # Oldest first; the type and status in Arabic, never their codes.
    filed_on = clock.local_date(clock.now() - dt.timedelta(days=40)).isoformat()
    due = (clock.today() - dt.timedelta(days=3)).isoformat()
    expect(rows.nth(0).locator("td")).to_have_text(
        [overdue[0], "طلب تحول", "تم الاستلام", "وزارة الصحة", filed_on, due]
    )
    expect(rows.nth(1).locator("td").nth(2)).to_have_text("جارٍ العمل")
    expect(rows.nth(2).locator("td").nth(1)).to_have_text("تقديم شكوى")
    shown = page.locator("#list-table").inner_text()
    for code in (*STATUSES, *REPORT_TYPES):
        assert code not in shown, code
    assert waiting not in shown and fresh not in shown  # missing data stops the clock
    expect(page.get_by_role("button", name="الصفحة السابقة")).to_be_disabled()

    page.get_by_role("button", name="الصفحة التالية").click()
    expect(panel).to_have_attribute("data-shown", "overdue/2")
    expect(rows).to_have_count(OVERDUE - 20)
    expect(page.locator("#list-page")).to_have_text("الصفحة 2 من 2")
    expect(rows.nth(0).locator("td").nth(0)).to_have_text(overdue[20])
    expect(page.get_by_role("button", name="الصفحة التالية")).to_be_disabled()
    page.get_by_role("button", name="الصفحة السابقة").click()
    expect(panel).to_have_attribute("data-shown", "overdue/1")
    expect(rows.nth(0).locator("td").nth(0)).to_have_text(overdue[0])

    # The filters' choices are Arabic; the type filter narrows the list.
    page.get_by_label("نوع البلاغ").select_option(label="طلب تحول")
    page.get_by_role("button", name="تطبيق التصفية").click()
    expect(page.locator("#list-summary")).to_have_text("عدد البلاغات: 1")
    expect(rows).to_have_count(1)
    page.get_by_label("نوع البلاغ").select_option(label="كل الأنواع")
    page.get_by_label("الحالة").select_option(label="جارٍ العمل")
    page.get_by_role("button", name="تطبيق التصفية").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator("td").nth(0)).to_have_text(overdue[1])
    page.get_by_label("الحالة").select_option(label="كل الحالات")

    # Other lists: awaiting the first review (received, filed days ago), needing the staff.
    page.get_by_role("tab", name="بانتظار المراجعة الأولى").click()
    expect(panel).to_have_attribute("data-shown", "awaiting_first_review/1")
    expect(page.locator("#list-summary")).to_have_text(f"عدد البلاغات: {OVERDUE - 1}")
    page.get_by_role("tab", name="تحتاج تدخلاً").click()
    expect(panel).to_have_attribute("data-shown", "needs_attention/1")
    expect(page.locator("#list-summary")).to_have_text("لا توجد بلاغات في هذه القائمة.")
    expect(rows).to_have_count(0)
    page.get_by_role("tab", name="كل البلاغات").click()
    expect(page.locator("#list-summary")).to_have_text(f"عدد البلاغات: {OVERDUE + 2}")
    page.get_by_role("tab", name="كل البلاغات").press("ArrowRight")  # right to left
    expect(page.get_by_role("tab", name="تحتاج تدخلاً")).to_be_focused()
    expect(page.get_by_role("tab", name="تحتاج تدخلاً")).to_have_attribute("aria-selected", "true")
    assert refused == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "supervisors-lists.png"))
    page.close()


def test_an_agent_sees_no_list(desk, reports, browser):
    page = browser.new_page()
    page.goto(f"{desk}/console/supervisors")
    sign_in(page, "sara")
    expect(page.get_by_role("alert")).to_have_text("هذه الصفحة للمشرفين فقط.")
    expect(page.locator("#list-rows tr")).to_have_count(0)
    assert reports[1][0] not in page.content()
    page.close()
