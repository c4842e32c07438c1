"""What the desk's `/metrics` reads from the reports store at scrape time (never on the
message path): reports by type, hand-offs waiting, the notification outbox's backlog."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.store.database import Store, utc
from bot.store.models import Handoff, OutboxMessage, Report


@dataclass(frozen=True)
class StoreGauges:
    reports_by_type: dict[str, int]
    handoffs_by_status: dict[str, int]  # open hand-offs: waiting, active
    oldest_waiting_handoff: dt.datetime | None
    outbox_backlog: int  # notifications not yet handed to Rasa
    oldest_outbox_message: dt.datetime | None


def read_gauges(store: Store) -> StoreGauges:
    """Four small aggregate queries (the tables' indexes keep them cheap), one transaction."""
    with store.session() as session:
        reports = dict(
            session.execute(select(Report.type, func.count()).group_by(Report.type)).all()
        )
        open_handoffs = Handoff.status.in_(("waiting", "active"))
        handoffs = dict(
            session.execute(
                select(Handoff.status, func.count()).where(open_handoffs).group_by(Handoff.status)
            ).all()
        )
        oldest_waiting = session.execute(
            select(func.min(Handoff.created_at)).where(Handoff.status == "waiting")
        ).scalar()
        pending = OutboxMessage.dispatched_at.is_(None)
        backlog, oldest_outbox = session.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).where(pending)
        ).one()
    return StoreGauges(
        {str(kind): int(count) for kind, count in reports.items()},
        {str(status): int(count) for status, count in handoffs.items()},
        utc(oldest_waiting),
        int(backlog),
        utc(oldest_outbox),
    )
