"""The agents' API for hand-offs: the queue, take, reply, hand back, close, transcript.

Replies and resumptions go through Rasa's hand-off bridge (`channels/handoff_bridge.py`),
so an agent's words reach the user on the user's own channel and are recorded in the
conversation. Taking is atomic (two agents cannot hold one chat); every action is audited.
Agents sign in (`POST /api/agents/login`) and send their session token as a bearer
token. Agents see the waiting chats and their own; supervisors see every chat and can
reassign one. Identifiers are masked unless an agent reveals them, which is audited.
Every field is bounded (`bot/rules/input_bounds.py`): out of bounds is a 400 with a JSON error,
a hand-off id longer than 18 digits a 404, and nothing is changed.
"""

from __future__ import annotations

import logging
import os
import urllib.parse

import aiohttp
from aiohttp import web

from bot import clock
from bot.desk.staff_api import (
    DATABASE_KEY,
    error,
    handoff_id,
    read_object,
    read_status_change,
)
from bot.rules import input_bounds as bounds
from bot.rules.input_bounds import BadInput
from bot.rules.lifecycle import TransitionError
from bot.store.agents import AgentView, agent_for_token, is_active_agent, sign_in, sign_out
from bot.store.database import session_scope
from bot.store.follow_up import ReportNotFound, change_status
from bot.store.handoffs import audit, end, queue, take
from bot.store.models import Handoff

logger = logging.getLogger(__name__)

RASA_KEY = web.AppKey("rasa_url", str)
INTERNAL_KEY = web.AppKey("internal_token", str)
RASA_TOKEN_KEY = web.AppKey("rasa_api_token", str)


def load_handoff(url: str, handoff_id: int) -> Handoff | None:
    with session_scope(url) as session:
        row = session.get(Handoff, handoff_id)
        if row is not None:
            session.expunge(row)
        return row


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


@web.middleware
async def require_agent(request: web.Request, handler):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/handoffs") or request.path == "/api/agents/logout":
        token = _bearer(request)
        agent = agent_for_token(request.app[DATABASE_KEY], token, clock.now()) if token else None
        if agent is None:
            return error(401, "sign in first (missing, invalid or expired session)")
        request[AGENT_KEY] = agent
    return await handler(request)


async def login(request: web.Request) -> web.Response:
    body = await read_object(request)
    if not isinstance(body.get("username"), str) or not isinstance(body.get("password"), str):
        return error(400, "username and password required")
    username = bounds.text(body["username"], "username", bounds.MAX_USERNAME, required=True)
    password = bounds.text(body["password"], "password", bounds.MAX_PASSWORD, required=True)
    hours = float(os.environ.get("BALAGH_AGENT_SESSION_HOURS", "8"))
    signed = sign_in(request.app[DATABASE_KEY], username, password, clock.now(), hours)
    if signed is None:
        return error(401, "wrong username or password")
    token, expires = signed
    audit(request.app[DATABASE_KEY], username, "sign_in", clock.now())
    agent = agent_for_token(request.app[DATABASE_KEY], token, clock.now())
    return web.json_response(
        {"token": token, "expires_at": expires.isoformat(), "role": agent.role if agent else None}
    )


async def logout(request: web.Request) -> web.Response:
    sign_out(request.app[DATABASE_KEY], _bearer(request) or "")
    return web.json_response({"status": "signed out"})


async def list_queue(request: web.Request) -> web.Response:
    now = clock.now()
    me: AgentView = request[AGENT_KEY]
    items = []
    for h in queue(request.app[DATABASE_KEY]):
        if not me.is_supervisor and h.status == "active" and h.agent != me.username:
            continue
        created = h.created_at if h.created_at.tzinfo else h.created_at.replace(tzinfo=now.tzinfo)
        items.append(
            {
                "id": h.id,
                "conversation_id": h.conversation_id,
                "channel": h.channel,
                "reason": h.reason,
                "status": h.status,
                "agent": h.agent,
                "waiting_seconds": int((now - created).total_seconds()),
                "summary": h.summary,
            }
        )
    return web.json_response({"handoffs": items})


