"""The agents' desk beyond the queue: canned replies, internal notes, transfers, when each
agent last opened each chat, and what the store knows of the citizen behind a chat.

- **Canned replies** (`CannedReply`): managed by supervisors, titles unique, at most
  `MAX_CANNED_REPLIES`; their placeholders are checked by the desk before they get here
  (`bot.rules.canned_replies`).
- **Internal notes** (`HandoffNote`): written by agents on a hand-off, kept with it, never
  sent anywhere; a transfer writes one of kind `transfer` (its note for the receiving agent).
- **Transfers** (`transfer`): the holder gives an open chat to another active agent, in one
  transaction with its note and its audit row; exactly one of two racing actions wins.
- **Read marks** (`HandoffRead`): per agent and hand-off, when the agent last read the chat's
  transcript; the citizen's messages after it are unread (`bot/desk/unread.py` counts them).
- **The citizen's context** (`citizen_context`): the reports and earlier hand-offs of the
  person behind a chat, found only through what the bot verified: the reports the
  conversation filed, those it proved by a code sent to their mobile (`OwnershipGrant`), and
  those filed with a verified mobile (the channel's own number, a mobile confirmed by code
  in this conversation, the mobile of a report it filed or proved), matched by the keyed
  hashes (`bot.store.crypto.lookup_hashes`). A national ID typed in a form proves nothing
  (docs/security.md), so reports are never matched by the national ID alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from bot.rules.identity import is_e164_mobile
from bot.rules.input_bounds import MAX_CANNED_REPLIES
from bot.store.crypto import MOBILE, lookup_hashes
from bot.store.database import Store, utc
from bot.store.models import (
    Agent,
    AuditEntry,
    CannedReply,
    Handoff,
    HandoffNote,
    HandoffRead,
    OwnershipGrant,
    Report,
)

MAX_CONTEXT_REPORTS = 50
MAX_CONTEXT_HANDOFFS = 20


# --- canned replies ------------------------------------------------------------------------


class DuplicateTitle(ValueError):
    """Another canned reply has this title."""


class TooManyReplies(ValueError):
    """The desk keeps at most `MAX_CANNED_REPLIES` canned replies."""


@dataclass(frozen=True)
class CannedView:
    id: int
    title: str
    body: str
    updated_by: str
    updated_at: dt.datetime

    def as_api(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "updated_by": self.updated_by,
            "updated_at": utc(self.updated_at).isoformat(),
        }


def _canned(row: CannedReply) -> CannedView:
    return CannedView(row.id, row.title, row.body, row.updated_by, row.updated_at)


def canned_replies(store: Store) -> list[CannedView]:
    """Every canned reply, by title."""
    with store.session() as session:
        rows = session.execute(select(CannedReply).order_by(CannedReply.title)).scalars()
        return [_canned(r) for r in rows]


def _title_taken(session, title: str, other_than: int | None = None) -> bool:
    query = select(CannedReply.id).where(CannedReply.title == title)
    if other_than is not None:
        query = query.where(CannedReply.id != other_than)
    return session.execute(query.limit(1)).first() is not None


def create_canned(store: Store, title: str, body: str, actor: str, now: dt.datetime) -> CannedView:
    """A new canned reply; DuplicateTitle, TooManyReplies (nothing stored)."""
    try:
        with store.session() as session:
            count = session.execute(select(func.count(CannedReply.id))).scalar_one()
            if count >= MAX_CANNED_REPLIES:
                raise TooManyReplies(f"at most {MAX_CANNED_REPLIES} canned replies")
            if _title_taken(session, title):
                raise DuplicateTitle(title)
            row = CannedReply(
                title=title,
                body=body,
                created_by=actor,
                created_at=now,
                updated_by=actor,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            return _canned(row)
    except IntegrityError:  # the same title saved at the same time
        raise DuplicateTitle(title) from None


def update_canned(
    store: Store, reply_id: int, title: str, body: str, actor: str, now: dt.datetime
) -> CannedView | None:
    """Change a canned reply (None: no such reply); DuplicateTitle."""
    try:
        with store.session() as session:
            row = session.get(CannedReply, reply_id)
            if row is None:
                return None
            if _title_taken(session, title, other_than=reply_id):
                raise DuplicateTitle(title)
            row.title, row.body, row.updated_by, row.updated_at = title, body, actor, now
            session.flush()
            return _canned(row)
    except IntegrityError:
        raise DuplicateTitle(title) from None


def delete_canned(store: Store, reply_id: int) -> bool:
    with store.session() as session:
        return bool(session.execute(delete(CannedReply).where(CannedReply.id == reply_id)).rowcount)


# --- notes and transfers ---------------------------------------------------------------------


@dataclass(frozen=True)
class NoteView:
    id: int
    handoff_id: int
    author: str
    kind: str  # note | transfer
    to_agent: str | None
    body: str
    created_at: dt.datetime

    def as_api(self) -> dict:
        return {
            "id": self.id,
            "author": self.author,
            "kind": self.kind,
            "to": self.to_agent,
            "text": self.body,
            "created_at": utc(self.created_at).isoformat(),
        }


def _note(row: HandoffNote) -> NoteView:
    return NoteView(
        row.id, row.handoff_id, row.author, row.kind, row.to_agent, row.body, row.created_at
    )


def add_note(store: Store, handoff_id: int, author: str, body: str, now: dt.datetime) -> NoteView:
    """An internal note on a hand-off, and its audit row (the note's id, not its text)."""
    with store.session() as session:
        row = HandoffNote(
            handoff_id=handoff_id, author=author, kind="note", body=body, created_at=now
        )
        session.add(row)
        session.flush()
        session.add(
            AuditEntry(
                actor=author,
                action="note",
                conversation_id=session.get(Handoff, handoff_id).conversation_id,
                detail={"handoff": handoff_id, "note": row.id},
                created_at=now,
            )
        )
        return _note(row)


def notes_of(store: Store, handoff_ids: Iterable[int]) -> dict[int, list[NoteView]]:
    """The notes of each hand-off, oldest first."""
    wanted = list(handoff_ids)
    found: dict[int, list[NoteView]] = {h: [] for h in wanted}
    if not wanted:
        return found
    with store.session() as session:
        rows = session.execute(
            select(HandoffNote)
            .where(HandoffNote.handoff_id.in_(wanted))
            .order_by(HandoffNote.created_at, HandoffNote.id)
        ).scalars()
        for row in rows:
            found[row.handoff_id].append(_note(row))
    return found


def transfer(
    store: Store, handoff_id: int, holder: str, target: str, note: str, now: dt.datetime
) -> bool:
    """Give the chat `holder` holds to `target`, with `note` for her; False (nothing
    changed) when `holder` no longer holds it. The note and the audit row are written in
    the same transaction as the change."""
    with store.session() as session:
        moved = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == "active", Handoff.agent == holder)
            .values(agent=target)
        ).rowcount
        if not moved:
            return False
        session.add(
            HandoffNote(
                handoff_id=handoff_id,
                author=holder,
                kind="transfer",
                to_agent=target,
                body=note,
                created_at=now,
            )
        )
        session.add(
            AuditEntry(
                actor=holder,
                action="transfer",
                conversation_id=session.get(Handoff, handoff_id).conversation_id,
                detail={"handoff": handoff_id, "from": holder, "to": target},
                created_at=now,
            )
        )
        return True


