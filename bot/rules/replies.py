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


# Question words of MSA, the dialects and English (normalised); «ما» and «من» are left out:
# they are more often a negation and a preposition.
QUESTION_WORDS = frozenset(
    {
        *("كيف", "متي", "هل", "وش", "ايش", "اش", "ليش", "لماذا", "ماذا", "كم", "شلون", "وين"),
        *("اين", "مين", "ليه", "ازاي", "امتي", "فين", "شو", "قديش", "ايمتي", "لوين", "كيفاش"),
        *("شنو", "شنهو", "ايمته", "بكم", "منو", "how", "what", "when", "why", "where", "can"),
    }
)


def is_question(text: str) -> bool:
    """«كم يوم تاخذون؟»، «وش اكتب هنا»: a question mark, or a question word."""
    if "?" in text or "؟" in text:
        return True
    return any(
        word in QUESTION_WORDS or word.removeprefix("و") in QUESTION_WORDS for word in _words(text)
    )


# --- a question about the notice just shown («يعني انقبل؟ متى بينفذونه؟») ---------------

# Words that point at the report's fate as a notice tells it (normalised, lower case):
# its decision, its execution, what is asked of the citizen, what comes next.
NOTICE_WORDS = frozenset(
    {
        *("انقبل", "انقبلت", "قبلوه", "قبلوها", "قبلو", "قبلته", "مقبول", "مقبوله", "اتقبل"),
        *("انرفض", "انرفضت", "رفضوه", "رفضوها", "مرفوض", "مرفوضه", "اترفض", "رفضوا"),
        *("انقفل", "انقفلت", "قفلوه", "قفلوها", "اغلقوه", "سكروه", "سكروها", "مغلق", "مقفل"),
        *("انحل", "انحلت", "انحلت", "حلوه", "حلوها", "اتحلت", "انحلّت", "خلصت", "خلص", "خلصو"),
        *("ينفذونه", "بينفذونه", "ينفذوه", "هينفذوه", "حينفذوه", "رح", "ينفذ", "بينفذ", "تنفيذ"),
        *("التنفيذ", "ينفذونها", "بينفذونها", "يطبقونه", "بيطبقونه", "يخلصونه", "بيخلصونه"),
        *("يخلص", "بيخلص", "ينتهي", "بينتهي", "يشتغلون", "شغالين", "جاري", "قاعدين"),
        *("هيخلص", "حيخلص", "هيتنفذ", "يتنفذ", "بيتنفذ", "هينفذوه", "راح ينفذونه"),
        *("المطلوب", "مطلوب", "دوري", "اسوي", "اعمل", "اسويه", "اعمله", "علي", "مني"),
        *("بلاغي", "طلبي", "شكواي", "اقتراحي", "الاشعار", "الرساله", "يعني", "وبعدين", "بعدين"),
        *("accepted", "rejected", "closed", "implement", "implemented", "done", "next"),
        *("need", "required", "status"),
    }
)
# A few of the words above are too common alone: they count only with a question.
_WEAK_NOTICE_WORDS = frozenset({"يعني", "وبعدين", "بعدين", "علي", "مني", "رح", "next", "done"})
# A question about the notice is short; a longer message is a question of its own.
MAX_NOTICE_QUESTION_WORDS = 12
# The start of a new request or a general question: not about the notice just shown.
_NOT_ABOUT_THE_NOTICE = frozenset(
    {
        *("شروط", "الشروط", "شرط", "تحول", "التحول", "اقتراح", "تطوير", "جديد", "جديده"),
        *("اقدم", "ابي اقدم", "اشتكي", "اصعد", "الغي", "الغاء", "موظف", "الفرق", "هو"),
    }
)


def asks_about_notice(text: str) -> bool:
    """«يعني انقبل؟ متى بينفذونه؟»، «طيب وش المطلوب مني؟»، «خلاص انحلت؟»، «so it's
    accepted? when will they do it»: a short question about the notice just shown (its
    decision, its execution time, what is asked of the citizen). A general question or a
    new request («وش شروط طلب التحول؟»، «ابي اقدم شكوى جديدة») is not one."""
    words = [word.removeprefix("و") if len(word) > 3 else word for word in _words(text)]
    if not words or len(words) > MAX_NOTICE_QUESTION_WORDS:
        return False
    if any(word in _NOT_ABOUT_THE_NOTICE for word in words):
        return False
    strong = [w for w in words if w in NOTICE_WORDS and w not in _WEAK_NOTICE_WORDS]
    weak = [w for w in words if w in _WEAK_NOTICE_WORDS]
    asked = is_question(text)
    return bool(strong and (asked or len(words) <= 4)) or bool(asked and weak)


# --- "I will file with the entity first" at the no-reference offer --------------------

