"""Shared fixtures: a fresh reports store on SQLite and on the real PostgreSQL; the local
RabbitMQ's address and a way to remove a test's queue from it."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from bot.store.database import Store

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

POSTGRES_ADMIN_URL = os.environ.get(
    "BALAGH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


def delete_queue(queue: str, amqp_url: str = AMQP_URL) -> None:
    """Remove a test's queue from the local RabbitMQ (one left bound to Rasa's fanout
    exchange would receive a copy of every event any relay publishes from then on)."""
    import aio_pika

    async def delete() -> None:
        connection = await aio_pika.connect_robust(amqp_url)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(queue)

    asyncio.run(delete())


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"balagh_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'reports.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """Each store test runs on SQLite and on PostgreSQL, with the same code."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'reports.db'}"
    return request.getfixturevalue("postgres_url")


def migrated_store(url: str) -> Iterator[Store]:
    store = Store(url)
    store.upgrade()
    yield store
    store.dispose()  # before the test's database is dropped


@pytest.fixture
def store(database_url) -> Iterator[Store]:
    """The reports store at `database_url` (SQLite, then PostgreSQL), migrated."""
    yield from migrated_store(database_url)


@pytest.fixture
def sqlite_store(sqlite_url) -> Iterator[Store]:
    """A migrated reports store on SQLite."""
    yield from migrated_store(sqlite_url)


@pytest.fixture
def postgres_store(postgres_url) -> Iterator[Store]:
    """A migrated reports store in a new PostgreSQL database."""
    yield from migrated_store(postgres_url)


@pytest.fixture(scope="session")
def bot(tmp_path_factory):  # noqa: ANN201 - tests.e2e.conftest.Bot
    """Balagh on the embedded default (SQLite for reports and conversations), shared by
    the end-to-end and the security tests of one run."""
    from tests.e2e.conftest import running_bot

    work = tmp_path_factory.mktemp("balagh")
    with running_bot(
        work, f"sqlite:///{work / 'reports.db'}", f"sqlite:///{work / 'conversations.db'}"
    ) as running:
        yield running


@pytest.fixture
def sender() -> str:
    """A new REST sender (stored as the conversation `rest:<sender>`)."""
    return f"test-{uuid.uuid4().hex[:12]}"
