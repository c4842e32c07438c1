"""Arabizi (Arabic in Latin letters): one transliterator, catalogue names typed in it
stored under the catalogue's Arabic spelling, and its digit-letters no complaint number."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.filing import ActionPrepareReport
from bot.rules import arabizi
from bot.rules.arabizi import consonant_key, consonant_words, in_arabic_script
from bot.rules.catalogue import load_catalogue
from bot.rules.values import find_reference, lacks_reference
from bot.server.nlu import dialect

CATALOGUE = load_catalogue()


def test_one_transliterator_serves_the_rules_and_the_nlu():
    assert dialect.transliterate is arabizi.transliterate
    assert dialect.is_latin is arabizi.is_latin
    assert arabizi.transliterate("ashtki") == "اشتكي"


def test_latin_words_of_a_text_are_written_in_arabic_script_and_the_rest_kept():
    assert in_arabic_script("abi ashtki 3la absher، رقم 118804") == "ابي اشتكي علي ابشر، رقم 118804"


@pytest.mark.parametrize(
    ("latin", "arabic"),
    [
        ("tajdeed rukhsat el qiyada", "تجديد رخصة القيادة"),
        ("wezaret el 3adl", "وزارة العدل"),
        ("isdar ta2sheerat khurooj w 3awda", "إصدار تأشيرة خروج وعودة"),
    ],
)
def test_arabizi_and_arabic_spellings_meet_on_their_consonants(latin, arabic):
    assert consonant_key(in_arabic_script(latin)) == consonant_key(arabic)


def test_the_consonants_remember_which_words_were_latin():
    assert consonant_words("fas5 الوكالة") == [("فسخ", "فسخ"), ("كل", None)]
    assert consonant_words("wara8iyan") == [("رك", "ورقيا")]  # tanween is no consonant


@pytest.mark.parametrize(
    ("typed", "service"),
    [
        ("tajdeed rukhsat el qiyada", "تجديد رخصة القيادة"),
        ("Tajdeed Jawaz Elsafar", "تجديد جواز السفر"),
        ("fas5 el wakala", "فسخ وكالة"),
        ("tawtheeq 3a8d el 3amal", "توثيق عقد العمل"),
        ("mukhalafat al muroor", "الاستعلام عن المخالفات المرورية"),
        ("khidmat isdar ta2sheerat khurooj w 3awda", "إصدار تأشيرة خروج وعودة"),  # inside
    ],
)
def test_a_service_answered_in_arabizi_is_the_catalogues(typed, service):
    assert CATALOGUE.service(typed).name == service


@pytest.mark.parametrize(("typed", "platform"), [("sehati", "صحتي"), ("madrasaty", "مدرستي")])
def test_a_platform_answered_in_arabizi_is_the_catalogues(typed, platform):
    assert CATALOGUE.platform(typed).name == platform


def test_an_entity_answered_in_arabizi_is_the_catalogues():
    assert CATALOGUE.entity("wazarat al3adl").name == "وزارة العدل"


@pytest.mark.parametrize(
    "typed",
    [
        "najez",  # ناجز and إنجاز have the same consonants: never a guess
        "I need help with my passport renewal please",
        "kaif ajaded el jawaz",  # «تجديد» and «جواز» in another order: no name
        "ana",
    ],
)
def test_arabizi_that_names_nothing_for_sure_finds_nothing(typed):
    assert CATALOGUE.service(typed) is None
    assert CATALOGUE.platform(typed) is None
    assert CATALOGUE.entity(typed) is None


def test_a_story_in_arabizi_names_the_service_and_its_entity():
    entity, platform, service = CATALOGUE.mentioned(
        "salam, ma 2dert a5alles tajdeed rukhsat el qiyada, el mawqe3 y3allaq"
    )
    assert service.name == "تجديد رخصة القيادة"
    assert platform.name == "أبشر"
    assert entity.name == "وزارة الداخلية"


def test_arabic_is_not_read_by_its_consonants():
    """A typo in Arabic letters is no Arabizi: «التلاب» is not «الطلاب»."""
    assert CATALOGUE.arabizi("service", "الاستعلام عن نتايج التلاب") is None


def _opening(text: str, intent: str, entities: list[dict] | None = None) -> Tracker:
    message = {"intent": {"name": intent}, "text": text, "entities": entities or []}
    return Tracker("citizen", {}, message, [], False, None, {}, "action_listen")


def _prepare(tracker: Tracker) -> list:
    return asyncio.run(ActionPrepareReport().run(CollectingDispatcher(), tracker, {}))


def test_an_opening_in_arabizi_fills_the_names_in_the_catalogues_spelling():
    events = _prepare(
        _opening(
            "abi a2tare7 ta7seen 3la khidmat tawtheeq 3a8d el 3amal, ya5od wa8t kteer",
            "suggest_improvement",
        )
    )
    assert SlotSet("service", "توثيق عقد العمل") in events
    assert SlotSet("platform", "قوى") in events


def test_a_latin_name_the_nlu_extracted_is_stored_in_the_catalogues_spelling():
    entities = [{"entity": "service_name", "value": "fas5 el wakala"}]
    events = _prepare(_opening("bghit ashtki 3la fas5 el wakala", "file_complaint", entities))
    assert SlotSet("service", "فسخ وكالة") in events
    assert not [e for e in events if e.get("value") == "fas5 el wakala"]


@pytest.mark.parametrize("text", ["ma 3indi raqam", "ma 3ndi ra8am shakwa", "nseet el raqam"])
def test_no_reference_said_in_arabizi_is_no_reference(text):
    """«3indi», «ra8am»: digits that stand for letters make no complaint number."""
    assert find_reference(text).value is None
    assert lacks_reference(text)


@pytest.mark.parametrize(
    ("text", "reference"),
    [("ra8am el shakwa 55102", "55102"), ("raqam 77810", "77810"), ("A7B 12345", "A7B 12345")],
)
def test_a_reference_among_arabizi_words_is_the_number_alone(text, reference):
    assert find_reference(text).value == reference
