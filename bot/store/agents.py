"""Agents' accounts and sign-in sessions.

Passwords are stored as scrypt hashes at OWASP's current cost (N=2^17, r=8, p=1) with a
per-password salt, the parameters written in the hash (`scrypt$ln=17,r=8,p=1$<salt>$<key>`);
hashes of the first format (`scrypt$<salt>$<key>`, N=2^14) still verify and are rewritten at
the next successful sign-in. A password is at least 12 characters, not one character (or a
short group) repeated, not the username and not a common password (`common_passwords.txt`).
Session tokens are random, only their SHA-256 is stored, and they expire
(BALAGH_AGENT_SESSION_HOURS, default 8). Throttling and running the hash off the event loop
are the desk's (`bot/desk/sign_in.py`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import delete, select

from bot.rules.input_bounds import MAX_BEARER_TOKEN
from bot.store.database import Store, utc
from bot.store.models import Agent, AgentSession

ROLES = ("agent", "supervisor")
MIN_PASSWORD = 12


@dataclass(frozen=True)
class ScryptCost:
    log2_n: int
    r: int
    p: int

    @property
    def label(self) -> str:
        return f"ln={self.log2_n},r={self.r},p={self.p}"

    @property
    def maxmem(self) -> int:
        """What OpenSSL needs (128·r·(N+2) + 128·r·p bytes), with 1 MiB to spare: hashlib's
        default limit (32 MiB) refuses N=2^17."""
        return 128 * self.r * (2**self.log2_n + 2 + self.p) + 2**20

    def derive(self, password: str, salt: bytes) -> bytes:
        return hashlib.scrypt(
            password.encode(),
            salt=salt,
            n=2**self.log2_n,
            r=self.r,
            p=self.p,
            maxmem=self.maxmem,
            dklen=32,
        )


# OWASP Password Storage Cheat Sheet: scrypt N=2^17, r=8, p=1 (128 MiB, about a second here).
CURRENT = ScryptCost(17, 8, 1)
LEGACY = ScryptCost(14, 8, 1)  # hashes written before issue 19: `scrypt$<salt>$<key>`
_LABEL = re.compile(r"ln=(\d{1,2}),r=(\d{1,2}),p=(\d)")
# Compared with a password of an unknown (or disabled) username, so that a wrong name costs
# exactly one scrypt at the current cost, like a wrong password; random, so nothing matches.
DUMMY_HASH = f"scrypt${CURRENT.label}${secrets.token_hex(16)}${secrets.token_hex(32)}"


@dataclass(frozen=True)
class AgentView:
    username: str
    display_name: str
    role: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


def hash_password(password: str, cost: ScryptCost = CURRENT) -> str:
    salt = secrets.token_bytes(16)
    return f"scrypt${cost.label}${salt.hex()}${cost.derive(password, salt).hex()}"


def _parse(stored: str) -> tuple[ScryptCost, bytes, str] | None:
    parts = stored.split("$")
    try:
        if len(parts) == 3 and parts[0] == "scrypt":
            return LEGACY, bytes.fromhex(parts[1]), parts[2]
        if len(parts) == 4 and parts[0] == "scrypt":
            found = _LABEL.fullmatch(parts[1])
            if found is None:
                return None
            cost = ScryptCost(*(int(g) for g in found.groups()))
            if not (14 <= cost.log2_n <= 20 and 1 <= cost.r <= 16 and 1 <= cost.p <= 4):
                return None  # a hash we never write: refuse rather than run an odd cost
            return cost, bytes.fromhex(parts[2]), parts[3]
    except ValueError:
        return None
    return None


def password_matches(password: str, stored: str) -> bool:
    """One scrypt at the hash's own cost, compared in constant time."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    cost, salt, digest = parsed
    return hmac.compare_digest(cost.derive(password, salt).hex(), digest)