# Filing with, contacting or going to the entity, said as what the citizen will do now
# (future or intent forms; «كلمتهم»، «اشتكيت» are what they did, not this). Normalised.
_FILE_FIRST_VERBS = re.compile(
    r"(?:^|\s)(?:راح |رح |رايح |ح |ه |بس )?"
    r"(?:[بهحسن]?[ان]?)"
    r"(?:شتكي|شتكى|قدم|قدمها|قدمه|رفع|رفعها|كلم|كلمهم|كلمها|تواصل|راجع|راجعهم|روح|روحلهم"
    r"|اخذ|اخد|اطلع|طلع|طلب|سجل|سجلها|رسل|ارسل|بلغ|بلغهم|تصل|اتصل|دق)"
    r"(?:هم|ها|ه|لهم|ا)?(?=\s|$)"
)
_FILE_FIRST_CONTEXT = re.compile(
    r"(?:عندهم|لهم|ليهم|ليها|معهم|يمهم|وياهم|منهم|عند الجهه|لدي الجهه|للجهه|مع الجهه|عليهم"
    r"|اول|اولا|الاول|بالاول|اولشي|ارجع|برجع|وارجع|وبرجع|ارجعلكم|برجعلكم|اجيكم|باجيكم"
    r"|رقم|الرقم|مرجعي|شكوي عندهم|كلمهم|راجعهم|بلغهم|روحلهم)(?=\s|$)"
)
_FILE_FIRST_ENGLISH = re.compile(
    r"\b(?:i'?ll|i will|will|gonna|going to|let me)\b.*\b(?:file|complain|contact|call|go|get)"
    r"\b.*\b(?:them|first|the entity|a number|reference)\b"
)
_FILE_FIRST_ARABIZI = re.compile(
    r"\b(?:ba|ra7|7a|ha)?(?:shtki|shtaki|kalem|kalimhom|kalemhom|kallimhom|qadem|gadem)"
    r"\w*\b.*\b(?:3indhom|3endhom|3ndhom|awal|awwal|lahum|ma3hom|raqam|rgm|rakam|arja3)"
)
_CLAUSES = re.compile(r"[,،.!؟?؛;\n]+")
_NEGATED_BEFORE = re.compile(r"(?:^|\s)(?:ما|مو|مش|لن|لا|مب|not|won'?t|dont|don'?t)\s+\S*$")


def files_with_entity_first(text: str) -> bool:
    """«خلاص بشتكي عندهم أول وأرجع لكم»، «طيب بكلمهم واخذ رقم»، «هقدم عندهم الأول»، «سأقدم
    الشكوى لدى الجهة أولاً»، «ok I'll file with them first»: the citizen will first file with
    the entity (and come back with its reference number). «ما راح اشتكي عندهم» is not."""
    whole = " ".join(_words(text))
    # Read clause by clause: «لا، بكلمهم اول» is a «no» to the offer, then the plan.
    for clause in _CLAUSES.split(text or ""):
        cleaned = " ".join(_words(clause))
        for match in _FILE_FIRST_VERBS.finditer(cleaned):
            if _NEGATED_BEFORE.search(cleaned[: match.start() + 1].rstrip() + " "):
                continue
            rest = cleaned[match.start() :]
            if _FILE_FIRST_CONTEXT.search(rest) or _FILE_FIRST_CONTEXT.search(whole):
                return True
    raw = (text or "").lower()
    return bool(_FILE_FIRST_ENGLISH.search(raw) or _FILE_FIRST_ARABIZI.search(raw))


# --- an update request that already holds the correction ------------------------------

# Words that give the right value («الصحيح …»، «بدل …»): the correction itself. Normalised.
CORRECTION_WORDS = frozenset(
    {
        *("الصحيح", "الصح", "الصواب", "صوابه", "صحته", "بدل", "بدال", "بدلا", "عوض", "عوضا"),
        *("يصير", "المفروض", "الصحيحه", "instead", "sa7", "s7i7", "sa7ee7"),
    }
)
# A request to update alone is short; a long message tells what to change.
MIN_CORRECTION_WORDS = 12
_REPORT_NUMBER = re.compile(r"(?<!\d)\d{9}(?!\d)")


def holds_correction(text: str) -> bool:
    """Does an update request already hold its content? «رقم الشكوى اللي كتبته غلط،
    الصحيح INC-2026-1234»، «جوالي تغير صار 0551234567»، a long explanation: yes. «ابي
    اعدل بلاغي»، «عندي تصحيح على البلاغ 260000123»، «رقم الجوال غلط»: not yet (asked)."""
    cleaned = _REPORT_NUMBER.sub(" ", _decimal_digits(text or ""))
    words = _words(cleaned)
    if any(ch.isdigit() for ch in cleaned):
        return True
    if len(words) >= MIN_CORRECTION_WORDS:
        return True
    return any(
        word in CORRECTION_WORDS or word.removeprefix("و") in CORRECTION_WORDS for word in words
    )
