"""Values found inside the sentences citizens answer with.

A form asks for one value and people answer in a sentence: «رقم الشكوى عندهم INC-2026-7781
تقريبا»، «قالوا خلال خمسة أيام عمل»، «ما عندي رقم شكوى». The helpers here find the value
(numbers in any digit script, grouped by spaces, dashes or dots; counts spelled out in
Arabic, dialect spellings included) or say plainly why there is none, so a validator can
answer with what was actually wrong. National IDs and mobiles: `bot.rules.identity`; dates:
`bot.rules.dates`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bot.rules.arabic import normalise, to_ascii_digits
from bot.rules.arabizi import has_latin_word, in_arabic_script

# Between two digit runs of one number: spaces, or a dash / dot (with spaces around).
_GROUP = re.compile(
    r"(?P<plus>\+[ \u00a0]*)?\d+(?:(?:[ \u00a0\t]*[-.\u2010-\u2015][ \u00a0\t]*|[ \u00a0\t]+)\d+)*"
)
_RUN = re.compile(r"\d+")


@dataclass(frozen=True)
class DigitGroup:
    """A number as typed: its digit runs (split where spaces, dashes or dots were), and
    whether a `+` came before it."""

    chunks: tuple[str, ...]
    plus: bool = False

    @property
    def digits(self) -> str:
        return "".join(self.chunks)

    def windows(self, sizes: range = range(1, 17)) -> Iterator[tuple[int, int, str]]:
        """(first chunk, end chunk, digits) of every run of neighbouring chunks holding a
        count of digits in `sizes`, the runs of most chunks first (two numbers typed side
        by side, «1045123453 0551234567», are one group)."""
        count = len(self.chunks)
        spans = []
        for start in range(count):
            digits = 0
            for end in range(start + 1, count + 1):
                digits += len(self.chunks[end - 1])
                if digits > sizes.stop:
                    break  # «1 1 1 …» stays linear
                if digits in sizes:
                    spans.append((start, end))
        for start, end in sorted(spans, key=lambda span: (span[0] - span[1], span[0])):
            yield start, end, "".join(self.chunks[start:end])

    @property
    def international(self) -> bool:
        """Typed with a country code (`+` or `00`)."""
        return self.plus or self.digits.startswith("00")

    def found(
        self,
        read: Callable[[str, bool], str | None],
        sizes: range = range(1, 17),
        anchored: bool = False,
    ) -> list[str]:
        """The values `read` (digits, whether a `+` precedes them) accepts among the
        windows of `sizes` digits that do not overlap a window already accepted, longest
        first; `anchored`: only windows from the group's start (the rest of «00971 50 123
        4567» is not a number of its own)."""
        taken = [False] * len(self.chunks)
        values: list[str] = []
        for start, end, digits in self.windows(sizes):
            if (anchored and start > 0) or any(taken[start:end]):
                continue
            value = read(digits, self.plus and start == 0)
            if value is not None:
                taken[start:end] = [True] * (end - start)
                if value not in values:
                    values.append(value)
        return values


def digit_groups(text: str) -> list[DigitGroup]:
    """Every number of `text` (ASCII, Arabic-Indic or Persian digits), in order."""
    plain = re.sub(r"[()\[\]]", " ", to_ascii_digits(text or ""))
    return [
        DigitGroup(tuple(_RUN.findall(match.group(0))), bool(match.group("plus")))
        for match in _GROUP.finditer(plain)
    ]


def has_digits(text: str) -> bool:
    return any(ch.isdigit() for ch in to_ascii_digits(text or ""))


# ---------------------------------------------------------------- counts in words (1-30)

_UNITS = {
    "يك": 1,  # Persian and Urdu «یک» (one) as residents type it, after normalisation
    "واحد": 1,
    "واحده": 1,
    "وحده": 1,
    "احد": 1,
    "احدي": 1,
    "اثنين": 2,
    "اثنان": 2,
    "اثنتين": 2,
    "اثنتان": 2,
    "اثنا": 2,
    "اثني": 2,
    "اثنتا": 2,
    "اثنتي": 2,
    "ثنين": 2,
    "اتنين": 2,
    "تنين": 2,
    "ثلاث": 3,
    "ثلاثه": 3,
    "تلات": 3,
    "تلاته": 3,
    "اربع": 4,
    "اربعه": 4,
    "خمس": 5,
    "خمسه": 5,
    "ست": 6,
    "سته": 6,
    "سبع": 7,
    "سبعه": 7,
    "ثمان": 8,
    "ثماني": 8,
    "ثمانيه": 8,
    "ثمنيه": 8,
    "تمان": 8,
    "تمانيه": 8,
    "تسع": 9,
    "تسعه": 9,
    "عشر": 10,
    "عشره": 10,
}
# Teens said as one word in the dialects (Gulf «ثلطعش»، Levantine/Egyptian «تلتاشر»).
_ONE_WORD = {
    "احدعش": 11,
    "احدعشر": 11,
    "حدعش": 11,
    "حداش": 11,
    "احداش": 11,
    "اطنعش": 12,
    "طنعش": 12,
    "اثنعش": 12,
    "ثنعش": 12,
    "اثنعشر": 12,
    "اتناشر": 12,
    "ثلطعش": 13,
    "ثلاثطعش": 13,
    "ثلتعش": 13,
    "تلتاشر": 13,
    "ثلاثتعش": 13,
    "اربعطعش": 14,
    "اربعتعش": 14,
    "ارباطعش": 14,
    "اربعتاشر": 14,
    "خمسطعش": 15,
    "خمستعش": 15,
    "خمستاشر": 15,
    "سطعش": 16,
    "ستطعش": 16,
    "ستعش": 16,
    "ستاشر": 16,
    "سبعطعش": 17,
    "سبعتعش": 17,
    "سبعتاشر": 17,
    "ثمنطعش": 18,
    "ثمانطعش": 18,
    "ثمنتعش": 18,
    "تمنتاشر": 18,
    "تسعطعش": 19,
    "تسعتعش": 19,
    "تسعتاشر": 19,
    "عشرين": 20,
    "عشرون": 20,
    "ثلاثين": 30,
    "ثلاثون": 30,
    "تلاتين": 30,
}
_TEN_WORDS = {"عشر", "عشره"}
_TWENTY = {"عشرين", "عشرون"}


def words_of(text: str) -> list[str]:
    """Normalised lower-case words and numbers (ASCII digits) of `text`."""
    return re.findall(r"[^\W_]+", normalise(to_ascii_digits(text or "")).lower())


def number_at(words: list[str], index: int) -> tuple[int, int] | None:
    """The count starting at `words[index]` and how many words it takes: digits, or a
    number from 1 to 30 spelled out («خمسة»، «خمسطعش»، «خمسة عشر»، «خمس وعشرين»)."""
    word = words[index]
    following = words[index + 1 : index + 3]
    if word.isdigit():
        return (int(word), 1) if len(word) <= 6 else None
    bare = word
    if word not in _UNITS and word not in _ONE_WORD and word[:1] in "بو" and len(word) > 3:
        bare = word[1:]  # «بخمسة»، «وعشرين»
    if bare in _UNITS and bare not in _TEN_WORDS:
        unit = _UNITS[bare]
        if following[:1] and following[0] in _TEN_WORDS:
            return 10 + unit, 2
        if following[:1] and following[0] in {"و" + w for w in _TWENTY}:
            return 20 + unit, 2
        if following[:2] and following[0] == "و" and following[1:2] and following[1] in _TWENTY:
            return 20 + unit, 3
        if bare in {"احد", "اثنا", "اثنتا"}:
            return None  # «احد» alone is «someone», «اثنا» needs «عشر»
        return unit, 1
    if bare in _UNITS:
        return _UNITS[bare], 1
    if bare in _ONE_WORD:
        return _ONE_WORD[bare], 1
    return None


def spelled_number(text: str) -> int | None:
    """The first count in `text` (digits or words from 1 to 30), or None."""
    words = words_of(text)
    for index in range(len(words)):
        found = number_at(words, index)
        if found:
            return found[0]
    return None


# ---------------------------------------------------------------- SLA in working days

_DAY_UNITS = {"يوم", "ايام", "اليوم", "الايام", "يوما", "day", "days"}
_WEEK_UNITS = {"اسبوع", "اسابيع", "الاسبوع", "week", "weeks"}
_HOUR_UNITS = {"ساعه", "ساعات", "hour", "hours"}
_MONTH_UNITS = {"شهر", "اشهر", "شهور", "الشهر", "شهرين", "month", "months"}
_DUALS = {"يومين": 2, "يومان": 2, "اسبوعين": 10, "اسبوعان": 10}
WORKING_DAYS_PER_WEEK = 5


@dataclass(frozen=True)
class SlaDays:
    """Working days promised by the entity, or why none was read: 'missing' (no number)
    or 'months' (a month is not a count of working days)."""

    days: int | None = None
    error: str | None = None


def find_sla_days(text: str) -> SlaDays:
    """The response time an answer states, in working days: «قالوا خلال ٥ أيام عمل» 5,
    «عشرة أيام» 10, «يومين» 2, «أسبوع» 5, «أسبوعين» 10, «48 ساعة» 2."""
    words = words_of(text)
    bare_number: int | None = None
    months = False
    for index, word in enumerate(words):
        if word in _DUALS:
            return SlaDays(_DUALS[word])
        found = number_at(words, index)
        if found is None:
            if word in _MONTH_UNITS:
                months = True
            continue
        number, length = found
        unit = words[index + length] if index + length < len(words) else ""
        if unit in _DAY_UNITS:
            return SlaDays(number)
        if unit in _WEEK_UNITS:
            return SlaDays(number * WORKING_DAYS_PER_WEEK)
        if unit in _HOUR_UNITS:
            return SlaDays(max(1, math.ceil(number / 24)))
        if unit in _MONTH_UNITS:
            months = True
            continue
        if bare_number is None:
            bare_number = number
    if bare_number is not None:
        return SlaDays(bare_number)
    if months:
        return SlaDays(error="months")
    # «أسبوع» alone is one week, «يوم» one day; «كم يوم» asks how many, and says none.
    stated = [
        word
        for before, word in zip(["", *words[:-1]], words, strict=True)
        if before not in _HOW_MANY
    ]
    if any(word in _WEEK_UNITS for word in stated):
        return SlaDays(WORKING_DAYS_PER_WEEK)
    if any(word in {"يوم", "day"} for word in stated):
        return SlaDays(1)
    return SlaDays(error="missing")


_HOW_MANY = frozenset({"كم", "بكم", "كام", "قديش", "قداش", "many", "much"})


# ---------------------------------------------------------------- prior complaint reference

REFERENCE_MIN, REFERENCE_MAX = 3, 40
# A token of a reference: latin letters and digits, joined by - / _ . # :
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-/_.#:][A-Za-z0-9]+)*")
# Latin words that are not part of a reference («my ref is ...», «No. 7781»).
_ENGLISH_WORDS = {
    "a", "about", "an", "and", "approx", "approximately", "around", "case", "complaint",
    "id", "is", "it", "its", "maybe", "my", "no", "nr", "num", "number", "of", "ok",
    "please", "pls", "ref", "reference", "request", "the", "their", "think", "ticket",
    "was", "with", "i", "thanks", "here", "this", "code", "they", "gave", "me",
    # Arabizi: «raqam el shakwa 5521», «hay el ra8am»
    "raqam", "raqm", "rakam", "rakm", "ra2am", "ra2m", "rqm", "rkm", "el", "al", "hay", "hai",
    "hatha", "hadha", "hada", "howa", "huwa", "heya", "hiya", "shakwa", "shakwe", "balagh", "ya",
}  # fmt: skip
# A word of Arabizi has one or two digits that stand for letters (2 ء, 3 ع, 5 خ, 6 ط, 7 ح,
# 8 ق, 9 ص) among its small letters: «3indi», «ra8am», «far3» are words; INC2026, A7B
# are codes.
_ARABIZI_DIGITS = frozenset("2356789")


def _arabizi_word(token: str) -> bool:
    digits = [ch for ch in token if ch.isdigit()]
    letters = sum(ch.isalpha() for ch in token)
    return (
        token.isalnum()
        and not token.isupper()  # codes are typed in capitals: A7B 12345
        and 1 <= len(digits) <= 2
        and letters >= 2
        and set(digits) <= _ARABIZI_DIGITS
    )


_DATE_TOKEN = re.compile(
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2}))"
)
_YEAR_CONTEXT = {"من", "منذ", "سنه", "عام", "في", "بتاريخ", "تاريخ", "since", "in", "year"}
_COUNT_UNITS = _DAY_UNITS | _WEEK_UNITS | _HOUR_UNITS | _MONTH_UNITS | {"سنه", "سنوات", "سنين"}


@dataclass(frozen=True)
class ReferenceFinding:
    """The reference number found, or why none was: 'missing' (no number at all),
    'date' (only a date), 'length' (too short or too long), 'ambiguous' (two)."""

    value: str | None = None
    error: str | None = None
    candidates: tuple[str, ...] = ()


def _reference_key(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


def _is_date(token: str) -> bool:
    if not _DATE_TOKEN.fullmatch(token):
        return False
    parts = [int(p) for p in re.split(r"[-/.]", token)]
    year_first = len(re.split(r"[-/.]", token)[0]) == 4
    month, day = (parts[1], parts[2]) if year_first else (parts[1], parts[0])
    return 1 <= month <= 12 and 1 <= day <= 31


def find_reference(text: str) -> ReferenceFinding:
    """The entity's complaint number in an answer: a latin-alphanumeric token with digits
    (INC-2026-7781, 2026/4471, ٧٧٨١٢٣, «dup 5521»); dates, counts of days and years after
    «من / سنة» are not references, and the words around it are dropped."""
    plain = to_ascii_digits(normalise(text or ""))
    spans = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(plain)]
    # Join neighbours typed with a space («INC 2026 7781», «dup 5521»).
    joined: list[list[tuple[int, int, str]]] = []
    for span in spans:
        word = span[2]
        if (
            word.lower() in _ENGLISH_WORDS
            or (word.isalpha() and len(word) > 5)
            or _arabizi_word(word)
        ):
            joined.append([])  # a word, not a code such as INC or DUP
            continue
        if joined and joined[-1] and plain[joined[-1][-1][1] : span[0]] in (" ", " - "):
            joined[-1].append(span)
        else:
            joined.append([span])
    candidates: list[str] = []
    dates = 0
    too_short_or_long: list[str] = []
    for parts in joined:
        if not parts:
            continue
        tokens = [p[2] for p in parts]
        value = " ".join(tokens)
        if not any(ch.isdigit() for ch in value):
            continue
        if len(tokens) == 1 and _is_date(value):
            dates += 1
            continue
        before = plain[: parts[0][0]].split()[-1:] or [""]
        after = plain[parts[-1][1] :].split()[:1] or [""]
        if value.isdigit() and normalise(after[0]).lower() in _COUNT_UNITS:
            continue  # «قبل 3 أيام»: a count, not a reference
        if (
            re.fullmatch(r"(19|20)\d\d|1[34]\d\d", value)
            and normalise(before[0]).lower().lstrip("و") in _YEAR_CONTEXT
        ):
            dates += 1
            continue
        if not REFERENCE_MIN <= len(value) <= REFERENCE_MAX:
            too_short_or_long.append(value)
            continue
        if all(_reference_key(value) != _reference_key(seen) for seen in candidates):
            candidates.append(value)
    if len(candidates) == 1:
        return ReferenceFinding(candidates[0])
    if len(candidates) > 1:
        return ReferenceFinding(error="ambiguous", candidates=tuple(candidates))
    if too_short_or_long:
        return ReferenceFinding(error="length", candidates=tuple(too_short_or_long))
    if dates:
        return ReferenceFinding(error="date")
    return ReferenceFinding(error="missing")


# «ما عندي رقم شكوى»، «ما قدمت شكوى عندهم»، «I don't have a reference number».
_NO_REFERENCE = re.compile(
    r"(?<!\w)(?:"
    # no number / nothing
    r"(?:ما|مو|لا|ليس|مافي|مافيه|ماعندي|ماعندنا|مامعي|معنديش|ماعنديش)\s*"
    r"(?:(?:عندي|عندنا|لدي|لدينا|معي|معاي|معايا|يوجد|فيه|في|املك|احمل|احتفظت|حفظت|"
    r"اعرف|اذكر|اتذكر|ادري)(?:\s|$)|$)"
    r"|ماعندي|ماعنديش|معنديش|مامعي|مافيه رقم|مافي رقم"
    # no complaint was filed with the entity
    r"|(?:ما|لم|لا)\s*(?:قدمت|اقدم|قدمنا|رفعت|ارفع|سويت|اسوي|سجلت|اسجل|اشتكيت|اشتكي|"
    r"اشتك|تقدمت|اتقدم|بلغت|ابلغ|عملت)(?:\s|$)"
    r"|(?:ما|لم|لا)\s*(?:اعطوني|عطوني|ارسلو|ارسلوا|وصلني|يصلني|جاني|جاتني|اخذت|حصلت)(?:\s|$)"
    r"|نسيت|ضاع|ضيعت|مفقود|بدون رقم|من غير رقم|بلا رقم|ولا رقم|مدري|مادري|ماادري"
    r")",
)
_NO_REFERENCE_EN = re.compile(
    r"\b(?:don[’']?t|do not|didn[’']?t|did not|never|haven[’']?t|have not|no|none|"
    r"without|lost|forgot|n/a)\b"
)


def lacks_reference(text: str) -> bool:
    """The answer says there is no complaint number: none given by the entity, forgotten,
    lost, or no complaint filed there at all."""
    plain = " ".join(words_of(text))
    latin = to_ascii_digits(text or "").lower()
    arabizi = " ".join(words_of(in_arabic_script(text))) if has_latin_word(text) else ""
    return bool(
        _NO_REFERENCE.search(plain)
        or _NO_REFERENCE_EN.search(latin)
        or (arabizi and _NO_REFERENCE.search(arabizi))  # «ma 3indi raqam»
    )
