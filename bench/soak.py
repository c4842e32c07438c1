"""`make soak`: the cluster for a long while under a steady mix of conversations on every
channel while a chaos loop restarts one dependency at a time; then the checks.

`python -m bench.soak --minutes N [--services] [--seed S] [--write]` starts `balagh cluster`
(two Rasa replicas, nginx, the action server, the desk) on fresh databases as the benchmark
does (`tests/cluster/launcher.py`), with the fake Twilio API for WhatsApp and SMS, and:

- citizens: `--citizens` at once (default 8), spread over REST, the web widget (socket.io,
  long-polling, as the widget speaks it), WhatsApp and SMS (webhooks signed as Twilio signs
  them, the replies read from the fake API); each conversation files a suggestion (with the
  one-time code of its mobile), asks the FAQ, or follows a report filed earlier (from a new
  conversation, with the code sent to the report's mobile); about one message a second each
  (`--think`). A message answered with the apology («عطل مؤقت»), or lost on its way, is sent
  again after a moment, as a citizen would (`resend_after`);
- chaos: every `--interval` seconds (45) the next dependency of the rotation is restarted and
  waited for: a Rasa replica killed (SIGKILL: the supervisor starts it again), the action
  server and the desk stopped (SIGTERM, left down `--downtime` seconds, then SIGHUP to the
  supervisor), Twilio's API failing (HTTP 503 to every message; the first outage lasts
  `--twilio-outage` seconds, ten minutes in `make soak`), and with `--services` Redis,
  RabbitMQ and PostgreSQL stopped and started again. All three are the soak's own
  (`tests/helpers/private_services.py`, on free ports): the machine's services, and whatever
  else runs against them, are never touched, so the five-minute soak can run in `make test`;
- memory: the resident memory (VmRSS) of every process of the cluster every 10 seconds.

At the end: every report the conversations filed exists exactly once (by the numbers the bot
gave, no other rows); every reply to a WhatsApp or SMS citizen was sent once and in order
(`outbound_delivered`); every message was answered (a reply, or the apology, or a loss while a
killed replica restarted, followed by a reply to the resent message); no process's memory grew
past `MemoryBound` (printed); every restarted dependency came back. The figures are printed as
Markdown (appended to docs/benchmarks.md with `--write`). Exit code 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import socketio
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.actions.verification import codes_in_outbox
from bot.ops.processes import is_listening
from bot.rules.arabic import strip_diacritics, to_ascii_digits
from bot.rules.identity import with_check_digit
from bot.store.models import OutboundMessage, Report
from channels.rest import conversation_id as rest_conversation
from tests.cluster.launcher import REST_TOKEN, ROOT, LaunchedCluster, launched_cluster
from tests.e2e.conftest import API_TOKEN
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers.private_services import PrivatePostgres, PrivateRabbitMQ, private_services
from tests.helpers.twilio import PUBLIC, SMS_FROM, WHATSAPP_FROM, twilio_env

MODEL = ROOT / "models" / "balagh.tar.gz"
BENCHMARKS = ROOT / "docs" / "benchmarks.md"
CHANNELS = ("rest", "webchat", "whatsapp", "sms")
CHANNEL_NAMES = {"rest": "REST", "webchat": "widget", "whatsapp": "WhatsApp", "sms": "SMS"}
KINDS = {"file": 0.5, "faq": 0.3, "follow": 0.2}  # the mix of conversations
MEMORY_EVERY = 10.0  # seconds between two samples of every process's VmRSS

# ---------------------------------------------------------------------------------------
# What a citizen sees, and what a citizen does about it (pure).

REPLY, APOLOGY, FAILED, SILENT = "reply", "apology", "failed", "silent"
APOLOGY_WORDS = "عطل مؤقت"  # `utter_service_unavailable`, with or without diacritics (SMS)
# A citizen sends a message again after a moment, a little later each time: about two and a
# half minutes in all, longer than any outage of the chaos loop.
RESEND_DELAYS = (3.0, 5.0, 10.0, 15.0, 20.0, 30.0, 30.0, 30.0)


def is_apology(text: str) -> bool:
    return APOLOGY_WORDS in strip_diacritics(text or "")


def classify(texts: Sequence[str] | None) -> str:
    """What one attempt got: `failed` (None: an HTTP error, the connection lost, no answer
    in time), `silent` (answered with nothing at all), the `apology`, or a `reply`."""
    if texts is None:
        return FAILED
    joined = "\n".join(text for text in texts if text)
    if not joined.strip():
        return SILENT
    return APOLOGY if is_apology(joined) else REPLY


def resend_after(outcome: str, attempt: int) -> float | None:
    """Seconds after which the citizen sends the message again (the `attempt`-th try got
    `outcome`), or None: answered, or given up after `len(RESEND_DELAYS)` resends."""
    if outcome == REPLY or attempt > len(RESEND_DELAYS):
        return None
    return RESEND_DELAYS[attempt - 1]


@dataclass
class Attempt:
    started: float
    ended: float
    outcome: str
    latency: float | None = None  # seconds until the first reply


@dataclass
class Message:
    """One citizen message and every try of it."""

    channel: str
    conversation: str
    text: str
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return self.attempts[-1].outcome if self.attempts else FAILED


@dataclass
class Restart:
    """One restart of the chaos loop."""

    kind: str  # replica, actions, desk, redis, rabbitmq, postgresql
    target: str
    started: float
    recovered: float | None = None
    error: str | None = None

    @property
    def seconds(self) -> float | None:
        return None if self.recovered is None else self.recovered - self.started


# A message lost on its way while a killed replica was down or came back (nginx's sticky
# sessions of the widget move back to it) is excused, if a resend was answered.
EXCUSE_GRACE = 5.0
# Seconds after PostgreSQL serves again during which the order of a citizen's replies is not
# judged (`outbound_delivered`): the resends answered with the apology (3, 5, 10, 15, 20 s
# apart) are still settling.
ORDER_GRACE = 60.0


def excused(attempt: Attempt, restarts: Sequence[Restart], grace: float = EXCUSE_GRACE) -> bool:
    """The attempt overlapped a killed replica's restart (from the kill to `grace` seconds
    after it served again)."""
    for restart in restarts:
        if restart.kind != "replica":
            continue
        until = (restart.recovered if restart.recovered is not None else float("inf")) + grace
        if attempt.started <= until and attempt.ended >= restart.started - grace:
            return True
    return False


def unanswered(messages: Sequence[Message], restarts: Sequence[Restart]) -> list[str]:
    """Every message was answered: its last try got a reply, and each try before it got
    the apology, or was lost while a killed replica restarted. Anything else is a problem."""
    problems: list[str] = []
    for message in messages:
        where = f"{message.conversation} ({CHANNEL_NAMES.get(message.channel, message.channel)})"
        tries = [attempt.outcome for attempt in message.attempts]
        if message.outcome != REPLY:
            problems.append(f"{where}: {message.text!r} never answered: {tries}")
        for attempt in message.attempts[:-1]:
            if attempt.outcome == APOLOGY or excused(attempt, restarts):
                continue
            problems.append(f"{where}: {message.text!r} {attempt.outcome} outside any restart")
    return problems


@dataclass
class Filing:
    """A conversation that set out to file a report: the number the bot gave, if any, and
    whether one of its messages was lost (then the store may hold a report the bot could not
    tell the number of)."""

    conversation: str
    number: str | None
    uncertain: bool = False


def exactly_once(filings: Sequence[Filing], rows: Sequence[tuple[str, str]]) -> list[str]:
    """Every number the bot gave is in the store exactly once, for its conversation; no
    conversation has more than one report; there are no other rows (`rows`: number,
    conversation id). A filing without a number may have one report only when one of its
    messages was lost."""
    problems: list[str] = []
    by_conversation: dict[str, list[str]] = defaultdict(list)
    for number, conversation in rows:
        by_conversation[conversation].append(number)
    for number, count in Counter(number for number, _ in rows).items():
        if count > 1:
            problems.append(f"report {number} stored {count} times")
    given = Counter(filing.number for filing in filings if filing.number)
    for number, count in given.items():
        if count > 1:
            problems.append(f"number {number} given to {count} conversations")
    known = set()
    for filing in filings:
        known.add(filing.conversation)
        found = sorted(by_conversation.get(filing.conversation, []))
        if filing.number is not None:
            if found != [filing.number]:
                problems.append(
                    f"{filing.conversation}: the bot gave {filing.number}, the store has {found}"
                )
        elif len(found) > 1 or (found and not filing.uncertain):
            problems.append(f"{filing.conversation}: no number given, the store has {found}")
    for conversation, numbers in by_conversation.items():
        if conversation not in known:
            problems.append(f"{conversation}: {sorted(numbers)} filed by no soak conversation")
    return problems


@dataclass(frozen=True)
class Outbound:
    """A row of `outbound_messages`: what a replica handed to Twilio, and its fate."""

    id: int
    recipient: str
    status: str
    twilio_sid: str | None


def outbound_delivered(
    rows: Sequence[Outbound],
    accepted: Sequence[tuple[float, dict]],
    recipients: set[str],
    restarts: Sequence[Restart] = (),
    grace: float = EXCUSE_GRACE,
) -> list[str]:
    """Every reply to the soak's WhatsApp and SMS citizens (`recipients`) was sent once, in
    order: each recorded row ended `sent` with a message id Twilio's API gave once; Twilio
    accepted nothing else for them (a second copy would have an id no row holds), except
    while PostgreSQL was down (then a reply, the apology, is sent unrecorded: never silent);
    for each citizen, Twilio accepted the rows in the order they were written, outside
    PostgreSQL's restarts and `ORDER_GRACE` after them (`accepted`: when the fake API took
    each message, and the message, in the order it took them)."""
    problems: list[str] = []
    mine = [row for row in rows if row.recipient in recipients]
    for row in mine:
        if row.status != "sent":
            problems.append(f"outbound message {row.id} to {row.recipient}: {row.status}")
    taken = [(at, m) for at, m in accepted if str(m.get("To")) in recipients]
    position = {str(m.get("sid")): index for index, (_, m) in enumerate(taken)}
    recorded = Counter(row.twilio_sid for row in mine if row.twilio_sid)
    for sid, count in recorded.items():
        if count > 1:
            problems.append(f"Twilio message {sid} recorded for {count} rows")
    # PostgreSQL's restarts, from the stop until it served again. Unrecorded sends are
    # allowed until `grace` after; the order is not judged until `ORDER_GRACE` after: there
    # a turn that fails at its end has queued its replies before the apology, and the
    # citizen's resend may be answered by the other replica while they wait.
    store_away = [
        (r.started, r.recovered or float("inf")) for r in restarts if r.kind == "postgresql"
    ]

    def around_a_restart(at: float, after: float) -> bool:
        return any(start <= at <= end + after for start, end in store_away)

    for at, message in taken:
        if str(message.get("sid")) not in recorded and not around_a_restart(at, grace):
            problems.append(f"Twilio took a message to {message.get('To')} no row records")
    by_recipient: dict[str, list[Outbound]] = defaultdict(list)
    for row in sorted(mine, key=lambda row: row.id):
        if row.twilio_sid in position and not around_a_restart(
            taken[position[row.twilio_sid]][0], ORDER_GRACE
        ):
            by_recipient[row.recipient].append(row)
    for recipient, sent in by_recipient.items():
        order = [position[row.twilio_sid] for row in sent]
        if order != sorted(order):
            problems.append(f"{recipient}: Twilio took the replies out of order")
    return problems


@dataclass(frozen=True)
class MemoryBound:
    """A process's memory did not grow: the largest sample of the last third of the run is
    at most `ratio` x the largest of the first third + `slack_mib`."""

    ratio: float = 1.3
    slack_mib: float = 50.0

    def __str__(self) -> str:
        return (
            f"max of the last third <= {self.ratio} x max of the first third"
            f" + {self.slack_mib:.0f} MiB"
        )


@dataclass
class MemoryVerdict:
    first_max: float
    last_max: float
    limit: float
    ok: bool


def memory_verdict(samples: Sequence[float], bound: MemoryBound = MemoryBound()) -> MemoryVerdict:
    """`samples` (MiB) in time order; fewer than three: nothing to compare (passes)."""
    if len(samples) < 3:
        top = max(samples, default=0.0)
        return MemoryVerdict(top, top, bound.ratio * top + bound.slack_mib, True)
    third = len(samples) // 3
    first_max, last_max = max(samples[:third]), max(samples[-third:])
    limit = bound.ratio * first_max + bound.slack_mib
    return MemoryVerdict(first_max, last_max, limit, last_max <= limit)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# ---------------------------------------------------------------------------------------
# The chaos loop: what restarting each dependency means, through a runner (real or fake).

ROTATION = ("replica", "actions", "desk", "twilio", "redis", "rabbitmq", "postgresql")
SERVICES = frozenset({"redis", "rabbitmq", "postgresql"})


def rotation(services: bool, replicas: int = 2, twilio: bool = True) -> Iterator[tuple[str, str]]:
    """(kind, target) for ever: the dependencies in turn, the replicas taking turns."""
    kinds = [
        kind
        for kind in ROTATION
        if (services or kind not in SERVICES) and (twilio or kind != "twilio")
    ]
    killed = 0
    while True:
        for kind in kinds:
            if kind == "replica":
                killed += 1
                yield kind, f"rasa-{(killed - 1) % replicas + 1}"
            else:
                yield kind, kind


class Runner(Protocol):
    """What the chaos loop does to the machine (`ClusterRunner`; a fake in the unit tests)."""

    def state(self) -> dict: ...

    def signal(self, member: str, signum: int) -> None: ...

    def service(self, name: str, action: str) -> None: ...

    def twilio(self, up: bool) -> None: ...

    def pause(self, seconds: float) -> None: ...

    def wait(self, what: str, condition: Callable[[], bool], timeout: float) -> None: ...

    def serving(self, member: str) -> bool: ...


class Chaos:
    """Restarts one dependency and waits until it serves again."""

    def __init__(
        self,
        runner: Runner,
        downtime: float = 10.0,
        replicas: int = 2,
        twilio_outage: float | None = None,
    ) -> None:
        self.runner = runner
        self.downtime = downtime
        self.replicas = [f"rasa-{index}" for index in range(1, replicas + 1)]
        # The first outage of Twilio's API lasts `twilio_outage` seconds, the later ones
        # `downtime`: one long outage (ten minutes in `make soak`) without Twilio being away
        # for most of the run.
        self.twilio_outages = iter([downtime if twilio_outage is None else twilio_outage])

    def restart(self, kind: str, target: str, clock: Callable[[], float] = time.monotonic):
        record = Restart(kind, target, clock())
        try:
            getattr(self, f"_{kind}")(target)
            record.recovered = clock()
        except Exception as failure:  # recorded: the run goes on, the check fails
            record.error = f"{type(failure).__name__}: {failure}"
        return record

    def _replicas_serving(self) -> None:
        for replica in self.replicas:
            self.runner.wait(
                f"{replica} ready", lambda replica=replica: self.runner.serving(replica), 300
            )

    def _replica(self, member: str) -> None:
        """SIGKILL: a crash, which the supervisor answers by starting it again."""
        before = self.runner.state()[member]["restarts"]
        self.runner.signal(member, signal.SIGKILL)
        self.runner.wait(
            f"{member} restarted",
            lambda: self.runner.state()[member]["restarts"] > before,
            120,
        )
        self.runner.wait(f"{member} ready", lambda: self.runner.serving(member), 300)

    def _stopped_member(self, member: str) -> None:
        """SIGTERM: a clean stop, left down until the supervisor gets SIGHUP."""
        self.runner.signal(member, signal.SIGTERM)
        try:
            self.runner.wait(
                f"{member} stopped", lambda: self.runner.state()[member]["stopped"], 60
            )
            self.runner.pause(self.downtime)
        finally:
            self.runner.signal("supervisor", signal.SIGHUP)
        self.runner.wait(f"{member} back", lambda: self.runner.serving(member), 120)

    def _actions(self, member: str) -> None:
        self._stopped_member(member)

    def _desk(self, member: str) -> None:
        self._stopped_member(member)

    def _service(self, name: str, what: str, timeout: float) -> None:
        """Stopped, left down `downtime` seconds, started again (even when interrupted)."""
        self.runner.service(name, "stop")
        try:
            self.runner.pause(self.downtime)
        finally:
            self.runner.service(name, "start")
        self.runner.wait(what, lambda: self.runner.serving(name), timeout)

    def _redis(self, _: str) -> None:
        """The cluster's own `redis-server` (tests/cluster/launcher.py), stopped and started
        on the same port (empty: it keeps nothing on disk)."""
        self._service("redis", "Redis", 60)
        self._replicas_serving()

    def _rabbitmq(self, _: str) -> None:
        self._service("rabbitmq", "RabbitMQ", 180)

    def _postgresql(self, _: str) -> None:
        self._service("postgresql", "PostgreSQL", 120)
        self._replicas_serving()

    def _twilio(self, _: str) -> None:
        """Twilio's API failing (HTTP 503 to every message request): the replies wait and go
        out when it returns, in order, once each (`outbound_delivered`)."""
        self.runner.twilio(up=False)
        try:
            self.runner.pause(next(self.twilio_outages, self.downtime))
        finally:
            self.runner.twilio(up=True)


def _get_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=3) as response:
        return response.status == 200


class ClusterRunner:
    """The chaos loop's hands on a running `balagh cluster`, its own Redis, PostgreSQL and
    RabbitMQ (never the machine's), and the fake Twilio API."""

    def __init__(
        self,
        launched: LaunchedCluster,
        postgres: PrivatePostgres,
        rabbitmq: PrivateRabbitMQ,
        fake: FakeTwilio,
        outage: TwilioOutage,
    ) -> None:
        self.launched = launched
        self.postgres, self.rabbitmq, self.fake, self.outage = postgres, rabbitmq, fake, outage

    def state(self) -> dict:
        return self.launched.state()

    def signal(self, member: str, signum: int) -> None:
        os.kill(self.launched.pid(member), signum)

    def service(self, name: str, action: str) -> None:
        if name == "redis":
            start, stop = self.launched.start_redis, self.launched.stop_redis
        else:
            own = {"postgresql": self.postgres, "rabbitmq": self.rabbitmq}[name]
            start, stop = own.start, own.stop
        (start if action == "start" else stop)()

    def twilio(self, up: bool) -> None:
        self.fake.set_down(not up)
        self.outage.set(up)

    def pause(self, seconds: float) -> None:
        time.sleep(seconds)

    def wait(self, what: str, condition: Callable[[], bool], timeout: float) -> None:
        self.launched.wait_until(condition, what, timeout)

    def serving(self, member: str) -> bool:
        launched = self.launched
        if member.startswith("rasa-"):
            url = launched.replica_urls[int(member.split("-")[1]) - 1]
            with urllib.request.urlopen(f"{url}/status?token={API_TOKEN}", timeout=3) as reply:
                if not json.loads(reply.read()).get("model_file"):
                    return False
            return _get_ok(f"{url}/webhooks/health/ready")  # its stores reachable too
        if member == "actions":
            return is_listening(launched.actions_port)
        if member == "desk":
            return _get_ok(f"{launched.desk_url}/health")
        if member == "redis":
            return is_listening(launched.redis_port)
        if member == "rabbitmq":
            return self.rabbitmq.serving()
        if member == "postgresql":
            return self.postgres.serving()
        raise ValueError(member)

    def all_serving(self) -> bool:
        members = [f"rasa-{i}" for i in range(1, len(self.launched.replica_urls) + 1)]
        return all(self.serving(member) for member in [*members, "actions", "desk"])


def chaos_loop(
    chaos: Chaos,
    plan: Iterator[tuple[str, str]],
    interval: float,
    stop_at: float,
    restarts: list[Restart],
    halt: threading.Event,
    started: float,
) -> None:
    """A restart every `interval` seconds (after the previous one has recovered, and at
    least 10 seconds after it), none begun after `stop_at`."""
    next_at = time.monotonic() + interval
    while next_at < stop_at and not halt.wait(max(0.0, next_at - time.monotonic())):
        kind, target = next(plan)
        record = chaos.restart(kind, target)
        restarts.append(record)
        took = f"back in {record.seconds:.0f} s" if record.error is None else record.error
        print(f"[{record.started - started:6.0f} s] restarted {target}: {took}", flush=True)
        next_at = max(record.started + interval, time.monotonic() + 10)


# ---------------------------------------------------------------------------------------
# Memory of every process of the cluster.


def rss_mib(pid: int) -> float | None:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


def processes_of(launched: LaunchedCluster) -> dict[str, int]:
    """Name -> pid of every process of the cluster now (the members, the supervisor, the
    cluster's Redis)."""
    pids = {name: entry["pid"] for name, entry in launched.state().items() if entry.get("pid")}
    if launched.redis is not None:
        pids["redis-server"] = launched.redis.pid
    return pids


def memory_sampler(
    launched: LaunchedCluster,
    samples: dict[str, list[float]],
    halt: threading.Event,
    progress: Callable[[], None] = lambda: None,
) -> None:
    """Every `MEMORY_EVERY` seconds until `halt`; `progress` once a minute."""
    for count in itertools.count(1):
        with contextlib.suppress(OSError, ValueError, KeyError):
            for name, pid in processes_of(launched).items():
                if (mib := rss_mib(pid)) is not None:
                    samples.setdefault(name, []).append(mib)
        if count % round(60 / MEMORY_EVERY) == 0:
            progress()
        if halt.wait(MEMORY_EVERY):
            return


# ---------------------------------------------------------------------------------------
# Citizens: one conversation on one channel (a new citizen each time).


class Conversation(Protocol):
    channel: str
    conversation_id: str

    async def send(self, text: str) -> tuple[list[str] | None, float | None]: ...

    async def close(self) -> None: ...


class RestConversation:
    channel = "rest"

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session, self.url = session, url
        self.sender = f"soak-{uuid.uuid4().hex[:12]}"
        self.conversation_id = rest_conversation(self.sender)

    async def send(self, text: str) -> tuple[list[str] | None, float | None]:
        started = time.monotonic()
        try:
            async with self.session.post(
                f"{self.url}/webhooks/rest/webhook",
                json={"sender": self.sender, "message": text},
                headers={"Authorization": f"Bearer {REST_TOKEN}"},
                timeout=aiohttp.ClientTimeout(total=60),
            ) as response:
                if response.status != 200:
                    return None, None
                body = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return None, None
        texts = [str(m.get("text") or "") for m in body if isinstance(m, dict)]
        return texts, time.monotonic() - started

    async def close(self) -> None:
        return None


class WebChatConversation:
    """The widget's side of the web chat (tests/helpers/webchat.py, asynchronous): a turn
    ends when the bot stops typing (or a second after its last message, if the typing
    indicator never came; at the timeout, if it never ended). A lost connection is opened
    again on the same session, as the widget does after a reload."""

    channel = "webchat"
    QUIET = 1.0

    def __init__(self, url: str, timeout: float = 60) -> None:
        self.url, self.timeout = url, timeout
        self.token: str | None = None
        self.client: socketio.AsyncClient | None = None
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    @property
    def conversation_id(self) -> str:
        return f"web:{self.token.split('.')[0]}" if self.token else "web:?"

    async def _connect(self) -> None:
        client = socketio.AsyncClient(reconnection=False)
        events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        for name in ("session_confirm", "bot_uttered", "bot_typing"):
            client.on(name, lambda data=None, name=name: events.put_nowait((name, data)))
        client.on("disconnect", lambda *_: events.put_nowait(("disconnect", None)))
        try:
            await asyncio.wait_for(
                client.connect(self.url, transports=["polling"], socketio_path="/socket.io"), 30
            )
            await client.emit("session_request", {"session_id": self.token})
            while True:
                name, data = await asyncio.wait_for(events.get(), 30)
                if name == "session_confirm":
                    self.token = str(data)
                    break
                if name == "disconnect":
                    raise ConnectionError("disconnected before the session was confirmed")
        except BaseException:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.disconnect(), 5)
            raise
        self.client, self.events = client, events

    async def _drop(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.disconnect(), 5)

    async def send(self, text: str) -> tuple[list[str] | None, float | None]:
        started = time.monotonic()
        try:
            if self.client is None or not self.client.connected:
                await self._drop()
                await self._connect()
            while not self.events.empty():  # pushed between turns: not this turn's answer
                if self.events.get_nowait()[0] == "disconnect":
                    raise ConnectionError("disconnected")
            started = time.monotonic()
            assert self.client is not None
            await self.client.emit("user_uttered", {"message": text, "metadata": {}})
            replies: list[str] = []
            first: float | None = None
            typing = False
            deadline = started + self.timeout
            while True:
                wait = deadline - time.monotonic()
                if replies and not typing:
                    wait = min(wait, self.QUIET)
                try:
                    name, data = await asyncio.wait_for(self.events.get(), max(0.01, wait))
                except asyncio.TimeoutError:
                    if replies:
                        break  # answered; the typing indicator did not come, or not its end
                    raise
                if name == "disconnect":
                    raise ConnectionError("disconnected")
                if name == "bot_uttered":
                    replies.append(str((data or {}).get("text") or ""))
                    first = first or time.monotonic()
                elif name == "bot_typing":
                    if (data or {}).get("typing"):
                        typing = True
                    elif typing:
                        break
        except (Exception, asyncio.TimeoutError):
            await self._drop()
            return None, None
        return replies, (first - started) if first else None

    async def close(self) -> None:
        await self._drop()


