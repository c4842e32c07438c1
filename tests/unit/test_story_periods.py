"""A story that says the promised period passed, or that the complaint was closed, in the
forms the dialects and non-native speakers use: the trigger is kept (and never when the
story denies it)."""

from __future__ import annotations

import pytest

from bot.rules.eligibility import Trigger
from bot.rules.story import story_trigger


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("رفعت شكوى على منصة مدد وفاتت المهلة ومحد رد علي، ابي اصعدها", Trigger.SLA_PASSED),
        ("المدة خلصت من زمان وللحين ساكتين", Trigger.SLA_PASSED),
        ("تجاوزوا المهلة وما ردوا، وش الحل؟", Trigger.SLA_PASSED),
        ("انا سوي شكوى، مهلت تمام، جواب ما في", Trigger.SLA_PASSED),  # non-native
        ("هو قال يرد خلال ثلاثة يوم، الحين اسبوعين ما في رد", Trigger.SLA_PASSED),
        ("البلاغ اتقفل من غير ما حد يكلمني", Trigger.CLOSED_UNSATISFIED),  # Egyptian passive
        ("الشكوى مقفولة وما حلوا شي", Trigger.CLOSED_UNSATISFIED),
    ],
)
def test_the_trigger_said_in_the_dialects(text, trigger):
    assert story_trigger(text) is trigger


@pytest.mark.parametrize(
    "text",
    [
        "المهلة ما خلصت بس ابي اصعد",  # denied
        "ما فاتت المدة لسه",
        "الوقت تمام عندي، متى تتصلون؟",  # «الوقت تمام»: the time suits
        "اتقفلت الشكوى وفاتت المهلة",  # two triggers: the form asks
    ],
)
def test_a_denied_or_double_period_leaves_the_trigger_to_the_form(text):
    assert story_trigger(text) is None
