"""Validation of the complaint escalation form (تقديم شكوى), answer by answer.

The slots asked depend on the answers (a technical failure needs a screenshot instead
of a prior complaint number; a closed complaint asks what it was about). Eligibility
is checked as soon as the facts it needs are known, so an ineligible beneficiary is
told why before typing a description.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import clock
from bot.actions import services
from bot.actions.form_validation import Rejection, answer_for, attachments_of, choice_of, validator
from bot.actions.report_form import (
    CHANNEL_OPTIONS,
    VALUE_LABELS,
    ReportFormValidation,
    answer_holding,
    free_text,
    summary_lines,
)
from bot.rules import eligibility
from bot.rules.arabic import counted, normalise
from bot.rules.dates import parse_user_date
from bot.rules.eligibility import ClosedTopic, Decision, Trigger
from bot.rules.labels import COMPLAINT_VALUE_LABELS, FORM_FIELDS, READABLE
from bot.rules.replies import files_with_entity_first
from bot.rules.story import promised_days
from bot.rules.values import find_reference, find_sla_days, lacks_reference
from bot.store.reports import find_escalation

logger = logging.getLogger(__name__)

# Read by `bot.rules.choices` (negations and contrasts understood; an unclear answer is
# asked again): these answers decide eligibility, so no keyword may name two options
# («مدة الرد» alone is said of both SLA answers, «رقم شكوى» of three: neither is a
# keyword). Citizens describe the option in their dialect rather than quote it: a period
# that passed («عدت المهلة»، «المدة خلصت»), a promise («وعدوني خلال…»), nothing said of
# a period («ما عطوني مدة»). Latin keywords are Arabizi, spelt loosely by the reader.
_PERIODS = ("المده", "المهله", "الوقت", "الموعد", "الفتره", "مده الرد", "مهله الرد")
_PASSED = ("عدت", "عدي", "عدوا", "تعدت", "فاتت", "فات", "مرت", "مضت", "مضي", "خلصت")
_PASSED_MORE = ("انتهت", "انتهي", "راحت", "انقضت", "طافت")
_NOT_GIVEN = ("ما عطوني", "ما اعطوني", "ما ادوني", "ما قالو", "ما قالولي", "ما ذكرو", "ما حطو")
_NOT_GIVEN_MORE = ("لم يعطوني", "لم يذكرو", "ما في", "ما فيه", "ما فيش", "مفيش", "ماكو")
_NO_PERIOD = ("مده", "مهله", "وقت", "موعد", "فتره", "اي مده", "اي مهله", "اي وقت", "اي موعد")
_LATIN_PERIODS = ("mud", "mod", "mda", "mdd", "mohla", "muhla", "waqt", "maw3ed")
_LATIN_PASSED = ("3add", "3adat", "3ado", "fat", "5alset", "intahat", "marat", "ta3adat", "ra7at")
_LATIN_NOT_GIVEN = ("ma 7adad", "ma 3atoni", "ma edoni", "bdon", "mafi", "ma fi", "ma qalo")
# A period said to be over, as non-native speakers and the dialects say it: «مدت تمام»
# («تمام المدة» is MSA for its end), «المهلة خلاص». Only after «المدة / المهلة»: «الوقت
# تمام» may mean "the timing is fine".
_OVER = ("تمام", "خلاص", "كملت", "اكتملت", "كمل", "اكتمل", "منتهيه", "خالصه", "خلصانه")
_OVER_PERIODS = ("المده", "المهله", "مدت", "المدت", "مهلت")
# Couldn't file («ما قدرت / معرفتش / ما عرفت اقدم»: longer than «معرفتش» alone, which is
# a doubt), and the system as the subject of a failure («النظام يقفل»، «السيستم
# بيطلعني»): a technical failure. «يقفل» alone is also said of a complaint being closed.
_COULD_NOT = ("ما قدرت", "مقدرتش", "ما قدرتش", "معرفتش", "ما عرفت", "ما عرفتش", "ما كدرت")
_COULD_NOT_MORE = ("ما تمكنت", "لم اتمكن", "لم استطع", "مش قادر", "مو قادر", "مب قادر")
_FILING = ("اقدم", "ارفع", "اسجل", "ادخل", "اشتكي", "ارسل", "اكمل", "افتح", "اسوي", "ابعت")
_SYSTEMS = ("النظام", "السيستم", "السستم", "الموقع", "التطبيق", "المنصه", "البوابه", "الصفحه")
_SYSTEMS_MORE = ("الرابط", "البرنامج", "الابلكيشن", "الابليكيشن")
_FAILS = ("يقفل", "بيقفل", "يسكر", "بيسكر", "يطلعني", "بيطلعني", "طلعني", "يفصل", "بيفصل")
_FAILS_MORE = ("يطفي", "بيطفي", "يخرجني", "بيخرجني", "طردني", "يطردني", "يطيح", "طاح")
_UNMET = ("تنطبق", "ينطبق", "انطبق", "منطبق", "موهل", "مستحق", "استحق", "استوفي", "مستوفي", "يحق")
TRIGGER_OPTIONS = {
    Trigger.TECHNICAL_FAILURE.value: [
        *("تعطل", "عطل", "معطل", "عاطل", "خلل", "ما قدرت", "ما اقدر", "لم استطع", "تعذر"),
        *("مو قادر", "مش قادر", "مب قادر", "مقدرتش", "مقدرش", "ما يفتح", "ما فتح", "ما يشتغل"),
        *("ما اشتغل", "ما عم يفتح", "ما عم يشتغل", "مش شغال", "مو شغال", "ما شغال", "مب شغال"),
        *("ما زبط", "مش زابط", "ما ظبط", "خربان", "بايظ", "واقف", "متوقف", "النظام واقع"),
        *("السيستم واقع", "الموقع واقع", "معلق", "يعلق", "يهنق", "مهنق", "ايرور", "رساله خطا"),
        *("يطلع خطا", "يطلعلي خطا", "ما ينرسل", "ما تنرسل", "ما انرسلت", "داون", "ما يرضي"),
        *("error", "down", "technical", "bug", "crash", "glitch", "broken", "not working"),
        *("doesnt work", "didnt work", "cant submit", "couldnt submit", "system failure"),
        *("ma qadar", "msh qader", "mo qader", "mb qader", "ma nqadar", "ma yeftah"),
        *("ma yeshtaghel", "msh shaghal", "mo shaghal", "ma shaghal", "3atlan", "3otl", "3tl"),
        *("kharban", "waqef", "m3allaq", "y3allaq"),
        *(f"{no} {verb}" for no in (*_COULD_NOT, *_COULD_NOT_MORE) for verb in _FILING),
        *(
            f"{it} {fails}"
            for it in (*_SYSTEMS, *_SYSTEMS_MORE)
            for fails in (*_FAILS, *_FAILS_MORE)
        ),
        *("يقفل", "بيقفل", "يسكر", "بيسكر"),  # the system, or a complaint: unclear alone
    ],
    Trigger.SLA_PASSED.value: [
        *("تجاوز", "تاخر", "تاخير", "المده المحدده", "الوقت المحدد", "طولوا", "حددو", "وعدو"),
        *("وعدني", "وعدتني", "قالو خلال", "قالولي خلال", "ما التزمو", "ما لتزمو", "لم يلتزمو"),
        *(f"{verb} {period}" for verb in (*_PASSED, *_PASSED_MORE) for period in _PERIODS),
        *(f"{period} {verb}" for verb in (*_PASSED, *_PASSED_MORE) for period in _PERIODS),
        *(f"{period} {over}" for over in _OVER for period in _OVER_PERIODS),
        *(f"{over} {period}" for over in _OVER for period in _OVER_PERIODS),
        *("period over", "time is up", "time over", "time passed", "period passed"),
        *("sla", "late", "delay", "overdue", "exceeded", "expired", "deadline passed"),
        *("passed the deadline", "missed the deadline", "takhar", "tjawaz", "wa3adoni"),
        *(f"{verb} {period}" for verb in _LATIN_PASSED for period in _LATIN_PERIODS),
        *(f"{period} {verb}" for verb in _LATIN_PASSED for period in _LATIN_PERIODS),
    ],
    Trigger.NO_SLA.value: [
        *("لم تحدد", "لم يحدد", "ما حدد", "ما تحدد", "ما اتحدد", "لم تتحدد", "بدون تحديد"),
        *("بدون مده", "بلا مده", "لا توجد مده", "لا يوجد مده", "ما قالوا مده", "ما وعدو"),
        *("غير محدد", "مو محدد", "مش محدد", "مب محدد", "ما محدد", "مهو محدد", "لم يعدو"),
        *("ما قالو امتي", "ما قالولي امتي", "ما قالو متي", "ما قالولي متي", "ما قالولي كم"),
        *(f"{said} {period}" for said in (*_NOT_GIVEN, *_NOT_GIVEN_MORE) for period in _NO_PERIOD),
        *("no sla", "without sla", "no deadline", "no time", "no timeframe", "no time frame"),
        *("no response time", "not specified", "unspecified", "didnt specify", "no eta"),
        *(f"{said} {period}" for said in _LATIN_NOT_GIVEN for period in _LATIN_PERIODS),
        "ma 7adad",
    ],
    Trigger.CLOSED_UNSATISFIED.value: [
        *("اغلق", "اغلاق", "قفل", "مقفول", "سكر", "انغلق", "مغلق", "سدو", "انهو الشكوي"),
        *("انهو البلاغ", "closed", "close", "sakkar", "qafal", "ghalaq", "sadd", "sado"),
    ],
}
# A closed complaint was about a technical problem, or about the entity's procedures:
# a refusal and its reason (conditions, documents, eligibility, age, profession) are
# procedures, a system that fails is technical («مش مشكلة في النظام، رفضوا طلبي…»).
CLOSED_TOPIC_OPTIONS = {
    ClosedTopic.TECHNICAL.value: [
        *("تقني", "فني", "خلل", "عطل", "عاطل", "مشكله تقنيه", "مشكله في النظام"),
        *("مشكله بالنظام", "مشكله في السيستم", "مشكله بالسيستم", "مشكله في الموقع"),
        *("مشكله بالموقع", "مشكله في التطبيق", "مشكله بالتطبيق", "مشكله في المنصه", "سيستم"),
        *("ما يفتح", "ما يشتغل", "مش شغال", "مو شغال", "يعلق", "معلق", "واقف", "ايرور"),
        *("technical", "tech", "bug", "error", "system", "crash", "glitch", "broken"),
        *("te2ni", "teqni", "fanni", "3otl", "3atlan", "khalal"),
    ],
    ClosedTopic.PROCEDURES.value: [
        *("اجراء", "اجراءات", "نظام الجهه", "سياسه", "اداري", "رفض", "مرفوض", "شروط"),
        *("مستند", "وثائق", "اهليه", "موهل", "مستحق", "ينطبق", "تنطبق", "انطبق", "استوفي"),
        *("لائحه", "لوائح", "العمر", "عمري", "سني", "مهنه", "مهنتي", "الوظيفه", "الجنسيه"),
        *("procedure", "policy", "rejected", "refused", "conditions", "eligib", "documents"),
        *("ejra2", "ijra2", "rafad", "shorot", "shurut", "not eligible"),
        # «غير مؤهل»، «ما تنطبق علي الشروط»: not eligible is a reason, not a denial.
        *(f"{no} {word}" for no in ("ما", "لا", "لم", "مو", "مش", "مب", "غير") for word in _UNMET),
    ],
}
# «No documents», as the dialects say it (the whole answer, or its first words).
SKIP_WORDS = [
    *("تخطي", "تخطى", "لا يوجد", "ما عندي", "ماعندي", "لا", "لاء", "كلا", "بدون", "ما فيه"),
    *("مافيه", "ما في", "مافي", "مفيش", "مافيش", "ما فيش", "ماكو", "ما كو", "معنديش"),
    *("ما عنديش", "لا شي", "لا شيء", "ولا شي", "ولا شيء", "مو موجود", "مش موجود"),
    *("skip", "no", "none", "nothing", "nope", "mafi", "mafish", "mafeesh", "la"),
]
_SKIP_NORMALISED = tuple(normalise(word) for word in SKIP_WORDS)
# Fields the user may correct at the summary, in the order they are shown.
EDITABLE_FIELDS = FORM_FIELDS["complaint_form"]
# Changing the trigger changes which evidence is needed: those answers are asked again.
TRIGGER_DEPENDENT = [
    "sla_days",
    "prior_complaint_number",
    "prior_complaint_date",
    "screenshot",
    "closed_topic",
    "reference_missing",
    "no_reference_route",
]
# Set when the citizen says there is no complaint number: the form then explains the
# guide's rule and asks `no_reference_route` (the system-down route, stop, or a person).
REFERENCE_MISSING = "reference_missing"
NO_REFERENCE_OPTIONS = {
    Trigger.TECHNICAL_FAILURE.value: [
        "تعطل",
        "عطل",
        "معطل",
        "خلل",
        "النظام",
        "نظام",
        "تعذر",
        "ما قدرت",
        "system",
        "technical",
        "down",
    ],
}
# «بشتكي عندهم أول وأرجع لكم» at that offer: the form ends (`required_slots` is empty)
# with the report's answers emptied, as a stop leaves them; the next report resets this.
FILE_WITH_ENTITY_FIRST = "file_with_entity_first"
REFERENCE_ERRORS = {
    "missing": "utter_invalid_reference_missing",
    "date": "utter_invalid_reference_date",
    "length": "utter_invalid_reference",
    "ambiguous": "utter_invalid_reference_ambiguous",
}
SLA_ERRORS = {"missing": "utter_invalid_sla_days", "months": "utter_invalid_sla_days_months"}
MAX_SLA_DAYS = 90
DATE_ERROR_RESPONSES = {
    "unparsed": "utter_invalid_date_unparsed",
    "impossible": "utter_invalid_date_impossible",
    "future": "utter_invalid_date_future",
    "too_old": "utter_invalid_date_too_old",
}
LIMITS = {"title": 150, "description": 3000}
# What filing with the entity first empties (the answers, as a stop does; not the profile).
STOPPED_SLOTS = (
    *EDITABLE_FIELDS,
    REFERENCE_MISSING,
    "use_saved_profile",
    "confirm_submission",
    "field_to_edit",
    "documents",
    "review_flags",
)


def known_trigger(value: Any) -> Trigger | None:
    """The trigger if `value` is a validated one (slots hold raw text until validated)."""
    try:
        return Trigger(value)
    except ValueError:
        return None


def _existing_escalation(entity: str, reference: str) -> str | None:
    try:
        return find_escalation(services.store(), entity, reference)
    except Exception:  # the unique index still refuses a duplicate at filing time
        logger.exception("duplicate-escalation lookup failed; deferring to filing")
        return None


def eligibility_decision(slots: dict[str, Any], today: dt.date) -> Decision:
    """Run, in the guide's order, every rule whose facts are already known."""
    if slots.get("request_channel") or slots.get("service"):
        service = services.catalogue().service(slots.get("service"))
        paper = slots.get("request_channel") == "paper" or (
            service is not None and not service.digital
        )
        decision = eligibility.check_service_is_digital(paper)
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


