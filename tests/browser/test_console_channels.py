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