async def take_handoff(request: web.Request) -> web.Response:
    agent = request[AGENT_KEY].username
    wanted = handoff_id(request)
    if load_handoff(request.app[DATABASE_KEY], wanted) is None:
        return error(404, "no such hand-off")
    if not take(request.app[DATABASE_KEY], wanted, agent, clock.now()):
        return error(409, "already taken or ended")
    return web.json_response({"status": "active", "agent": agent})


async def _held(
    request: web.Request,
) -> tuple[Handoff | None, str, dict, web.Response | None]:
    wanted = handoff_id(request)
    body = await read_object(request)
    agent = request[AGENT_KEY].username
    handoff = load_handoff(request.app[DATABASE_KEY], wanted)
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
    audit(request.app[DATABASE_KEY], agent, "reply", clock.now(), handoff.conversation_id)
    return web.json_response({"status": "sent", "channel": result.get("channel")})


ENDINGS = {"returned": "EXTERNAL_handback", "closed": "EXTERNAL_handoff_closed"}


async def finish_handoff(app: web.Application, handoff: Handoff, agent: str, status: str) -> None:
    """Hand back (`returned`) or close (`closed`): lift the pause and tell the
    conversation, whose rules answer in the user's channel (console and Telegram alike)."""
    end(app[DATABASE_KEY], handoff.id, agent, status, clock.now())
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
    handoff = load_handoff(request.app[DATABASE_KEY], wanted)
    if handoff is None or handoff.status not in ("waiting", "active"):
        return error(404, "no open hand-off")
    if not is_active_agent(request.app[DATABASE_KEY], target):
        return error(400, "to must be an active agent's username")
    with session_scope(request.app[DATABASE_KEY]) as session:
        row = session.get(Handoff, handoff.id)
        row.agent, row.status = target, "active"
        row.taken_at = row.taken_at or clock.now()
    audit(
        request.app[DATABASE_KEY],
        me.username,
        "reassign",
        clock.now(),
        handoff.conversation_id,
        detail={"from": handoff.agent, "to": target},
    )
    return web.json_response({"status": "active", "agent": target})


async def reveal(request: web.Request) -> web.Response:
    """Unmasked national ID and phone, for the holder or a supervisor; audited."""
    me: AgentView = request[AGENT_KEY]
    handoff = load_handoff(request.app[DATABASE_KEY], handoff_id(request))
    if handoff is None:
        return error(404, "no such hand-off")
    if not (me.is_supervisor or handoff.agent == me.username):
        return error(403, "only the agent holding the chat or a supervisor")
    status, result = await call_bridge(
        request.app, "GET", "identity", params={"conversation_id": handoff.conversation_id}
    )
    if status != 200:
        return error(502, "could not read the conversation")
    audit(request.app[DATABASE_KEY], me.username, "reveal", clock.now(), handoff.conversation_id)
    return web.json_response(result)


async def report_status(request: web.Request) -> web.Response:
    """An agent changes the status of a report from the chat (audited, notified)."""
    me: AgentView = request[AGENT_KEY]
    body = await read_object(request, empty_ok=False)
    number, status = body.get("number"), body.get("status")
    if not isinstance(number, str) or not isinstance(status, str):
        return error(400, "number and status required")
    change = read_status_change(body)  # the same bounds as the staff API
    if bounds.report_number(number) is None:
        return error(404, "no report with this number")
    try:
        view = change_status(
            request.app[DATABASE_KEY],
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
    audit(
        request.app[DATABASE_KEY],
        me.username,
        "report_status",
        clock.now(),
        report_number=number,
        detail={"status": change.status},
    )
    return web.json_response(view.as_api())


async def transcript(request: web.Request) -> web.Response:
    handoff = load_handoff(request.app[DATABASE_KEY], handoff_id(request))
    if handoff is None:
        return error(404, "no such hand-off")
    status, result = await call_bridge(
        request.app, "GET", "transcript", params={"conversation_id": handoff.conversation_id}
    )
    return web.json_response(result, status=200 if status == 200 else 502)


def add_routes(app: web.Application) -> None:
    one = "/api/handoffs/{id:" + bounds.HANDOFF_ID_ROUTE + "}"
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
