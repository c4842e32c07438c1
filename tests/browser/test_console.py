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
from tests.helpers.conversations import personal_data, start

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
    expect(entry).to_contain_text("واجهة برمجية · " + "*" * (len(user) - 2) + user[-2:])
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


# Internal codes an agent must never read (intents, slot values, channels, reasons, statuses).
CODES = re.compile(r"[A-Za-z_]{3,}")
NO_SLA_TITLE = "لدي رقم شكوى ولم تُحدَّد مدة للرد"  # the button's title the citizen saw


def test_the_console_speaks_arabic_not_codes(desk_bot, browser):
    bot = desk_bot
    user = f"user-{uuid.uuid4().hex[:8]}"
    start(bot, user)
    personal_data(bot, user)
    assert "الجهة الحكومية" in bot.say(user, '/inform{"choice": "no_sla"}')  # a button press
    assert "سيتولى" in bot.say(user, "ابي اكلم موظف")

    page = signed_in(browser, bot, "sara")
    entry = queue_entry(page, bot, f"rest:{user}")
    for text in ("واجهة برمجية", "طلب المستفيد موظفاً", "بانتظار موظف", "الشكوى"):
        expect(entry).to_contain_text(text)  # channel, reason, status, what was wanted
    expect(entry).to_contain_text("سبب التصعيد: لم تُحدد مدة للرد")  # the bot's label
    expect(entry).to_contain_text("رقم الهوية: ********")  # identifiers stay masked
    expect(entry).not_to_contain_text(CODES)  # no rest, asked, waiting, inform, no_sla
    expect(entry).not_to_contain_text("1000000008")

    entry.get_by_role("button", name="استلام").click()
    header = page.locator("#chat-info")
    expect(header).to_contain_text("لدى موظف · ")  # the header follows the take
    expect(header).to_contain_text("سبب التصعيد: لم تُحدد مدة للرد")
    assert not CODES.search(header.inner_text().replace("sara", ""))

    transcript = page.locator("#transcript")
    expect(transcript).to_contain_text("ابي اكلم موظف")
    expect(page.locator("#transcript .from-user", has_text=NO_SLA_TITLE)).to_have_count(1)
    for code in ("/inform", "no_sla", "choice", "inform"):
        expect(transcript).not_to_contain_text(code)
    for message in page.locator("#transcript .from-user").all_inner_texts():
        assert not CODES.search(message), message


def test_the_queue_has_tabs_waiting_oldest_first_mine_and_all(desk_bot, browser):
    bot = desk_bot
    # Agents of their own: the module's other tests leave chats held by sara and lina.
    add_agent(bot.store, "huda", "correct horse battery", "agent", clock.now())
    add_agent(bot.store, "maha", "correct horse battery", "supervisor", clock.now())
    older, newer = (f"user-{uuid.uuid4().hex[:8]}" for _ in range(2))
    for user in (older, newer):
        assert "سيتولى" in bot.say(user, "ابي اكلم موظف")
    huda = signed_in(browser, bot, "huda")
    waiting = huda.get_by_role("tab", name="بالانتظار")
    mine = huda.get_by_role("tab", name="محادثاتي")
    expect(waiting).to_have_attribute("aria-selected", "true")  # an agent starts on waiting
    expect(huda.get_by_role("tab", name="الكل")).to_have_count(0)  # supervisors only
    first, second = (queue_entry(huda, bot, f"rest:{u}") for u in (older, newer))
    expect(second).to_be_visible()
    ids = huda.locator("#queue li").evaluate_all("els => els.map(e => e.dataset.handoff)")
    assert ids.index(first.get_attribute("data-handoff")) < ids.index(
        second.get_attribute("data-handoff")
    )  # oldest first
    expect(first).to_contain_text(re.compile(r"منذ (أقل من دقيقة|دقيقة واحدة|دقيقتين)"))

    first.get_by_role("button", name="استلام").click()
    expect(mine).to_have_attribute("aria-selected", "true")  # a taken chat is hers
    expect(first).to_be_visible()
    expect(second).to_have_count(0)  # not hers: on the waiting tab
    expect(mine).to_contain_text("(1)")
    waiting.click()
    expect(second).to_be_visible()
    expect(first).to_have_count(0)

    maha = signed_in(browser, bot, "maha")
    everything = maha.get_by_role("tab", name="الكل")
    expect(everything).to_have_attribute("aria-selected", "true")  # a supervisor sees all
    expect(queue_entry(maha, bot, f"rest:{older}")).to_contain_text("لدى huda")
    expect(queue_entry(maha, bot, f"rest:{newer}")).to_be_visible()
    everything.press("ArrowRight")  # the keyboard moves between tabs (right to left)
    expect(maha.get_by_role("tab", name="محادثاتي")).to_be_focused()
    expect(maha.locator("#queue-empty")).to_be_visible()  # maha holds none


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
