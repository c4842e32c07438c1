"""The agents' API for hand-offs: the queue, take, reply, hand back, close, transcript.

Replies and resumptions go through Rasa's hand-off bridge (`channels/handoff_bridge.py`),
so an agent's words reach the user on the user's own channel and are recorded in the
conversation. Taking is atomic (two agents cannot hold one chat); every action is audited.
Authentication is the staff bearer token for now; agents' own sign-in and roles arrive
with the console.
"""

from __future__ import annotations

import logging
import urllib.parse

import aiohttp
from aiohttp import web

from bot import clock
from bot.desk.staff_api import DATABASE_KEY, error
from bot.store.database import session_scope
from bot.store.handoffs import audit, end, queue, take
from bot.store.models import Handoff

logger = logging.getLogger(__name__)

RASA_KEY = web.AppKey("rasa_url", str)
INTERNAL_KEY = web.AppKey("internal_token", str)
RASA_TOKEN_KEY = web.AppKey("rasa_api_token", str)


def _handoff(url: str, handoff_id: int) -> Handoff | None:
    with session_scope(url) as session:
        row = session.get(Handoff, handoff_id)
        if row is not None:
            session.expunge(row)
        return row


async def _json(request: web.Request) -> dict:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


async def _bridge(app: web.Application, method: str, path: str, **kwargs) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {app[INTERNAL_KEY]}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        async with session.request(
            method, f"{app[RASA_KEY]}/webhooks/handoff/{path}", headers=headers, **kwargs
        ) as reply:
            return reply.status, await reply.json(content_type=None)


async def _trigger(app: web.Application, conversation_id: str, intent: str) -> None:
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


async def list_queue(request: web.Request) -> web.Response:
    now = clock.now()
    items = []
    for h in queue(request.app[DATABASE_KEY]):
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


def _agent(body: dict) -> str | None:
    agent = body.get("agent")
    return str(agent)[:64] if isinstance(agent, str) and agent.strip() else None


async def take_handoff(request: web.Request) -> web.Response:
    body = await _json(request)
    agent = _agent(body)
    if agent is None:
        return error(400, "agent required")
    handoff_id = int(request.match_info["id"])
    if _handoff(request.app[DATABASE_KEY], handoff_id) is None:
        return error(404, "no such hand-off")
    if not take(request.app[DATABASE_KEY], handoff_id, agent, clock.now()):
        return error(409, "already taken or ended")
    return web.json_response({"status": "active", "agent": agent})


async def _held(
    request: web.Request,
) -> tuple[Handoff | None, str | None, dict, web.Response | None]:
    body = await _json(request)
    agent = _agent(body)
    if agent is None:
        return None, None, body, error(400, "agent required")
    handoff = _handoff(request.app[DATABASE_KEY], int(request.match_info["id"]))
    if handoff is None:
        return None, agent, body, error(404, "no such hand-off")
    if handoff.status != "active" or handoff.agent != agent:
        return None, agent, body, error(409, "this agent does not hold the conversation")
    return handoff, agent, body, None


async def reply(request: web.Request) -> web.Response:
    handoff, agent, body, failure = await _held(request)
    if failure is not None:
        return failure
    text = str(body.get("text") or "").strip()
    if not text:
        return error(400, "text required")
    status, result = await _bridge(
        request.app,
        "POST",
        "send",
        json={"conversation_id": handoff.conversation_id, "text": text, "agent": agent},
    )
    if status != 200:
        return error(502, f"delivery failed: {result}")
    audit(request.app[DATABASE_KEY], agent, "reply", clock.now(), handoff.conversation_id)
    return web.json_response({"status": "sent", "channel": result.get("channel")})


async def _finish(request: web.Request, status: str, intent: str) -> web.Response:
    handoff, agent, _, failure = await _held(request)
    if failure is not None:
        return failure
    end(request.app[DATABASE_KEY], handoff.id, agent, status, clock.now())
    await _bridge(request.app, "POST", "resume", json={"conversation_id": handoff.conversation_id})
    await _trigger(request.app, handoff.conversation_id, intent)
    return web.json_response({"status": status})


async def hand_back(request: web.Request) -> web.Response:
    return await _finish(request, "returned", "EXTERNAL_handback")


async def close(request: web.Request) -> web.Response:
    return await _finish(request, "closed", "EXTERNAL_handoff_closed")


async def transcript(request: web.Request) -> web.Response:
    handoff = _handoff(request.app[DATABASE_KEY], int(request.match_info["id"]))
    if handoff is None:
        return error(404, "no such hand-off")
    status, result = await _bridge(
        request.app, "GET", "transcript", params={"conversation_id": handoff.conversation_id}
    )
    return web.json_response(result, status=200 if status == 200 else 502)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/handoffs", list_queue)
    app.router.add_post(r"/api/handoffs/{id:\d+}/take", take_handoff)
    app.router.add_post(r"/api/handoffs/{id:\d+}/reply", reply)
    app.router.add_post(r"/api/handoffs/{id:\d+}/hand-back", hand_back)
    app.router.add_post(r"/api/handoffs/{id:\d+}/close", close)
    app.router.add_get(r"/api/handoffs/{id:\d+}/transcript", transcript)
