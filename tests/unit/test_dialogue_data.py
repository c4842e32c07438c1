"""The simulator's conversations (tests/dialogues/*.yml) follow the data format that
tests/helpers/dialogues.py plays: known keys, outcomes, types, refusals and field names
(the fields the domain's forms ask), unique ids, and enough of them."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.helpers.dialogues import (
    DIALOGUES,
    Dialogue,
    dialogue_files,
    form_fields,
    load_dialogues,
    problems,
    read_file,
)

FIELDS = form_fields()
MINIMUM = 80


@pytest.mark.parametrize("path", dialogue_files(), ids=lambda p: p.name)
def test_each_file_parses(path):
    assert read_file(path), f"{path.name} holds no conversation"


@pytest.mark.parametrize("path", dialogue_files(), ids=lambda p: p.name)
def test_each_conversation_follows_the_format(path):
    wrong = [problem for dialogue in read_file(path) for problem in problems(dialogue, FIELDS)]
    assert not wrong, "\n".join(wrong)


def test_ids_are_unique():
    counts = Counter(d.id for d in load_dialogues())
    assert not [i for i, n in counts.items() if n > 1], "duplicate conversation ids"


def test_there_are_enough_conversations():
    assert len(load_dialogues()) >= MINIMUM, f"fewer than {MINIMUM} conversations in {DIALOGUES}"


def test_the_fields_come_from_the_forms():
    assert {"national_id", "entity", "confirm_submission", "confirm_cancel"} <= FIELDS
    assert {"update_content", "survey_solution", "digitization_reason", "suggestion"} <= FIELDS


def test_the_format_checks_catch_mistakes(tmp_path):
    bad = Dialogue(
        tmp_path / "x.yml",
        {
            "id": "bad one",
            "opening": "مرحبا {B}",
            "answers": {"nationalid": "1"},
            "colour": "red",
            "setup": {
                "reports": [{"ref": "A", "type": "complaint", "status": "received"}],
                "notice": {"report": "A", "kind": "survey"},
            },
            "expect": {"outcome": "filed", "refusal": "nope", "asked_not": ["x"]},
        },
    )
    found = "\n".join(problems(bad, FIELDS))
    for expected in (
        "unknown keys ['colour']",
        "`id` must be a word",
        "unknown field 'nationalid'",
        "{B} names no setup report",
        "survey notice needs",
        "needs the report `type`",
        "refusal 'nope'",
        "`asked_not` must list form fields",
    ):
        assert expected in found
