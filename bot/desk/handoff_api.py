"""The agents' API for hand-offs: the queue, take, reply, hand back, close, transcript.

Replies and resumptions go through Rasa's hand-off bridge (`channels/handoff_bridge.py`),
so an agent's words reach the user on the user's own channel and are recorded in the
conversation. Taking is atomic (two agents cannot hold one chat); every action is audited.
Agents sign in (`POST /api/agents/login`) and send their session token as a bearer
token (sign-in throttled: `bot/desk/sign_in.py`). Agents see the waiting chats and their
own; supervisors see every chat and can reassign one, to an active agent only. The queue
shows conversation ids masked (they hold phone numbers); actions go by the hand-off's id.
Each chat comes with its codes named in Arabic (`labels`: channel, reason, status, what the
user wanted, the answers), from the bot's own tables (`bot/rules/labels.py`).
A transcript and the unmasked identifiers are for the chat's holder or a supervisor, and
every read is audited; a report's status, only for the report filed by a chat one holds.
Every field is bounded (`bot/rules/input_bounds.py`): out of bounds is a 400 with a JSON error,
a hand-off id longer than 18 digits a 404, and nothing is changed.

The queue is an inbox (issue 21): filtered by channel and hand-off reason, searched by a report
number (the chats whose conversation filed it, proved it by code, or mentions it) or a mobile
(matched on the last two digits, all a masked mobile shows: a search never tells an agent a
hidden digit), each chat with its unread count for the signed-in agent (the citizen's messages
since she last read its transcript, `bot/desk/unread.py`) and, for the agent a chat was
transferred to, the transfer's note. Canned replies, internal notes, transfers and the
citizen's context are `bot/desk/inbox.py`'s.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import time
import urllib.parse

import aiohttp
from aiohttp import web

from bot import clock
from bot.desk.sign_in import GUARD_KEY, client_address, wait_in_arabic
from bot.desk.staff_api import (
    SETTINGS_KEY,
    STORE_KEY,
    error,
    handoff_id,
    read_object,
    read_status_change,
)
from bot.desk.unread import CitizenMessages
from bot.rules import input_bounds as bounds
from bot.rules.input_bounds import BadInput
from bot.rules.labels import (
    CHANNEL_LABELS,
    HANDOFF_REASONS,
    HANDOFF_STATUSES,
    label,
    summary_view,
)
from bot.rules.lifecycle import TransitionError
from bot.store.agents import AgentView, agent_for_token, is_active_agent, sign_in, sign_out
from bot.store.database import Store, utc
from bot.store.desk_extras import (
    conversations_of_report,
    mark_read,
    mobile_tails,
    phone_of_conversation,
    read_marks,
    transfers_to_holders,
)
from bot.store.follow_up import ReportNotFound, change_status
from bot.store.handoffs import HandoffView, audit, end, holds_chat_of_report, queue, take
from bot.store.models import Handoff

logger = logging.getLogger(__name__)

RASA_KEY = web.AppKey("rasa_url", str)
INTERNAL_KEY = web.AppKey("internal_token", str)
RASA_TOKEN_KEY = web.AppKey("rasa_api_token", str)
UNREAD_KEY = web.AppKey("citizen_messages", CitizenMessages)


def load_handoff(store: Store, handoff_id: int) -> Handoff | None:
    with store.session() as session:
        row = session.get(Handoff, handoff_id)
        if row is not None:
            session.expunge(row)
        return row


def assign(store: Store, handoff_id: int, agent: str, now: dt.datetime) -> None:
    """Give an open hand-off to `agent` (a supervisor's reassignment)."""
    with store.session() as session:
        row = session.get(Handoff, handoff_id)
        row.agent, row.status = agent, "active"
        row.taken_at = row.taken_at or now


async def call_bridge(app: web.Application, method: str, path: str, **kwargs) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {app[INTERNAL_KEY]}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        async with session.request(
            method, f"{app[RASA_KEY]}/webhooks/handoff/{path}", headers=headers, **kwargs
        ) as reply:
            try:
                return reply.status, await reply.json(content_type=None)
            except ValueError:  # not JSON (e.g. a proxy's error page)
                return reply.status, {"error": "the bridge did not answer JSON"}


async def trigger_external(app: web.Application, conversation_id: str, intent: str) -> None:
    query = {"output_channel": "latest"}
    if app[RASA_TOKEN_KEY]:
        query["token"] = app[RASA_TOKEN_KEY]
    conversation = urllib.parse.quote(conversation_id, safe=":+@")
    url = (
        f"{app[RASA_KEY]}/conversations/{conversation}/trigger_intent?"
        f"{urllib.parse.urlencode(query)}"
    )
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        async with session.post(url, json={"name": intent}) as reply:
            reply.raise_for_status()


AGENT_KEY = "agent"


def _bearer(request: web.Request) -> str | None:
    return bounds.bearer_token(request.headers.get("Authorization"))


def needs_agent(path: str) -> bool:
    """Every `/api/handoffs…` and `/api/agents…` path but the sign-in."""
    if path == "/api/agents/login":
        return False
    return path.startswith(("/api/handoffs", "/api/agents/")) or path == "/api/agents"


@web.middleware
async def require_agent(request: web.Request, handler):  # type: ignore[no-untyped-def]
    if needs_agent(request.path):
        token = _bearer(request)
        store = request.app[STORE_KEY]
        agent = await store.run(agent_for_token, token, clock.now()) if token else None
        if agent is None:
            return error(401, "sign in first (missing, invalid or expired session)")
        request[AGENT_KEY] = agent
    return await handler(request)


async def login(request: web.Request) -> web.Response:
    """Sign in; throttled per username and per client address (`bot/desk/sign_in.py`):
    while locked, 429 with `Retry-After` and the wait in Arabic, before any password check."""
    body = await read_object(request)
    if not isinstance(body.get("username"), str) or not isinstance(body.get("password"), str):
        return error(400, "username and password required")
    username = bounds.text(body["username"], "username", bounds.MAX_USERNAME, required=True)
    password = bounds.text(body["password"], "password", bounds.MAX_PASSWORD, required=True)
    hours = request.app[SETTINGS_KEY].agent_session_hours
    store = request.app[STORE_KEY]
    guard = request.app[GUARD_KEY]
    address = client_address(request)
    async with guard.attempt(username, address):
        wait = guard.wait(username, address, time.monotonic())
        if wait > 0:
            return _throttled(wait)
        async with guard.hashing:  # scrypt in a worker thread, a few at a time
            signed = await store.run(sign_in, username, password, clock.now(), hours)
        if signed is None:
            guard.failed(username, address, time.monotonic())
            return error(401, "wrong username or password")
        guard.succeeded(username)
    token, expires = signed
    await store.run(audit, username, "sign_in", clock.now())
    agent = await store.run(agent_for_token, token, clock.now())
    return web.json_response(
        {"token": token, "expires_at": expires.isoformat(), "role": agent.role if agent else None}
    )


def _throttled(wait: float) -> web.Response:
    seconds = max(1, math.ceil(wait))
    return web.json_response(
        {
            "error": f"too many failed sign-ins; try again in {seconds} s",
            "retry_after": seconds,
            "message": wait_in_arabic(seconds),
        },
        status=429,
        headers={"Retry-After": str(seconds)},
    )


async def logout(request: web.Request) -> web.Response:
    await request.app[STORE_KEY].run(sign_out, _bearer(request) or "")
    return web.json_response({"status": "signed out"})


_MASK = "*"
_VISIBLE = 2  # at most the last two characters (digits of a phone number) stay visible
_CHANNEL_PREFIX = re.compile(r"[a-z][a-z0-9_-]{0,31}:")


def masked_conversation(conversation_id: str) -> str:
    """A conversation id as the queue shows it: the channel's prefix (`whatsapp:`, `web:`,
    `rest:`) and a leading `+` kept, everything else masked but the last two characters
    (`whatsapp:+9665XXXXXX12` → `whatsapp:+**********12`); ids of six characters or fewer
    are masked whole. Pure. The queue's actions go by the hand-off's id, never by this."""
    prefix = _CHANNEL_PREFIX.match(conversation_id)
    head = prefix.group(0) if prefix else ""
    rest = conversation_id[len(head) :]
    if rest.startswith("+"):
        head, rest = head + "+", rest[1:]
    if len(rest) <= 6:
        return head + _MASK * len(rest)
    return head + _MASK * (len(rest) - _VISIBLE) + rest[-_VISIBLE:]


# The inbox's filters: codes sent back, Arabic names shown (the bot's own labels).
INBOX_CHOICES = {
    "channel": [{"value": code, "label": name} for code, name in CHANNEL_LABELS.items()],
    "reason": [{"value": code, "label": name} for code, name in HANDOFF_REASONS.items()],
}


def read_inbox_query(query) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """`GET /api/handoffs`'s parameters: `channel`, `reason` (known codes), `q` (a report
    number or a mobile, `bounds.inbox_search`); each at most once, nothing else. BadInput."""
    for name in query:
        if name not in bounds.INBOX_PARAMETERS:
            raise BadInput(f"unknown parameter {name[:40]!r}")
        if len(query.getall(name)) > 1:
            raise BadInput(f"{name} given more than once")
    wanted = {name: query[name] for name in bounds.INBOX_PARAMETERS if name in query}
    if "channel" in wanted and wanted["channel"] not in CHANNEL_LABELS:
        raise BadInput(f"channel must be one of {', '.join(CHANNEL_LABELS)}")
    if "reason" in wanted and wanted["reason"] not in HANDOFF_REASONS:
        raise BadInput(f"reason must be one of {', '.join(HANDOFF_REASONS)}")
    if "q" in wanted:
        bounds.inbox_search(wanted["q"])
    return wanted


_TAIL = re.compile(r"[0-9]{2}$")


async def _searched(store: Store, shown: list[HandoffView], q: str) -> list[HandoffView]:
    kind, value = bounds.inbox_search(q)
    if kind == "report":
        filed = await store.run(conversations_of_report, value)
        return [
            h
            for h in shown
            if h.conversation_id in filed or str(h.summary.get("report_number") or "") == value
        ]
    # A mobile: by the last digits a masked one shows (channel number, summary, reports).
    tails = await store.run(mobile_tails, [h.conversation_id for h in shown], bounds.SEARCH_DIGITS)
    found = []
    for h in shown:
        seen = set(tails.get(h.conversation_id, ()))
        phone = phone_of_conversation(h.conversation_id)
        if phone:
            seen.add(phone[-bounds.SEARCH_DIGITS :])
        masked = _TAIL.search(str((h.summary.get("slots") or {}).get("mobile") or ""))
        if masked:
            seen.add(masked.group(0))
        if any(tail.endswith(value) for tail in seen):
            found.append(h)
    return found


async def list_queue(request: web.Request) -> web.Response:
    now = clock.now()
    me: AgentView = request[AGENT_KEY]
    wanted = read_inbox_query(request.query)
    store = request.app[STORE_KEY]
    shown = [
        h
        for h in await store.run(queue)
        if (me.is_supervisor or h.status == "waiting" or h.agent == me.username)
        and wanted.get("channel", h.channel) == h.channel
        and wanted.get("reason", h.reason) == h.reason
    ]
    if "q" in wanted:
        shown = await _searched(store, shown, wanted["q"])
    ids = [h.id for h in shown]
    marks = await store.run(read_marks, me.username, ids)
    transfers = await store.run(transfers_to_holders, ids)
    # Unread: the citizen's messages since this agent last read the chat (else since the
    # hand-off began: what the citizen wrote while waiting).
    since = {}
    for h in shown:
        created = utc(h.created_at)
        since[h.conversation_id] = max(created, marks.get(h.id, created))
    unread = await request.app[UNREAD_KEY].counts_async(since)
    items = []
    for h in shown:
        created = utc(h.created_at)
        moved = transfers.get(h.id)
        items.append(
            {
                "id": h.id,
                "conversation": masked_conversation(h.conversation_id),
                "channel": h.channel,
                "reason": h.reason,
                "status": h.status,
                "agent": h.agent,
                "waiting_seconds": int((now - created).total_seconds()),
                "unread": unread.get(h.conversation_id, 0),
                "transfer": {"from": moved.author, "note": moved.body} if moved else None,
                "summary": h.summary,
                # What the console shows: the codes above named in Arabic, by the bot's labels.
                "labels": {
                    "channel": label(CHANNEL_LABELS, h.channel),
                    "reason": label(HANDOFF_REASONS, h.reason),
                    "status": label(HANDOFF_STATUSES, h.status),
                    **summary_view(h.summary),
                },
            }
        )
    return web.json_response({"handoffs": items, "me": me.username, "choices": INBOX_CHOICES})


async def take_handoff(request: web.Request) -> web.Response:
    agent = request[AGENT_KEY].username
    wanted = handoff_id(request)
    store = request.app[STORE_KEY]
    if await store.run(load_handoff, wanted) is None:
        return error(404, "no such hand-off")
    if not await store.run(take, wanted, agent, clock.now()):
        return error(409, "already taken or ended")
    return web.json_response({"status": "active", "agent": agent})


async def _held(
    request: web.Request,
) -> tuple[Handoff | None, str, dict, web.Response | None]:
    wanted = handoff_id(request)
    body = await read_object(request)
    agent = request[AGENT_KEY].username
    handoff = await request.app[STORE_KEY].run(load_handoff, wanted)
    if handoff is None:
        return None, agent, body, error(404, "no such hand-off")
    if handoff.status != "active" or handoff.agent != agent:
        return None, agent, body, error(409, "this agent does not hold the conversation")
    return handoff, agent, body, None


async def reply(request: web.Request) -> web.Response:
    handoff, agent, body, failure = await _held(request)
    if failure is not None:
        return failure
    text = (bounds.text(body.get("text"), "text", bounds.MAX_REPLY, required=True) or "").strip()
    if not text:
        raise BadInput("text required")
    status, result = await call_bridge(
        request.app,
        "POST",
        "send",
        json={"conversation_id": handoff.conversation_id, "text": text, "agent": agent},
    )
    if status != 200:
        return error(502, f"delivery failed: {result}")
    await request.app[STORE_KEY].run(audit, agent, "reply", clock.now(), handoff.conversation_id)
    return web.json_response({"status": "sent", "channel": result.get("channel")})


ENDINGS = {"returned": "EXTERNAL_handback", "closed": "EXTERNAL_handoff_closed"}


async def finish_handoff(app: web.Application, handoff: Handoff, agent: str, status: str) -> None:
    """Hand back (`returned`) or close (`closed`): lift the pause and tell the
    conversation, whose rules answer in the user's channel (console and Telegram alike)."""
    await app[STORE_KEY].run(end, handoff.id, agent, status, clock.now())
    await call_bridge(app, "POST", "resume", json={"conversation_id": handoff.conversation_id})
    await trigger_external(app, handoff.conversation_id, ENDINGS[status])


async def _finish(request: web.Request, status: str) -> web.Response:
    handoff, agent, _, failure = await _held(request)
    if failure is not None:
        return failure
    await finish_handoff(request.app, handoff, agent, status)
    return web.json_response({"status": status})


async def hand_back(request: web.Request) -> web.Response:
    return await _finish(request, "returned")


async def close(request: web.Request) -> web.Response:
    return await _finish(request, "closed")


async def reassign(request: web.Request) -> web.Response:
    me: AgentView = request[AGENT_KEY]
    if not me.is_supervisor:
        return error(403, "only a supervisor can reassign")
    wanted = handoff_id(request)
    body = await read_object(request)
    target = body.get("to")
    if not isinstance(target, str) or not target:
        return error(400, "to (an agent's username) required")
    target = bounds.text(target, "to", bounds.MAX_USERNAME, required=True) or ""
    store = request.app[STORE_KEY]
    handoff = await store.run(load_handoff, wanted)
    if handoff is None or handoff.status not in ("waiting", "active"):
        return error(404, "no open hand-off")
    if not await store.run(is_active_agent, target):
        return error(400, "to must be an active agent's username")
    await store.run(assign, handoff.id, target, clock.now())
    await store.run(
        audit,
        me.username,
        "reassign",
        clock.now(),
        handoff.conversation_id,
        detail={"from": handoff.agent, "to": target},
    )
    return web.json_response({"status": "active", "agent": target})


def may_read(me: AgentView, handoff: Handoff) -> bool:
    """A chat's transcript and identity: for a supervisor, or the agent holding it now."""
    return me.is_supervisor or (handoff.status == "active" and handoff.agent == me.username)


async def reveal(request: web.Request) -> web.Response:
    """Unmasked national ID and phone, for the holder or a supervisor; audited."""
    me: AgentView = request[AGENT_KEY]
    store = request.app[STORE_KEY]
    handoff = await store.run(load_handoff, handoff_id(request))
    if handoff is None:
        return error(404, "no such hand-off")
    if not may_read(me, handoff):
        return error(403, "only the agent holding the chat or a supervisor")
    status, result = await call_bridge(
        request.app, "GET", "identity", params={"conversation_id": handoff.conversation_id}
    )
    if status != 200:
        return error(502, "could not read the conversation")
    await store.run(
        audit,
        me.username,
        "reveal",
        clock.now(),
        handoff.conversation_id,
        detail={"handoff": handoff.id},
    )
    return web.json_response(result)


async def report_status(request: web.Request) -> web.Response:
    """An agent changes the status of the report filed by the chat she holds (audited,
    notified). Supervisors too: any other change goes through the staff API. The body is
    validated by the staff API's `read_status_change` (one definition of statuses and bounds)."""
    me: AgentView = request[AGENT_KEY]
    body = await read_object(request, empty_ok=False)
    number, status = body.get("number"), body.get("status")
    if not isinstance(number, str) or not isinstance(status, str):
        return error(400, "number and status required")
    change = read_status_change(body)  # the same bounds as the staff API
    if bounds.report_number(number) is None:
        return error(404, "no report with this number")
    store = request.app[STORE_KEY]
    if not await store.run(holds_chat_of_report, me.username, number):
        return error(403, "only the report filed by a chat you hold")
    try:
        view = await store.run(
            change_status,
            number,
            change.status,
            change.note,
            me.username,
            clock.now(),
            change.payload,
        )
    except ReportNotFound:
        return error(404, "no report with this number")
    except TransitionError as refused:
        return error(409, str(refused))
    await store.run(
        audit,
        me.username,
        "report_status",
        clock.now(),
        report_number=number,
        detail={"status": change.status},
    )
    return web.json_response(view.as_api())


async def transcript(request: web.Request) -> web.Response:
    """The conversation, for the agent holding the chat or a supervisor; every read audited."""
    me: AgentView = request[AGENT_KEY]
    store = request.app[STORE_KEY]
    handoff = await store.run(load_handoff, handoff_id(request))
    if handoff is None:
        return error(404, "no such hand-off")
    if not may_read(me, handoff):
        return error(403, "only the agent holding the chat or a supervisor")
    read_at = clock.now()  # a message arriving while the bridge answers stays unread
    status, result = await call_bridge(
        request.app, "GET", "transcript", params={"conversation_id": handoff.conversation_id}
    )
    if status != 200:
        return error(502, "could not read the conversation")
    await store.run(mark_read, handoff.id, me.username, read_at)
    # The same audit as `reveal`: who read which conversation, when (each read is a row).
    await store.run(
        audit,
        me.username,
        "transcript",
        clock.now(),
        handoff.conversation_id,
        detail={"handoff": handoff.id},
    )
    return web.json_response(result)


def add_routes(app: web.Application) -> None:
    from bot.desk import inbox  # it builds on this module

    one = "/api/handoffs/{id:" + bounds.HANDOFF_ID_ROUTE + "}"
    messages = CitizenMessages(app[SETTINGS_KEY].tracker_store_url)
    app[UNREAD_KEY] = messages

    async def dispose(_: web.Application) -> None:
        messages.dispose()

    app.on_cleanup.append(dispose)
    app.router.add_post("/api/agents/login", login)
    app.router.add_post("/api/agents/logout", logout)
    app.router.add_post("/api/handoffs/report-status", report_status)
    app.router.add_post(f"{one}/reassign", reassign)
    app.router.add_post(f"{one}/reveal", reveal)
    app.router.add_get("/api/handoffs", list_queue)
    app.router.add_post(f"{one}/take", take_handoff)
    app.router.add_post(f"{one}/reply", reply)
    app.router.add_post(f"{one}/hand-back", hand_back)
    app.router.add_post(f"{one}/close", close)
    app.router.add_get(f"{one}/transcript", transcript)
    inbox.add_routes(app)
