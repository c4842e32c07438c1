"""Word and character n-grams of the canonical view of a message (dialect concepts, Arabizi).

The same counts as `SentenceCountVectorsFeaturizer` (Rasa's vectorizer, its settings and
saved model), taken over `bot.server.nlu.dialect.canonical_tokens` of the message's tokens
instead of the tokens themselves: «ابغى اشتكي», «عايز اشتكي» and «abi ashtki» all count
`want_ complaint_`. Added *next to* the features of the text itself (another block of
columns); the text and its tokens are not changed. Only the message text is featurized
(Rasa's word vectorizer also counts intents and responses, for DIET).
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.server.nlu.dialect import canonical_tokens
from bot.server.nlu.sentence_featurizer import SentenceCountVectorsFeaturizer


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class DialectCountVectorsFeaturizer(SentenceCountVectorsFeaturizer):
    """Sentence-level n-gram counts of the canonical forms of the message's tokens (same
    settings as Rasa's `CountVectorsFeaturizer`)."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def _attributes_for(analyzer: str) -> list[str]:
        """The message text only, whatever the analyzer."""
        return [TEXT]

    def _get_message_tokens_by_attribute(self, message: Message, attribute: str) -> list[str]:
        tokens = super()._get_message_tokens_by_attribute(message, attribute)
        return canonical_tokens(tokens) if attribute == TEXT else tokens