@dataclass
class TwilioOutage:
    """Whether the chaos loop has Twilio's API down, and when it last came back: a citizen
    on WhatsApp or SMS waits for the reply through an outage and `patience` seconds after
    it (the replicas retry every minute at most), instead of sending the message again."""

    down: bool = False
    ended_at: float = float("-inf")
    patience: float = 90.0

    def set(self, up: bool) -> None:
        if up and self.down:
            self.ended_at = time.monotonic()
        self.down = not up

    def waiting(self, now: float) -> bool:
        return self.down or now < self.ended_at + self.patience


class TwilioInbox:
    """The fake Twilio API's sent messages, by recipient, with when the soak saw them."""

    def __init__(self, fake: FakeTwilio, outage: TwilioOutage | None = None) -> None:
        self.fake = fake
        self.outage = outage or TwilioOutage()
        self.cursor = 0
        self.by_user: dict[str, list[tuple[float, str]]] = defaultdict(list)

    def pull(self) -> None:
        new = self.fake.messages[self.cursor :]  # appended by the fake's thread
        self.cursor += len(new)
        now = time.monotonic()
        for message in new:
            self.by_user[str(message.get("To"))].append((now, str(message.get("Body") or "")))

    def count(self, user: str) -> int:
        self.pull()
        return len(self.by_user[user])

    async def replies(
        self, user: str, seen: int, timeout: float = 30, quiet: float = 0.5
    ) -> tuple[list[str], float | None]:
        """The messages to `user` after the first `seen`: once one came, until none came for
        `quiet` seconds; nothing after `timeout`."""
        deadline = time.monotonic() + timeout
        last_count, last_change = seen, time.monotonic()
        while True:
            self.pull()
            mine = self.by_user[user]
            now = time.monotonic()
            if len(mine) != last_count:
                last_count, last_change = len(mine), now
            if len(mine) > seen and now - last_change >= quiet:
                break
            if len(mine) == seen and now > deadline and not self.outage.waiting(now):
                return [], None
            await asyncio.sleep(0.02)
        return [body for _, body in mine[seen:]], mine[seen][0]


