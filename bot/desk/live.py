"""The console, live (issue 21, item 3): new hand-offs, the citizen's messages and changes of
a chat pushed to the agents' consoles as server-sent events, and "the agent is typing" told
to the citizen's web widget.

**The stream.** `GET /api/live?ticket=<ticket>` answers `text/event-stream`. EventSource
cannot send an `Authorization` header, and the long-lived session token must never be put
in a URL (URLs land in logs), so the console first asks `POST /api/agents/live-ticket` with
its bearer session for a **ticket**: 43 random characters, valid `LIVE_TICKET_SECONDS` (30 s),
opening one stream once. A ticket is kept as a row of `agent_sessions` (so any desk replica
can redeem it, and of two redeeming at once exactly one deletes the row) whose hash is of the
ticket behind a non-ASCII prefix: no bearer token (printable ASCII only) hashes to it, so a
ticket is never a session (and, issued only to an agent signed in, living 30 s at most, it
adds nobody to a count of the agents signed in). A missing, unknown, expired or reused
ticket, or one of an account disabled since, is a 401 and no stream. A stream lasts at most
`LIVE_STREAM_SECONDS` (5 min) and then says `bye`: the console takes a new ticket with its
session, so a session signed out or expired stops receiving within five minutes (the console
closes its own stream when it signs out). A comment line every `LIVE_HEARTBEAT_SECONDS`
keeps proxies from closing an idle stream and tells the desk of a console gone.

Events (JSON, never a name, an identifier or a message's text; the console fetches what it
shows through the usual, audited routes):

- `hello` `{"me", "waiting"}` when the stream opens (the console then reloads its queue:
  anything missed while it was away);
- `handoff` `{"id", "kind": "new" | "changed" | "ended", "waiting", "labels"?}`: a hand-off
  queued (`new`, with its channel and reason in Arabic: the sound and the browser
  notification), taken, transferred, reassigned, handed back or closed; `waiting` is the
  number of chats waiting (the tab's title);
- `chat` `{"handoff", "citizen", "replies"}`: new messages in an open chat (the citizen's,
  and the replies written to them), counted;
- `note` `{"handoff"}`: an internal note or a transfer's note was written;
- `bye` `{"reason"}`: the stream ends (`renew`, `behind`, `shutdown`); the console reconnects.

Who is told what is who may see it in the queue (`GET /api/handoffs`): a waiting chat's events
go to every agent, a held chat's to its holder (and, for a change of holder, the one before)
and to the supervisors; notes to the holder and the supervisors.

**The watcher** (one background task per desk process, not one per console) looks every
`POLL_SECONDS` (0.5 s), or at once after this desk changed a hand-off, at three cheap things:
the open hand-offs (id, status, holder: the few rows of `status IN ('waiting', 'active')`),
the hand-off notes added since, and the rows added to the conversations store's `events`
table since (their id, conversation, type and intent only: nothing is decrypted, as for the
unread counts of `bot/desk/unread.py`). The new `user` events of a conversation with an open
hand-off, but the desk's own `EXTERNAL_*` intents, are the citizen's messages. With several
desk replicas on PostgreSQL each replica's watcher reads the same tables, so a change made
anywhere (the action server queueing a hand-off, a Rasa replica storing a message, another
desk) reaches a console connected to any replica within a second; with SQLite (one desk) the
same. Ids committed out of order (two Rasa replicas inserting at once) are waited for
`GAP_WAIT_SECONDS` before the watcher moves past a missing one (`Cursor`). A store that does
not answer costs the pushes, never the desk: the console keeps its polling as the fallback
while its stream is down.

**Typing.** `POST /api/handoffs/{id}/typing {"typing": true|false}` by the chat's holder
(409 otherwise): for a web chat conversation the desk asks Rasa's hand-off bridge
(`POST /webhooks/handoff/typing`, the internal token) to emit the widget's `bot_typing`
event, marked `agent`, to the conversation's room («الموظف يكتب…»); other channels have
nothing to show it and are answered `skipped`. A `true` goes on at most once a second per
chat (`TYPING_EVERY_SECONDS`); the console sends one every few seconds while the agent types
and a `false` when she stops, and the widget hides it by itself if nothing follows.

**The sound** of a new hand-off is `/console/sounds/new-handoff.wav` (a short chime served
by the desk: the console's policy allows no other origin, and no media element: the console
fetches it and plays it with Web Audio).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine, make_url

from bot import clock
from bot.desk.handoff_api import AGENT_KEY, call_bridge, load_handoff
from bot.desk.staff_api import SETTINGS_KEY, STORE_KEY, error, handoff_id, read_object
from bot.desk.widget import STATIC
from bot.rules import input_bounds as bounds
from bot.rules.labels import CHANNEL_LABELS, HANDOFF_REASONS, label
from bot.store.agents import AgentView
from bot.store.database import Store, utc
from bot.store.handoffs import OPEN, waiting_count
from bot.store.models import Agent, AgentSession, Handoff, HandoffNote

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # how often the watcher looks (and at once after this desk's changes)
GAP_WAIT_SECONDS = 2.0  # how long a missing id is waited for (an insert still committing)
BATCH = 1000  # rows read per look
STREAM_PATH = "/api/live"
TICKET_PATH = "/api/agents/live-ticket"
SOUND_PATH = "/console/sounds/new-handoff.wav"
SOUND = STATIC / "new-handoff.wav"
# Hashed with the ticket: not printable ASCII, so no bearer token hashes to a ticket's row.
_TICKET_PREFIX = "بلاغ/تذكرة-البث:"


# --- tickets ---------------------------------------------------------------------------------


def _ticket_hash(ticket: str) -> str:
    return hashlib.sha256((_TICKET_PREFIX + ticket).encode("utf-8")).hexdigest()


def issue_ticket(store: Store, username: str, now: dt.datetime) -> str:
    """A new stream ticket for `username` (already signed in), valid LIVE_TICKET_SECONDS."""
    ticket = secrets.token_urlsafe(32)
    with store.session() as session:
        session.add(
            AgentSession(
                token_hash=_ticket_hash(ticket),
                username=username,
                created_at=now,
                expires_at=now + dt.timedelta(seconds=bounds.LIVE_TICKET_SECONDS),
            )
        )
    return ticket


def redeem_ticket(store: Store, ticket: str, now: dt.datetime) -> AgentView | None:
    """The agent a ticket was issued to, once: the ticket is deleted whatever the answer;
    None if unknown, already used (here or on another replica), expired, or if the account
    was disabled since."""
    if bounds.live_ticket(ticket) is None:
        return None
    digest = _ticket_hash(ticket)
    with store.session() as session:
        found = session.execute(
            select(AgentSession.expires_at, Agent)
            .join(Agent, Agent.username == AgentSession.username)
            .where(AgentSession.token_hash == digest)
        ).first()
        if found is None:
            return None
        # Of two desks redeeming the same ticket, one deletes the row; the other finds none.
        if (
            session.execute(delete(AgentSession).where(AgentSession.token_hash == digest)).rowcount
            != 1
        ):
            return None
        expires, agent = found
        if utc(expires) <= now or not agent.active:
            return None
        return AgentView(agent.username, agent.display_name, agent.role)


# --- what changed ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Chat:
    """An open hand-off as the watcher sees it."""

    id: int
    conversation_id: str
    channel: str
    reason: str
    status: str  # waiting | active
    agent: str | None


@dataclass(frozen=True)
class LiveEvent:
    """One server-sent event, and the chat it is about (as it is now, and as it was): who
    may be told follows from them (`visible_to`)."""

    name: str  # handoff | chat | note
    data: dict[str, Any]
    chats: tuple[Chat, ...]

    def visible_to(self, agent: AgentView) -> bool:
        """The queue's rule: waiting chats are everyone's, a held chat its holder's (and the
        supervisors'); a note is for who may read the chat's notes (holder, supervisors)."""
        if agent.is_supervisor:
            return True
        if self.name == "note":
            return any(c.status == "active" and c.agent == agent.username for c in self.chats)
        return any(c.status == "waiting" or c.agent == agent.username for c in self.chats)

    def wire(self) -> bytes:
        return sse(self.name, self.data)


def sse(name: str, data: Mapping[str, Any]) -> bytes:
    """One event of a `text/event-stream` (JSON on one line)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {name}\ndata: {body}\n\n".encode()


