"""Helpers for the attacker's tests: raw HTTP requests to the real processes (every status
is returned, none raised) and a look into the stores to prove that nothing changed."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.store.database import Store
from bot.store.models import AuditEntry, OutboxMessage, Report, StatusChange, SurveyAnswer


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):  # noqa: ANN201
        return json.loads(self.body or b"null")


def request(
    base_url: str,
    method: str,
    path: str,
    body: bytes | str | dict | list | None = None,
    headers: dict[str, str | bytes] | None = None,
    timeout: float = 60,
) -> Reply:
    """Send exactly this request (http.client: nothing is normalised or refused locally)."""
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    if isinstance(body, dict | list):
        body = json.dumps(body)
        headers = {"Content-Type": "application/json", **(headers or {})}
    if isinstance(body, str):
        body = body.encode()
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def store_counts(store: Store) -> dict[str, int]:
    """How many rows each table an attack could touch holds."""
    tables = {
        "reports": Report,
        "status_changes": StatusChange,
        "outbox": OutboxMessage,
        "surveys": SurveyAnswer,
        "audit": AuditEntry,
    }
    with store.session() as session:
        return {
            name: session.execute(select(func.count()).select_from(model)).scalar_one()
            for name, model in tables.items()
        }
