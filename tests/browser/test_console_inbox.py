"""Issue 21, items 2, 4 and 5 in Chromium: an agent filters the inbox by channel and reason,
finds a chat by its report number, sees the citizen's unread messages, reads the citizen's
reports beside the chat, inserts a canned reply (managed by a supervisor) with «/» and the
keyboard with its placeholders filled, writes an internal note that never reaches the
citizen, and transfers the chat to a colleague with a note she then reads."""

from __future__ import annotations

import dataclasses
import json
import uuid

import pytest
from playwright.sync_api import expect

from bot import clock
from bot.settings import ROOT
from bot.store.agents import add_agent
from bot.store.handoffs import open_handoff
from bot.store.reports import file_report
from tests.e2e.conftest import running_bot
from tests.helpers.browser import queue_entry, signed_in
from tests.helpers.reports import complaint

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "test-artifacts"
GREETING = "مرحباً {first_name}، بلاغك رقم {report_number} قيد المراجعة لدينا."
NOTE = "المستفيد يطلب متابعة سريعة؛ تحققتُ من رقم البلاغ"
TRANSFER_NOTE = "تابعي معه بلاغ وزارة الصحة، سبق أن وعدناه بالرد اليوم"


@pytest.fixture(scope="module")
def desk_bot(tmp_path_factory):
    work = tmp_path_factory.mktemp("inbox")
    with running_bot(
        work, f"sqlite:///{work / 'reports.db'}", f"sqlite:///{work / 'conv.db'}"
    ) as bot:
        for name, role in (("sara", "agent"), ("huda", "agent"), ("lina", "supervisor")):
            add_agent(bot.store, name, "correct horse battery", role, clock.now())
        yield bot


@pytest.fixture(scope="module")
def chats(desk_bot):
    """A citizen who gave her name then asked for a person, with a report filed; another
    waiting; a WhatsApp chat the bot did not understand (opened in the store)."""
    bot = desk_bot
    noura, other = (f"user-{uuid.uuid4().hex[:8]}" for _ in range(2))
    bot.say(noura, "ابي اصعد شكوى")
    bot.say(noura, "نورة سعد")
    assert "سيتولى" in bot.say(noura, "ابي اكلم موظف")
    new = dataclasses.replace(complaint(), conversation_id=f"rest:{noura}")
    number = file_report(bot.store, new, clock.now(), clock.today()).number
    assert "سيتولى" in bot.say(other, "ابي اكلم موظف")
    whatsapp = "whatsapp:+966500000067"
    open_handoff(bot.store, whatsapp, "whatsapp", "not_understood", {}, clock.now())
    return {"noura": noura, "other": other, "whatsapp": whatsapp, "number": number}


def test_an_agent_filters_searches_and_sees_unread_counts(desk_bot, chats, browser):
    bot = desk_bot
    page = signed_in(browser, bot, "sara")
    noura = queue_entry(page, bot, f"rest:{chats['noura']}")
    other = queue_entry(page, bot, f"rest:{chats['other']}")
    whatsapp = queue_entry(page, bot, chats["whatsapp"])
    for entry in (noura, other, whatsapp):
        expect(entry).to_be_visible()

    page.get_by_label("القناة").select_option(label="واتساب")
    expect(whatsapp).to_be_visible()
    expect(noura).to_have_count(0)
    expect(other).to_have_count(0)
    page.get_by_label("القناة").select_option(label="كل القنوات")
    page.get_by_label("سبب التحويل").select_option(label="تعذّر الفهم مرتين")
    expect(whatsapp).to_be_visible()
    expect(noura).to_have_count(0)
    page.get_by_label("سبب التحويل").select_option(label="طلب المستفيد موظفاً")
    expect(noura).to_be_visible()
    expect(whatsapp).to_have_count(0)
    page.get_by_label("سبب التحويل").select_option(label="كل الأسباب")

    search = page.get_by_label("بحث برقم البلاغ أو الجوال")
    search.fill(chats["number"])
    expect(noura).to_be_visible()
    expect(other).to_have_count(0)
    expect(whatsapp).to_have_count(0)
    search.fill("0555****67")  # the WhatsApp number ends in 67, Noura's report's mobile too
    expect(whatsapp).to_be_visible()
    expect(noura).to_be_visible()
    expect(other).to_have_count(0)
    search.fill("ابحث")
    expect(page.locator("#queue-error")).to_contain_text("رقم البلاغ كاملاً")
    search.fill("")
    expect(other).to_be_visible()

    expect(other.locator(".unread")).to_have_count(0)
    assert bot.send(chats["other"], "هل من أحد هنا؟") == []  # waiting: the bot is silent
    expect(other.locator(".unread")).to_have_text("رسالة جديدة واحدة")
    bot.send(chats["other"], "أرجو الرد")
    expect(other.locator(".unread")).to_have_text("رسالتان جديدتان")
    other.get_by_role("button", name="استلام").click()
    expect(page.locator("#transcript")).to_contain_text("أرجو الرد")
    expect(other.locator(".unread")).to_have_count(0)  # read once opened
    lina = signed_in(browser, bot, "lina")  # per agent: the supervisor has not read it
    expect(queue_entry(lina, bot, f"rest:{chats['other']}").locator(".unread")).to_have_text(
        "رسالتان جديدتان"
    )