class TwilioConversation:
    """WhatsApp or SMS: the webhook signed as Twilio signs it; the replies read from the
    fake Twilio API (`silent` when none came within 30 seconds of a 200)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        channel: str,
        user: str,
        inbox: TwilioInbox,
        auth_token: str,
    ) -> None:
        self.session, self.url, self.channel = session, url, channel
        self.conversation_id = user
        self.inbox = inbox
        self.validator = RequestValidator(auth_token)

    async def send(self, text: str) -> tuple[list[str] | None, float | None]:
        user = self.conversation_id
        params = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "From": user,
            "To": WHATSAPP_FROM if self.channel == "whatsapp" else SMS_FROM,
            "Body": text,
            "NumMedia": "0",
        }
        public = f"{PUBLIC}/webhooks/{self.channel}/webhook"
        signature = self.validator.compute_signature(public, params)
        seen = self.inbox.count(user)
        started = time.monotonic()
        try:
            async with self.session.post(
                f"{self.url}/webhooks/{self.channel}/webhook",
                data=params,
                headers={"X-Twilio-Signature": signature},
                timeout=aiohttp.ClientTimeout(total=60),
            ) as response:
                await response.read()
                if response.status != 200:
                    return None, None
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return None, None
        texts, first = await self.inbox.replies(user, seen)
        return texts, (first - started) if first else None

    async def close(self) -> None:
        return None


# ---------------------------------------------------------------------------------------
# The conversations.

NAME, NATIONAL_ID, MOBILE, CODE, NUMBER = "<name>", "<id>", "<mobile>", "<code>", "<number>"
FILING = [
    "عندي اقتراح لتطوير خدمة رقمية",
    NAME,
    NATIONAL_ID,
    MOBILE,
    CODE,
    "تجديد الجواز",
    "ابشر",
    "التطبيق",
    "إضافة تنبيه قبل انتهاء الجواز بشهر",
    "تأكيد",
    "1",  # where updates go: here
]
NAMES = ["سارة عبدالله الشهري", "محمد سعد العتيبي", "نورة خالد القحطاني", "فهد علي الدوسري"]
FAQ_QUESTIONS = [
    "كم مدة معالجة البلاغ في بلاغ رقمي",
    "كيف ارفع المستندات الناقصة؟",
    "غلطت في بيانات البلاغ وش اسوي؟",
    "وش يعني طلب تحول؟",
    "ما عندي رقم شكوى سابقة اقدر ارفع بلاغ؟",
    "كم مدة استكمال المستندات الناقصة؟",
]
GREETINGS = ["السلام عليكم", "مرحبا", "هلا"]
FOLLOWING = [f"حالة البلاغ {NUMBER}", CODE, "شكرا"]
_GIVEN_NUMBER = re.compile(r"رقم البلاغ\s*:?\s*(\d{9})(?!\d)")


def number_given(text: str) -> str | None:
    """The report number of the bot's confirmation («رقم البلاغ: 260000001»)."""
    match = _GIVEN_NUMBER.search(strip_diacritics(to_ascii_digits(text or "")))
    return match.group(1) if match else None


