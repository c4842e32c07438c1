"""The production topology: replicas share conversations, pushes cross replicas, every
event reaches RabbitMQ, and the cluster survives a killed replica, a stopped action
server, a PostgreSQL restart, and Redis or PostgreSQL stopped (never silent: the apology,
then the conversation continues when the store is back)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import aio_pika
import pytest
import socketio
from sqlalchemy import func, select

from bot.ops.processes import is_listening
from bot.store.models import Report
from channels.rest import conversation_id
from tests.cluster.conftest import Cluster, national_id, post_json
from tests.e2e.conftest import Bot
from tests.helpers.cluster import suggestion_until_summary

pytestmark = pytest.mark.cluster


def reports_of(cluster: Cluster, sender: str) -> list[Report]:
    with cluster.store.session() as session:
        query = select(Report).where(Report.conversation_id == conversation_id(sender))
        return list(session.execute(query).scalars())


def is_apology(reply: str) -> bool:
    """The `utter_service_unavailable` apology: a fault, nothing saved, send it again (its
    exact text and length: tests/unit/test_outage.py)."""
    return all(words in reply for words in ("عطل مؤقت", "يُحفظ", "أعد إرسال"))


def readiness(bot: Bot) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{bot.rasa_url}/webhooks/health/ready", timeout=10) as got:
            return got.status, json.loads(got.read())
    except urllib.error.HTTPError as failure:
        return failure.code, json.loads(failure.read())


def user_texts(cluster: Cluster, sender: str) -> list[str]:
    return [e["text"] for e in cluster.lb.tracker(sender)["events"] if e["event"] == "user"]


def postgresql(action: str) -> None:
    version = subprocess.run(
        ["ls", "/etc/postgresql"], capture_output=True, text=True, check=True
    ).stdout.split()[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
        capture_output=True,
    )


def test_a_conversation_moves_between_replicas_and_files_once(cluster: Cluster) -> None:
    sender = f"cl-{uuid.uuid4().hex[:10]}"
    summary = suggestion_until_summary(cluster.replicas, sender, 1)
    assert "راجع بيانات اقتراح التطوير" in summary
    reply = cluster.lb.say(sender, "تأكيد")
    [report] = reports_of(cluster, sender)
    assert report.number in reply


def test_every_event_is_published_to_rabbitmq(cluster: Cluster) -> None:
    """The desk's event relay publishes what the replicas stored (soon, not at once)."""
    sender = f"cl-{uuid.uuid4().hex[:10]}"
    cluster.lb.say(sender, "مرحبا")

    async def events_of_sender() -> list[dict]:
        connection = await aio_pika.connect_robust("amqp://guest:guest@127.0.0.1:5672/")
        async with connection:
            channel = await connection.channel()
            found: list[dict] = []
            deadline = asyncio.get_running_loop().time() + 30
            while asyncio.get_running_loop().time() < deadline:
                with contextlib.suppress(aio_pika.exceptions.ChannelClosed):
                    queue = await channel.declare_queue(
                        cluster.event_queue, durable=True, passive=True
                    )
                    while (message := await queue.get(no_ack=True, fail=False)) is not None:
                        event = json.loads(message.body)
                        if event.get("sender_id") == conversation_id(sender):
                            found.append(event)
                if {"user", "bot"} <= {event["event"] for event in found}:
                    return found
                if channel.is_closed:  # the queue is not declared yet
                    channel = await connection.channel()
                await asyncio.sleep(0.1)
            return found

    events = asyncio.run(events_of_sender())
    kinds = [event["event"] for event in events]
    assert "user" in kinds and "bot" in kinds
    assert next(e for e in events if e["event"] == "user")["text"] == "مرحبا"
    assert len(kinds) == len(set(map(json.dumps, events)))  # each event once


