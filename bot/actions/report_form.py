"""What every report form shares: the beneficiary's data, the catalogue names, the
summary and corrections.

Subclasses (complaint, digitisation, suggestion) list their fields in `FIELDS` (slot →
Arabic label, in the order shown in the summary) and their own `required_slots`.
"""

from __future__ import annotations

import asyncio
import re
from abc import abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import services, verification
from bot.actions.form_validation import (
    FormValidation,
    Rejection,
    answer_for,
    answer_of,
    choice_of,
    has_letters,
    pressed,
    validator,
)
from bot.actions.verification import (
    CODE_OUTCOMES,
    asked_option,
    code_refusal,
    missing_code,
    shown_mobile,
    wrong_code,
)
from bot.rules.arabic import counted, normalise, to_ascii_digits
from bot.rules.beneficiary import (
    KIND_WORDS,
    identify,
    needs_nationality,
    needs_organisation,
)
from bot.rules.codes import code_in
from bot.rules.dates import format_date_ar
from bot.rules.eligibility import Decision
from bot.rules.identity import (
    Finding,
    find_mobile,
    find_national_id,
    mask_national_id,
    mask_phone,
)
from bot.rules.labels import BENEFICIARY_KIND_LABELS, IDENTIFIER_LABELS, REQUEST_CHANNEL_LABELS

PERSONAL_SLOTS = ("beneficiary_name", "national_id", "mobile")
PROFILE_SLOTS = {
    "beneficiary_name": "profile_name",
    "national_id": "profile_national_id",
    "mobile": "profile_mobile",
    "beneficiary_kind": "profile_kind",
    "nationality": "profile_nationality",
    "organisation_name": "profile_organisation",
}
# Who the beneficiary is, and what their identifier brings with it (bot.rules.beneficiary).
BENEFICIARY_DETAIL_SLOTS = ("beneficiary_kind", "nationality", "organisation_name")
# The buttons of the identifier question for those who have no national ID or iqama.
KIND_OPTIONS = {kind: list(words) for kind, words in KIND_WORDS.items()}
# Keywords of the options (normalised spelling), read by `bot.rules.choices`: negations
# and contrasts around them are understood («مو صحيح» is no, «مب تطبيق، الموقع» is the
# website). The order is the buttons' (an option's number counts from 1).
YES_NO_OPTIONS = {
    "yes": [
        *("نعم", "ايوه", "ايوا", "اي", "ايه", "اه", "اكيد", "تمام", "موافق", "اوافق", "استخدم"),
        *("صح", "صحيح", "مضبوط", "مظبوط", "بالضبط", "طبعا", "طيب", "ماشي", "زين", "اوك", "اوكي"),
        *("يب", "يس", "ابي", "ابغي", "اريد", "مفيد", "نفسها", "نفس البيانات"),
        *("مو مشكله", "مافي مشكله", "ما فيه مشكله", "لا مشكله", "ما عندي مشكله", "ما عندي مانع"),
        *("لا مانع", "مافي مانع", "ما يخالف", "no problem"),
        *("yes", "yeah", "yep", "yup", "ok", "okay", "sure", "correct", "aywa", "aiwa", "na3am"),
        *("tamam", "akeed", "akid", "ee", "eeh", "eih", "ih", "sa7", "sa7i7", "saheeh", "tab3an"),
        *("mashi", "mashy", "abi", "abgha", "abga", "bdi", "biddi", "👍", "✅"),
    ],
    "no": [
        *("لا", "مو", "مش", "مب", "غير", "كلا", "لالا", "لاء", "ابد", "ابدا", "غلط", "خطا"),
        *("ارفض", "جديد", "اخري", "مختلف", "no", "nope", "nah", "la", "laa", "la2", "wrong"),
        *("incorrect", "ghalat", "3alat", "abadan", "👎", "❌"),
    ],
}
YES_NO_INTENTS = {"affirm": "yes", "deny": "no"}
CONFIRM_OPTIONS = {
    "yes": [
        *("تاكيد", "اكد", "ارسل", "ارسال", "قدم", "موافق", "نعم", "اي", "ايوه", "ايوا", "ايه"),
        *("تمام", "اعتمد", "صحيح", "صح", "مضبوط", "اكيد", "طيب", "تم", "اوك", "اوكي", "كمل"),
        *("ابعث", "ابعت", "يلا", "yes", "ok", "confirm", "send", "submit", "👍", "✅"),
        *("ersel", "eb3at", "ta2keed", "akeed", "akid", "tamam", "kammel", "yalla", "sa7"),
    ],
    "edit": [
        *("تعديل", "عدل", "اعدل", "تصحيح", "صحح", "غير", "اغير", "تغيير", "غلط", "خطا"),
        *("edit", "change", "modify", "3adel", "ta3deel", "ghayer", "ghayyar", "taghyeer"),
    ],
}
# «الجوال» is no channel: a phone opens the app or the browser («من الجوال بس مو التطبيق،
# فتحته من المتصفح» is the website). A browser or a link is the website.
CHANNEL_OPTIONS = {
    "website": [
        *("موقع", "ويب", "بوابه", "متصفح", "رابط", "لينك", "كروم", "سفاري", "web", "site"),
        *("browser", "portal", "link", "chrome", "safari", "mawqe3", "motasaffe7", "rabet"),
    ],
    "app": [
        *("تطبيق", "ابلكيشن", "ابليكيشن", "ابلكيشين", "برنامج", "app", "application"),
        *("tatbeeq", "tatbi2", "ablikeshen"),
    ],
    "call_center": [
        *("اتصال", "هاتف", "اتصل", "الرقم الموحد", "كول سنتر", "تلفون", "تليفون", "كلمت"),
        *("كلمنا", "دقيت", "رنيت", "مكالمه", "خدمه العملاء", "call", "phone", "hotline"),
        *("etasalt", "kallam", "mowa7ad", "telefon"),
    ],
    "paper": [
        *("ورق", "اوراق", "حضوري", "حضور", "فرع", "مراجعه", "paper", "in person", "branch"),
        *("wara2", "waraq", "far3", "7odoori"),
    ],
}
VALUE_LABELS = REQUEST_CHANNEL_LABELS  # the names live with every other label
ENTITY_MAX = 150
SERVICE_MAX = 200


