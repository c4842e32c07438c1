"""Cross-validate the NLU pipeline of `config.yml` on the training data, in-process.

`rasa test nlu --cross-validation` trains the whole graph per fold (minutes each). Here the
pipeline's components are created from `config.yml` and trained and run directly, fold by
fold, as Rasa's graph runs them (each trainable component trained on the data the earlier
ones processed, then processing it), so a fold costs what the classifiers cost to fit:

    PYTHONPATH=. .venv/bin/python -m scripts.nlu_cross_validation              # 5 folds
    PYTHONPATH=. .venv/bin/python -m scripts.nlu_cross_validation --test DIR   # train on all

Folds are stratified on the full intent (`faq/<topic>` apart), seeded. Messages to judge
carry their text only, as in `/model/parse`, and go through the whole pipeline (the
`FallbackClassifier` included: a fallback counts as a wrong intent, as in `tests.nlu_eval`).
Prints per-intent F1, the macro F1 (the `faq` retrieval intent as one intent) and the FAQ
topic accuracy, per fold and pooled; `--errors` lists the misclassified messages.
"""

from __future__ import annotations

import argparse
import copy
import logging
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import read_yaml_file
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

warnings.filterwarnings("ignore")

# The component types whose `process_training_data` Rasa's training graph runs (the others
# are only trained: a classifier's output is not fed to the next components in training).
PREPROCESSORS = {
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER,
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
}


def load_training_data(data: Path, domain: Path | None) -> TrainingData:
    """The NLU data, with the domain's responses (the FAQ selector's answers)."""
    training_data = load_data(str(data))
    if domain is not None:
        training_data.responses = {**Domain.load(str(domain)).responses}
    return training_data


def _copy(message: Message) -> Message:
    return Message(data=copy.deepcopy(message.data))


def subset(training_data: TrainingData, examples: Sequence[Message]) -> TrainingData:
    """A fresh training set of copies of `examples` (components change messages in
    place) with the original's regexes, lookup tables, synonyms and responses."""
    return TrainingData(
        training_examples=[_copy(e) for e in examples],
        entity_synonyms=dict(training_data.entity_synonyms),
        regex_features=copy.deepcopy(training_data.regex_features),
        lookup_tables=copy.deepcopy(training_data.lookup_tables),
        responses=copy.deepcopy(training_data.responses),
    )


