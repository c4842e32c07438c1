"""What the operators' reports measure besides, on top of `tests/report_dataset.py` (issue 20,
item 7): complaint triggers, notices and their fate, reopen requests and a corrective-actions
register, with the figures worked out by hand. No report, survey or hand-off is added, so
every figure of the base data set stays as it is. Period 1 March – 30 April 2025, Riyadh.
"""

from __future__ import annotations

from sqlalchemy import select, update

from bot.store.corrective_actions import change_action_status, record_action
from bot.store.database import Store
from bot.store.models import OutboxMessage, ReopenRequest, Report
from tests.report_dataset import HEALTH, JUSTICE, ZAKAT, at

# Complaints of the base data set: R1, R2, R5, R6, R7 in the period; R9 before it.
TRIGGERS = {
    "1": "technical_failure",
    "2": "sla_passed",
    "5": "technical_failure",
    "6": "no_sla",
    # "7": none stored (filed through the REST channel by another system): "unknown"
    "9": "technical_failure",  # outside the period
}

# report, kind, route, queued, dispatched, reached, skipped, shown in the conversation
NOTICES = [
    ("1", "closed", "conversation", at(3, 5, 12), True, True, None, True),
    ("1", "closed", "sms", at(3, 5, 12), True, True, None, False),
    ("2", "closed", "conversation", at(3, 12, 12), True, True, None, True),
    ("2", "closed", "whatsapp", at(3, 12, 12), True, False, "undeliverable", False),
    # R5: closed on 3 Apr (shown: its survey was sent), reminded the next day in a web chat
    # nobody had open (shown, not reached); the SMS was left out: the citizen was connected.
    ("5", "closed", "conversation", at(4, 3), True, True, None, True),
    ("5", "closed", "sms", at(4, 3), True, False, "present", False),
    ("5", "survey_reminder", "conversation", at(4, 4), True, False, None, True),
    # R4's acceptance: shown in a closed web chat, and Twilio refused the SMS.
    ("4", "accepted", "conversation", at(4, 6, 9), True, False, None, True),
    ("4", "accepted", "sms", at(4, 6, 9), True, False, None, False),
    # R7's closing notice is still queued: pending, and no survey sent through it.
    ("7", "closed", "conversation", at(4, 21, 13), False, False, None, False),
    # R9 (filed before the period) was closed on 3 Mar: its notice counts, it was queued then.
    ("9", "closed", "conversation", at(3, 3), True, True, None, True),
    # After the period: not counted.
    ("8", "in_progress", "conversation", at(5, 2), True, True, None, True),
]

# report, requested, decision
REOPEN = [
    ("2", at(3, 10, 15), "accept"),
    ("1", at(3, 20), "refuse"),
    ("9", at(3, 4), "refuse"),  # a report filed before the period, asked in it: counted
    ("7", at(4, 25), None),
    ("1", at(5, 3), None),  # after the period: not counted
]

THEME_UPDATES = "وصول تحديثات البلاغ للمستفيدين"
THEME_FAQ = "وضوح الأسئلة الشائعة"
THEME_FORMS = "نماذج اتصل بنا"

# key, entity, theme, type, description, recorded, [(status, when)]
ACTIONS = [
    ("A1", HEALTH, None, "technical", "إصلاح رفع المرفقات في منصة الوزارة", at(2, 10),
     [("in_progress", at(2, 20)), ("done", at(3, 15))]),
    ("A2", None, THEME_UPDATES, "procedures",
     "إرسال التحديثات برسائل نصية؛ اشتكى المستفيد صاحب الجوال 0559876543", at(3, 5),
     [("in_progress", at(3, 9))]),
    ("A3", JUSTICE, None, "staff", "تدريب موظفي مركز الاتصال على التصعيد", at(4, 20), []),
    ("A4", None, THEME_FAQ, "outputs", "تحديث الأسئلة الشائعة", at(1, 5),
     [("done", at(2, 20))]),  # done before the period: not listed
    ("A5", ZAKAT, None, "technical", "ربط منصة الهيئة بنظام البلاغات", at(5, 3), []),  # after
    ("A6", None, THEME_FORMS, "outputs", "إطلاق نماذج «اتصل بنا» على مدار الساعة", at(4, 1),
     [("done", at(4, 28))]),
    ("A7", HEALTH, THEME_UPDATES, "technical", "مراقبة توفر بوابة الوزارة", at(1, 15),
     [("in_progress", at(1, 20))]),
]  # fmt: skip

