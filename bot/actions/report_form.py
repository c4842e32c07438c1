"""What every report form shares: the beneficiary's data, the catalogue names, the
summary and corrections.

Subclasses (complaint, digitisation, suggestion) list their fields in `FIELDS` (slot →
Arabic label, in the order shown in the summary) and their own `required_slots`.
"""

from __future__ import annotations

import asyncio
import re
from abc import abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import services
from bot.actions.form_validation import (
    FormValidation,
    Rejection,
    answer_for,
    choice_of,
    has_letters,
    validator,
)
from bot.rules.arabic import normalise, to_ascii_digits
from bot.rules.dates import format_date_ar
from bot.rules.eligibility import Decision
from bot.rules.identity import mask_national_id, mask_phone, parse_national_id, parse_saudi_mobile

PERSONAL_SLOTS = ("beneficiary_name", "national_id", "mobile")
PROFILE_SLOTS = {
    "beneficiary_name": "profile_name",
    "national_id": "profile_national_id",
    "mobile": "profile_mobile",
}
YES_NO_OPTIONS = {
    "yes": ["نعم", "ايوه", "اي", "اكيد", "تمام", "موافق", "استخدم", "yes", "ok"],
    "no": ["لا", "مو", "غير", "جديد", "no"],
}
CONFIRM_OPTIONS = {
    "yes": ["تاكيد", "اكد", "ارسل", "ارسال", "قدم", "موافق", "نعم", "اي", "ايوه", "تمام"],
    "edit": ["تعديل", "عدل", "اعدل", "تصحيح", "صحح", "غير"],
}
CHANNEL_OPTIONS = {
    "website": ["موقع", "web", "بوابه"],
    "app": ["تطبيق", "جوال", "app"],
    "call_center": ["اتصال", "هاتف", "اتصلت", "الرقم الموحد"],
    "paper": ["ورق", "حضوري", "فرع", "مراجعه"],
}
VALUE_LABELS = {
    "website": "الموقع الإلكتروني",
    "app": "التطبيق",
    "call_center": "مركز الاتصال",
    "paper": "معاملة ورقية",
}
ENTITY_MAX = 150
SERVICE_MAX = 200


def free_text(value: Any, max_length: int, hint: str) -> str:
    """Collapse whitespace; refuse empty, letter-less (emoji only) and over-long text."""
    text = re.sub(r"\s+", " ", str(value or "")).strip()
    if len(text) > max_length:
        raise Rejection("utter_too_long", hint=hint, max_length=max_length)
    if len(text) < 2 or not has_letters(text) or text.startswith("/"):
        raise Rejection("utter_invalid_free_text", hint=hint)
    return text


def refusal_slots(decision: Decision) -> dict[str, Any]:
    """Slots that end a form with the refusal, explained by its finishing action."""
    return {
        "refusal": decision.refusal.value if decision.refusal else None,
        "refusal_date": format_date_ar(decision.earliest_date) if decision.earliest_date else None,
        "refusal_number": decision.existing_number,
        "refusal_detail": decision.detail,
    }


def flag(tracker: Tracker, name: str, unknown: bool) -> list[str]:
    """The review flags with `name` added (unknown to the catalogue) or removed."""
    flags = [f for f in tracker.get_slot("review_flags") or [] if f != name]
    return [*flags, name] if unknown else flags


