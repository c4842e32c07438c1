"""One-time codes: what the service promises about them, as plain rules.

A code proves that whoever types it holds a mobile: the mobile a citizen gives before a
report is filed, or the mobile a report was filed with, before its details, cancellation,
corrections or documents are opened to another conversation. Six digits, valid ten
minutes, five tries; a new one at most once a minute; a bounded number per hour for each
conversation, each mobile and each client address (so that nobody turns the service into
an SMS cannon, or guesses). The store (`bot.store.codes`) keeps the counts; these
functions decide.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.rules.arabic import counted, to_ascii_digits

CODE_DIGITS = 6
CODE_LIFETIME = dt.timedelta(minutes=10)
MAX_TRIES = 5
RESEND_AFTER = dt.timedelta(minutes=1)
LIMIT_WINDOW = dt.timedelta(hours=1)
MAX_PER_CONVERSATION = 5  # codes asked for in one conversation per hour


@dataclass(frozen=True)
class Limits:
    """Codes allowed per hour to one mobile and from one client address (settings)."""

    per_mobile: int = 5
    per_client: int = 20


@dataclass(frozen=True)
class SentCounts:
    """Codes sent in the last hour, and how long ago the newest for this request was."""

    by_conversation: int
    by_mobile: int
    by_client: int
    since_last: dt.timedelta | None  # None: none sent yet for this mobile here


def may_send(counts: SentCounts, limits: Limits) -> tuple[bool, str | None, int]:
    """(allowed, why not, seconds to wait): 'too_soon' within a minute of the last code,
    'too_many' once any hourly bound is reached."""
    if counts.since_last is not None and counts.since_last < RESEND_AFTER:
        return False, "too_soon", int((RESEND_AFTER - counts.since_last).total_seconds()) + 1
    if (
        counts.by_conversation >= MAX_PER_CONVERSATION
        or counts.by_mobile >= limits.per_mobile
        or counts.by_client >= limits.per_client
    ):
        return False, "too_many", int(LIMIT_WINDOW.total_seconds())
    return True, None, 0


_CODE = re.compile(rf"(?<!\d)(\d{{{CODE_DIGITS}}})(?!\d)")


def code_in(text: str) -> str | None:
    """The six-digit code in an answer («الرمز ٤٨٢ ٩١٠», «482-910», «482910 شكراً»), in
    any digits, with spaces or dashes inside; None when there is none or several."""
    plain = to_ascii_digits(text or "")
    joined = re.sub(r"(?<=\d)[\s\-\u00a0]+(?=\d)", "", plain)
    found = set(_CODE.findall(joined))
    return found.pop() if len(found) == 1 else None


def tries_left_text(left: int) -> str:
    """«بقيت لك محاولتان»، «بقيت لك 3 محاولات»، «بقيت لك محاولة واحدة»."""
    return "بقيت لك " + counted(left, "محاولة واحدة", "محاولتان", "محاولات", "محاولة")


def wait_text(seconds: int) -> str:
    """«دقيقة واحدة»، «45 ثانية»، «ساعة واحدة»: how long until a new code may be sent."""
    if seconds >= 3600:
        return counted(round(seconds / 3600), "ساعة واحدة", "ساعتين", "ساعات", "ساعة")
    if seconds >= 60:
        return counted(round(seconds / 60), "دقيقة واحدة", "دقيقتين", "دقائق", "دقيقة")
    return counted(max(1, seconds), "ثانية واحدة", "ثانيتين", "ثوانٍ", "ثانية")