def test_canned_reply_internal_note_and_transfer(desk_bot, chats, browser):
    bot = desk_bot
    user, number = chats["noura"], chats["number"]

    # A supervisor manages the canned replies; an unknown placeholder is refused in Arabic.
    lina = signed_in(browser, bot, "lina")
    admin = lina.locator("#canned-admin")
    expect(admin).to_be_visible()
    lina.get_by_label("العنوان").fill("ترحيب")
    lina.get_by_label("النص", exact=True).fill("مرحباً {name}")
    lina.get_by_role("button", name="حفظ الرد الجاهز").click()
    expect(lina.locator("#canned-error")).to_contain_text("عنصر غير معروف في النص: {name}")
    expect(lina.locator("#canned-admin-list li")).to_have_count(0)
    lina.get_by_label("النص", exact=True).fill(GREETING)
    lina.get_by_role("button", name="حفظ الرد الجاهز").click()
    expect(lina.locator("#canned-admin-list li")).to_have_count(1)
    lina.get_by_label("العنوان").fill("وداع")
    lina.get_by_label("النص", exact=True).fill("شكراً لتواصلك مع مركز آمر.")
    lina.get_by_role("button", name="حفظ الرد الجاهز").click()
    expect(lina.locator("#canned-admin-list li")).to_have_count(2)

    sara = signed_in(browser, bot, "sara")
    expect(sara.locator("#canned-admin")).to_be_hidden()  # agents do not manage them
    entry = queue_entry(sara, bot, f"rest:{user}")
    entry.get_by_role("button", name="استلام").click()
    expect(sara.locator("#transcript")).to_contain_text("ابي اكلم موظف")

    # The citizen's context beside the chat, in Arabic.
    row = sara.locator(f"#context-body tr[data-report='{number}']")
    expect(row).to_contain_text("تقديم شكوى")
    expect(row).to_contain_text("تم الاستلام")
    expect(row).to_contain_text("قُدِّم من هذه المحادثة")
    expect(sara.locator("#context-body")).not_to_contain_text("1000000008")

    # «/» opens the list; the arrows move; Enter inserts the reply with its values.
    box = sara.get_by_label("ردّك على المستفيد")
    box.focus()
    box.press("/")
    listbox = sara.get_by_role("listbox", name="الردود الجاهزة")
    expect(listbox).to_be_visible()
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    box.press("ArrowUp")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(listbox).to_be_hidden()
    filled = f"مرحباً نورة، بلاغك رقم {number} قيد المراجعة لدينا."
    expect(box).to_have_value(filled)
    sara.get_by_role("button", name="إرسال الرد").click()
    expect(sara.locator("#transcript .from-agent")).to_contain_text(filled)
    assert bot.bot_texts(user)[-1] == filled

    # An internal note: shown to agents, never to the citizen.
    sara.get_by_label("ملاحظة داخلية (لا يراها المستفيد)").fill(NOTE)
    sara.get_by_role("button", name="حفظ الملاحظة").click()
    expect(sara.locator("#notes")).to_contain_text(NOTE)
    expect(sara.locator("#transcript")).not_to_contain_text(NOTE)
    sara.screenshot(path=str(ARTIFACTS / "console-inbox.png"), full_page=True)

    # A transfer to a colleague, with a note for her.
    sara.get_by_label("تحويل المحادثة إلى").select_option(value="huda")
    sara.get_by_label("ملاحظة للموظف المستلم").fill(TRANSFER_NOTE)
    sara.get_by_role("button", name="تحويل المحادثة").click()
    expect(sara.locator("#desk-status")).to_contain_text("حُوِّلت المحادثة إلى huda")
    expect(sara.get_by_label("ردّك على المستفيد")).to_be_disabled()
    expect(entry).to_have_count(0)  # no longer hers

    huda = signed_in(browser, bot, "huda")
    huda.get_by_role("tab", name="محادثاتي").click()
    hers = queue_entry(huda, bot, f"rest:{user}")
    expect(hers).to_contain_text("محوّلة من sara: " + TRANSFER_NOTE)
    hers.get_by_role("button", name="فتح").click()
    expect(huda.locator("#notes")).to_contain_text("تحويل من sara إلى huda")
    expect(huda.locator("#notes")).to_contain_text(TRANSFER_NOTE)
    expect(huda.locator("#notes")).to_contain_text(NOTE)
    expect(huda.get_by_label("ردّك على المستفيد")).to_be_enabled()

    # Nothing of the notes reached the citizen's conversation.
    conversation = json.dumps(bot.tracker(user), ensure_ascii=False)
    assert NOTE not in conversation and TRANSFER_NOTE not in conversation
    assert all(NOTE not in text and TRANSFER_NOTE not in text for text in bot.bot_texts(user))
