"""A Redis lock store whose tickets cannot be lost or duplicated between replicas.

Rasa's `RedisLockStore` reads the conversation's ticket lock, changes it in Python and
writes it back. Two replicas taking messages of one conversation at once can both read
"last ticket 3", both issue ticket 4 and process the two messages concurrently; a replica
finishing its ticket can write back a lock that drops the ticket another replica has
just added, or delete the lock under a waiting replica (which then fails with
`LockError` and the message is lost). Here issuing and returning a ticket are each one
Lua script that Redis runs atomically (one round trip; the lock keeps Rasa's stored
format, listed with the rest in `bot.server.patches`), and any other change is an
optimistic transaction (WATCH/MULTI, retried on conflict), so tickets are issued and
removed atomically and messages of a conversation are served one at a time, in ticket
order, whichever replica received them. Waiting replicas poll every `poll_interval`
seconds (Rasa polls once a second).

Configured in endpoints.yml as `type: bot.server.locking.AtomicRedisLockStore` with `url` (host),
`port`, `db`, `password`, `key_prefix`, `poll_interval`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)
Result = TypeVar("Result")
KEY_PREFIX = "balagh:lock:"

# Rasa's TicketLock as stored: {"conversation_id": ..., "tickets": ["<ticket JSON>", ...]},
# each ticket {"number": n, "expires": unix time}. ARGV[1] is the caller's clock, as for
# Rasa (`Ticket.has_expired`); the key expires a second after its last ticket.
_KEEP_LIVE_TICKETS = """
local now = tonumber(ARGV[1])
local kept, last, latest = {}, nil, now
local raw = redis.call('GET', KEYS[1])
if raw then
  for _, serialised in ipairs(cjson.decode(raw)['tickets']) do
    local ticket = cjson.decode(serialised)
    if ticket['expires'] >= now and ticket['number'] ~= drop then
      table.insert(kept, serialised)
      last = ticket['number']
      if ticket['expires'] > latest then latest = ticket['expires'] end
    end
  end
end
"""
_STORE = """
if #kept == 0 then
  redis.call('DEL', KEYS[1])
else
  local lock = cjson.encode({conversation_id = ARGV[2], tickets = kept})
  redis.call('SET', KEYS[1], lock, 'PX', math.floor((latest - now) * 1000) + 1000)
end
"""
# ARGV: now, conversation id, lifetime -> the new ticket's number.
ISSUE_TICKET_SCRIPT = (
    "local drop = nil\n"
    + _KEEP_LIVE_TICKETS
    + """
local number = 0
if last ~= nil then number = last + 1 end
local expires = now + tonumber(ARGV[3])
table.insert(kept, cjson.encode({number = number, expires = expires}))
if expires > latest then latest = expires end
"""
    + _STORE
    + "return number\n"
)
# ARGV: now, conversation id, ticket number to remove (-1: none) -> nothing.
RETURN_TICKET_SCRIPT = "local drop = tonumber(ARGV[3])\n" + _KEEP_LIVE_TICKETS + _STORE


class AtomicRedisLockStore(LockStore):
    """Ticket locks in Redis, changed only inside WATCH/MULTI transactions."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 6379,
        db: int = 1,
        password: str | None = None,
        key_prefix: str = KEY_PREFIX,
        poll_interval: float = 0.02,
    ) -> None:
        if endpoint_config is not None:
            options: dict[str, Any] = endpoint_config.kwargs
            host = endpoint_config.url or host
            port = int(options.get("port", port))
            db = int(options.get("db", db))
            password = options.get("password", password)
            key_prefix = options.get("key_prefix", key_prefix)
            poll_interval = float(options.get("poll_interval", poll_interval))
        self.red = redis.Redis(host=host, port=port, db=db, password=password, socket_timeout=10)
        self.key_prefix = key_prefix
        self.poll_interval = poll_interval
        self._issue = self.red.register_script(ISSUE_TICKET_SCRIPT)
        self._return = self.red.register_script(RETURN_TICKET_SCRIPT)
        super().__init__()

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        serialised = self.red.get(self._key(conversation_id))
        return TicketLock.from_dict(json.loads(serialised)) if serialised else None

    def delete_lock(self, conversation_id: str) -> None:
        self.red.delete(self._key(conversation_id))

    def save_lock(self, lock: TicketLock) -> None:
        """Rasa's base class never needs this here: every change goes through `_change`."""
        self._change(lock.conversation_id, lambda stored: stored.tickets.extend(lock.tickets))

    def _change(self, conversation_id: str, change: Callable[[TicketLock], Result]) -> Result:
        """Read, change and write the lock as one transaction (retried if another replica
        changed it meanwhile). An emptied lock is deleted in the same transaction."""
        key = self._key(conversation_id)

        def transaction(pipe: redis.client.Pipeline) -> Result:
            serialised = pipe.get(key)
            lock = (
                TicketLock.from_dict(json.loads(serialised))
                if serialised
                else TicketLock(conversation_id)
            )
            lock.remove_expired_tickets()
            result = change(lock)
            pipe.multi()
            if lock.tickets:
                expires_in = max(ticket.expires for ticket in lock.tickets) - time.time()
                pipe.set(key, lock.dumps(), px=max(1, int(expires_in * 1000) + 1000))
            else:
                pipe.delete(key)
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        arguments = [time.time(), conversation_id, lock_lifetime]
        try:
            return int(self._issue(keys=[self._key(conversation_id)], args=arguments))
        except redis.RedisError as failure:
            raise LockError(f"Error while acquiring lock: {failure}") from failure

    def update_lock(self, conversation_id: str) -> None:
        """Drop the expired tickets (a crashed holder's)."""
        self.finish_serving(conversation_id, -1)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        arguments = [time.time(), conversation_id, ticket_number]
        self._return(keys=[self._key(conversation_id)], args=arguments)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket; the lock disappears with its last ticket (atomically). With
        Redis unreachable the message was already handled (or never started): the ticket
        is left to expire, and the message is not reported as failed."""
        try:
            self.finish_serving(conversation_id, ticket_number)
        except redis.RedisError as failure:
            logger.warning(
                "ticket %s of %s left to expire: %s", ticket_number, conversation_id, failure
            )

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float | None = None,
    ) -> AsyncGenerator[TicketLock, None]:
        wait = self.poll_interval if wait_time_in_seconds is None else wait_time_in_seconds
        async with super().lock(conversation_id, lock_lifetime, wait) as lock:
            yield lock
