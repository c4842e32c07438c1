"""Issue 19, item 5, the pure parts: sign-in throttling and its Arabic wait, masked
conversation ids, the password rules, scrypt's cost and old hashes, the pages' headers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from bot.desk.handoff_api import masked_conversation
from bot.desk.headers import PAGES_CSP, policy_for
from bot.desk.sign_in import Throttle, wait_in_arabic
from bot.store import agents
from bot.store.agents import (
    CURRENT,
    LEGACY,
    add_agent,
    hash_password,
    needs_upgrade,
    password_matches,
    password_problem,
    sign_in,
)
from bot.store.models import Agent

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)
GOOD = "correct horse battery"


# --- throttling ----------------------------------------------------------------------------


def test_the_first_failures_are_free_then_the_wait_doubles_up_to_the_cap():
    throttle = Throttle(free=5, base=15, cap=900)
    waits = [throttle.failed("sara", 0.0) for _ in range(12)]
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:10] == [15, 30, 60, 120, 240, 480]
    assert waits[10:] == [900, 900]
    assert throttle.wait("sara", 0.0) == 900
    assert throttle.wait("sara", 899.0) == 1
    assert throttle.wait("sara", 900.0) == 0
    assert throttle.wait("omar", 0.0) == 0  # one key's failures are its own


def test_a_success_clears_the_count_and_a_day_forgets_it():
    throttle = Throttle(free=2, base=10, cap=100, forget_after=3600)
    throttle.failed("sara", 0.0)
    throttle.failed("sara", 1.0)
    assert throttle.wait("sara", 1.0) == 10
    throttle.succeeded("sara")
    assert throttle.wait("sara", 1.0) == 0 and throttle.failures("sara", 1.0) == 0
    throttle.failed("omar", 0.0)
    assert throttle.failures("omar", 3601.0) == 0  # forgotten


def test_the_counts_are_bounded():
    throttle = Throttle(free=1, max_keys=100)
    for i in range(1000):
        throttle.failed(f"user-{i}", 0.0)
    assert len(throttle._counts) == 100
    assert throttle.wait("user-999", 0.0) > 0  # the newest are kept


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0.2, "بعد ثانية واحدة"),
        (2, "بعد ثانيتين"),
        (15, "بعد 15 ثانية"),
        (5, "بعد 5 ثوانٍ"),
        (60, "بعد دقيقة واحدة"),
        (61, "بعد دقيقتين"),
        (240, "بعد 4 دقائق"),
        (900, "بعد 15 دقيقة"),
    ],
)
def test_the_wait_is_said_in_arabic(seconds, said):
    message = wait_in_arabic(seconds)
    assert said in message and message.startswith("محاولات دخول كثيرة")


# --- masked conversation ids --------------------------------------------------------------


@pytest.mark.parametrize(
    ("conversation", "masked"),
    [
        ("whatsapp:+966512345678", "whatsapp:+**********78"),
        ("+966512345678", "+**********78"),
        ("web:3f2a9c0e1b7d4e55", "web:**************55"),
        ("rest:user-1a2b3c4d", "rest:***********4d"),
        ("rest:abc", "rest:***"),
        ("tg:12", "tg:**"),
    ],
)
def test_conversation_ids_are_masked_but_the_last_two_characters(conversation, masked):
    assert masked_conversation(conversation) == masked


def test_a_masked_phone_number_shows_at_most_two_of_its_digits():
    phone = "whatsapp:+966512345678"
    digits = [c for c in masked_conversation(phone) if c.isdigit()]
    assert digits == ["7", "8"]


# --- passwords -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "short pass",  # 10 characters
        "a" * 12,
        "ا" * 16,
        "ab" * 8,
        "123" * 5,
        "sara.alharbi",  # the username
        "SARA.ALHARBI2025!",  # the username with digits after it
        "password1234",
        "Password2024!",
        "P@ssw0rd12345",
        "qwertyuiop12",
        "123456789012",
        "correct horse battery staple",
    ],
)
def test_weak_passwords_are_refused(password):
    assert password_problem(password, "sara.alharbi") is not None


@pytest.mark.parametrize(
    "password", [GOOD, "a long password", "بلاغ يحتاج كلمة طويلة", "Xk3#vR9!qP2m"]
)
def test_good_passwords_are_accepted(password):
    assert password_problem(password, "sara.alharbi") is None


def test_add_agent_refuses_a_weak_password(sqlite_store):
    for weak in ("x" * 12, "omar.saleh12", "password2024", "eleven char"):
        with pytest.raises(ValueError):
            add_agent(sqlite_store, "omar.saleh", weak, "agent", NOW)


# --- hashes --------------------------------------------------------------------------------


def test_new_hashes_use_owasp_s_scrypt_cost():
    assert (CURRENT.log2_n, CURRENT.r, CURRENT.p) == (17, 8, 1)
    assert CURRENT.maxmem > 128 * 8 * 2**17  # hashlib's 32 MiB default would refuse it
    stored = hash_password(GOOD)
    assert stored.startswith("scrypt$ln=17,r=8,p=1$") and not needs_upgrade(stored)
    assert password_matches(GOOD, stored) and not password_matches(GOOD + "!", stored)


def test_a_legacy_hash_verifies_and_is_upgraded_at_the_next_sign_in(sqlite_store):
    add_agent(sqlite_store, "sara", GOOD, "agent", NOW)
    legacy = hash_password(GOOD, LEGACY)
    assert legacy.startswith("scrypt$ln=14,r=8,p=1$")
    old_format = "scrypt$" + legacy.split("$", 2)[2]  # scrypt$<salt>$<key>, N=2^14
    assert password_matches(GOOD, old_format) and needs_upgrade(old_format)
    with sqlite_store.session() as session:
        session.execute(
            update(Agent).where(Agent.username == "sara").values(password_hash=old_format)
        )
    assert sign_in(sqlite_store, "sara", "wrong password!", NOW) is None
    with sqlite_store.session() as session:
        assert session.get(Agent, "sara").password_hash == old_format  # not on a failure
    assert sign_in(sqlite_store, "sara", GOOD, NOW) is not None
    with sqlite_store.session() as session:
        upgraded = session.get(Agent, "sara").password_hash
    assert upgraded.startswith("scrypt$ln=17,") and password_matches(GOOD, upgraded)
    assert sign_in(sqlite_store, "sara", GOOD, NOW) is not None


def test_unknown_and_known_usernames_cost_one_scrypt_each(sqlite_store, monkeypatch):
    add_agent(sqlite_store, "sara", GOOD, "agent", NOW)
    costs = []
    real = agents.ScryptCost.derive

    def counted(self, password, salt):
        costs.append(self)
        return real(self, password, salt)

    monkeypatch.setattr(agents.ScryptCost, "derive", counted)
    assert sign_in(sqlite_store, "nobody", GOOD, NOW) is None
    assert sign_in(sqlite_store, "sara", "wrong password!", NOW) is None
    assert costs == [CURRENT, CURRENT]  # one each, at the same cost
    with sqlite_store.session() as session:
        session.execute(update(Agent).where(Agent.username == "sara").values(active=False))
    costs.clear()
    assert sign_in(sqlite_store, "sara", GOOD, NOW) is None  # disabled: like a stranger
    assert costs == [CURRENT]


@pytest.mark.parametrize(
    "stored", ["", "plain", "scrypt$zz$zz", "scrypt$ln=30,r=8,p=1$00$00", "bcrypt$a$b$c"]
)
def test_a_malformed_hash_matches_nothing(stored):
    assert not password_matches(GOOD, stored)


# --- headers -------------------------------------------------------------------------------


def test_the_pages_policy_allows_no_inline_script_and_no_framing():
    directives = dict(d.split(" ", 1) for d in PAGES_CSP.split("; "))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in PAGES_CSP and "unsafe-eval" not in PAGES_CSP
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'none'"
    assert policy_for("/console") == PAGES_CSP
    assert policy_for("/console/supervisors") == PAGES_CSP
    assert policy_for("/console/assets/console.js") == PAGES_CSP
    assert "frame-ancestors 'none'" in policy_for("/api/handoffs")
    assert policy_for("/widget/balagh-widget.js") is None