def handoff_events(before: Mapping[int, Chat], after: Mapping[int, Chat]) -> list[LiveEvent]:
    """What changed between two looks at the open hand-offs. Pure."""
    waiting = sum(1 for c in after.values() if c.status == "waiting")
    events = []
    for chat in after.values():
        was = before.get(chat.id)
        if was is None:
            data: dict[str, Any] = {"id": chat.id, "kind": "changed", "waiting": waiting}
            if chat.status == "waiting":
                data["kind"] = "new"
                data["labels"] = {
                    "channel": label(CHANNEL_LABELS, chat.channel),
                    "reason": label(HANDOFF_REASONS, chat.reason),
                }
            events.append(LiveEvent("handoff", data, (chat,)))
        elif (was.status, was.agent) != (chat.status, chat.agent):
            data = {"id": chat.id, "kind": "changed", "waiting": waiting}
            events.append(LiveEvent("handoff", data, (chat, was)))
    for was in before.values():
        if was.id not in after:
            data = {"id": was.id, "kind": "ended", "waiting": waiting}
            events.append(LiveEvent("handoff", data, (was,)))
    return events


@dataclass(frozen=True)
class Row:
    """A row of the conversations store's `events` table, as much as the watcher reads."""

    id: int
    sender_id: str
    type_name: str
    intent_name: str | None = None


