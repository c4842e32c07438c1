"""Prometheus metrics of one Rasa replica (served at `/metrics` by `channels/health.py`).

Counted where every channel's message arrives, `Agent.handle_message` (wrapped here, once
per process): a counter and a histogram per message, no I/O, so the hot path stays as it
was. Each replica counts its own; Prometheus scrapes each one and sums.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import Counter, Histogram
from rasa.core.agent import Agent

# Our input channels' names; anything else (a stock channel) is counted as `other`, so a
# label's values stay few.
CHANNELS = frozenset({"rest", "webchat", "socketio", "whatsapp", "sms", "handoff", "cmdline"})
# Seconds: around the bench target (p95 <= 150 ms) finely, then the slow tail.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

MESSAGES = Counter(
    "balagh_messages",
    "User messages handled by this Rasa replica, by input channel.",
    ["channel"],
)
MESSAGE_ERRORS = Counter(
    "balagh_message_errors",
    "User messages whose handling raised an error, by input channel.",
    ["channel"],
)
LATENCY = Histogram(
    "balagh_message_seconds",
    "Time to handle a user message (lock, NLU, policies, actions, replies), by input channel.",
    ["channel"],
    buckets=LATENCY_BUCKETS,
)


def channel_label(name: str | None) -> str:
    return name if name in CHANNELS else "other"


# The labelled series of each channel, looked up once (`labels()` takes a lock each call).
_series: dict[str | None, tuple[Any, Any, Any]] = {}


def _series_of(channel: str | None) -> tuple[Any, Any, Any]:
    key = channel if channel in CHANNELS else None  # None: `other`
    found = _series.get(key)
    if found is None:
        label = channel_label(key)
        found = (MESSAGES.labels(label), LATENCY.labels(label), MESSAGE_ERRORS.labels(label))
        _series[key] = found
    return found


def install() -> None:
    """Count every message this process handles (idempotent)."""
    if getattr(Agent, "_balagh_metrics", False):
        return
    handle_message = Agent.handle_message

    async def counted_handle_message(self: Agent, message: Any) -> Any:
        messages, latency, errors = _series_of(getattr(message, "input_channel", None))
        started = time.perf_counter()
        try:
            return await handle_message(self, message)
        except BaseException:
            errors.inc()
            raise
        finally:
            latency.observe(time.perf_counter() - started)
            messages.inc()

    Agent.handle_message = counted_handle_message  # type: ignore[method-assign]
    Agent._balagh_metrics = True  # type: ignore[attr-defined]
