"""The widget's session tokens as a pure module (`bot/rules/web_sessions.py`): what the Rasa
process issues and checks, and the token the desk's link back to a conversation gives."""

from __future__ import annotations

import re

import pytest

import channels.webchat
from bot.rules import web_sessions
from bot.rules.web_sessions import new_token, sender_of, session_token, sign

SECRET = "widget-secret"


def test_the_channel_uses_the_rules_tokens():
    assert channels.webchat.new_token is web_sessions.new_token
    assert channels.webchat.sender_of is web_sessions.sender_of


def test_a_new_token_round_trips_to_its_conversation():
    token = new_token(SECRET)
    conversation, signature = token.split(".")
    assert re.fullmatch(r"[0-9a-f]{32}\.[0-9a-f]{32}", token)
    assert signature == sign(SECRET, conversation)
    assert sender_of(SECRET, token) == f"web:{conversation}"
    assert new_token(SECRET) != token  # a new session each time


def test_the_session_token_of_a_web_conversation_opens_that_conversation():
    conversation = "web:" + "3f" * 16
    token = session_token(SECRET, conversation)
    assert token == f"{'3f' * 16}.{sign(SECRET, '3f' * 16)}"
    assert sender_of(SECRET, token) == conversation
    issued = new_token(SECRET)  # the same token the server issued for it
    assert session_token(SECRET, sender_of(SECRET, issued)) == issued


@pytest.mark.parametrize(
    "conversation",
    [
        "whatsapp:+966551234567",
        "sms:+966551234567",
        "rest:user-1",
        "web:",
        "web:3F" + "3f" * 15,  # upper case: no session is made so
        "web:" + "3f" * 15,
        "web:" + "3f" * 17,
        "web:" + "3f" * 16 + "\n",
        "3f" * 16,
        None,
        42,
    ],
)
def test_other_conversations_have_no_session_token(conversation):
    assert session_token(SECRET, conversation) is None


def test_a_token_under_another_secret_or_altered_is_refused():
    token = session_token(SECRET, "web:" + "ab" * 16)
    assert sender_of("another-secret", token) is None
    conversation, signature = token.split(".")
    flipped = "0" if signature[-1] != "0" else "1"
    assert sender_of(SECRET, f"{conversation}.{signature[:-1]}{flipped}") is None
    other = "cd" * 16
    assert sender_of(SECRET, f"{other}.{signature}") is None  # a signature is per id
    assert session_token("another-secret", "web:" + "ab" * 16) != token
