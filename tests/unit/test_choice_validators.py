"""The forms' choice questions read typed answers with `bot.rules.choices`: an unclear
answer is refused with `utter_invalid_choice` and asked again with its buttons, and
nothing that decides eligibility (trigger, channel, closed complaint's topic) is set from
a guess; yes/no answers trust the words over the intent classifier."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.complaint_form import ValidateComplaintForm, complaint_summary
from bot.actions.filing import ActionAskConfirmSubmission
from bot.actions.follow_up import ValidateFollowUpForm
from bot.actions.improvement_form import ValidateImprovementForm
from bot.actions.notifications import ValidateSurveyForm

ROOT = Path(__file__).resolve().parents[2]
PROFILE = {
    "beneficiary_name": "سارة القحطاني",
    "national_id": "1000000008",
    "mobile": "+966551234567",
    "mobile_verified": "+966551234567",  # confirmed with its code in this conversation
}
ELIGIBILITY_SLOTS = ("complaint_trigger", "request_channel", "closed_topic")


def tracker(
    text: str,
    slots: dict[str, Any] | None = None,
    intent: str = "inform",
    choice: str | None = None,
    form: str = "complaint_form",
) -> Tracker:
    entities = [{"entity": "choice", "value": choice}] if choice else []
    message = {"intent": {"name": intent}, "text": text, "entities": entities}
    return Tracker(
        "citizen",
        dict(slots or {}),
        message,
        [{"event": "user", "text": text, "parse_data": message}],
        False,
        None,
        {"name": form},
        "action_listen",
    )


def validate(form: Any, slot: str, current: Tracker) -> tuple[dict[str, Any], list[str]]:
    """Run `validate_<slot>` on the message; the result and the responses sent."""
    dispatcher = CollectingDispatcher()
    check = getattr(form, f"validate_{slot}")
    text = current.latest_message["text"]
    result = asyncio.run(check(text, dispatcher, current, {}))
    return result, [m.get("response") for m in dispatcher.messages]


def assert_asked_again(result: dict[str, Any], responses: list[str], slot: str) -> None:
    assert result[slot] is None
    assert result["failed_attempts"] == 1.0
    assert responses == ["utter_invalid_choice"]
    assert not result.get("refusal")  # nothing decided on an unclear answer


@pytest.mark.parametrize(
    ("slot", "answer", "requested"),
    [
        ("complaint_trigger", "لا مو مقفلة، بس ما ردوا علي", {}),
        ("complaint_trigger", "مقفلة بس تأخروا", {}),
        ("complaint_trigger", "ما ادري", {}),
        ("request_channel", "مو ورقية", {}),
        ("request_channel", "ورقية ولا التطبيق؟", {}),
        ("request_channel", "2 الموقع", {}),
        ("closed_topic", "ليست مشكلة تقنية", {"complaint_trigger": "closed_unsatisfied"}),
        ("closed_topic", "مو تقنية ولا اجراءات", {"complaint_trigger": "closed_unsatisfied"}),
    ],
)
def test_an_unclear_eligibility_answer_is_asked_again_and_decides_nothing(
    slot: str, answer: str, requested: dict[str, Any]
) -> None:
    current = tracker(answer, {**PROFILE, **requested, slot: answer, "requested_slot": slot})
    result, responses = validate(ValidateComplaintForm(), slot, current)
    assert_asked_again(result, responses, slot)
    assert not any(result.get(s) for s in ELIGIBILITY_SLOTS)


@pytest.mark.parametrize(
    ("slot", "answer", "expected", "refusal"),
    [
        ("request_channel", "مب تطبيق، الموقع", "website", None),
        ("request_channel", "مو تطبيق بل ورقية", "paper", "paper_service"),
        ("complaint_trigger", "لا مو مقفلة، تأخروا", "sla_passed", None),
        ("closed_topic", "ليست مشكلة تقنية، إجراءات", "procedures", "procedures"),
    ],
)
def test_a_clear_answer_decides(slot: str, answer: str, expected: str, refusal: str | None) -> None:
    slots = {**PROFILE, slot: answer, "requested_slot": slot}
    if slot == "closed_topic":
        slots["complaint_trigger"] = "closed_unsatisfied"
    result, responses = validate(ValidateComplaintForm(), slot, tracker(answer, slots))
    assert result[slot] == expected
    assert responses == []
    assert result.get("refusal") == refusal


def test_the_improvement_form_reads_its_channel_the_same_way() -> None:
    slots = {**PROFILE, "request_channel": "مش ورقي", "requested_slot": "request_channel"}
    current = tracker("مش ورقي", slots, form="improvement_form")
    result, responses = validate(ValidateImprovementForm(), "request_channel", current)
    assert_asked_again(result, responses, "request_channel")


def test_a_button_still_wins() -> None:
    payload = '/inform{"choice": "app"}'
    slots = {**PROFILE, "request_channel": payload, "requested_slot": "request_channel"}
    result, _ = validate(
        ValidateComplaintForm(), "request_channel", tracker(payload, slots, choice="app")
    )
    assert result["request_channel"] == "app"


def test_the_form_asks_the_unclear_question_again_with_its_buttons() -> None:
    """The whole validation action: the slot is emptied and requested again; Rasa then
    asks it with `utter_ask_<slot>`, whose buttons are in the domain."""
    domain = Domain.load(str(ROOT / "domain"))
    answer = "لا مو مقفلة، بس ما ردوا علي"
    current = tracker(answer, {**PROFILE, "complaint_trigger": answer})
    current.events.append({"event": "slot", "name": "complaint_trigger", "value": answer})
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateComplaintForm().run(dispatcher, current, domain.as_dict()))
    assert SlotSet("complaint_trigger", None) in events
    assert SlotSet("requested_slot", "complaint_trigger") in events
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_choice"]
    responses = domain.as_dict()["responses"]
    for slot in ("complaint_trigger", "request_channel", "closed_topic", "confirm_cancel"):
        assert len(responses[f"utter_ask_{slot}"][0]["buttons"]) >= 2, slot
    assert len(responses["utter_report_summary"][0]["buttons"]) == 3  # confirm_submission
    assert "action_ask_use_saved_profile" in domain.action_names_or_texts
    assert len(responses["utter_ask_use_saved_profile"][0]["buttons"]) == 2


def test_the_words_win_over_an_affirm_intent_on_the_saved_profile() -> None:
    slots = {
        "profile_name": "سارة القحطاني",
        "profile_national_id": "1000000008",
        "profile_mobile": "+966551234567",
        "requested_slot": "use_saved_profile",
    }
    form = ValidateComplaintForm()
    result, _ = validate(form, "use_saved_profile", tracker("لا مو صحيح", slots, intent="affirm"))
    assert result["use_saved_profile"] == "no" and "national_id" not in result
    result, _ = validate(form, "use_saved_profile", tracker("/affirm", slots, intent="affirm"))
    assert result["use_saved_profile"] == "yes"  # the button: the words say nothing
    assert result["national_id"] == "1000000008"
    result, responses = validate(
        form, "use_saved_profile", tracker("اي لا", slots, intent="affirm")
    )
    assert_asked_again(result, responses, "use_saved_profile")
    result, _ = validate(form, "use_saved_profile", tracker("ما احتاج", slots, intent="deny"))
    assert result["use_saved_profile"] == "no"  # a bare negation agrees with deny…
    result, responses = validate(
        form, "use_saved_profile", tracker("ما احتاج", slots, intent="affirm")
    )
    assert_asked_again(result, responses, "use_saved_profile")  # …not with affirm


@pytest.mark.parametrize(
    ("answer", "intent", "choice", "expected"),
    [
        ("/affirm", "affirm", None, "yes"),
        ('/inform{"choice": "edit"}', "inform", "edit", "edit"),
        ("تأكيد وإرسال", "affirm", None, "yes"),
        ("لا مو صحيح، عدل الجوال", "affirm", None, "edit"),
        ("لا مو صحيح", "affirm", None, None),  # not submitted on the intent's word
        ("غير موافق", "affirm", None, None),
        ("لا", "deny", None, None),  # edit or cancel? asked again
    ],
)
def test_the_summary_question(answer: str, intent: str, choice: str | None, expected: str) -> None:
    slots = {**PROFILE, "confirm_submission": answer, "requested_slot": "confirm_submission"}
    current = tracker(answer, slots, intent=intent, choice=choice)
    result, responses = validate(ValidateComplaintForm(), "confirm_submission", current)
    if expected is None:
        assert_asked_again(result, responses, "confirm_submission")
    else:
        assert result["confirm_submission"] == expected


@pytest.mark.parametrize(
    ("answer", "intent", "expected"),
    [
        ("/affirm", "affirm", "yes"),
        ("ألغه", "cancel_report", "yes"),
        ("لا لا تلغيه", "cancel_report", "no"),
        ("لا ما ابي", "affirm", "no"),
        ("ايوه الغيه", "cancel_report", "yes"),
        ("اي لا", "affirm", None),
    ],
)
def test_cancelling_a_report_is_confirmed_in_words(answer: str, intent: str, expected: str) -> None:
    slots = {"requested_slot": "confirm_cancel", "confirm_cancel": answer}
    current = tracker(answer, slots, intent=intent, form="follow_up_form")
    result, responses = validate(ValidateFollowUpForm(), "confirm_cancel", current)
    if expected is None:
        assert_asked_again(result, responses, "confirm_cancel")
    else:
        assert result["confirm_cancel"] == expected


def test_the_survey_usefulness_answer_trusts_the_words() -> None:
    slots = {"requested_slot": "survey_useful"}
    current = tracker("مو مفيدة", slots, intent="affirm", form="survey_form")
    result, _ = validate(ValidateSurveyForm(), "survey_useful", current)
    assert result["survey_useful"] == "no"
    current = tracker("/deny", slots, intent="deny", form="survey_form")
    result, _ = validate(ValidateSurveyForm(), "survey_useful", current)
    assert result["survey_useful"] == "no"


def test_the_summary_shows_the_deciding_choices_in_plain_arabic() -> None:
    slots = {
        **PROFILE,
        "complaint_trigger": "closed_unsatisfied",
        "request_channel": "paper",
        "closed_topic": "technical",
        "title": "تأخر",
    }
    lines = "\n".join(complaint_summary(tracker("", slots)))
    assert "• سبب التصعيد: أُغلقت دون حل مُرضٍ" in lines
    assert "• قناة الطلب: معاملة ورقية" in lines
    assert "• موضوع الشكوى المغلقة: مشكلة تقنية" in lines
    for code in ("closed_unsatisfied", "paper", "technical"):
        assert code not in lines
    for trigger, words in {
        "technical_failure": "تعذر تقديم الشكوى لتعطل النظام",
        "sla_passed": "تجاوزت الجهة مدة الرد المحددة",
        "no_sla": "لم تُحدد مدة للرد",
    }.items():
        assert words in "\n".join(complaint_summary(tracker("", {"complaint_trigger": trigger})))
    for channel, words in {"website": "الموقع الإلكتروني", "app": "التطبيق"}.items():
        shown = "\n".join(complaint_summary(tracker("", {"request_channel": channel})))
        assert f"قناة الطلب: {words}" in shown
    assert "procedures" not in "\n".join(
        complaint_summary(tracker("", {"closed_topic": "procedures"}))
    )


def test_the_summary_action_sends_those_lines_for_each_form() -> None:
    dispatcher = CollectingDispatcher()
    slots = {**PROFILE, "request_channel": "call_center", "service": "تجديد الجواز"}
    current = tracker("", slots, form="improvement_form")
    asyncio.run(ActionAskConfirmSubmission().run(dispatcher, current, {}))
    [message] = dispatcher.messages
    assert message["response"] == "utter_report_summary"
    assert "قناة استخدامها: مركز الاتصال" in message["summary"]
    assert "call_center" not in message["summary"]


def test_a_trigger_set_by_the_bot_is_accepted_under_its_own_key() -> None:
    """A story's trigger is prefilled as the option key; the form validates it on
    activation like any other prefilled slot."""
    slots = {**PROFILE, "complaint_trigger": "closed_unsatisfied"}
    current = tracker("شكوتي قفلوها وما انحلت", slots, intent="file_complaint")
    result, responses = validate(ValidateComplaintForm(), "complaint_trigger", current)
    assert result["complaint_trigger"] == "closed_unsatisfied"
    assert responses == []


SIMILAR = "تصديق الشهادات الدراسية القديمة ورقياً لدى إدارة التعليم"


@pytest.fixture
def an_earlier_similar_request(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.actions import digitization_form
    from bot.rules.eligibility import EarlierRequest

    def earlier_requests(_store: Any, national_id: str, report_type: str) -> list[Any]:
        assert report_type == "digitization"
        if national_id != PROFILE["national_id"]:
            return []
        return [EarlierRequest("260000077", SIMILAR, "وزارة التعليم")]

    monkeypatch.setattr(digitization_form, "earlier_requests", earlier_requests)
    monkeypatch.setattr(digitization_form.services, "store", lambda: None)


@pytest.mark.usefixtures("an_earlier_similar_request")
def test_a_service_told_before_the_id_is_checked_once_the_id_is_known() -> None:
    """The opening message named the service (validated before anyone was known): the
    similar-request rule runs when the national ID arrives, and again at confirmation."""
    from bot.actions.digitization_form import ValidateDigitizationForm

    told = {"service": SIMILAR, "entity": "وزارة التعليم", "beneficiary_name": "سارة القحطاني"}
    slots = {**told, "requested_slot": "national_id"}
    current = tracker("هويتي 1000000008", slots, form="digitization_form")
    result, _ = validate(ValidateDigitizationForm(), "national_id", current)
    assert result["national_id"] == PROFILE["national_id"]
    assert result["refusal"] == "similar_request"
    assert result["refusal_number"] == "260000077"

    slots = {**told, **PROFILE, "requested_slot": "confirm_submission"}
    current = tracker("/affirm", slots, intent="affirm", form="digitization_form")
    result, _ = validate(ValidateDigitizationForm(), "confirm_submission", current)
    assert result["refusal"] == "similar_request"  # the last check before filing

    other = {**told, **PROFILE, "national_id": "1000000016", "requested_slot": "national_id"}
    current = tracker("1000000016", other, form="digitization_form")
    result, _ = validate(ValidateDigitizationForm(), "national_id", current)
    assert not result.get("refusal")  # someone else's request is not theirs


@pytest.mark.parametrize(
    ("text", "taken"),
    [
        ("إلغاء موعدي في المستشفى بدون سبب", True),  # a subject, read as «cancel»
        ("الغوا حجزي في منصة موعد", True),
        ("ألغِ الطلب", False),  # a stop: the rule stops the form
        ("خلاص ما ابي اكمل الشكوى", False),
        ("cancel", False),
        ("/cancel_report", False),
    ],
)
def test_a_free_text_answer_that_reads_as_cancel_is_kept_unless_it_only_says_stop(
    text: str, taken: bool
) -> None:
    slots = {**PROFILE, "requested_slot": "title"}
    current = tracker(text, slots, intent="cancel_report")
    result = asyncio.run(ValidateComplaintForm().extract_title(CollectingDispatcher(), current, {}))
    assert result == ({"title": text} if taken else {})


@pytest.mark.parametrize(
    ("text", "taken"),
    [
        ("نظام التأمينات ما يرفع الملف", True),  # a statement read as a FAQ question
        ("the payment page keeps failing", True),
        ("كم يوم تاخذون عشان تردون؟", False),  # a question: answered, then asked again
        ("وش اكتب في العنوان", False),
    ],
)
def test_a_free_text_answer_read_as_a_faq_question_is_kept_unless_it_asks(
    text: str, taken: bool
) -> None:
    slots = {**PROFILE, "requested_slot": "title"}
    current = tracker(text, slots, intent="faq")
    result = asyncio.run(ValidateComplaintForm().extract_title(CollectingDispatcher(), current, {}))
    assert result == ({"title": text} if taken else {})


def test_the_days_said_with_the_trigger_are_not_asked_again() -> None:
    answer = "وعدوني يردون خلال ٥ ايام عمل وما ردوا"
    slots = {**PROFILE, "complaint_trigger": answer, "requested_slot": "complaint_trigger"}
    result, _ = validate(ValidateComplaintForm(), "complaint_trigger", tracker(answer, slots))
    assert result["complaint_trigger"] == "sla_passed"
    assert result["sla_days"] == "5"