def chat_events(rows: Iterable[Row], open_chats: Mapping[int, Chat]) -> list[LiveEvent]:
    """The new messages of the open chats, one event per chat: the citizen's (`user` rows
    but the desk's own `EXTERNAL_*` intents) and the replies (`bot` rows). Pure."""
    by_conversation = {c.conversation_id: c for c in open_chats.values()}
    counted: dict[int, dict[str, int]] = {}
    for row in rows:
        chat = by_conversation.get(row.sender_id)
        if chat is None:
            continue
        if row.type_name == "user" and not (row.intent_name or "").startswith("EXTERNAL"):
            key = "citizen"
        elif row.type_name == "bot":
            key = "replies"
        else:
            continue
        counts = counted.setdefault(chat.id, {"handoff": chat.id, "citizen": 0, "replies": 0})
        counts[key] += 1
    return [LiveEvent("chat", counts, (open_chats[i],)) for i, counts in counted.items()]


@dataclass
class Cursor:
    """How far a table of increasing ids has been read. An id can commit after a higher one
    (two writers): a missing id holds the cursor for `gap_wait` seconds, rows above it are
    still announced once (`seen`), and after that wait the cursor moves past the hole (an
    insert rolled back leaves one for good)."""

    after: int | None = None  # every id up to it is done; None: not started (begin at the end)
    gap_wait: float = GAP_WAIT_SECONDS
    seen: set[int] = field(default_factory=set)
    gaps: dict[int, float] = field(default_factory=dict)  # missing id -> when first missed

    def take(self, ids: Iterable[int], now: float) -> set[int]:
        """Of the ids read after `after`, those not announced before; moves the cursor."""
        assert self.after is not None, "start the cursor first"
        fresh = {i for i in ids if i > self.after and i not in self.seen}
        self.seen |= fresh
        expected = self.after + 1
        for found in sorted(self.seen):
            if found > expected:  # ids expected..found-1 have not appeared (yet)
                first = self.gaps.setdefault(expected, now)
                if now - first < self.gap_wait:
                    break
                logger.debug("ids %d..%d never appeared; moving on", expected, found - 1)
            expected = found + 1
        self.after = expected - 1
        self.seen = {i for i in self.seen if i > self.after}
        self.gaps = {gap: at for gap, at in self.gaps.items() if gap > self.after}
        return fresh


def open_chats(store: Store) -> dict[int, Chat]:
    """The open hand-offs, without their summaries."""
    with store.session() as session:
        rows = session.execute(
            select(
                Handoff.id,
                Handoff.conversation_id,
                Handoff.channel,
                Handoff.reason,
                Handoff.status,
                Handoff.agent,
            ).where(Handoff.status.in_(OPEN))
        ).all()
    return {row[0]: Chat(*row) for row in rows}


