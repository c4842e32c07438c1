"""The agents' tools beside a chat: canned replies, internal notes, transfer, the citizen's
context, and the list of colleagues to transfer to (issue 21, items 4 and 5).

Who may do what (each refused request changes nothing and records nothing):

| route | who |
|---|---|
| `GET /api/agents` (active accounts, for a transfer) | any signed-in agent |
| `GET /api/agents/canned-replies` | any signed-in agent |
| `POST /api/agents/canned-replies`, `PUT`/`DELETE …/{id}` | supervisors (403 for agents) |
| `GET /api/handoffs/{id}/canned-replies` (filled for the chat) | the chat's holder, supervisors |
| `GET`/`POST /api/handoffs/{id}/notes` (internal notes) | the chat's holder, supervisors |
| `POST /api/handoffs/{id}/transfer` (to an active agent, with a note) | the chat's holder |
| `GET /api/handoffs/{id}/context` (reports, earlier hand-offs) | holder, supervisors; audited |

A canned reply's placeholders are checked when it is saved (`bot.rules.canned_replies`:
an unknown one is a 400 naming it) and filled when an agent inserts it, from the chat's
summary and the store (the report number, the citizen's first name) and the agent's own
name. An internal note is stored and shown to agents only: nothing here calls the hand-off
bridge's `/send`. The context goes through the identity the bot verified
(`bot.store.desk_extras.citizen_context`), shows reports by number, type, status and dates
(no name, ID or mobile) and conversation ids masked as in the queue, and each read is a
row of the audit log, like a transcript's.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from bot import clock
from bot.desk.handoff_api import (
    AGENT_KEY,
    call_bridge,
    load_handoff,
    masked_conversation,
    may_read,
)
from bot.desk.staff_api import SETTINGS_KEY, STORE_KEY, error, handoff_id, read_object
from bot.rules import input_bounds as bounds
from bot.rules.canned_replies import PLACEHOLDERS, fill, first_name, placeholder_problem
from bot.rules.dates import format_date_ar
from bot.rules.identity import is_e164_mobile
from bot.rules.input_bounds import BadInput
from bot.rules.labels import (
    CHANNEL_LABELS,
    CONTEXT_FOUND_BY_LABELS,
    HANDOFF_REASONS,
    HANDOFF_STATUSES,
    NOTE_KIND_LABELS,
    REPORT_TYPE_LABELS,
    label,
)
from bot.rules.lifecycle import STATUS_LABELS
from bot.store.agents import AgentView, is_active_agent
from bot.store.codes import is_verified
from bot.store.desk_extras import (
    DuplicateTitle,
    NoteView,
    TooManyReplies,
    active_agents,
    add_note,
    canned_replies,
    chat_values,
    citizen_context,
    create_canned,
    delete_canned,
    notes_of,
    transfer,
    update_canned,
)
from bot.store.handoffs import audit
from bot.store.models import Handoff

logger = logging.getLogger(__name__)


def _me(request: web.Request) -> AgentView:
    return request[AGENT_KEY]


def _supervisor_only(request: web.Request) -> web.Response | None:
    if not _me(request).is_supervisor:
        return error(403, "supervisors only")
    return None


async def _readable(request: web.Request) -> tuple[Handoff | None, web.Response | None]:
    """The hand-off of the path, if the signed-in agent may read it (holder, supervisor)."""
    handoff = await request.app[STORE_KEY].run(load_handoff, handoff_id(request))
    if handoff is None:
        return None, error(404, "no such hand-off")
    if not may_read(_me(request), handoff):
        return None, error(403, "only the agent holding the chat or a supervisor")
    return handoff, None


# --- colleagues ------------------------------------------------------------------------------


async def list_agents(request: web.Request) -> web.Response:
    rows = await request.app[STORE_KEY].run(active_agents)
    return web.json_response(
        {
            "agents": [{"username": u, "display_name": d} for u, d in rows],
            "me": _me(request).username,
        }
    )


# --- canned replies --------------------------------------------------------------------------


def _canned_fields(body: dict[str, Any]) -> tuple[str, str]:
    """A canned reply's title and text, bounded and trimmed, its placeholders known."""
    title = bounds.text(body.get("title"), "title", bounds.MAX_CANNED_TITLE, required=True) or ""
    text = bounds.text(body.get("body"), "body", bounds.MAX_CANNED_BODY, required=True) or ""
    title, text = title.strip(), text.strip()
    if not title:
        raise BadInput("title required")
    if not text:
        raise BadInput("body required")
    problem = placeholder_problem(text)
    if problem:
        raise BadInput(problem)
    return title, text


PLACEHOLDER_CHOICES = [{"name": name, "label": said} for name, said in PLACEHOLDERS.items()]


