"""Replies that know the bot and offer the next step as buttons, over REST: venting, "what
do I do?" about a failing system or a silent entity, "are you a bot?", and the FAQ answers
about submitting a report. Each button is pressed and does what it says."""

from __future__ import annotations

import pytest

from tests.helpers.conversations import start

pytestmark = pytest.mark.e2e

FORM_STARTS = "ما اسمك الكامل"
REPORT_TYPES = ["/file_complaint", "/request_digitization", "/suggest_improvement"]


def reply(bot, sender: str, text: str) -> tuple[str, list[str]]:
    """The bot's texts joined, and the payloads of the buttons it offered."""
    messages = bot.send(sender, text)
    texts = "\n".join(m.get("text", "") for m in messages)
    payloads = [b["payload"] for m in messages for b in m.get("buttons") or []]
    return texts, payloads


# -------------------------------------------------------------- venting (item 4)
VENTING = (
    "والله العظيم زهقنا، كل ما ادخل موقع حكومي يعلق، والاتصال ما احد يرد، والفروع زحمة، "
    "وكل جهة تحولك على الثانية، ما ندري لمين نشتكي ولا وين نروح"
)


@pytest.mark.parametrize(
    "button, intro",
    [
        ("/file_complaint", "تصعيد شكواك"),
        ("/request_digitization", "طلب تحويل"),
        ("/suggest_improvement", "اقتراح لتطوير"),
    ],
)
def test_venting_gets_an_acknowledgement_and_the_three_report_types(bot, sender, button, intro):
    text, payloads = reply(bot, sender, VENTING)
    assert "أتفهّم انزعاجك" in text
    assert payloads == REPORT_TYPES
    assert "utter_faq" not in text and "GOV.SA" not in text  # not a FAQ answer
    started = bot.say(sender, button)
    assert intro in started and FORM_STARTS in started


def test_inside_a_form_venting_is_read_as_the_answer(bot, sender):
    start(bot, sender)
    # The form validates it as the name it asked for (too long: asked again); no menu.
    text, payloads = reply(bot, sender, VENTING)
    assert "أتفهّم انزعاجك" not in text and payloads == []
    assert "طويل جداً" in text or "اسمك" in text


# -------------------------------------------------------------- "what do I do?" (item 5)
def test_a_failing_system_gets_the_system_down_route_and_a_complaint_button(bot, sender):
    text, payloads = reply(bot, sender, "موقع الجهة معطل من امس وما قدرت ارفع شكوى عندهم، وش اسوي؟")
    assert "لتعطل النظام" in text and "يجب إرفاق صورة من الإشكالية" in text
    assert "هنا" in text
    assert payloads == ["/file_complaint"]
    assert FORM_STARTS in bot.say(sender, "/file_complaint")


def test_a_silent_entity_gets_escalation_after_the_response_time_and_a_complaint_button(
    bot, sender
):
    text, payloads = reply(bot, sender, "الجهة ما ترد على شكواي ابدا، ايش المفروض اسوي؟")
    assert "اتفاقية مستوى الخدمة" in text and "(5) أيام عمل" in text
    assert payloads == ["/file_complaint"]
    assert FORM_STARTS in bot.say(sender, "/file_complaint")


# -------------------------------------------------------------- "are you a bot?" (item 6)
def test_are_you_a_bot_offers_a_person_here(bot, sender):
    text, payloads = reply(bot, sender, "انت بوت؟")
    assert "المساعد الآلي" in text and "هنا" in text and "موظف" in text
    assert payloads == ["/request_agent"]
    assert "سيتولى أحد موظفي مركز آمر" in bot.say(sender, "/request_agent")


def test_are_you_a_bot_in_a_form_offers_a_person_and_the_form_waits(bot, sender):
    start(bot, sender)
    text, payloads = reply(bot, sender, "انت بوت ولا انسان؟")
    assert "المساعد الآلي" in text and FORM_STARTS in text  # the form asks again
    assert "/request_agent" in payloads
    assert "سيتولى أحد موظفي مركز آمر" in bot.say(sender, "/request_agent")


# -------------------------------------------------------------- how to submit (item 7)
@pytest.mark.parametrize(
    "question, guide_words, button",
    [
        (
            "كيف يمكن تقديم اقتراح تطوير لإحدى الخدمات الحكومية الرقمية؟",
            "لطلب تطوير خدمة رقمية مقدمة من إحدى الجهات الحكومية",
            "/suggest_improvement",
        ),
        (
            "جهة حكومية تقدم خدمة بشكل ورقي، ما آلية رفع طلب تحويل الخدمة إلى خدمة إلكترونية؟",
            "لطلب تحويل خدمة ورقية إلى خدمة إلكترونية",
            "/request_digitization",
        ),
    ],
)
def test_how_to_submit_keeps_the_guides_answer_and_starts_it_here(
    bot, sender, question, guide_words, button
):
    text, payloads = reply(bot, sender, question)
    assert guide_words in text and "هنا" in text
    assert payloads == [button]
    assert FORM_STARTS in bot.say(sender, button)


def test_in_a_form_the_same_answer_has_no_button_and_the_form_asks_again(bot, sender):
    start(bot, sender)
    question = "كيف يمكن تقديم اقتراح تطوير لإحدى الخدمات الحكومية الرقمية؟"
    text, payloads = reply(bot, sender, question)
    assert "لطلب تطوير خدمة رقمية مقدمة من إحدى الجهات الحكومية" in text
    assert payloads == [] and FORM_STARTS in text


# -------------------------------------------------------------- a typed yes presses the offer
def test_a_typed_yes_to_the_system_down_answer_starts_the_complaint(bot, sender):
    text, _ = reply(bot, sender, "التطبيق حق الجهة يطلع خطأ وما قدرت اشتكي عندهم، ايش الحل؟")
    assert "لتعطل النظام" in text and FORM_STARTS not in text
    assert FORM_STARTS in bot.say(sender, "ايه ابغى")


def test_a_typed_yes_to_are_you_a_bot_hands_over(bot, sender):
    reply(bot, sender, "انت بوت؟")
    assert "سيتولى أحد موظفي مركز آمر" in bot.say(sender, "نعم")


def test_a_yes_after_venting_is_a_choice_to_make_not_a_form(bot, sender):
    reply(bot, sender, VENTING)
    text, payloads = reply(bot, sender, "ايه")
    assert FORM_STARTS not in text and "/file_complaint" in payloads