def notes_after(store: Store, after: int | None) -> tuple[int, list[tuple[int, int]]]:
    """(the newest note id, [(note id, hand-off id)] after `after`); `after` None: only the
    newest id (where a new watcher begins)."""
    with store.session() as session:
        if after is None:
            return int(session.execute(select(func.max(HandoffNote.id))).scalar() or 0), []
        rows = session.execute(
            select(HandoffNote.id, HandoffNote.handoff_id)
            .where(HandoffNote.id > after)
            .order_by(HandoffNote.id)
            .limit(BATCH)
        ).all()
    return after, [(int(i), int(h)) for i, h in rows]


EVENTS_AFTER = sa.text(
    "SELECT id, sender_id, type_name, intent_name FROM events WHERE id > :after"
    " ORDER BY id LIMIT :batch"
)


class Conversations:
    """The conversations store's `events` table, read for ids, senders and types only.
    Like the unread counts, it never creates Rasa's SQLite file."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._table_seen = False

    def _connectable(self) -> Engine | None:
        if self._engine is None:
            parsed = make_url(self.url)
            if parsed.get_backend_name() == "sqlite":
                if not parsed.database or not Path(parsed.database).exists():
                    return None
                self._engine = sa.create_engine(self.url, connect_args={"timeout": 5})
            else:
                self._engine = sa.create_engine(self.url, pool_pre_ping=True, pool_size=1)
        return self._engine

    def newest(self) -> int | None:
        """The newest event's id (0: none yet), or None while there is no table to read."""
        engine = self._connectable()
        if engine is None:
            return None
        with engine.connect() as connection:
            if not self._table_seen:
                if not sa.inspect(connection).has_table("events"):
                    return None
                self._table_seen = True
            return int(connection.execute(sa.text("SELECT max(id) FROM events")).scalar() or 0)

    def after(self, after: int) -> list[Row]:
        engine = self._connectable()
        if engine is None:
            return []
        with engine.connect() as connection:
            rows = connection.execute(EVENTS_AFTER, {"after": after, "batch": BATCH}).all()
        return [Row(int(r[0]), r[1], r[2], r[3]) for r in rows]

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


# --- the consoles connected to this desk -----------------------------------------------------


_CLOSE = object()  # put in a stream's queue: end it


@dataclass(eq=False)
class Subscriber:
    agent: AgentView
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    behind: bool = False  # too many events waited for it: it is closed (and reconnects)


class Hub:
    """The streams open on this desk process; an event goes to those allowed to see it."""

    def __init__(self) -> None:
        self.subscribers: set[Subscriber] = set()

    def subscribe(self, agent: AgentView) -> Subscriber | None:
        """A new stream's queue, or None beyond MAX_LIVE_STREAMS (per agent or in all)."""
        mine = sum(1 for s in self.subscribers if s.agent.username == agent.username)
        if (
            len(self.subscribers) >= bounds.MAX_LIVE_STREAMS
            or mine >= bounds.MAX_LIVE_STREAMS_PER_AGENT
        ):
            return None
        subscriber = Subscriber(agent)
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    def publish(self, event: LiveEvent) -> None:
        for subscriber in list(self.subscribers):
            if subscriber.behind or not event.visible_to(subscriber.agent):
                continue
            if subscriber.queue.qsize() >= bounds.MAX_LIVE_BACKLOG:
                subscriber.behind = True
                subscriber.queue.put_nowait(_CLOSE)
            else:
                subscriber.queue.put_nowait(event)

    def close_all(self) -> None:
        for subscriber in list(self.subscribers):
            subscriber.queue.put_nowait(_CLOSE)


