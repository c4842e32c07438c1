"""Training-time variants of the examples: dialect swaps and typing noise.

The training data holds each dialect form in a few sentences only; citizens use any of
them in any sentence, and type fast (a letter dropped, doubled or swapped, a missing
article). `DialectAugmenter` adds, for each intent example, up to `copies` variants in
which words of the dialect lexicon (`bot.server.nlu.dialect.LEXICON`) are swapped for
another Arabic form of their concept («ابغى اشتكي» → «عايز اشتكي») and a few words get
one typo. Deterministic (seeded by `seed` and the example's text), nothing is written to
disk, and messages being parsed are left alone: it acts in `process_training_data` only.
Placed right after `ArabicNormalizer` (variants are of normalised text, and carry no
entity annotations: entities come from regexes and lookup tables). Variants are marked
(`VARIANT`): the FAQ selector learns its topics from the real questions only.
"""

from __future__ import annotations

import random
import zlib
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.server.nlu.dialect import alternatives

# Set on the variants: a component that should learn from real examples only skips them.
VARIANT = "balagh_variant"

# Letters people swap for one another (sound-alike or neighbours on the Arabic keyboard).
CONFUSABLE = {
    "ض": "ظ",
    "ظ": "ض",
    "ذ": "ز",
    "ز": "ذ",
    "ث": "س",
    "س": "ص",
    "ص": "س",
    "ط": "ت",
    "ت": "ط",
    "ق": "ك",
    "ه": "ت",
    "ي": "ا",
    "ع": "ا",
    "ح": "ه",
}
_CLITICS = ("وال", "بال", "فال", "لل", "ال", "و")


def swap_dialect_words(words: list[str], rng: random.Random, probability: float) -> list[str]:
    """Each word of the lexicon (also behind و / ال) becomes, with `probability`, another
    Arabic form of its concept."""
    out = []
    for word in words:
        prefix, stem = "", word
        if not alternatives(stem):
            for clitic in _CLITICS:
                if word.startswith(clitic) and alternatives(word[len(clitic) :]):
                    prefix, stem = clitic, word[len(clitic) :]
                    break
        options = alternatives(stem)
        if options and rng.random() < probability:
            stem = rng.choice(options)
        out.append(prefix + stem)
    return out


def typo(word: str, rng: random.Random) -> str:
    """One typing slip in an Arabic word of four letters or more: a letter dropped,
    doubled, swapped with its neighbour or confused with a sound-alike, or the article
    dropped. Other words are returned unchanged."""
    if len(word) < 4 or not any("\u0621" <= c <= "\u064a" for c in word):
        return word
    i = rng.randrange(1, len(word) - 1)
    slips = [
        word[:i] + word[i + 1 :],
        word[:i] + word[i] + word[i:],
        word[:i] + word[i + 1] + word[i] + word[i + 2 :],
        word[:i] + CONFUSABLE.get(word[i], "") + word[i + 1 :],
    ]
    if word.startswith("ال") and len(word) > 4:
        slips.append(word[2:])
    return rng.choice([slip for slip in slips if slip != word])


def variant(text: str, rng: random.Random, swap: float, noise: float) -> str:
    """A variant of (normalised) `text`: dialect swaps, then typos in some words."""
    words = swap_dialect_words(text.split(), rng, swap)
    return " ".join(typo(w, rng) if rng.random() < noise else w for w in words)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class DialectAugmenter(GraphComponent):
    """Config: `copies` (variants per example), `swap_probability`, `typo_probability`,
    `seed`."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"copies": 1, "swap_probability": 0.7, "typo_probability": 0.1, "seed": 42}

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DialectAugmenter:
        return cls(config)

    def variants(self, message: Message) -> list[Message]:
        text = message.get(TEXT)
        if not message.get(INTENT) or not isinstance(text, str) or text.startswith("/"):
            return []
        seed = zlib.crc32(f"{self.config['seed']}:{text}".encode())
        rng = random.Random(seed)
        seen = {text}
        out = []
        for _ in range(int(self.config["copies"])):
            new = variant(
                text,
                rng,
                float(self.config["swap_probability"]),
                float(self.config["typo_probability"]),
            )
            if new not in seen:
                seen.add(new)
                data = {k: v for k, v in message.data.items() if k not in (TEXT, ENTITIES)}
                out.append(Message(data={**data, TEXT: new, VARIANT: True}))
        return out

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """The training data with the variants of its intent examples added."""
        added = [v for example in training_data.intent_examples for v in self.variants(example)]
        if not added:
            return training_data
        return TrainingData(
            training_examples=training_data.training_examples + added,
            entity_synonyms=training_data.entity_synonyms,
            regex_features=training_data.regex_features,
            lookup_tables=training_data.lookup_tables,
            responses=training_data.responses,
        )

    def process(self, messages: list[Message]) -> list[Message]:
        return messages