@dataclass
class Filed:
    number: str
    mobile: str  # 05xxxxxxxx


@dataclass
class Ledger:
    """Everything the run saw (appended by the citizens, the chaos loop and the sampler)."""

    messages: list[Message] = field(default_factory=list)
    filings: list[Filing] = field(default_factory=list)
    conversations: Counter = field(default_factory=Counter)  # (kind, channel)
    follow_ups: int = 0
    follow_ups_with_status: int = 0
    restarts: list[Restart] = field(default_factory=list)
    memory: dict[str, list[float]] = field(default_factory=dict)
    pool: list[Filed] = field(default_factory=list)  # reports that may be followed
    seconds: float = 0.0  # how long the citizens talked
    outbound: int = 0  # replies to the WhatsApp and SMS citizens recorded by the replicas
    errors: list[str] = field(default_factory=list)  # the soak's own failures

    def progress(self, started: float) -> str:
        outcomes = Counter(a.outcome for m in self.messages for a in m.attempts)
        return (
            f"[{time.monotonic() - started:6.0f} s] {len(self.messages)} messages answered or"
            f" given up, {outcomes[APOLOGY]} apologies, {outcomes[FAILED]} lost,"
            f" {outcomes[SILENT]} silent, {sum(1 for f in self.filings if f.number)} reports"
        )


