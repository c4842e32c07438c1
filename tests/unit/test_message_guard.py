"""`MessageGuard`: a plain yes wrapped in fillers is a yes, whatever the classifier said."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.server.nlu.message_guard import MessageGuard, plain_yes


@pytest.mark.parametrize(
    ("text", "yes"),
    [
        ("yes yalla", True),
        ("ايوه يلا بسرعة", True),
        ("اكيد تفضل", True),
        ("اي والله", True),
        ("نعم ابي الغي", False),  # a request follows the yes: the classifier decides
        ("ok bye", False),
        ("تمام", False),  # as often an acknowledgement
        ("yalla", False),
        ("", False),
    ],
)
def test_a_plain_yes(text: str, yes: bool) -> None:
    assert plain_yes(text) is yes


def guarded(text: str, intent: str) -> str:
    message = Message({TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": 0.6})
    [message] = MessageGuard().process([message])
    return message.get(INTENT)["name"]


def test_a_plain_yes_read_as_a_goodbye_is_a_yes_and_a_request_stays_as_classified() -> None:
    assert guarded("yes yalla", "goodbye") == "affirm"
    assert guarded("نعم ابي الغي", "cancel_report") == "cancel_report"
    assert guarded("yes yalla", "inform") == "inform"  # a form reads its own answers
