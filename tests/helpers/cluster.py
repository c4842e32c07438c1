"""An improvement suggestion walked to its summary across replicas."""

from __future__ import annotations

from tests.cluster.conftest import national_id

SUGGESTION = "إضافة تنبيه قبل انتهاء الجواز بشهر"


def suggestion_until_summary(bots, sender: str, index: int) -> str:
    """Walk the suggestion form, message k going to bots[k % len(bots)]."""
    mobile = f"055{index:07d}"  # one per conversation: its code is told apart
    answers = [
        "عندي اقتراح لتطوير خدمة رقمية",
        "سارة عبدالله الشهري",
        national_id(index),
        mobile,
        None,  # the code sent to that mobile
        "تجديد الجواز",
        "ابشر",
        "التطبيق",
        SUGGESTION,
    ]
    reply = ""
    for turn, answer in enumerate(answers):
        bot = bots[turn % len(bots)]
        reply = bot.say(sender, answer or bot.code_for("+966" + mobile[1:]))
    return reply
