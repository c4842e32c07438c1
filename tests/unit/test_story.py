"""The opening message's story fills the form: what it says plainly is kept, what it
denies or leaves unclear is asked."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.filing import ActionPrepareReport
from bot.actions.report_form import CHANNEL_OPTIONS
from bot.rules.arabic import counted
from bot.rules.catalogue import load_catalogue
from bot.rules.eligibility import Trigger
from bot.rules.story import (
    beneficiary_name,
    filed_on,
    prior_reference,
    promised_days,
    read_story,
    request_channel,
    stated_suggestion,
    story_trigger,
)

CATALOGUE = load_catalogue()


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("قدمت شكوى وقالوا بيردون خلال ٥ ايام عمل وللحين ما ردوا", Trigger.SLA_PASSED),
        ("المدة المحددة للرد 7 أيام وتجاوزوها", Trigger.SLA_PASSED),
        ("وعدوني يردون خلال اسبوعين ومحد رد", Trigger.SLA_PASSED),
        ("قفلوا شكواي بدون ما يحلون المشكلة", Trigger.CLOSED_UNSATISFIED),
        ("رقم الشكوى ٤٤٧١٢٣ وقفلوها وانا ما استفدت", Trigger.CLOSED_UNSATISFIED),
        ("عندي رقم شكوى بس ما حددوا لي مدة للرد", Trigger.NO_SLA),
        ("ما قدرت اقدم الشكوى عندهم لان الموقع معطل", Trigger.TECHNICAL_FAILURE),
        ("I couldn't submit the complaint, the site gives an error", Trigger.TECHNICAL_FAILURE),
    ],
)
def test_a_trigger_stated_plainly_is_read(text, trigger):
    assert story_trigger(text) is trigger


@pytest.mark.parametrize(
    "text",
    [
        "ما قفلوها بس ما ردوا علي",  # denied
        "مو مقفلة",
        "قالوا لي من 3 اسابيع بنرد وما ردوا",  # elapsed time, not a promise
        "قفلوها وقالوا خلال 5 ايام يردون",  # two triggers: the form asks
        "ابي اشتكي على ابشر",  # nothing said
        "الموقع معطل",  # a failure, but not that it prevented filing
    ],
)
def test_a_denied_unclear_or_missing_trigger_is_left_to_the_form(text):
    assert story_trigger(text) is None


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("قالوا خلال ٥ ايام عمل", 5),
        ("مدتها ۱۰ أيام", 10),
        ("وعدوني يردون خلال يومين", 2),
        ("خلال اسبوع", 5),
        ("خلال اسبوعين", 10),
        ("قالوا خلال ثلاثة ايام", 3),
        ("صار لي 20 يوم انتظر", None),
        ("قبل 10 ايام قدمت", None),
    ],
)
def test_promised_days(text, days):
    assert promised_days(text) == days


def test_a_story_gives_names_under_the_catalogues_spelling_and_the_reference():
    facts = read_story(
        "السلام عليكم قدمت على تجديد الجواز في منصه ابشر، رقم الشكوى INC-2026-7781، "
        "وقالوا بيردون خلال ٥ ايام وما ردوا. ابي اصعد",
        CATALOGUE,
    )
    assert facts.slots() == {
        "entity": "وزارة الداخلية",
        "platform": "أبشر",
        "service": "تجديد جواز السفر",
        "complaint_trigger": "sla_passed",
        "sla_days": "5",
        "prior_complaint_number": "INC-2026-7781",
    }


def test_no_reference_is_kept_for_the_system_down_route():
    facts = read_story("ما قدرت اقدم الشكوى رقم الشكوى 12345 الموقع معطل", CATALOGUE)
    assert facts.trigger is Trigger.TECHNICAL_FAILURE
    assert facts.prior_complaint_number is None


def test_counts_agree_with_their_noun():
    forms = ("يوم عمل واحد", "يوما عمل", "أيام عمل", "يوم عمل")
    assert [counted(n, *forms) for n in (1, 2, 5, 10, 11, 15)] == [
        "يوم عمل واحد",
        "يوما عمل",
        "5 أيام عمل",
        "10 أيام عمل",
        "11 يوم عمل",
        "15 يوم عمل",
    ]


def _opening(text: str, intent: str, entities: list[dict] | None = None) -> Tracker:
    message = {"intent": {"name": intent}, "text": text, "entities": entities or []}
    return Tracker("citizen", {}, message, [], False, None, {}, "action_listen")


def _prepare(tracker: Tracker) -> tuple[list, list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionPrepareReport().run(dispatcher, tracker, {}))
    return events, dispatcher.messages


def test_the_complaint_form_starts_with_the_story_and_shows_what_it_understood():
    events, messages = _prepare(
        _opening("قفلوا شكواي على صحتي بدون حل ورقم الشكوى 77812 ابي اصعدها", "file_complaint")
    )
    assert SlotSet("platform", "صحتي") in events
    assert SlotSet("entity", "وزارة الصحة") in events
    assert SlotSet("complaint_trigger", "closed_unsatisfied") in events
    assert SlotSet("prior_complaint_number", "77812") in events
    [shown] = [m for m in messages if m.get("response") == "utter_story_understood"]
    assert "• سبب التصعيد: أُغلقت دون حل مُرضٍ" in shown["facts"]
    assert "• المنصة: صحتي" in shown["facts"]


def test_names_the_nlu_extracted_are_stored_under_the_catalogues_spelling():
    entities = [{"entity": "platform_name", "value": "منصه قوي"}]
    events, _ = _prepare(_opening("ابي اقترح تطوير على منصه قوي", "suggest_improvement", entities))
    assert SlotSet("platform", "قوى") in events


def test_a_suggestion_takes_only_names_from_the_story():
    events, _ = _prepare(
        _opening("قفلوا شكواي، ابي اقترح تحسين لتطبيق صحتي خلال 5 ايام", "suggest_improvement")
    )
    slots = {e["name"] for e in events if e.get("event") == "slot" and e.get("value")}
    assert "complaint_trigger" not in slots and "sla_days" not in slots
    assert SlotSet("platform", "صحتي") in events


def test_a_request_that_says_nothing_shows_nothing():
    events, messages = _prepare(_opening("ابي اقدم شكوى", "file_complaint"))
    assert not [m for m in messages if m.get("response") == "utter_story_understood"]
    assert not [e for e in events if e.get("event") == "slot" and e.get("value")]


# ---------------------------------------------------------------- facts the story fills

TODAY = dt.date(2026, 6, 10)


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("ما قدرت اجدد اقامتي في مقيم", "تجديد إقامة العاملين"),  # verb, pronoun, platform
        ("عايز اجدد البطاقه الشخصيه ومش عارف", "تجديد الهوية الوطنية"),
        ("جددت رخصتي وما زبط", "تجديد رخصة القيادة"),
        ("سجلت مولودي بابشر وعلق الطلب", "تسجيل المواليد"),  # clitic on the platform
        ("تجديد جواز سفر من ابشر", "تجديد جواز السفر"),  # no «ال»
        ("ما قدرت اوثق عقد الايجار", "توثيق عقد الإيجار"),
        ("قدمت على نقل كفالة في قوى", "نقل خدمات عامل"),
        # «بلدي» is the platform's word: «رخصة بلدية» is not named by it
        ("ما ردوا على شكوتي على رخصة الحفر في بلدي", "إصدار رخصة حفر"),
    ],
)
def test_a_service_named_loosely_is_found(text, service):
    found = CATALOGUE.mentioned(text)[2]
    assert found is not None and found.name == service


@pytest.mark.parametrize(
    "text",
    [
        "ما قدرت اجدد اقامتي",  # two residence services: ask
        "مشكلة في نقل ملكية",  # a car or a property
        "عملت تجديد وما زبط",  # «عملت» is no «العمل»
        "مشكلة في اشتراكي في التامينات",  # only the entity's word and one more
    ],
)
def test_a_weak_or_ambiguous_service_is_not_kept(text):
    assert CATALOGUE.mentioned(text)[2] is None


def test_a_word_of_a_service_name_is_no_platform():
    entity, platform, service = CATALOGUE.mentioned("ابي انقل ملكية السيارة")
    assert service is None or service.name == "نقل ملكية مركبة"
    assert platform is None or platform.name == "أبشر"


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("سدوا البلاغ مالتي بدون ما يحلون شي", Trigger.CLOSED_UNSATISFIED),  # Iraqi
        ("سكروا الشكوى وما انحلت", Trigger.CLOSED_UNSATISFIED),  # Levantine
        ("they closed the ticket, nothing fixed", Trigger.CLOSED_UNSATISFIED),
        ("2aflo el shakwa bdon 7al", Trigger.CLOSED_UNSATISFIED),
        ("حكولي رح يردوا خلال اسبوع وما حدا رد", Trigger.SLA_PASSED),
        ("2alouli 5ilal 3 ayam w ma raddo", Trigger.SLA_PASSED),
        ("قدمت شكوى من اسبوعين ومقالوليش امتى هيردوا", Trigger.NO_SLA),  # Egyptian
        ("ما قالولي متى يردون", Trigger.NO_SLA),
        ("they didn't tell me when they would answer", Trigger.NO_SLA),
        ("مقدرتش اقدم الشكوى الموقع بايظ", Trigger.TECHNICAL_FAILURE),
        ("ما كدرت اقدم شكوى لان النظام عطلان", Trigger.TECHNICAL_FAILURE),
        ("ma 2dert a2dem shakwa 3ashan el site m3atal", Trigger.TECHNICAL_FAILURE),
        # non-native Arabic: «they say 5 days answer, but no answer»
        ("هم قول ٥ يوم جواب، لكن ما في جواب", Trigger.SLA_PASSED),
        ("they told me 5 days and nothing came", Trigger.SLA_PASSED),
        # a negation ends with its clause: the complaint was closed
        ("اترفض لأن الكفيل مش موافق. قفلوا الشكوى وقالولي ده نظامهم", Trigger.CLOSED_UNSATISFIED),
    ],
)
def test_a_trigger_said_in_dialect_or_arabizi_is_read(text, trigger):
    assert story_trigger(text) is trigger


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("عطوني رقم ١١٨٨٠٤ وقالوا انتظر", "118804"),
        ("ادوني رقم 55213 ومحدش رد", "55213"),
        ("رقم البلاغ عندهم INC-2026-7781 تقريبا", "INC-2026-7781"),
        ("ref no. 4471-2026 closed without solution", "4471-2026"),
        ("الشكوى رقمها ۷۷۸۱۲ وما ردوا", "77812"),
        ("شكوى نمبر 3349081. انا سوي كله في تطبيق", "3349081"),  # non-native «number»
        ("2adamt complaint 3al app mn 10 days", None),  # Arabizi digits are letters
        ("رقم الشكوى ما اذكره وجوالي 0551234567", None),  # a mobile is no reference
    ],
)
def test_the_entitys_complaint_number_after_its_cue(text, reference):
    assert prior_reference(text) == reference


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("قدمت الشكوى قبل اسبوعين وما ردوا", "2026-05-27"),
        ("من ٣ اسابيع اشتكيت عليهم", "2026-05-20"),
        ("قدمت الشكوى بتاريخ 1/5/2026 ورقمها 99812", "2026-05-01"),
        ("قدمت شكوى وقالوا خلال ٣ ايام وصار لي اسبوعين", "2026-05-27"),
        ("قدمت شكوى ولحد الحين ما ردوا", None),  # «الحين» is no date of filing
        ("انا سوي شكوى في بلدية قبل ٣ اسبوع، هم قول ٥ يوم", "2026-05-20"),  # non-native
    ],
)
def test_the_date_of_the_complaint(text, day):
    assert filed_on(text, TODAY) == day


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("قدمت من الموقع وما ردوا", "website"),
        ("طلبتها عبر التطبيق", "app"),
        ("اتصلت على الرقم الموحد", "call_center"),
        ("كلمتهم بالتلفون وقالوا انتظر", "call_center"),
        ("رحت الفرع وقالوا ما نقدر", "paper"),
        ("I applied through the app", "app"),
        ("ما رحت الفرع قدمت من الموقع", "website"),  # the denied one is not kept
        ("قدمت من التطبيق وبعدين رحت الفرع", None),  # two: the form asks
        ("الموقع معطل", None),  # named, not said to be the channel
    ],
)
def test_the_request_channel_said_plainly(text, channel):
    assert request_channel(text) == channel
    assert channel is None or channel in CHANNEL_OPTIONS


def test_personal_data_in_the_opening():
    facts = read_story(
        "السلام عليكم اسمي عبدالله الشهري وهويتي ١٠٤٥١٢٣٤٥٠ وجوالي ٠٥٥ ١٢٣ ٤٥٦٧، ابي اشتكي",
        CATALOGUE,
        TODAY,
    )
    assert facts.beneficiary_name == "عبدالله الشهري"
    assert facts.national_id == "1045123450"
    assert facts.mobile == "+966551234567"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("my name is Sara Ahmed, iqama 2012345670", "Sara Ahmed"),
        ("انا اسمي محمد بن علي القحطاني ورقم جوالي 0551234567", "محمد بن علي القحطاني"),
        ("اسمي محمد", None),  # a first name alone is not the name the form asks
    ],
)
def test_the_name_after_its_cue(text, name):
    assert beneficiary_name(text) == name


def test_a_digitisation_story_gives_the_process_and_the_reason():
    facts = read_story(
        "ابي طلب تحول لخدمة تصديق الشهادات القديمة، حاليا لازم اروح ادارة التعليم واسلم "
        "الاوراق باليد وانتظر اسبوع. ابيها تصير الكترونية عشان توفر علينا المشاوير والوقت",
        CATALOGUE,
        TODAY,
    )
    assert facts.current_process == "حاليا لازم اروح ادارة التعليم واسلم الاوراق باليد وانتظر اسبوع"
    assert facts.digitization_reason == "عشان توفر علينا المشاوير والوقت"
    assert read_story("ابي طلب تحول لخدمة ورقية لازم اروح", CATALOGUE).current_process is None


def test_a_suggestion_stated_in_the_opening_is_kept_and_a_bare_request_is_not():
    assert stated_suggestion(
        "اقترح تحسين في توكلنا، ياريت يضيفون خاصية حفظ الوثائق بدون انترنت"
    ) == ("ياريت يضيفون خاصية حفظ الوثائق بدون انترنت")
    assert stated_suggestion("ابي اقترح تطوير على منصة قوى لو سمحت يا اخوي") is None


def test_the_whole_story_fills_the_form_and_is_shown_back():
    events, messages = _prepare(
        _opening(
            "اسمي فهد العتيبي وجوالي 0551234567، ما قدرت اجدد اقامة العامل في مقيم، قدمت "
            "الشكوى من التطبيق وعطوني رقم ١١٨٨٠٤ وقالوا خلال ٥ ايام وما ردوا",
            "file_complaint",
        )
    )
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot" and e["value"]}
    assert slots == {
        "beneficiary_name": "فهد العتيبي",
        "mobile": "+966551234567",
        "entity": "وزارة الداخلية",
        "platform": "مقيم",
        "service": "تجديد إقامة العاملين",
        "request_channel": "app",
        "complaint_trigger": "sla_passed",
        "sla_days": "5",
        "prior_complaint_number": "118804",
    }
    [shown] = [m for m in messages if m.get("response") == "utter_story_understood"]
    assert "• الجوال: \u2066+**********67\u2069" in shown["facts"]
    assert "• قناة الطلب: التطبيق" in shown["facts"]


def test_a_digitisation_request_keeps_its_own_fields_only():
    events, messages = _prepare(
        _opening(
            "قفلوا شكواي، ابي طلب تحول لخدمة تسليم المخططات الورقية، لازم نروح البلدية "
            "ونسلم المخططات الورقية باليد كل مرة",
            "request_digitization",
        )
    )
    slots = {e["name"] for e in events if e.get("event") == "slot" and e.get("value")}
    assert "current_process" in slots and "complaint_trigger" not in slots
    [shown] = [m for m in messages if m.get("response") == "utter_story_understood"]
    assert "• كيف تتم اليوم: لازم نروح البلدية" in shown["facts"]


def test_a_channel_that_refuses_is_never_taken_from_the_story():
    """«رحت الفرع» may be a visit after filing online: "paper" would refuse the complaint,
    so the form asks the channel with its buttons instead of guessing it."""
    events, _ = _prepare(
        _opening("رحت الفرع حق الجوازات وقالوا راجع المنصة، ابي اصعد شكوى", "file_complaint")
    )
    assert not [e for e in events if e.get("name") == "request_channel"]
    events, _ = _prepare(_opening("قدمت من التطبيق وما ردوا، ابي اصعد شكوى", "file_complaint"))
    assert SlotSet("request_channel", "app") in events


def test_how_many_days_asked_is_no_promise():
    facts = read_story("رفعت شكوى وادوني رقم 118804 وما قالوا كم يوم بيردوا", CATALOGUE, TODAY)
    assert facts.slots().get("complaint_trigger") == "no_sla"
    assert "sla_days" not in facts.slots()


def test_the_story_names_win_over_a_common_word_the_nlu_took_for_a_platform():
    """«انا مقيم» (a resident) is not the platform «مقيم» when the story names «ايجار»."""
    entities = [{"entity": "platform_name", "value": "مقيم"}]
    text = "انا مقيم في الرياض وعندي مشكلة مع منصة ايجار، العقد ما اتوثق، ابي اصعد شكوى"
    events, _ = _prepare(_opening(text, "file_complaint", entities))
    assert SlotSet("platform", "إيجار") in events


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("سكروا شكواي وقالوا انحلت، والمشكلة التقنية لسه موجودة", "technical"),
        ("قفلوا البلاغ بس زر الدفع يطلع خطأ تقني", "technical"),
        ("قفلوا الشكوى ورفضوا طلبي لان الشروط ما تنطبق", None),  # never "procedures"
        ("الموقع يطلع خطأ تقني وما ردوا علي", None),  # not a closed complaint
    ],
)
def test_a_closed_complaints_technical_problem(text, topic):
    assert read_story(text, CATALOGUE, TODAY).slots().get("closed_topic") == topic


@pytest.mark.parametrize(
    ("text", "platform"),
    [
        ("انا سوداني مقيم في الرياض وشكوتي على الجوازات ما انحلت", None),  # a resident
        ("رجعت بلدي وما قدرت اجدد", None),  # my country
        ("عندي مشكلة في مقيم ما يفتح", "مقيم"),
        ("جددت الاقامة بمقيم وعلق", "مقيم"),
        ("تطبيق نور ما يفتح", "نور"),
        ("abi ashtki 3ala noor", "نور"),  # another spelling needs no cue
        ("abi ashtki 3ala noor", "نور"),  # another spelling needs no cue
    ],
)
def test_a_platform_named_by_an_everyday_word_needs_a_cue(text, platform):
    found = CATALOGUE.mentioned(text)[1]
    assert (found.name if found else None) == platform


def test_the_name_after_ana_only_when_an_identifier_follows():
    told = read_story("انا سعد بن فهد المطيري هويتي 1513296804 ابي اصعد شكوى", CATALOGUE, TODAY)
    assert told.slots()["beneficiary_name"] == "سعد بن فهد المطيري"
    told = read_story("انا مواطن سعودي وعندي شكوى على ابشر", CATALOGUE, TODAY)
    assert "beneficiary_name" not in told.slots()


def test_the_nlu_platform_that_is_an_everyday_word_is_not_kept_without_a_cue():
    entities = [{"entity": "platform_name", "value": "مقيم"}]
    text = "انا مقيم وشكوتي على الجوازات ما انحلت، ابي اصعد شكوى"
    events, _ = _prepare(_opening(text, "file_complaint", entities))
    assert not [e for e in events if e.get("name") == "platform"]


def test_a_form_started_by_a_yes_to_an_offer_keeps_the_story_that_got_the_offer():
    """«سدوا الشكوى… نقل ملكية السيارة بأبشر… شسوي؟» gets a FAQ answer offering to start;
    «اي صعدها» presses the button: the form starts with the story's facts."""
    story = "سدوا الشكوى مالتي ومشكلتي ما انحلت، نقل ملكية السيارة بأبشر بعده واكف. شسوي هسه؟"
    events = [
        {"event": "user", "text": story, "parse_data": {"intent": {"name": "faq"}}},
        {"event": "bot", "text": "نعم… ويمكنك تقديمها هنا الآن."},
        {"event": "user", "text": "اي صعدها", "parse_data": {"intent": {"name": "affirm"}}},
        {
            "event": "user",
            "text": "/file_complaint",
            "parse_data": {"intent": {"name": "file_complaint"}},
        },
    ]
    message = {"intent": {"name": "file_complaint"}, "text": "/file_complaint", "entities": []}
    tracker = Tracker("citizen", {}, message, events, False, None, {}, "action_listen")
    events_out, _ = _prepare(tracker)
    assert SlotSet("platform", "أبشر") in events_out
    assert SlotSet("complaint_trigger", "closed_unsatisfied") in events_out


def test_a_form_answer_of_an_earlier_report_is_no_story():
    events = [
        {"event": "user", "text": "1000000008", "parse_data": {"intent": {"name": "inform"}}},
        {
            "event": "user",
            "text": "/file_complaint",
            "parse_data": {"intent": {"name": "file_complaint"}},
        },
    ]
    message = {"intent": {"name": "file_complaint"}, "text": "/file_complaint", "entities": []}
    tracker = Tracker("citizen", {}, message, events, False, None, {}, "action_listen")
    events_out, _ = _prepare(tracker)
    assert not [e for e in events_out if e.get("name") == "national_id"]
