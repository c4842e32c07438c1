"""How long a citizen waits for a person, honestly: from the queue ahead of them, the agents
signed in now and how long agents have recently taken per chat. Above an hour the citizen is
told so plainly and offered to leave a message or to be called back."""

from __future__ import annotations

import math

from bot.rules.arabic import counted

# Per chat, when no chat was handled recently to measure it by.
DEFAULT_HANDLING_MINUTES = 8
LONG_WAIT_MINUTES = 60


def expected_wait_minutes(
    waiting_ahead: int, agents_on_shift: int, handling_minutes: float | None
) -> int | None:
    """Minutes until an agent takes the chat: the chats ahead shared among the agents signed
    in, each taking the recent median handling time. None when no agent is signed in (the
    wait cannot be told)."""
    if agents_on_shift <= 0:
        return None
    per_chat = handling_minutes if handling_minutes and handling_minutes > 0 else None
    rounds = waiting_ahead // agents_on_shift + 1
    return max(1, math.ceil(rounds * (per_chat or DEFAULT_HANDLING_MINUTES)))


def is_long(minutes: int | None) -> bool:
    return minutes is None or minutes > LONG_WAIT_MINUTES


def wait_in_arabic(minutes: int) -> str:
    """«4 دقائق»، «45 دقيقة»، «ساعتين»، «3 ساعات» (hours rounded once over an hour)."""
    if minutes <= LONG_WAIT_MINUTES:
        return counted(minutes, "دقيقة واحدة", "دقيقتين", "دقائق", "دقيقة")
    hours = max(1, round(minutes / 60))
    return counted(hours, "ساعة واحدة", "ساعتين", "ساعات", "ساعة")
