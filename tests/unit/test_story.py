"""The opening message's story fills the form: what it says plainly is kept, what it
denies or leaves unclear is asked."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.filing import ActionPrepareReport
from bot.rules.arabic import counted
from bot.rules.catalogue import load_catalogue
from bot.rules.eligibility import Trigger
from bot.rules.story import promised_days, read_story, story_trigger

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
