"""Tracker store tests' tools: a small domain, a coroutine run, a store's connection."""

from __future__ import annotations

import asyncio

from rasa.shared.core.domain import Domain
from sqlalchemy.engine import make_url

DOMAIN = Domain.from_yaml("version: '3.1'\nintents: [greet]\nslots: {}\n")


def run(coroutine):  # noqa: ANN001, ANN201
    return asyncio.run(coroutine)


def _connection(url: str) -> dict:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return {"dialect": "sqlite", "db": parsed.database}
    return {
        "dialect": "postgresql",
        "host": parsed.host,
        "port": parsed.port,
        "db": parsed.database,
        "username": parsed.username,
    }
