"""Delivers queued notifications, at least once, with retries, by each row's route.

A `conversation` row becomes an external event on its conversation (Rasa's
`trigger_intent` with `EXTERNAL_notification`), so the text comes from the domain and
reaches the channel the conversation uses. The action that shows it marks the row
delivered once, so a row delivered twice (a crash between delivery and bookkeeping)
does not reach the user twice. It reached the citizen if a person can see it there: any
conversation but a web chat nobody has open.

An `sms` or `whatsapp` row goes to the report's verified mobile through Twilio
(`mobile_notices`), with the report's number and a signed link: back to the web chat
conversation, or to the report's status page. A `when_away` row is skipped when the web
chat citizen is connected; an opted-out mobile gets no SMS.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import urllib.parse
from collections.abc import Callable

import aiohttp

from bot import clock
from bot.desk.mobile_notices import MobileNotices, Outcome, Retry
from bot.rules import links
from bot.rules.notices import CONVERSATION, WEB_CHANNEL, sms_notice
from bot.settings import Settings, load_settings
from bot.store.channel_state import is_present, record_opt_out
from bot.store.database import Store
from bot.store.follow_up import (
    Notification,
    due_notifications,
    mark_dispatched,
    mark_failed,
    mark_skipped,
    recipient_of,
)

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
        settings: Settings | None = None,
    ) -> None:
        self.store = store
        self.rasa_url = rasa_url.rstrip("/")
        self.rasa_token = rasa_token
        self.now = now
        self.settings = settings or load_settings()
        self.mobile = MobileNotices(self.settings)

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
        if notification.route == CONVERSATION:
            return await self.to_conversation(session, notification)
        return await self.to_mobile(notification)

    async def _retry_later(self, notification: Notification, error: Exception) -> bool:
        retry_at = self.now() + backoff(notification.attempts + 1)
        await self.store.run(mark_failed, notification.id, str(error), retry_at)
        logger.warning(
            "notification %s (%s, %s) not delivered, retry at %s: %s",
            notification.id,
            notification.kind,
            notification.route,
            retry_at.isoformat(),
            error or type(error).__name__,  # a timeout has no message
        )
        return False

    def _link(self, notification: Notification, channel: str) -> str:
        """Back to the web chat conversation (where the citizen answers), else the status
        page."""
        purpose = "conversation" if channel == WEB_CHANNEL else "status"
        return links.link(
            self.settings.links_base_url,
            self.settings.link_secret.value(),
            purpose,
            int(notification.report_id or 0),
            self.now(),
        )

    async def to_mobile(self, notification: Notification) -> bool:
        now = self.now()
        if notification.when_away and await self.store.run(
            is_present, notification.conversation_id, now
        ):
            await self.store.run(mark_skipped, notification.id, "present", now)
            return True
        recipient = await self.store.run(recipient_of, int(notification.report_id or 0))
        skipped = None
        if recipient is None or recipient.mobile is None:
            skipped = "no_mobile"
        elif notification.route == "sms" and recipient.opted_out:
            skipped = "opted_out"
        if skipped or recipient is None or recipient.mobile is None:
            await self.store.run(mark_skipped, notification.id, skipped or "no_mobile", now)
            return True
        link = self._link(notification, recipient.channel)
        text = sms_notice(notification.kind, recipient.number, link)
        variables = {"1": recipient.number, "2": link}
        try:
            outcome: Outcome = await self.mobile.send(
                notification.route, notification.kind, recipient.mobile, text, variables
            )
        except Retry as error:
            return await self._retry_later(notification, error)
        if outcome.skipped == "opted_out" and notification.route == "sms":
            await self.store.run(record_opt_out, recipient.mobile, True, "twilio_21610", now)
        if outcome.skipped:
            await self.store.run(mark_skipped, notification.id, outcome.skipped, now)
            logger.warning(
                "notification %s (%s) not sent by %s: %s %s",
                notification.id,
                notification.kind,
                notification.route,
                outcome.skipped,
                outcome.error or "",
            )
            return True
        await self.store.run(mark_dispatched, notification.id, now, True, outcome.sid)
        logger.info(
            "notification %s (%s) sent by %s",
            notification.id,
            notification.kind,
            notification.route,
        )
        return True

    async def to_conversation(
        self, session: aiohttp.ClientSession, notification: Notification
    ) -> bool:
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
            return await self._retry_later(notification, error)
        now = self.now()
        # In a web chat nobody has open, nobody saw it (its SMS, if any, is another row).
        web = notification.conversation_id.startswith("web:")
        reached = not web or await self.store.run(is_present, notification.conversation_id, now)
        await self.store.run(mark_dispatched, notification.id, now, reached)
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
