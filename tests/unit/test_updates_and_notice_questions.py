"""Updates to an open report, questions about a status notice, filing with the entity first
at the no-reference offer, and the name given with the ID or mobile.

(bot/store/follow_up.py `attach_update`, bot/actions/follow_up.py, bot/actions/
notice_questions.py, bot/rules/replies.py, bot/actions/complaint_form.py
`validate_no_reference_route`, bot/actions/report_form.py `validate_beneficiary_name`.)
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import awaiting, services
from bot.actions.complaint_form import (
    FILE_WITH_ENTITY_FIRST,
    STOPPED_SLOTS,
    ValidateComplaintForm,
)
from bot.actions.context_replies import ActionReplyInContext
from bot.actions.follow_up import ActionFollowUp, ActionPrepareFollowUp, ValidateFollowUpForm
from bot.actions.notifications import ValidateSurveyForm
from bot.actions.report_form import identifiers_with_name, name_without_identifiers
from bot.rules.identity import with_check_digit
from bot.rules.lifecycle import OPEN_FOR_UPDATES, TransitionError, status_after_update
from bot.rules.replies import asks_about_notice, files_with_entity_first, holds_correction
from bot.store.follow_up import attach_update, change_status, find_report
from bot.store.reports import file_report
from tests.helpers.reports import DUE, NOW, complaint

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain")).as_dict()
ID = with_check_digit("104512345")  # 1045123450
MOBILE = "+966551234567"


@pytest.fixture
def store(sqlite_store, monkeypatch):
    monkeypatch.setattr(services, "store", lambda: sqlite_store)
    return sqlite_store


def tracker(
    text: str,
    intent: str = "inform",
    slots: dict[str, Any] | None = None,
    loop: str | None = None,
    set_now: dict[str, Any] | None = None,
    sender: str = "c1",
) -> Tracker:
    events = [{"event": "user", "text": text}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (set_now or {}).items()]
    return Tracker(
        sender,
        {**(slots or {}), **(set_now or {})},
        {"intent": {"name": intent}, "text": text, "entities": []},
        events,
        False,
        None,
        {"name": loop} if loop else {},
        "action_listen",
    )


def run(action, current: Tracker, domain: dict[str, Any] | None = None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, current, DOMAIN if domain is None else domain))
    return events, dispatcher.messages


def rendered(message: dict[str, Any]) -> str:
    """A message as the citizen reads it: a response's first text filled with its values
    (Rasa's own rendering is tested end to end)."""
    if message.get("text") or not message.get("response"):
        return message.get("text") or ""
    template = DOMAIN["responses"][message["response"]][0]["text"]
    return re.sub(r"{(\w+)}", lambda m: str(message.get(m.group(1), m.group(0))), template)


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(rendered(m) or m.get("response") or "" for m in messages)


# ----------------------------------------------------------------- updates: the rules


def test_every_status_before_a_decision_takes_updates():
    assert OPEN_FOR_UPDATES == (
        "received",
        "under_review",
        "missing_data",
        "referred",
        "in_progress",
    )
    assert status_after_update("missing_data") == "under_review"
    for status in ("received", "under_review", "referred", "in_progress"):
        assert status_after_update(status) is None
    for status in ("accepted", "rejected", "closed", "cancelled"):
        with pytest.raises(TransitionError):
            status_after_update(status)


@pytest.mark.parametrize(
    "text",
    [
        "رقم الشكوى اللي كتبته غلط، الصحيح INC-2026-1234",  # Saudi
        "جوالي تغير صار 0551234567",
        "اسم الخدمة غلط والصح تجديد الجواز",
        "بدي عدل اسم المنصة، بدل أبشر حطوا ناجز",  # Levantine
        "the correct reference is INC-55",
    ],
)
def test_an_update_request_that_holds_its_correction(text):
    assert holds_correction(text)


@pytest.mark.parametrize(
    "text",
    [
        "ابي اعدل بلاغي",
        "عايز اصحح حاجة في البلاغ 260000123",  # Egyptian, the report number is no content
        "رقم الجوال غلط",  # what is wrong, not yet what is right
        "أرغب في تحديث بيانات البلاغ",
        "I want to update my report",
    ],
)
def test_an_update_request_without_its_content(text):
    assert not holds_correction(text)


# ----------------------------------------------------------------- updates: the store


def test_an_update_to_an_open_report_keeps_its_status_and_records_the_correction(store):
    number = file_report(store, complaint("U-1"), NOW, DUE).number
    change_status(store, number, "in_progress", "أحيل", "staff", NOW)
    view = attach_update(store, number, [], "الصحيح INC-2026-1234", NOW)
    assert view.status == "in_progress"
    assert view.latest_note == "أرسل المستفيد تحديثاً على البلاغ: الصحيح INC-2026-1234"
    view = attach_update(store, number, [("https://x.example/1.png", "image/png")], None, NOW)
    assert view.status == "in_progress"
    # A received report takes one too; a missing-data one goes back to review.
    other = file_report(store, complaint("U-2"), NOW, DUE).number
    assert attach_update(store, other, [], "تصحيح", NOW).status == "received"
    change_status(store, other, "missing_data", "صورة", "staff", NOW)
    assert attach_update(store, other, [], "تفضل", NOW).status == "under_review"


@pytest.mark.parametrize("status", ["accepted", "rejected", "closed", "cancelled"])
def test_a_decided_or_ended_report_takes_no_update(store, status):
    number = file_report(store, complaint(f"U-{status}"), NOW, DUE).number
    # a rejection gives its reasons, an acceptance its implementation time
    when = {"implementation_time": "خلال 3 أشهر"}
    change_status(store, number, status, "السبب", "staff", NOW, when)
    with pytest.raises(TransitionError):
        attach_update(store, number, [("https://x.example/1.png", "image/png")], "x", NOW)
    assert find_report(store, number).status == status


# ----------------------------------------------------------------- updates: the dialogue


def follow_up_slots(number: str, content: Any = None) -> dict[str, Any]:
    return {
        "follow_up_purpose": "update",
        "target_report": number,
        "owner_verified": "yes",
        "update_content": content,
    }


def test_a_correction_sent_with_the_request_is_the_update(store):
    number = file_report(store, complaint("D-1"), NOW, DUE).number
    text = f"بلاغي {number} رقم الشكوى اللي كتبته غلط، الصحيح INC-2026-1234"
    events, _ = run(ActionPrepareFollowUp(), tracker(text, "update_report"))
    assert SlotSet("target_report", number) in events
    assert SlotSet("update_content", {"text": text, "documents": []}) in events


def test_an_update_request_without_content_asks_for_it(store):
    number = file_report(store, complaint("D-2"), NOW, DUE).number
    events, _ = run(ActionPrepareFollowUp(), tracker("ابي اعدل بلاغي", "update_report"))
    assert [e for e in events if e.get("name") == "update_content"] == []
    slots = follow_up_slots(number)
    required = asyncio.run(
        ValidateFollowUpForm().required_slots(
            [], CollectingDispatcher(), tracker("", slots=slots), DOMAIN
        )
    )
    assert required == ["target_report", "update_content"]
    assert "التصحيح" in DOMAIN["responses"]["utter_ask_update_content"][0]["text"]


@pytest.mark.parametrize("status", ["received", "under_review", "referred", "in_progress"])
def test_an_update_to_an_open_report_is_attached_and_confirmed(store, status, caplog):
    number = file_report(store, complaint(f"A-{status}"), NOW, DUE).number
    if status != "received":
        change_status(store, number, status, None, "staff", NOW)
    correction = f"الهوية الصحيحة {ID} والجوال 0551234567"
    content = {"text": correction, "documents": []}
    with caplog.at_level(logging.INFO, logger="bot.actions.follow_up"):
        _, messages = run(ActionFollowUp(), tracker("", slots=follow_up_slots(number, content)))
    reply = texts(messages)
    assert number in reply and "أُضيف ما أرسلت" in reply  # from the domain files
    view = find_report(store, number)
    assert view.status == status and correction in view.latest_note
    # The correction is logged with its identifiers masked.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert number in logged and ID not in logged and "0551234567" not in logged


def test_an_update_with_a_document_to_a_missing_data_report_goes_back_to_review(store):
    number = file_report(store, complaint("A-md"), NOW, DUE).number
    change_status(store, number, "missing_data", "صورة", "staff", NOW)
    content = {"text": "", "documents": [{"reference": "https://x.example/a.pdf"}]}
    _, messages = run(ActionFollowUp(), tracker("", slots=follow_up_slots(number, content)))
    assert messages[0]["response"] == "utter_update_received"
    assert find_report(store, number).status == "under_review"


def test_an_update_to_a_rejected_report_is_refused_with_its_status(store):
    number = file_report(store, complaint("A-rejected"), NOW, DUE).number
    change_status(store, number, "rejected", "خارج الاختصاص", "staff", NOW)
    content = {"text": "الصحيح INC-1", "documents": []}
    _, messages = run(ActionFollowUp(), tracker("", slots=follow_up_slots(number, content)))
    assert messages[0]["response"] == "utter_update_not_needed"
    assert (messages[0]["report_number"], messages[0]["status"]) == (number, "مرفوض")
    assert find_report(store, number).latest_note == "خارج الاختصاص"  # nothing attached


def test_an_update_to_a_closed_report_offers_to_ask_for_it_to_be_reopened(store):
    number = file_report(store, complaint("A-closed"), NOW, DUE).number
    change_status(store, number, "closed", None, "staff", NOW)
    content = {"text": "الصحيح INC-1", "documents": []}
    _, messages = run(ActionFollowUp(), tracker("", slots=follow_up_slots(number, content)))
    assert messages[0]["response"] == "utter_update_closed_reopen"
    assert messages[0]["report_number"] == number
    assert find_report(store, number).latest_note is None


# ----------------------------------------------------------------- questions about a notice


@pytest.mark.parametrize(
    "text",
    [
        "يعني انقبل؟ متى بينفذونه؟",  # Saudi
        "طيب وش المطلوب مني؟",
        "يعني اترفض خلاص؟",
        "امتى هيخلص؟",  # Egyptian
        "شو لازم اعمل هلأ؟",  # Levantine
        "شنو يعني؟ لازم اسوي شي؟",  # Iraqi
        "خلاص انحلت؟",
        "so it's accepted? when will they implement it",
    ],
)
def test_questions_about_the_notice(text):
    assert asks_about_notice(text)


@pytest.mark.parametrize(
    "text",
    [
        "وش شروط طلب التحول؟",
        "ابي اقدم شكوى جديدة",
        "كيف اقدم اقتراح تطوير؟",
        "تمام",
        "شكرا",
        "ما هو الفرق بين الشكوى والبلاغ وكيف يتم احتساب الايام في الخدمة؟",
    ],
)
def test_other_messages_are_not_about_the_notice(text):
    assert not asks_about_notice(text)


def notice_slots(number: str, kind: str, note: str, time: str | None = None):
    context, expected = awaiting.after_notice({}, kind, number, note, False, time)
    return {"awaiting": expected, "awaiting_context": context}


def test_a_notice_keeps_the_implementation_time():
    context, _ = awaiting.after_notice({}, "accepted", "260000001", "", False, "3 أشهر")
    assert context["notice"]["implementation_time"] == "3 أشهر"


def test_a_question_after_an_acceptance_gives_the_number_status_and_time(store):
    number = file_report(store, complaint("N-1"), NOW, DUE).number
    change_status(
        store, number, "accepted", "سيُطبّق", "staff", NOW, {"implementation_time": "خلال 3 أشهر"}
    )
    slots = notice_slots(number, "accepted", "سيُطبّق", "3 أشهر")
    _, messages = run(
        ActionReplyInContext(), tracker("يعني انقبل؟ متى بينفذونه؟", "out_of_scope", slots)
    )
    reply = texts(messages)
    assert number in reply and "مقبول" in reply and "3 أشهر" in reply
    assert "utter_out_of_scope" not in reply


@pytest.mark.parametrize(
    ("status", "note", "words"),
    [
        ("rejected", "الخدمة خارج النطاق", ("مرفوض", "الخدمة خارج النطاق")),
        ("in_progress", "أحيل إلى الجهة", ("جارٍ العمل", "أحيل إلى الجهة")),
    ],
)
def test_what_is_asked_of_me_after_other_notices(store, status, note, words):
    number = file_report(store, complaint(f"N-{status}"), NOW, DUE).number
    change_status(store, number, status, note, "staff", NOW)
    slots = notice_slots(number, status, note)
    _, messages = run(ActionReplyInContext(), tracker("طيب وش المطلوب مني؟", "faq", slots))
    reply = texts(messages)
    assert number in reply and all(word in reply for word in words)


def test_a_faq_question_after_a_notice_is_still_answered(store):
    number = file_report(store, complaint("N-faq"), NOW, DUE).number
    change_status(
        store, number, "accepted", None, "staff", NOW, {"implementation_time": "خلال 3 أشهر"}
    )
    current = tracker("وش شروط طلب التحول؟", "faq", notice_slots(number, "accepted", ""))
    current.latest_message["response_selector"] = {
        "faq": {"response": {"utter_action": "utter_faq/digitization_conditions"}}
    }
    _, messages = run(ActionReplyInContext(), current)
    assert [m["response"] for m in messages] == ["utter_faq/digitization_conditions"]


def test_a_stranger_gets_nothing_about_the_notice(store):
    number = file_report(store, complaint("N-x"), NOW, DUE).number
    change_status(
        store, number, "accepted", None, "staff", NOW, {"implementation_time": "خلال 3 أشهر"}
    )
    current = tracker("يعني انقبل؟", "faq", notice_slots(number, "accepted", ""), sender="c9")
    _, messages = run(ActionReplyInContext(), current)
    assert [m["response"] for m in messages] == ["utter_follow_up_not_verified"]


def test_a_question_in_the_survey_after_the_closing_notice_is_answered_then_asked_again(store):
    number = file_report(store, complaint("N-closed"), NOW, DUE).number
    change_status(store, number, "closed", "تم حل المشكلة", "staff", NOW)
    context, _ = awaiting.after_notice({}, "closed", number, "تم حل المشكلة", False)
    context, expected = awaiting.survey_started(context, number)
    slots = {
        "awaiting": expected,
        "awaiting_context": context,
        "survey_report": number,
        "requested_slot": "survey_solution",
    }
    text = "يعني خلاص انحلت؟"
    current = tracker(text, "out_of_scope", slots, "survey_form", {"survey_solution": text})
    events, messages = run(ValidateSurveyForm(), current)
    reply = texts(messages)
    assert number in reply and "مغلق" in reply and "تم حل المشكلة" in reply
    assert "utter_invalid_score" not in reply
    assert SlotSet("survey_solution", None) in events  # asked again
    assert SlotSet("failed_attempts", 1.0) not in events  # not counted as a wrong answer


# ----------------------------------------------------------------- filing with the entity first

FILLED = {
    "beneficiary_name": "نورة القحطاني",
    "national_id": ID,
    "mobile": MOBILE,
    "mobile_verified": MOBILE,
    "complaint_trigger": "no_sla",
    "entity": "وزارة الصحة",
    "platform": "صحتي",
    "service": "حجز موعد",
    "request_channel": "app",
    "failed_attempts": 0.0,
    "requested_slot": "no_reference_route",
    "reference_missing": True,
}


@pytest.mark.parametrize(
    "text",
    [
        "خلاص بشتكي عندهم أول وأرجع لكم",  # Saudi
        "طيب بكلمهم واخذ رقم",
        "هقدم الشكوى عندهم الأول وارجعلكم",  # Egyptian
        "رح اشتكي عندهم بالأول وبرجعلكم",  # Levantine
        "راح اشتكي يمهم اول",  # Iraqi
        "حأشتكي عندهم أول وأجيكم",  # Sudanese
        "سأقدم الشكوى لدى الجهة أولاً ثم أعود",  # MSA
        "ok I'll file with them first",
        "5alas bashtki 3indhom awal",  # Arabizi
        "لا، بتصل عليهم اول",  # «لا،» answers the offer; the plan follows
        "لا، حشتكي ليهم الاول",  # Sudanese «ليهم»
    ],
)
def test_filing_with_the_entity_first(text):
    assert files_with_entity_first(text)


@pytest.mark.parametrize(
    "text",
    [
        "ما راح اشتكي عندهم",
        "لا بشتكي عندهم",
        "كلمتهم وما ردوا",
        "نسيت الرقم",
        "همم",
        "INC-2026-7781",
    ],
)
def test_not_filing_with_the_entity_first(text):
    assert not files_with_entity_first(text)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("خلاص بشتكي عندهم أول وأرجع لكم", "cancel_report"),  # read as «cancel»: still this
        ("طيب بكلمهم واخذ رقم", "inform"),
        ("حأشتكي عندهم أول وأجيكم", "out_of_scope"),
    ],
)
def test_filing_with_the_entity_first_stops_the_form_politely(text, intent):
    set_now = {} if intent in {"cancel_report", "faq"} else {"no_reference_route": text}
    current = tracker(text, intent, FILLED, "complaint_form", set_now)
    events, messages = run(ValidateComplaintForm(), current)
    [message] = messages
    assert "الرقم المرجعي" in rendered(message) and "لم يُحفظ" in rendered(message)
    assert SlotSet("no_reference_route", FILE_WITH_ENTITY_FIRST) in events
    assert SlotSet("beneficiary_name", None) in events and SlotSet("national_id", None) in events
    assert events[-1] == SlotSet("requested_slot", None)  # the form ends
    assert {"beneficiary_name", "prior_complaint_number", "reference_missing"} <= set(STOPPED_SLOTS)


