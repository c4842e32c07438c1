"""Validation of the improvement suggestion form (اقتراح تطوير).

Conditions of the guide: the beneficiary knows the digital service and its platform;
the service is digital (a paper service is offered a digitisation request instead); the
same beneficiary has not made the same suggestion before.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import services
from bot.actions.digitization_form import earlier
from bot.actions.form_validation import Rejection, answer_for, choice_of, validator
from bot.actions.report_form import (
    CHANNEL_OPTIONS,
    ReportFormValidation,
    free_text,
)
from bot.rules import eligibility
from bot.rules.eligibility import Decision
from bot.rules.labels import FORM_FIELDS

FIELDS = FORM_FIELDS["improvement_form"]
SUGGESTION_LIMIT = 2000


def improvement_decision(tracker: Tracker, slots: dict[str, Any]) -> Decision:
    """The guide's conditions, applied to the answers so far."""
    catalogue = services.catalogue()
    platform = catalogue.platform(slots.get("platform"))
    service = catalogue.service(
        slots.get("service"), platform_key=platform.key if platform else None
    )
    decision = eligibility.check_suggestion_service(
        service if slots.get("service") else None, slots.get("request_channel") == "paper"
    )
    if not decision.eligible or not (slots.get("service") and slots.get("suggestion")):
        return decision
    return eligibility.check_not_same_suggestion(
        earlier(slots.get("national_id"), "improvement"), slots["service"], slots["suggestion"]
    )


class ValidateImprovementForm(ReportFormValidation):
    """Validates `improvement_form`."""

    FIELDS = FIELDS

    def name(self) -> str:
        return "validate_improvement_form"

    def report_slots(self, tracker: Tracker) -> list[str]:
        return ["service", "platform", "request_channel", "suggestion"]

    def decide(self, tracker: Tracker, slots: dict[str, Any]) -> Decision:
        return improvement_decision(tracker, slots)

    @validator
    async def validate_service(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self.checked(tracker, self.service_answer(tracker, value))

    @validator
    async def validate_platform(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self.checked(tracker, self.platform_answer(tracker, value))

    async def extract_request_channel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_for(tracker, "request_channel", CHANNEL_OPTIONS)

    @validator
    async def validate_request_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        channel = choice_of(tracker, str(value or ""), CHANNEL_OPTIONS)
        if channel is None:
            raise Rejection("utter_invalid_choice", hint="اختر القناة من الأزرار (1 إلى 4).")
        return await self.checked(tracker, {"request_channel": channel})

    async def extract_suggestion(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_for(tracker, "suggestion", long_only=True)

    @validator
    async def validate_suggestion(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        hint = "مثال: إضافة تنبيه قبل انتهاء صلاحية الوثيقة."
        suggestion = free_text(value, SUGGESTION_LIMIT, hint)
        return await self.checked(tracker, {"suggestion": suggestion})
