"""The Arabic names of the bot's codes, in one place: what the bot says in its summaries and
what the agents' console shows (channels, hand-off reasons and statuses, report types and
statuses, the forms' fields and the values chosen with buttons, what the user wanted).

The actions (`bot.actions`), the desk (`bot.desk`) and the hand-off bridge (`channels`)
all read these tables; no code (`inform`, `no_sla`, `whatsapp`, `asked`) is shown to an
agent: `summary_view` turns a stored hand-off summary into Arabic, `pressed_title` a
button's payload into the title the user saw. Pure.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bot.rules.dates import format_date_ar
from bot.rules.lifecycle import STATUS_LABELS
from bot.rules.notices import CHOICE_LABELS as UPDATES_CHOICE_LABELS

# The input channels of a conversation (`tracker.get_latest_input_channel()`).
CHANNEL_LABELS = {
    "rest": "واجهة برمجية",
    "webchat": "الموقع الإلكتروني",
    "whatsapp": "واتساب",
    "sms": "رسالة نصية",
}
HANDOFF_REASONS = {
    "asked": "طلب المستفيد موظفاً",
    "not_understood": "تعذّر الفهم مرتين",
    "dispute": "اعتراض على قرار",
}
HANDOFF_STATUSES = {
    "waiting": "بانتظار موظف",
    "active": "لدى موظف",
    "returned": "أُعيدت إلى المساعد",
    "closed": "أُغلقت",
}
REPORT_TYPE_LABELS = {
    "complaint": "تقديم شكوى",
    "digitization": "طلب تحول",
    "improvement": "اقتراح تطوير",
}
REPORT_STATUS_LABELS = STATUS_LABELS
# The forms, as the bot names them in its sentences («ملخص الشكوى»).
FORM_LABELS = {
    "complaint_form": "الشكوى",
    "digitization_form": "طلب التحول",
    "improvement_form": "اقتراح التطوير",
}
# Each form's fields, in the order of its summary, as the summary names them.
FORM_FIELDS = {
    "complaint_form": {
        "beneficiary_name": "الاسم",
        "national_id": "رقم الهوية",
        "nationality": "الجنسية",
        "organisation_name": "اسم الجهة المستفيدة",
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
    },
    "digitization_form": {
        "beneficiary_name": "الاسم",
        "national_id": "رقم الهوية",
        "nationality": "الجنسية",
        "organisation_name": "اسم الجهة المستفيدة",
        "mobile": "الجوال",
        "service": "الخدمة الورقية",
        "entity": "الجهة",
        "current_process": "كيف تتم اليوم",
        "digitization_reason": "لماذا تُحوَّل",
    },
    "improvement_form": {
        "beneficiary_name": "الاسم",
        "national_id": "رقم الهوية",
        "nationality": "الجنسية",
        "organisation_name": "اسم الجهة المستفيدة",
        "mobile": "الجوال",
        "service": "الخدمة",
        "platform": "المنصة",
        "request_channel": "قناة استخدامها",
        "suggestion": "المقترح",
    },
}
# Any form's field, by the first form naming it (a field out of any form: its name).
FIELD_LABELS = {
    slot: name for fields in reversed(list(FORM_FIELDS.values())) for slot, name in fields.items()
}

# The values chosen with buttons (or understood from words), as the summaries name them.
REQUEST_CHANNEL_LABELS = {
    "website": "الموقع الإلكتروني",
    "app": "التطبيق",
    "call_center": "مركز الاتصال",
    "paper": "معاملة ورقية",
}
COMPLAINT_VALUE_LABELS = {
    "technical_failure": "تعذر تقديم الشكوى لتعطل النظام",
    "sla_passed": "تجاوزت الجهة مدة الرد المحددة",
    "no_sla": "لم تُحدد مدة للرد",
    "closed_unsatisfied": "أُغلقت دون حل مُرضٍ",
    "technical": "مشكلة تقنية",
    "procedures": "إجراءات الجهة",
}
# Who the beneficiary is (`bot.rules.beneficiary`), and the name of their identifier.
BENEFICIARY_KIND_LABELS = {
    "citizen": "مواطن",
    "resident": "مقيم",
    "visitor": "زائر",
    "business": "منشأة تجارية",
    "government": "جهة حكومية",
    "nonprofit": "جهة غير ربحية",
}
IDENTIFIER_LABELS = {
    "citizen": "رقم الهوية",
    "resident": "رقم الإقامة",
    "visitor": "رقم الحدود أو الجواز",
    "business": "الرقم الموحد أو السجل التجاري",
    "government": "رقم الجهة",
    "nonprofit": "رقم الترخيص",
}
CHOICE_LABELS = {
    **REQUEST_CHANNEL_LABELS,
    **BENEFICIARY_KIND_LABELS,
    **COMPLAINT_VALUE_LABELS,
    "skip": "تخطي",
    "edit": "تعديل",
    "dispute": "أعترض على القرار",
    "yes": "نعم",
    "no": "لا",
    "new_code": "أرسل رمزاً جديداً",
    "change_mobile": "غيّر رقم الجوال",
    "callback": "اتصلوا بي",
    **UPDATES_CHOICE_LABELS,  # where a report's notices go (the question after filing)
}
# The answers of a summary whose stored value is not what the user should read.
READABLE: dict[str, Callable[[str], str]] = {
    "supporting_documents": lambda v: "لا يوجد" if v == "0" else f"{v} ملف",
    "screenshot": lambda v: "مرفقة",
    "prior_complaint_date": lambda v: format_date_ar(dt.date.fromisoformat(v)),
}
CODED_SLOTS = ("complaint_trigger", "request_channel", "closed_topic")

INTENT_LABELS = {
    "file_complaint": "تقديم شكوى",
    "request_digitization": "طلب تحول خدمة ورقية",
    "suggest_improvement": "اقتراح تطوير",
    "check_status": "متابعة بلاغ",
    "update_report": "تحديث بلاغ أو إرسال مستندات",
    "cancel_report": "إلغاء البلاغ",
    "reopen_report": "طلب إعادة فتح البلاغ",
    "request_agent": "التحدث مع موظف",
    "faq": "سؤال عن الخدمة",
    "ask_why": "سؤال عن سبب القرار",
    "rate": "تقييم الخدمة",
    "vent": "التعبير عن استياء",
    "out_of_scope": "طلب خارج نطاق الخدمة",
    "bot_challenge": "سؤال هل يحادث آلة",
    "inform": "إجابة عن سؤال",
    "affirm": "نعم",
    "deny": "لا",
    "greet": "تحية",
    "goodbye": "وداع",
    "thank": "شكر",
    "nlu_fallback": "رسالة لم تُفهم",
    "EXTERNAL_handback": "عودة المساعد",
    "EXTERNAL_handoff_closed": "إنهاء المحادثة",
    "EXTERNAL_notification": "إشعار",
}
# Intents that say what the user came for (an answer, a yes or a greeting does not).
GOALS = (
    "file_complaint",
    "request_digitization",
    "suggest_improvement",
    "check_status",
    "update_report",
    "cancel_report",
    "faq",
    "ask_why",
    "rate",
    "vent",
    "out_of_scope",
    "bot_challenge",
)
UNKNOWN = "غير محدد"
_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def label(table: Mapping[str, str], code: Any) -> str:
    """`code`'s Arabic name in `table`; a code it does not know is never shown («غير محدد»),
    anything else (an Arabic label stored by an older version, a number) as it is."""
    text = "" if code is None else str(code)
    if text in table:
        return table[text]
    return UNKNOWN if not text or _CODE.fullmatch(text) else text


def answer_label(slot: str, value: Any) -> str:
    """An answer as the summary reads: chosen codes named, counts and dates written out,
    typed answers (and identifiers, masked before they are stored) as they are."""
    text = str(value)
    if slot in READABLE:
        try:
            return READABLE[slot](text)
        except ValueError:
            return text
    return label(CHOICE_LABELS, text) if slot in CODED_SLOTS else text


def wanted_label(summary: Mapping[str, Any]) -> str:
    """What the user wanted: the form in progress, else the last request understood."""
    form = summary.get("form")
    if form in FORM_LABELS:
        return FORM_LABELS[form]
    wanted = summary.get("wanted")
    return label({**INTENT_LABELS, **FORM_LABELS}, wanted)


def summary_view(summary: Mapping[str, Any] | None) -> dict[str, Any]:
    """A stored hand-off summary (`bot.actions.handoff.handoff_summary`) in Arabic: what the
    user wanted, each answer with its field's name, and the report's number."""
    summary = summary or {}
    fields = FORM_FIELDS.get(str(summary.get("form")), FIELD_LABELS)
    slots = summary.get("slots") or {}
    answers = [
        {
            "field": fields.get(slot) or FIELD_LABELS.get(slot) or UNKNOWN,
            "value": answer_label(slot, value),
        }
        for slot, value in slots.items()
    ]
    if summary.get("callback_mobile"):  # offered when the wait was long (masked)
        answers.append({"field": "يمكن الاتصال به على", "value": summary["callback_mobile"]})
    return {
        "wanted": wanted_label(summary),
        "answers": answers,
        "report_number": summary.get("report_number"),
    }


_PAYLOAD = re.compile(r"/(?P<intent>[A-Za-z_][A-Za-z0-9_]*)(?P<entities>\{.*\})?", re.DOTALL)


def parse_payload(text: str) -> tuple[str, dict[str, Any]] | None:
    """`/inform{"choice": "no_sla"}` → ("inform", {"choice": "no_sla"}); None when the text
    is no button payload."""
    found = _PAYLOAD.fullmatch(text.strip())
    if found is None:
        return None
    entities: dict[str, Any] = {}
    if found.group("entities"):
        try:
            parsed = json.loads(found.group("entities"))
        except ValueError:
            return None
        if not isinstance(parsed, dict):
            return None
        entities = parsed
    return found.group("intent"), entities


def pressed_title(text: str, offered: Iterable[Mapping[str, Any]] = ()) -> str:
    """What a user's message reads as for an agent: a button's payload becomes the title of
    the button the bot offered with it (`offered`: the buttons of the bot's message before),
    else the name of the value chosen, else of the request; any other text as it is."""
    parsed = parse_payload(text)
    if parsed is None:
        return text
    for button in offered:
        payload = str((button or {}).get("payload") or "")
        if parse_payload(payload) == parsed and button.get("title"):
            return str(button["title"])
    intent, entities = parsed
    for key, value in entities.items():
        if key == "choice":
            return label({**CHOICE_LABELS, **FIELD_LABELS}, value)
        if key == "report_number" and isinstance(value, str):
            return value
    return label(INTENT_LABELS, intent)


# The agents' console: how a report beside the chat was found, and the kinds of notes.
CONTEXT_FOUND_BY_LABELS = {
    "this_chat": "قُدِّم من هذه المحادثة",
    "code": "أثبت ملكيته برمز تحقق",
    "mobile": "بالجوال نفسه المُتحقق منه",
}
NOTE_KIND_LABELS = {"note": "ملاحظة داخلية", "transfer": "تحويل"}

# The corrective-actions register (issue 20, item 7), as the operators' corrective-actions
# reports keep it: each action's type and status, in their words («الخطط الجاري العمل عليها»،
# «الخطط المنفذة»; types «تقنية، الموظفين، الإجراءات، المخرجات»). The codes are the keys.
CORRECTIVE_ACTION_TYPE_LABELS = {
    "technical": "تقنية",
    "staff": "الموظفين",
    "procedures": "الإجراءات",
    "outputs": "المخرجات",
}
CORRECTIVE_ACTION_STATUS_LABELS = {
    "planned": "مخطط لها",
    "in_progress": "جارٍ العمل عليها",
    "done": "منفذة",
}
CORRECTIVE_ACTION_TYPES = tuple(CORRECTIVE_ACTION_TYPE_LABELS)
CORRECTIVE_ACTION_STATUSES = tuple(CORRECTIVE_ACTION_STATUS_LABELS)