def test_a_number_at_the_offer_is_still_the_reference(monkeypatch):
    from bot.actions import complaint_form

    monkeypatch.setattr(complaint_form, "_existing_escalation", lambda *_: None)
    text = "بكلمهم... لا لقيته INC-2026-7781"
    current = tracker(text, "inform", FILLED, "complaint_form", {"no_reference_route": text})
    events, _ = run(ValidateComplaintForm(), current)
    assert SlotSet("prior_complaint_number", "INC-2026-7781") in events
    assert events[-1] == SlotSet("requested_slot", "prior_complaint_date")


# ----------------------------------------------------------------- the name with the ID


@pytest.mark.parametrize(
    ("text", "name", "found"),
    [
        (f"اسمي محمد القحطاني ورقم هويتي {ID}", "محمد القحطاني", {"national_id": ID}),
        ("اسمي سارة عبدالله ورقم هويتي ١٠٤٥١٢٣٤٥٠", "سارة عبدالله", {"national_id": ID}),
        ("أنا أحمد محمود، جوالي 0551234567", "أحمد محمود", {"mobile": MOBILE}),
        (f"خالد المدني، السجل المدني {ID}", "خالد المدني", {"national_id": ID}),
        (f"my name is Omar Hassan, id {ID}", "Omar Hassan", {"national_id": ID}),
        (f"ismi Ahmad Saleh w hawiyti {ID}", "Ahmad Saleh", {"national_id": ID}),
        (
            f"اسمي علي حسين رقم الهوية {ID} والجوال 055 123 4567",
            "علي حسين",
            {"national_id": ID, "mobile": MOBILE},
        ),
    ],
)
def test_the_name_with_the_id_or_mobile_fills_both(text, name, found):
    assert identifiers_with_name(text) == found
    assert name_without_identifiers(text) == name
    current = tracker(
        text,
        "inform",
        {"requested_slot": "beneficiary_name"},
        "complaint_form",
        {"beneficiary_name": text},
    )
    events, messages = run(ValidateComplaintForm(), current)
    assert messages == []
    assert SlotSet("beneficiary_name", name) in events
    for slot, value in found.items():
        assert SlotSet(slot, value) in events
    asked = "mobile" if "mobile" not in found else "mobile_code"  # a new mobile is confirmed
    if "national_id" not in found:
        asked = "national_id"
    assert events[-1] == SlotSet("requested_slot", asked)


@pytest.mark.parametrize("text", ["محمد 123 القحطاني", "اسمي محمد القحطاني وهويتي 104512345"])
def test_a_name_with_digits_and_no_valid_identifier_is_refused(text):
    current = tracker(
        text,
        "inform",
        {"requested_slot": "beneficiary_name"},
        "complaint_form",
        {"beneficiary_name": text},
    )
    events, messages = run(ValidateComplaintForm(), current)
    assert [m["response"] for m in messages] == ["utter_invalid_name"]
    assert SlotSet("beneficiary_name", None) in events
    assert not [e for e in events if e.get("name") in ("national_id", "mobile")]
