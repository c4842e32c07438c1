"""Values inside the sentences citizens answer with, and error messages that say what was
actually wrong (bot/rules/values.py, identity.py, dates.py and the forms' validators)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import complaint_form
from bot.actions.complaint_form import TRIGGER_DEPENDENT, ValidateComplaintForm
from bot.actions.report_form import digits_typed
from bot.rules.dates import parse_user_date
from bot.rules.identity import find_national_id, find_saudi_mobile, with_check_digit
from bot.rules.values import (
    digit_groups,
    find_reference,
    find_sla_days,
    lacks_reference,
    spelled_number,
)

ROOT = Path(__file__).resolve().parents[2]
ID = with_check_digit("104512345")  # 1045123450
IQAMA = with_check_digit("204512345")  # 2045123458
TODAY = dt.date(2026, 11, 23)  # a Monday
MOBILE = "+966551234567"


# ----------------------------------------------------------------------- digit groups


def test_digit_groups_read_every_script_and_separator():
    groups = digit_groups("هويتي ١٠٤٥ ١٢٣ ٤٥٠ وجوالي +966 55-123.4567 و ۱۲۳")
    assert [g.digits for g in groups] == ["1045123450", "966551234567", "123"]
    assert [g.plus for g in groups] == [False, True, False]
    assert digit_groups("بدون أرقام") == []


# ----------------------------------------------------------------------- national ID


@pytest.mark.parametrize(
    "typed",
    [
        ID,
        "١٠٤٥١٢٣٤٥٠",
        "۱۰۴۵۱۲۳۴۵۰",
        "1045-123-450",
        "1045 123 450",
        "1045.123.450",
        "١٠٤٥ - ١٢٣ - ٤٥٠",
        "رقم هويتي ١٠٤٥١٢٣٤٥٠ لو سمحت",
        "my id is 1045-123-450",
        f"هويتي {ID} وجوالي 0551234567",
        f"{ID} 0551234567",  # two numbers side by side: the valid ID is the one
        f"{ID} {ID}",  # the same ID twice
        "1 0 4 5 1 2 3 4 5 0",
    ],
)
def test_the_national_id_is_found_in_a_sentence(typed):
    found = find_national_id(typed)
    assert (found.value, found.error) == (ID, None)


def test_an_iqama_is_found_too():
    assert find_national_id(f"رقم الإقامة {IQAMA}").value == IQAMA


@pytest.mark.parametrize(
    ("typed", "error", "count"),
    [
        ("ما اعرفه", "no_digits", 0),
        ("", "no_digits", 0),
        ("هويتي 104512345", "length", 9),
        ("١٠٤٥١٢٣٤٥٠٠", "length", 11),
        ("12", "length", 2),
        ("رقمي 104512345 وجوالي 0551234567", "length", 9),
        ("0551234567", "mobile", 0),
        ("+966 55 123 4567", "mobile", 0),
        ("3045123450", "prefix", 0),
        ("1045123453", "checksum", 0),
        ("هويتي 1045123453 وجوالي 0551234567", "checksum", 0),
        (f"{ID} او {IQAMA}", "ambiguous", 0),
    ],
)
def test_the_national_id_error_says_what_was_wrong(typed, error, count):
    found = find_national_id(typed)
    assert found.value is None
    assert found.error == error
    assert found.typed == count


def test_two_different_ids_are_both_named():
    assert find_national_id(f"{ID} و {IQAMA}").candidates == (ID, IQAMA)


# ----------------------------------------------------------------------- mobile


@pytest.mark.parametrize(
    "typed",
    [
        "0551234567",
        "551234567",
        "+966551234567",
        "00966551234567",
        "966551234567",
        "جوالي ٠٥٥ ١٢٣ ٤٥٦٧",
        "جوالي ۰۵۵-۱۲۳-۴۵۶۷ لو سمحت",
        "+966 55 123 4567",
        "00966 55 123 4567",
        "(055) 123-4567",
        "055.123.4567",
        "my number is +966 5 5123 4567 thanks",
        f"جوالي 0551234567 وهويتي {ID}",
        "0551234567 او +966551234567",  # the same number twice
    ],
)
def test_the_saudi_mobile_is_found_in_a_sentence(typed):
    found = find_saudi_mobile(typed)
    assert (found.value, found.error) == (MOBILE, None)


@pytest.mark.parametrize(
    ("typed", "error", "count"),
    [
        ("ما عندي جوال", "no_digits", 0),
        ("0112345678", "landline", 0),
        ("011 234 5678", "landline", 0),
        ("+966 11 234 5678", "landline", 0),
        ("+971501234567", "foreign", 0),
        ("00971 50 123 4567", "foreign", 0),
        (ID, "national_id", 0),
        ("05512345", "length", 8),
        ("055123456789", "length", 12),
        ("+9665512345", "length_international", 7),
        ("8001234567", "not_mobile", 0),
        ("0551234567 او 0501234567", "ambiguous", 0),
    ],
)
def test_the_mobile_error_says_what_was_wrong(typed, error, count):
    found = find_saudi_mobile(typed)
    assert found.value is None
    assert found.error == error
    assert found.typed == count


# ----------------------------------------------------------------------- reference


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("INC-2026-7781", "INC-2026-7781"),
        ("رقم الشكوى عندهم INC-2026-7781 تقريبا", "INC-2026-7781"),
        ("2026/4471", "2026/4471"),
        ("٧٧٨١٢٣", "778123"),
        ("رقمها ۷۷۸۱۲۳", "778123"),
        ("dup 5521", "dup 5521"),
        ("my reference is INC 2026 7781", "INC 2026 7781"),
        ("قدمتها 15/11/2026 ورقمها 4471", "4471"),
        ("قبل 10 ايام ورقمها 7781", "7781"),
        ("No. 7781", "7781"),
        ("الرقم INC-2026-7781 وقدمتها سنة 2025", "INC-2026-7781"),
    ],
)
def test_the_reference_is_found_in_a_sentence(typed, expected):
    assert find_reference(typed).value == expected


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("الرقم عند اخوي", "missing"),
        ("15/11/2026", "date"),
        ("من 2025", "date"),
        ("12", "length"),
        ("A" + "1" * 45, "length"),
        ("INC-1 او INC-2", "ambiguous"),
    ],
)
def test_the_reference_error_says_what_was_wrong(typed, error):
    found = find_reference(typed)
    assert found.value is None and found.error == error


@pytest.mark.parametrize(
    "typed",
    [
        "ما عندي رقم شكوى",
        "ماعندي",
        "ما قدمت شكوى عندهم",
        "لم أقدم شكوى لدى الجهة",
        "ما عطوني رقم",
        "نسيت الرقم",
        "لا يوجد",
        "لا",
        "ليس لدي رقم",
        "مدري",
        "I don't have a reference number",
        "I dont have one",
        "no reference",
    ],
)
def test_saying_there_is_no_reference(typed):
    assert lacks_reference(typed)
    assert find_reference(typed).value is None


@pytest.mark.parametrize("typed", ["INC-2026-7781", "رقمها 7781", "الرقم عندي: 7781"])
def test_a_reference_is_not_a_refusal(typed):
    assert not lacks_reference(typed)


# ----------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("قدمتها في ١٥/١١/٢٠٢٦ الصبح", dt.date(2026, 11, 15)),
        ("قدمتها 2026-11-01 تقريبا", dt.date(2026, 11, 1)),
        ("يوم 3 نوفمبر", dt.date(2026, 11, 3)),
        ("قدمتها يوم ١٥ نوفمبر", dt.date(2026, 11, 15)),
        ("قدمتها يوم 15 نوفمبر 2025م", dt.date(2025, 11, 15)),
        ("قدمتها 15/5/1448 هـ", dt.date(2026, 10, 26)),
        ("من اسبوعين", TODAY - dt.timedelta(days=14)),
        ("قبل 10 ايام", TODAY - dt.timedelta(days=10)),
        ("امس", TODAY - dt.timedelta(days=1)),
        ("قدمتها امس العصر", TODAY - dt.timedelta(days=1)),
        ("قبل ٣ اسابيع تقريبا", TODAY - dt.timedelta(days=21)),
        ("قدمت الشكوى من التطبيق قبل 3 ايام", TODAY - dt.timedelta(days=3)),
        ("صار لها عشرة ايام", TODAY - dt.timedelta(days=10)),
        ("قبل خمسطعش يوم", TODAY - dt.timedelta(days=15)),
        ("قبل يوم", TODAY - dt.timedelta(days=1)),
        ("قدمتها الاحد الماضي", TODAY - dt.timedelta(days=1)),
        ("قدمتها اول امس", TODAY - dt.timedelta(days=2)),
    ],
)
def test_dates_inside_sentences(typed, expected):
    assert parse_user_date(typed, TODAY).date == expected


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("قدمتها 31/2/2026 الصبح", "impossible"),
        ("قدمتها في 2099/01/01", "future"),
        ("قدمتها بكرة", "future"),
        ("قدمتها في 2010/01/01", "too_old"),
        ("قبل 99999 سنه", "too_old"),
        ("ما اذكر", "unparsed"),
    ],
)
def test_dates_inside_sentences_are_refused_with_the_reason(typed, error):
    parsed = parse_user_date(typed, TODAY)
    assert parsed.date is None and parsed.error == error


# ----------------------------------------------------------------------- SLA days


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("5", 5),
        ("٥", 5),
        ("قالوا خلال ٥ ايام عمل", 5),
        ("عشرة ايام", 10),
        ("عشره", 10),
        ("اسبوعين", 10),
        ("اسبوع", 5),
        ("3 اسابيع", 15),
        ("يومين", 2),
        ("يوم واحد", 1),
        ("خمسة عشر يوم", 15),
        ("خمسطعش يوم", 15),
        ("خمس وعشرين يوم", 25),
        ("ثلاثين", 30),
        ("48 ساعة", 2),
        ("قالوا بيردون خلال سبعة ايام", 7),
    ],
)
def test_sla_days_inside_sentences(typed, days):
    assert find_sla_days(typed).days == days


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("شهر", "months"),
        ("مدري", "missing"),
        ("ما قالوا كم يوم", "missing"),
        ("كام يوم؟", "missing"),
    ],
)
def test_sla_days_not_read_say_why(typed, error):
    assert find_sla_days(typed).error == error


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("واحد", 1),
        ("اثنين", 2),
        ("ثلاثة", 3),
        ("تلاتة", 3),
        ("أربعة", 4),
        ("ستة", 6),
        ("ثمانية", 8),
        ("تسعة", 9),
        ("عشرة", 10),
        ("إحدى عشرة", 11),
        ("احدعش", 11),
        ("اثنا عشر", 12),
        ("اطنعش", 12),
        ("ثلطعش", 13),
        ("تلتاشر", 13),
        ("أربعطعش", 14),
        ("ستاشر", 16),
        ("سبعتاشر", 17),
        ("ثمنطعش", 18),
        ("تسعطعش", 19),
        ("عشرين", 20),
        ("واحد وعشرين", 21),
        ("خمس و عشرين", 25),
        ("تسعة وعشرون", 29),
        ("ثلاثين", 30),
        ("بخمسة", 5),
        ("لست متأكداً", None),
        ("احد", None),
    ],
)
def test_numbers_spelled_out_from_1_to_30(typed, number):
    assert spelled_number(typed) == number


# ----------------------------------------------------------------------- validators

DOMAIN = Domain.load(str(ROOT / "domain")).as_dict()


def tracker(
    slots: dict[str, Any],
    text: str,
    intent: str = "inform",
    entities: list[dict[str, Any]] | None = None,
    set_now: dict[str, Any] | None = None,
) -> Tracker:
    """A tracker in the complaint form, after the user's `text`; `set_now` are the slots
    Rasa set from that message (the ones the SDK validates)."""
    events = [{"event": "user", "text": text}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (set_now or {}).items()]
    return Tracker(
        "citizen",
        {**slots, **(set_now or {})},
        {"intent": {"name": intent}, "text": text, "entities": entities or []},
        events,
        False,
        None,
        {"name": "complaint_form"},
        "action_listen",
    )


def validate(slot: str, text: str, slots: dict[str, Any] | None = None):
    """Run `validate_<slot>` on `text`: (its answer, the responses it sent)."""
    form = ValidateComplaintForm()
    dispatcher = CollectingDispatcher()
    current = tracker({"requested_slot": slot, **(slots or {})}, text)
    method = getattr(form, f"validate_{slot}")
    result = asyncio.run(method(text, dispatcher, current, DOMAIN))
    return result, dispatcher.messages


def refused_with(slot: str, text: str) -> dict[str, Any]:
    result, messages = validate(slot, text)
    assert result[slot] is None
    assert messages[0]["response"] in DOMAIN["responses"]
    return messages[0]


@pytest.mark.parametrize(
    ("typed", "response"),
    [
        ("ما اعرفه", "utter_invalid_national_id_missing"),
        ("هويتي 104512345", "utter_invalid_national_id_length"),
        ("0551234567", "utter_invalid_national_id_mobile"),
        ("5045123450", "utter_invalid_national_id_prefix"),  # 3… and 4…: a border number
        ("1045123453", "utter_invalid_national_id_checksum"),
        (f"{ID} و {IQAMA}", "utter_invalid_national_id_ambiguous"),
    ],
)
def test_the_national_id_validator_says_what_was_wrong(typed, response):
    assert refused_with("national_id", typed)["response"] == response


def test_the_id_length_message_counts_the_digits_typed():
    assert refused_with("national_id", "رقمي ١٠٤٥١٢٣٤٥")["typed"] == "9 أرقام"
    assert refused_with("national_id", "10451234500")["typed"] == "11 رقماً"


def test_two_ids_are_shown_masked():
    message = refused_with("national_id", f"{ID} و {IQAMA}")
    assert "********50" in message["first"] and "********58" in message["second"]
    assert ID not in str(message)


def test_the_id_in_a_sentence_is_accepted():
    result, messages = validate("national_id", "رقم هويتي ١٠٤٥-١٢٣-٤٥٠ لو سمحت")
    assert result["national_id"] == ID and messages == []


@pytest.mark.parametrize(
    ("typed", "response"),
    [
        ("ما عندي", "utter_invalid_mobile_missing"),
        ("0112345678", "utter_invalid_mobile_landline"),
        ("+9715012", "utter_invalid_mobile_foreign_invalid"),  # +971 50 123 4567 is fine
        ("+44 20 7946 0958", "utter_invalid_mobile_foreign_landline"),
        (ID, "utter_invalid_mobile_national_id"),
        ("05512345", "utter_invalid_mobile_length"),
        ("+9665512345", "utter_invalid_mobile_length_international"),
        ("8001234567", "utter_invalid_mobile"),
        ("0551234567 او 0501234567", "utter_invalid_mobile_ambiguous"),
    ],
)
def test_the_mobile_validator_says_what_was_wrong(typed, response):
    assert refused_with("mobile", typed)["response"] == response


def test_the_mobile_length_message_counts_the_digits_typed():
    assert refused_with("mobile", "جوالي 05512345")["typed"] == "8 أرقام"
    assert refused_with("mobile", "+966 5512345")["typed"] == "7 أرقام"


def test_the_mobile_in_a_sentence_is_accepted():
    result, _ = validate("mobile", "جوالي ٠٥٥ ١٢٣ ٤٥٦٧ لو سمحت")
    assert result["mobile"] == MOBILE


@pytest.mark.parametrize(
    ("count", "phrase"),
    [(1, "رقماً واحداً"), (2, "رقمين"), (3, "3 أرقام"), (10, "10 أرقام"), (11, "11 رقماً")],
)
def test_digit_counts_agree_with_the_noun(count, phrase):
    assert digits_typed(count) == phrase


def test_every_error_response_exists_in_the_domain():
    from bot.actions.complaint_form import REFERENCE_ERRORS, SLA_ERRORS
    from bot.actions.report_form import MOBILE_ERRORS, NATIONAL_ID_ERRORS

    names = [*NATIONAL_ID_ERRORS.values(), *MOBILE_ERRORS.values()]
    names += [*REFERENCE_ERRORS.values(), *SLA_ERRORS.values()]
    names += ["utter_invalid_sla_days_range", "utter_ask_no_reference_route"]
    names += ["utter_switched_to_technical_failure", "utter_invalid_no_reference_route"]
    assert [name for name in names if name not in DOMAIN["responses"]] == []


@pytest.mark.parametrize(
    ("typed", "response"),
    [
        ("الرقم عند اخوي", "utter_invalid_reference_missing"),
        ("15/11/2026", "utter_invalid_reference_date"),
        ("12", "utter_invalid_reference"),
        ("INC-1 او INC-2", "utter_invalid_reference_ambiguous"),
    ],
)
def test_the_reference_validator_says_what_was_wrong(typed, response):
    assert refused_with("prior_complaint_number", typed)["response"] == response


def test_the_reference_in_a_sentence_is_accepted():
    result, _ = validate("prior_complaint_number", "رقم الشكوى عندهم INC-2026-7781 تقريبا")
    assert result["prior_complaint_number"] == "INC-2026-7781"


@pytest.mark.parametrize(
    ("typed", "response"),
    [
        ("مدري", "utter_invalid_sla_days"),
        ("شهر", "utter_invalid_sla_days_months"),
        ("120 يوم", "utter_invalid_sla_days_range"),
    ],
)
def test_the_sla_validator_says_what_was_wrong(typed, response):
    assert refused_with("sla_days", typed)["response"] == response


def test_the_sla_in_a_sentence_is_accepted():
    result, _ = validate("sla_days", "قالوا خلال خمسة ايام عمل")
    assert result["sla_days"] == "5"
    result, _ = validate("sla_days", "اسبوعين")
    assert result["sla_days"] == "10"


@pytest.mark.parametrize(
    ("typed", "response"),
    [
        ("قدمتها بكرة", "utter_invalid_date_future"),
        ("قدمتها 31/2/2026", "utter_invalid_date_impossible"),
        ("قدمتها في 2001/01/01", "utter_invalid_date_too_old"),
        ("ما اذكر", "utter_invalid_date_unparsed"),
    ],
)
def test_the_date_validator_says_what_was_wrong(typed, response):
    assert refused_with("prior_complaint_date", typed)["response"] == response


def test_the_date_in_a_sentence_is_accepted(monkeypatch):
    monkeypatch.setattr(complaint_form.clock, "today", lambda: TODAY)
    result, _ = validate("prior_complaint_date", "قدمتها في ١٥/١١/٢٠٢٦ الصبح")
    assert result["prior_complaint_date"] == "2026-11-15"


# ----------------------------------------------------------------------- no reference number

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
}


def run_form(current: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateComplaintForm().run(dispatcher, current, DOMAIN))
    return events, dispatcher.messages


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ما عندي رقم شكوى", "faq"),  # the NLU may read it as the FAQ: still an answer
        ("ما قدمت شكوى عندهم", "deny"),
        ("I don't have a reference number", "inform"),
    ],
)
def test_no_reference_number_explains_the_rule_and_offers_the_ways_on(text, intent):
    slots = {**FILLED, "requested_slot": "prior_complaint_number"}
    # Rasa fills the slot from the text unless the intent is one the form leaves alone.
    set_now = {} if intent == "faq" else {"prior_complaint_number": text}
    events, messages = run_form(tracker(slots, text, intent, set_now=set_now))
    assert SlotSet("reference_missing", True) in events
    assert SlotSet("requested_slot", "no_reference_route") in events
    assert messages == []  # no "invalid reference": the question itself explains
    offer = DOMAIN["responses"]["utter_ask_no_reference_route"][0]
    assert "تعطل نظام الجهة" in offer["text"] and "الرقم المرجعي" in offer["text"]
    payloads = [button["payload"] for button in offer["buttons"]]
    assert payloads == [
        '/inform{{"choice": "technical_failure"}}',
        "/cancel_report",
        "/request_agent",
    ]


def test_the_system_down_button_switches_the_route_and_asks_the_screenshot():
    slots = {**FILLED, "requested_slot": "no_reference_route", "reference_missing": True}
    payload = '/inform{"choice": "technical_failure"}'
    entities = [{"entity": "choice", "value": "technical_failure"}]
    current = tracker(slots, payload, "inform", entities, {"no_reference_route": payload})
    events, messages = run_form(current)
    assert SlotSet("complaint_trigger", "technical_failure") in events
    assert SlotSet("reference_missing", None) in events
    assert SlotSet("no_reference_route", None) in events
    assert events[-1] == SlotSet("requested_slot", "screenshot")
    assert [m["response"] for m in messages] == ["utter_switched_to_technical_failure"]


@pytest.mark.parametrize(
    ("text", "intent"), [("طيب مسار تعطل النظام", "faq"), ("ok the system was down", "inform")]
)
def test_the_system_down_route_in_words(text, intent):
    slots = {**FILLED, "requested_slot": "no_reference_route", "reference_missing": True}
    set_now = {} if intent == "faq" else {"no_reference_route": text}
    events, _ = run_form(tracker(slots, text, intent, set_now=set_now))
    assert SlotSet("complaint_trigger", "technical_failure") in events
    assert events[-1] == SlotSet("requested_slot", "screenshot")


def test_the_reference_found_after_all_is_taken(monkeypatch):
    monkeypatch.setattr(complaint_form, "_existing_escalation", lambda *_: None)
    slots = {**FILLED, "requested_slot": "no_reference_route", "reference_missing": True}
    text = "لقيته: INC-2026-7781"
    events, _ = run_form(tracker(slots, text, "inform", set_now={"no_reference_route": text}))
    assert SlotSet("prior_complaint_number", "INC-2026-7781") in events
    assert SlotSet("reference_missing", None) in events
    assert events[-1] == SlotSet("requested_slot", "prior_complaint_date")


def test_stopping_and_a_person_are_left_to_their_rules():
    slots = {**FILLED, "requested_slot": "no_reference_route", "reference_missing": True}
    for payload, intent in (
        ("/cancel_report", "cancel_report"),
        ("/request_agent", "request_agent"),
    ):
        events, messages = run_form(tracker(slots, payload, intent))
        assert not [e for e in events if e.get("name") not in ("requested_slot",)]
        assert messages == []


def test_an_unclear_answer_to_the_offer_is_asked_again():
    slots = {**FILLED, "requested_slot": "no_reference_route", "reference_missing": True}
    events, messages = run_form(
        tracker(slots, "همم", "inform", set_now={"no_reference_route": "همم"})
    )
    assert [m["response"] for m in messages] == ["utter_invalid_no_reference_route"]
    assert events[-1] == SlotSet("requested_slot", "no_reference_route")


def test_the_offer_slots_follow_the_trigger():
    assert {"reference_missing", "no_reference_route"} <= set(TRIGGER_DEPENDENT)
    from bot.actions.filing import REPORT_SLOTS

    assert {"reference_missing", "no_reference_route"} <= set(REPORT_SLOTS)


@pytest.mark.parametrize(
    "typed", ["مفيش", "ما في شي", "ماكو", "لا والله ما عندي", "No", "nothing", "تخطي"]
)
def test_no_supporting_documents_said_in_the_dialects(typed):
    result, _ = validate("supporting_documents", typed)
    assert result["supporting_documents"] == "0"


def test_a_sentence_that_is_no_answer_about_documents_is_asked_again():
    assert refused_with("supporting_documents", "الموقع معلق من امس")
