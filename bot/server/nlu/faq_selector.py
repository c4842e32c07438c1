"""The FAQ answer for a question: Rasa's `ResponseSelector` output, without TensorFlow.

Rasa's `ResponseSelector` is a TensorFlow model run on every message: about half of the
server's CPU per message (its threads included), and TensorFlow's memory. The FAQ topics
are short questions that the intent classifier's own sparse features (word and character
n-grams) separate well, so the topic is chosen by a logistic regression over those
features instead.
The message gets the same `response_selector` property as from Rasa's component, so
the `utter_faq` retrieval action, rules and tests work unchanged.
"""

from __future__ import annotations

import json
import warnings
import zlib
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

from bot.server.nlu.augmenter import VARIANT
from bot.server.nlu.features import column_major, sentence_matrix, with_text

# Rasa's recipe validator warns when FAQ data is trained without *its* ResponseSelector
# class; here this component consumes that data.
warnings.filterwarnings(
    "ignore", message="You have defined training data with examples for training a response"
)

MODEL_FILE = "faq_selector.skops"
META_FILE = "faq_selector.json"


def template_key(intent_response_key: str) -> str:
    """`faq/deadline` -> `utter_faq/deadline`, the response of that topic."""
    return f"utter_{intent_response_key}"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqSelector(GraphComponent):
    """Config: `retrieval_intent` (required), `C`, `max_iter`, `solver`, `feature_scaling`
    (`bot.server.nlu.features.SCALINGS`), `ranking_length`."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "retrieval_intent": None,
            "C": 10.0,
            "max_iter": 500,
            "solver": "lbfgs",
            "feature_scaling": "counts",
            "ranking_length": 10,
            "random_state": 42,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classifier: LogisticRegression | None = None,
        responses: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        if not self.config["retrieval_intent"]:
            raise ValueError("FaqSelector needs `retrieval_intent` (e.g. faq)")
        self.retrieval_intent: str = self.config["retrieval_intent"]
        self.classifier = classifier
        self.responses = responses or {}
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FaqSelector:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            example
            for example in training_data.intent_examples
            if example.get(INTENT) == self.retrieval_intent
            and example.get(INTENT_RESPONSE_KEY)
            and example.get(TEXT)
            and not example.get(VARIANT)  # DialectAugmenter's variants (docs/nlu.md)
        ]
        topics = [example.get(INTENT_RESPONSE_KEY) for example in examples]
        if len(set(topics)) < 2:
            raise ValueError(
                f"FaqSelector needs examples of at least two `{self.retrieval_intent}/...` "
                "topics"
            )
        self.classifier = LogisticRegression(
            C=float(self.config["C"]),
            max_iter=int(self.config["max_iter"]),
            class_weight="balanced",
            solver=self.config["solver"],
            random_state=self.config["random_state"],
        )
        self.classifier.fit(self._matrix(examples), topics)
        self.responses = {
            key: value
            for key, value in training_data.responses.items()
            if key.startswith(template_key(f"{self.retrieval_intent}/"))
        }
        missing = sorted({t for t in topics if template_key(t) not in self.responses})
        if missing:
            raise ValueError(f"no response in the domain for FAQ topics: {', '.join(missing)}")
        self.persist()
        return self._resource

    def _matrix(self, messages: list[Message]) -> Any:
        return sentence_matrix(messages, self.config["feature_scaling"])

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self.classifier, directory / MODEL_FILE)
            (directory / META_FILE).write_text(
                json.dumps({"responses": self.responses}, ensure_ascii=False), encoding="utf-8"
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FaqSelector:
        import skops.io as sio

        with model_storage.read_from(resource) as directory:
            path = directory / MODEL_FILE
            untrusted = sio.get_untrusted_types(file=path)
            if untrusted:  # a LogisticRegression holds numpy arrays only
                raise ValueError(f"unexpected types in {path}: {untrusted}")
            classifier = sio.load(path, trusted=[])
            meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, classifier, meta["responses"])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the most likely FAQ topic and its answers to each message with text."""
        judged = with_text(messages)
        if not judged or self.classifier is None:
            return messages
        probabilities = column_major(self.classifier).predict_proba(self._matrix(judged))
        topics = self.classifier.classes_
        for message, row in zip(judged, probabilities, strict=True):
            order = np.argsort(-row)[: max(1, int(self.config["ranking_length"]))]
            best = str(topics[order[0]])
            prediction = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: self.responses.get(template_key(best), []),
                    PREDICTED_CONFIDENCE_KEY: float(row[order[0]]),
                    INTENT_RESPONSE_KEY: best,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: template_key(best),
                },
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {
                        "id": zlib.crc32(str(topics[i]).encode()),
                        PREDICTED_CONFIDENCE_KEY: float(row[i]),
                        INTENT_RESPONSE_KEY: str(topics[i]),
                    }
                    for i in order
                ],
            }
            properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {})
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = [self.retrieval_intent]
            properties[self.retrieval_intent] = prediction
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        return messages
