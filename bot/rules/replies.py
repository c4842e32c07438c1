"""How a short reply reads in context: «ليش؟» after a refusal, «٤» or «ممتاز» after a rating
question. Pure: the actions decide what the context is (`bot/actions/context_replies.py`).
"""

from __future__ import annotations

import re
import unicodedata

from bot.rules.arabic import normalise

# Words that make a short message a "why?" (normalised spelling: hamza, ta marbuta, yeh).
WHY_WORDS = (
    "ليش",
    "ليه",
    "لماذا",
    "لمادا",
    "علام",
    "السبب",
    "سبب",
    "اسباب",
    "الاسباب",
    "why",
    "reason",
)
# A "why?" is short; a longer message with «ليش» in it is a question of its own (a FAQ).
MAX_WHY_WORDS = 5

# Words for a 1–5 rating, longest first (so «جيد جدا» is not read as «جيد»); normalised.
SCORE_WORDS = (
    ("سيء جدا", 1),
    ("سيي جدا", 1),
    ("سيئ جدا", 1),
    ("غير راضي", 1),
    ("مو راضي", 1),
    ("very bad", 1),
    ("ممتاز", 5),
    ("رائع", 5),
    ("راضي جدا", 5),
    ("excellent", 5),
    ("جيد جدا", 4),
    ("very good", 4),
    ("جيد", 4),
    ("good", 4),
    ("راضي", 4),
    ("متوسط", 3),
    ("مقبول", 3),
    ("وسط", 3),
    ("average", 3),
    ("ضعيف", 2),
    ("سيء", 2),
    ("سيي", 2),
    ("سيئ", 2),
    ("bad", 2),
)
# Number words, read by position: «اربع من خمس» is 4.
NUMBER_WORDS = {
    "واحد": 1,
    "وحده": 1,
    "نجمه": 1,
    "اثنين": 2,
    "ثنتين": 2,
    "نجمتين": 2,
    "ثلاث": 3,
    "ثلاثه": 3,
    "اربع": 4,
    "اربعه": 4,
    "خمس": 5,
    "خمسه": 5,
}
_OUT_OF_FIVE = re.compile(r"^(\d)\s*(?:/|من|out of)\s*5$")


def _words(text: str) -> list[str]:
    cleaned = re.sub(r"[^\w\s]", " ", normalise(text or "").lower())
    return cleaned.split()


def is_why_question(text: str) -> bool:
    """«ليش؟»، «لماذا؟»، «why»، «طيب ليش رفضتوا»: a short message asking for the reason."""
    words = _words(text)
    if not words or len(words) > MAX_WHY_WORDS:
        return False
    return any(word in WHY_WORDS or word.lstrip("و") in WHY_WORDS for word in words)


def _decimal_digits(text: str) -> str:
    """Every decimal digit of any script (٤، ۴، ４، ৪ …) as ASCII; other characters kept."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def rating_of(text: str) -> int | None:
    """A 1–5 rating from «4»، «٤»، «4 من 5»، «٤/٥»، «⭐⭐⭐⭐» or a word («ممتاز»، «سيء»)."""
    cleaned = normalise(_decimal_digits(text or "")).strip().lower()
    cleaned = re.sub(r"[\s.!?،,]+$", "", cleaned)
    stars = cleaned.count("⭐")
    if stars and not cleaned.replace("⭐", "").strip():
        return stars if 1 <= stars <= 5 else None
    out_of_five = _OUT_OF_FIVE.match(cleaned)
    if out_of_five:
        cleaned = out_of_five.group(1)
    digits = [int(ch) for ch in cleaned if ch.isdecimal()]
    if digits:
        return digits[0] if len(digits) == 1 and 1 <= digits[0] <= 5 else None
    words = _words(cleaned)
    number = next((NUMBER_WORDS[w] for w in words if w in NUMBER_WORDS), None)
    if number is not None:
        return number
    joined = " ".join(words)
    return next((v for w, v in SCORE_WORDS if normalise(w) in joined), None)


# What a request to stop filing is made of (normalised): the verbs of stopping, the report
# it stops, and the words around them. A message read as «cancel» at a free-text question
# that says anything else («إلغاء موعدي في المستشفى بدون سبب») is an answer, not a stop.
STOP_WORDS = frozenset(
    {
        *("الغ", "الغي", "الغيه", "الغيها", "الغوا", "الغاء", "الغاءه", "نلغي", "تلغي", "يلغي"),
        *("اوقف", "وقف", "وقفي", "ايقاف", "توقف", "نوقف", "اقف", "بلاش", "كنسل", "اكنسل"),
        *("انهاء", "انهي", "اطلع", "خروج", "الغاؤه", "الغيت", "تراجعت", "بطلت", "غيرت", "رايي"),
        *("cancel", "stop", "quit", "exit", "abort", "el8i", "alghi", "wagif"),
        *("الطلب", "البلاغ", "الشكوي", "التقديم", "التصعيد", "الاقتراح", "التحول", "العمليه"),
        *("طلب", "بلاغ", "شكوي", "تقديم", "تصعيد", "اقتراح", "الموضوع", "كله", "كلها", "هذا"),
        *("هذي", "هذه", "ذا", "ذي", "هاد", "هاذا", "ده", "دي", "الحين", "الان", "دحين", "هسه"),
        *("خلاص", "ابي", "ابغي", "ابغا", "اريد", "عايز", "عاوز", "بدي", "ودي", "اب", "ما", "لا"),
        *("مابي", "مابغي", "ماابي", "مش", "مو", "مب", "لم", "لن", "اعد", "عاد", "اكمل", "كمل"),
        *("نكمل", "تكمل", "اكمال", "متابعه", "اتابع", "محتاج", "احتاج", "يا", "لو", "سمحت"),
        *("فضلك", "من", "شكرا", "طيب", "اوكي", "ok", "please", "pls", "want", "i", "the"),
        *("dont", "to", "it", "this", "report", "complaint", "request", "no", "please"),
        *("و", "ف", "في", "عن", "على", "علي", "الي", "اني", "انا", "بس", "يعطيك", "العافيه"),
    }
)


def only_asks_to_stop(text: str) -> bool:
    """«ألغِ الطلب»، «خلاص ما ابي اكمل»، «cancel»: nothing but a request to stop filing."""
    words = _words(text)
    return bool(words) and all(
        word in STOP_WORDS or word.removeprefix("و") in STOP_WORDS for word in words
    )
