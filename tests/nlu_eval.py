"""Evaluate the trained model on the held-out NLU test set (`make nlu-eval`).

Prints per-intent precision, recall and F1 (the `faq` retrieval intent as one intent,
as in the contract), the macro F1, and the accuracy of the FAQ topic chosen by
`FaqSelector`. Exits non-zero when the macro F1 is under `--min-macro-f1` or the FAQ topic
accuracy under `--min-faq-accuracy`, or when more than `--max-oos-leak` of the
out-of-scope messages would start a report form or get a FAQ answer (the harm a
misread off-topic message does: a citizen asking about something else is sent into a
form or handed an unrelated answer).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data
from rasa.utils.log_utils import configure_structlog
from sklearn.metrics import precision_recall_fscore_support

# Intents that act on an off-topic message: a report form starts, or a FAQ answer is given.
LEAK_INTENTS = {"file_complaint", "request_digitization", "suggest_improvement", "faq"}


async def predict(model: Path, texts: list[str]) -> list[dict]:
    configure_structlog(logging.WARNING)  # no per-message debug lines in the report
    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=Path("tests/nlu"))
    parser.add_argument("--min-macro-f1", type=float, default=0.0)
    parser.add_argument("--min-faq-accuracy", type=float, default=0.0)
    parser.add_argument("--max-oos-leak", type=float, default=1.0)
    args = parser.parse_args(argv)

    examples = load_data(str(args.data)).intent_examples
    texts = [example.get("text") for example in examples]
    gold_full = [example.get_full_intent() for example in examples]
    gold = [intent.split("/")[0] for intent in gold_full]
    parsed = asyncio.run(predict(args.model, texts))
    predicted = [(p.get("intent") or {}).get("name") or "None" for p in parsed]

    labels = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    print(f"{'intent':<22}{'precision':>10}{'recall':>10}{'f1':>8}{'n':>6}")
    for label, p, r, f, n in zip(labels, precision, recall, f1, support, strict=False):
        print(f"{label:<22}{p:>10.3f}{r:>10.3f}{f:>8.3f}{n:>6}")
    macro = sum(f1) / len(f1)
    print(
        f"{'macro':<22}{sum(precision) / len(labels):>10.3f}{sum(recall) / len(labels):>10.3f}"
        f"{macro:>8.3f}{sum(support):>6}"
    )

    faq_pairs = [
        (gold_intent, p.get("response_selector", {}).get("faq", {}).get("response", {}))
        for gold_intent, p in zip(gold_full, parsed, strict=False)
        if gold_intent.startswith("faq/")
    ]
    faq_accuracy = 1.0
    if faq_pairs:
        right = sum(1 for g, r in faq_pairs if r.get("intent_response_key") == g)
        faq_accuracy = right / len(faq_pairs)
        print(f"FAQ topic accuracy (FaqSelector): {right}/{len(faq_pairs)} = {faq_accuracy:.3f}")
    out_of_scope = [p for g, p in zip(gold, predicted, strict=False) if g == "out_of_scope"]
    leak = 0.0
    if out_of_scope:
        leaked = sum(1 for p in out_of_scope if p in LEAK_INTENTS)
        leak = leaked / len(out_of_scope)
        print(
            f"out-of-scope messages that start a form or get a FAQ answer: "
            f"{leaked}/{len(out_of_scope)} = {leak:.3f}"
        )
    errors = [(t, g, p) for t, g, p in zip(texts, gold, predicted, strict=False) if g != p]
    if errors:
        print("\nmisclassified:")
        for text, g, p in errors:
            print(f"  {g:>20} -> {p:<20} {text[:70]}")
    if macro < args.min_macro_f1:
        print(f"\nmacro F1 {macro:.3f} is below the target {args.min_macro_f1}")
        return 1
    if faq_accuracy < args.min_faq_accuracy:
        print(f"\nFAQ topic accuracy {faq_accuracy:.3f} is below {args.min_faq_accuracy}")
        return 1
    if leak > args.max_oos_leak:
        print(f"\nout-of-scope leak {leak:.3f} is above {args.max_oos_leak}")
        return 1
    print(f"\nmacro F1 {macro:.3f} (target {args.min_macro_f1})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
