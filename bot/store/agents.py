"""Agents' accounts and sign-in sessions.

Passwords are stored as scrypt hashes with a per-password salt; session tokens are random,
only their SHA-256 is stored, and they expire (BALAGH_AGENT_SESSION_HOURS, default 8).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select

from bot.rules.input_bounds import MAX_BEARER_TOKEN
from bot.store.database import Store
from bot.store.models import Agent, AgentSession

ROLES = ("agent", "supervisor")
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


@dataclass(frozen=True)
class AgentView:
    username: str
    display_name: str
    role: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), **SCRYPT)
    return hmac.compare_digest(candidate.hex(), digest)


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
    if len(password) < 10:
        raise ValueError("password must have at least 10 characters")
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
    """A new session token and its expiry, or None for a wrong name or password."""
    with store.session() as session:
        agent = session.get(Agent, username)
        # Hash even for unknown users, so timing does not reveal which names exist.
        stored = agent.password_hash if agent and agent.active else hash_password("x" * 12)
        if not (password_matches(password, stored) and agent and agent.active):
            return None
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
        expires = agent_session.expires_at
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=dt.timezone.utc)
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