def test_a_push_from_one_replica_reaches_a_browser_on_the_other(cluster: Cluster) -> None:
    first, second = cluster.replicas

    async def scenario() -> tuple[str, list[str]]:
        received: list[str] = []
        got_agent_reply, got_greeting = asyncio.Event(), asyncio.Event()
        client = socketio.AsyncClient()
        token: asyncio.Future = asyncio.get_running_loop().create_future()

        @client.on("session_confirm")
        async def confirmed(data: str) -> None:
            token.set_result(data)

        @client.on("bot_uttered")
        async def uttered(data: dict) -> None:
            received.append(data.get("text", ""))
            got_greeting.set()
            if data.get("text") == "رد الموظف من النسخة الأخرى":
                got_agent_reply.set()

        # (long-polling: this engineio client needs a newer aiohttp for websockets)
        await client.connect(first.rasa_url, transports=["polling"], socketio_path="socket.io")
        await client.emit("session_request", {})
        session = await asyncio.wait_for(token, 30)
        sender = f"web:{session.split('.')[0]}"
        await client.emit("user_uttered", {"message": "مرحبا"})
        await asyncio.wait_for(got_greeting.wait(), 30)
        # The agent's reply goes through the bridge of the *other* replica.
        status, body = await asyncio.to_thread(
            post_json,
            f"{second.rasa_url}/webhooks/handoff/send",
            {"conversation_id": sender, "text": "رد الموظف من النسخة الأخرى"},
            {"Authorization": "Bearer cluster-internal-token"},
        )
        assert status == 200, body
        await asyncio.wait_for(got_agent_reply.wait(), 30)
        await client.disconnect()
        return sender, received

    _, received = asyncio.run(scenario())
    assert "رد الموظف من النسخة الأخرى" in received


def test_messages_of_one_conversation_on_both_replicas_at_once_are_serialised(
    cluster: Cluster,
) -> None:
    """20 messages sent together, alternately to each replica: all processed, one at a
    time (each answered before the next is read), none twice."""
    sender = f"cl-{uuid.uuid4().hex[:10]}"
    texts = [f"شكرا {n}" for n in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(lambda n: cluster.replicas[n % 2].send(sender, texts[n]), range(20)))
    events = cluster.lb.tracker(sender)["events"]
    users = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(users) == sorted(texts)  # none lost, none twice
    # Between two user messages the bot answered and listened again: no interleaving.
    turns = [e["event"] if e["event"] != "action" else e["name"] for e in events]
    user_positions = [i for i, kind in enumerate(turns) if kind == "user"]
    for here, after in zip(user_positions, user_positions[1:], strict=False):
        between = turns[here:after]
        assert "bot" in between and between[-1] == "action_listen", between


def test_action_server_down_apologises_files_nothing_then_files_when_back(
    cluster: Cluster,
) -> None:
    sender = f"cl-{uuid.uuid4().hex[:10]}"
    assert "راجع بيانات اقتراح التطوير" in suggestion_until_summary([cluster.lb], sender, 2)
    os.kill(cluster.pid("actions"), signal.SIGTERM)
    cluster.wait_until(lambda: cluster.state()["actions"]["stopped"], "the action server to stop")
    reply = cluster.lb.say(sender, "تأكيد")
    assert is_apology(reply)
    assert reports_of(cluster, sender) == []
    tracker = cluster.lb.tracker(sender)
    assert tracker["active_loop"].get("name") == "improvement_form"  # still at the summary
    # The operator starts the action server again.
    os.kill(cluster.pid("supervisor"), signal.SIGHUP)
    cluster.wait_until(lambda: is_listening(cluster.actions_port), "the action server")
    reply = cluster.lb.say(sender, "تأكيد")
    [report] = reports_of(cluster, sender)
    assert report.number in reply


def test_a_killed_replica_restarts_and_the_form_continues_where_it_was(
    cluster: Cluster,
) -> None:
    sender = f"cl-{uuid.uuid4().hex[:10]}"
    first = cluster.replicas[0]
    assert "اقتراح" in first.say(sender, "عندي اقتراح لتطوير خدمة رقمية")
    assert "رقم الهوية" in first.say(sender, "سارة عبدالله الشهري")
    restarts = cluster.state()["rasa-1"]["restarts"]
    os.kill(cluster.pid("rasa-1"), signal.SIGKILL)
    cluster.wait_until(
        lambda: cluster.state()["rasa-1"]["restarts"] == restarts + 1, "rasa-1 to be restarted"
    )
    cluster.wait_ready(first)
    assert "جوال" in first.say(sender, national_id(3))
    slots = first.tracker(sender)["slots"]
    assert slots["beneficiary_name"] == "سارة عبدالله الشهري"
    assert slots["national_id"] == national_id(3)


