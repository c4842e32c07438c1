"""Issue 21, item 7, in Debian's Chromium: the console, the supervisors' page, the status page
and the web chat widget have no serious or critical axe-core violations and are operable by
keyboard alone (Tab, Enter, Escape); a screenshot of each goes to test-artifacts/."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from bot import clock
from bot.rules.links import make_token
from bot.store.agents import add_agent
from bot.store.public import report_id_of
from bot.store.reports import NewReport, file_report
from tests.e2e.conftest import ROOT, running_bot
from tests.helpers.browser import PASSWORD, bot_says, queue_entry

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "tests/browser/axe/node_modules/axe-core/axe.min.js"
LINK_SECRET = "a11y-link-secret"


@pytest.fixture(scope="module")
def a11y_bot(tmp_path_factory):
    work = tmp_path_factory.mktemp("a11y")
    with running_bot(
        work,
        f"sqlite:///{work / 'reports.db'}",
        f"sqlite:///{work / 'conv.db'}",
        extra_env={"BALAGH_LINK_SECRET": LINK_SECRET},
    ) as bot:
        add_agent(bot.store, "sara", PASSWORD, "agent", clock.now())
        add_agent(bot.store, "lina", PASSWORD, "supervisor", clock.now())
        yield bot


def check_axe(page: Page, name: str) -> None:
    """axe-core on the page as it is: no serious or critical violation; a screenshot."""
    if not AXE.exists():
        pytest.fail(f"axe-core not installed at {AXE}: run `make axe` (the e2e target does)")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"a11y-{name}.png"), full_page=True)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    report = "\n".join(
        f"[{v['impact']}] {v['id']}: {v['help']}\n"
        + "\n".join(f"    {n['target']} {n['failureSummary']!r}" for n in v["nodes"][:5])
        for v in bad
    )
    assert not bad, f"axe-core on the {name}:\n{report}"


def new_page(browser, width: int = 1280, height: int = 900) -> Page:
    """A page in a context of its own that lets Playwright add axe's script despite the
    desk's Content-Security-Policy (script-src 'self')."""
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    return context.new_page()


def tab_to(page: Page, selector: str, limit: int = 80, key: str = "Tab") -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only)."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{selector} has the focus but shows no outline"
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} never reached with {key}")


def test_the_console_by_keyboard_and_axe(a11y_bot, browser):
    bot = a11y_bot
    user = f"user-{uuid.uuid4().hex[:8]}"
    bot.say(user, "ابي اصعد شكوى")
    bot.say(user, "نورة سعد")
    assert "سيتولى" in bot.say(user, "ابي اكلم موظف")

    page = new_page(browser)
    page.goto(f"{bot.desk_url}/console")
    check_axe(page, "console-sign-in")
    tab_to(page, "#username")
    page.keyboard.type("sara")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    entry = queue_entry(page, bot, f"rest:{user}")
    expect(entry).to_be_visible()
    handoff = entry.get_attribute("data-handoff")
    tab_to(page, f"li[data-handoff='{handoff}'] button")
    expect(page.locator(":focus")).to_have_text("استلام")
    page.keyboard.press("Enter")
    expect(page.locator("#transcript")).to_contain_text("ابي اكلم موظف")
    expect(page.locator("#chat-controls")).to_be_enabled()
    tab_to(page, "#reply")
    page.keyboard.type("مرحباً، معك سارة")
    tab_to(page, "#reply-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#transcript .from-agent")).to_contain_text("معك سارة")
    assert bot.bot_texts(user)[-1] == "مرحباً، معك سارة"
    check_axe(page, "console")
    page.context.close()


def test_the_supervisors_page_by_keyboard_and_axe(a11y_bot, browser):
    page = new_page(browser)
    page.goto(f"{a11y_bot.desk_url}/console/supervisors")
    tab_to(page, "#username")
    page.keyboard.type("lina")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    selected = page.get_by_role("tab", name="متأخرة")
    expect(selected).to_have_attribute("aria-selected", "true")
    tab_to(page, "#list-tab-overdue")
    page.keyboard.press("ArrowLeft")  # the next tab, right to left
    expect(page.get_by_role("tab", name="بانتظار المراجعة الأولى")).to_have_attribute(
        "aria-selected", "true"
    )
    page.keyboard.press("Tab")  # from the tabs into the panel's controls
    assert page.evaluate("() => !!document.activeElement.closest('#list-panel')")
    tab_to(page, "#from")
    check_axe(page, "supervisors")
    page.context.close()


def test_the_status_page_by_keyboard_and_axe(a11y_bot, browser):
    bot = a11y_bot
    filed = file_report(
        bot.store,
        NewReport(
            type="complaint",
            channel="whatsapp",
            conversation_id="whatsapp:+966551234567",
            beneficiary_name="هند سالم",
            national_id="1000000008",
            mobile="+966551234567",
            entity="وزارة الصحة",
            title="تعطل الحجز",
        ),
        clock.now(),
        clock.today(),
    )
    token = make_token(LINK_SECRET, "status", report_id_of(bot.store, filed.number), clock.now())
    page = new_page(browser, 390, 844)
    page.goto(f"{bot.desk_url}/s/{token}")
    expect(page.locator("h1")).to_have_text("حالة البلاغ")
    # No focus trap: Tab goes through whatever the page offers and back out to the browser.
    seen = []
    for _ in range(20):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)"))
        if page.evaluate("() => document.activeElement === document.body"):
            break
    assert len(set(seen)) == len(seen) or seen[-1].startswith("<body"), seen
    check_axe(page, "status-page")
    page.context.close()


def test_the_widget_by_keyboard_and_axe(a11y_bot, browser):
    page = new_page(browser, 1000, 800)
    page.goto(f"{a11y_bot.desk_url}/widget/demo")
    check_axe(page, "widget-closed")
    tab_to(page, ".bl-launch")
    page.keyboard.press("Enter")
    expect(page.locator(".bl-panel")).to_be_visible()
    expect(page.locator("#bl-input")).to_be_focused()  # opening moves the focus in
    page.keyboard.type("ابي اصعد شكوى")
    page.keyboard.press("Enter")
    bot_says(page, "ما اسمك الكامل")
    check_axe(page, "widget")
    page.keyboard.press("Escape")
    expect(page.locator(".bl-panel")).to_be_hidden()
    expect(page.locator(".bl-launch")).to_be_focused()  # the focus returns to the launcher
    page.context.close()
