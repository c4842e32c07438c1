"""Prometheus metrics of the action server (served at `/metrics` by `bot.actions.server`).

Refusals are decided here (the eligibility rules run in the forms) and are not stored, so
they are counted here, when the refusal is explained to the citizen (once per refusal).
Reports filed are counted from the store by the desk (`balagh_reports_filed_total`).
"""

from __future__ import annotations

from prometheus_client import Counter

from bot.rules.eligibility import Refusal

REASONS = frozenset(reason.value for reason in Refusal)

REFUSALS = Counter(
    "balagh_refusals",
    "Requests refused by the eligibility rules (explained to the citizen), by reason.",
    ["reason"],
)


def refused(reason: str) -> None:
    REFUSALS.labels(reason if reason in REASONS else "other").inc()