def needs_upgrade(stored: str) -> bool:
    """Is this hash below the current cost (rewritten at the next successful sign-in)?"""
    parsed = _parse(stored)
    return parsed is None or parsed[0] != CURRENT


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
    )


_TAIL = string.digits + string.punctuation + " "


def password_problem(password: str, username: str) -> str | None:
    """Why `password` may not be an agent's password, or None. Pure."""
    if len(password) < MIN_PASSWORD:
        return f"password must have at least {MIN_PASSWORD} characters"
    folded = password.casefold()
    for unit in range(1, 4):
        if len(folded) % unit == 0 and folded == folded[:unit] * (len(folded) // unit):
            return "password must not be one character (or a short group) repeated"
    name = username.casefold()
    if name and name in (folded, folded.rstrip(_TAIL), folded[::-1]):
        return "password must not be the username"
    common = common_passwords()
    stem = folded.rstrip(_TAIL)
    if folded in common or stem in common or folded.replace(" ", "") in common:
        return "password is a common password; choose another"
    return None


def check_password(password: str, username: str) -> None:
    """Raise ValueError (the reason) for a password an agent may not have."""
    problem = password_problem(password, username)
    if problem:
        raise ValueError(problem)


def add_agent(
    store: Store,
    username: str,
    password: str,
    role: str,
    now: dt.datetime,
    display_name: str | None = None,
    telegram_user_id: str | None = None,
) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    check_password(password, username)
    with store.session() as session:
        session.add(
            Agent(
                username=username,
                display_name=display_name or username,
                password_hash=hash_password(password),
                role=role,
                telegram_user_id=telegram_user_id,
                active=True,
                created_at=now,
            )
        )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _plausible_token(token: str) -> bool:
    """Session tokens are short printable ASCII (`token_urlsafe`); anything else (latin-1
    header bytes arrive as surrogate escapes) matches no session and is never hashed."""
    return bool(token) and len(token) <= MAX_BEARER_TOKEN and token.isascii()


def sign_in(
    store: Store, username: str, password: str, now: dt.datetime, hours: float = 8
) -> tuple[str, dt.datetime] | None:
    """A new session token and its expiry, or None for a wrong name or password.

    Exactly one scrypt whatever the name: an unknown or disabled username is compared with
    `DUMMY_HASH`, so timing does not tell which names exist. A hash below the current cost
    is rewritten after a successful check. Blocking (about a second): the desk runs it in a
    worker thread (`Store.run`), never on its event loop."""
    with store.session() as session:
        agent = session.get(Agent, username)
        known = agent is not None and agent.active
        stored = agent.password_hash if known else DUMMY_HASH
        if not (password_matches(password, stored) and known):
            return None
        if needs_upgrade(stored):
            agent.password_hash = hash_password(password)
        token = secrets.token_urlsafe(32)
        expires = now + dt.timedelta(hours=hours)
        session.add(
            AgentSession(
                token_hash=_token_hash(token), username=username, created_at=now, expires_at=expires
            )
        )
        return token, expires


def agent_for_token(store: Store, token: str, now: dt.datetime) -> AgentView | None:
    if not _plausible_token(token):
        return None
    with store.session() as session:
        row = session.execute(
            select(AgentSession, Agent)
            .join(Agent, Agent.username == AgentSession.username)
            .where(AgentSession.token_hash == _token_hash(token))
        ).first()
        if row is None:
            return None
        agent_session, agent = row
        expires = utc(agent_session.expires_at)
        if expires <= now or not agent.active:
            return None
        return AgentView(agent.username, agent.display_name, agent.role)


def is_active_agent(store: Store, username: str) -> bool:
    """Whether `username` names an active desk account (e.g. a reassignment's target)."""
    with store.session() as session:
        agent = session.get(Agent, username)
        return bool(agent and agent.active)


def sign_out(store: Store, token: str) -> None:
    if not _plausible_token(token):
        return
    with store.session() as session:
        session.execute(delete(AgentSession).where(AgentSession.token_hash == _token_hash(token)))
