"""PostgreSQL statements awaited on the loop (`bot.server.pg_async`), against the real server."""

from __future__ import annotations

import asyncio

import psycopg2
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.dialects.postgresql.psycopg2 import PGDialect_psycopg2
from sqlalchemy.engine import make_url

from bot.server.pg_async import CONNECTION_LOST, AsyncPostgres
from tests.conftest import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.postgres


def pool_for(url: str, size: int = 4) -> AsyncPostgres:
    _, arguments = PGDialect_psycopg2().create_connect_args(make_url(url))
    return AsyncPostgres(arguments, size=size)


def test_rows_of_a_query_and_none_of_a_statement(postgres_url):
    pool = pool_for(postgres_url)

    async def steps() -> tuple[list, list, list]:
        created = await pool.fetch("CREATE TABLE t (id SERIAL PRIMARY KEY, name TEXT)")
        inserted = await pool.fetch(
            "INSERT INTO t (name) VALUES (%s), (%s) RETURNING id", ["أ", "ب"]
        )
        return created, inserted, await pool.fetch("SELECT name FROM t ORDER BY id")

    created, inserted, selected = asyncio.run(steps())
    assert created == [] and inserted == [(1,), (2,)] and selected == [("أ",), ("ب",)]
    pool.close()


def test_the_loop_runs_other_work_while_postgresql_answers(postgres_url):
    """A slow statement does not hold the loop: a quick one sent after it, on another
    connection, is answered first (with a blocking driver it could only come second)."""
    pool = pool_for(postgres_url)
    finished: list[str] = []

    async def statement(name: str, sql: str) -> None:
        await pool.fetch(sql)
        finished.append(name)

    async def both() -> None:
        slow = asyncio.ensure_future(statement("slow", "SELECT pg_sleep(0.3)"))
        await asyncio.sleep(0)  # the slow statement is sent first
        await statement("quick", "SELECT 1")
        await slow

    asyncio.run(both())
    assert finished == ["quick", "slow"]
    pool.close()


def test_concurrent_statements_never_share_a_connection(postgres_url):
    """psycopg2 refuses a second statement on a connection still running one; more
    statements than connections wait for a free one."""
    pool = pool_for(postgres_url, size=3)

    async def many() -> list[list[tuple]]:
        return await asyncio.gather(
            *(pool.fetch("SELECT %s::int, pg_sleep(0.01)", (n,)) for n in range(20))
        )

    answers = asyncio.run(many())
    assert [rows[0][0] for rows in answers] == list(range(20))
    assert len(pool.backend_pids()) == 3
    pool.close()


def test_after_a_restart_one_retry_gets_a_new_connection(postgres_url):
    """A PostgreSQL restart ends every connection: the first statement finds its
    connection lost, and every idle one is dropped with it, so the retry connects anew."""
    pool = pool_for(postgres_url, size=3)

    async def warm() -> None:
        await asyncio.gather(*(pool.fetch("SELECT pg_sleep(0.01)") for _ in range(3)))

    asyncio.run(warm())
    old = set(pool.backend_pids())
    assert len(old) == 3
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for pid in old:
            connection.execute(text(f"SELECT pg_terminate_backend({pid})"))
    admin.dispose()
    with pytest.raises(CONNECTION_LOST):
        asyncio.run(pool.fetch("SELECT 1"))
    assert asyncio.run(pool.fetch("SELECT 2")) == [(2,)]
    assert not set(pool.backend_pids()) & old
    pool.close()


def test_a_failed_statement_leaves_the_pool_usable(postgres_url):
    pool = pool_for(postgres_url, size=1)
    with pytest.raises(psycopg2.errors.UndefinedTable):
        asyncio.run(pool.fetch("SELECT * FROM missing"))
    assert asyncio.run(pool.fetch("SELECT 3")) == [(3,)]
    pool.close()
