"""Issue 21's store, on SQLite and PostgreSQL: transfers are atomic and audited, read marks
only move forward, canned replies keep unique titles and a bound, and the citizen's context
is found through the verified identity only."""

from __future__ import annotations

import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from bot.rules.input_bounds import MAX_CANNED_REPLIES
from bot.store import desk_extras
from bot.store.desk_extras import (
    DuplicateTitle,
    TooManyReplies,
    citizen_context,
    create_canned,
    mark_read,
    read_marks,
    transfer,
    transfers_to_holders,
    update_canned,
)
from bot.store.handoffs import open_handoff, take
from bot.store.models import AuditEntry, Handoff, HandoffNote
from bot.store.reports import file_report
from tests.helpers.reports import DUE, NOW, complaint


def _held(store, conversation: str = "rest:c1", agent: str = "sara") -> int:
    view = open_handoff(store, conversation, "rest", "asked", {}, NOW)
    assert take(store, view.id, agent, NOW)
    return view.id


def test_a_transfer_moves_the_chat_once_with_its_note_and_audit(store):
    chat = _held(store)
    with ThreadPoolExecutor(2) as pool:
        won = list(
            pool.map(
                lambda to: transfer(store, chat, "sara", to, f"إلى {to}", NOW), ["huda", "reem"]
            )
        )
    assert sorted(won) == [False, True]  # one of two racing transfers
    with store.session() as session:
        holder = session.get(Handoff, chat).agent
        notes = session.execute(select(HandoffNote)).scalars().all()
        audited = session.execute(select(AuditEntry).where(AuditEntry.action == "transfer"))
        rows = audited.scalars().all()
    assert holder in ("huda", "reem")
    assert [(n.kind, n.to_agent, n.body) for n in notes] == [("transfer", holder, f"إلى {holder}")]
    assert [r.detail["to"] for r in rows] == [holder]
    assert not transfer(store, chat, "sara", "lina", "", NOW)  # no longer hers
    assert transfers_to_holders(store, [chat])[chat].author == "sara"


def test_a_transfer_note_is_shown_only_while_its_receiver_holds_the_chat(store):
    chat = _held(store)
    assert transfer(store, chat, "sara", "huda", "لكِ", NOW)
    with store.session() as session:
        session.get(Handoff, chat).agent = "lina"  # a supervisor reassigned it since
    assert transfers_to_holders(store, [chat]) == {}


def test_read_marks_are_per_agent_and_only_move_forward(store):
    chat = _held(store)
    later = NOW + dt.timedelta(minutes=5)
    mark_read(store, chat, "sara", later)
    mark_read(store, chat, "sara", NOW)  # an older read answered last
    mark_read(store, chat, "lina", NOW)
    assert read_marks(store, "sara", [chat]) == {chat: later}
    assert read_marks(store, "lina", [chat]) == {chat: NOW}
    assert read_marks(store, "huda", [chat]) == {}


def test_canned_replies_keep_unique_titles_and_a_bound(store, monkeypatch):
    first = create_canned(store, "ترحيب", "مرحباً", "lina", NOW)
    with pytest.raises(DuplicateTitle):
        create_canned(store, "ترحيب", "أهلاً", "lina", NOW)
    second = create_canned(store, "وداع", "مع السلامة", "lina", NOW)
    with pytest.raises(DuplicateTitle):
        update_canned(store, second.id, "ترحيب", "x", "lina", NOW)
    assert update_canned(store, 999, "جديد", "x", "lina", NOW) is None
    assert update_canned(store, first.id, "ترحيب", "أهلاً بك", "maha", NOW).updated_by == "maha"
    monkeypatch.setattr(desk_extras, "MAX_CANNED_REPLIES", 2)
    with pytest.raises(TooManyReplies):
        create_canned(store, "ثالث", "نص", "lina", NOW)
    assert MAX_CANNED_REPLIES >= 100


def _report(store, conversation: str, prior: str, **changes) -> str:
    new = dataclasses.replace(
        complaint(prior_number=prior), conversation_id=conversation, **changes
    )
    return file_report(store, new, NOW, DUE).number


def test_the_context_follows_verified_mobiles_never_a_national_id_alone(store):
    here = _report(store, "web:now", "INC-1")  # mobile +966551234567, ID 1000000008
    same_mobile = _report(store, "rest:before", "INC-2", national_id="1000000016")
    same_id = _report(store, "rest:someone", "INC-3", mobile="+966500000001")
    chat = _held(store, "web:now")
    earlier = _held(store, "rest:before", "huda")
    with store.session() as session:
        session.get(Handoff, earlier).status = "closed"
    found = citizen_context(store, "web:now", [], chat)
    assert {r.number: r.found_by for r in found.reports} == {
        here: "this_chat",
        same_mobile: "mobile",
    }
    assert same_id not in {r.number for r in found.reports}
    assert [h.id for h in found.handoffs] == [earlier]
    nobody = citizen_context(store, "web:stranger", ["not a mobile"], 0)
    assert nobody.reports == [] and nobody.handoffs == []
