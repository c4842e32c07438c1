"""Load through the REST channel: conversations that each file a suggestion, the way a
citizen does (one message, wait for the answer, the next message)."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bot.actions.verification import codes_in_outbox
from bot.rules.identity import with_check_digit
from tests.cluster.launcher import REST_TOKEN

MOBILE, CODE = "<mobile>", "<code>"
SUGGESTION_TURNS = [
    "عندي اقتراح لتطوير خدمة رقمية",
    "سارة عبدالله الشهري",
    None,  # the national ID, different for every conversation
    MOBILE,  # different for every conversation too
    CODE,  # the one-time code the bot sent to that mobile
    "تجديد الجواز",
    "ابشر",
    "التطبيق",
    "إضافة تنبيه قبل انتهاء الجواز بشهر",
    "تأكيد",
]
SMALL_TALK = ["مرحبا", "شكرا", "السلام عليكم", "شكرا جزيلا"]

# The cluster's REST channel needs its bearer token (at the edge and on the replicas).
REST_HEADERS = {"Authorization": f"Bearer {REST_TOKEN}"}


@dataclass
class Measure:
    """Latencies (seconds) of the messages of one run and how long the run took."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    failures: int = 0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")


async def _post(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    async with session.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
    ) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
    return time.perf_counter() - started


def code_sent(outbox: Path, mobile: str) -> str:
    """The newest code the bot wrote to its development outbox for `mobile`."""
    codes = codes_in_outbox(outbox, mobile)
    return codes[-1] if codes else "000000"  # counted as the bot answers it: a wrong code


async def _conversations(
    urls: Sequence[str],
    concurrency: int,
    per_worker: int,
    measure: Measure,
    seed: int,
    outbox: Path,
) -> None:
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    async with aiohttp.ClientSession(
        timeout=timeout, connector=connector, headers=REST_HEADERS
    ) as session:

        async def worker(index: int) -> None:
            for round_ in range(per_worker):
                number = seed + index * per_worker + round_
                sender = f"bench-{uuid.uuid4().hex[:10]}"
                mobile = f"05{number % 10**8:08d}"
                for turn, text in enumerate(SUGGESTION_TURNS):
                    url = urls[(index + turn) % len(urls)]
                    if text is None:
                        text = with_check_digit(f"1{number:08d}")
                    elif text == MOBILE:
                        text = mobile
                    elif text == CODE:
                        text = code_sent(outbox, "+966" + mobile[1:])
                    try:
                        measure.latencies.append(await _post(session, url, sender, text))
                    except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError):
                        measure.failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        measure.seconds = time.perf_counter() - started


def run_conversations(
    urls: Sequence[str],
    concurrency: int,
    per_worker: int,
    outbox: Path,
    seed: int = 5_000_000,
) -> Measure:
    """`concurrency` citizens at once, each filing `per_worker` suggestions in a row
    (confirming their mobile with the code the cluster wrote to `outbox`)."""
    measure = Measure()
    asyncio.run(_conversations(urls, concurrency, per_worker, measure, seed, outbox))
    return measure


def run_history_comparison(
    url: str, early: range = range(3, 8), late: range = range(58, 63), pairs: int = 4
) -> tuple[float, float]:
    """Median latency of small-talk messages at the turns `early` (of new conversations) and
    `late` (of long ones), measured interleaved in time: `pairs` long conversations are
    first brought to the turn before `late` and as many new ones to the turn before `early`
    (not measured); then each measured turn sends one message of a new conversation, then
    one of a long one, one message at a time. A long history's cost is then compared at the
    same moments of the machine, whose speed drifts by more than that cost within a minute
    (measuring turn 5 a minute before turn 60 gave 0.8x and 2.2x for the same code)."""

    async def say(session: aiohttp.ClientSession, sender: str, turn: int) -> float:
        return await _post(session, url, sender, SMALL_TALK[turn % len(SMALL_TALK)])

    async def advance(session: aiohttp.ClientSession, sender: str, turns: int) -> None:
        for turn in range(1, turns + 1):
            await say(session, sender, turn)

    async def compare() -> tuple[list[float], list[float]]:
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=120), headers=REST_HEADERS
        ) as session:
            new = [f"hist-new-{uuid.uuid4().hex[:10]}" for _ in range(pairs)]
            old = [f"hist-old-{uuid.uuid4().hex[:10]}" for _ in range(pairs)]
            await asyncio.gather(
                *(advance(session, sender, late.start - 1) for sender in old),
                *(advance(session, sender, early.start - 1) for sender in new),
            )
            early_latencies: list[float] = []
            late_latencies: list[float] = []
            for early_turn, late_turn in zip(early, late, strict=True):
                for young, aged in zip(new, old, strict=True):
                    early_latencies.append(await say(session, young, early_turn))
                    late_latencies.append(await say(session, aged, late_turn))
            return early_latencies, late_latencies

    early_latencies, late_latencies = asyncio.run(compare())
    return statistics.median(early_latencies), statistics.median(late_latencies)