def transfers_to_holders(store: Store, handoff_ids: Iterable[int]) -> dict[int, NoteView]:
    """For each open hand-off given, the transfer that brought it to its current holder
    (the latest transfer, if it went to the agent who holds it now)."""
    wanted = list(handoff_ids)
    if not wanted:
        return {}
    found: dict[int, NoteView] = {}
    with store.session() as session:
        rows = session.execute(
            select(HandoffNote, Handoff.agent)
            .join(Handoff, Handoff.id == HandoffNote.handoff_id)
            .where(HandoffNote.handoff_id.in_(wanted), HandoffNote.kind == "transfer")
            .order_by(HandoffNote.id)
        ).all()
        for note, holder in rows:
            found[note.handoff_id] = _note(note) if note.to_agent == holder else None
    return {key: value for key, value in found.items() if value is not None}


# --- read marks ------------------------------------------------------------------------------


def mark_read(store: Store, handoff_id: int, agent: str, at: dt.datetime) -> None:
    """`agent` read the chat's transcript as it was at `at` (a later mark is kept)."""
    for _ in range(2):  # an insert racing another one of the same agent: update instead
        try:
            with store.session() as session:
                row = session.get(HandoffRead, (handoff_id, agent))
                if row is None:
                    session.add(HandoffRead(handoff_id=handoff_id, agent=agent, read_at=at))
                elif utc(row.read_at) < at:
                    row.read_at = at
                return
        except IntegrityError:
            continue


def read_marks(store: Store, agent: str, handoff_ids: Iterable[int]) -> dict[int, dt.datetime]:
    wanted = list(handoff_ids)
    if not wanted:
        return {}
    with store.session() as session:
        rows = session.execute(
            select(HandoffRead.handoff_id, HandoffRead.read_at).where(
                HandoffRead.agent == agent, HandoffRead.handoff_id.in_(wanted)
            )
        ).all()
        return {handoff: utc(at) for handoff, at in rows}


# --- finding chats by report and mobile ------------------------------------------------------


def conversations_of_report(store: Store, number: str) -> set[str]:
    """The conversations that filed report `number` or proved they own it (by code)."""
    with store.session() as session:
        filed = session.execute(
            select(Report.conversation_id).where(Report.number == number)
        ).scalars()
        granted = session.execute(
            select(OwnershipGrant.conversation_id).where(OwnershipGrant.report_number == number)
        ).scalars()
        return {*filed, *granted}


def mobile_tails(store: Store, conversation_ids: Iterable[str], digits: int) -> dict[str, set[str]]:
    """The last `digits` digits of the mobiles of the reports each conversation filed
    (only those: what a masked mobile shows)."""
    wanted = list(conversation_ids)
    found: dict[str, set[str]] = {c: set() for c in wanted}
    if not wanted:
        return found
    with store.session() as session:
        rows = session.execute(
            select(Report.conversation_id, Report.mobile).where(Report.conversation_id.in_(wanted))
        ).all()
        for conversation, mobile in rows:
            if is_e164_mobile(mobile):
                found[conversation].add(mobile[-digits:])
    return found


