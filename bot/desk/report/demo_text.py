"""Arabic text for the demo data: names, titles, comments. Fictitious people only; a
few comments carry a phone number, an ID or a name on purpose, so the report's
removal of personal data can be seen working."""

from __future__ import annotations

import random

from bot.rules.identity import with_check_digit

FIRST_NAMES = (
    "محمد", "عبدالله", "فهد", "خالد", "سلطان", "فيصل", "عبدالرحمن", "تركي", "ناصر", "سعود",
    "نورة", "سارة", "ريم", "هيا", "لمى", "منيرة", "العنود", "جواهر", "أمل", "دانة",
)  # fmt: skip
FAMILY_NAMES = (
    "العتيبي", "القحطاني", "الشهري", "الدوسري", "الغامدي", "الزهراني", "الحربي", "المطيري",
    "السبيعي", "العنزي", "الشمري", "الرشيد", "السديري", "البقمي", "الجهني", "الأحمدي",
)  # fmt: skip

TITLES = {
    "complaint": (
        "تأخر الرد على الشكوى",
        "لم تُحل المشكلة رغم مضي المدة",
        "تعطل النظام عند تقديم الشكوى",
        "إغلاق الشكوى دون حل مرضٍ",
    ),
    "digitization": ("تحويل الخدمة إلى خدمة رقمية", "إتاحة الخدمة إلكترونياً بدل المراجعة"),
    "improvement": ("تحسين خطوات الخدمة", "إضافة إشعار بحالة الطلب", "تبسيط رفع المرفقات"),
}

DESCRIPTIONS = {
    "complaint": (
        "قدّمت شكوى لدى الجهة ومضت المدة المحددة للرد دون تجاوب.",
        "رُفعت الشكوى وأُغلقت دون حل للمشكلة، وما زالت قائمة.",
        "ظهر خطأ تقني عند محاولة رفع الشكوى عبر المنصة.",
    ),
    "digitization": (
        "الخدمة تتطلب الحضور وتقديم نماذج ورقية، وأقترح إتاحتها رقمياً.",
        "أرجو تحويل الإجراء الورقي إلى خدمة إلكترونية توفيراً للوقت.",
    ),
    "improvement": (
        "أقترح إضافة خيار لمتابعة الطلب برسالة نصية.",
        "أقترح تقليل عدد الخطوات وتوضيح المرفقات المطلوبة.",
    ),
}

POSITIVE_COMMENTS = (
    "سريعين ومرتبين وكل شيء واضح، شكراً لكم.",
    "انحلت مشكلتي بعد التصعيد، جزاكم الله خيراً.",
    "خدمة ممتازة وتجاوب سريع من الجهة.",
    "شكراً لمركز آمر على المتابعة المستمرة.",
    "تم التواصل معي وحُلّت المشكلة خلال أيام.",
)
NEUTRAL_COMMENTS = (
    "الحل مقبول لكن الرد تأخر قليلاً.",
    "راضٍ عن خدمة المركز، أما الجهة فلم تتجاوب كما يجب.",
    "أتمنى توضيح المستندات المطلوبة من البداية.",
)
NEGATIVE_COMMENTS = (
    "لم تُحل المشكلة حتى الآن رغم مضي المدة.",
    "أُغلق البلاغ دون التواصل معي.",
    "الرد عام ولا يعالج مشكلتي.",
)
# Comments that carry personal data on purpose ({mobile}, {national_id}, {name}).
PERSONAL_COMMENTS = (
    "أرجو التواصل معي على الجوال {mobile} لاستكمال الموضوع.",
    "رقم هويتي {national_id} ولم يصلني أي رد.",
    "أنا {name}، أشكر الموظف على تعاونه.",
)


def person(rng: random.Random) -> tuple[str, str, str]:
    """A fictitious beneficiary: name, a national ID with a valid check digit, a mobile."""
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(FAMILY_NAMES)}"
    return name, national_id(rng), f"+9665{rng.randrange(10**8):08d}"


def national_id(rng: random.Random) -> str:
    """1 or 2, eight random digits, and the Luhn check digit that makes it valid."""
    return with_check_digit(f"{rng.choice('12')}{rng.randrange(10**8):08d}")


def comment(rng: random.Random, score: int, name: str, national: str, mobile: str) -> str:
    """A survey comment in keeping with the score; one in eight carries personal data."""
    if rng.random() < 0.125:
        template = rng.choice(PERSONAL_COMMENTS)
        return template.format(mobile="0" + mobile[4:], national_id=national, name=name)
    if score >= 4:
        return rng.choice(POSITIVE_COMMENTS)
    if score == 3:
        return rng.choice(NEUTRAL_COMMENTS)
    return rng.choice(NEGATIVE_COMMENTS)
