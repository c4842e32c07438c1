"""The widget's session tokens: only tokens this server issued open a conversation."""

import pytest

from channels.webchat import new_token, sender_of

SECRET = "widget-secret"


def test_an_issued_token_opens_its_conversation() -> None:
    token = new_token(SECRET)
    assert sender_of(SECRET, token) == f"web:{token.split('.')[0]}"


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "abc",
        ".\x80",  # found by the fuzzer: compare_digest raised on non-ASCII (a 500)
        "a" * 32 + ".é" + "0" * 31,
        "ق" * 32 + "." + "0" * 32,
        "a.b.c",
    ],
)
def test_anything_else_is_refused_without_an_error(token: object) -> None:
    assert sender_of(SECRET, token) is None


def test_a_token_from_another_secret_or_altered_is_refused() -> None:
    token = new_token("another-secret")
    assert sender_of(SECRET, token) is None
    mine = new_token(SECRET)
    conversation, signature = mine.split(".")
    assert sender_of(SECRET, f"{conversation[:-1]}0.{signature}") in (None, f"web:{conversation}")
    assert sender_of(SECRET, f"{conversation}.{signature[:-1]}x") is None
