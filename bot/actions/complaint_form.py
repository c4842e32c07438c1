"""Validation of the complaint escalation form (تقديم شكوى), answer by answer.

The slots asked depend on the answers (a technical failure needs a screenshot instead
of a prior complaint number; a closed complaint asks what it was about). Eligibility
is checked as soon as the facts it needs are known, so an ineligible beneficiary is
told why before typing a description.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import clock, eligibility
from bot.actions import services
from bot.actions.form_validation import (
    FormValidationAction,
    Rejection,
    answer_for,
    attachments_of,
    choice_of,
    has_letters,
    validator,
)
from bot.arabic import normalise, to_ascii_digits
from bot.dates import format_date_ar, parse_user_date
from bot.eligibility import ClosedTopic, Decision, Trigger
from bot.identity import parse_national_id, parse_saudi_mobile
from bot.store.reports import find_escalation

logger = logging.getLogger(__name__)

TRIGGER_OPTIONS = {
    Trigger.TECHNICAL_FAILURE.value: ["تعطل", "عطل", "معطل", "خلل", "ما قدرت", "لم استطع", "تعذر"],
    Trigger.SLA_PASSED.value: ["تجاوز", "تاخر", "تاخير", "مده الرد", "المده المحدده", "sla"],
    Trigger.NO_SLA.value: [
        "لم تحدد",
        "ما حدد",
        "بدون مده",
        "ما فيه مده",
        "لا توجد مده",
        "رقم شكوى",
    ],
    Trigger.CLOSED_UNSATISFIED.value: ["اغلق", "اغلاق", "قفل", "سكر", "انغلق", "مغلق"],
}
CHANNEL_OPTIONS = {
    "website": ["موقع", "الموقع", "web", "بوابه"],
    "app": ["تطبيق", "التطبيق", "جوال", "app"],
    "call_center": ["اتصال", "مركز الاتصال", "هاتف", "اتصلت", "الرقم الموحد"],
    "paper": ["ورق", "ورقي", "حضوري", "فرع", "مراجعه"],
}
CLOSED_TOPIC_OPTIONS = {
    ClosedTopic.TECHNICAL.value: ["تقني", "فني", "خلل", "عطل", "مشكله تقنيه"],
    ClosedTopic.PROCEDURES.value: ["اجراء", "اجراءات", "نظام الجهه", "سياسه"],
}
SKIP_WORDS = ["تخطي", "تخطى", "لا يوجد", "ما عندي", "لا", "بدون", "skip", "ما فيه"]
CONFIRM_OPTIONS = {
    "yes": ["تاكيد", "اكد", "ارسل", "ارسال", "قدم", "موافق", "نعم", "اي", "ايوه", "تمام"],
    "edit": ["تعديل", "عدل", "اعدل", "تصحيح", "صحح", "غير"],
}
# Fields the user may correct at the summary, in the order they are shown.
EDITABLE_FIELDS = {
    "beneficiary_name": "الاسم",
    "national_id": "رقم الهوية",
    "mobile": "الجوال",
    "complaint_trigger": "سبب التصعيد",
    "sla_days": "مدة الرد المحددة",
    "entity": "الجهة",
    "platform": "المنصة",
    "service": "الخدمة",
    "request_channel": "قناة الطلب",
    "prior_complaint_number": "رقم الشكوى السابقة",
    "prior_complaint_date": "تاريخ الشكوى السابقة",
    "screenshot": "صورة المشكلة",
    "closed_topic": "موضوع الشكوى المغلقة",
    "title": "العنوان",
    "description": "الوصف",
    "supporting_documents": "المستندات",
}
# Changing the trigger changes which evidence is needed: those answers are asked again.
TRIGGER_DEPENDENT = [
    "sla_days",
    "prior_complaint_number",
    "prior_complaint_date",
    "screenshot",
    "closed_topic",
]
ID_ERROR_RESPONSES = {
    "format": "utter_invalid_national_id_format",
    "prefix": "utter_invalid_national_id_prefix",
    "checksum": "utter_invalid_national_id_checksum",
}
DATE_ERROR_RESPONSES = {
    "unparsed": "utter_invalid_date_unparsed",
    "impossible": "utter_invalid_date_impossible",
    "future": "utter_invalid_date_future",
    "too_old": "utter_invalid_date_too_old",
}
LONG_ANSWER_WORDS = 8
LIMITS = {"name": 100, "entity": 150, "service": 200, "title": 150, "description": 3000}


def known_trigger(value: Any) -> Trigger | None:
    """The trigger if `value` is a validated one (slots hold raw text until validated)."""
    try:
        return Trigger(value)
    except ValueError:
        return None


def _free_text(value: Any, max_length: int, hint: str) -> str:
    text = re.sub(r"\s+", " ", str(value or "")).strip()
    if len(text) > max_length:
        raise Rejection("utter_too_long", hint=hint, max_length=max_length)
    if len(text) < 2 or not has_letters(text):
        raise Rejection("utter_invalid_free_text", hint=hint)
    return text


def _refuse(decision: Decision) -> dict[str, Any]:
    """Slots that end the form with the refusal explained by action_finish_complaint."""
    return {
        "refusal": decision.refusal.value if decision.refusal else None,
        "refusal_date": format_date_ar(decision.earliest_date) if decision.earliest_date else None,
        "refusal_number": decision.existing_number,
    }


def _existing_escalation(entity: str, reference: str) -> str | None:
    try:
        return find_escalation(services.database_url(), entity, reference)
    except Exception:  # the unique index still refuses a duplicate at filing time
        logger.exception("duplicate-escalation lookup failed; deferring to filing")
        return None


def eligibility_decision(slots: dict[str, Any], today: dt.date) -> Decision:
    """Run, in the guide's order, every rule whose facts are already known."""
    channel = slots.get("request_channel")
    if channel:
        decision = eligibility.check_service_is_digital(channel == "paper")
        if not decision.eligible:
            return decision
    trigger = known_trigger(slots.get("complaint_trigger"))
    if trigger and slots.get("prior_complaint_date"):
        sla_days = slots.get("sla_days")
        decision = eligibility.check_waiting_time(
            trigger,
            dt.date.fromisoformat(slots["prior_complaint_date"]),
            today,
            services.calendar(),
            int(sla_days) if sla_days else None,
        )
        if not decision.eligible:
            return decision
    if trigger is Trigger.CLOSED_UNSATISFIED and slots.get("closed_topic"):
        decision = eligibility.check_closed_topic(ClosedTopic(slots["closed_topic"]))
        if not decision.eligible:
            return decision
    if slots.get("entity") and slots.get("prior_complaint_number"):
        existing = _existing_escalation(slots["entity"], slots["prior_complaint_number"])
        return eligibility.check_not_already_escalated(existing)
    return Decision.ok()


