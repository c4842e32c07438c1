"""The atomic Redis lock store, against the real Redis: Rasa's read-modify-write loses
tickets when two servers interleave; ours issues unique tickets and serves them one at a
time, in order, whichever server (store instance, connection) asked."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import deque

import pytest
import redis
from rasa.core.lock_store import RedisLockStore

from bot.server.locking import AtomicRedisLockStore

pytestmark = pytest.mark.redis


@pytest.fixture
def prefix():
    value = f"balagh:test:{uuid.uuid4().hex[:8]}:"
    yield value
    client = redis.Redis(db=1)
    for key in client.scan_iter(f"{value}*"):
        client.delete(key)


def test_rasa_redis_lock_store_issues_one_ticket_twice_when_servers_interleave():
    """The race this module exists for, replayed step by step (deterministic)."""
    first, second = RedisLockStore(db=1), RedisLockStore(db=1)
    conversation = f"race-{uuid.uuid4().hex}"
    try:
        lock_seen_by_first = first.get_or_create_lock(conversation)
        lock_seen_by_second = second.get_or_create_lock(conversation)
        ticket_of_first = lock_seen_by_first.issue_ticket(60)
        ticket_of_second = lock_seen_by_second.issue_ticket(60)
        first.save_lock(lock_seen_by_first)
        second.save_lock(lock_seen_by_second)
        assert ticket_of_first == ticket_of_second  # both would process at once
        assert len(first.get_lock(conversation).tickets) == 1  # one ticket lost
    finally:
        first.delete_lock(conversation)


def test_tickets_are_unique_and_consecutive_under_concurrency(prefix):
    stores = [AtomicRedisLockStore(db=1, key_prefix=prefix) for _ in range(2)]
    conversation = "c1"
    issued: list[int] = []
    guard = threading.Lock()

    def issue(store: AtomicRedisLockStore) -> None:
        for _ in range(50):
            ticket = store.issue_ticket(conversation, 60)
            with guard:
                issued.append(ticket)

    threads = [threading.Thread(target=issue, args=(stores[n % 2],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(issued) == list(range(400))
    assert len(stores[0].get_lock(conversation).tickets) == 400


def test_holders_never_overlap_and_are_served_in_ticket_order(prefix):
    stores = [AtomicRedisLockStore(db=1, key_prefix=prefix, poll_interval=0.001) for _ in range(2)]
    conversation = "c2"
    inside = 0
    overlaps = 0
    served: list[int] = []

    async def message(number: int) -> None:
        nonlocal inside, overlaps
        async with stores[number % 2].lock(conversation) as lock:
            inside += 1
            overlaps += inside > 1
            served.append(lock.now_serving)
            await asyncio.sleep(0.002)  # the message's work, yielding to the others
            inside -= 1

    async def all_messages() -> None:
        await asyncio.gather(*(message(n) for n in range(40)))

    asyncio.run(all_messages())
    assert overlaps == 0
    assert served == sorted(served) and len(set(served)) == 40
    assert stores[0].get_lock(conversation) is None  # the last holder removed the lock


def test_a_crashed_holder_does_not_block_the_conversation_forever(prefix):
    store = AtomicRedisLockStore(db=1, key_prefix=prefix, poll_interval=0.001)
    store.issue_ticket("c3", lock_lifetime=0.05)  # its holder died without cleaning up

    async def next_message() -> int:
        async with store.lock("c3", lock_lifetime=5) as lock:
            return lock.now_serving

    assert asyncio.run(next_message()) == 1


def test_locks_keep_rasas_stored_format(prefix):
    """The scripts read and write the lock as Rasa's `TicketLock` serialises it."""
    import time

    from rasa.core.lock import Ticket, TicketLock

    store = AtomicRedisLockStore(db=1, key_prefix=prefix)
    written = TicketLock("c4", deque([Ticket(3, time.time() + 60), Ticket(2, time.time() - 1)]))
    store.red.set(store._key("c4"), written.dumps())
    assert store.issue_ticket("c4", lock_lifetime=30) == 4  # after the live ticket 3
    lock = store.get_lock("c4")
    assert [ticket.number for ticket in lock.tickets] == [3, 4]  # the expired one is gone
    assert 25 < lock.tickets[-1].expires - time.time() <= 30
    assert 60_000 < store.red.pttl(store._key("c4")) <= 61_000  # a second after ticket 3
    store.finish_serving("c4", 3)
    assert [ticket.number for ticket in store.get_lock("c4").tickets] == [4]
    store.finish_serving("c4", 4)
    assert store.get_lock("c4") is None and not store.red.exists(store._key("c4"))


def test_a_message_whose_lock_expired_while_it_waited_fails_as_in_rasa(prefix):
    """Every ticket, the holder's and the waiter's own, expired before the holder finished
    (a holder stuck for the lock's whole lifetime): the waiter gets Rasa's `LockError`
    instead of processing the message alongside the stuck holder."""
    from rasa.core.lock_store import LockError

    store = AtomicRedisLockStore(db=1, key_prefix=prefix, poll_interval=0.005)
    store.issue_ticket("c5", lock_lifetime=0.05)  # the stuck holder

    async def waiting_message() -> None:
        async with store.lock("c5", lock_lifetime=0.01):
            raise AssertionError("served while the holder's ticket was live")

    with pytest.raises(LockError):
        asyncio.run(waiting_message())
    assert store.get_lock("c5") is None


def test_the_first_message_of_a_conversation_is_served_at_once(prefix):
    """No other ticket: the ticket is issued already served (no second look at the lock),
    and given back on the way out even when the message fails."""
    store = AtomicRedisLockStore(db=1, key_prefix=prefix, poll_interval=60)

    async def failing_message() -> int:
        async with store.lock("c6") as lock:
            assert [ticket.number for ticket in store.get_lock("c6").tickets] == [0]
            raise RuntimeError(lock.now_serving)

    with pytest.raises(RuntimeError, match="0"):
        asyncio.run(failing_message())
    assert store.get_lock("c6") is None
