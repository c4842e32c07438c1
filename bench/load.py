"""Load through the REST channel: conversations that each file a suggestion, the way a
citizen does (one message, wait for the answer, the next message)."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import aiohttp

from bot.identity import with_check_digit

SUGGESTION_TURNS = [
    "عندي اقتراح لتطوير خدمة رقمية",
    "سارة عبدالله الشهري",
    None,  # the national ID, different for every conversation
    "0551234567",
    "تجديد الجواز",
    "ابشر",
    "التطبيق",
    "إضافة تنبيه قبل انتهاء الجواز بشهر",
    "تأكيد",
]
SMALL_TALK = ["مرحبا", "شكرا", "السلام عليكم", "شكرا جزيلا"]


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


async def _conversations(
    urls: Sequence[str], concurrency: int, per_worker: int, measure: Measure, seed: int
) -> None:
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def worker(index: int) -> None:
            for round_ in range(per_worker):
                number = seed + index * per_worker + round_
                sender = f"bench-{uuid.uuid4().hex[:10]}"
                for turn, text in enumerate(SUGGESTION_TURNS):
                    url = urls[(index + turn) % len(urls)]
                    try:
                        measure.latencies.append(
                            await _post(
                                session, url, sender, text or with_check_digit(f"1{number:08d}")
                            )
                        )
                    except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError):
                        measure.failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        measure.seconds = time.perf_counter() - started


def run_conversations(
    urls: Sequence[str], concurrency: int, per_worker: int, seed: int = 5_000_000
) -> Measure:
    """`concurrency` citizens at once, each filing `per_worker` suggestions in a row."""
    measure = Measure()
    asyncio.run(_conversations(urls, concurrency, per_worker, measure, seed))
    return measure


def run_long_conversation(url: str, turns: int, conversations: int = 4) -> dict[int, float]:
    """Median latency at each turn of `conversations` parallel small-talk conversations
    `turns` long (the cost of a long history)."""

    async def one(session: aiohttp.ClientSession, sender: str) -> list[float]:
        return [
            await _post(session, url, sender, SMALL_TALK[turn % len(SMALL_TALK)])
            for turn in range(turns)
        ]

    async def all_of_them() -> list[list[float]]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
            senders = [f"long-{uuid.uuid4().hex[:10]}" for _ in range(conversations)]
            return await asyncio.gather(*(one(session, sender) for sender in senders))

    per_conversation = asyncio.run(all_of_them())
    return {
        turn + 1: statistics.median(latencies[turn] for latencies in per_conversation)
        for turn in range(turns)
    }
