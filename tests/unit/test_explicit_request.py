"""A request to file stated in a story wins over the FAQ topic of the story's words."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.server.nlu.explicit_request import ExplicitRequest, stated_request


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("رفعت عليهم من شهر وما ردوا علي. ابغى اصعدها لكم", "file_complaint"),
        ("بدي ارفع شكوى على منصة قوى لانه النظام معلق", "file_complaint"),
        ("i want to escalate my complaint against the ministry", "file_complaint"),
        ("abi ashtki 3ala absher", "file_complaint"),
        ("حابب اقدم اقتراح لتطوير تطبيق توكلنا", "suggest_improvement"),
        ("عندي اقتراح لتطبيق صحتي: يحفظ المواعيد القديمة", "suggest_improvement"),
        ("نبا نرفع طلب تحول لخدمة التصديق", "request_digitization"),
        ("عندي رقم شكوى وابي اعرف وش صار", None),
        ("عندي فكرة تطبيق ابي احد يدعمها", None),  # any idea is not a suggestion
        ("ابي اصعد شكوى، ينفع بدون رقم؟", None),  # it asks
        ("عايز اطلب تحول الخدمة دي لالكترونية", "request_digitization"),
        # asked, negated, or another request: left to the classifier
        ("كيف اصعد شكوى على جهة ما ردت؟", None),
        ("ابي اعرف هل اقدر اشتكي بدون رقم", None),
        ("ما ابي اشتكي، بس سؤال", None),
        ("ابي الغي شكوتي", None),
        ("ابغى اتابع بلاغي", None),
        ("الجهة ما ردت علي", None),
    ],
)
def test_a_stated_request(text: str, intent: str | None) -> None:
    assert stated_request(text) == intent


def message(text: str, intent: str) -> Message:
    ranking = [{"name": intent, "confidence": 0.6}, {"name": "file_complaint", "confidence": 0.3}]
    return Message(data={TEXT: text, INTENT: ranking[0], INTENT_RANKING_KEY: ranking})


def test_only_readings_that_leave_the_request_without_a_form_are_overridden() -> None:
    component = ExplicitRequest()
    story = "امس رفعت شكوى وما قالوا متى يردون، ابي اصعد عليهم الحين"
    faq, agent, button = (
        message(story, "faq"),
        message("ابي اصعد شكوى مع موظف", "request_agent"),
        message("/file_complaint", "faq"),
    )
    component.process([faq, agent, button])
    assert faq.get(INTENT)["name"] == "file_complaint"
    assert [r["name"] for r in faq.get(INTENT_RANKING_KEY)][:2] == ["file_complaint", "faq"]
    assert agent.get(INTENT)["name"] == "request_agent"
    assert button.get(INTENT)["name"] == "faq"
