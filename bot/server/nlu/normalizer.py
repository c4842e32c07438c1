"""Rasa graph components that put Arabic text into one spelling before the model sees it.

`ArabicNormalizer` goes first in the pipeline: it rewrites the message text (training
examples too, with their entity annotations and the lookup tables moved to the new
offsets) and remembers where each character came from. `ArabicOffsetRestorer` goes
last: it puts the text the user typed back and maps predicted entity offsets to it, so
`/model/parse` answers about the user's own text.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rules.arabic import NormalisedText, normalise, normalise_with_map

ORIGINAL_TEXT = "balagh_original_text"
ORIGIN_MAP = "balagh_origin_map"


def _is_payload(text: str) -> bool:
    """Button payloads (`/intent{...}`) are parsed by Rasa itself; leave them alone."""
    return text.startswith("/")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class ArabicNormalizer(GraphComponent):
    """Normalise hamza/alef forms, ta marbuta, alef maqsura, diacritics, tatweel,
    Arabic-Indic and Persian digits and invisible bidi marks."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ArabicNormalizer:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalise examples, moving entity annotations, and the lookup tables."""
        for example in training_data.training_examples:
            self._normalise_message(example, keep_original=False)
        for table in training_data.lookup_tables:
            elements = table.get("elements")
            if isinstance(elements, list):
                table["elements"] = sorted({normalise(str(e)) for e in elements} | set(elements))
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Normalise incoming messages, remembering the original text."""
        for message in messages:
            self._normalise_message(message, keep_original=True)
        return messages

    @staticmethod
    def _normalise_message(message: Message, keep_original: bool) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text or _is_payload(text):
            return
        normalised = normalise_with_map(text)
        if normalised.text == text:
            return
        entities = message.get(ENTITIES)
        if entities:
            moved = []
            for entity in entities:
                start, end = normalised.normalised_span(entity["start"], entity["end"])
                moved.append({**entity, "start": start, "end": end})
            message.set(ENTITIES, moved)
        message.set(TEXT, normalised.text)
        if keep_original:
            message.set(ORIGINAL_TEXT, text)
            message.set(ORIGIN_MAP, normalised)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class ArabicOffsetRestorer(GraphComponent):
    """Restore the user's text and map entity offsets back to it (last in the pipeline)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ArabicOffsetRestorer:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            original = message.get(ORIGINAL_TEXT)
            mapping = message.get(ORIGIN_MAP)
            if not isinstance(original, str) or not isinstance(mapping, NormalisedText):
                continue
            restored = []
            for entity in message.get(ENTITIES) or []:
                start, end = mapping.original_span(entity["start"], entity["end"])
                restored.append({**entity, "start": start, "end": end})
            message.set(ENTITIES, restored, add_to_output=True)
            message.set(TEXT, original)
            message.data.pop(ORIGIN_MAP, None)
            message.data.pop(ORIGINAL_TEXT, None)
        return messages
