"""Desk accounts for tests: an agent or supervisor with a session, without scrypt."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from bot import clock
from bot.store.database import Store
from bot.store.models import Agent, AgentSession


def agent_with_session(
    store: Store,
    username: str,
    role: str,
    active: bool = True,
    display_name: str | None = None,
) -> str:
    """A desk account and a session for it (the session token stored as its SHA-256, as
    `bot.store.agents` does), without paying scrypt in every test; the token."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with store.session() as session:
        session.add(
            Agent(
                username=username,
                display_name=display_name or username,
                password_hash="unused",
                role=role,
                active=active,
                created_at=now,
            )
        )
        session.flush()
        session.add(
            AgentSession(
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                username=username,
                created_at=now,
                expires_at=now + dt.timedelta(hours=8),
            )
        )
    return token