class Watcher:
    """One per desk process: what changed in the hand-offs, their notes and the
    conversations, turned into events for the hub (see the module's docstring)."""

    def __init__(
        self,
        store: Store,
        conversations: Conversations,
        hub: Hub,
        interval: float = POLL_SECONDS,
        gap_wait: float = GAP_WAIT_SECONDS,
    ) -> None:
        self.store = store
        self.conversations = conversations
        self.hub = hub
        self.interval = interval
        self.chats: dict[int, Chat] | None = None  # None: not looked yet
        self.notes = Cursor(gap_wait=gap_wait)
        self.events = Cursor(gap_wait=gap_wait)
        self._wake: asyncio.Event | None = None
        self._failing: set[str] = set()  # what failed at the last look (logged once)

    def wake(self) -> None:
        """Look now (this desk just changed something)."""
        if self._wake is not None:
            self._wake.set()

    async def run(self) -> None:
        self._wake = asyncio.Event()
        while True:
            try:
                await self.step()
            except Exception:  # never end the watcher (the stores' failures are guarded)
                logger.exception("live updates: a look failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()

    async def step(self, now: float | None = None) -> list[LiveEvent]:
        """One look: the events it found, published."""
        now = time.monotonic() if now is None else now
        events: list[LiveEvent] = []
        found = await self._guarded("hand-offs", self.store.run(open_chats))
        if found is not None:
            if self.chats is not None:
                events += handoff_events(self.chats, found)
            self.chats = found
        chats = self.chats or {}
        notes = await self._guarded("notes", self.store.run(notes_after, self.notes.after))
        if notes is not None:
            newest, rows = notes
            if self.notes.after is None:
                self.notes.after = newest
            fresh = self.notes.take((i for i, _ in rows), now)
            for handoff in sorted({h for i, h in rows if i in fresh}):
                if handoff in chats:
                    events.append(LiveEvent("note", {"handoff": handoff}, (chats[handoff],)))
        rows = await self._guarded("conversations", asyncio.to_thread(self._new_rows, now))
        if rows:
            events += chat_events(rows, chats)
        for event in events:
            self.hub.publish(event)
        return events

    def _new_rows(self, now: float) -> list[Row]:
        if self.events.after is None:
            self.events.after = self.conversations.newest()
            return []
        rows = self.conversations.after(self.events.after)
        fresh = self.events.take((r.id for r in rows), now)
        return [r for r in rows if r.id in fresh]

    async def _guarded(self, what: str, work: Any) -> Any:
        """`work`'s result, or None if the store did not answer (said once, not every look)."""
        try:
            result = await work
        except Exception as failure:
            if what not in self._failing:
                logger.warning("live updates: %s unreadable (%s)", what, type(failure).__name__)
                self._failing.add(what)
            return None
        self._failing.discard(what)
        return result


@dataclass
class Live:
    """This desk's hub, watcher and typing throttle."""

    store: Store
    conversations: Conversations
    hub: Hub = field(default_factory=Hub)
    watcher: Watcher | None = None
    _typing: dict[int, float] = field(default_factory=dict)  # hand-off -> last "true" sent

    def __post_init__(self) -> None:
        if self.watcher is None:
            self.watcher = Watcher(self.store, self.conversations, self.hub)

    def typing_due(self, handoff: int, typing: bool, now: float) -> bool:
        """Forward this? A `true` at most once per TYPING_EVERY_SECONDS per chat; a `false`
        always (it may follow a `true` that went through another desk replica)."""
        if not typing:
            self._typing.pop(handoff, None)
            return True
        last = self._typing.get(handoff)
        if last is not None and now - last < bounds.TYPING_EVERY_SECONDS:
            return False
        if len(self._typing) > 1000:  # chats long quiet
            self._typing = {h: t for h, t in self._typing.items() if now - t < 60}
        self._typing[handoff] = now
        return True


LIVE_KEY = web.AppKey("live", Live)


# --- routes ----------------------------------------------------------------------------------


async def ticket(request: web.Request) -> web.Response:
    """A stream ticket, for the signed-in agent (`require_agent` checked the session)."""
    me: AgentView = request[AGENT_KEY]
    issued = await request.app[STORE_KEY].run(issue_ticket, me.username, clock.now())
    return web.json_response(
        {
            "ticket": issued,
            "expires_in": bounds.LIVE_TICKET_SECONDS,
            "stream": f"{STREAM_PATH}?ticket={issued}",
        },
        headers={"Cache-Control": "no-store"},
    )


async def stream(request: web.Request) -> web.StreamResponse:
    given = request.query.getall("ticket", [])
    wanted = bounds.live_ticket(given[0]) if len(given) == 1 else None
    store = request.app[STORE_KEY]
    agent = await store.run(redeem_ticket, wanted, clock.now()) if wanted else None
    if agent is None:
        return error(401, "a live stream needs a ticket of POST /api/agents/live-ticket (one use)")
    live = request.app[LIVE_KEY]
    waiting = await store.run(waiting_count)
    subscriber = live.hub.subscribe(agent)
    if subscriber is None:
        return error(503, "too many live streams; the console polls meanwhile")
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # nginx: pass each event on at once
        }
    )
    try:
        await response.prepare(request)
        await response.write(sse("hello", {"me": agent.username, "waiting": waiting}))
        loop = asyncio.get_running_loop()
        ends = loop.time() + bounds.LIVE_STREAM_SECONDS
        while True:
            left = ends - loop.time()
            if left <= 0:
                await response.write(sse("bye", {"reason": "renew"}))
                break
            try:
                timeout = min(bounds.LIVE_HEARTBEAT_SECONDS, left)
                event = await asyncio.wait_for(subscriber.queue.get(), timeout)
            except asyncio.TimeoutError:
                await response.write(b": ping\n\n")
                continue
            if event is _CLOSE:
                await response.write(
                    sse("bye", {"reason": "behind" if subscriber.behind else "shutdown"})
                )
                break
            await response.write(event.wire())
    except (ConnectionError, RuntimeError):  # the console went away (a closed transport)
        pass
    finally:
        live.hub.unsubscribe(subscriber)
    return response


