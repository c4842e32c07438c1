"""Issue 21, item 5, the pure parts: a canned reply's placeholders (checked when saved,
filled when inserted) and the inbox's search (a report number, or the digits a masked
mobile shows)."""

from __future__ import annotations

import pytest

from bot.rules.canned_replies import (
    PLACEHOLDERS,
    fill,
    first_name,
    placeholder_problem,
    placeholders,
)
from bot.rules.input_bounds import BadInput, inbox_search


def test_the_known_placeholders_have_arabic_names():
    assert set(PLACEHOLDERS) == {"report_number", "first_name", "agent_name"}
    assert all(not name.isascii() for name in PLACEHOLDERS.values())


@pytest.mark.parametrize(
    "body",
    [
        "شكراً لتواصلك",
        "مرحباً {first_name}",
        "بلاغك {report_number} لدى {agent_name}، {first_name}",
        "{report_number}{report_number}",
    ],
)
def test_a_reply_with_known_placeholders_may_be_saved(body):
    assert placeholder_problem(body) is None


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("مرحباً {name}", "unknown placeholder {name}"),
        ("{first_name} {mobile}", "unknown placeholder {mobile}"),
        ("{}", "unknown placeholder {}"),
        ("{ first_name }", "unknown placeholder { first_name }"),
        ("مرحباً {first_name", "brace"),
        ("مرحباً }", "brace"),
        ("{{first_name}}", "brace"),
    ],
)
def test_an_unknown_placeholder_or_a_lone_brace_is_refused(body, said):
    problem = placeholder_problem(body)
    assert problem is not None and said in problem
    if "unknown" in said:
        assert "{report_number}" in problem  # says which ones exist


def test_placeholders_are_listed_once_in_order():
    assert placeholders("{b} {a} {b}") == ["b", "a"]


def test_filling_puts_the_values_and_names_what_is_missing():
    text, missing = fill(
        "مرحباً {first_name}، بلاغك {report_number} لدى {agent_name}",
        {"first_name": "نورة", "report_number": None, "agent_name": "  "},
    )
    assert text == "مرحباً نورة، بلاغك [رقم البلاغ] لدى [اسم الموظف]"
    assert missing == ["report_number", "agent_name"]


@pytest.mark.parametrize(
    ("name", "first"),
    [("نورة سعد القحطاني", "نورة"), ("  ريم ", "ريم"), ("", None), (None, None), ("—", None)],
)
def test_the_first_name_is_the_first_word(name, first):
    assert first_name(name) == first


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("260000123", ("report", "260000123")),
        ("٢٦٠٠٠٠١٢٣", ("report", "260000123")),
        (" 260000123 ", ("report", "260000123")),
        ("0555****67", ("mobile", "67")),
        ("+**********67", ("mobile", "67")),
        ("٠٥٥٥****٦٧", ("mobile", "67")),
        ("0555 123 467", ("mobile", "67")),
        ("0555-123-467", ("mobile", "67")),
        ("4567", ("mobile", "67")),  # only the digits a masked mobile shows
        ("7", ("mobile", "7")),
    ],
)
def test_the_search_reads_a_report_number_or_a_mobile(q, found):
    assert inbox_search(q) == found


@pytest.mark.parametrize("q", ["", " ", "abc", "05a5", "**", "0555****", "1" * 33, "67\x00", 5])
def test_a_bad_search_is_refused(q):
    with pytest.raises(BadInput):
        inbox_search(q)
