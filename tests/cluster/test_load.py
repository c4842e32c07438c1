"""200 simultaneous conversations, each filing a suggestion, their messages interleaved
across the two replicas: every report filed exactly once, numbers unique, no message lost
or answered twice."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from bot.store.models import Report
from channels.rest import conversation_id
from tests.cluster.conftest import Cluster
from tests.helpers.cluster import suggestion_until_summary

pytestmark = pytest.mark.cluster

CONVERSATIONS = 200


def test_200_conversations_across_two_replicas(cluster: Cluster) -> None:
    run = uuid.uuid4().hex[:6]
    senders = [f"load-{run}-{n:03d}" for n in range(CONVERSATIONS)]

    def converse(index: int) -> tuple[str, str]:
        sender = senders[index]
        # Odd conversations start on the second replica: at any moment both replicas
        # take messages of many conversations, and every conversation changes replica
        # at every message.
        bots = cluster.replicas if index % 2 == 0 else cluster.replicas[::-1]
        summary = suggestion_until_summary(bots, sender, 1000 + index)
        confirmation = bots[0].say(sender, "تأكيد")
        return summary, confirmation

    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        replies = list(pool.map(converse, range(CONVERSATIONS)))

    with cluster.store.session() as session:
        rows = session.execute(
            select(Report.conversation_id, Report.number).where(
                Report.conversation_id.in_([conversation_id(s) for s in senders])
            )
        ).all()
    by_sender: dict[str, list[str]] = {}
    for conversation, number in rows:
        by_sender.setdefault(conversation.removeprefix("rest:"), []).append(number)
    assert sorted(by_sender) == senders, "a conversation filed nothing"
    assert all(len(numbers) == 1 for numbers in by_sender.values()), "filed twice"
    assert len({number for numbers in by_sender.values() for number in numbers}) == CONVERSATIONS
    for sender, (summary, confirmation) in zip(senders, replies, strict=False):
        assert "راجع بيانات اقتراح التطوير" in summary
        assert by_sender[sender][0] in confirmation
    for sender in senders[:: CONVERSATIONS // 20]:  # a sample of trackers, in full
        events = cluster.lb.tracker(sender)["events"]
        users = [e["text"] for e in events if e["event"] == "user"]
        # the eight answers (the code among them) and the confirmation: none lost, none twice
        assert len(users) == 10 and len(set(users)) == 10, users
        kinds = [e["event"] for e in events]
        user_at = [i for i, kind in enumerate(kinds) if kind == "user"]
        for here, after in zip(user_at, user_at[1:] + [len(kinds)], strict=False):
            assert "bot" in kinds[here:after], "a message went unanswered"
