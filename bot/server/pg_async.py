"""PostgreSQL statements awaited on the event loop, over psycopg2's asynchronous connections.

A Rasa server handles every conversation on one event loop. A synchronous statement holds
that loop until PostgreSQL answers, and an INSERT's answer waits for the commit to reach
the disk: under load this was a sixth of the loop's time with nothing else running
(docs/benchmarks.md, "How changes were measured"). libpq can send a statement and be polled
for its answer; here the polling is done by the loop's selector (`add_reader`), so other
conversations go on meanwhile. No new dependency: psycopg2 is already Rasa's PostgreSQL
driver.

The connections are in autocommit mode (psycopg2's asynchronous connections always are):
each statement is a transaction of its own, which is what the tracker store needs.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import psycopg2
import psycopg2.extensions

# What a statement can raise when the server or the connection is gone.
CONNECTION_LOST = (psycopg2.OperationalError, psycopg2.InterfaceError)


def _wake(ready: asyncio.Future) -> None:
    if not ready.done():
        ready.set_result(None)


async def _until_ready(connection: Any) -> None:
    """Drive `connection.poll()` until the pending operation (connecting or a statement)
    is complete, waiting on the socket through the running loop."""
    loop = asyncio.get_running_loop()
    while True:
        state = connection.poll()
        if state == psycopg2.extensions.POLL_OK:
            return
        if state == psycopg2.extensions.POLL_READ:
            watch, unwatch = loop.add_reader, loop.remove_reader
        elif state == psycopg2.extensions.POLL_WRITE:
            watch, unwatch = loop.add_writer, loop.remove_writer
        else:  # POLL_ERROR: poll() raises rather than return it; kept for safety
            raise psycopg2.OperationalError(f"unexpected poll state {state}")
        descriptor = connection.fileno()
        ready = loop.create_future()
        watch(descriptor, _wake, ready)
        try:
            await ready
        finally:
            unwatch(descriptor)


class AsyncPostgres:
    """Up to `size` asynchronous connections with the keyword arguments of
    `psycopg2.connect`; `fetch` runs one statement on a free one."""

    def __init__(self, connect_arguments: dict[str, Any], size: int = 4) -> None:
        self.connect_arguments = connect_arguments
        self.size = size
        self._idle: list[Any] = []
        self._slots: asyncio.Semaphore | None = None
        self._slots_loop: asyncio.AbstractEventLoop | None = None

    async def _connect(self) -> Any:
        connection = psycopg2.connect(**self.connect_arguments, async_=1)
        try:
            await _until_ready(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    def _semaphore(self) -> asyncio.Semaphore:
        """The pool's slots, for the running loop (a new loop, as in tests that run each
        step with `asyncio.run`, gets new slots; connections are not tied to a loop)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots_loop is not loop:
            self._slots, self._slots_loop = asyncio.Semaphore(self.size), loop
        return self._slots

    async def fetch(self, sql: str, parameters: tuple | list = ()) -> list[tuple]:
        """Run `sql` (with `%s` placeholders) and return its rows (none for a statement
        that returns none). A connection that failed or was interrupted is closed, not
        reused: its state is unknown. When one is found lost, the idle ones are closed
        too, so that the caller's single retry gets a new connection."""
        async with self._semaphore():
            connection = self._idle.pop() if self._idle else await self._connect()
            try:
                cursor = connection.cursor()
                cursor.execute(sql, parameters)
                await _until_ready(connection)
                rows = cursor.fetchall() if cursor.description is not None else []
                cursor.close()
            except BaseException as failure:
                with contextlib.suppress(Exception):
                    connection.close()
                if isinstance(failure, CONNECTION_LOST):
                    self.close()  # a restarted server has ended the idle ones too
                raise
            self._idle.append(connection)
            return rows

    def backend_pids(self) -> list[int]:
        """The server processes of the idle connections (tests end them to play a
        PostgreSQL restart)."""
        return [connection.get_backend_pid() for connection in self._idle]

    def close(self) -> None:
        while self._idle:
            with contextlib.suppress(Exception):
                self._idle.pop().close()
