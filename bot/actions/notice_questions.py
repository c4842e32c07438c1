"""A question about the status notice just shown («يعني انقبل؟ متى بينفذونه؟»، «طيب وش
المطلوب مني؟»): answered with the report's number, its status in Arabic (read from the
store at once) and what the notice said (the implementation time of an acceptance, the
reason of a rejection, the outcome of a closing). Used by `action_reply_in_context`
after a notice, and by the survey that follows a closing notice (a question there is
answered and the rating asked again). Whether a message is such a question:
`bot.rules.replies.asks_about_notice`.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import services
from bot.rules.dates import format_date_ar
from bot.rules.replies import asks_about_notice
from bot.store.follow_up import find_report, is_owner

NOTICE_QUESTION_RESPONSES = {
    "accepted": "utter_notice_question_accepted",
    "rejected": "utter_notice_question_rejected",
    "in_progress": "utter_notice_question_in_progress",
    "closed": "utter_notice_question_closed",
}
OTHER = "utter_notice_question_other"
# Notices whose next message may ask about them (a missing-data notice has its own replies).
ANSWERED_KINDS = {*NOTICE_QUESTION_RESPONSES, "reopened", "delayed", "cancelled"}


def is_notice_question(tracker: Tracker, notice: dict[str, Any] | None) -> bool:
    text = str(tracker.latest_message.get("text") or "")
    return bool(
        notice
        and notice.get("report")
        and notice.get("kind") in ANSWERED_KINDS
        and not text.startswith("/")
        and asks_about_notice(text)
    )


async def answer_notice_question(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: DomainDict | None,
    notice: dict[str, Any],
) -> None:
    """The report's number, status and what its notice said (owners only: the notice
    went to this conversation, but the store decides)."""
    number = str(notice.get("report"))
    report = await services.run(find_report, number)
    if report is None or not await services.run(is_owner, tracker.sender_id, number):
        dispatcher.utter_message(response="utter_follow_up_not_verified")
        return
    kind = str(notice.get("kind") or "")
    # A report that moved on since its notice: its status now, and what the notice said.
    response = NOTICE_QUESTION_RESPONSES.get(kind) if report.status == kind else None
    dispatcher.utter_message(
        response=response or OTHER,
        report_number=report.number,
        status=report.status_label,
        note=notice.get("note") or report.latest_note or "-",
        implementation_time=notice.get("implementation_time") or "تحددها الجهة لاحقاً",
        due_date=format_date_ar(report.due_on),
    )
