"""Desk accounts: hashed passwords, expiring sessions."""

import datetime as dt

import pytest

from bot.store.agents import (
    add_agent,
    agent_for_token,
    hash_password,
    password_matches,
    sign_in,
    sign_out,
)

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)


def test_passwords_are_salted_hashes():
    first, second = hash_password("a long password"), hash_password("a long password")
    assert first != second and "a long password" not in first
    assert password_matches("a long password", first)
    assert not password_matches("another password", first)


@pytest.fixture
def store(sqlite_store):
    add_agent(sqlite_store, "sara", "a long password", "supervisor", NOW)
    return sqlite_store


def test_sign_in_gives_an_expiring_session(store):
    assert sign_in(store, "sara", "wrong password!", NOW) is None
    assert sign_in(store, "nobody", "a long password", NOW) is None
    token, expires = sign_in(store, "sara", "a long password", NOW, hours=8)
    assert expires == NOW + dt.timedelta(hours=8)
    agent = agent_for_token(store, token, NOW + dt.timedelta(hours=7))
    assert agent.username == "sara" and agent.is_supervisor
    assert agent_for_token(store, token, NOW + dt.timedelta(hours=8)) is None
    sign_out(store, token)
    assert agent_for_token(store, token, NOW) is None


def test_weak_passwords_and_unknown_roles_are_refused(store):
    with pytest.raises(ValueError):
        add_agent(store, "omar", "short", "agent", NOW)
    with pytest.raises(ValueError):
        add_agent(store, "omar", "a long password", "admin", NOW)
