"""Arabic wording of the report, in the terms of the guide and the published reports."""

from __future__ import annotations

from bot.rules.labels import (
    COMPLAINT_VALUE_LABELS,
    CORRECTIVE_ACTION_STATUS_LABELS,
    CORRECTIVE_ACTION_TYPE_LABELS,
    REPORT_TYPE_LABELS,
)
from bot.rules.labels import HANDOFF_REASONS as HANDOFF_REASONS  # one table: the bot's
from bot.rules.lifecycle import STATUS_LABELS
from bot.rules.notices import ROUTE_LABELS

TYPE_LABELS = REPORT_TYPE_LABELS

# The status names of a report, as the beneficiary sees them.
STATUS_NAMES = dict(STATUS_LABELS, referred="أُحيل إلى الجهة")

# Channels as the centre reports them; every web-chat session counts as the website.
CHANNEL_GROUPS = {"webchat": "web", "whatsapp": "whatsapp", "sms": "sms"}
CHANNEL_ORDER = ("web", "whatsapp", "sms", "other")
CHANNEL_LABELS = {
    "web": "الموقع الإلكتروني",
    "whatsapp": "واتساب",
    "sms": "الرسائل النصية",
    "other": "قنوات أخرى",
}

SURVEY_QUESTIONS = {
    "solution_score": "الرضا عن الحل المقدم من الجهة",
    "time_score": "الرضا عن المدة المستغرقة لمعالجة البلاغ",
    "handling_score": "الرضا عن معالجة البلاغ",
    "effort_score": "سهولة الحصول على الحل",
}

# Complaint triggers, as the bot names them when the citizen picks one (the 2022 report's
# «انواع الشكاوي ضد الجهات»); "unknown": stored without one.
TRIGGER_LABELS = {
    **{
        code: COMPLAINT_VALUE_LABELS[code]
        for code in ("technical_failure", "sla_passed", "no_sla", "closed_unsatisfied")
    },
    "unknown": "غير محدد",
}

# The survey's reach.
SURVEY_REACH_LABELS = {
    "sent": "الاستبيانات المرسلة",
    "answered": "أُجيبت كاملة",
    "partly": "أُجيبت جزئياً",
    "not_answered": "لم يُجب عنها",
}

# Notices: where they go and what became of them.
NOTICE_ROUTE_LABELS = ROUTE_LABELS
NOTICE_STATE_LABELS = {
    "reached": "وصلت",
    "not_reached": "لم تصل",
    "skipped": "لم تُرسل",
    "pending": "قيد الإرسال",
}

# Reopen requests, by what was decided.
REOPEN_LABELS = {
    "asked": "طلبات إعادة الفتح",
    "accepted": "مقبولة",
    "refused": "مرفوضة",
    "waiting": "بانتظار القرار",
}

# The corrective-actions register (`bot.rules.labels`: one table, the staff API's too).
ACTION_TYPE_LABELS = CORRECTIVE_ACTION_TYPE_LABELS
ACTION_STATUS_LABELS = CORRECTIVE_ACTION_STATUS_LABELS

MONTH_NAMES = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)


def channel_group(channel: str | None) -> str:
    """The reporting channel of a stored input channel name."""
    return CHANNEL_GROUPS.get(channel or "", "other")


def month_label(month: str) -> str:
    """`2025-03` → «مارس 2025»."""
    year, number = month.split("-")
    return f"{MONTH_NAMES[int(number) - 1]} {year}"


def percent(value: float | None, digits: int = 1) -> str:
    """78.5% written the Arabic way (Arabic decimal separator), «—» when undefined."""
    if value is None:
        return "—"
    text = f"{value * 100:.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(".", "٫") + "٪"


def number(value: float | None, digits: int = 1) -> str:
    """A count or a measure as the published reports write them (no thousands
    separator), decimals with «٫»; «—» when undefined."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{digits}f}".replace(".", "٫")
