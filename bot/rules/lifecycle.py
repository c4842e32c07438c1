"""The life of a report: statuses, who may move them where, and what the beneficiary is told.

Pure data and functions; the store applies them (`bot/store/follow_up.py`).
"""

from __future__ import annotations

import datetime as dt

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


# Who changes a report's status: the centre's staff (the staff API, the agents' console),
# the beneficiary in the conversation (a cancellation; documents that end missing data),
# the scheduler (the 48-hour cancellation).
STAFF, BENEFICIARY, SCHEDULER = "staff", "beneficiary", "scheduler"
_S = frozenset({STAFF})
_DECISIONS = {"accepted": _S, "rejected": _S, "closed": _S}
_OPEN_CANCEL = {"cancelled": frozenset({STAFF, BENEFICIARY})}
# The life of a report, from the guide's statuses: from each status, the statuses it may
# go to and who may move it there. Settled reports (accepted, rejected, closed) are never
# cancelled; a closed report is reopened by staff only; a cancelled one never changes.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "received": {
        **{s: _S for s in ("under_review", "missing_data", "referred", "in_progress")},
        **_DECISIONS,
        **_OPEN_CANCEL,
    },
    "under_review": {
        **{s: _S for s in ("missing_data", "referred", "in_progress")},
        **_DECISIONS,
        **_OPEN_CANCEL,
    },
    "missing_data": {
        "under_review": frozenset({STAFF, BENEFICIARY}),
        **{s: _S for s in ("referred", "in_progress")},
        **_DECISIONS,
        "cancelled": frozenset({STAFF, BENEFICIARY, SCHEDULER}),
    },
    "referred": {
        **{s: _S for s in ("under_review", "missing_data", "in_progress")},
        **_DECISIONS,
        **_OPEN_CANCEL,
    },
    "in_progress": {
        **{s: _S for s in ("under_review", "missing_data", "referred")},
        **_DECISIONS,
        **_OPEN_CANCEL,
    },
    "accepted": {"in_progress": _S, "closed": _S},
    "rejected": {"closed": _S},
    "closed": {s: _S for s in ("under_review", "referred", "in_progress")},
    "cancelled": {},
}
# What a change must carry: a rejection its reasons, an acceptance when it will be done.
REQUIRED_WITH = {"rejected": "note", "accepted": "implementation_time"}
REQUIRED_LABELS = {"note": "the reasons (note)", "implementation_time": "implementation_time"}


def role_of(actor: str | None) -> str:
    """The role of whoever changes a status: named staff members and agents are staff."""
    return actor if actor in (BENEFICIARY, SCHEDULER) else STAFF


def check_transition(
    current: str,
    new: str,
    actor: str | None = STAFF,
    note: str | None = None,
    implementation_time: str | None = None,
    *,
    require_details: bool = False,
) -> None:
    """Raise `TransitionError` (its message says why, for the staff API's 409) unless the
    table allows `current` → `new` for `actor`; with `require_details`, a rejection needs
    its reasons and an acceptance its implementation time."""
    if new not in STATUSES:
        raise TransitionError(f"unknown status {new!r}; expected one of {', '.join(STATUSES)}")
    if new == current:
        raise TransitionError(f"report is already {current}")
    if current in TERMINAL:
        raise TransitionError(f"report is {current}; its status can no longer change")
    allowed = TRANSITIONS.get(current, {})
    if new not in allowed:
        possible = ", ".join(allowed) or "none"
        raise TransitionError(f"a {current} report cannot become {new} (it may become: {possible})")
    role = role_of(actor)
    if role not in allowed[new]:
        raise TransitionError(f"{role} cannot move a {current} report to {new}")
    if require_details:
        given = {"note": note, "implementation_time": implementation_time}
        needed = REQUIRED_WITH.get(new)
        if needed and not (given[needed] or "").strip():
            article = "an" if new[0] in "aeiou" else "a"
            raise TransitionError(f"{article} {new} report needs {REQUIRED_LABELS[needed]}")


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


# --- reopening a closed report ----------------------------------------------------------

# The beneficiary may ask for a closed report to be reopened within this many days of its
# closing, with a reason; staff accept (the report goes back to review) or refuse (with a
# reason), and either way the beneficiary is told.
REOPEN_DAYS = 30
REOPENED_STATUS = "under_review"
REOPEN_DECISIONS = ("accept", "refuse")


def reopen_refusal(status: str, closed_on: dt.date | None, today: dt.date) -> str | None:
    """Why a reopen request cannot be made (None: it can): `not_closed` (only a closed
    report is reopened: an open one takes updates, a decided or cancelled one does not
    reopen), `too_late` (more than 30 days since it was closed)."""
    if status != "closed" or closed_on is None:
        return "not_closed"
    if (today - closed_on).days > REOPEN_DAYS:
        return "too_late"
    return None
