"""`FaqSelector`: trained on the FAQ sub-intents with Rasa's own tokenizer and featurizer,
it gives messages the `response_selector` property that Rasa's `utter_faq` reads."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.server.nlu.faq_selector import FaqSelector

ROOT = Path(__file__).resolve().parents[2]

QUESTIONS = {
    "faq/deadline": ["كم مده معالجه البلاغ", "متي يتم الرد علي بلاغي", "كم يوم تاخذ الشكوي"],
    "faq/fees": ["هل الخدمه مجانيه", "كم رسوم تقديم البلاغ", "هل ادفع مقابل الخدمه"],
    "faq/documents": ["ما المستندات المطلوبه", "وش الاوراق اللي احتاجها", "ايش المرفقات"],
}
RESPONSES = {f"utter_{topic}": [{"text": f"جواب {topic}"}] for topic in QUESTIONS}


class Pipeline:
    """Tokenizer, character n-gram featurizer and the selector, as in config.yml."""

    def __init__(self, storage: LocalModelStorage, selector: FaqSelector | None = None) -> None:
        context = ExecutionContext(GraphSchema({}), "test")
        self.tokenizer = WhitespaceTokenizer.create(
            WhitespaceTokenizer.get_default_config(), storage, Resource("tokenizer"), context
        )
        config = {
            **CountVectorsFeaturizer.get_default_config(),
            "analyzer": "char_wb",
            "min_ngram": 2,
            "max_ngram": 4,
        }
        self.featurizer = CountVectorsFeaturizer.create(
            config, storage, Resource("featurizer"), context
        )
        self.storage = storage
        self.context = context
        self.selector = selector or FaqSelector.create(
            {"retrieval_intent": "faq"}, storage, Resource("faq"), context
        )

    def train(self, data: TrainingData) -> None:
        self.tokenizer.process_training_data(data)
        self.featurizer.train(data)
        self.featurizer.process_training_data(data)
        self.selector.train(data)

    def parse(self, text: str) -> Message:
        message = Message(data={"text": text})
        self.tokenizer.process([message])
        self.featurizer.process([message])
        self.selector.process([message])
        return message


def training_data(responses: dict = RESPONSES) -> TrainingData:
    examples = [
        Message(data={"text": text, "intent": "faq", "intent_response_key": topic})
        for topic, texts in QUESTIONS.items()
        for text in texts
    ]
    examples += [Message(data={"text": "السلام عليكم", "intent": "greet"})]
    return TrainingData(examples, responses=dict(responses))


@pytest.fixture
def trained(tmp_path: Path) -> Pipeline:
    pipeline = Pipeline(LocalModelStorage(tmp_path))
    pipeline.train(training_data())
    return pipeline


def test_the_message_gets_the_topic_and_its_answer_in_rasas_format(trained: Pipeline) -> None:
    properties = trained.parse("هل تقديم البلاغ مجاني").get("response_selector")
    assert properties["all_retrieval_intents"] == ["faq"]
    prediction = properties["faq"]["response"]
    assert prediction["intent_response_key"] == "faq/fees"
    assert prediction["utter_action"] == "utter_faq/fees"  # what utter_faq utters
    assert prediction["responses"] == [{"text": "جواب faq/fees"}]
    ranking = properties["faq"]["ranking"]
    assert [entry["intent_response_key"] for entry in ranking][0] == "faq/fees"
    assert {entry["intent_response_key"] for entry in ranking} == set(QUESTIONS)
    confidences = [entry["confidence"] for entry in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert prediction["confidence"] == confidences[0] > 1 / len(QUESTIONS)


@pytest.mark.parametrize(
    ("question", "topic"),
    [("متي الرد علي البلاغ", "faq/deadline"), ("وش المستندات اللي احتاجها", "faq/documents")],
)
def test_unseen_questions_get_their_topic(trained: Pipeline, question: str, topic: str) -> None:
    assert trained.parse(question).get("response_selector")["faq"]["response"][
        "intent_response_key"
    ] == (topic)


def test_a_persisted_selector_loads_and_answers_the_same(trained: Pipeline) -> None:
    loaded = FaqSelector.load(
        {"retrieval_intent": "faq"}, trained.storage, Resource("faq"), trained.context
    )
    again = Pipeline(trained.storage, loaded)
    again.tokenizer, again.featurizer = trained.tokenizer, trained.featurizer
    question = "كم يوم تاخذ معالجه الشكوي"
    assert again.parse(question).get("response_selector") == trained.parse(question).get(
        "response_selector"
    )


def test_an_empty_message_is_left_alone(trained: Pipeline) -> None:
    message = Message(data={"text": ""})
    trained.selector.process([message])
    assert message.get("response_selector") is None


def test_a_topic_without_an_answer_in_the_domain_fails_training(tmp_path: Path) -> None:
    pipeline = Pipeline(LocalModelStorage(tmp_path))
    without_fees = {key: value for key, value in RESPONSES.items() if "fees" not in key}
    with pytest.raises(ValueError, match="faq/fees"):
        pipeline.train(training_data(without_fees))


def test_no_tensorflow_component_runs_per_message() -> None:
    """The pipeline keeps TensorFlow off the request path (docs/nlu.md, "The pipeline")."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    names = {step["name"] for step in config["pipeline"] + config["policies"]}
    assert not names & {"DIETClassifier", "ResponseSelector", "TEDPolicy", "UnexpecTEDIntentPolicy"}
    assert "bot.server.nlu.faq_selector.FaqSelector" in names
