"""The desk's dispatcher against a stand-in Rasa on loopback: a conversation whose
delivery is slow delays only its own notices; each conversation's notices keep their order."""

from __future__ import annotations

import asyncio
import datetime as dt

import aiohttp
from aiohttp import web
from sqlalchemy import select

from bot.desk.dispatcher import Dispatcher
from bot.store.follow_up import due_notifications
from bot.store.models import OutboxMessage, Report
from bot.store.reports import file_report
from tests.fakes.server import serving
from tests.helpers.reports import DUE, complaint

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.timezone.utc)


def queue(store, conversation: str, kind: str) -> None:
    with store.session() as session:
        report_id = session.execute(select(Report.id)).scalars().first()
        session.add(
            OutboxMessage(
                report_id=report_id,
                conversation_id=conversation,
                kind=kind,
                payload={},
                created_at=NOW,
                next_attempt_at=NOW,
                attempts=0,
            )
        )


def test_a_hanging_conversation_delays_only_its_own_notices(sqlite_store):
    file_report(sqlite_store, complaint(), NOW, DUE)
    queue(sqlite_store, "rest:stuck", "delayed")
    for n in range(3):
        queue(sqlite_store, "rest:fine", f"kind-{n}")
    queue(sqlite_store, "rest:other", "closed")
    seen: list[tuple[str, str]] = []
    others_delivered = asyncio.Event()

    async def trigger(request: web.Request) -> web.Response:
        conversation = request.match_info["conversation"]
        body = await request.json()
        seen.append((conversation, body["entities"]["notification_id"]))
        if len([c for c, _ in seen if c != "rest:stuck"]) == 4:
            others_delivered.set()
        if conversation == "rest:stuck":
            # Slow until every other conversation was served: one at a time, they never
            # would be, and the client's timeout would end this delivery.
            await others_delivered.wait()
        return web.json_response({})

    async def scenario() -> int:
        app = web.Application()
        app.router.add_post("/conversations/{conversation}/trigger_intent", trigger)
        async with serving(app) as rasa_url:
            timeout = aiohttp.ClientTimeout(total=2)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                dispatcher = Dispatcher(sqlite_store, rasa_url, now=lambda: NOW)
                return await dispatcher.run_once(session)

    delivered = asyncio.run(scenario())
    assert delivered == 5  # the slow one waited for the others, and they came meanwhile
    fine = [number for conversation, number in seen if conversation == "rest:fine"]
    assert fine == sorted(fine, key=int)  # in order within the conversation
    assert due_notifications(sqlite_store, NOW) == []
