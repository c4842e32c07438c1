"""A stated request to file wins over the topic of the story around it.

A citizen who tells what happened and ends with «ابي اصعد عليهم الحين» has asked to escalate;
the words of the story (the entity did not answer, the service is on paper) are those of a
FAQ question, and the classifier may answer the question instead of starting the form. When
a clause says «I want» followed closely by filing a complaint, a suggestion or a digitisation
request (or «I have» a complaint or a suggestion), and the message asks nothing (no question
mark, no question word in that clause), the request is the intent. Only the readings that
leave the citizen without a form are overridden (a FAQ answer, out of scope, a form answer,
venting); a request for a person, a cancellation or a status question stays as classified.
Placed after the intent classifier.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rules.arabic import normalise
from bot.rules.replies import is_question
from bot.server.nlu.dialect import canonical_tokens

# The concept a request names -> the intent that files it (dialect.py's concepts).
REQUESTED = {
    "complaint_": "file_complaint",
    "suggest_": "suggest_improvement",
    "improve_": "suggest_improvement",
    "online_": "request_digitization",
}
# Readings that would leave a stated request without its form.
OVERRIDABLE = frozenset({"faq", "out_of_scope", "inform", "vent", "nlu_fallback"})
# «عندي اقتراح»، «لدي شكوى»: a request stated by having it (the very next word).
HAVE = frozenset({"عندي", "لدي", "عندنا", "لدينا", "معي", "3indi", "3ndi", "andi"})
# «عندي فكرة» may be any idea (a business, a project): not a stated suggestion.
IDEAS = frozenset({"فكره", "فكرة", "idea", "fikra", "fekra"})
# «ما ابي اشتكي» is not a request.
NEGATIONS = frozenset({"ما", "not_", "no_", "dont_want_", "لم", "لن", "مب"})
CLAUSES = re.compile(r"[.,،!؟?\n;:]+")
# How far after «I want» the request may come («ابي ارفع لكم شكوى»).
REACH = 3


def stated_request(text: str) -> str | None:
    """The intent of a request stated in `text` («ابغى اصعد شكوى»), or None.

    A message with a question mark asks; otherwise it is read clause by clause: a story's
    «ما قالوا متى يردون» is not a question, but a clause with a question word («ابي اعرف
    كيف اصعد شكوى») states no request."""
    if "?" in text or "؟" in text:
        return None  # a message that asks is left to the classifier
    for clause in CLAUSES.split(normalise(text).lower()):
        if not clause.strip() or is_question(clause):
            continue
        words = clause.split()
        requested = _requested_in(canonical_tokens(words), words)
        if requested:
            return requested
    return None


def _requested_in(tokens: list[str], words: list[str]) -> str | None:
    for index, token in enumerate(tokens):
        if index and tokens[index - 1] in NEGATIONS:
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token in HAVE and following in REQUESTED and words[index + 1] not in IDEAS:
            return REQUESTED[following]  # «عندي اقتراح لمنصة بلدي: …»
        if token != "want_":
            continue
        for following in tokens[index + 1 : index + 1 + REACH]:
            if following in ("not_", "cancel_", "dont_want_", "status_", "follow_", "how_"):
                break
            if following in REQUESTED:
                return REQUESTED[following]
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ExplicitRequest(GraphComponent):
    """Sets the intent of a message that states a request to file."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ExplicitRequest:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            current = (message.get(INTENT) or {}).get("name")
            if text.startswith("/") or current not in OVERRIDABLE:
                continue
            requested = stated_request(text)
            if requested is None:
                continue
            intent = {"name": requested, "confidence": 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r["name"] != requested]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
        return messages
