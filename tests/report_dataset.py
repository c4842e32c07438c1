"""A small fixed data set for the voice-of-the-beneficiary report, and its figures
worked out by hand (the comments give the working). Riyadh is UTC+3.

Calendar: weekends (Friday, Saturday) and an Eid holiday from Sunday 30 March to
Wednesday 2 April 2025. Period: 1 March – 30 April 2025. The report is produced on
5 May 2025.
"""

from __future__ import annotations

import datetime as dt

from bot.desk.report.period import Period
from bot.rules.working_days import HolidayCalendar
from bot.store.database import Store
from bot.store.models import Handoff, Report, StatusChange, SurveyAnswer

EID = {dt.date(2025, 3, 30) + dt.timedelta(days=i) for i in range(4)}
CALENDAR = HolidayCalendar(dated=frozenset(EID))
PERIOD = Period(dt.date(2025, 3, 1), dt.date(2025, 4, 30))
AS_OF = dt.date(2025, 5, 5)
HEALTH, JUSTICE, ZAKAT = "وزارة الصحة", "وزارة العدل", "هيئة الزكاة والضريبة والجمارك"
RIYADH = dt.timezone(dt.timedelta(hours=3))


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2025) -> dt.datetime:
    """A Riyadh wall-clock time, stored in UTC as the store always does."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=RIYADH).astimezone(dt.timezone.utc)


# number, type, channel, entity, filed, due_on, history [(status, when)], delay notice
REPORTS = [
    # R1: closed Wed 5 Mar; working days after Sun 2 Mar: 3, 4, 5 → 3. Due Sun 9 Mar.
    ("1", "complaint", "webchat", HEALTH, at(3, 2), dt.date(2025, 3, 9),
     [("closed", at(3, 5, 12))], None),
    # R2: closed 10 Mar, reopened, closed again Wed 12 Mar (the last closing counts):
    # 4, 5, 6, 9, 10, 11, 12 → 7 working days; due Mon 10 Mar → delayed.
    ("2", "complaint", "whatsapp", HEALTH, at(3, 3, 9), dt.date(2025, 3, 10),
     [("closed", at(3, 10, 11)), ("under_review", at(3, 11)), ("closed", at(3, 12, 12))],
     at(3, 11, 0, 5)),
    # R3: filed Thu 6 Mar 01:30 Riyadh (Wed 5 Mar 22:30 UTC: the 6th in Riyadh),
    # accepted the same day → 0 working days (1 if dates were taken in UTC). Due 13 Mar.
    ("3", "digitization", "sms", JUSTICE, at(3, 6, 1, 30), dt.date(2025, 3, 13),
     [("accepted", at(3, 6, 10))], None),
    # R4: filed Thu 27 Mar, accepted Sun 6 Apr: Fri, Sat, Eid (30 Mar – 2 Apr) do not
    # count → Thu 3 Apr, Sun 6 Apr → 2 working days (6 without the holiday).
    ("4", "improvement", "webchat", JUSTICE, at(3, 27, 11), dt.date(2025, 4, 9),
     [("accepted", at(4, 6, 9))], None),
    # R5: closed then reopened, still in progress: not completed; due 9 Apr, open on
    # 5 May → delayed.
    ("5", "complaint", "webchat", ZAKAT, at(4, 1, 8), dt.date(2025, 4, 9),
     [("closed", at(4, 3)), ("in_progress", at(4, 6))], None),
    # R6: cancelled: out of the completion rate's base, not delayed.
    ("6", "complaint", "whatsapp", HEALTH, at(4, 10), dt.date(2025, 4, 17),
     [("cancelled", at(4, 13))], None),
    # R7: from the REST channel ("other"); closed Mon 21 Apr: 15, 16, 17, 20, 21 → 5
    # working days, exactly the SLA, on its due date → within the SLA, not delayed.
    ("7", "complaint", "rest", ZAKAT, at(4, 14), dt.date(2025, 4, 21),
     [("closed", at(4, 21, 13))], None),
    # R8: filed Wed 30 Apr 23:00 Riyadh (20:00 UTC): April. Open, due 7 May: not late.
    ("8", "digitization", "webchat", HEALTH, at(4, 30, 23), dt.date(2025, 5, 7), [], None),
    # Outside the period in Riyadh time, though one is inside it in UTC:
    ("9", "complaint", "webchat", ZAKAT, at(2, 28, 23, 30), dt.date(2025, 3, 9),
     [("closed", at(3, 3))], None),
    ("10", "complaint", "webchat", ZAKAT, at(5, 1, 0, 30), dt.date(2025, 5, 8), [], None),
]  # fmt: skip

NAMES = {"1": "نورة سعد", "7": "فهد العتيبي"}

# report number → (solution, handling, effort, useful, comment, answered)
SURVEYS = {
    "1": (5, 4, 4, True, "شكراً، تواصلوا معي على 0551234567", at(3, 6)),
    "2": (2, 3, None, None, None, at(3, 13)),  # partial survey
    "7": (4, 5, 3, False, "اسمي فهد العتيبي ورقم هويتي 1000000008 والخدمة ممتازة", at(4, 22)),
    "9": (1, 1, 1, False, "خارج الفترة", at(3, 4)),  # report outside the period
}

# conversation, reason, status, agent, created, taken, ended
HANDOFFS = [
    ("conv-1", "asked", "closed", "sara", at(3, 2, 9, 50), at(3, 2, 9, 54), at(3, 2, 10, 6)),
    ("conv-x", "dispute", "returned", "sara", at(4, 15, 12), at(4, 15, 12, 10), at(4, 15, 12, 40)),
    ("conv-y", "not_understood", "waiting", None, at(4, 20, 13), None, None),
    ("conv-z", "asked", "closed", "lina", at(5, 2), at(5, 2, 10, 5), at(5, 2, 11)),  # outside
]

# The figures, by hand.
EXPECTED = {
    "total": 8,
    "by_type": {"complaint": 5, "digitization": 2, "improvement": 1},
    "completed": 5,  # R1, R2, R7 closed; R3, R4 accepted
    "completion_base": 7,  # 8 − R6 cancelled
    "handling": [3, 7, 0, 2, 5],
    "median": 3,  # 0 2 [3] 5 7
    "p90": 6.2,  # rank 0.9 × 4 = 3.6 → 5 + 0.6 × (7 − 5)
    "within_sla": 4,  # 0, 2, 3, 5
    "delayed": 2,  # R2, R5
    "top_escalations": [(HEALTH, 3), (ZAKAT, 2)],
    "top_delays": [(ZAKAT, 1), (HEALTH, 1)],  # a tie: by name (ه before و)
    "monthly_channels": {
        "web": {"2025-03": 2, "2025-04": 2},
        "whatsapp": {"2025-03": 1, "2025-04": 1},
        "sms": {"2025-03": 1, "2025-04": 0},
        "other": {"2025-03": 0, "2025-04": 1},
    },
    "monthly_flow": {
        "2025-03": {"received": 4, "closed": 4, "open": 0},
        "2025-04": {"received": 4, "closed": 2, "open": 2},  # R6, R7 | R5, R8
    },
    "satisfaction": {"solution_score": 11 / 3, "handling_score": 4.0, "effort_score": 3.5},
    "answers": {"solution_score": 3, "handling_score": 3, "effort_score": 2},
    "useful": (1, 2),
    "comments": [
        "اسمي [الاسم] ورقم هويتي [رقم الهوية] والخدمة ممتازة",
        "شكراً، تواصلوا معي على [رقم الجوال]",
    ],
    "conversations": 10,  # conv-1 … conv-8 (reports), conv-x, conv-y
    "handed": 3,
    "wait_median": 7.0,  # 4 and 10 minutes
    "handling_median": 21.0,  # 12 and 30 minutes
    "handling_p90": 28.2,  # 12 + 0.9 × 18
}


def fill(store: Store) -> None:
    """Write the data set into a fresh store."""
    store.upgrade()
    with store.session() as session:
        ids = {}
        for number, kind, channel, entity, filed, due, history, notice in REPORTS:
            report = Report(
                number=f"25{int(number):07d}",
                type=kind,
                status=history[-1][0] if history else "received",
                channel=channel,
                conversation_id=f"conv-{number}",
                beneficiary_name=NAMES.get(number, "سارة محمد"),
                national_id="1000000008",
                mobile="+966551234567",
                entity=entity,
                details={},
                created_at=filed,
                updated_at=history[-1][1] if history else filed,
                due_on=due,
                delay_notified_at=notice,
            )
            session.add(report)
            session.add(
                StatusChange(report=report, status="received", actor="bot", created_at=filed)
            )
            for status, when in history:
                session.add(
                    StatusChange(report=report, status=status, actor="staff", created_at=when)
                )
            session.flush()
            ids[number] = report.id
        for number, (solution, handling, effort, useful, comment, when) in SURVEYS.items():
            session.add(
                SurveyAnswer(
                    report_id=ids[number],
                    solution_score=solution,
                    handling_score=handling,
                    effort_score=effort,
                    useful=useful,
                    comment=comment,
                    completed=effort is not None,
                    created_at=when,
                    updated_at=when,
                )
            )
        for conversation, reason, status, agent, created, taken, ended in HANDOFFS:
            session.add(
                Handoff(
                    conversation_id=conversation,
                    channel="webchat",
                    reason=reason,
                    status=status,
                    agent=agent,
                    summary={},
                    created_at=created,
                    taken_at=taken,
                    ended_at=ended,
                )
            )