NATIONAL_ID_ERRORS = {
    "no_digits": "utter_invalid_national_id_missing",
    "length": "utter_invalid_national_id_length",
    "mobile": "utter_invalid_national_id_mobile",
    "prefix": "utter_invalid_national_id_prefix",
    "checksum": "utter_invalid_national_id_checksum",
    "ambiguous": "utter_invalid_national_id_ambiguous",
}
MOBILE_ERRORS = {
    "foreign_landline": "utter_invalid_mobile_foreign_landline",
    "foreign_invalid": "utter_invalid_mobile_foreign_invalid",
    "no_digits": "utter_invalid_mobile_missing",
    "foreign": "utter_invalid_mobile_foreign",
    "landline": "utter_invalid_mobile_landline",
    "national_id": "utter_invalid_mobile_national_id",
    "length": "utter_invalid_mobile_length",
    "length_international": "utter_invalid_mobile_length_international",
    "not_mobile": "utter_invalid_mobile",
    "ambiguous": "utter_invalid_mobile_ambiguous",
}
LENGTH_ERRORS = {"length", "length_international"}
NOT_ANSWERS = {"cancel_report", "request_agent"}
# What was wrong with another kind's identifier (bot.rules.beneficiary.identify).
KIND_ERRORS = {
    "visitor": "utter_invalid_visitor_id",
    "business": "utter_invalid_business_id",
    "organisation": "utter_invalid_organisation_id",
}


def digits_typed(count: int) -> str:
    """«9 أرقام»، «11 رقماً»، «رقمين»: a count of digits as the error messages say it."""
    return counted(count, "رقماً واحداً", "رقمين", "أرقام", "رقماً")


def error_details(found: Finding, mask: Callable[[str], str]) -> dict[str, str]:
    """The variables of an identifier's error message: how many digits were typed, and
    the two values in doubt (masked, isolated so they read left to right)."""
    details = {"typed": digits_typed(found.typed)} if found.error in LENGTH_ERRORS else {}
    if found.error == "ambiguous":
        first, second = found.candidates[:2]
        details.update(first=f"\u2066{mask(first)}\u2069", second=f"\u2066{mask(second)}\u2069")
    return details


