"""The web chat widget in a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, running_bot
from tests.helpers.browser import bot_says, send
from tests.helpers.conversations import reports_of

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def web_bot(tmp_path_factory):
    work = tmp_path_factory.mktemp("web")
    with running_bot(
        work, f"sqlite:///{work / 'reports.db'}", f"sqlite:///{work / 'conv.db'}"
    ) as bot:
        yield bot


def test_file_a_complaint_with_a_screenshot_reload_and_get_a_notification(
    web_bot, browser, tmp_path
):
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.goto(f"{web_bot.desk_url}/widget/demo")
    page.get_by_role("button", name="محادثة بلاغ رقمي").click()
    expect(page.locator("#balagh-widget")).to_have_attribute("dir", "rtl")
    assert page.eval_on_selector(".bl-panel", "e => getComputedStyle(e).direction") == "rtl"
    send(page, "ابي اصعد شكوى")
    bot_says(page, "ما اسمك الكامل")
    send(page, "هند سالم")
    bot_says(page, "رقم الهوية")
    send(page, "1000000008")
    bot_says(page, "جوالك")

    page.reload()  # the conversation survives a reload
    bot_says(page, "جوالك")
    send(page, "0551234567")
    bot_says(page, "رمز تحقق")
    send(page, web_bot.code_for("+966551234567"))
    bot_says(page, "سبب التصعيد")
    page.get_by_role("button", name="تعذّر تقديم الشكوى لتعطل النظام").click()
    bot_says(page, "الجهة الحكومية")
    for answer, next_question in [
        ("وزارة الصحة", "المنصة"),
        ("صحتي", "اسم الخدمة"),
        ("حجز موعد", "أي قناة"),
    ]:
        send(page, answer)
        bot_says(page, next_question)
    page.get_by_role("button", name="التطبيق").click()
    bot_says(page, "صورة من المشكلة")
    shot = tmp_path / "screenshot.png"
    shot.write_bytes(page.screenshot())  # any real PNG will do as the "screenshot"
    page.set_input_files("#bl-file", str(shot))
    bot_says(page, "عنواناً")
    send(page, "تعطل حجز المواعيد")
    bot_says(page, "صف المشكلة")
    send(page, "تظهر رسالة خطأ عند الحجز في التطبيق.")
    bot_says(page, "المستندات")
    page.get_by_role("button", name="تخطي").click()
    bot_says(page, "راجع بيانات الشكوى")
    page.get_by_role("button", name="تأكيد وإرسال").click()
    bot_says(page, "تم تقديم بلاغك")
    sender = "web:" + page.evaluate("localStorage.getItem('balagh.session')").split(".")[0]
    [report] = reports_of(web_bot, sender)
    assert report.channel == "webchat"
    assert [(d.kind, d.content_type) for d in report.documents] == [("screenshot", "image/png")]

    assert (
        web_bot.staff("POST", f"/api/reports/{report.number}/status", {"status": "in_progress"})[0]
        == 200
    )
    bot_says(page, "جارٍ العمل")  # pushed into the open widget
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget.png"))

    page.close()  # the user leaves; a notification arrives meanwhile
    assert (
        web_bot.staff(
            "POST",
            f"/api/reports/{report.number}/status",
            {"status": "missing_data", "note": "صورة الهوية"},
        )[0]
        == 200
    )
    deadline = time.monotonic() + 30
    while not any("صورة الهوية" in t for t in web_bot.bot_texts(sender)):
        assert time.monotonic() < deadline, "notification not delivered"
        time.sleep(0.2)
    back = context.new_page()  # ...and comes back: it is waiting
    back.goto(f"{web_bot.desk_url}/widget/demo")
    bot_says(back, "صورة الهوية")
    context.close()


def test_a_forged_session_id_reads_nothing(web_bot, browser):
    page = browser.new_page()
    page.goto(f"{web_bot.desk_url}/widget/demo")
    page.evaluate("localStorage.setItem('balagh.session', 'deadbeef' + '.0000')")
    page.reload()
    bot_says_none = page.locator(".bl-bot")
    page.wait_for_function("localStorage.getItem('balagh.session') !== 'deadbeef.0000'")
    assert bot_says_none.count() == 0
    issued = page.evaluate("localStorage.getItem('balagh.session')")
    assert re.fullmatch(r"[0-9a-f]{32}\.[0-9a-f]{32}", issued)
    url = f"{web_bot.rasa_url}/webhooks/webchat/history?session=deadbeef.0000"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url)
    assert refused.value.code == 403
    ok = json.loads(
        urllib.request.urlopen(
            f"{web_bot.rasa_url}/webhooks/webchat/history?session={issued}"
        ).read()
    )
    assert ok == {"messages": []}
