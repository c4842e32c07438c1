"""The Digital Report service's eligibility rules, as plain functions.

Each function mirrors one condition of the guide (الدليل الاسترشادي لبلاغ رقمي,
شروط "تقديم شكوى") and returns a `Decision`: eligible, or the reason it is not and
what the beneficiary can do next. No I/O here: the actions look things up and pass
the facts in, so the tests read like the guide.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from bot.rules.catalogue import Service
from bot.rules.similarity import is_similar
from bot.rules.working_days import HolidayCalendar

CENTRE_SLA_WORKING_DAYS = 5
NO_SLA_WAIT_WORKING_DAYS = 5


class Trigger(str, Enum):
    """Why the beneficiary escalates (at least one must hold)."""

    TECHNICAL_FAILURE = "technical_failure"  # could not file: the system failed
    SLA_PASSED = "sla_passed"  # the entity's response time passed its SLA
    NO_SLA = "no_sla"  # a complaint number exists and no response time was set
    CLOSED_UNSATISFIED = "closed_unsatisfied"  # closed without a satisfactory solution


class ClosedTopic(str, Enum):
    """What a closed complaint was about."""

    TECHNICAL = "technical"
    PROCEDURES = "procedures"


class Refusal(str, Enum):
    """Reasons a complaint escalation is refused; each has an Arabic response."""

    PAPER_SERVICE = "paper_service"
    TOO_EARLY = "too_early"
    SLA_NOT_PASSED = "sla_not_passed"
    PROCEDURES = "procedures"
    ALREADY_ESCALATED = "already_escalated"
    # digitisation requests (طلب تحول)
    DIGITAL_ALTERNATIVE = "digital_alternative"
    SIMILAR_REQUEST = "similar_request"
    # improvement suggestions (اقتراح تطوير)
    PAPER_SUGGESTION = "paper_suggestion"
    SAME_SUGGESTION = "same_suggestion"


@dataclass(frozen=True)
class Decision:
    """The outcome of one rule."""

    eligible: bool
    refusal: Refusal | None = None
    earliest_date: dt.date | None = None
    existing_number: str | None = None
    detail: str | None = None

    @classmethod
    def ok(cls) -> Decision:
        return cls(True)


def needs_prior_reference(trigger: Trigger) -> bool:
    """A prior complaint number and date are required, except for a technical failure."""
    return trigger is not Trigger.TECHNICAL_FAILURE


def needs_screenshot(trigger: Trigger) -> bool:
    """A technical failure must be shown with a screenshot of the problem."""
    return trigger is Trigger.TECHNICAL_FAILURE


def check_service_is_digital(is_paper_service: bool) -> Decision:
    """Paper services cannot be escalated: a digitisation request is the way."""
    return Decision(False, Refusal.PAPER_SERVICE) if is_paper_service else Decision.ok()


def check_waiting_time(
    trigger: Trigger,
    complaint_date: dt.date,
    today: dt.date,
    calendar: HolidayCalendar,
    sla_working_days: int | None = None,
) -> Decision:
    """The guide's «تجاوز» for both waiting triggers: more than N working days after the
    day the complaint was created (N = 5 with no SLA, the SLA otherwise); a refusal names
    the first day it is allowed."""
    if trigger is Trigger.NO_SLA:
        days, refusal = NO_SLA_WAIT_WORKING_DAYS, Refusal.TOO_EARLY
    elif trigger is Trigger.SLA_PASSED and sla_working_days is not None:
        days, refusal = sla_working_days, Refusal.SLA_NOT_PASSED
    else:
        return Decision.ok()
    if calendar.working_days_between(complaint_date, today) > days:
        return Decision.ok()
    first_allowed = calendar.add_working_days(complaint_date, days + 1)
    return Decision(False, refusal, earliest_date=first_allowed)


def check_closed_topic(topic: ClosedTopic) -> Decision:
    """A closed complaint about the entity's procedures goes back to the entity;
    a closed technical complaint can be escalated while the problem persists."""
    return Decision(False, Refusal.PROCEDURES) if topic is ClosedTopic.PROCEDURES else Decision.ok()


def check_not_already_escalated(existing_report_number: str | None) -> Decision:
    """No earlier escalation at the centre of the same complaint number with the same entity."""
    if existing_report_number:
        return Decision(False, Refusal.ALREADY_ESCALATED, existing_number=existing_report_number)
    return Decision.ok()


def answer_due_date(filed_on: dt.date, calendar: HolidayCalendar) -> dt.date:
    """The centre answers within 5 working days of filing."""
    return calendar.add_working_days(filed_on, CENTRE_SLA_WORKING_DAYS)


@dataclass(frozen=True)
class EarlierRequest:
    """A report the same beneficiary filed before (not cancelled)."""

    number: str
    service: str
    entity: str | None = None
    text: str | None = None


def check_digitization_service(service: Service | None, platform: str | None = None) -> Decision:
    """The service must be paper-only with no digital alternative (طلب تحول, condition 2).

    `service` is the catalogue's entry, or None when the catalogue does not know it
    (then the request is accepted and flagged for review). The refusal says where the
    digital service is: the alternative's place, or for a service already digital the
    platform that offers it (`platform`, its name, when the catalogue knows it).
    """
    if service is None:
        return Decision.ok()
    if service.has_digital_alternative:
        where = f" ({service.alternative_where})" if service.alternative_where else ""
        return Decision(
            False, Refusal.DIGITAL_ALTERNATIVE, detail=f"{service.alternative_name}{where}"
        )
    if service.digital:
        where = f" عبر {platform}" if platform else ""
        return Decision(False, Refusal.DIGITAL_ALTERNATIVE, detail=f"{service.name}{where}")
    return Decision.ok()


def check_no_similar_request(
    earlier: list[EarlierRequest], service: str, entity: str | None
) -> Decision:
    """No similar digitisation request already filed by the same beneficiary (condition 4)."""
    for request in earlier:
        same_entity = not entity or not request.entity or is_similar(entity, request.entity)
        if same_entity and is_similar(service, request.service):
            return Decision(False, Refusal.SIMILAR_REQUEST, existing_number=request.number)
    return Decision.ok()


def check_suggestion_service(service: Service | None, paper_channel: bool = False) -> Decision:
    """A paper service cannot be "improved": a digitisation request is the way."""
    if paper_channel or (service is not None and not service.digital):
        return Decision(False, Refusal.PAPER_SUGGESTION)
    return Decision.ok()


def check_not_same_suggestion(
    earlier: list[EarlierRequest], service: str, suggestion: str
) -> Decision:
    """The same beneficiary has not made the same suggestion before (condition 3)."""
    for request in earlier:
        if is_similar(service, request.service) and is_similar(suggestion, request.text or ""):
            return Decision(False, Refusal.SAME_SUGGESTION, existing_number=request.number)
    return Decision.ok()
