"""Validation of the digitisation request form (طلب تحول).

Conditions of the guide: the beneficiary knows the paper service and its entity; the
service is paper-only with no digital alternative (checked in the catalogue); the same
beneficiary has not filed a similar request (checked in the store, on normalised text).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import services
from bot.actions.form_validation import answer_for, validator
from bot.actions.report_form import ReportFormValidation, free_text
from bot.rules import eligibility
from bot.rules.eligibility import Decision, EarlierRequest
from bot.rules.labels import FORM_FIELDS
from bot.store.reports import earlier_requests

logger = logging.getLogger(__name__)

FIELDS = FORM_FIELDS["digitization_form"]
TEXT_LIMIT = 2000


def earlier(national_id: str | None, report_type: str) -> list[EarlierRequest]:
    """The beneficiary's earlier requests; an unreachable store defers the check."""
    if not national_id:
        return []
    try:
        return earlier_requests(services.store(), national_id, report_type)
    except Exception:
        logger.exception("earlier-requests lookup failed; the request is not blocked")
        return []


def digitization_decision(tracker: Tracker, slots: dict[str, Any]) -> Decision:
    """The guide's conditions, applied to the answers so far."""
    service_name = slots.get("service")
    if not service_name:
        return Decision.ok()
    catalogue = services.catalogue()
    entity = catalogue.entity(slots.get("entity"))
    service = catalogue.service(service_name, entity.key if entity else None)
    platform = catalogue.platforms.get(service.platform_key or "") if service else None
    decision = eligibility.check_digitization_service(service, platform.name if platform else None)
    if not decision.eligible or not slots.get("entity"):
        return decision  # "similar" is judged on the service and its entity together
    return eligibility.check_no_similar_request(
        earlier(slots.get("national_id"), "digitization"), service_name, slots.get("entity")
    )


class ValidateDigitizationForm(ReportFormValidation):
    """Validates `digitization_form`."""

    FIELDS = FIELDS

    def name(self) -> str:
        return "validate_digitization_form"

    def report_slots(self, tracker: Tracker) -> list[str]:
        return ["service", "entity", "current_process", "digitization_reason"]

    def decide(self, tracker: Tracker, slots: dict[str, Any]) -> Decision:
        return digitization_decision(tracker, slots)

    @validator
    async def validate_service(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self.checked(tracker, self.service_answer(tracker, value))

    @validator
    async def validate_entity(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self.checked(tracker, self.entity_answer(tracker, value))

    async def extract_current_process(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_for(tracker, "current_process", long_only=True)

    async def extract_digitization_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_for(tracker, "digitization_reason", long_only=True)

    @validator
    async def validate_current_process(self, value: Any, *_: Any) -> dict[str, Any]:
        hint = "مثال: أراجع الفرع بنموذج ورقي وأنتظر أسبوعاً."
        return {"current_process": free_text(value, TEXT_LIMIT, hint)}

    @validator
    async def validate_digitization_reason(self, value: Any, *_: Any) -> dict[str, Any]:
        hint = "مثال: توفير الوقت وعدم الحاجة لمراجعة الفرع."
        return {"digitization_reason": free_text(value, TEXT_LIMIT, hint)}
