"""The agents' console in a real browser: sign in, take a chat, reply, see the user's
message arrive, hand back."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

from bot import clock
from bot.store.agents import add_agent
from tests.e2e.conftest import running_bot
from tests.helpers.browser import queue_entry, signed_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def desk_bot(tmp_path_factory):
    work = tmp_path_factory.mktemp("console")
    with running_bot(
        work, f"sqlite:///{work / 'reports.db'}", f"sqlite:///{work / 'conv.db'}"
    ) as bot:
        add_agent(bot.store, "sara", "correct horse battery", "agent", clock.now())
        add_agent(bot.store, "lina", "correct horse battery", "supervisor", clock.now())
        yield bot


def test_an_agent_works_a_chat_from_the_console(desk_bot, browser):
    bot = desk_bot
    user = f"user-{uuid.uuid4().hex[:8]}"
    bot.say(user, "ابي اصعد شكوى")
    bot.say(user, "نورة سعد")
    assert "سيتولى" in bot.say(user, "ابي اكلم موظف")

    page = browser.new_page()
    page.goto(f"{bot.desk_url}/console")
    assert page.eval_on_selector("html", "e => getComputedStyle(e).direction") == "rtl"
    page.get_by_label("اسم المستخدم").fill("sara")
    page.get_by_label("كلمة المرور").fill("wrong password")
    page.get_by_role("button", name="دخول").click()
    expect(page.get_by_role("alert")).to_contain_text("غير صحيحة")
    expect(page.locator("#desk")).to_be_hidden()  # no queue before signing in
    page.get_by_label("كلمة المرور").fill("correct horse battery")
    page.get_by_role("button", name="دخول").click()

    entry = queue_entry(page, bot, f"rest:{user}")
    expect(entry).to_contain_text("الشكوى")
    expect(entry).not_to_contain_text(user)  # the conversation id is masked
    expect(entry).to_contain_text("rest:" + "*" * (len(user) - 2) + user[-2:])
    expect(entry).to_contain_text("نورة سعد")
    entry.get_by_role("button", name="استلام").click()
    expect(page.locator("#transcript")).to_contain_text("ابي اكلم موظف")

    page.get_by_label("ردّك على المستفيد").fill("مرحباً، معك سارة من مركز آمر")
    page.get_by_role("button", name="إرسال الرد").click()
    expect(page.locator("#transcript .from-agent")).to_contain_text("معك سارة")
    assert bot.bot_texts(user)[-1] == "مرحباً، معك سارة من مركز آمر"

    assert bot.send(user, "شكراً، مشكلتي في رقم الهوية") == []  # reaches the agent, not the bot
    expect(page.locator("#transcript .from-user").last).to_contain_text("مشكلتي في رقم الهوية")

    page.get_by_role("button", name="إعادة إلى المساعد").click()
    expect(entry).to_have_count(0)
    assert "عاد المساعد الآلي" in " ".join(bot.bot_texts(user)[-2:])
    assert "جوالك" in bot.say(user, "1000000008")  # the bot answers again, form resumed


def test_a_supervisor_reassigns_from_the_console(desk_bot, browser):
    _, page, entry = waiting_chat(browser, desk_bot, "lina")
    page.once("dialog", lambda dialog: dialog.accept("sara"))
    entry.get_by_role("button", name="إعادة إسناد").click()
    expect(entry).to_contain_text("لدى sara")


def waiting_chat(browser, bot, agent: str) -> tuple[str, Page, Locator]:
    """A new conversation handed over, and `agent` signed in with it in her queue."""
    user = f"user-{uuid.uuid4().hex[:8]}"
    assert "سيتولى" in bot.say(user, "ابي اكلم موظف")
    page = signed_in(browser, bot, agent)
    entry = queue_entry(page, bot, f"rest:{user}")
    expect(entry).to_be_visible()
    return user, page, entry


def test_a_reply_needs_an_open_chat_and_a_refused_one_is_kept(desk_bot, browser):
    bot = desk_bot
    user, sara, entry = waiting_chat(browser, bot, "sara")
    expect(sara.get_by_label("ردّك على المستفيد")).to_be_disabled()  # no chat open yet
    expect(sara.get_by_role("button", name="إرسال الرد")).to_be_disabled()
    entry.get_by_role("button", name="استلام").click()
    expect(sara.get_by_label("ردّك على المستفيد")).to_be_enabled()

    lina = signed_in(browser, bot, "lina")  # the supervisor moves the chat to herself
    moved = queue_entry(lina, bot, f"rest:{user}")
    lina.once("dialog", lambda dialog: dialog.accept("lina"))
    moved.get_by_role("button", name="إعادة إسناد").click()
    expect(moved).to_contain_text("لدى lina")

    sara.get_by_label("ردّك على المستفيد").fill("ردّ متأخر")
    sara.get_by_role("button", name="إرسال الرد").click()
    expect(sara.locator("#reply-error")).to_contain_text("المحادثة لم تعد لديك")
    expect(sara.get_by_label("ردّك على المستفيد")).to_have_value("ردّ متأخر")  # not lost
    assert "ردّ متأخر" not in bot.bot_texts(user)


def test_a_chat_taken_by_someone_else_meanwhile_is_said_in_arabic(desk_bot, browser):
    bot = desk_bot
    user, sara, entry = waiting_chat(browser, bot, "sara")
    sara.route("**/api/handoffs", lambda route: route.abort())  # her queue stops refreshing
    lina = signed_in(browser, bot, "lina")
    queue_entry(lina, bot, f"rest:{user}").get_by_role("button", name="استلام").click()
    expect(lina.get_by_label("ردّك على المستفيد")).to_be_enabled()
    entry.get_by_role("button", name="استلام").click()  # the queue she sees is out of date
    expect(sara.locator("#queue-error")).to_contain_text("استلم هذه المحادثة موظف آخر")
    expect(sara.get_by_label("ردّك على المستفيد")).to_be_disabled()


def test_the_console_says_the_sign_in_wait_in_arabic_and_breaks_no_policy(desk_bot, browser):
    add_agent(desk_bot.store, "reem", "correct horse battery", "agent", clock.now())
    page = browser.new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    page.goto(f"{desk_bot.desk_url}/console")
    page.get_by_label("اسم المستخدم").fill("reem")
    page.get_by_label("كلمة المرور").fill("wrong password")
    for _ in range(5):
        page.get_by_role("button", name="دخول").click()
        expect(page.get_by_role("alert")).to_contain_text("غير صحيحة")
        expect(page.get_by_role("button", name="دخول")).to_be_enabled()
        page.evaluate("document.getElementById('login-error').textContent = ''")
    page.get_by_label("كلمة المرور").fill("correct horse battery")
    page.get_by_role("button", name="دخول").click()  # locked: the right password waits too
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"حاول مجدداً بعد 1[0-5] ثانية"))
    expect(page.get_by_role("button", name="دخول")).to_be_disabled()
    expect(page.locator("#desk")).to_be_hidden()
    assert violations == []
