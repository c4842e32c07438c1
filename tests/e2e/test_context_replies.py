"""Replies read in context, end to end: the message right after a missing-data notice, a
status notice, a refusal or a survey question is read against it (data/rules/context.yml,
bot/actions/context_replies.py) — over REST and on WhatsApp with a real image."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import urllib.parse
import urllib.request
import uuid

import pytest
from sqlalchemy import select

from bot import clock
from bot.store.models import Report
from bot.store.reports import file_report
from bot.store.surveys import answers_of
from channels.rest import conversation_id
from tests.e2e.conftest import running_bot
from tests.helpers.conversations import personal_data, reports_of, start, wait_for_message
from tests.helpers.reports import complaint
from tests.helpers.twilio import (
    new_user,
    replies_to,
    twilio_env,
    wait_for_text,
    whatsapp,
)

pytestmark = pytest.mark.e2e

MENU = "كيف أقدر أساعدك"


def filed(bot, conversation: str, channel: str = "rest") -> str:
    """A complaint filed for `conversation` straight into the store (the form is tested
    elsewhere); its number."""
    report = dataclasses.replace(
        complaint(f"CTX-{uuid.uuid4().hex[:8]}"), conversation_id=conversation, channel=channel
    )
    now = clock.now()
    return file_report(bot.store, report, now, clock.today() + dt.timedelta(days=7)).number


def set_status(bot, number: str, status: str, note: str | None = None) -> None:
    body = {"status": status, **({"note": note} if note else {})}
    if status == "accepted":  # an acceptance says when it will be implemented
        body["implementation_time"] = "خلال 3 أشهر"
    assert bot.staff("POST", f"/api/reports/{number}/status", body)[0] == 200


def status_of(bot, number: str) -> str:
    return bot.staff("GET", f"/api/reports/{number}")[1]["status"]


def documents_of(bot, number: str) -> list[tuple[str, str, str | None]]:
    """The documents sent after filing (the filed complaint has its own)."""
    with bot.store.session() as session:
        report = session.execute(select(Report).where(Report.number == number)).scalar_one()
        return [
            (d.kind, d.reference, d.content_type) for d in report.documents if d.kind == "update"
        ]


def new_session(bot, sender: str) -> None:
    """What an hour of silence does (a new session: open forms close, slots carry over)."""
    conversation = urllib.parse.quote(conversation_id(sender), safe=":+")
    request = urllib.request.Request(
        f"{bot.api}/conversations/{conversation}/execute?token={bot.api_token}",
        data=json.dumps({"name": "action_session_start"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
    events = bot.tracker(sender)["events"]
    assert any(e["event"] == "session_started" for e in events)


def missing_data(bot, sender: str, note: str = "صورة خطاب الجهة") -> str:
    number = filed(bot, conversation_id(sender))
    set_status(bot, number, "missing_data", note)
    wait_for_message(bot, sender, note)
    return number


# --- after the missing-data notice ---------------------------------------------------


def test_a_link_after_the_missing_data_notice_is_the_document(bot, sender):
    number = missing_data(bot, sender)
    reply = bot.say(sender, "تفضل الصورة https://example.com/x.png")
    assert "أُعيد البلاغ" in reply and number in reply and MENU not in reply
    assert status_of(bot, number) == "under_review"
    assert documents_of(bot, number) == [("update", "https://example.com/x.png", "image/png")]
    # The notice is answered: a later link is read out of that context, attached nowhere.
    assert "أُعيد البلاغ" not in bot.say(sender, "https://example.com/y.png")
    assert len(documents_of(bot, number)) == 1


def test_a_bare_link_after_the_notice_and_words_before_it(bot, sender):
    number = missing_data(bot, sender, note="صورة الهوية")
    # No file yet: «تمام» is acknowledged with what is awaited; «ليش؟» explains it.
    reply = bot.say(sender, "تمام")
    assert "بانتظار" in reply and "صورة الهوية" in reply and MENU not in reply
    reply = bot.say(sender, "ليش؟")
    assert "48 ساعة" in reply and "صورة الهوية" in reply
    assert status_of(bot, number) == "missing_data"
    assert "أُعيد البلاغ" in bot.say(sender, "https://example.com/id.pdf")
    assert status_of(bot, number) == "under_review"


def test_several_reports_waiting_ask_which_one(bot, sender):
    conversation = conversation_id(sender)
    first, second = filed(bot, conversation), filed(bot, conversation)
    set_status(bot, first, "missing_data", "صورة الهوية")
    set_status(bot, second, "missing_data", "خطاب الجهة")
    wait_for_message(bot, sender, "خطاب الجهة")
    asked = bot.send(sender, "https://example.com/letter.pdf")
    assert "لأي بلاغ" in asked[0]["text"]
    assert [b["title"] for b in asked[0]["buttons"]] == [first, second]
    chosen = bot.say(sender, asked[0]["buttons"][1]["payload"])
    assert "أُعيد البلاغ" in chosen and second in chosen
    assert documents_of(bot, second) == [
        ("update", "https://example.com/letter.pdf", "application/pdf")
    ]
    assert status_of(bot, first) == "missing_data" and documents_of(bot, first) == []
    # One left: the next document goes to it without a question.
    assert first in bot.say(sender, "وهذه صورة الهوية https://example.com/id.png")
    assert status_of(bot, first) == "under_review"


def test_the_report_number_typed_answers_which_report(bot, sender):
    conversation = conversation_id(sender)
    first, second = filed(bot, conversation), filed(bot, conversation)
    for number in (first, second):
        set_status(bot, number, "missing_data")
    wait_for_message(bot, sender, second)
    assert "لأي بلاغ" in bot.say(sender, "https://example.com/a.png")
    assert "أُعيد البلاغ" in bot.say(sender, "1")  # the first button
    assert status_of(bot, first) == "under_review" and status_of(bot, second) == "missing_data"


def test_a_clear_request_after_the_notice_still_works(bot, sender):
    number = missing_data(bot, sender)
    assert "ما اسمك الكامل" in bot.say(sender, "ابي اقدم شكوى على جهة حكومية")
    assert "تم إلغاء تقديم البلاغ" in bot.say(sender, "إلغاء")
    # The document is still awaited after the new request was stopped.
    assert "أُعيد البلاغ" in bot.say(sender, "https://example.com/x.png")
    assert status_of(bot, number) == "under_review"


def test_update_request_with_the_link_goes_to_the_report_that_waits(bot, sender):
    other = filed(bot, conversation_id(sender))  # newer reports do not take it
    number = missing_data(bot, sender)
    filed(bot, conversation_id(sender))
    reply = bot.say(sender, "ابي ارسل المستندات الناقصة https://example.com/doc.pdf")
    assert "أُعيد البلاغ" in reply and number in reply
    assert status_of(bot, number) == "under_review" and status_of(bot, other) == "received"


def test_a_stranger_s_link_attaches_nothing(bot, sender):
    number = missing_data(bot, sender)
    stranger = sender + "-stranger"
    bot.say(stranger, "https://example.com/x.png")
    assert status_of(bot, number) == "missing_data" and documents_of(bot, number) == []


def test_a_report_cancelled_meanwhile_takes_no_document(bot, sender):
    number = missing_data(bot, sender)
    set_status(bot, number, "cancelled", "ألغي")
    wait_for_message(bot, sender, "أُلغي بلاغك")
    bot.say(sender, "https://example.com/x.png")
    assert documents_of(bot, number) == [] and status_of(bot, number) == "cancelled"


# --- after other notices ----------------------------------------------------------------


def test_thanks_after_a_status_notice_is_acknowledged(bot, sender):
    number = filed(bot, conversation_id(sender))
    set_status(bot, number, "in_progress")
    wait_for_message(bot, sender, "جارٍ العمل")
    reply = bot.say(sender, "تمام")
    assert "سنبلغك" in reply and number in reply and MENU not in reply
    # Acknowledged once: the next «تمام» is read as usual.
    assert MENU in bot.say(sender, "تمام")


def test_why_after_a_rejection_gives_its_reason(bot, sender):
    number = filed(bot, conversation_id(sender))
    set_status(bot, number, "rejected", "الخدمة خارج اختصاص الجهة")
    wait_for_message(bot, sender, "لم يُقبل بلاغك")
    reply = bot.send(sender, "ليش؟")
    assert "الخدمة خارج اختصاص الجهة" in reply[0]["text"] and number in reply[0]["text"]
    assert "أعترض على القرار" in [b["title"] for b in reply[0]["buttons"]]


# --- after a refusal --------------------------------------------------------------------


def refused_as_too_early(bot, sender: str) -> str:
    start(bot, sender)
    personal_data(bot, sender)
    for message in [
        "3",
        "هيئة الزكاة والضريبة والجمارك",
        "زاتكا",
        "الإقرار الضريبي",
        "الموقع الإلكتروني",
        f"ZT-{uuid.uuid4().int % 10**6:06d}",
    ]:
        bot.say(sender, message)
    reply = bot.say(sender, "أمس")
    assert "لم يُحفظ أي بلاغ" in reply
    return reply


@pytest.mark.parametrize("why", ["ليش؟", "لماذا؟", "why", "طيب ليش رفضتوا"])
def test_why_after_a_refusal_explains_it(bot, why):
    sender = f"test-{uuid.uuid4().hex[:12]}"
    refused = refused_as_too_early(bot, sender)
    reply = bot.send(sender, why)
    text = reply[0]["text"]
    assert "5 أيام عمل" in text and "دليل الخدمة" in text and text not in refused
    date = next(part for part in refused.split() if part[:4].isdigit() and "-" in part)
    assert date.rstrip(".") in text
    assert {"تقديم شكوى", "أعترض على القرار"} <= {b["title"] for b in reply[0]["buttons"]}
    assert reports_of(bot, sender) == []


def test_a_faq_question_after_a_refusal_is_still_answered(bot, sender):
    refused_as_too_early(bot, sender)
    reply = bot.say(sender, "كم مدة استكمال المستندات الناقصة؟")
    assert "48" in reply and "دليل الخدمة" not in reply


# --- the survey -------------------------------------------------------------------------


def test_ratings_in_any_digits_and_a_survey_that_outlives_its_session(bot, sender):
    number = filed(bot, conversation_id(sender))
    set_status(bot, number, "closed", "تم حل المشكلة")
    wait_for_message(bot, sender, "راضٍ جداً")
    assert "المدة المستغرقة" in bot.say(sender, "٤")
    assert "تعامل" in bot.say(sender, "3")  # the time taken (asked since 0.14)
    assert answers_of(bot.store, number)["solution_score"] == 4
    new_session(bot, sender)  # the citizen answers hours later
    assert "سهولة" in bot.say(sender, "ممتاز")
    assert answers_of(bot.store, number)["handling_score"] == 5
    assert "مفيدة" in bot.say(sender, "۲")  # Persian digit
    new_session(bot, sender)
    assert "ملاحظة" in bot.say(sender, "نعم")
    assert "شكراً لك على مشاركتك" in bot.say(sender, "تخطي")
    assert answers_of(bot.store, number) == {
        "solution_score": 4,
        "time_score": 3,
        "handling_score": 5,
        "effort_score": 2,
        "useful": True,
        "comment": None,
        "completed": True,
        "stopped": False,
    }
    assert "لا يوجد استبيان مفتوح" in bot.say(sender, "5")


def test_the_first_answer_to_the_invitation_starts_the_survey_in_a_new_session(bot, sender):
    number = filed(bot, conversation_id(sender))
    set_status(bot, number, "closed", "تم")
    wait_for_message(bot, sender, "راضٍ جداً")
    new_session(bot, sender)
    assert "المدة المستغرقة" in bot.say(sender, "سيء")
    assert answers_of(bot.store, number)["solution_score"] == 2
    # «إلغاء» stops it for good: a later digit is not an answer.
    assert "أوقفنا الاستبيان" in bot.say(sender, "إلغاء")
    assert "لا يوجد استبيان مفتوح" in bot.say(sender, "3")
    assert answers_of(bot.store, number)["handling_score"] is None


# --- WhatsApp, and attachments over the web/REST ------------------------------------------


@pytest.fixture(scope="module")
def twilio_bot(tmp_path_factory, twilio):
    work = tmp_path_factory.mktemp("context-twilio")
    env = twilio_env(twilio, BALAGH_MEDIA_DIR=str(work / "media"))
    with running_bot(
        work, f"sqlite:///{work / 'reports.db'}", f"sqlite:///{work / 'conv.db'}", env
    ) as running:
        running.media_dir = work / "media"
        yield running


@pytest.mark.parametrize("caption", ["", "تفضل الصورة"])
def test_an_image_on_whatsapp_after_the_notice_is_the_document(twilio_bot, twilio, caption):
    user = new_user()
    whatsapp(twilio_bot, user, "السلام عليكم")  # the conversation exists on WhatsApp
    replies_to(twilio, user, 1)
    number = filed(twilio_bot, user, channel="whatsapp")
    set_status(twilio_bot, number, "missing_data", "صورة خطاب الجهة")
    sent = len(wait_for_text(twilio, user, "صورة خطاب الجهة"))
    twilio.media["letter.png"] = (b"\x89PNG\r\n\x1a\n fake image", "image/png")
    whatsapp(
        twilio_bot,
        user,
        caption,
        NumMedia="1",
        MediaUrl0=f"{twilio.base_url}/media/letter.png",
        MediaContentType0="image/png",
    )
    reply = replies_to(twilio, user, sent + 1)[-1]["Body"]
    assert "أُعيد البلاغ" in reply and number in reply
    assert status_of(twilio_bot, number) == "under_review"
    [(kind, reference, content_type)] = documents_of(twilio_bot, number)
    assert (kind, content_type) == ("update", "image/png") and reference.startswith("media/")


def test_an_attachment_over_the_web_or_rest_after_the_notice_is_the_document(twilio_bot, sender):
    number = filed(twilio_bot, conversation_id(sender))
    set_status(twilio_bot, number, "missing_data", "صورة الهوية")
    wait_for_message(twilio_bot, sender, "صورة الهوية")
    name = uuid.uuid4().hex
    twilio_bot.media_dir.mkdir(parents=True, exist_ok=True)
    (twilio_bot.media_dir / f"{name}.pdf").write_bytes(b"%PDF-1.4 fake")
    reference = f"media/{name}.pdf"
    reply = twilio_bot.say(sender, "📎", metadata={"attachments": [{"url": reference}]})
    assert "أُعيد البلاغ" in reply
    assert documents_of(twilio_bot, number) == [("update", reference, "application/pdf")]


# --- a question about a status notice, an update to an open report -----------------------


def test_a_question_after_an_acceptance_is_answered_with_its_status(bot, sender):
    number = filed(bot, conversation_id(sender))
    set_status(bot, number, "accepted", "سيُطبّق التحسين")
    wait_for_message(bot, sender, "قُبل بلاغك")
    reply = bot.say(sender, "يعني انقبل؟ متى بينفذونه؟")
    assert number in reply and "مقبول" in reply and MENU not in reply


def test_a_correction_to_an_open_report_is_attached_without_a_status_change(bot, sender):
    number = filed(bot, conversation_id(sender))
    set_status(bot, number, "in_progress")
    wait_for_message(bot, sender, "جارٍ العمل")
    bot.say(sender, "شكرا")
    reply = bot.say(
        sender, f"ابي اعدل بلاغي {number} رقم الشكوى اللي كتبته غلط، الصحيح INC-2026-1234"
    )
    assert number in reply and "أُضيف ما أرسلت" in reply
    assert status_of(bot, number) == "in_progress"
    assert "INC-2026-1234" in (bot.staff("GET", f"/api/reports/{number}")[1]["latest_note"] or "")