def with_eligibility(tracker: Tracker, changes: dict[str, Any]) -> dict[str, Any]:
    """`changes`, plus the refusal if the answers so far make the complaint ineligible."""
    decision = eligibility_decision({**tracker.slots, **changes}, clock.today())
    return changes if decision.eligible else {**changes, **_refuse(decision)}


class ValidateComplaintForm(FormValidationAction):
    """Validates `complaint_form` and decides which slots it still needs."""

    def name(self) -> str:
        return "validate_complaint_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("refusal"):
            return []
        trigger = known_trigger(tracker.get_slot("complaint_trigger"))
        slots = ["beneficiary_name", "national_id", "mobile", "complaint_trigger"]
        if trigger is Trigger.SLA_PASSED:
            slots.append("sla_days")
        slots += ["entity", "platform", "service", "request_channel"]
        if trigger and eligibility.needs_prior_reference(trigger):
            slots += ["prior_complaint_number", "prior_complaint_date"]
        if trigger and eligibility.needs_screenshot(trigger):
            slots.append("screenshot")
        if trigger is Trigger.CLOSED_UNSATISFIED:
            slots.append("closed_topic")
        slots += ["title", "description", "supporting_documents", "confirm_submission"]
        if tracker.get_slot("confirm_submission") == "edit":
            slots.append("field_to_edit")
        return slots

    async def extract_complaint_trigger(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_for(tracker, "complaint_trigger", TRIGGER_OPTIONS)

    async def extract_request_channel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_for(tracker, "request_channel", CHANNEL_OPTIONS)

    async def extract_closed_topic(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_for(tracker, "closed_topic", CLOSED_TOPIC_OPTIONS)

    async def extract_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # A narrative of several sentences is the description, even if it mentions
        # cancelling or reads like a question.
        text = str(tracker.latest_message.get("text") or "")
        return answer_for(tracker, "description") if len(text.split()) >= LONG_ANSWER_WORDS else {}

    @validator
    async def validate_beneficiary_name(self, value: Any, *_: Any) -> dict[str, Any]:
        hint = "اكتب الاسم الأول واسم العائلة، مثل: محمد القحطاني."
        text = _free_text(value, LIMITS["name"], hint)
        if any(ch.isdigit() for ch in to_ascii_digits(text)) or len(text.split()) < 2:
            raise Rejection("utter_invalid_name", hint=hint)
        return {"beneficiary_name": text}

    @validator
    async def validate_national_id(self, value: Any, *_: Any) -> dict[str, Any]:
        national_id, reason = parse_national_id(str(value or ""))
        if national_id is None:
            raise Rejection(
                ID_ERROR_RESPONSES[reason],
                hint="رقم الهوية 10 أرقام يبدأ بـ 1 (أو 2 للإقامة)، وتجده على البطاقة أو في أبشر.",
            )
        return {"national_id": national_id}

    @validator
    async def validate_mobile(self, value: Any, *_: Any) -> dict[str, Any]:
        mobile = parse_saudi_mobile(str(value or ""))
        if mobile is None:
            raise Rejection("utter_invalid_mobile", hint="اكتب رقم الجوال السعودي مثل 0551234567.")
        return {"mobile": mobile}

    @validator
    async def validate_complaint_trigger(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        trigger = choice_of(tracker, str(value or ""), TRIGGER_OPTIONS)
        if trigger is None:
            raise Rejection("utter_invalid_choice", hint="اختر سبب التصعيد من الأزرار (1 إلى 4).")
        changes: dict[str, Any] = {"complaint_trigger": trigger}
        if tracker.get_slot("complaint_trigger") not in (None, trigger):
            changes.update({slot: None for slot in TRIGGER_DEPENDENT})
        return with_eligibility(tracker, changes)

    @validator
    async def validate_sla_days(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = normalise(to_ascii_digits(str(value or "")))
        match = re.search(r"\d{1,3}", text)
        words = {"يوم": 1, "يومين": 2, "ثلاث": 3, "اربع": 4, "خمس": 5, "اسبوع": 5, "عشر": 10}
        days = (
            int(match.group(0)) if match else next((n for w, n in words.items() if w in text), None)
        )
        if days is None or not 1 <= days <= 90:
            raise Rejection("utter_invalid_sla_days", hint="اكتب عدد الأيام رقماً، مثل 5.")
        return with_eligibility(tracker, {"sla_days": str(days)})

    @validator
    async def validate_entity(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        entity = _free_text(value, LIMITS["entity"], "اكتب اسم الجهة، مثل: وزارة الصحة.")
        return with_eligibility(tracker, {"entity": entity})

    @validator
    async def validate_platform(self, value: Any, *_: Any) -> dict[str, Any]:
        return {"platform": _free_text(value, LIMITS["entity"], "اكتب اسم المنصة، مثل: أبشر.")}

    @validator
    async def validate_service(self, value: Any, *_: Any) -> dict[str, Any]:
        return {
            "service": _free_text(value, LIMITS["service"], "اكتب اسم الخدمة، مثل: تجديد الجواز.")
        }

    @validator
    async def validate_request_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        channel = choice_of(tracker, str(value or ""), CHANNEL_OPTIONS)
        if channel is None:
            raise Rejection("utter_invalid_choice", hint="اختر القناة من الأزرار (1 إلى 4).")
        return with_eligibility(tracker, {"request_channel": channel})

    @validator
    async def validate_prior_complaint_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        reference = to_ascii_digits(str(value or "")).strip()
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9\-/ ]{1,38}[A-Za-z0-9]", reference) or not any(
            ch.isdigit() for ch in reference
        ):
            raise Rejection("utter_invalid_reference", hint="تجده في رسالة الجهة عند تقديم الشكوى.")
        return with_eligibility(tracker, {"prior_complaint_number": reference})

    @validator
    async def validate_prior_complaint_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        today = clock.today()
        parsed = parse_user_date(str(value or ""), today)
        if parsed.date is None:
            raise Rejection(
                DATE_ERROR_RESPONSES[parsed.error],
                hint="اكتب التاريخ بالأرقام مثل 2026/11/01، أو «قبل أسبوع».",
            )
        return with_eligibility(tracker, {"prior_complaint_date": parsed.date.isoformat()})

    @validator
    async def validate_screenshot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        files = attachments_of(tracker, str(value or ""))
        if not files:
            raise Rejection("utter_screenshot_required", hint="أرفق صورة الشاشة التي تظهر الخطأ.")
        documents = [
            d for d in tracker.get_slot("documents") or [] if d.get("kind") != "screenshot"
        ]
        documents += [{"kind": "screenshot", **f} for f in files]
        return {"screenshot": files[0]["reference"], "documents": documents}

    @validator
    async def validate_closed_topic(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        topic = choice_of(tracker, str(value or ""), CLOSED_TOPIC_OPTIONS)
        if topic is None:
            raise Rejection("utter_invalid_choice", hint="اختر: مشكلة تقنية، أو إجراءات الجهة.")
        return with_eligibility(tracker, {"closed_topic": topic})

    @validator
    async def validate_title(self, value: Any, *_: Any) -> dict[str, Any]:
        return {
            "title": _free_text(value, LIMITS["title"], "مثال: تأخر الرد على شكوى تجديد الجواز.")
        }

    @validator
    async def validate_description(self, value: Any, *_: Any) -> dict[str, Any]:
        hint = "اكتب في سطرين ماذا حدث وما الذي تطلبه."
        return {"description": _free_text(value, LIMITS["description"], hint)}

    @validator
    async def validate_supporting_documents(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        files = attachments_of(tracker, text)
        documents = [
            d for d in tracker.get_slot("documents") or [] if d.get("kind") != "supporting"
        ]
        if files:
            documents += [{"kind": "supporting", **f} for f in files]
            return {"supporting_documents": f"{len(files)}", "documents": documents}
        skipped = "skip" in tracker.get_latest_entity_values("choice") or any(
            word == normalise(text).strip() or normalise(text).startswith(word + " ")
            for word in SKIP_WORDS
        )
        if skipped:
            return {"supporting_documents": "0", "documents": documents}
        raise Rejection("utter_invalid_attachment", hint="أرفق الملف أو اختر «تخطي».")

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
        shown = [slot for slot in EDITABLE_FIELDS if tracker.get_slot(slot) is not None]
        options = {slot: [normalise(EDITABLE_FIELDS[slot])] for slot in shown}
        field = choice_of(tracker, str(value or ""), options)
        if field is None:
            raise Rejection("utter_invalid_choice", hint="اختر الحقل الذي تريد تصحيحه.")
        changes: dict[str, Any] = {field: None, "field_to_edit": None, "confirm_submission": None}
        if field == "complaint_trigger":
            changes.update({slot: None for slot in TRIGGER_DEPENDENT})
        return changes


def summary_lines(tracker: Tracker) -> list[str]:
    """The summary shown before submitting (identifiers partly masked)."""
    from bot.identity import mask_national_id, mask_phone

    labels = {
        "technical_failure": "تعذر تقديم الشكوى لتعطل النظام",
        "sla_passed": "تجاوزت الجهة مدة الرد المحددة",
        "no_sla": "لم تُحدد مدة للرد",
        "closed_unsatisfied": "أُغلقت دون حل مُرضٍ",
        "website": "الموقع الإلكتروني",
        "app": "التطبيق",
        "call_center": "مركز الاتصال",
        "technical": "مشكلة تقنية",
        "procedures": "إجراءات الجهة",
    }
    lines = []
    for slot, label in EDITABLE_FIELDS.items():
        value = tracker.get_slot(slot)
        if value is None:
            continue
        if slot == "national_id":
            value = mask_national_id(value)
        elif slot == "mobile":
            value = mask_phone(value)
        elif slot == "supporting_documents":
            value = "لا يوجد" if value == "0" else f"{value} ملف"
        elif slot == "screenshot":
            value = "مرفقة"
        elif slot == "prior_complaint_date":
            value = format_date_ar(dt.date.fromisoformat(value))
        lines.append(f"• {label}: {labels.get(value, value)}")
    return lines
