"""`DialectCountVectorsFeaturizer` and `DialectAugmenter` as Rasa graph components: the
extra features of the canonical view, saved and loaded with the model, and the training
variants (training data only, never a message being parsed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.server.nlu.augmenter import DialectAugmenter
from bot.server.nlu.dialect_featurizer import DialectCountVectorsFeaturizer
from bot.server.nlu.features import sentence_matrix

CONTEXT = ExecutionContext(GraphSchema({}), "test")
CONFIG = DialectCountVectorsFeaturizer.get_default_config()
TEXTS = ["ابغي اشتكي علي ابشر", "ابي الغي بلاغي", "شكرا"]


def tokenizer(storage: LocalModelStorage) -> WhitespaceTokenizer:
    return WhitespaceTokenizer.create(
        WhitespaceTokenizer.get_default_config(), storage, Resource("tokens"), CONTEXT
    )


def trained(storage: LocalModelStorage) -> DialectCountVectorsFeaturizer:
    data = TrainingData([Message(data={"text": text, "intent": "x"}) for text in TEXTS])
    tokenizer(storage).process_training_data(data)
    featurizer = DialectCountVectorsFeaturizer.create(CONFIG, storage, Resource("dialect"), CONTEXT)
    featurizer.train(data)
    return featurizer


def features(featurizer: DialectCountVectorsFeaturizer, text: str, storage) -> np.ndarray:
    message = Message(data={"text": text})
    tokenizer(storage).process([message])
    featurizer.process([message])
    return sentence_matrix([message]).toarray()[0]


def test_dialect_forms_and_arabizi_get_the_same_features(
    tmp_path: Path,
) -> None:
    storage = LocalModelStorage(tmp_path)
    featurizer = trained(storage)
    gulf = features(featurizer, "ابغي اشتكي علي ابشر", storage)
    assert gulf.sum() > 0
    assert (features(featurizer, "عايز اشتكي علي ابشر", storage) == gulf).all()
    assert (features(featurizer, "bdi ashtki 3la absher", storage) == gulf).all()
    assert (features(featurizer, "وابغى اشتكي على أبشر", storage) == gulf).all()
    assert not (features(featurizer, "ابغي الغي بلاغي", storage) == gulf).all()


def test_the_message_text_and_its_tokens_are_left_alone(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    featurizer = trained(storage)
    message = Message(data={"text": "abi ashtki"})
    tokenizer(storage).process([message])
    featurizer.process([message])
    assert message.get("text") == "abi ashtki"
    assert [t.text for t in message.get("text_tokens")] == ["abi", "ashtki"]


def test_a_loaded_featurizer_gives_the_same_features(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    featurizer = trained(storage)
    loaded = DialectCountVectorsFeaturizer.load(CONFIG, storage, Resource("dialect"), CONTEXT)
    for text in ["عايز الغي بلاغي علي ابشر", "merci"]:
        assert (features(loaded, text, storage) == features(featurizer, text, storage)).all()


def test_the_augmenter_adds_variants_to_training_data_only() -> None:
    augmenter = DialectAugmenter.create({"copies": 2}, None, None, CONTEXT)
    examples = [
        Message(data={"text": "ابغي اشتكي علي الجهه", "intent": "file_complaint"}),
        Message(
            data={
                "text": "متي يتم الرد",
                "intent": "faq",
                "intent_response_key": "faq/deadline",
                "entities": [],
            }
        ),
    ]
    data = TrainingData(examples, lookup_tables=[{"name": "t", "elements": ["a"]}])
    augmented = augmenter.process_training_data(data)
    texts = [e.get("text") for e in augmented.intent_examples]
    assert texts[:2] == ["ابغي اشتكي علي الجهه", "متي يتم الرد"]
    assert len(texts) > 2 and len(set(texts)) == len(texts)
    for example in augmented.intent_examples[2:]:
        original = examples[0] if example.get("intent") == "file_complaint" else examples[1]
        assert example.get("intent_response_key") == original.get("intent_response_key")
        assert example.get("entities") is None
    assert augmented.lookup_tables == data.lookup_tables
    again = DialectAugmenter.create({"copies": 2}, None, None, CONTEXT)
    assert [e.get("text") for e in again.process_training_data(data).intent_examples] == texts
    message = Message(data={"text": "ابغي اشتكي"})
    assert augmenter.process([message]) == [message]
    assert message.get("text") == "ابغي اشتكي"
