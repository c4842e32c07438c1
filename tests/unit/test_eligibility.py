"""The guide's conditions for «تقديم شكوى», one test per sentence of the guide."""

import datetime as dt

from bot.eligibility import (
    ClosedTopic,
    Refusal,
    Trigger,
    answer_due_date,
    check_closed_topic,
    check_not_already_escalated,
    check_service_is_digital,
    check_waiting_time,
    needs_prior_reference,
    needs_screenshot,
)
from bot.working_days import HolidayCalendar

CALENDAR = HolidayCalendar()
SUNDAY = dt.date(2026, 11, 15)


def test_a_technical_failure_needs_a_screenshot_instead_of_a_prior_number():
    assert needs_screenshot(Trigger.TECHNICAL_FAILURE)
    assert not needs_prior_reference(Trigger.TECHNICAL_FAILURE)
    for trigger in (Trigger.SLA_PASSED, Trigger.NO_SLA, Trigger.CLOSED_UNSATISFIED):
        assert needs_prior_reference(trigger)
        assert not needs_screenshot(trigger)


def test_paper_services_cannot_be_escalated():
    assert check_service_is_digital(True).refusal is Refusal.PAPER_SERVICE
    assert check_service_is_digital(False).eligible


def test_with_no_sla_five_working_days_must_pass():
    # Sunday + 5 working days = the next Sunday.
    too_early = check_waiting_time(Trigger.NO_SLA, SUNDAY, dt.date(2026, 11, 20), CALENDAR)
    assert too_early.refusal is Refusal.TOO_EARLY
    assert too_early.earliest_date == dt.date(2026, 11, 22)
    assert check_waiting_time(Trigger.NO_SLA, SUNDAY, dt.date(2026, 11, 22), CALENDAR).eligible


def test_holidays_push_the_earliest_escalation_date():
    eid = HolidayCalendar(dated=frozenset({dt.date(2026, 11, 16), dt.date(2026, 11, 17)}))
    decision = check_waiting_time(Trigger.NO_SLA, SUNDAY, dt.date(2026, 11, 22), eid)
    assert decision.refusal is Refusal.TOO_EARLY
    assert decision.earliest_date == dt.date(2026, 11, 24)


def test_sla_must_have_passed():
    within = check_waiting_time(Trigger.SLA_PASSED, SUNDAY, dt.date(2026, 11, 18), CALENDAR, 3)
    assert within.refusal is Refusal.SLA_NOT_PASSED
    assert within.earliest_date == dt.date(2026, 11, 19)
    assert check_waiting_time(
        Trigger.SLA_PASSED, SUNDAY, dt.date(2026, 11, 19), CALENDAR, 3
    ).eligible


def test_closed_complaints_technical_yes_procedures_no():
    assert check_closed_topic(ClosedTopic.TECHNICAL).eligible
    assert check_closed_topic(ClosedTopic.PROCEDURES).refusal is Refusal.PROCEDURES


def test_no_earlier_escalation_of_the_same_complaint():
    assert check_not_already_escalated(None).eligible
    decision = check_not_already_escalated("260000001")
    assert decision.refusal is Refusal.ALREADY_ESCALATED
    assert decision.existing_number == "260000001"


def test_the_centre_answers_within_five_working_days():
    assert answer_due_date(dt.date(2026, 11, 19), CALENDAR) == dt.date(2026, 11, 26)
