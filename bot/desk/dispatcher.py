"""Delivers queued notifications to the conversations, at least once, with retries.

Each outbox row becomes an external event on its conversation (Rasa's
`trigger_intent` with `EXTERNAL_notification`), so the text comes from the domain and
reaches the channel the conversation uses. The action that shows it marks the row
delivered once, so a row delivered twice (a crash between delivery and bookkeeping)
does not reach the user twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import urllib.parse
from collections.abc import Callable

import aiohttp

from bot import clock
from bot.store.database import Store
from bot.store.follow_up import Notification, due_notifications, mark_dispatched, mark_failed

logger = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(minutes=10)
PARALLEL = 8  # conversations delivered to at once


def backoff(attempts: int) -> dt.timedelta:
    """2, 4, 8 … seconds, capped at ten minutes."""
    return min(dt.timedelta(seconds=2 ** max(attempts, 1)), MAX_BACKOFF)


class Dispatcher:
    """Pushes due outbox rows to Rasa (the store's work in worker threads)."""

    def __init__(
        self,
        store: Store,
        rasa_url: str,
        rasa_token: str | None = None,
        now: Callable[[], dt.datetime] = clock.now,
    ) -> None:
        self.store = store
        self.rasa_url = rasa_url.rstrip("/")
        self.rasa_token = rasa_token
        self.now = now

    def _url(self, conversation_id: str) -> str:
        query = {"output_channel": "latest"}
        if self.rasa_token:
            query["token"] = self.rasa_token
        # Rasa does not percent-decode the path: keep ":" and "+" of "whatsapp:+9665…".
        conversation = urllib.parse.quote(conversation_id, safe=":+@")
        return (
            f"{self.rasa_url}/conversations/{conversation}/trigger_intent?"
            f"{urllib.parse.urlencode(query)}"
        )

    async def deliver(self, session: aiohttp.ClientSession, notification: Notification) -> bool:
        body = {
            "name": "EXTERNAL_notification",
            "entities": {"notification_id": str(notification.id)},
        }
        try:
            async with session.post(self._url(notification.conversation_id), json=body) as reply:
                if reply.status != 200:
                    raise RuntimeError(
                        f"Rasa answered {reply.status}: {(await reply.text())[:200]}"
                    )
        except Exception as error:  # network errors, timeouts, Rasa down: retry later
            retry_at = self.now() + backoff(notification.attempts + 1)
            await self.store.run(mark_failed, notification.id, str(error), retry_at)
            logger.warning(
                "notification %s (%s) not delivered, retry at %s: %s",
                notification.id,
                notification.kind,
                retry_at.isoformat(),
                error or type(error).__name__,  # a timeout has no message
            )
            return False
        await self.store.run(mark_dispatched, notification.id, self.now())
        logger.info("notification %s (%s) delivered", notification.id, notification.kind)
        return True

    async def run_once(self, session: aiohttp.ClientSession) -> int:
        """Deliver every due row once; returns how many were delivered. Conversations are
        served side by side (at most `PARALLEL` at once), each one's notices in order: a
        conversation whose delivery hangs until the timeout delays only its own."""
        by_conversation: dict[str, list[Notification]] = {}
        for notification in await self.store.run(due_notifications, self.now()):
            by_conversation.setdefault(notification.conversation_id, []).append(notification)
        gate = asyncio.Semaphore(PARALLEL)

        async def in_order(notices: list[Notification]) -> int:
            async with gate:
                return sum([await self.deliver(session, notice) for notice in notices])

        counts = await asyncio.gather(*(in_order(n) for n in by_conversation.values()))
        return sum(counts)