class ReportFormValidation(FormValidation):
    """Shared validators; subclasses set `FIELDS` and `required_slots`."""

    FIELDS: ClassVar[dict[str, str]] = {}

    @abstractmethod
    def name(self) -> str:
        """`validate_<form>`; abstract so the SDK does not register this base class."""

    @abstractmethod
    def report_slots(self, tracker: Tracker) -> list[str]:
        """The form's own questions, between the beneficiary's data and the summary."""

    def decide(self, tracker: Tracker, slots: dict[str, Any]) -> Decision:
        """The form's eligibility rules applied to the answers so far (`slots`). Some read
        the store (earlier requests, escalations): it runs in a worker thread."""
        return Decision.ok()

    async def checked(self, tracker: Tracker, changes: dict[str, Any]) -> dict[str, Any]:
        """`changes`, plus the refusal if the answers so far make the report ineligible
        (a refusal ends the form: `required_slots` is then empty)."""
        decision = await asyncio.to_thread(self.decide, tracker, {**tracker.slots, **changes})
        return changes if decision.eligible else {**changes, **refusal_slots(decision)}

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("refusal"):
            return []
        return [
            *self.beneficiary_slots(tracker),
            *self.report_slots(tracker),
            *self.closing_slots(tracker),
        ]

    @staticmethod
    def beneficiary_slots(tracker: Tracker) -> list[str]:
        """Offer the data given earlier in the conversation before asking again."""
        known = tracker.get_slot("profile_national_id")
        already = all(tracker.get_slot(s) is not None for s in PERSONAL_SLOTS)
        return (["use_saved_profile"] if known and not already else []) + list(PERSONAL_SLOTS)

    @staticmethod
    def closing_slots(tracker: Tracker) -> list[str]:
        edit = ["field_to_edit"] if tracker.get_slot("confirm_submission") == "edit" else []
        return ["confirm_submission", *edit]

    # A name the catalogue knows is an answer even when it reads like another intent
    # («تسليم أصول المستندات ورقياً» sounds like the FAQ about documents).
    async def extract_entity(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._known_name(tracker, "entity", services.catalogue().entity)

    async def extract_platform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._known_name(tracker, "platform", services.catalogue().platform)

    async def extract_service(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._known_name(tracker, "service", services.catalogue().service)

    @staticmethod
    def _known_name(tracker: Tracker, slot: str, lookup: Any) -> dict[str, Any]:
        answer = answer_for(tracker, slot)
        return answer if answer and lookup(answer[slot]) is not None else {}

    @validator
    async def validate_use_saved_profile(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        answer = {"affirm": "yes", "deny": "no"}.get(intent) or choice_of(
            tracker, str(value or ""), YES_NO_OPTIONS
        )
        if answer is None:
            raise Rejection("utter_invalid_choice", hint="اختر: نعم أو لا.")
        if answer == "no":
            return {"use_saved_profile": "no"}
        return {
            "use_saved_profile": "yes",
            **{slot: tracker.get_slot(profile) for slot, profile in PROFILE_SLOTS.items()},
        }

    @validator
    async def validate_beneficiary_name(self, value: Any, *_: Any) -> dict[str, Any]:
        hint = "اكتب الاسم الأول واسم العائلة، مثل: محمد القحطاني."
        text = free_text(value, 100, hint)
        if any(ch.isdigit() for ch in to_ascii_digits(text)) or len(text.split()) < 2:
            raise Rejection("utter_invalid_name", hint=hint)
        return {"beneficiary_name": text}

    @validator
    async def validate_national_id(self, value: Any, *_: Any) -> dict[str, Any]:
        national_id, reason = parse_national_id(str(value or ""))
        if national_id is None:
            raise Rejection(
                {
                    "format": "utter_invalid_national_id_format",
                    "prefix": "utter_invalid_national_id_prefix",
                    "checksum": "utter_invalid_national_id_checksum",
                }[reason or "format"],
                hint="رقم الهوية 10 أرقام يبدأ بـ 1 (أو 2 للإقامة)، وتجده على البطاقة أو في أبشر.",
            )
        return {"national_id": national_id}

    @validator
    async def validate_mobile(self, value: Any, *_: Any) -> dict[str, Any]:
        mobile = parse_saudi_mobile(str(value or ""))
        if mobile is None:
            raise Rejection("utter_invalid_mobile", hint="اكتب رقم الجوال السعودي مثل 0551234567.")
        return {"mobile": mobile}

    def entity_answer(self, tracker: Tracker, value: Any) -> dict[str, Any]:
        """The entity, under its catalogue name when known; unknown names are flagged."""
        text = free_text(value, ENTITY_MAX, "اكتب اسم الجهة، مثل: وزارة الصحة.")
        known = services.catalogue().entity(text)
        return {
            "entity": known.name if known else text,
            "review_flags": flag(tracker, "unknown_entity", known is None),
        }

    def platform_answer(self, tracker: Tracker, value: Any) -> dict[str, Any]:
        text = free_text(value, ENTITY_MAX, "اكتب اسم المنصة، مثل: أبشر.")
        known = services.catalogue().platform(text)
        changes: dict[str, Any] = {
            "platform": known.name if known else text,
            "review_flags": flag(tracker, "unknown_platform", known is None),
        }
        return changes

    def service_answer(self, tracker: Tracker, value: Any) -> dict[str, Any]:
        text = free_text(value, SERVICE_MAX, "اكتب اسم الخدمة، مثل: تجديد الجواز.")
        catalogue = services.catalogue()
        entity = catalogue.entity(tracker.get_slot("entity"))
        platform = catalogue.platform(tracker.get_slot("platform"))
        known = catalogue.service(
            text, entity.key if entity else None, platform.key if platform else None
        )
        return {
            "service": known.name if known else text,
            "review_flags": flag(tracker, "unknown_service", known is None),
        }

    @validator
    async def validate_confirm_submission(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "affirm":
            return {"confirm_submission": "yes"}
        answer = choice_of(tracker, str(value or ""), CONFIRM_OPTIONS)
        if answer is None:
            raise Rejection("utter_invalid_choice", hint="اختر: تأكيد وإرسال، أو تعديل، أو إلغاء.")
        return {"confirm_submission": answer}

    @validator
    async def validate_field_to_edit(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        shown = [slot for slot in self.FIELDS if tracker.get_slot(slot) is not None]
        options = {slot: [normalise(self.FIELDS[slot])] for slot in shown}
        field = choice_of(tracker, str(value or ""), options)
        if field is None:
            raise Rejection("utter_invalid_choice", hint="اختر الحقل الذي تريد تصحيحه.")
        changes: dict[str, Any] = {field: None, "field_to_edit": None, "confirm_submission": None}
        changes.update({slot: None for slot in self.dependent_slots(field)})
        return changes

    def dependent_slots(self, field: str) -> list[str]:
        """Slots to ask again when `field` is corrected (their meaning depends on it)."""
        return []


def summary_lines(tracker: Tracker, fields: dict[str, str], labels: dict[str, str]) -> list[str]:
    """The summary shown before submitting (identifiers partly masked)."""
    lines = []
    for slot, label in fields.items():
        value = tracker.get_slot(slot)
        if value is None:
            continue
        if slot == "national_id":
            value = f"\u2066{mask_national_id(value)}\u2069"  # isolated: reads left to right
        elif slot == "mobile":
            value = f"\u2066{mask_phone(value)}\u2069"
        lines.append(f"• {label}: {labels.get(value, value)}")
    return lines
