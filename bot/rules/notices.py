"""Where a report's notices go, and what they say by SMS.

The guide promises the beneficiary notices at every step; a citizen who filed in the web
chat and closed the tab sees none of them there. So each notice goes to the conversation
that filed the report and, by the citizen's choice at filing, to the verified mobile:

- `here`: the conversation only — except for the web chat, where a citizen who is not
  connected when the notice is due gets it by SMS as well;
- `sms`: the conversation and an SMS (the default for the web chat);
- `whatsapp`: the conversation and WhatsApp's approved template.

A route that would repeat the conversation itself (SMS for a report filed by SMS) is left
out. SMS notices are short (two Arabic segments at most) and carry the report's number and
a link: back to the web chat conversation, or to the report's status page.
"""

from __future__ import annotations

from bot.rules.arabic import normalise
from bot.rules.sms_text import for_sms

CHOICES = ("here", "sms", "whatsapp")
CHOICE_LABELS = {
    "here": "هنا فقط",
    "sms": "هنا وبرسالة نصية",
    "whatsapp": "هنا وعلى واتساب",
}
# Conversation routes are delivered by Rasa; the others by the desk through Twilio.
CONVERSATION = "conversation"
TWILIO_ROUTES = ("sms", "whatsapp")
ROUTE_LABELS = {CONVERSATION: "المحادثة", "sms": "رسالة نصية", "whatsapp": "واتساب"}
WEB_CHANNEL = "webchat"
SMS_SEGMENTS = 2  # the most an SMS notice may take


def default_choice(channel: str) -> str:
    """The web chat adds SMS (a closed tab sees nothing); WhatsApp and SMS are already the
    mobile; the REST channel is another system's, which relays what it gets."""
    return "sms" if channel == WEB_CHANNEL else "here"


def offers_choice(channel: str) -> bool:
    """Asked at filing only where the conversation is not already on the citizen's mobile."""
    return channel not in TWILIO_ROUTES


def routes_for(channel: str, choice: str | None) -> list[tuple[str, bool]]:
    """The routes of one notice, each with whether it goes only when the citizen is away."""
    choice = choice if choice in CHOICES else default_choice(channel)
    routes = [(CONVERSATION, False)]
    if choice in TWILIO_ROUTES and choice != channel:
        routes.append((choice, False))
    elif choice == "here" and channel == WEB_CHANNEL:
        routes.append(("sms", True))
    return routes


_SMS = {
    "in_progress": "بلاغ رقمي: بلاغك {number} قيد العمل الآن. التفاصيل: {link}",
    "missing_data": (
        "بلاغ رقمي: بلاغك {number} يحتاج مستندات خلال 48 ساعة وإلا يُلغى. أرسلها: {link}"
    ),
    "delayed": "بلاغ رقمي: نعتذر عن تأخر الرد على بلاغك {number}، ونتابعه مع الجهة: {link}",
    "closed": "بلاغ رقمي: أُغلق بلاغك {number}. النتيجة: {link}",
    "accepted": "بلاغ رقمي: قُبل بلاغك {number}. التفاصيل: {link}",
    "rejected": "بلاغ رقمي: لم يُقبل بلاغك {number}. السبب: {link}",
    "cancelled": "بلاغ رقمي: أُلغي بلاغك {number}. {link}",
    "auto_cancelled": "بلاغ رقمي: أُلغي بلاغك {number} آلياً لعدم استكمال البيانات. {link}",
    "reopened": "بلاغ رقمي: أُعيد فتح بلاغك {number}. التفاصيل: {link}",
    "reopen_refused": "بلاغ رقمي: لم يُقبل طلب إعادة فتح بلاغك {number}. السبب: {link}",
}
KINDS = tuple(_SMS)


def sms_notice(kind: str, number: str, link: str) -> str:
    """The SMS of a notice: what happened, the number, where to act."""
    return for_sms(_SMS[kind].format(number=number, link=link))


# A whole message that asks for no more SMS, or for them again (Twilio's own keywords are
# English; it blocks the number itself and we record it).
_STOP = {"stop", "stopall", "unsubscribe", "end", "quit", "ايقاف", "إيقاف", "ايقاف الرسائل"}
_START = {"start", "unstop", "تشغيل", "تفعيل", "تشغيل الرسائل"}


OPT_OUT_REPLIES = {
    "out": "أوقفنا رسائل بلاغ رقمي النصية عن بلاغاتك. لإعادتها أرسل: تشغيل",
    "in": "أعدنا رسائل بلاغ رقمي النصية عن بلاغاتك. لإيقافها أرسل: إيقاف",
}


def opt_out_request(text: str) -> str | None:
    """`out` for «إيقاف» / STOP, `in` for «تشغيل» / START, None for anything else (a
    sentence that merely contains the word is a message, not a request)."""
    words = " ".join(normalise(text or "").lower().strip(" .!؟?").split())
    if words in {normalise(w) for w in _STOP}:
        return "out"
    if words in {normalise(w) for w in _START}:
        return "in"
    return None