@dataclass
class Citizens:
    """What the citizens share: where to send, the fake Twilio API, the run's ledger."""

    url: str
    outbox: Path
    fake: FakeTwilio
    ledger: Ledger
    stop_at: float
    think: float
    seed: int
    outage: TwilioOutage = field(default_factory=TwilioOutage)
    twilio_users: set[str] = field(default_factory=set)  # the WhatsApp and SMS citizens
    inbox: TwilioInbox = field(init=False)
    numbers: Iterator[int] = field(init=False)

    def __post_init__(self) -> None:
        self.inbox = TwilioInbox(self.fake, self.outage)
        self.numbers = iter(range(1, 10**7))

    def open(self, channel: str, session: aiohttp.ClientSession, n: int) -> Conversation:
        if channel == "rest":
            return RestConversation(session, self.url)
        if channel == "webchat":
            return WebChatConversation(self.url)
        prefix = "whatsapp:+96656" if channel == "whatsapp" else "+96657"
        user = f"{prefix}{(self.seed * 10**5 + n) % 10**7:07d}"
        self.twilio_users.add(user)
        return TwilioConversation(
            session, self.url, channel, user, self.inbox, self.fake.auth_token
        )

    async def deliver(
        self, conversation: Conversation, text: Callable[[], str], label: str
    ) -> list[str] | None:
        """Send one message until it is answered (`resend_after`); the reply's texts."""
        message = Message(conversation.channel, "", label)
        texts: list[str] | None = None
        while True:
            started = time.monotonic()
            texts, latency = await conversation.send(text())
            outcome = classify(texts)
            message.attempts.append(Attempt(started, time.monotonic(), outcome, latency))
            delay = resend_after(outcome, len(message.attempts))
            if delay is None:
                break
            await asyncio.sleep(delay)
        message.conversation = conversation.conversation_id
        self.ledger.messages.append(message)
        return texts if message.outcome == REPLY else None

    def code(self, mobile: str) -> str:
        codes = codes_in_outbox(self.outbox, "+966" + mobile[1:])
        return codes[-1] if codes else "000000"  # answered as a wrong code

    async def pause(self, rng: random.Random) -> None:
        await asyncio.sleep(self.think * rng.uniform(0.6, 1.4))

    async def converse(
        self,
        conversation: Conversation,
        steps: Sequence[str],
        rng: random.Random,
        values: dict[str, str],
    ) -> tuple[list[list[str] | None], list[Message]]:
        replies: list[list[str] | None] = []
        first = len(self.ledger.messages)
        for step in steps:

            def text(step: str = step) -> str:
                if step == CODE:
                    return self.code(values[MOBILE])
                return values.get(step, step).replace(NUMBER, values.get(NUMBER, ""))

            replies.append(await self.deliver(conversation, text, step))
            await self.pause(rng)
        mine = [
            m
            for m in self.ledger.messages[first:]
            if m.conversation == conversation.conversation_id
        ]
        return replies, mine

    async def file(self, conversation: Conversation, rng: random.Random, n: int) -> None:
        mobile = f"055{n % 10**7:07d}"
        values = {
            NAME: rng.choice(NAMES),
            NATIONAL_ID: with_check_digit(f"1{(self.seed * 10**6 + n) % 10**8:08d}"),
            MOBILE: mobile,
        }
        replies, messages = await self.converse(conversation, FILING, rng, values)
        number = next(
            (found for texts in replies for found in map(number_given, texts or []) if found),
            None,
        )
        lost = any(a.outcome in (FAILED, SILENT) for m in messages for a in m.attempts)
        lost = lost or any(m.outcome != REPLY for m in messages)
        self.ledger.filings.append(Filing(conversation.conversation_id, number, lost))
        if number:
            self.ledger.pool.append(Filed(number, mobile))

    async def faq(self, conversation: Conversation, rng: random.Random) -> None:
        steps = [rng.choice(GREETINGS), *rng.sample(FAQ_QUESTIONS, 2), "شكرا"]
        await self.converse(conversation, steps, rng, {})

    async def follow(self, conversation: Conversation, rng: random.Random, report: Filed) -> None:
        values = {NUMBER: report.number, MOBILE: report.mobile}
        replies, _ = await self.converse(conversation, FOLLOWING, rng, values)
        self.ledger.follow_ups += 1
        if any(report.number in text for text in replies[1] or []):
            self.ledger.follow_ups_with_status += 1

    async def citizen(self, lane: int, session: aiohttp.ClientSession) -> None:
        """One lane: conversations on its channel, one after the other, until `stop_at`."""
        rng = random.Random(self.seed * 1000 + lane)
        channel = CHANNELS[lane % len(CHANNELS)]
        await asyncio.sleep(lane * self.think / 2)  # not all at once
        while time.monotonic() < self.stop_at:
            kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
            report = None
            if kind == "follow":
                if self.ledger.pool:  # one follower per report at a time (its newest code)
                    report = self.ledger.pool.pop(rng.randrange(len(self.ledger.pool)))
                else:
                    kind = "faq"
            n = next(self.numbers)
            conversation = self.open(channel, session, n)
            self.ledger.conversations[(kind, channel)] += 1
            try:
                if kind == "file":
                    await self.file(conversation, rng, n)
                elif kind == "faq":
                    await self.faq(conversation, rng)
                else:
                    assert report is not None
                    await self.follow(conversation, rng, report)
            except Exception as failure:  # the soak's own fault: counted, the lane goes on
                self.ledger.errors.append(f"{conversation.conversation_id}: {failure!r}")
                print(f"soak error in {conversation.conversation_id}: {failure!r}", flush=True)
            finally:
                await conversation.close()
                if report is not None:
                    self.ledger.pool.append(report)
            await self.pause(rng)

    async def run(self, lanes: int) -> None:
        connector = aiohttp.TCPConnector(limit=lanes * 4)
        async with aiohttp.ClientSession(connector=connector) as session:
            await asyncio.gather(*(self.citizen(lane, session) for lane in range(lanes)))