class Pipeline:
    """The components of a `config.yml` pipeline, trained and run in order."""

    def __init__(self, pipeline: list[dict[str, Any]], directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.storage = LocalModelStorage(directory)
        self.components: list[Any] = []
        self.steps = pipeline
        self.seconds: dict[str, float] = {}
        self.last_training_data: TrainingData | None = None  # as the classifiers saw it

    def train(self, training_data: TrainingData) -> None:
        self.components = []
        for index, step in enumerate(self.steps):
            config = {k: v for k, v in step.items() if k != "name"}
            registered = DefaultV1Recipe._from_registry(step["name"])  # noqa: SLF001
            cls = registered.clazz
            name = f"{index}_{cls.__name__}"
            context = ExecutionContext(GraphSchema({}), "cv", node_name=name)
            full_config = {**cls.get_default_config(), **config}
            component = cls.create(full_config, self.storage, Resource(name), context)
            start = time.perf_counter()
            if registered.is_trainable and hasattr(component, "train"):
                component.train(training_data)
            if registered.types & PREPROCESSORS:
                training_data = component.process_training_data(training_data)
            self.seconds[cls.__name__] = self.seconds.get(cls.__name__, 0.0) + (
                time.perf_counter() - start
            )
            self.components.append(component)
        self.last_training_data = training_data

    def parse(self, texts: Sequence[str]) -> list[Message]:
        messages = [Message(data={"text": text}) for text in texts]
        for component in self.components:
            component.process(messages)
        return messages


def predictions(messages: Sequence[Message]) -> tuple[list[str], list[str | None]]:
    """The intent (`None` → "None") and FAQ topic predicted for each parsed message."""
    intents = [((m.get("intent") or {}).get("name") or "None") for m in messages]
    topics = [
        ((m.get("response_selector") or {}).get("faq") or {})
        .get("response", {})
        .get("intent_response_key")
        for m in messages
    ]
    return intents, topics


def scores(
    gold_full: Sequence[str], intents: Sequence[str], topics: Sequence[str | None]
) -> dict[str, Any]:
    gold = [g.split("/")[0] for g in gold_full]
    labels = sorted(set(gold))
    _, _, f1, support = precision_recall_fscore_support(
        gold, intents, labels=labels, zero_division=0
    )
    faq = [(g, t) for g, t in zip(gold_full, topics, strict=True) if g.startswith("faq/")]
    return {
        "macro_f1": float(np.mean(f1)),
        "per_intent": dict(zip(labels, f1, strict=True)),
        "support": dict(zip(labels, support, strict=True)),
        "accuracy": float(np.mean([g == p for g, p in zip(gold, intents, strict=True)])),
        "faq_accuracy": (sum(g == t for g, t in faq) / len(faq)) if faq else 1.0,
        "faq_n": len(faq),
    }


def report(title: str, result: dict[str, Any], per_intent: bool) -> None:
    if per_intent:
        print(f"{'intent':<22}{'f1':>8}{'n':>6}")
        for label, f1 in result["per_intent"].items():
            print(f"{label:<22}{f1:>8.3f}{result['support'][label]:>6}")
    print(
        f"{title}: macro F1 {result['macro_f1']:.3f}, accuracy {result['accuracy']:.3f}, "
        f"FAQ topic accuracy {result['faq_accuracy']:.3f} ({result['faq_n']})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=Path("config.yml"))
    parser.add_argument("--data", type=Path, default=Path("data/nlu"))
    parser.add_argument("--domain", type=Path, default=Path("domain"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--test", type=Path, help="train on all the data, judge this set")
    parser.add_argument("--errors", action="store_true", help="list misclassified messages")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)

    steps = read_yaml_file(str(args.config))["pipeline"]
    training_data = load_training_data(args.data, args.domain)
    examples = [e for e in training_data.intent_examples if e.get("text")]
    started = time.perf_counter()

    if args.test:
        test_examples = load_data(str(args.test)).intent_examples
        splits = [(list(range(len(examples))), None)]
    else:
        labels = [e.get_full_intent() for e in examples]
        folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
        splits = [(list(a), list(b)) for a, b in folds.split(np.zeros(len(labels)), labels)]

    gold_all: list[str] = []
    intents_all: list[str] = []
    topics_all: list[str | None] = []
    texts_all: list[str] = []
    parse_seconds = 0.0
    with tempfile.TemporaryDirectory() as directory:
        for fold, (train_index, test_index) in enumerate(splits):
            pipeline = Pipeline(steps, Path(directory) / f"fold{fold}")
            pipeline.train(subset(training_data, [examples[i] for i in train_index]))
            judged = test_examples if test_index is None else [examples[i] for i in test_index]
            texts = [e.get("text") for e in judged]
            gold = [e.get_full_intent() for e in judged]
            start = time.perf_counter()
            intents, topics = predictions(pipeline.parse(texts))
            parse_seconds += time.perf_counter() - start
            if test_index is not None:
                report(f"fold {fold + 1}", scores(gold, intents, topics), per_intent=False)
            gold_all += gold
            intents_all += intents
            topics_all += topics
            texts_all += texts
            slowest = sorted(pipeline.seconds.items(), key=lambda kv: -kv[1])[:3]
            print(
                "  training seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in slowest),
                flush=True,
            )
    result = scores(gold_all, intents_all, topics_all)
    report("pooled" if not args.test else str(args.test), result, per_intent=True)
    print(
        f"{len(texts_all)} messages judged in {parse_seconds:.1f} s "
        f"({1000 * parse_seconds / max(1, len(texts_all)):.2f} ms each, in batches); "
        f"total {time.perf_counter() - started:.0f} s"
    )
    if args.errors:
        print("\nmisclassified:")
        for text, g, p, t in zip(texts_all, gold_all, intents_all, topics_all, strict=True):
            if g.split("/")[0] != p or (g.startswith("faq/") and g != t):
                shown = p if g.split("/")[0] != p else t
                print(f"  {g:>38} -> {shown:<38} {text[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