async def list_canned(request: web.Request) -> web.Response:
    replies = await request.app[STORE_KEY].run(canned_replies)
    return web.json_response(
        {"replies": [r.as_api() for r in replies], "placeholders": PLACEHOLDER_CHOICES}
    )


async def create_canned_reply(request: web.Request) -> web.Response:
    refused = _supervisor_only(request)
    if refused is not None:
        return refused
    title, text = _canned_fields(await read_object(request, empty_ok=False))
    me = _me(request)
    store = request.app[STORE_KEY]
    try:
        made = await store.run(create_canned, title, text, me.username, clock.now())
    except DuplicateTitle:
        return error(409, "a canned reply with this title exists")
    except TooManyReplies as full:
        return error(409, str(full))
    await store.run(audit, me.username, "canned_create", clock.now(), detail={"id": made.id})
    return web.json_response(made.as_api(), status=201)


async def update_canned_reply(request: web.Request) -> web.Response:
    refused = _supervisor_only(request)
    if refused is not None:
        return refused
    wanted = handoff_id(request)  # the same id bounds: 1..18 digits, else 404
    title, text = _canned_fields(await read_object(request, empty_ok=False))
    me = _me(request)
    store = request.app[STORE_KEY]
    try:
        changed = await store.run(update_canned, wanted, title, text, me.username, clock.now())
    except DuplicateTitle:
        return error(409, "a canned reply with this title exists")
    if changed is None:
        return error(404, "no such canned reply")
    await store.run(audit, me.username, "canned_update", clock.now(), detail={"id": wanted})
    return web.json_response(changed.as_api())


async def delete_canned_reply(request: web.Request) -> web.Response:
    refused = _supervisor_only(request)
    if refused is not None:
        return refused
    wanted = handoff_id(request)
    me = _me(request)
    store = request.app[STORE_KEY]
    if not await store.run(delete_canned, wanted):
        return error(404, "no such canned reply")
    await store.run(audit, me.username, "canned_delete", clock.now(), detail={"id": wanted})
    return web.json_response({"status": "deleted"})


async def chat_canned_replies(request: web.Request) -> web.Response:
    """The canned replies filled for one chat (its report number, the citizen's first name,
    the agent's name); a value the chat lacks is left «[its name]» and listed in `missing`."""
    handoff, refused = await _readable(request)
    if refused is not None:
        return refused
    store = request.app[STORE_KEY]
    summary = handoff.summary or {}
    stored = await store.run(chat_values, handoff.conversation_id)
    values = {
        "report_number": summary.get("report_number") or stored.report_number,
        "first_name": first_name((summary.get("slots") or {}).get("beneficiary_name"))
        or first_name(stored.beneficiary_name),
        "agent_name": _me(request).display_name,
    }
    replies = []
    for reply in await store.run(canned_replies):
        text, missing = fill(reply.body, values)
        replies.append(
            {
                "id": reply.id,
                "title": reply.title,
                "text": text[: bounds.MAX_REPLY],
                "missing": [PLACEHOLDERS[name] for name in missing],
            }
        )
    return web.json_response({"replies": replies})


# --- internal notes --------------------------------------------------------------------------


def _note_api(note: NoteView) -> dict[str, Any]:
    at = note.created_at
    return {
        **note.as_api(),
        "labels": {
            "kind": NOTE_KIND_LABELS.get(note.kind, NOTE_KIND_LABELS["note"]),
            "created_at": f"{format_date_ar(clock.local_date(at))} "
            f"{at.astimezone(clock.zone()):%H:%M}",
        },
    }


async def list_notes(request: web.Request) -> web.Response:
    handoff, refused = await _readable(request)
    if refused is not None:
        return refused
    notes = (await request.app[STORE_KEY].run(notes_of, [handoff.id]))[handoff.id]
    return web.json_response({"notes": [_note_api(n) for n in notes]})


async def post_note(request: web.Request) -> web.Response:
    """An internal note: stored and audited, shown to agents, never sent to the citizen."""
    handoff, refused = await _readable(request)
    if refused is not None:
        return refused
    body = await read_object(request, empty_ok=False)
    text = (
        bounds.text(body.get("text"), "text", bounds.MAX_INTERNAL_NOTE, required=True) or ""
    ).strip()
    if not text:
        raise BadInput("text required")
    if handoff.status not in ("waiting", "active"):
        return error(409, "the hand-off has ended")
    me = _me(request)
    note = await request.app[STORE_KEY].run(add_note, handoff.id, me.username, text, clock.now())
    return web.json_response(_note_api(note), status=201)


# --- transfer --------------------------------------------------------------------------------


