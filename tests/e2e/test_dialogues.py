"""The citizen simulator: every conversation of tests/dialogues/*.yml played over REST
against the real bot, its outcome checked in the store (tests/helpers/dialogues.py).
The results, with the median number of citizen messages to file each report type, are
written to results/dialogues.json (`python -m tests.helpers.dialogues --summary`).

Conversations the bot does not yet get right are listed, each with its reason, in
`tests/e2e/dialogues_known_failures.yml`: they run as strict expected failures, so one that
starts passing fails the suite until it is taken off the list (never added to hide a
regression: the list only shrinks)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.helpers.dialogues import form_fields, load_dialogues, play, problems, write_results

pytestmark = pytest.mark.e2e

DIALOGUES = load_dialogues()
FIELDS = form_fields()
KNOWN_FAILURES = (
    yaml.safe_load(
        (Path(__file__).with_name("dialogues_known_failures.yml")).read_text(encoding="utf-8")
    )
    or {}
)


def case(dialogue):
    reason = KNOWN_FAILURES.get(dialogue.id)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(dialogue, id=dialogue.id, marks=marks)


@pytest.fixture(scope="module")
def results():
    collected: list[dict] = []
    yield collected
    if collected:
        write_results(collected)


def test_the_known_failures_are_conversations_of_the_set():
    assert set(KNOWN_FAILURES) <= {d.id for d in DIALOGUES}


@pytest.mark.parametrize("dialogue", [case(d) for d in DIALOGUES])
def test_the_citizen_reaches_the_expected_outcome(bot, dialogue, results):
    wrong = problems(dialogue, FIELDS)
    assert not wrong, "\n".join(wrong)
    run = play(bot, dialogue)
    results.append(run.result())
    if run.failures:
        pytest.fail(run.report(), pytrace=False)
