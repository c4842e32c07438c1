"""Issue 6 end to end: a WhatsApp user and a web-widget user handed to an agent who works
in the console (Chromium): the agent's reply reaches the user's own channel, the user's next
message reaches the agent and not the bot, and after hand-back the bot answers again."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from bot import clock
from bot.store.agents import add_agent
from tests.e2e.conftest import running_bot
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers.browser import bot_says, queue_entry, send, signed_in
from tests.helpers.twilio import PUBLIC, TEMPLATES, WHATSAPP_FROM, new_user, wait_for_text, whatsapp

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    twilio = FakeTwilio()
    twilio.start()
    work = tmp_path_factory.mktemp("channels")
    env = {
        "TWILIO_ACCOUNT_SID": twilio.account_sid,
        "TWILIO_AUTH_TOKEN": twilio.auth_token,
        "TWILIO_WHATSAPP_NUMBER": WHATSAPP_FROM,
        "TWILIO_API_BASE": twilio.base_url,
        "TWILIO_WHATSAPP_TEMPLATES": json.dumps(TEMPLATES),
        "BALAGH_PUBLIC_URL": PUBLIC,
    }
    with running_bot(
        work, f"sqlite:///{work / 'reports.db'}", f"sqlite:///{work / 'conv.db'}", env
    ) as bot:
        add_agent(bot.store, "sara", "correct horse battery", "agent", clock.now())
        yield bot, twilio


def take_and_reply(page: Page, bot, conversation: str, reply: str) -> None:
    entry = queue_entry(page, bot, conversation)
    entry.get_by_role("button", name="استلام").click()
    # The reply box is disabled until the take is confirmed; `fill` waits for it.
    page.get_by_label("ردّك على المستفيد").fill(reply)
    page.get_by_role("button", name="إرسال الرد").click()


def test_a_whatsapp_user_and_an_agent_in_the_console(setup, browser):
    bot, twilio = setup
    user = new_user()
    whatsapp(bot, user, "ابي اكلم موظف")
    wait_for_text(twilio, user, "سيتولى")
    page = signed_in(browser, bot, "sara")
    entry = queue_entry(page, bot, user)
    expect(entry).to_contain_text("واتساب · +")  # the channel in Arabic and a masked number:
    expect(entry).not_to_contain_text("whatsapp")  # never the channel's code
    assert user.removeprefix("whatsapp:+")[:-2] not in entry.inner_text()  # two digits at most
    take_and_reply(page, bot, user, "مرحباً، معك سارة")
    wait_for_text(twilio, user, "مرحباً، معك سارة")  # on WhatsApp, through Twilio
    count = len([m for m in twilio.sent() if m["To"] == user])
    whatsapp(bot, user, "عندي مشكلة في أبشر")
    expect(page.locator("#transcript .from-user").last).to_contain_text("مشكلة في أبشر")
    assert len([m for m in twilio.sent() if m["To"] == user]) == count  # the bot is silent
    page.get_by_role("button", name="إعادة إلى المساعد").click()
    wait_for_text(twilio, user, "عاد المساعد الآلي")
    whatsapp(bot, user, "شكرا")
    wait_for_text(twilio, user, "العفو")


def test_a_web_widget_user_and_an_agent_in_the_console(setup, browser):
    bot, _ = setup
    context = browser.new_context()
    widget = context.new_page()
    widget.goto(f"{bot.desk_url}/widget/demo")
    widget.get_by_role("button", name="محادثة بلاغ رقمي").click()
    send(widget, "ابي اكلم موظف")
    bot_says(widget, "سيتولى")
    token = widget.evaluate("localStorage.getItem('balagh.session')")
    conversation = "web:" + token.split(".")[0]
    page = signed_in(browser, bot, "sara")
    take_and_reply(page, bot, conversation, "أهلاً بك، كيف أساعدك؟")
    bot_says(widget, "كيف أساعدك؟")  # pushed into the open widget
    send(widget, "أريد متابعة بلاغي")
    expect(page.locator("#transcript .from-user").last).to_contain_text("متابعة بلاغي")
    page.get_by_role("button", name="إعادة إلى المساعد").click()
    bot_says(widget, "عاد المساعد الآلي")
    send(widget, "شكرا")
    bot_says(widget, "العفو")
    context.close()


def test_two_agents_a_whatsapp_and_a_web_citizen_live_canned_reply_and_note(setup, browser):
    """Issue 21, item 8: the consoles are open before the citizens ask; each hand-off arrives
    without a reload; a canned reply reaches WhatsApp with its placeholder filled; an internal
    note never reaches the citizen."""
    bot, twilio = setup
    add_agent(bot.store, "lina8", "correct horse battery", "supervisor", clock.now())
    add_agent(bot.store, "rana8", "correct horse battery", "agent", clock.now(), "رنا")
    add_agent(bot.store, "huda8", "correct horse battery", "agent", clock.now(), "هدى")
    lina = signed_in(browser, bot, "lina8")
    lina.get_by_label("العنوان").fill("تعريف")
    lina.get_by_label("النص", exact=True).fill("معك {agent_name} من مركز آمر، كيف أساعدك؟")
    lina.get_by_role("button", name="حفظ الرد الجاهز").click()
    expect(lina.locator("#canned-admin-list li")).to_have_count(1)

    rana = signed_in(browser, bot, "rana8")
    huda = signed_in(browser, bot, "huda8")
    expect(rana.locator("#desk")).to_be_visible()  # signed in, the queue shown
    expect(huda.locator("#desk")).to_be_visible()

    user = new_user()
    whatsapp(bot, user, "ابي اكلم موظف")
    wait_for_text(twilio, user, "سيتولى")
    entry = queue_entry(rana, bot, user)
    expect(entry).to_be_visible(timeout=5_000)  # pushed: nobody reloaded the page

    context = browser.new_context()
    widget = context.new_page()
    widget.goto(f"{bot.desk_url}/widget/demo")
    widget.get_by_role("button", name="محادثة بلاغ رقمي").click()
    send(widget, "ابي اكلم موظف")
    bot_says(widget, "سيتولى")
    web = "web:" + widget.evaluate("localStorage.getItem('balagh.session')").split(".")[0]
    expect(queue_entry(huda, bot, web)).to_be_visible(timeout=5_000)
    take_and_reply(huda, bot, web, "أهلاً بك، معك هدى")
    bot_says(widget, "معك هدى")

    entry.get_by_role("button", name="استلام").click()
    expect(rana.locator("#transcript")).to_contain_text("ابي اكلم موظف")
    box = rana.get_by_label("ردّك على المستفيد")
    expect(box).to_be_enabled()
    box.focus()
    box.press("/")
    expect(rana.get_by_role("listbox", name="الردود الجاهزة")).to_be_visible()
    box.press("Enter")
    expect(box).to_have_value("معك رنا من مركز آمر، كيف أساعدك؟")
    rana.get_by_role("button", name="إرسال الرد").click()
    wait_for_text(twilio, user, "معك رنا من مركز آمر، كيف أساعدك؟")  # filled, on WhatsApp

    note = "المستفيد يحتاج متابعة مع فريق أبشر"
    rana.get_by_label("ملاحظة داخلية (لا يراها المستفيد)").fill(note)
    rana.get_by_role("button", name="حفظ الملاحظة").click()
    expect(rana.locator("#notes")).to_contain_text(note)
    whatsapp(bot, user, "شكراً")  # a later message: the note still went nowhere
    expect(rana.locator("#transcript .from-user").last).to_contain_text("شكراً")
    assert all(note not in (m.get("Body") or "") for m in twilio.sent())
    assert note not in json.dumps(bot.tracker(user), ensure_ascii=False)
    context.close()