# ---------------------------------------------------------------------------------------
# Figures and the report.


@dataclass
class Verdicts:
    unanswered: list[str]
    exactly_once: list[str]
    memory: dict[str, MemoryVerdict]
    not_recovered: list[str]
    errors: list[str] = field(default_factory=list)
    outbound: list[str] = field(default_factory=list)  # `outbound_delivered`

    @property
    def problems(self) -> list[str]:
        return [
            *self.unanswered,
            *self.exactly_once,
            *self.outbound,
            *self.not_recovered,
            *self.errors,
        ]

    @property
    def ok(self) -> bool:
        return not (self.problems or not all(v.ok for v in self.memory.values()))


def judge(
    ledger: Ledger,
    rows: Sequence[tuple[str, str]],
    bound: MemoryBound,
    outbound: Sequence[str] = (),
) -> Verdicts:
    """`rows`: the reports stored; `outbound`: what `outbound_delivered` found."""
    return Verdicts(
        unanswered(ledger.messages, ledger.restarts),
        exactly_once(ledger.filings, rows),
        {name: memory_verdict(samples, bound) for name, samples in sorted(ledger.memory.items())},
        [f"{r.target}: {r.error}" for r in ledger.restarts if r.error],
        [f"the soak itself failed: {error}" for error in ledger.errors],
        list(outbound),
    )


