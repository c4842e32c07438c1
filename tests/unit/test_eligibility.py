"""The guide's conditions for «تقديم شكوى», one test per sentence of the guide."""

import datetime as dt

from bot.actions.digitization_form import digitization_decision
from bot.rules.catalogue import Service
from bot.rules.eligibility import (
    ClosedTopic,
    EarlierRequest,
    Refusal,
    Trigger,
    answer_due_date,
    check_closed_topic,
    check_digitization_service,
    check_no_similar_request,
    check_not_already_escalated,
    check_not_same_suggestion,
    check_service_is_digital,
    check_suggestion_service,
    check_waiting_time,
    needs_prior_reference,
    needs_screenshot,
)
from bot.rules.working_days import HolidayCalendar

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


def test_with_no_sla_more_than_five_working_days_must_pass():
    # «تجاوز (5) أيام عمل»: Sunday + 5 working days is the next Sunday, still too early; the
    # Monday after it is the first allowed day (counted as the SLA trigger counts).
    too_early = check_waiting_time(Trigger.NO_SLA, SUNDAY, dt.date(2026, 11, 20), CALENDAR)
    assert too_early.refusal is Refusal.TOO_EARLY
    assert too_early.earliest_date == dt.date(2026, 11, 23)
    fifth = check_waiting_time(Trigger.NO_SLA, SUNDAY, dt.date(2026, 11, 22), CALENDAR)
    assert fifth.refusal is Refusal.TOO_EARLY
    assert check_waiting_time(Trigger.NO_SLA, SUNDAY, dt.date(2026, 11, 23), CALENDAR).eligible


def test_both_waiting_triggers_count_the_same_way():
    for trigger, days in ((Trigger.NO_SLA, 5), (Trigger.SLA_PASSED, 5)):
        on_the_day = check_waiting_time(trigger, SUNDAY, dt.date(2026, 11, 22), CALENDAR, days)
        after = check_waiting_time(trigger, SUNDAY, dt.date(2026, 11, 23), CALENDAR, days)
        assert on_the_day.earliest_date == dt.date(2026, 11, 23) and after.eligible


def test_holidays_push_the_earliest_escalation_date():
    eid = HolidayCalendar(dated=frozenset({dt.date(2026, 11, 16), dt.date(2026, 11, 17)}))
    decision = check_waiting_time(Trigger.NO_SLA, SUNDAY, dt.date(2026, 11, 22), eid)
    assert decision.refusal is Refusal.TOO_EARLY
    assert decision.earliest_date == dt.date(2026, 11, 25)


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


# --- digitisation requests and improvement suggestions ---------------------------------

PAPER_ONLY = Service("تصديق الوكالة ورقياً", "moj", digital=False)
PAPER_WITH_ALTERNATIVE = Service(
    "شهادة خلو سوابق ورقية",
    "moi",
    digital=False,
    alternative_name="شهادة خلو سوابق",
    alternative_where="أبشر",
)
DIGITAL = Service("تجديد جواز السفر", "moi", digital=True, platform_key="absher")


def test_digitisation_of_a_paper_only_or_unknown_service_is_accepted():
    assert check_digitization_service(PAPER_ONLY).eligible
    assert check_digitization_service(None).eligible


def test_digitisation_refused_when_a_digital_alternative_exists_and_names_it():
    decision = check_digitization_service(PAPER_WITH_ALTERNATIVE)
    assert decision.refusal is Refusal.DIGITAL_ALTERNATIVE
    assert "شهادة خلو سوابق" in decision.detail and "أبشر" in decision.detail
    assert check_digitization_service(DIGITAL).refusal is Refusal.DIGITAL_ALTERNATIVE


def test_a_similar_request_by_the_same_beneficiary_is_refused_with_its_number():
    earlier = [EarlierRequest("260000010", "تصديق الوكالة الورقي", "وزارة العدل")]
    decision = check_no_similar_request(earlier, "تصديق الوكاله ورقيا", "وزاره العدل")
    assert decision.existing_number == "260000010"
    assert check_no_similar_request(earlier, "رخصة البناء", "وزارة العدل").eligible
    assert check_no_similar_request(earlier, "تصديق الوكالة", "وزارة الصحة").eligible


def test_suggestions_need_a_digital_service():
    assert check_suggestion_service(PAPER_ONLY).refusal is Refusal.PAPER_SUGGESTION
    assert check_suggestion_service(None, paper_channel=True).refusal is Refusal.PAPER_SUGGESTION
    assert check_suggestion_service(DIGITAL).eligible
    assert check_suggestion_service(None).eligible


def test_the_same_suggestion_twice_is_refused():
    earlier = [
        EarlierRequest("260000020", "تجديد جواز السفر", text="إضافة تنبيه قبل انتهاء الجواز")
    ]
    same = check_not_same_suggestion(earlier, "تجديد الجواز", "اقترح اضافة تنبيه قبل انتهاء الجواز")
    assert same.existing_number == "260000020"
    other = check_not_same_suggestion(earlier, "تجديد الجواز", "دعم الدفع بأبل باي")
    assert other.eligible


def test_a_digital_service_is_refused_with_the_platform_that_offers_it():
    decision = check_digitization_service(DIGITAL, "أبشر")
    assert decision.refusal is Refusal.DIGITAL_ALTERNATIVE
    assert decision.detail == "تجديد جواز السفر عبر أبشر"
    assert check_digitization_service(DIGITAL).detail == "تجديد جواز السفر"  # none known


def test_the_digitisation_form_names_the_catalogues_platform_in_the_refusal():
    decision = digitization_decision(None, {"service": "تسجيل المواليد"})
    assert decision.refusal is Refusal.DIGITAL_ALTERNATIVE
    assert "أبشر" in decision.detail
