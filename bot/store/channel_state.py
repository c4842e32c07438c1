"""What the Twilio channels remember between requests, in the shared store (so several
Rasa replicas agree): processed MessageSids, the numbered choices offered, and every
outbound message with its fate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.crypto import MOBILE, hash_of
from bot.store.database import Store, utc
from bot.store.models import (
    InboundMessage,
    OutboundMessage,
    PendingChoices,
    SmsOptOut,
    WebPresence,
)

# A socket counted open for longer than this is taken for one a crashed replica never
# closed: the citizen counts as away (and gets the SMS).
PRESENCE_LIFETIME = dt.timedelta(hours=12)


def first_delivery(store: Store, sid: str, channel: str, sender: str, now: dt.datetime) -> bool:
    """Record a MessageSid; False if it was already processed (a replay or redelivery)."""
    try:
        with store.session() as session:
            session.add(InboundMessage(sid=sid, channel=channel, sender=sender, received_at=now))
        return True
    except IntegrityError:
        return False


def last_inbound_at(store: Store, sender: str) -> dt.datetime | None:
    with store.session() as session:
        value = session.execute(
            select(func.max(InboundMessage.received_at)).where(InboundMessage.sender == sender)
        ).scalar_one()
    return utc(value)


def offer_choices(
    store: Store, conversation_id: str, payloads: list[str], now: dt.datetime
) -> None:
    with store.session() as session:
        row = session.get(PendingChoices, conversation_id)
        if row is None:
            session.add(
                PendingChoices(conversation_id=conversation_id, payloads=payloads, offered_at=now)
            )
        else:
            row.payloads = payloads
            row.offered_at = now


def offered_choices(store: Store, conversation_id: str) -> list[str]:
    with store.session() as session:
        row = session.get(PendingChoices, conversation_id)
        return list(row.payloads) if row else []


def log_outbound(
    store: Store,
    channel: str,
    recipient: str,
    body: str | None,
    template_sid: str | None,
    now: dt.datetime,
) -> int:
    with store.session() as session:
        row = OutboundMessage(
            channel=channel,
            recipient=recipient,
            body=body,
            template_sid=template_sid,
            status="queued",
            attempts=0,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        return row.id


def outbound_result(
    store: Store,
    message_id: int,
    status: str,
    now: dt.datetime,
    attempts: int,
    twilio_sid: str | None = None,
    error_code: int | None = None,
    error: str | None = None,
) -> None:
    with store.session() as session:
        session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id == message_id)
            .values(
                status=status,
                attempts=attempts,
                twilio_sid=twilio_sid,
                error_code=error_code,
                error=(error or None) and error[:500],
                updated_at=now,
            )
        )


PENDING = ("queued", "retrying")  # an outbound message not yet sent nor given up


def keep_pending(store: Store, channel: str, recipient: str, now: dt.datetime) -> None:
    """The worker of `recipient` is alive: its waiting messages are not orphans."""
    with store.session() as session:
        session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.channel == channel,
                OutboundMessage.recipient == recipient,
                OutboundMessage.status.in_(PENDING),
            )
            .values(updated_at=now)
        )


@dataclass(frozen=True)
class Orphan:
    """A pending outbound message nobody has touched for a while: the replica that queued it
    stopped (a crash, a restart) before Twilio took it."""

    id: int
    recipient: str
    body: str | None
    template_sid: str | None


def orphans(
    store: Store, channel: str, stale_before: dt.datetime, limit: int = 200
) -> list[Orphan]:
    """The oldest first, so each recipient's messages are adopted in their order."""
    with store.session() as session:
        found = session.execute(
            select(
                OutboundMessage.id,
                OutboundMessage.recipient,
                OutboundMessage.body,
                OutboundMessage.template_sid,
            )
            .where(
                OutboundMessage.channel == channel,
                OutboundMessage.status.in_(PENDING),
                OutboundMessage.updated_at < stale_before,
            )
            .order_by(OutboundMessage.id)
            .limit(limit)
        )
        return [Orphan(*row) for row in found]


def adopt(store: Store, message_id: int, stale_before: dt.datetime, now: dt.datetime) -> bool:
    """Take an orphan over: True for one replica only (the update re-checks that it is still
    stale, atomically, so two replicas never both send it)."""
    with store.session() as session:
        taken = session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.id == message_id,
                OutboundMessage.status.in_(PENDING),
                OutboundMessage.updated_at < stale_before,
            )
            .values(updated_at=now, status="retrying")
        )
        return taken.rowcount == 1


# --- web chat presence ---------------------------------------------------------------------


def socket_opened(store: Store, conversation_id: str, now: dt.datetime) -> None:
    with store.session() as session:
        row = session.get(WebPresence, conversation_id)
        if row is None:
            session.add(WebPresence(conversation_id=conversation_id, sockets=1, seen_at=now))
        else:
            row.sockets = (
                (row.sockets or 0) + 1 if utc(row.seen_at) > now - PRESENCE_LIFETIME else 1
            )
            row.seen_at = now


def socket_closed(store: Store, conversation_id: str, now: dt.datetime) -> None:
    with store.session() as session:
        session.execute(
            update(WebPresence)
            .where(WebPresence.conversation_id == conversation_id, WebPresence.sockets > 0)
            .values(sockets=WebPresence.sockets - 1)
        )


def is_present(store: Store, conversation_id: str, now: dt.datetime) -> bool:
    """Has the web chat conversation a browser connected now (on any replica)?"""
    with store.session() as session:
        row = session.get(WebPresence, conversation_id)
        return bool(row and row.sockets > 0 and utc(row.seen_at) > now - PRESENCE_LIFETIME)


# --- SMS opt-outs --------------------------------------------------------------------------


def record_opt_out(
    store: Store, mobile: str, opted_out: bool, source: str, now: dt.datetime
) -> None:
    """«إيقاف» / STOP (or Twilio's 21610) and «تشغيل» / START, by the mobile's keyed hash."""
    key = hash_of(MOBILE, mobile)
    with store.session() as session:
        row = session.get(SmsOptOut, key)
        if row is None:
            session.add(
                SmsOptOut(mobile_hash=key, opted_out=opted_out, source=source, updated_at=now)
            )
        else:
            row.opted_out, row.source, row.updated_at = opted_out, source, now


def has_opted_out(store: Store, mobile: str) -> bool:
    with store.session() as session:
        row = session.get(SmsOptOut, hash_of(MOBILE, mobile))
        return bool(row and row.opted_out)