def answer_holding(tracker: Tracker, slot: str, value_in: Callable[[str], Any]) -> dict[str, Any]:
    """Take the message as the answer to `slot` when it holds the value asked for (or says
    it has none, as `value_in` decides), whatever the intent classifier thought; a request
    to stop or for a person stays one. Used from `extract_<slot>` methods."""
    if tracker.get_slot("requested_slot") != slot:
        return {}
    intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
    text = str(tracker.latest_message.get("text") or "")
    if intent in NOT_ANSWERS or intent.startswith("EXTERNAL_") or text.startswith("/"):
        return {}
    return {slot: text} if text.strip() and value_in(text) else {}


# Words that introduce a name, a national ID / iqama or a mobile in an answer to the name
# question («اسمي …»، «ورقم هويتي …»، «وجوالي …»), normalised; left out of the name.
NAME_LEAD_WORDS = frozenset(
    {
        *("اسمي", "الاسم", "اسم", "انا", "my", "name", "is", "im", "i'm", "ismi", "esmi"),
        *("رقم", "رقمي", "الرقم", "هويتي", "الهويه", "هويه", "هوية", "الوطنيه", "الوطني"),
        *("اقامتي", "الاقامه", "اقامه", "بطاقتي", "البطاقه", "مدني"),
        *("جوالي", "الجوال", "جوال", "موبايلي", "الموبايل", "موبايل", "تلفوني", "التلفون"),
        *("تليفوني", "هاتفي", "الهاتف", "واتسابي", "id", "iqama", "national", "mobile", "phone"),
        *("number", "no", "hawiya", "hawiyti", "jawali", "raqmi", "and", "w", "wa", "هو", "هي"),
        *("لو", "سمحت", "ممكن", "please", "pls", "يا", "اخوي", "اختي", "حياك", "مرحبا", "هلا"),
    }
)
_IDENTIFIER_RUN = re.compile(r"\+?\d[\d\s\-.()]*\d|\d")
_CIVIL_REGISTRY = re.compile(r"(?:ال)?سجل(?:ي)?\s+(?:ال)?مدني")
_PUNCTUATION = re.compile(r"[،,:;؛.\-–—()\"«»!?؟]+")


def identifiers_with_name(text: str) -> dict[str, str]:
    """The valid national ID and Saudi mobile given with a name («اسمي فلان الفلاني ورقم
    هويتي ١٠…»), as their validators store them; {} when none is valid (a name with
    digits is then refused)."""
    if not any(ch.isdigit() for ch in to_ascii_digits(text)):
        return {}
    found: dict[str, str] = {}
    national_id = find_national_id(text).value
    if national_id:
        found["national_id"] = national_id
    mobile = find_mobile(text).value
    if mobile:
        found["mobile"] = mobile
    return found