async def transfer_chat(request: web.Request) -> web.Response:
    """The holder gives the chat to another active agent, with a note for her (audited)."""
    wanted = handoff_id(request)
    body = await read_object(request, empty_ok=False)
    target = bounds.text(body.get("to"), "to", bounds.MAX_USERNAME, required=True) or ""
    note = (bounds.text(body.get("note"), "note", bounds.MAX_INTERNAL_NOTE) or "").strip()
    me = _me(request)
    store = request.app[STORE_KEY]
    handoff = await store.run(load_handoff, wanted)
    if handoff is None:
        return error(404, "no such hand-off")
    if handoff.status != "active" or handoff.agent != me.username:
        return error(409, "this agent does not hold the conversation")
    if target == me.username:
        return error(400, "to must be another agent")
    if not await store.run(is_active_agent, target):
        return error(400, "to must be an active agent's username")
    if not await store.run(transfer, handoff.id, me.username, target, note, clock.now()):
        return error(409, "this agent does not hold the conversation")
    return web.json_response({"status": "active", "agent": target})


# --- the citizen's context -------------------------------------------------------------------


async def _mobile_verified_here(request: web.Request, conversation_id: str) -> str | None:
    """The mobile the conversation gave (its tracker's slot), if it proved it holds it with
    a one-time code (`bot.store.codes.is_verified`); None otherwise, or if the bridge fails."""
    try:
        status, result = await call_bridge(
            request.app, "GET", "identity", params={"conversation_id": conversation_id}
        )
    except Exception as failure:  # the context is still given, from the store alone
        logger.warning("identity for the context unavailable: %s", type(failure).__name__)
        return None
    mobile = result.get("mobile") if status == 200 and isinstance(result, dict) else None
    if not isinstance(mobile, str) or not is_e164_mobile(mobile):
        return None
    key = request.app[SETTINGS_KEY].code_secret.value().encode("utf-8")
    if await request.app[STORE_KEY].run(is_verified, key, conversation_id, mobile):
        return mobile
    return None


def _day(instant) -> str:  # type: ignore[no-untyped-def]
    return format_date_ar(clock.local_date(instant)) if instant else ""


async def context(request: web.Request) -> web.Response:
    handoff, refused = await _readable(request)
    if refused is not None:
        return refused
    me = _me(request)
    store = request.app[STORE_KEY]
    verified = await _mobile_verified_here(request, handoff.conversation_id)
    found = await store.run(
        citizen_context, handoff.conversation_id, [verified] if verified else [], handoff.id
    )
    reports = [
        {
            "number": r.number,
            "type": r.type,
            "status": r.status,
            "created_on": clock.local_date(r.created_at).isoformat(),
            "due_on": r.due_on.isoformat(),
            "found_by": r.found_by,
            "labels": {
                "type": label(REPORT_TYPE_LABELS, r.type),
                "status": label(STATUS_LABELS, r.status),
                "created_on": _day(r.created_at),
                "due_on": format_date_ar(r.due_on),
                "found_by": CONTEXT_FOUND_BY_LABELS[r.found_by],
            },
        }
        for r in found.reports
    ]
    handoffs = [
        {
            "id": h.id,
            "conversation": masked_conversation(h.conversation_id),
            "channel": h.channel,
            "reason": h.reason,
            "status": h.status,
            "agent": h.agent,
            "created_at": h.created_at.isoformat(),
            "ended_at": h.ended_at.isoformat() if h.ended_at else None,
            "notes": [_note_api(n) for n in h.notes],
            "labels": {
                "channel": label(CHANNEL_LABELS, h.channel),
                "reason": label(HANDOFF_REASONS, h.reason),
                "status": label(HANDOFF_STATUSES, h.status),
                "created_on": _day(h.created_at),
            },
        }
        for h in found.handoffs
    ]
    # The same audit as a transcript: who read whose context, when (each read is a row).
    await store.run(
        audit,
        me.username,
        "context",
        clock.now(),
        handoff.conversation_id,
        detail={
            "handoff": handoff.id,
            "reports": [r.number for r in found.reports],
            "handoffs": [h.id for h in found.handoffs],
        },
    )
    return web.json_response({"reports": reports, "handoffs": handoffs})


def add_routes(app: web.Application) -> None:
    one = "/api/handoffs/{id:" + bounds.HANDOFF_ID_ROUTE + "}"
    canned = "/api/agents/canned-replies"
    app.router.add_get("/api/agents", list_agents)
    app.router.add_get(canned, list_canned)
    app.router.add_post(canned, create_canned_reply)
    app.router.add_put(canned + "/{id:" + bounds.HANDOFF_ID_ROUTE + "}", update_canned_reply)
    app.router.add_delete(canned + "/{id:" + bounds.HANDOFF_ID_ROUTE + "}", delete_canned_reply)
    app.router.add_get(f"{one}/canned-replies", chat_canned_replies)
    app.router.add_get(f"{one}/notes", list_notes)
    app.router.add_post(f"{one}/notes", post_note)
    app.router.add_post(f"{one}/transfer", transfer_chat)
    app.router.add_get(f"{one}/context", context)
