"""Readiness checks of the stores a process depends on: each says `ok` or `unavailable`,
nothing else (no address, no error text: the reason goes to the process's log).

A check is a coroutine function; `readiness` runs them together, each within
`CHECK_TIMEOUT` seconds, so a readiness probe answers in a few seconds even when a store
hangs. Liveness has no checks: the process answers, so its event loop runs.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.store.database import Store

logger = logging.getLogger(__name__)

CHECK_TIMEOUT = 3.0
Check = Callable[[], Awaitable[None]]


def _select_one(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def database(store: Store) -> Check:
    """`SELECT 1` on the reports store (SQLite or PostgreSQL), off the event loop."""
    return engine(store.engine)


def engine(found: Engine) -> Check:
    """`SELECT 1` through an engine a process already has (Rasa's tracker store's)."""

    async def check() -> None:
        await asyncio.to_thread(_select_one, found)

    return check


def disk(folders: Iterable[Path], minimum_mb: int) -> Check:
    """Enough free space on every folder the process writes to (the first that exists of
    each path and its parents): below `minimum_mb` the process is not ready, and the log
    says where and how much is left, before a write fails on a full disk."""

    def measure() -> None:
        for folder in folders:
            existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
            if existing is None:
                continue
            free_mb = shutil.disk_usage(existing).free // (1024 * 1024)
            if free_mb < minimum_mb:
                logger.error(
                    "disk nearly full: %s MB free for %s (BALAGH_MIN_FREE_MB=%s)",
                    free_mb,
                    folder,
                    minimum_mb,
                )
                raise OSError(f"{free_mb} MB free for {folder}")

    async def check() -> None:
        await asyncio.to_thread(measure)

    return check


def data_folders(*urls: str, media: Path | None = None) -> list[Path]:
    """The folders of SQLite databases among `urls`, and the media folder."""
    found = [Path(url.split(":///", 1)[1]).parent for url in urls if url.startswith("sqlite:///")]
    return [*found, *([media] if media else [])]


def redis(url: str) -> Check:
    """`PING` to the Redis at `url` (`redis://[:password@]host:port/db`)."""

    async def check() -> None:
        from redis import asyncio as aioredis

        client = aioredis.Redis.from_url(
            url, socket_timeout=CHECK_TIMEOUT, socket_connect_timeout=CHECK_TIMEOUT
        )
        try:
            if not await client.ping():
                raise ConnectionError("Redis did not answer PONG")
        finally:
            await client.close()

    return check


def rabbitmq(url: str) -> Check:
    """An AMQP connection to the RabbitMQ at `url`, opened and closed."""

    async def check() -> None:
        import aiormq

        connection = await aiormq.connect(url)
        await connection.close()

    return check


async def _outcome(name: str, check: Check) -> str:
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT)
    except Exception as failure:  # noqa: BLE001 - any failure means "not ready"
        logger.warning("readiness: %s unavailable (%s)", name, type(failure).__name__)
        return "unavailable"
    return "ok"


async def readiness(checks: Mapping[str, Check]) -> tuple[bool, dict[str, str]]:
    """Run the checks together: (all ok, {name: "ok" | "unavailable"})."""
    names = list(checks)
    outcomes = await asyncio.gather(*(_outcome(name, checks[name]) for name in names))
    found = dict(zip(names, outcomes, strict=True))
    return all(outcome == "ok" for outcome in outcomes), found


def body(ready: bool, checks: Mapping[str, str]) -> dict[str, object]:
    """The JSON of a readiness answer (200 when ready, else 503)."""
    return {"status": "ready" if ready else "unavailable", "checks": dict(checks)}