@dataclass(frozen=True)
class ChatValues:
    """What a canned reply's placeholders are filled with from the store."""

    report_number: str | None
    beneficiary_name: str | None


def chat_values(store: Store, conversation_id: str) -> ChatValues:
    """The newest report the conversation filed: its number and the beneficiary's name."""
    with store.session() as session:
        row = session.execute(
            select(Report.number, Report.beneficiary_name)
            .where(Report.conversation_id == conversation_id)
            .order_by(Report.created_at.desc(), Report.id.desc())
            .limit(1)
        ).first()
        return ChatValues(row[0], row[1]) if row else ChatValues(None, None)


def active_agents(store: Store) -> list[tuple[str, str]]:
    """(username, display name) of every active desk account, by username."""
    with store.session() as session:
        return [
            (username, display)
            for username, display in session.execute(
                select(Agent.username, Agent.display_name)
                .where(Agent.active.is_(True))
                .order_by(Agent.username)
            ).all()
        ]


# --- the citizen's context -------------------------------------------------------------------


@dataclass(frozen=True)
class ContextReport:
    number: str
    type: str
    status: str
    created_at: dt.datetime
    due_on: dt.date
    found_by: str  # this_chat | code | mobile


@dataclass(frozen=True)
class ContextHandoff:
    id: int
    conversation_id: str
    channel: str
    reason: str
    status: str
    agent: str | None
    created_at: dt.datetime
    ended_at: dt.datetime | None
    notes: list[NoteView]


@dataclass(frozen=True)
class CitizenContext:
    reports: list[ContextReport]
    handoffs: list[ContextHandoff]
    verified_mobiles: int  # how many verified mobiles the search went through


def phone_of_conversation(conversation_id: str) -> str | None:
    """The number of a WhatsApp (`whatsapp:+E164`) or SMS (`+E164`) conversation: the
    channel's own, signed by Twilio. None for the others."""
    number = conversation_id.removeprefix("whatsapp:")
    return number if is_e164_mobile(number) else None


def citizen_context(
    store: Store, conversation_id: str, verified_mobiles: Iterable[str], current_handoff: int
) -> CitizenContext:
    """The reports and earlier hand-offs of the person behind `conversation_id`, through
    what the bot verified (see the module's docstring), newest first and bounded."""
    mobiles = {m for m in verified_mobiles if is_e164_mobile(m)}
    own_phone = phone_of_conversation(conversation_id)
    if own_phone:
        mobiles.add(own_phone)
    with store.session() as session:
        found: dict[str, tuple[Report, str]] = {}
        own = session.execute(
            select(Report).where(Report.conversation_id == conversation_id)
        ).scalars()
        for report in own:
            found[report.number] = (report, "this_chat")
        granted = list(
            session.execute(
                select(OwnershipGrant.report_number).where(
                    OwnershipGrant.conversation_id == conversation_id
                )
            ).scalars()
        )
        if granted:
            rows = session.execute(select(Report).where(Report.number.in_(granted))).scalars()
            for report in rows:
                found.setdefault(report.number, (report, "code"))
        # The mobiles of the reports it filed or proved were verified for this citizen.
        mobiles |= {r.mobile for r, _ in found.values() if is_e164_mobile(r.mobile)}
        hashes = [h for m in sorted(mobiles) for h in lookup_hashes(MOBILE, m)]
        if hashes:
            rows = session.execute(
                select(Report)
                .where(Report.mobile_hash.in_(hashes))
                .order_by(Report.created_at.desc())
                .limit(MAX_CONTEXT_REPORTS)
            ).scalars()
            for report in rows:
                found.setdefault(report.number, (report, "mobile"))
        ordered = sorted(found.values(), key=lambda f: (utc(f[0].created_at), f[0].id))
        reports = [
            ContextReport(r.number, r.type, r.status, utc(r.created_at), r.due_on, how)
            for r, how in reversed(ordered)
        ][:MAX_CONTEXT_REPORTS]
        conversations = {conversation_id, *(r.conversation_id for r, _ in found.values())}
        for mobile in mobiles:
            conversations |= {mobile, f"whatsapp:{mobile}"}
        rows = session.execute(
            select(Handoff)
            .where(
                Handoff.conversation_id.in_(sorted(conversations)),
                Handoff.id != current_handoff,
            )
            .order_by(Handoff.created_at.desc(), Handoff.id.desc())
            .limit(MAX_CONTEXT_HANDOFFS)
        ).scalars()
        earlier = list(rows)
    notes = notes_of(store, [h.id for h in earlier])
    handoffs = [
        ContextHandoff(
            h.id,
            h.conversation_id,
            h.channel,
            h.reason,
            h.status,
            h.agent,
            utc(h.created_at),
            utc(h.ended_at),
            notes[h.id],
        )
        for h in earlier
    ]
    return CitizenContext(reports, handoffs, len(mobiles))
