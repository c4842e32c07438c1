"""The life of a report: statuses, who may move them where, and what the beneficiary is told.

Pure data and functions; the store applies them (`bot/store/follow_up.py`).
"""

from __future__ import annotations

REPORT_TYPES = ("complaint", "digitization", "improvement")
# The guide's statuses, in the order a report usually goes through them.
STATUSES = (
    "received",
    "under_review",
    "missing_data",
    "referred",
    "in_progress",
    "accepted",
    "rejected",
    "closed",
    "cancelled",
)

STATUS_LABELS = {
    "received": "تم الاستلام",
    "under_review": "قيد المراجعة",
    "missing_data": "نقص البيانات",
    "referred": "أُحيل إلى الجهة المقدمة للخدمة",
    "in_progress": "جارٍ العمل",
    "accepted": "مقبول",
    "rejected": "مرفوض",
    "closed": "مغلق",
    "cancelled": "ملغى",
}
TERMINAL = {"cancelled"}
# A decision was reached: the report counts as completed (voice of the beneficiary report).
COMPLETED = ("accepted", "rejected", "closed")
# Statuses after which the 5-working-day delay notice no longer applies.
SETTLED = {*COMPLETED, "cancelled"}
MISSING_DATA_HOURS = 48
# Missing data is asked for at review; once the beneficiary supplies it, the report goes
# back to review (the guide's path: received → review → referred to the entity).
AFTER_MISSING_DATA = "under_review"
# Statuses in which the beneficiary may still send documents or corrections ("fix
# mistakes through the centre's channels"): every status before a decision. Only a
# report in missing data changes status when they arrive (back to review).
OPEN_FOR_UPDATES = ("received", "under_review", "missing_data", "referred", "in_progress")

# The notification sent when a report enters a status (None: no notice promised).
NOTIFICATION_FOR_STATUS = {
    "in_progress": "in_progress",
    "missing_data": "missing_data",
    "closed": "closed",
    "accepted": "accepted",
    "rejected": "rejected",
    "cancelled": "cancelled",
}


class TransitionError(ValueError):
    """A status change that the life of a report does not allow."""


def check_transition(current: str, new: str) -> None:
    """Raise `TransitionError` unless `current` → `new` is allowed."""
    if new not in STATUSES:
        raise TransitionError(f"unknown status {new!r}; expected one of {', '.join(STATUSES)}")
    if current in TERMINAL:
        raise TransitionError(f"report is {current}; its status can no longer change")
    if new == current:
        raise TransitionError(f"report is already {current}")
    if new == "received":
        raise TransitionError("a report cannot go back to received")


def status_after_update(current: str) -> str | None:
    """The status a report takes when the beneficiary sends an update (documents or a
    correction): back to review from missing data, unchanged (None) otherwise. Raises
    `TransitionError` when the report no longer takes updates (decided, closed,
    cancelled)."""
    if current not in OPEN_FOR_UPDATES:
        raise TransitionError(f"report is {current}; it no longer takes updates")
    return AFTER_MISSING_DATA if current == "missing_data" else None


def notification_for(current: str, new: str) -> str | None:
    """Which notification a change produces (a closed report reopened says so)."""
    if current == "closed" and new in {"under_review", "referred", "in_progress"}:
        return "reopened"
    return NOTIFICATION_FOR_STATUS.get(new)
