"""The hand-off queue: conversations waiting for a person, who holds them, and the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.database import Store, utc
from bot.store.models import Agent, AgentSession, AuditEntry, Handoff

OPEN = ("waiting", "active")


@dataclass(frozen=True)
class HandoffView:
    id: int
    conversation_id: str
    channel: str
    reason: str
    status: str
    agent: str | None
    summary: dict[str, Any]
    created_at: dt.datetime


def _view(row: Handoff) -> HandoffView:
    return HandoffView(
        row.id,
        row.conversation_id,
        row.channel,
        row.reason,
        row.status,
        row.agent,
        row.summary or {},
        row.created_at,
    )


def open_handoff(
    store: Store,
    conversation_id: str,
    channel: str,
    reason: str,
    summary: dict[str, Any],
    now: dt.datetime,
) -> HandoffView:
    """Queue the conversation for a person (once: an open hand-off is returned as is)."""
    try:
        with store.session() as session:
            row = Handoff(
                conversation_id=conversation_id,
                channel=channel,
                reason=reason,
                status="waiting",
                summary=summary,
                created_at=now,
            )
            session.add(row)
            session.flush()
            return _view(row)
    except IntegrityError:
        found = open_handoff_of(store, conversation_id)
        if found is None:
            raise
        return found


def open_handoff_of(store: Store, conversation_id: str) -> HandoffView | None:
    with store.session() as session:
        row = session.execute(
            select(Handoff).where(
                Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN)
            )
        ).scalar_one_or_none()
        return _view(row) if row else None


def waiting_count(store: Store) -> int:
    with store.session() as session:
        return len(session.execute(select(Handoff.id).where(Handoff.status == "waiting")).all())


def queue(store: Store) -> list[HandoffView]:
    """Open hand-offs, oldest first."""
    with store.session() as session:
        rows = session.execute(
            select(Handoff).where(Handoff.status.in_(OPEN)).order_by(Handoff.id)
        ).scalars()
        return [_view(r) for r in rows]


def take(store: Store, handoff_id: int, agent: str, now: dt.datetime) -> bool:
    """Give a waiting conversation to `agent`; exactly one of two concurrent takers wins."""
    with store.session() as session:
        taken = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == "waiting")
            .values(status="active", agent=agent, taken_at=now)
        ).rowcount
        if taken:
            session.add(
                AuditEntry(
                    actor=agent,
                    action="take",
                    conversation_id=session.get(Handoff, handoff_id).conversation_id,
                    detail={"handoff": handoff_id},
                    created_at=now,
                )
            )
        return bool(taken)


def end(store: Store, handoff_id: int, agent: str, status: str, now: dt.datetime) -> bool:
    """Hand back to the bot (`returned`) or close (`closed`); only by the holding agent."""
    if status not in ("returned", "closed"):
        raise ValueError(status)
    with store.session() as session:
        ended = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == "active", Handoff.agent == agent)
            .values(status=status, ended_at=now)
        ).rowcount
        if ended:
            session.add(
                AuditEntry(
                    actor=agent,
                    action="hand_back" if status == "returned" else "close",
                    conversation_id=session.get(Handoff, handoff_id).conversation_id,
                    detail={"handoff": handoff_id},
                    created_at=now,
                )
            )
        return bool(ended)


def audit(
    store: Store,
    actor: str,
    action: str,
    now: dt.datetime,
    conversation_id: str | None = None,
    report_number: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    with store.session() as session:
        session.add(
            AuditEntry(
                actor=actor,
                action=action,
                conversation_id=conversation_id,
                report_number=report_number,
                detail=detail or {},
                created_at=now,
            )
        )


def unannounced(store: Store) -> list[HandoffView]:
    """Waiting hand-offs not yet told to the agents' Telegram chat."""
    with store.session() as session:
        rows = session.execute(
            select(Handoff)
            .where(Handoff.status == "waiting", Handoff.announced_at.is_(None))
            .order_by(Handoff.id)
        ).scalars()
        return [_view(r) for r in rows]


def mark_announced(store: Store, handoff_id: int, now: dt.datetime) -> None:
    with store.session() as session:
        session.execute(update(Handoff).where(Handoff.id == handoff_id).values(announced_at=now))


def agent_for_telegram(store: Store, telegram_user_id: int) -> str | None:
    """The desk account mapped to a Telegram user (None: a stranger)."""
    from bot.store.models import Agent

    with store.session() as session:
        return session.execute(
            select(Agent.username).where(
                Agent.telegram_user_id == str(telegram_user_id), Agent.active.is_(True)
            )
        ).scalar_one_or_none()


def holds_chat_of_report(store: Store, agent: str, number: str) -> bool:
    """Does `agent` hold an open chat with the conversation that filed report `number`?
    (What an agent may change from a chat: that citizen's own report.)"""
    from bot.store.models import Report

    with store.session() as session:
        found = session.execute(
            select(Handoff.id)
            .join(Report, Report.conversation_id == Handoff.conversation_id)
            .where(Report.number == number, Handoff.status == "active", Handoff.agent == agent)
            .limit(1)
        ).scalar_one_or_none()
        return found is not None


def queue_load(store: Store, now: dt.datetime) -> tuple[int, int, float | None]:
    """What the expected wait is made of: the chats waiting, the agents signed in now (an
    unexpired session), and the median minutes agents took per chat over the last week
    (None when none was handled)."""
    week_ago = now - dt.timedelta(days=7)
    with store.session() as session:
        waiting = session.execute(
            select(func.count(Handoff.id)).where(Handoff.status == "waiting")
        ).scalar_one()
        on_shift = session.execute(
            select(func.count(func.distinct(AgentSession.username)))
            .join(Agent, Agent.username == AgentSession.username)
            .where(AgentSession.expires_at > now, Agent.active.is_(True))
        ).scalar_one()
        handled = session.execute(
            select(Handoff.taken_at, Handoff.ended_at).where(
                Handoff.ended_at.is_not(None),
                Handoff.taken_at.is_not(None),
                Handoff.ended_at > week_ago,
            )
        ).all()
    minutes = sorted(
        (utc(ended) - utc(taken)).total_seconds() / 60
        for taken, ended in handled
        if utc(ended) > utc(taken)
    )
    median = minutes[len(minutes) // 2] if minutes else None
    return int(waiting), int(on_shift), median
