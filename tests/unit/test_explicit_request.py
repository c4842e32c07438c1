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
        ("داير اضيف معلومة للشكوى بتاعتي", None),  # an addition to one filed
        ("ابي ارفق صورة للشكوى", None),
        ("ابي اعدل تاريخ الشكوى", None),
        ("ابغى ارفع بلاغ على صحتي، الاجازة المرضية ما تطلع", "file_complaint"),  # against
        ("ابي ارفع بلاغ", None),  # which report: the classifier, or the menu, says
        ("3indi i9tira7 l mansat ejar", "suggest_improvement"),  # Gulf Arabizi 9 for ق
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


def test_a_stated_report_type_wins_over_another_the_classifier_chose() -> None:
    story = "ابي اقترح تطوير على خدمة تصديق الشهادات، لازم تروح لهم بنفسك بالشهادة الورقية"
    stated = message(story, "request_digitization")
    online = message("ابي اقترح تحويل خدمة التصديق لالكترونية", "request_digitization")
    ExplicitRequest().process([stated, online])
    assert stated.get(INTENT)["name"] == "suggest_improvement"
    assert online.get(INTENT)["name"] == "request_digitization"  # the classifier decides


def test_a_stated_request_the_classifier_also_chose_is_no_longer_ambiguous() -> None:
    story = "عندي اقتراح لمنصة بلدي: ياريت النظام يحفظ الورق القديم"
    ranking = [
        {"name": "suggest_improvement", "confidence": 0.5},
        {"name": "faq", "confidence": 0.49},
    ]
    close = Message(data={TEXT: story, INTENT: ranking[0], INTENT_RANKING_KEY: ranking})
    ExplicitRequest().process([close])
    first, second = close.get(INTENT_RANKING_KEY)[:2]
    assert (first["name"], first["confidence"]) == ("suggest_improvement", 1.0)
    assert second == {"name": "faq", "confidence": 0.245}


def test_a_stated_request_wins_over_an_unsure_guess_but_not_over_a_request_for_a_person():
    def unsure(text: str, intent: str) -> Message:
        ranking = [
            {"name": intent, "confidence": 0.34},
            {"name": "file_complaint", "confidence": 0.29},
        ]
        return Message(data={TEXT: text, INTENT: ranking[0], INTENT_RANKING_KEY: ranking})

    update = unsure("ابغى ارفع بلاغ على صحتي، الاجازة المرضية مو طالعة", "update_report")
    person = unsure("ابي اصعد شكوى مع موظف", "request_agent")
    sure = message("ابغى ارفع بلاغ على صحتي، الاجازة المرضية مو طالعة", "update_report")
    ExplicitRequest().process([update, person, sure])
    assert update.get(INTENT)["name"] == "file_complaint"
    assert person.get(INTENT)["name"] == "request_agent"
    assert sure.get(INTENT)["name"] == "update_report"  # 0.6: the classifier's reading stands