def test_postgresql_restarts_and_the_services_reconnect(cluster: Cluster) -> None:
    sender = f"cl-{uuid.uuid4().hex[:10]}"
    assert "اقتراح" in cluster.lb.say(sender, "عندي اقتراح لتطوير خدمة رقمية")
    postgresql("restart")
    # No service was restarted: the next messages and the staff API work.
    assert "رقم الهوية" in cluster.lb.say(sender, "سارة عبدالله الشهري")
    assert "جوال" in cluster.replicas[1].say(sender, national_id(4))
    status, _ = cluster.lb.staff("GET", "/api/reports/DR-0000-000000")
    assert status == 404
    with cluster.store.session() as session:
        assert session.execute(select(func.count(Report.id))).scalar() >= 0


def widget_reply(bot: Bot, text: str) -> str:
    """The first answer the widget shows to `text` (a new session, long-polling)."""

    async def scenario() -> str:
        client = socketio.AsyncClient()
        confirmed, answered = asyncio.Event(), asyncio.get_running_loop().create_future()
        client.on("session_confirm", lambda _: confirmed.set())
        client.on("bot_uttered", lambda data: answered.done() or answered.set_result(data))
        await client.connect(bot.rasa_url, transports=["polling"], socketio_path="socket.io")
        try:
            await client.emit("session_request", {})
            await asyncio.wait_for(confirmed.wait(), 30)
            await client.emit("user_uttered", {"message": text})
            return (await asyncio.wait_for(answered, 30)).get("text", "")
        finally:
            await client.disconnect()

    return asyncio.run(scenario())


def test_redis_down_apologises_and_is_not_ready_then_answers_when_back(cluster: Cluster) -> None:
    sender = f"cl-{uuid.uuid4().hex[:10]}"
    assert "اقتراح" in cluster.lb.say(sender, "عندي اقتراح لتطوير خدمة رقمية")
    cluster.stop_redis()
    try:
        for bot in (cluster.lb, *cluster.replicas):
            assert is_apology(bot.say(sender, "سارة عبدالله الشهري"))  # not `[]`
        assert is_apology(widget_reply(cluster.replicas[0], "مرحبا"))  # the widget too
        for replica in cluster.replicas:
            status, body = readiness(replica)
            assert status == 503 and body["checks"]["lock_store"] == "unavailable", body
    finally:
        cluster.start_redis()
    for replica in cluster.replicas:
        cluster.wait_until(lambda replica=replica: readiness(replica)[0] == 200, "readiness")
    assert user_texts(cluster, sender) == ["عندي اقتراح لتطوير خدمة رقمية"]  # nothing saved
    # No restart: the same message now goes through, and the form continues.
    assert "رقم الهوية" in cluster.lb.say(sender, "سارة عبدالله الشهري")
    assert "جوال" in cluster.replicas[1].say(sender, national_id(5))


def test_postgresql_down_apologises_then_answers_when_back(cluster: Cluster) -> None:
    sender = f"cl-{uuid.uuid4().hex[:10]}"
    assert "اقتراح" in cluster.lb.say(sender, "عندي اقتراح لتطوير خدمة رقمية")
    postgresql("stop")
    try:
        for bot in (cluster.lb, *cluster.replicas):
            assert is_apology(bot.say(sender, "سارة عبدالله الشهري"))
        assert readiness(cluster.replicas[0])[0] == 503
    finally:
        postgresql("start")
    # The conversation was not started over nor half-saved: the form goes on from there.
    assert "رقم الهوية" in cluster.lb.say(sender, "سارة عبدالله الشهري")
    assert user_texts(cluster, sender) == ["عندي اقتراح لتطوير خدمة رقمية", "سارة عبدالله الشهري"]
