"""Issue 20, item 2, in Debian's Chromium: the status page a message's link opens reads
right to left with its Arabic labels under the desk's strict policy, and the link back to a
web chat conversation opens the widget on that conversation with its history."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from bot import clock
from bot.rules.dates import format_date_ar
from bot.rules.links import make_token
from bot.rules.web_sessions import sender_of
from bot.store.follow_up import change_status
from bot.store.public import report_id_of
from bot.store.reports import NewReport, file_report
from tests.e2e.conftest import ROOT, running_bot
from tests.helpers.browser import send

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "test-artifacts"
LINK_SECRET = "browser-link-secret"
WEBCHAT_SECRET = "browser-webchat-secret"
DUE = dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def link_bot(tmp_path_factory):
    work = tmp_path_factory.mktemp("links")
    with running_bot(
        work,
        f"sqlite:///{work / 'reports.db'}",
        f"sqlite:///{work / 'conv.db'}",
        extra_env={"BALAGH_LINK_SECRET": LINK_SECRET, "BALAGH_WEBCHAT_SECRET": WEBCHAT_SECRET},
    ) as bot:
        yield bot


def _file(bot, conversation: str, channel: str) -> tuple[int, str]:
    filed = file_report(
        bot.store,
        NewReport(
            type="complaint",
            channel=channel,
            conversation_id=conversation,
            beneficiary_name="هند سالم العتيبي",
            national_id="1000000008",
            mobile="+966551234567",
            entity="وزارة الصحة",
            title="تعطل الحجز",
        ),
        clock.now(),
        DUE,
    )
    return report_id_of(bot.store, filed.number), filed.number


def _blocked_by_policy(page: Page) -> list[str]:
    """What the page's Content-Security-Policy refuses, as Chromium reports it."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text)
        if "Content Security Policy" in message.text
        else None,
    )
    return refused


def test_the_status_page_reads_right_to_left_with_the_arabic_labels(link_bot, browser):
    report_id, number = _file(link_bot, "whatsapp:+966551234567", "whatsapp")
    change_status(
        link_bot.store, number, "in_progress", "أُحيل إلى الفريق التقني", "staff", clock.now()
    )
    token = make_token(LINK_SECRET, "status", report_id, clock.now())
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    refused = _blocked_by_policy(page)
    page.goto(f"{link_bot.desk_url}/s/{token}")
    assert page.eval_on_selector("html", "e => getComputedStyle(e).direction") == "rtl"
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("h1")).to_have_text("حالة البلاغ")
    facts = page.locator(".fact")
    expect(facts.locator("dt")).to_have_text(
        ["رقم البلاغ", "نوع البلاغ", "الحالة", "تاريخ التقديم", "موعد الرد", "آخر ملاحظة"]
    )
    expect(facts.locator("dd")).to_have_text(
        [
            number,
            "تقديم شكوى",
            "جارٍ العمل",
            format_date_ar(clock.today()),
            format_date_ar(DUE),
            "أُحيل إلى الفريق التقني",
        ]
    )
    expect(page.locator("body")).not_to_contain_text("هند")
    expect(page.locator("body")).not_to_contain_text("1000000008")
    # The desk's style file is applied (the card is drawn) and right to left: each label at
    # the right of its value on a wide screen.
    assert page.eval_on_selector(".card", "e => getComputedStyle(e).borderRadius") == "12px"
    page.set_viewport_size({"width": 1000, "height": 800})
    label, value = (facts.first.locator(tag).bounding_box() for tag in ("dt", "dd"))
    assert label["x"] > value["x"]
    assert refused == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "status-page.png"), full_page=True)

    page.goto(f"{link_bot.desk_url}/s/{token[:-2]}xy")  # altered: the invalid-link page
    expect(page.locator("h1")).to_have_text("الرابط غير صالح أو انتهت صلاحيته")
    assert page.eval_on_selector("html", "e => getComputedStyle(e).direction") == "rtl"
    page.close()


def test_the_conversation_link_opens_the_widget_on_that_conversation(link_bot, browser):
    # A citizen chats in the widget on the demo page...
    first = browser.new_context()
    chat = first.new_page()
    chat.goto(f"{link_bot.desk_url}/widget/demo")
    chat.get_by_role("button", name="محادثة بلاغ رقمي").click()
    send(chat, "السلام عليكم")
    expect(chat.locator(".bl-bot").first).to_be_visible(timeout=30_000)
    greeting = chat.locator(".bl-bot").first.inner_text()
    session = chat.evaluate("localStorage.getItem('balagh.session')")
    conversation = sender_of(WEBCHAT_SECRET, session)
    assert conversation is not None
    first.close()
    # ...and a report filed there sends a notice with the link back to the conversation.
    report_id, _ = _file(link_bot, conversation, "webchat")
    token = make_token(LINK_SECRET, "conversation", report_id, clock.now())

    # Another browser (nothing stored) opens the link: the panel is open on the history.
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    refused = _blocked_by_policy(page)
    page.goto(f"{link_bot.desk_url}/c/{token}")
    assert page.eval_on_selector("html", "e => getComputedStyle(e).direction") == "rtl"
    expect(page.locator("h1")).to_have_text("أكمل محادثتك مع المساعد")
    expect(page.locator("#balagh-widget")).to_have_class("bl-root bl-open")
    expect(page.locator(".bl-user", has_text="السلام عليكم")).to_be_visible(timeout=30_000)
    expect(page.locator(".bl-bot", has_text=greeting.strip()[:20]).first).to_be_visible()
    assert page.evaluate("localStorage.getItem('balagh.session')") == session
    # The widget's style applies under the page's policy (a flex panel, not a bare section).
    assert page.eval_on_selector(".bl-panel", "e => getComputedStyle(e).display") == "flex"
    # The conversation continues: the next message is the same conversation's.
    before = len(link_bot.bot_texts(conversation))
    send(page, "شكرا")
    expect(page.locator(".bl-user", has_text="شكرا")).to_be_visible()
    deadline = clock.now() + dt.timedelta(seconds=30)
    while len(link_bot.bot_texts(conversation)) <= before:
        assert clock.now() < deadline, "the message did not reach the conversation"
        page.wait_for_timeout(200)
    assert refused == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "conversation-link.png"))
    context.close()


def test_a_conversation_link_of_a_whatsapp_report_opens_nothing(link_bot, browser):
    report_id, _ = _file(link_bot, "whatsapp:+966551234567", "whatsapp")
    token = make_token(LINK_SECRET, "conversation", report_id, clock.now())
    page = browser.new_page()
    answer = page.goto(f"{link_bot.desk_url}/c/{token}")
    assert answer.status == 404
    expect(page.locator("h1")).to_have_text("الرابط غير صالح أو انتهت صلاحيته")
    expect(page.locator("#balagh-widget")).to_have_count(0)
    page.close()
