"""Rasa's logistic-regression intent classifier, with fixes.

- Rasa 3.6 fixes `C=1.0`, which on sparse character n-grams spreads probability over
  many intents, so correct answers fall under the fallback threshold. `C` is a setting.
- `feature_scaling` (`bot.server.nlu.features.SCALINGS`): Rasa's classifier reads raw
  counts, so a long multi-sentence message gets extreme scores from its many n-grams;
  `log_l2` (log counts, unit length per message) weighs every message alike.
- Rasa's classifier crashes on an empty message (its feature matrix is one column
  short); such messages are skipped here and `MessageGuard` gives them an intent.

Its feature matrix is built by `bot.server.nlu.features.sentence_matrix` (same columns, a
fraction of the time).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix

from bot.server.nlu.features import column_major, sentence_matrix, with_text


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TunedLogisticRegressionClassifier(LogisticRegressionClassifier):
    """`LogisticRegressionClassifier` plus a `C` (inverse regularisation) setting."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **LogisticRegressionClassifier.get_default_config(),
            "C": 10.0,
            "feature_scaling": "counts",
        }

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))

    def _create_X(self, messages: list[Message]) -> csr_matrix:  # noqa: N802 - Rasa's name
        return sentence_matrix(messages, self.config["feature_scaling"])

    def process(self, messages: list[Message]) -> list[Message]:
        """Classify the messages that have text; leave empty ones to `MessageGuard`."""
        judged = with_text(messages)
        if judged:
            column_major(self.clf)
            super().process(judged)
        return messages