def name_without_identifiers(text: str) -> str:
    """The name in an answer that also gives the ID or mobile: digits and the words that
    introduce them («ورقم هويتي»، «وجوالي») and the name («اسمي») left out. The citizen's
    own spelling of the name is kept."""
    without_digits = _IDENTIFIER_RUN.sub(" ", to_ascii_digits(text))
    # «السجل المدني» introduces the ID; «المدني» alone is a family name, kept.
    without_digits = _CIVIL_REGISTRY.sub(" ", without_digits)
    words = []
    for raw in _PUNCTUATION.sub(" ", without_digits).split():
        word = normalise(raw).lower()
        bare = word.removeprefix("و") if len(word) > 2 else word
        if word in NAME_LEAD_WORDS or bare in NAME_LEAD_WORDS:
            continue
        words.append(raw)
    return " ".join(words)


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
            *await self.verification_slots(tracker),
            *self.report_slots(tracker),
            *self.closing_slots(tracker),
        ]

    @staticmethod
    async def verification_slots(tracker: Tracker) -> list[str]:
        """The code question, until this conversation has shown it holds the mobile
        given (the store decides; `mobile_verified` only spares the look-up)."""
        mobile = tracker.get_slot("mobile")
        if not mobile or tracker.get_slot("mobile_verified") == mobile:
            return []
        return [] if await verification.mobile_verified(tracker, mobile) else ["mobile_code"]

    @staticmethod
    def beneficiary_slots(tracker: Tracker) -> list[str]:
        """Offer the data given earlier in the conversation before asking again; after the
        identifier, what it brings with it (a passport's nationality, an organisation's
        name)."""
        known = tracker.get_slot("profile_national_id")
        already = all(tracker.get_slot(s) is not None for s in PERSONAL_SLOTS)
        kind = tracker.get_slot("beneficiary_kind")
        identifier = tracker.get_slot("national_id")
        details = ["nationality"] if needs_nationality(kind, identifier) else []
        details += ["organisation_name"] if identifier and needs_organisation(kind) else []
        return [
            *(["use_saved_profile"] if known and not already else []),
            "beneficiary_name",
            "national_id",
            *details,
            "mobile",
        ]

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
        # The words decide when they are clear («لا مو صحيح» is no, whatever the intent).
        answer = answer_of(tracker, str(value or ""), YES_NO_OPTIONS, YES_NO_INTENTS)
        if answer is None:
            raise Rejection("utter_invalid_choice", hint="اختر: نعم أو لا.")
        if answer == "no":
            return {"use_saved_profile": "no"}
        return await self.checked(
            tracker,
            {
                "use_saved_profile": "yes",
                **{slot: tracker.get_slot(profile) for slot, profile in PROFILE_SLOTS.items()},
            },
        )

    @validator
    async def validate_beneficiary_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        hint = "اكتب الاسم الأول واسم العائلة، مثل: محمد القحطاني."
        text = free_text(value, 200, hint)
        identifiers = identifiers_with_name(text)
        if identifiers:
            # «اسمي فلان الفلاني ورقم هويتي ١٠…»: the name, and the ID or mobile given with it.
            name = name_without_identifiers(text)
            if len(name) > 100 or len(name.split()) < 2 or any(ch.isdigit() for ch in name):
                raise Rejection("utter_invalid_name", hint=hint)
            return await self.checked(tracker, {"beneficiary_name": name, **identifiers})
        if len(text) > 100:
            raise Rejection("utter_too_long", hint=hint, max_length=100)
        if any(ch.isdigit() for ch in to_ascii_digits(text)) or len(text.split()) < 2:
            raise Rejection("utter_invalid_name", hint=hint)
        return {"beneficiary_name": text}

    # A sentence that holds the value asked for is an answer, whatever the intent
    # classifier thought («رقم هويتي ... لو سمحت» can read like a question).
    async def extract_national_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kind = tracker.get_slot("beneficiary_kind")

        def holds_identifier_or_kind(text: str) -> bool:
            found = identify(text, kind)
            return bool(found.identifier or (found.kind and not found.error))

        return answer_holding(tracker, "national_id", holds_identifier_or_kind)

    async def extract_mobile(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_holding(tracker, "mobile", lambda t: find_mobile(t).value)

    # Who the beneficiary is decides some rules (a similar earlier request): a service
    # told in the opening message was checked before the ID was known, so check again.
    @validator
    async def validate_national_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        pressed_kind = pressed(tracker, KIND_OPTIONS)
        if pressed_kind is not None:
            # «زائر», «منشأة تجارية»…: asked again in that kind's words.
            return {"national_id": None, "beneficiary_kind": pressed_kind}
        kind = tracker.get_slot("beneficiary_kind")
        found = identify(str(value or ""), kind)
        if found.identifier:
            changes: dict[str, Any] = {
                "national_id": found.identifier,
                "beneficiary_kind": found.kind,
            }
            if not needs_nationality(found.kind, found.identifier):
                changes["nationality"] = None
            if not needs_organisation(found.kind):
                changes["organisation_name"] = None
            return await self.checked(tracker, changes)
        if found.kind and not found.error:
            return {"national_id": None, "beneficiary_kind": found.kind}  # who, not the number
        if found.error in KIND_ERRORS:
            raise Rejection(KIND_ERRORS[found.error], hint=kind_hint(found.kind))
        raise Rejection(
            NATIONAL_ID_ERRORS[found.error or "no_digits"],
            hint="رقم الهوية 10 أرقام يبدأ بـ 1 (أو 2 للإقامة)، وتجده على البطاقة أو في أبشر.",
            **error_details(found, mask_national_id),
        )

    # A name read as a FAQ topic («شركة النخبة للتقنية») is still the answer; a question
    # or a request to stop is not.
    async def extract_nationality(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_for(tracker, "nationality", long_only=True)

    async def extract_organisation_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_for(tracker, "organisation_name", long_only=True)

    @validator
    async def validate_nationality(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = free_text(value, 80, "اكتب جنسيتك كما في الجواز، مثل: مصري.")
        if any(ch.isdigit() for ch in to_ascii_digits(text)):
            raise Rejection("utter_invalid_nationality", hint="اكتب الجنسية بالحروف.")
        return {"nationality": text}

    @validator
    async def validate_organisation_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"organisation_name": free_text(value, 200, "اكتب اسم الجهة كما هو مسجل.")}

    @validator
    async def validate_mobile(self, value: Any, *_: Any) -> dict[str, Any]:
        found = find_mobile(str(value or ""))
        if found.value is None:
            raise Rejection(
                MOBILE_ERRORS[found.error or "no_digits"],
                hint="اكتب رقم الجوال مثل 0551234567، أو مع رمز الدولة مثل +447911123456.",
                **error_details(found, mask_phone),
            )
        return {"mobile": found.value}

    async def extract_mobile_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_holding(tracker, "mobile_code", code_in)

    @validator
    async def validate_mobile_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        mobile = tracker.get_slot("mobile")
        text = str(value or "")
        asked = asked_option(tracker, text)
        if asked == "change_mobile":
            return {"mobile": None, "mobile_code": None, "mobile_verified": None}
        if asked == "new_code":
            issued = await verification.send_code(tracker, "mobile", mobile)
            if issued.allowed:
                dispatcher.utter_message(response="utter_code_resent", mobile=shown_mobile(mobile))
                return {"mobile_code": None}
            raise code_refusal(issued.refusal, issued.wait_seconds)
        code = code_in(text)
        if code is None:
            raise missing_code()
        checked = await verification.check_code(tracker, "mobile", mobile, code)
        if checked.outcome == "ok":
            dispatcher.utter_message(response="utter_mobile_verified")
            return {"mobile_code": "verified", "mobile_verified": mobile}
        if checked.outcome == "wrong":
            raise wrong_code(checked)
        dispatcher.utter_message(response=CODE_OUTCOMES[checked.outcome])
        return {"mobile_code": None}  # asked again: a new code goes out if allowed

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

    # «لا لا تلغي، ارسله» reads like a cancellation; it names «send», so it is the answer.
    async def extract_confirm_submission(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_for(tracker, "confirm_submission", CONFIRM_OPTIONS)

    @validator
    async def validate_confirm_submission(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = answer_of(tracker, str(value or ""), CONFIRM_OPTIONS, {"affirm": "yes"})
        if answer is None:
            raise Rejection("utter_invalid_choice", hint="اختر: تأكيد وإرسال، أو تعديل، أو إلغاء.")
        if answer != "yes":
            return {"confirm_submission": answer}
        # The last word before filing: every rule again, on all the answers together,
        # whatever order (or opening message) they came in.
        return await self.checked(tracker, {"confirm_submission": answer})

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
        if field == "mobile":
            changes.update(mobile_code=None, mobile_verified=None)
        if field == "national_id":
            changes.update({slot: None for slot in BENEFICIARY_DETAIL_SLOTS})
        changes.update({slot: None for slot in self.dependent_slots(field)})
        return changes

    def dependent_slots(self, field: str) -> list[str]:
        """Slots to ask again when `field` is corrected (their meaning depends on it)."""
        return []


def kind_hint(kind: str | None) -> str:
    """What each kind's identifier looks like (the help offered after failed tries)."""
    hints = {
        "visitor": "اكتب رقم الحدود (10 أرقام يبدأ بـ 3 أو 4) أو رقم الجواز.",
        "business": "اكتب الرقم الوطني الموحد (10 أرقام يبدأ بـ 7) أو رقم السجل التجاري.",
    }
    return hints.get(kind or "", "اكتب رقم الجهة أو ترخيصها كما هو مسجل.")


def summary_lines(tracker: Tracker, fields: dict[str, str], labels: dict[str, str]) -> list[str]:
    """The summary shown before submitting (identifiers partly masked)."""
    lines = []
    for slot, label in fields.items():
        value = tracker.get_slot(slot)
        if value is None:
            continue
        if slot == "national_id":
            kind = tracker.get_slot("beneficiary_kind")
            if kind not in (None, "citizen"):
                lines.append(f"• صفة المستفيد: {BENEFICIARY_KIND_LABELS.get(kind, kind)}")
            label = IDENTIFIER_LABELS.get(kind or "citizen", label)
            value = f"\u2066{mask_national_id(value)}\u2069"  # isolated: reads left to right
        elif slot == "mobile":
            value = f"\u2066{mask_phone(value)}\u2069"
        lines.append(f"• {label}: {labels.get(value, value)}")
    return lines