def _ms(seconds: float) -> str:
    return "–" if seconds != seconds else f"{seconds * 1000:.0f}"  # NaN: none measured


def markdown(
    ledger: Ledger,
    verdicts: Verdicts,
    bound: MemoryBound,
    title: str,
    machine: str,
) -> str:
    messages = ledger.messages
    attempts = [a for m in messages for a in m.attempts]
    outcomes = Counter(a.outcome for a in attempts)
    excused_losses = sum(
        1
        for m in messages
        for a in m.attempts[:-1]
        if a.outcome in (FAILED, SILENT) and excused(a, ledger.restarts)
    )
    by_kind = Counter()
    by_channel = Counter()
    for (kind, channel), count in ledger.conversations.items():
        by_kind[kind] += count
        by_channel[channel] += count
    numbers = [f.number for f in ledger.filings if f.number]
    latencies: dict[str, list[float]] = defaultdict(list)
    for m in messages:
        for a in m.attempts:
            if a.outcome == REPLY and a.latency is not None:
                latencies[m.channel].append(a.latency)
                latencies["all"].append(a.latency)
    restarts: dict[str, list[Restart]] = defaultdict(list)
    for r in ledger.restarts:
        restarts[r.kind].append(r)

    def ok(problems: Sequence[str]) -> str:
        return "**yes**" if not problems else f"**no** ({len(problems)})"

    lines = [
        f"### {title}",
        "",
        machine,
        "",
        "| figure | value |",
        "|---|---|",
        "| conversations | "
        + f"{sum(by_kind.values())}: "
        + ", ".join(f"{kind} {by_kind[kind]}" for kind in KINDS)
        + "; "
        + ", ".join(f"{CHANNEL_NAMES[c]} {by_channel[c]}" for c in CHANNELS)
        + " |",
        f"| citizen messages (tries) | {len(messages)} ({len(attempts)}), "
        f"{len(messages) / max(ledger.seconds, 1):.1f} a second |",
        f"| answered | {sum(m.outcome == REPLY for m in messages)} |",
        f"| apologies («عطل مؤقت»), the message sent again | {outcomes[APOLOGY]} |",
        "| lost on the way (an HTTP error, the connection cut, no answer in time), sent again"
        f" | {outcomes[FAILED]} |",
        f"| silent (answered with nothing), sent again | {outcomes[SILENT]} |",
        f"| of the lost and silent: while a killed replica restarted | {excused_losses} |",
        f"| reports filed (numbers given) | {len(numbers)} |",
        f"| follow-ups (the status shown) | {ledger.follow_ups}"
        f" ({ledger.follow_ups_with_status}) |",
        "| restarts and outages (seconds until back, mean / max) | "
        + (
            ", ".join(
                f"{kind} {len(done)} ("
                + (
                    f"{statistics.mean(s):.0f} / {max(s):.0f}"
                    if (s := [r.seconds for r in done if r.seconds is not None])
                    else "never back"
                )
                + ")"
                for kind, done in restarts.items()
            )
            or "none"
        )
        + " |",
        "| latency to the first reply p50 / p95 ms | "
        + ", ".join(
            f"{CHANNEL_NAMES.get(c, c)} {_ms(percentile(latencies[c], 0.5))} / "
            f"{_ms(percentile(latencies[c], 0.95))}"
            for c in ("all", *CHANNELS)
        )
        + " |",
        f"| every message answered | {ok(verdicts.unanswered)} |",
        f"| every filed report exactly once, no other rows | {ok(verdicts.exactly_once)} |",
        f"| replies through Twilio (WhatsApp, SMS): {ledger.outbound} recorded, each sent once,"
        f" in order (unrecorded only while PostgreSQL was down) | {ok(verdicts.outbound)} |",
        f"| every restarted dependency back | {ok(verdicts.not_recovered)} |",
        "",
        f"Memory (VmRSS, MiB, every {MEMORY_EVERY:.0f} s; bound: {bound}):",
        "",
        "| process | start | end | max first third | max last third | bound | within |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, verdict in verdicts.memory.items():
        samples = ledger.memory[name]
        lines.append(
            f"| {name} | {samples[0]:.0f} | {samples[-1]:.0f} | {verdict.first_max:.0f} | "
            f"{verdict.last_max:.0f} | {verdict.limit:.0f} | "
            f"{'yes' if verdict.ok else '**no**'} |"
        )
    return "\n".join(lines) + "\n"


def machine_line() -> str:
    load = os.getloadavg()
    return (
        f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load average at"
        f" the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min)."
    )


# ---------------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument(
        "--services",
        action="store_true",
        help="also restart Redis, RabbitMQ and PostgreSQL (the soak's own, never the machine's)",
    )
    parser.add_argument(
        "--twilio-outage",
        type=float,
        default=30.0,
        help="seconds the first outage of Twilio's API lasts (the later ones: --downtime)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--citizens", type=int, default=8, help="conversations at once")
    parser.add_argument("--interval", type=float, default=45.0, help="seconds between restarts")
    parser.add_argument("--downtime", type=float, default=10.0, help="seconds a stop lasts")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between messages")
    parser.add_argument("--write", action="store_true", help="append the figures to benchmarks")
    parser.add_argument("--model", type=Path, default=MODEL)
    return parser.parse_args(argv)


