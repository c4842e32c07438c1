"""The bounds shared by the desk's APIs and Rasa's hand-off bridge (bot/rules/input_bounds.py)."""

from __future__ import annotations

import json

import pytest

from bot.rules import input_bounds as bounds
from bot.rules.input_bounds import BadInput


def nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def test_json_bodies_are_parsed_within_their_depth():
    assert bounds.parse_json(b"") is None
    assert bounds.parse_json(b'{"a": [1, {"b": "\xd9\x86\xd8\xb5"}]}') == {"a": [1, {"b": "نص"}]}
    assert bounds.parse_json(nested(bounds.MAX_JSON_DEPTH)) is not None
    for raw in (nested(bounds.MAX_JSON_DEPTH + 1), nested(5000), b'{"a":' * 5000):
        with pytest.raises(BadInput):
            bounds.parse_json(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe{}",  # not UTF-8
        b"{'a': 1}",  # not JSON
        json.dumps({"note": "a\x00b"}).encode(),  # NUL in a value
        json.dumps({"a\x00": 1}).encode(),  # NUL in a key
        b'{"password": "\\ud800"}',  # an unpaired surrogate
        b" " + b"x" * bounds.MAX_BODY_BYTES,  # too large
    ],
)
def test_bodies_outside_the_bounds_are_refused(raw):
    with pytest.raises(BadInput):
        bounds.parse_json(raw)


def test_a_body_must_be_an_object():
    assert bounds.json_object(b"") == {}
    assert bounds.json_object(b'{"a": 1}', empty_ok=False) == {"a": 1}
    for raw in (b"[1]", b'"x"', b"1", b"null"):
        with pytest.raises(BadInput, match="JSON object"):
            bounds.json_object(raw)
    with pytest.raises(BadInput):
        bounds.json_object(b"", empty_ok=False)


def test_text_fields():
    assert bounds.text(None, "note", 5) is None
    assert bounds.text("12345", "note", 5) == "12345"
    for value in ("123456", {"x": 1}, ["x"], 3, "a\x00", "\ud800"):
        with pytest.raises(BadInput, match="note"):
            bounds.text(value, "note", 5)
    for value in (None, ""):
        with pytest.raises(BadInput, match="required"):
            bounds.text(value, "to", 5, required=True)


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc-_.~+/=", "abc-_.~+/="),
        ("bearer abc", "abc"),
        (None, None),
        ("", None),
        ("Basic abc", None),
        ("Bearer ", None),
        ("Bearer caf\udce9", None),  # latin-1 bytes, as aiohttp and Sanic decode them
        ("Bearer توكن", None),
        ("Bearer a b", None),
        ("Bearer a\tb", None),
        ("Bearer " + "a" * (bounds.MAX_BEARER_TOKEN + 1), None),
    ],
)
def test_bearer_tokens_are_printable_ascii(header, token):
    assert bounds.bearer_token(header) == token


def test_handoff_ids():
    assert bounds.handoff_id("1") == 1
    assert bounds.handoff_id("9" * 18) == int("9" * 18)
    for value in ("0", "", "-1", "1" * 19, "1" * 30, "١٢", "²", "1 ", "1\n", "x"):
        assert bounds.handoff_id(value) is None
    assert int("9" * 18) <= bounds.MAX_HANDOFF_ID


def test_conversation_ids_and_report_numbers():
    assert bounds.conversation_id("rest:abc") == "rest:abc"
    for value in (None, "", 5, {"a": 1}, "x" * (bounds.MAX_CONVERSATION_ID + 1), "a\x00"):
        with pytest.raises(BadInput, match="conversation_id"):
            bounds.conversation_id(value)
    assert bounds.report_number("260000001") == "260000001"
    for value in ("26000000", "2600000011", "260000001\n", "٢٦٠٠٠٠٠٠١"):
        assert bounds.report_number(value) is None
