"""Issue 21, item 3 in Chromium with a running bot: the console is pushed what changes. While
its stream is open it does not poll; a citizen asking for a person (REST or the widget)
appears in the queue within two seconds, with the number waiting in the tab's title, a sound
and (once the agent allowed it with the button, never on load) a browser notification; the
citizen's message appears in the open chat; the citizen on the web widget sees «الموظف
يكتب…» while the agent types. Without the stream the console falls back to polling, and
takes the stream again once it can. The stream and the bridge's typing door refuse callers
without their credentials."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from bot import clock
from bot.store.agents import add_agent
from bot.store.handoffs import waiting_count
from tests.e2e.conftest import running_bot
from tests.helpers.browser import PASSWORD, bot_says, queue_entry, send, sign_in

pytestmark = pytest.mark.e2e

TITLE = "بلاغ رقمي – المحادثات"
# Put in the page before its own script: the browser's notifications as the console uses them
# (what it asks, what it shows), the sounds it plays counted, and the page as on another tab
# (a notification is for an agent who is not looking at the console).
OBSERVED = """
window.__asked = 0; window.__shown = []; window.__chimes = 0;
class FakeNotification {
  constructor(title, options) { window.__shown.push({ title: title, body: (options || {}).body }); }
  close() {}
}
FakeNotification.permission = "default";
FakeNotification.requestPermission = function () {
  window.__asked += 1; FakeNotification.permission = "granted"; return Promise.resolve("granted");
};
window.Notification = FakeNotification;
const started = AudioBufferSourceNode.prototype.start;
AudioBufferSourceNode.prototype.start = function () {
  window.__chimes += 1; return started.apply(this, arguments);
};
document.hasFocus = function () { return false; };
"""


@pytest.fixture(scope="module")
def desk_bot(tmp_path_factory):
    work = tmp_path_factory.mktemp("live")
    with running_bot(
        work, f"sqlite:///{work / 'reports.db'}", f"sqlite:///{work / 'conv.db'}"
    ) as bot:
        add_agent(bot.store, "sara", PASSWORD, "agent", clock.now())
        add_agent(bot.store, "lina", PASSWORD, "supervisor", clock.now())
        yield bot


def requests_to(page: Page, path: str) -> list[float]:
    """When the page asked `GET path` (filled as it goes)."""
    seen: list[float] = []
    page.on(
        "request",
        lambda r: seen.append(time.monotonic())
        if r.method == "GET" and urlsplit(r.url).path == path
        else None,
    )
    return seen


def live_console(browser, bot, username: str) -> Page:
    """The console signed in, observed, its stream open."""
    page = browser.new_page()
    page.add_init_script(OBSERVED)
    page.goto(f"{bot.desk_url}/console")
    sign_in(page, username)
    expect(page.locator("#live-status")).to_have_attribute("data-live", "on")
    expect(page.locator("#live-status")).to_have_text("تحديث مباشر")
    return page


def quiet(page: Page, seen: list[float], seconds: float = 3.5) -> None:
    """Nothing asked for `seconds`: the console no longer polls (it did every 1.5 s)."""
    page.wait_for_timeout(500)  # what the stream's opening itself reloaded
    before = len(seen)
    page.wait_for_timeout(seconds * 1000)
    assert len(seen) == before, f"{len(seen) - before} requests while the stream was open"


def test_a_new_handoff_is_pushed_with_the_count_in_the_title_a_sound_and_a_notification(
    desk_bot, browser
):
    bot = desk_bot
    page = live_console(browser, bot, "sara")
    queue = requests_to(page, "/api/handoffs")
    expect(page).to_have_title(re.compile(rf"^(\(\d+\) )?{TITLE}$"))

    # Notifications are asked for with the button, never on load.
    assert page.evaluate("window.__asked") == 0
    allow = page.get_by_role("button", name="تفعيل تنبيهات المتصفح للمحادثات الجديدة")
    expect(allow).to_be_visible()
    allow.click()
    expect(page.locator("#notify-state")).to_have_text("تنبيهات المتصفح مفعّلة.")
    expect(allow).to_be_hidden()
    assert page.evaluate("window.__asked") == 1

    quiet(page, queue)
    user = f"user-{uuid.uuid4().hex[:8]}"
    asked_at = len(queue)
    assert "سيتولى" in bot.say(user, "ابي اكلم موظف")
    entry = queue_entry(page, bot, f"rest:{user}")
    expect(entry).to_be_visible(timeout=2000)  # pushed: no reload, no poll
    assert len(queue) - asked_at <= 2  # the reloads the pushes asked for (hand-off, message)
    waiting = waiting_count(bot.store)
    expect(page).to_have_title(f"({waiting}) {TITLE}")
    expect(page.locator("#queue-announce")).to_have_text(
        "وصلت محادثة جديدة بالانتظار: واجهة برمجية · طلب المستفيد موظفاً."
    )
    page.wait_for_function("window.__chimes === 1", timeout=2000)
    shown = page.evaluate("window.__shown")
    assert shown == [
        {"title": "محادثة جديدة بالانتظار – بلاغ رقمي", "body": "واجهة برمجية · طلب المستفيد موظفاً"}
    ]

    # Taken elsewhere (the supervisor): it leaves sara's waiting list and the count drops.
    lina = live_console(browser, bot, "lina")
    queue_entry(lina, bot, f"rest:{user}").get_by_role("button", name="استلام").click()
    expect(entry).to_have_count(0, timeout=2000)
    expect(page).to_have_title(re.compile(rf"^(\({waiting - 1}\) )?{TITLE}$"))
    quiet(page, queue, seconds=2)
    lina.close()
    page.close()


def test_a_citizens_message_appears_in_the_open_chat_without_a_reload(desk_bot, browser):
    bot = desk_bot
    user = f"user-{uuid.uuid4().hex[:8]}"
    assert "سيتولى" in bot.say(user, "ابي اكلم موظف")
    page = live_console(browser, bot, "sara")
    entry = queue_entry(page, bot, f"rest:{user}")
    handoff = entry.get_attribute("data-handoff")
    transcripts = requests_to(page, f"/api/handoffs/{handoff}/transcript")
    entry.get_by_role("button", name="استلام").click()
    expect(page.locator("#transcript")).to_contain_text("ابي اكلم موظف")
    quiet(page, transcripts)  # each read is audited: no longer every 1.5 s

    assert bot.send(user, "رقم بلاغي لا يظهر في التطبيق") == []  # to the agent, not the bot
    expect(page.locator("#transcript .from-user").last).to_have_text(
        "رقم بلاغي لا يظهر في التطبيق", timeout=2000
    )
    expect(entry.locator(".unread")).to_have_count(0)  # read as it arrived
    page.close()


def test_the_widget_shows_that_the_agent_is_typing(desk_bot, browser):
    bot = desk_bot
    citizen = browser.new_page()
    citizen.goto(f"{bot.desk_url}/widget/demo")
    citizen.get_by_role("button", name="محادثة بلاغ رقمي").click()
    send(citizen, "ابي اكلم موظف")
    bot_says(citizen, "سيتولى")
    sender = "web:" + citizen.evaluate("localStorage.getItem('balagh.session')").split(".")[0]

    page = live_console(browser, bot, "sara")
    entry = queue_entry(page, bot, sender)
    expect(entry).to_contain_text("الموقع الإلكتروني")
    entry.get_by_role("button", name="استلام").click()
    box = page.get_by_label("ردّك على المستفيد")
    expect(box).to_be_enabled()

    typing = citizen.locator(".bl-typing")
    expect(typing).to_be_hidden()
    box.press_sequentially("مرحباً، معك سارة", delay=60)
    expect(typing).to_have_text("الموظف يكتب…", timeout=3000)
    expect(typing).to_be_visible()
    page.get_by_role("button", name="إرسال الرد").click()
    bot_says(citizen, "مرحباً، معك سارة")
    expect(typing).to_be_hidden()

    box.press_sequentially("لحظة", delay=60)  # typing, then nothing: it goes by itself
    expect(typing).to_have_text("الموظف يكتب…", timeout=3000)
    expect(typing).to_be_hidden(timeout=10_000)
    citizen.close()
    page.close()


def test_without_the_stream_the_console_polls_then_takes_the_stream_again(desk_bot, browser):
    bot = desk_bot
    page = browser.new_page()
    page.route("**/api/live?*", lambda route: route.abort())  # e.g. a proxy that drops it
    page.goto(f"{bot.desk_url}/console")
    sign_in(page, "sara")
    status = page.locator("#live-status")
    expect(status).to_have_attribute("data-live", "off")
    expect(status).to_have_text("يُعاد الاتصال بالتحديث المباشر…")
    user = f"user-{uuid.uuid4().hex[:8]}"
    assert "سيتولى" in bot.say(user, "ابي اكلم موظف")
    expect(queue_entry(page, bot, f"rest:{user}")).to_be_visible(timeout=3000)  # polled
    page.unroute("**/api/live?*")
    expect(status).to_have_attribute("data-live", "on", timeout=20_000)  # backoff: 1, 2, 4 s…
    page.close()


def _post(url: str, body: dict, headers: dict) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_the_stream_and_the_typing_door_refuse_callers_without_their_credentials(desk_bot):
    bot = desk_bot
    for path in ("/api/live", "/api/live?ticket=" + "x" * 43):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{bot.desk_url}{path}", timeout=10)
        assert refused.value.code == 401
    door = f"{bot.rasa_url}/webhooks/handoff/typing"
    body = {"conversation_id": "web:abc", "typing": True}
    assert _post(door, body, {}) == 403
    assert _post(door, body, {"Authorization": "Bearer not-the-internal-token"}) == 403
    assert _post(f"{bot.desk_url}/api/agents/live-ticket", {}, {}) == 401