def stored_outbound(launched: LaunchedCluster) -> list[Outbound]:
    with launched.store.session() as session:
        return [
            Outbound(*row)
            for row in session.execute(
                select(
                    OutboundMessage.id,
                    OutboundMessage.recipient,
                    OutboundMessage.status,
                    OutboundMessage.twilio_sid,
                )
            )
        ]


def stored_reports(launched: LaunchedCluster) -> list[tuple[str, str]]:
    with launched.store.session() as session:
        return [
            (number, conversation)
            for number, conversation in session.execute(
                select(Report.number, Report.conversation_id)
            )
        ]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if not args.model.exists():
        print(f"no trained model at {args.model}: run `make train`", file=sys.stderr)
        return 2
    fake = FakeTwilio()
    fake.start()
    work = Path(tempfile.mkdtemp(prefix="balagh-soak-"))
    extra_env = {
        "BALAGH_NGINX": os.environ.get("BALAGH_NGINX", "/usr/sbin/nginx"),
        "BALAGH_STAFF_TOKEN": "soak",
        "BALAGH_SCHEDULER_INTERVAL": "3600",
        **twilio_env(fake),
    }
    bound = MemoryBound()
    ledger = Ledger()
    outage = TwilioOutage()
    begun = dt.datetime.now(dt.timezone.utc)
    print(f"starting the soak's PostgreSQL and RabbitMQ and the cluster in {work}", flush=True)
    with (
        private_services(work / "services") as (postgres, rabbitmq),
        launched_cluster(
            args.model,
            work,
            extra_env,
            replicas=2,
            postgres_admin_url=postgres.admin_url,
            amqp_url=rabbitmq.url,
        ) as launched,
    ):
        runner = ClusterRunner(launched, postgres, rabbitmq, fake, outage)
        chaos = Chaos(runner, downtime=args.downtime, twilio_outage=args.twilio_outage)
        started = time.monotonic()
        stop_at = started + args.minutes * 60
        halt = threading.Event()
        sampler = threading.Thread(
            target=memory_sampler,
            args=(
                launched,
                ledger.memory,
                halt,
                lambda: print(ledger.progress(started), flush=True),
            ),
            daemon=True,
        )
        loop = threading.Thread(
            target=chaos_loop,
            args=(
                chaos,
                rotation(args.services),
                args.interval,
                stop_at,
                ledger.restarts,
                halt,
                started,
            ),
            daemon=True,
        )
        sampler.start()
        loop.start()
        citizens = Citizens(
            launched.lb_url,
            work / "otp.log",
            fake,
            ledger,
            stop_at,
            args.think,
            args.seed,
            outage,
        )
        kinds = ", ".join(kind for kind in ROTATION if args.services or kind not in SERVICES)
        print(
            f"soak: {args.minutes:g} min, {args.citizens} citizens, a restart every"
            f" {args.interval:.0f} s ({kinds})",
            flush=True,
        )
        try:
            asyncio.run(citizens.run(args.citizens))
            ledger.seconds = time.monotonic() - started
        finally:
            halt.set()
            loop.join()  # a restart under way ends (the service started again) first
            sampler.join()
        with contextlib.suppress(AssertionError, RuntimeError):
            launched.wait_until(runner.all_serving, "every member serving", 300)
        recipients = citizens.twilio_users
        outbound_rows: list[Outbound] = []

        def replies_settled() -> bool:  # every reply to a citizen sent or given up
            outbound_rows[:] = stored_outbound(launched)
            return all(
                row.status in ("sent", "failed")
                for row in outbound_rows
                if row.recipient in recipients
            )

        with contextlib.suppress(AssertionError, RuntimeError):
            launched.wait_until(replies_settled, "the replies through Twilio", 180)
        for name, pid in processes_of(launched).items():
            if (mib := rss_mib(pid)) is not None:
                ledger.memory.setdefault(name, []).append(mib)
        rows = stored_reports(launched)
        ledger.outbound = sum(1 for row in outbound_rows if row.recipient in recipients)
        outbound = outbound_delivered(outbound_rows, fake.accepted(), recipients, ledger.restarts)
        supervisor_restarts = {
            name: entry.get("restarts", 0)
            for name, entry in launched.state().items()
            if entry.get("restarts")
        }
    verdicts = judge(ledger, rows, bound, outbound)
    flags = " --services" if args.services else ""
    title = (
        f"Soak, {begun:%d %B %Y %H:%M} UTC: {args.minutes:g} min"
        f"{', with the services' if args.services else ', without --services'}"
        f", Twilio's API away {args.twilio_outage:g} s"
        f" (`python -m bench.soak --minutes {args.minutes:g}{flags}"
        f" --twilio-outage {args.twilio_outage:g} --seed {args.seed}`)"
    )
    table = markdown(ledger, verdicts, bound, title, machine_line())
    print()
    print(table)
    print(f"the supervisor's restarts by member: {supervisor_restarts or 'none'}")
    for message in ledger.messages:  # the losses the check allowed, for the record
        for attempt in message.attempts[:-1]:
            if attempt.outcome in (FAILED, SILENT) and excused(attempt, ledger.restarts):
                print(
                    f"allowed: {attempt.outcome} at {attempt.started - started:.0f} s,"
                    f" {CHANNEL_NAMES[message.channel]} {message.conversation}"
                    f" {message.text!r}, answered when sent again"
                )
    for problem in verdicts.problems[:40]:
        print("PROBLEM:", problem)
    for name, verdict in verdicts.memory.items():
        if not verdict.ok:
            print(f"PROBLEM: {name} grew to {verdict.last_max:.0f} MiB (bound {verdict.limit:.0f})")
    print("soak:", "every check passed" if verdicts.ok else "FAILED", flush=True)
    if args.write:
        with BENCHMARKS.open("a", encoding="utf-8") as handle:
            handle.write("\n" + table)
        print(f"appended to {BENCHMARKS}")
    return 0 if verdicts.ok else 1


if __name__ == "__main__":
    sys.exit(main())
