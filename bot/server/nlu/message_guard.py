"""Intent for messages the statistical classifier cannot judge: empty or attachment-only,
or a plain yes wrapped in words that carry no request.

A user who sends only a screenshot is answering the form (`inform`); an empty message
means nothing was understood (`nlu_fallback`, answered with a clear Arabic re-ask). «yes
yalla», «ايوه يلا بسرعة», «اكيد تفضل» are a yes (`affirm`: the offer just made is
accepted), whatever the classifier made of «yalla» (a goodbye in «yalla bye»): a yes word
first, then only fillers; any other word («نعم ابي الغي») leaves the classifier's reading.
Placed after the intent classifier and before `FallbackClassifier`.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rules.arabic import normalise

# Strong yes words only: «تمام»، «ok» are as often an acknowledgement (of a notice).
YES_FIRST = frozenset(
    {
        *("نعم", "ايوه", "ايوا", "اي", "اكيد", "طبعا", "يب", "يس"),
        *("yes", "yeah", "yep", "yup", "sure", "aywa", "aiwa", "na3am", "akeed", "akid"),
    }
)
FILLERS = frozenset(
    {
        *("يلا", "يالله", "ياللا", "يله", "بسرعه", "تفضل", "تفضلي", "خلاص", "طيب", "الحين"),
        *("لو", "سمحت", "سمحتي", "تكفي", "بالله", "ابي", "ابغي", "ابغا", "وربي", "والله"),
        *("yalla", "yallah", "please", "pls", "plz", "go", "ahead", "sure", "now", "ok"),
        *("👍", "✅", "🙏", "!", "."),
    }
)
# Readings a plain yes overrides: those that would leave the offer unanswered (a form's
# `inform` is left alone: the form reads yes and no in the words itself).
OVERRIDABLE = frozenset({"goodbye", "thank", "greet", "out_of_scope", "nlu_fallback"})


def plain_yes(text: str) -> bool:
    """A yes word first and nothing but fillers after it («yes yalla», «اكيد تفضل»)."""
    words = normalise(text).lower().replace("!", " ").replace(".", " ").replace("،", " ").split()
    return bool(words) and words[0] in YES_FIRST and all(w in FILLERS for w in words[1:])


def _set_intent(message: Message, name: str) -> None:
    intent = {"name": name, "confidence": 1.0}
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class MessageGuard(GraphComponent):
    """Overrides the intent of empty and attachment-only messages."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageGuard:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue
            metadata = message.get("metadata") or {}
            if isinstance(metadata, dict) and metadata.get("attachments"):
                _set_intent(message, "inform")
            elif not text.strip():
                _set_intent(message, "nlu_fallback")
            elif (message.get(INTENT) or {}).get("name") in OVERRIDABLE and plain_yes(text):
                _set_intent(message, "affirm")
        return messages
