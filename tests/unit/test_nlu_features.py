"""`sentence_matrix` is the matrix Rasa's logistic-regression classifier builds, column for
column, so the intent classifier and the FAQ selector read models trained either way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer import (
    LexicalSyntacticFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.server.nlu.features import column_major, sentence_matrix
from bot.server.nlu.sentence_featurizer import SentenceCountVectorsFeaturizer

TEXTS = ["اريد تقديم شكوي علي ابشر", "متي يتم الرد", "شكرا", "عندي اقتراح لتطوير خدمه"]


def featurized(tmp_path: Path) -> list[Message]:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    components = [
        WhitespaceTokenizer.create(
            WhitespaceTokenizer.get_default_config(), storage, Resource("t"), context
        ),
        CountVectorsFeaturizer.create(
            CountVectorsFeaturizer.get_default_config(), storage, Resource("w"), context
        ),
        CountVectorsFeaturizer.create(
            {
                **CountVectorsFeaturizer.get_default_config(),
                "analyzer": "char_wb",
                "min_ngram": 2,
                "max_ngram": 4,
            },
            storage,
            Resource("c"),
            context,
        ),
        LexicalSyntacticFeaturizer.create(
            LexicalSyntacticFeaturizer.get_default_config(), storage, Resource("l"), context
        ),
    ]
    data = TrainingData([Message(data={"text": t, "intent": "x"}) for t in TEXTS])
    for component in components:
        if hasattr(component, "train"):
            component.train(data)
        component.process_training_data(data)
    messages = [Message(data={"text": text}) for text in ["اريد تقديم شكوي", "شكرا جزيلا"]]
    for component in components:
        component.process(messages)
    return messages


def test_the_same_matrix_as_rasas_classifier(tmp_path: Path) -> None:
    messages = featurized(tmp_path)
    ours = sentence_matrix(messages)
    rasas = LogisticRegressionClassifier._create_X(None, messages)  # noqa: SLF001
    assert ours.shape == rasas.shape and ours.shape[0] == 2 and ours.shape[1] > 100
    assert (ours != rasas).nnz == 0
    assert ours.nnz > 0


def test_dense_sentence_features_come_after_the_sparse_ones(tmp_path: Path) -> None:
    messages = featurized(tmp_path)
    for message in messages:
        message.add_features(Features(np.array([[0.5, 2.0]]), "sentence", "text", "dense"))
    ours = sentence_matrix(messages)
    rasas = LogisticRegressionClassifier._create_X(None, messages)  # noqa: SLF001
    assert (ours != rasas).nnz == 0
    assert ours[0, -2:].toarray().tolist() == [[0.5, 2.0]]


def _sentence_and_sequence(featurizer_class: type, tmp_path: Path) -> list[tuple]:
    tmp_path.mkdir()
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer.create(
        WhitespaceTokenizer.get_default_config(), storage, Resource("t"), context
    )
    config = {**featurizer_class.get_default_config(), "analyzer": "char_wb", "max_ngram": 4}
    featurizer = featurizer_class.create(config, storage, Resource("c"), context)
    data = TrainingData([Message(data={"text": t, "intent": "x"}) for t in TEXTS])
    tokenizer.process_training_data(data)
    featurizer.train(data)
    messages = [Message(data={"text": text}) for text in ["اريد تقديم شكوي", "شكرا جزيلا"]]
    tokenizer.process(messages)
    featurizer.process(messages)
    return [
        (
            message.get_sparse_features("text")[1].features.toarray(),
            [f for f in message.features if f.type == "sequence" and f.attribute == "text"],
        )
        for message in messages
    ]


def test_sentence_featurizer_gives_rasas_sentence_features(tmp_path: Path) -> None:
    ours = _sentence_and_sequence(SentenceCountVectorsFeaturizer, tmp_path / "ours")
    rasas = _sentence_and_sequence(CountVectorsFeaturizer, tmp_path / "rasa")
    for (our_sentence, our_sequence), (rasa_sentence, rasa_sequence) in zip(
        ours, rasas, strict=False
    ):
        assert np.array_equal(our_sentence, rasa_sentence) and our_sentence.sum() > 5
        assert our_sequence == [] and len(rasa_sequence) == 1  # the per-token pass is gone


def test_column_major_coefficients_score_the_same() -> None:
    from scipy.sparse import random as sparse_random
    from sklearn.linear_model import LogisticRegression

    features = sparse_random(60, 500, density=0.05, format="csr", random_state=1)
    classes = np.arange(60) % 4
    classifier = LogisticRegression(max_iter=50).fit(features, classes)
    before = classifier.predict_proba(features[:3])
    assert not classifier.coef_.flags["F_CONTIGUOUS"]
    column_major(classifier)
    assert classifier.coef_.flags["F_CONTIGUOUS"]
    assert np.allclose(classifier.predict_proba(features[:3]), before, rtol=0, atol=1e-12)
