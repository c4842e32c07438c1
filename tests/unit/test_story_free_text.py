"""An opening message that states the suggestion or describes today's paper process fills
`suggestion` / `current_process`: shown back, in the summary, not asked again."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.filing import ActionPrepareReport
from bot.rules.story import current_process, stated_suggestion


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        (
            "عندي اقتراح لتطبيق صحتي: ودي لو يصير فيه تذكير بمواعيد التطعيمات للأطفال",
            "ودي لو يصير فيه تذكير بمواعيد التطعيمات للأطفال",
        ),
        (
            "السلام عليكم، نفسي بلدي يبقى فيه تجديد تلقائي للرخصة من غير ما ادخل كل سنة",
            "نفسي بلدي يبقى فيه تجديد تلقائي للرخصة من غير ما ادخل كل سنة",
        ),
        (
            "ليش ما يضيفون في أبشر خيار دفع المخالفات بالتقسيط؟",
            "ليش ما يضيفون في أبشر خيار دفع المخالفات بالتقسيط",
        ),
        (
            "أقترح إضافة إشعار قبل انتهاء صلاحية رخصة العمل بشهر في منصة قوى",
            "أقترح إضافة إشعار قبل انتهاء صلاحية رخصة العمل بشهر في منصة قوى",
        ),
        (
            "ممكن تضيفون خاصية الدخول بالبصمة في ناجز بدل رمز التحقق كل مرة",
            "ممكن تضيفون خاصية الدخول بالبصمة في ناجز بدل رمز التحقق كل مرة",
        ),
        (
            "المفروض منصة مساند تسمح بتغيير العامل بدون ما نراجع المكتب",
            "المفروض منصة مساند تسمح بتغيير العامل بدون ما نراجع المكتب",
        ),
        (
            "ابيهم يخلون تجديد الاستمارة يصير تلقائي بدل ما ادخل كل سنة",
            "ابيهم يخلون تجديد الاستمارة يصير تلقائي بدل ما ادخل كل سنة",
        ),
        (
            "الله يعافيكم، عساهم يمددون مدة الخروج والعودة في ابشر لين ستة شهور",
            "عساهم يمددون مدة الخروج والعودة في ابشر لين ستة شهور",
        ),
        (  # a negated wish keeps its negation
            "ما ابي يضيفون رسوم على خدمة اصدار الوكالة في ناجز",
            "ما ابي يضيفون رسوم على خدمة اصدار الوكالة في ناجز",
        ),
        (
            "I suggest that Tawakkalna adds an option to hide the QR code",
            "suggest that Tawakkalna adds an option to hide the QR code",
        ),
        (
            "abi a2tare7 3la ejar, yareet yzeedoon option el daf3 bel ta2seet",
            "yareet yzeedoon option el daf3 bel ta2seet",
        ),
    ],
)
def test_a_suggestion_stated_in_any_style_is_kept(text, suggestion):
    assert stated_suggestion(text) == suggestion


@pytest.mark.parametrize(
    "text",
    [
        "ابي اقدم اقتراح لتطبيق توكلنا",
        "ابي اقترح تحسين لخدمة تجديد الاقامة في مقيم",
        "عندي فكرة بخصوص منصة قوى ممكن؟",
        "ياريت تساعدوني",  # a wish, no change to a service
    ],
)
def test_a_request_to_suggest_is_not_the_suggestion(text):
    assert stated_suggestion(text) is None


@pytest.mark.parametrize(
    ("text", "process"),
    [
        (
            "يتطلب تصديق الأحكام من المحكمة الحضور شخصياً وتقديم الأصول الورقية في كل مرة",
            "يتطلب تصديق الأحكام من المحكمة الحضور شخصياً وتقديم الأصول الورقية في كل مرة",
        ),
        (
            "حالياً يجب علينا التوجه إلى المحكمة وتسليم أصول المستندات يدوياً ثم الانتظار أسبوعاً",
            "حالياً يجب علينا التوجه إلى المحكمة وتسليم أصول المستندات يدوياً ثم الانتظار أسبوعاً",
        ),
        (  # the going itself tells it; the reason after «عشان» is not the process
            "نروح للبلدية ونطبع المخططات ونختمها وننتظر أسبوعين عشان يعتمدونها",
            "نروح للبلدية ونطبع المخططات ونختمها وننتظر أسبوعين",
        ),
        (
            "كل مرة نضطر نوقف في الطابور بالساعات عشان نسلم ورقة وحدة",
            "كل مرة نضطر نوقف في الطابور بالساعات",
        ),
    ],
)
def test_todays_paper_process_told_in_any_style_is_kept(text, process):
    assert current_process(text) == process


@pytest.mark.parametrize(
    "text",
    [
        "ابي اقدم طلب تحول لخدمة تسليم المخططات الورقية للبلدية",  # names the service only
        "ابي الخدمة تكون الكترونية",
        "ابي طلب تحول لخدمة ورقية لازم اروح",  # too short to describe anything
        "ابي طلب تحول لأن لازم اصلا تكون الخدمة الكترونية بالكامل",  # «اصلا» is no original
        "لازم ادخل بلدي وارفع المخططات كل شهر",  # the platform «بلدي» is no municipality
    ],
)
def test_a_request_that_only_names_the_service_describes_no_process(text):
    assert current_process(text) is None


def _prepare(text: str, intent: str) -> tuple[list, list[dict]]:
    message = {"intent": {"name": intent}, "text": text, "entities": []}
    tracker = Tracker("citizen", {}, message, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionPrepareReport().run(dispatcher, tracker, {}))
    return events, dispatcher.messages


def test_the_suggestion_of_the_opening_fills_the_form_and_is_shown_back():
    events, messages = _prepare(
        "عندي اقتراح لتطبيق صحتي: ودي لو يصير فيه تذكير بمواعيد التطعيمات للأطفال",
        "suggest_improvement",
    )
    assert SlotSet("suggestion", "ودي لو يصير فيه تذكير بمواعيد التطعيمات للأطفال") in events
    [shown] = [m for m in messages if m.get("response") == "utter_story_understood"]
    assert "• المقترح: ودي لو يصير فيه تذكير" in shown["facts"]


def test_the_process_of_the_opening_fills_the_digitisation_form_and_is_shown_back():
    events, messages = _prepare(
        "ابغى طلب تحول لتسليم أصول المستندات للمحكمة، حالياً يجب علينا التوجه إلى المحكمة "
        "وتسليم الأصول يدوياً ثم الانتظار أسبوعاً",
        "request_digitization",
    )
    process = "حالياً يجب علينا التوجه إلى المحكمة وتسليم الأصول يدوياً ثم الانتظار أسبوعاً"
    assert SlotSet("current_process", process) in events
    [shown] = [m for m in messages if m.get("response") == "utter_story_understood"]
    assert f"• كيف تتم اليوم: {process}" in shown["facts"]
