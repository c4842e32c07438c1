"""The hand-off queue in the store (SQLite and PostgreSQL)."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from bot.store.handoffs import end, open_handoff, open_handoff_of, queue, take, waiting_count
from bot.store.models import AuditEntry

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)


def test_one_open_handoff_per_conversation(store):
    first = open_handoff(store, "c1", "rest", "asked", {"wanted": "الشكوى"}, NOW)
    again = open_handoff(store, "c1", "rest", "not_understood", {}, NOW)
    assert again.id == first.id and again.reason == "asked"
    assert waiting_count(store) == 1


def test_of_many_agents_taking_at_once_exactly_one_wins(store):
    handoff = open_handoff(store, "c2", "whatsapp", "asked", {}, NOW)
    with ThreadPoolExecutor(max_workers=6) as pool:
        wins = list(
            pool.map(lambda a: take(store, handoff.id, a, NOW), [f"agent{i}" for i in range(6)])
        )
    assert wins.count(True) == 1
    assert open_handoff_of(store, "c2").status == "active"


def test_only_the_holder_ends_and_everything_is_audited(store):
    handoff = open_handoff(store, "c3", "sms", "dispute", {}, NOW)
    assert take(store, handoff.id, "sara", NOW)
    assert not end(store, handoff.id, "omar", "returned", NOW)
    assert end(store, handoff.id, "sara", "returned", NOW)
    assert open_handoff_of(store, "c3") is None and queue(store) == []
    open_handoff(store, "c3", "sms", "asked", {}, NOW)  # a new hand-off is possible afterwards
    with store.session() as session:
        actions = [(a.actor, a.action) for a in session.execute(select(AuditEntry)).scalars()]
    assert actions == [("sara", "take"), ("sara", "hand_back")]
