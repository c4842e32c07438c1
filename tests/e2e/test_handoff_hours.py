"""Outside the agents' hours the bot says when they are back and carries on."""

from __future__ import annotations

import uuid

import pytest

from bot.store.handoffs import open_handoff_of
from channels.rest import conversation_id
from tests.e2e.conftest import running_bot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def closed_desk(tmp_path_factory):
    work = tmp_path_factory.mktemp("closed")
    with running_bot(
        work,
        f"sqlite:///{work / 'reports.db'}",
        f"sqlite:///{work / 'conv.db'}",
        {"BALAGH_AGENT_HOURS": "00:00-00:00"},  # agents never at their desks
    ) as bot:
        yield bot


def test_outside_hours_the_bot_says_when_agents_are_back_and_continues(closed_desk):
    user = f"user-{uuid.uuid4().hex[:8]}"
    assert "ما اسمك الكامل" in closed_desk.say(user, "ابي اصعد شكوى")
    messages = closed_desk.send(user, "ابي اكلم موظف")
    text = "\n".join(m.get("text", "") for m in messages)
    assert "غير متاحين الآن" in text and "يعودون" in text
    assert "ما اسمك الكامل" in text  # the form carries on
    assert open_handoff_of(closed_desk.store, conversation_id(user)) is None
    assert "رقم الهوية" in closed_desk.say(user, "نورة سعد")
