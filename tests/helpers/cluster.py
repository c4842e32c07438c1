"""An improvement suggestion walked to its summary across replicas."""

from __future__ import annotations

from tests.cluster.conftest import national_id

SUGGESTION = "إضافة تنبيه قبل انتهاء الجواز بشهر"


def suggestion_until_summary(bots, sender: str, index: int) -> str:
    """Walk the suggestion form, message k going to bots[k % len(bots)]."""
    answers = [
        "عندي اقتراح لتطوير خدمة رقمية",
        "سارة عبدالله الشهري",
        national_id(index),
        "0551234567",
        "تجديد الجواز",
        "ابشر",
        "التطبيق",
        SUGGESTION,
    ]
    reply = ""
    for turn, answer in enumerate(answers):
        reply = bots[turn % len(bots)].say(sender, answer)
    return reply
