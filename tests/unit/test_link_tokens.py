"""The links in messages (`bot/rules/links.py`): signed, expiring, for one report and one
purpose; anything else reads as no grant at all."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from bot.rules.links import LIFETIMES, LinkGrant, link, make_token, read_token

SECRET = "link-secret"
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("purpose", ["status", "conversation"])
def test_a_token_round_trips_until_it_expires(purpose):
    token = make_token(SECRET, purpose, 1234, NOW)
    expires = NOW + LIFETIMES[purpose]
    assert read_token(SECRET, token, NOW) == LinkGrant(purpose, 1234, expires)
    assert read_token(SECRET, token, expires - dt.timedelta(seconds=1)) is not None
    assert read_token(SECRET, token, expires) is None
    assert read_token(SECRET, token, expires + dt.timedelta(days=400)) is None


def test_the_status_link_outlives_the_conversation_link():
    assert LIFETIMES["status"] > LIFETIMES["conversation"]


def test_a_token_is_short_and_safe_in_a_url():
    token = make_token(SECRET, "status", 2**32 - 1, NOW)
    assert len(token) == 28 and token.isascii()
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_a_token_under_another_secret_is_refused():
    assert read_token("another-secret", make_token(SECRET, "status", 7, NOW), NOW) is None


def test_every_altered_character_is_refused():
    token = make_token(SECRET, "status", 7, NOW)  # 21 bytes: no spare bits in the text
    for i, character in enumerate(token):
        for other in {"A", "B", "_"} - {character}:
            altered = token[:i] + other + token[i + 1 :]
            assert read_token(SECRET, altered, NOW) is None, (i, other)


def test_the_report_the_purpose_or_the_expiry_cannot_be_changed():
    raw = bytearray(base64.urlsafe_b64decode(make_token(SECRET, "status", 7, NOW) + "=="))
    for position in range(9):  # purpose (1 byte), report id (4), expiry (4)
        changed = bytearray(raw)
        changed[position] ^= 0x01
        forged = base64.urlsafe_b64encode(bytes(changed)).decode().rstrip("=")
        assert read_token(SECRET, forged, NOW) is None, position


@pytest.mark.parametrize(
    "token",
    ["", "x", "%%%", "A" * 28, "A" * 65, "قق" * 14, "AQAAAAcAAAAA\x00", None, 28],
)
def test_malformed_tokens_are_refused_without_an_error(token):
    assert read_token(SECRET, token, NOW) is None


def test_the_link_is_the_page_and_the_token():
    address = link("https://balagh.example/", SECRET, "conversation", 9, NOW)
    prefix = "https://balagh.example/c/"
    assert address.startswith(prefix)
    assert read_token(SECRET, address.removeprefix(prefix), NOW).report_id == 9
    assert link("https://b.example", SECRET, "status", 9, NOW).startswith("https://b.example/s/")
