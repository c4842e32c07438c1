"""Sign-in throttling for the desk: per username and per client address, with backoff.

After `free` failed sign-ins in a row, each further failure locks the name (or the address)
for `base · 2^(failures − free)` seconds, at most `cap`: 15 s, 30 s, 1 min … 15 min. While
locked, a sign-in is answered 429 with `Retry-After` before any password is checked (the
right password too), and the console says the wait in Arabic. A success clears the
username's count (not the address's: one's own account must not reset an address guessing
others'). Counts are forgotten a day after their last failure.

Attempts of one username or one address run one at a time (the second waits for the first to
be counted), so a burst of parallel guesses cannot slip through before the first failure is
recorded; and at most `HASHING` scrypt computations (128 MiB each) run at once in the desk.
The counts live in the desk's memory: the desk is one process (docs/security.md).

The client address is the one nginx saw (the last `X-Forwarded-For` entry, which the edge
appends) when the request came through the edge (it sets `X-Balagh-Edge`); otherwise the
connection's peer. The desk's port is reachable only from nginx and the internal network.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from bot.rules.arabic import counted
from bot.rules.input_bounds import caller_address
from bot.settings import EDGE_HEADER

HASHING = 2  # scrypt computations at once (each takes 128 MiB and about a second)
DAY = 24 * 3600.0


@dataclass
class _Count:
    failures: int = 0
    last: float = 0.0
    locked_until: float = 0.0


class Throttle:
    """Failures per key with exponential backoff. Pure: the caller gives the time."""

    def __init__(
        self,
        free: int,
        base: float = 15.0,
        cap: float = 900.0,
        forget_after: float = DAY,
        max_keys: int = 50_000,
    ) -> None:
        self.free, self.base, self.cap = free, base, cap
        self.forget_after, self.max_keys = forget_after, max_keys
        self._counts: OrderedDict[str, _Count] = OrderedDict()

    def _get(self, key: str, now: float) -> _Count | None:
        count = self._counts.get(key)
        if count is not None and now - count.last > self.forget_after:
            del self._counts[key]
            return None
        return count

    def wait(self, key: str, now: float) -> float:
        """Seconds before `key` may try again (0: now)."""
        count = self._get(key, now)
        return max(0.0, count.locked_until - now) if count else 0.0

    def delay_after(self, failures: int) -> float:
        """The lock that the `failures`-th failure in a row sets (0 while still free)."""
        if failures < self.free:
            return 0.0
        return min(self.cap, self.base * 2.0 ** min(failures - self.free, 32))

    def failed(self, key: str, now: float) -> float:
        """Count a failure; returns the lock it set (seconds, 0 for none)."""
        count = self._get(key, now) or _Count()
        count.failures += 1
        count.last = now
        delay = self.delay_after(count.failures)
        count.locked_until = now + delay if delay else 0.0
        self._counts[key] = count
        self._counts.move_to_end(key)
        while len(self._counts) > self.max_keys:  # bounded memory: the stalest go first
            self._counts.popitem(last=False)
        return delay

    def succeeded(self, key: str) -> None:
        self._counts.pop(key, None)

    def failures(self, key: str, now: float) -> int:
        count = self._get(key, now)
        return count.failures if count else 0


def wait_in_arabic(seconds: float) -> str:
    """«حاول مجدداً بعد …» with the wait rounded up to whole seconds or minutes. Pure."""
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        amount = counted(whole, "ثانية واحدة", "ثانيتين", "ثوانٍ", "ثانية")
    else:
        amount = counted(math.ceil(whole / 60), "دقيقة واحدة", "دقيقتين", "دقائق", "دقيقة")
    return f"محاولات دخول كثيرة غير صحيحة. حاول مجدداً بعد {amount}."


def client_address(request: web.Request) -> str:
    """The caller's address: nginx's view when the request came through the edge
    (`caller_address`)."""
    return caller_address(
        request.remote, request.headers.get(EDGE_HEADER), request.headers.get("X-Forwarded-For")
    )


class _KeyedLocks:
    """One asyncio lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class SignInGuard:
    """What the desk's `POST /api/agents/login` goes through (one per desk app)."""

    def __init__(self) -> None:
        self.usernames = Throttle(free=5)
        self.addresses = Throttle(free=20)
        self._locks = _KeyedLocks()
        self.hashing = asyncio.Semaphore(HASHING)

    @contextlib.asynccontextmanager
    async def attempt(self, username: str, address: str) -> AsyncIterator[None]:
        """Attempts of one address, and of one username, one at a time."""
        async with self._locks.hold("a:" + address), self._locks.hold("u:" + username.casefold()):
            yield

    def wait(self, username: str, address: str, now: float) -> float:
        return max(self.usernames.wait(username.casefold(), now), self.addresses.wait(address, now))

    def failed(self, username: str, address: str, now: float) -> None:
        self.usernames.failed(username.casefold(), now)
        self.addresses.failed(address, now)

    def succeeded(self, username: str) -> None:
        self.usernames.succeeded(username.casefold())


GUARD_KEY = web.AppKey("sign_in_guard", SignInGuard)
