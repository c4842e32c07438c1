"""Rasa's `CountVectorsFeaturizer` without the per-token matrices nobody reads.

For the text of a message Rasa's featurizer runs its vectorizer twice: once over each
token (sequence features, one row per token, for DIET or a CRF) and once over the whole
text (sentence features). Balagh's classifiers read only the sentence features
(`bot.server.nlu.features.sentence_matrix`), so the per-token pass was wasted work on every
message, a third of the NLU's time. The sentence features, the vocabulary and the saved
model are Rasa's own; other attributes (intents, actions) are featurized as Rasa does.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from scipy.sparse import spmatrix


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    """Sentence-level token counts of the text (same settings as Rasa's featurizer)."""

    def _create_features(
        self, attribute: str, all_tokens: list[list[str]]
    ) -> tuple[list[spmatrix | None], list[spmatrix | None]]:
        if attribute not in DENSE_FEATURIZABLE_ATTRIBUTES:
            return super()._create_features(attribute, all_tokens)
        vectorizer = self.vectorizers.get(attribute)
        if not vectorizer:
            return [None], [None]
        sentences: list[spmatrix | None] = []
        for tokens in all_tokens:
            if not tokens:
                sentences.append(None)
                continue
            sentence = vectorizer.transform([" ".join(tokens)])
            sentence.sort_indices()
            sentences.append(sentence.tocoo())
        return [None] * len(all_tokens), sentences