async def typing(request: web.Request) -> web.Response:
    """The holder of a web chat types (`true`) or stopped (`false`): the widget is told."""
    me: AgentView = request[AGENT_KEY]
    wanted = handoff_id(request)
    body = await read_object(request, empty_ok=False)
    on = bounds.flag(body.get("typing"), "typing")
    handoff = await request.app[STORE_KEY].run(load_handoff, wanted)
    if handoff is None:
        return error(404, "no such hand-off")
    if handoff.status != "active" or handoff.agent != me.username:
        return error(409, "this agent does not hold the conversation")
    if handoff.channel != "webchat" or not handoff.conversation_id.startswith("web:"):
        return web.json_response({"status": "skipped", "reason": "not a web chat"})
    if not request.app[LIVE_KEY].typing_due(handoff.id, on, time.monotonic()):
        return web.json_response({"status": "skipped", "reason": "throttled"})
    status, _ = await call_bridge(
        request.app,
        "POST",
        "typing",
        json={"conversation_id": handoff.conversation_id, "typing": on},
    )
    if status != 200:
        return error(502, "the widget could not be told")
    return web.json_response({"status": "sent"})


async def sound(_: web.Request) -> web.FileResponse:
    return web.FileResponse(
        SOUND, headers={"Content-Type": "audio/wav", "Cache-Control": "max-age=86400"}
    )


def setup(app: web.Application) -> None:
    """The routes, the watcher's task and the streams' end at shutdown. Registered after the
    desk's own background work (which migrates the store the watcher reads)."""
    live = Live(app[STORE_KEY], Conversations(app[SETTINGS_KEY].tracker_store_url))
    app[LIVE_KEY] = live
    app.router.add_post(TICKET_PATH, ticket)
    app.router.add_get(STREAM_PATH, stream)
    app.router.add_post("/api/handoffs/{id:" + bounds.HANDOFF_ID_ROUTE + "}/typing", typing)
    app.router.add_get(SOUND_PATH, sound)

    async def changed(request: web.Request, response: web.StreamResponse) -> None:
        """After this desk changed a hand-off (take, reply, transfer...): look now."""
        if (
            request.method in ("POST", "PUT", "DELETE")
            and request.path.startswith("/api/handoffs")
            and not request.path.endswith("/typing")
            and response.status < 400
        ):
            live.watcher.wake()

    tasks: list[asyncio.Task] = []

    async def stop(_: web.Application) -> None:
        live.hub.close_all()  # the streams end before aiohttp waits for the requests
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
                await asyncio.wait_for(task, 2)
        tasks.clear()

    async def watching(_: web.Application) -> AsyncIterator[None]:
        tasks.append(asyncio.create_task(live.watcher.run()))
        yield
        await stop(app)
        await asyncio.to_thread(live.conversations.dispose)

    app.on_response_prepare.append(changed)
    app.on_shutdown.append(stop)
    app.cleanup_ctx.append(watching)