class ValidateComplaintForm(ReportFormValidation):
    """Validates `complaint_form` and decides which slots it still needs."""

    FIELDS = EDITABLE_FIELDS

    def name(self) -> str:
        return "validate_complaint_form"

    def report_slots(self, tracker: Tracker) -> list[str]:
        trigger = known_trigger(tracker.get_slot("complaint_trigger"))
        slots = ["complaint_trigger"]
        if trigger is Trigger.SLA_PASSED:
            slots.append("sla_days")
        slots += ["entity", "platform", "service", "request_channel"]
        if trigger and eligibility.needs_prior_reference(trigger):
            if tracker.get_slot(REFERENCE_MISSING):
                slots.append("no_reference_route")
            slots += ["prior_complaint_number", "prior_complaint_date"]
        if trigger and eligibility.needs_screenshot(trigger):
            slots.append("screenshot")
        if trigger is Trigger.CLOSED_UNSATISFIED:
            slots.append("closed_topic")
        return [*slots, "title", "description", "supporting_documents"]

    def decide(self, tracker: Tracker, slots: dict[str, Any]) -> Decision:
        return eligibility_decision(slots, clock.today())

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

    async def extract_title(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_for(tracker, "title", long_only=True)

    async def extract_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_for(tracker, "description", long_only=True)

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
        # «وعدوني يردون خلال ٥ ايام وما ردوا» answers the next question too.
        days = promised_days(str(value or "")) if trigger == Trigger.SLA_PASSED.value else None
        if days and not tracker.get_slot("sla_days"):
            changes["sla_days"] = str(days)
        return await self.checked(tracker, changes)

    # Sentences that hold the value asked for are answers, whatever the intent classifier
    # thought («قالوا خلال ٥ أيام عمل» reads like a FAQ question about response times).
    async def extract_sla_days(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_holding(tracker, "sla_days", lambda t: find_sla_days(t).days)

    async def extract_prior_complaint_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_holding(
            tracker,
            "prior_complaint_number",
            lambda t: find_reference(t).value or lacks_reference(t),
        )

    async def extract_prior_complaint_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_holding(
            tracker, "prior_complaint_date", lambda t: parse_user_date(t, clock.today()).date
        )

    async def extract_no_reference_route(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(tracker.latest_message.get("text") or "")
        if (
            tracker.get_slot("requested_slot") == "no_reference_route"
            and not text.startswith("/")
            and files_with_entity_first(text)
        ):
            # «خلاص بشتكي عندهم أول وأرجع لكم» may read as «cancel»: it is this answer.
            return {"no_reference_route": text}
        return answer_holding(
            tracker,
            "no_reference_route",
            lambda t: choice_of(tracker, t, NO_REFERENCE_OPTIONS) or find_reference(t).value,
        )

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("no_reference_route") == FILE_WITH_ENTITY_FIRST:
            return []  # the citizen files with the entity first: the form ends
        return await super().required_slots(domain_slots, dispatcher, tracker, domain)

    @validator
    async def validate_sla_days(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        found = find_sla_days(str(value or ""))
        hint = "اكتب عدد أيام العمل التي حددتها الجهة، مثل 5."
        if found.days is None:
            raise Rejection(SLA_ERRORS[found.error or "missing"], hint=hint)
        if not 1 <= found.days <= MAX_SLA_DAYS:
            raise Rejection(
                "utter_invalid_sla_days_range",
                hint=hint,
                days=counted(found.days, "يوم عمل واحد", "يومي عمل", "أيام عمل", "يوم عمل"),
            )
        return await self.checked(tracker, {"sla_days": str(found.days)})

    @validator
    async def validate_entity(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self.checked(tracker, self.entity_answer(tracker, value))

    @validator
    async def validate_platform(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self.platform_answer(tracker, value)

    @validator
    async def validate_service(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self.checked(tracker, self.service_answer(tracker, value))

    @validator
    async def validate_request_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        channel = choice_of(tracker, str(value or ""), CHANNEL_OPTIONS)
        if channel is None:
            raise Rejection("utter_invalid_choice", hint="اختر القناة من الأزرار (1 إلى 4).")
        return await self.checked(tracker, {"request_channel": channel})

    @validator
    async def validate_prior_complaint_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        found = find_reference(text)
        if found.value is None and lacks_reference(text):
            # The guide's rule is explained and the ways on offered (no_reference_route).
            return {"prior_complaint_number": None, REFERENCE_MISSING: True}
        if found.value is None:
            variables = {}
            if found.error == "ambiguous":
                variables = {"first": found.candidates[0], "second": found.candidates[1]}
            raise Rejection(
                REFERENCE_ERRORS[found.error or "missing"],
                hint="تجده في رسالة الجهة عند تقديم الشكوى.",
                **variables,
            )
        return await self.checked(tracker, {"prior_complaint_number": found.value})

    @validator
    async def validate_no_reference_route(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The answer to the offer made when there is no complaint number: the
        system-down route, the number after all, or filing with the entity first («بشتكي
        عندهم أول وأرجع لكم»: the filing stops politely); stopping and a person are
        intents."""
        text = str(value or "")
        if choice_of(tracker, text, NO_REFERENCE_OPTIONS) == Trigger.TECHNICAL_FAILURE.value:
            dispatcher.utter_message(response="utter_switched_to_technical_failure")
            changes: dict[str, Any] = {slot: None for slot in TRIGGER_DEPENDENT}
            changes["complaint_trigger"] = Trigger.TECHNICAL_FAILURE.value
            return await self.checked(tracker, changes)
        reference = find_reference(text).value
        if reference is not None:
            changes = {"prior_complaint_number": reference, REFERENCE_MISSING: None}
            return await self.checked(tracker, {**changes, "no_reference_route": None})
        if files_with_entity_first(text):
            # They will file with the entity and come back with its number: the filing
            # stops as a stop does (nothing stored, the answers emptied).
            dispatcher.utter_message(response="utter_file_with_entity_first")
            logger.info("no reference number: the citizen files with the entity first")
            stopped: dict[str, Any] = {slot: None for slot in STOPPED_SLOTS}
            stopped["no_reference_route"] = FILE_WITH_ENTITY_FIRST
            return stopped
        raise Rejection(
            "utter_invalid_no_reference_route",
            hint="اختر «تعذّر التقديم لتعطل النظام»، أو اكتب الرقم المرجعي إن وجدته.",
        )

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
        return await self.checked(tracker, {"prior_complaint_date": parsed.date.isoformat()})

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
        return await self.checked(tracker, {"closed_topic": topic})

    @validator
    async def validate_title(self, value: Any, *_: Any) -> dict[str, Any]:
        return {
            "title": free_text(value, LIMITS["title"], "مثال: تأخر الرد على شكوى تجديد الجواز.")
        }

    @validator
    async def validate_description(self, value: Any, *_: Any) -> dict[str, Any]:
        hint = "اكتب في سطرين ماذا حدث وما الذي تطلبه."
        return {"description": free_text(value, LIMITS["description"], hint)}

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
        plain = normalise(text).strip().lower()
        skipped = "skip" in tracker.get_latest_entity_values("choice") or any(
            plain == word or plain.startswith(word + " ") for word in _SKIP_NORMALISED
        )
        if skipped:
            return {"supporting_documents": "0", "documents": documents}
        raise Rejection("utter_invalid_attachment", hint="أرفق الملف أو اختر «تخطي».")

    def dependent_slots(self, field: str) -> list[str]:
        return TRIGGER_DEPENDENT if field == "complaint_trigger" else []


LABELS = {**VALUE_LABELS, **COMPLAINT_VALUE_LABELS}


def complaint_summary(tracker: Tracker) -> list[str]:
    """The complaint's summary lines, with readable values for codes and dates."""
    labels = dict(LABELS)
    for slot, render in READABLE.items():
        value = tracker.get_slot(slot)
        if value is not None:
            labels[value] = render(value)
    return summary_lines(tracker, EDITABLE_FIELDS, labels)