# The figures, by hand.
EXPECTED = {
    "complaints": 5,  # R1, R2, R5, R6, R7
    "by_trigger": {
        "technical_failure": 2,  # R1, R5
        "sla_passed": 1,  # R2
        "no_sla": 1,  # R6
        "closed_unsatisfied": 0,
        "unknown": 1,  # R7
    },
    "technical_failure_share": 0.5,  # 2 of the 4 whose trigger is known
    # Sent: R1, R2, R5 (closing or reminder shown), R7 (survey answered though its closing
    # notice is still queued); R9 is outside the period; R4's acceptance carries no survey.
    "survey": {"sent": 4, "answered": 2, "partly": 1, "not_answered": 1},  # R1, R7 | R2 | R5
    "notices": {
        "conversation": {"reached": 4, "not_reached": 2, "skipped": 0, "pending": 1},
        "sms": {"reached": 1, "not_reached": 1, "skipped": 1, "pending": 0},
        "whatsapp": {"reached": 0, "not_reached": 0, "skipped": 1, "pending": 0},
    },
    "reach_rates": {"conversation": 4 / 6, "sms": 1 / 3, "whatsapp": 0.0},
    "reopen": {"asked": 4, "accepted": 1, "refused": 2, "waiting": 1},
    # A1 (done in the period), A7 (open since January), A2, A6, A3, in the order recorded.
    "listed": ["A7", "A1", "A2", "A6", "A3"],
    "counts": {
        "technical": {"planned": 0, "in_progress": 1, "done": 1},  # A7 | A1
        "staff": {"planned": 1, "in_progress": 0, "done": 0},  # A3
        "procedures": {"planned": 0, "in_progress": 1, "done": 0},  # A2
        "outputs": {"planned": 0, "in_progress": 0, "done": 1},  # A6
    },
    "by_status": {"planned": 1, "in_progress": 2, "done": 2},
}


def fill(store: Store) -> dict[str, int]:
    """Add the rows to a store that holds the base data set (`report_dataset.fill`); the
    corrective actions' ids by key."""
    with store.session() as session:
        # The base data set numbers its reports 25 + the key on 7 digits (250000001: "1").
        ids = {
            str(int(number[2:])): id_
            for number, id_ in session.execute(select(Report.number, Report.id)).all()
        }
        for key, trigger in TRIGGERS.items():
            session.execute(update(Report).where(Report.id == ids[key]).values(trigger=trigger))
        for key, kind, route, queued, dispatched, reached, skipped, shown in NOTICES:
            session.add(
                OutboxMessage(
                    report_id=ids[key],
                    conversation_id=f"conv-{key}",
                    kind=kind,
                    payload={},
                    created_at=queued,
                    attempts=1 if dispatched else 0,
                    next_attempt_at=queued,
                    route=route,
                    dispatched_at=queued if dispatched else None,
                    reached_at=queued if reached else None,
                    delivered_at=queued if shown else None,
                    skipped=skipped,
                )
            )
        for key, requested, decision in REOPEN:
            session.add(
                ReopenRequest(
                    report_id=ids[key],
                    conversation_id=f"conv-{key}",
                    reason="لم تُحل المشكلة",
                    requested_at=requested,
                    decision=decision,
                    decided_by="staff" if decision else None,
                    decided_at=requested if decision else None,
                )
            )
    actions = {}
    for key, entity, theme, kind, description, recorded, history in ACTIONS:
        made = record_action(
            store,
            entity=entity,
            theme=theme,
            kind=kind,
            description=description,
            actor="noura",
            now=recorded,
        )
        for status, when in history:
            change_action_status(store, made.id, status, "noura", when)
        actions[key] = made.id
    return actions
