"""Dates as people type them: Gregorian or Hijri, any digits, or relative («قبل أسبوعين»).

`parse_user_date` never guesses silently between calendars: a year between 1300 and
1500 is Hijri (Umm al-Qura), a year from 1900 on is Gregorian; a month written as a
name says its calendar.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from hijridate import Hijri

from bot.rules.arabic import normalise
from bot.rules.values import number_at

GREGORIAN_MONTHS = {
    "يناير": 1,
    "فبراير": 2,
    "مارس": 3,
    "ابريل": 4,
    "مايو": 5,
    "يونيو": 6,
    "يوليو": 7,
    "اغسطس": 8,
    "سبتمبر": 9,
    "اكتوبر": 10,
    "نوفمبر": 11,
    "ديسمبر": 12,
}
HIJRI_MONTHS = {
    "محرم": 1,
    "صفر": 2,
    "ربيع الاول": 3,
    "ربيع اول": 3,
    "ربيع الثاني": 4,
    "ربيع الاخر": 4,
    "ربيع ثاني": 4,
    "جمادي الاولي": 5,
    "جمادي الاول": 5,
    "جمادي الاخره": 6,
    "جمادي الثانيه": 6,
    "جمادي الاخر": 6,
    "رجب": 7,
    "شعبان": 8,
    "رمضان": 9,
    "شوال": 10,
    "ذو القعده": 11,
    "ذي القعده": 11,
    "ذو الحجه": 12,
    "ذي الحجه": 12,
}
UNIT_DAYS = {
    **{"يوم": 1, "ايام": 1, "اسبوع": 7, "اسابيع": 7, "شهر": 30, "اشهر": 30, "شهور": 30},
    # Persian and Urdu units as residents type them: «روز» day, «هفته» week, «ماه» month.
    **{"روز": 1, "هفته": 7, "ماه": 30},
}
DUALS = {"يومين": 2, "اسبوعين": 14, "شهرين": 60}
OLDEST_ACCEPTED_YEARS = 10


@dataclass(frozen=True)
class DateParse:
    """A date, or why it was refused: 'unparsed', 'impossible', 'future' or 'too_old'."""

    date: dt.date | None = None
    error: str | None = None
    calendar: str = "gregorian"


def _from_parts(year: int, month: int, day: int) -> DateParse:
    if 1300 <= year <= 1500:
        try:
            gregorian = Hijri(year, month, day).to_gregorian()
        except (ValueError, OverflowError):
            return DateParse(error="impossible")
        return DateParse(dt.date(gregorian.year, gregorian.month, gregorian.day), calendar="hijri")
    if 1900 <= year <= 2200:
        try:
            return DateParse(dt.date(year, month, day))
        except ValueError:
            return DateParse(error="impossible")
    return DateParse(error="impossible")


def _relative(text: str, today: dt.date) -> DateParse | None:
    if re.fullmatch(r"(اليوم|الحين|توه|تو)", text):
        return DateParse(today)
    if re.fullmatch(r"(امس|البارحه|البارح)", text):
        return DateParse(today - dt.timedelta(days=1))
    if re.fullmatch(r"(قبل امس|اول امس|اول البارح|اول البارحه)", text):
        return DateParse(today - dt.timedelta(days=2))
    if text in {"الاسبوع الماضي", "الاسبوع اللي فات", "الاسبوع الي فات"}:
        return DateParse(today - dt.timedelta(days=7))
    if text in {"الشهر الماضي", "الشهر اللي فات", "الشهر الي فات"}:
        return DateParse(today - dt.timedelta(days=30))
    match = re.fullmatch(r"(?:من |منذ |قبل |له |لها )?(?:حوالي |تقريبا )?(.+?)( تقريبا)?", text)
    if not match:
        return None
    body = match.group(1).strip()
    if not (text.startswith(("قبل", "منذ", "من ", "له ", "لها "))):
        return None
    if body in DUALS:
        return DateParse(today - dt.timedelta(days=DUALS[body]))
    if body in UNIT_DAYS and UNIT_DAYS[body] > 1:
        return DateParse(today - dt.timedelta(days=UNIT_DAYS[body]))
    parts = body.split()
    if len(parts) == 2 and parts[1] in UNIT_DAYS:
        found = number_at(parts[:1], 0)  # the number words of bot.rules.values, one table
        count = found[0] if found else None
        if count is None or count > 3650:
            return None
        return DateParse(today - dt.timedelta(days=count * UNIT_DAYS[parts[1]]))
    return None


def _named_month(text: str, today: dt.date, search: bool = False) -> DateParse | None:
    for names, calendar in ((HIJRI_MONTHS, "hijri"), (GREGORIAN_MONTHS, "gregorian")):
        for name in sorted(names, key=len, reverse=True):
            pattern = rf"(\d{{1,2}}) (?:من )?(?:شهر )?{name}(?: (\d{{4}}))?"
            match = (
                re.search(rf"(?<!\d){pattern}(?![\w])", text)
                if search
                else re.fullmatch(pattern, text)
            )
            if not match:
                continue
            day = int(match.group(1))
            month = names[name]
            if match.group(2):
                return _from_parts(int(match.group(2)), month, day)
            if calendar == "hijri":
                from hijridate import Gregorian

                year = Gregorian(today.year, today.month, today.day).to_hijri().year
            else:
                year = today.year
            parsed = _from_parts(year, month, day)
            if parsed.date and parsed.date > today:
                parsed = _from_parts(year - 1, month, day)
            return parsed
    return None


# English and Arabizi words of elapsed time, read as their Arabic (whole words, lower case).
_LATIN_WORDS = {
    **dict.fromkeys(("gabl", "gbl", "qabl", "9abl", "abl", "2abl", "ago"), "قبل"),
    **dict.fromkeys(("men", "min", "mn", "since"), "من"),
    **dict.fromkeys(("day", "days", "yom", "youm", "yoom", "yawm"), "يوم"),
    **dict.fromkeys(("ayam", "ayyam", "ayaam"), "ايام"),
    **dict.fromkeys(("week", "weeks", "osboo3", "usbu3", "esboo3", "esbo3", "osbo3"), "اسبوع"),
    **dict.fromkeys(("asabee3", "asabi3", "asabe3"), "اسابيع"),
    **dict.fromkeys(("osboo3ain", "esbo3en", "usbu3ain", "osbo3en", "esboo3ain"), "اسبوعين"),
    **dict.fromkeys(("month", "months", "shahr", "shahar", "sha7r"), "شهر"),
    **dict.fromkeys(("shahrain", "shahren", "shahrin"), "شهرين"),
    **dict.fromkeys(("yomain", "yomen", "yomin"), "يومين"),
    **dict.fromkeys(("yesterday", "ams", "embare7", "mbare7", "elbare7", "lbare7"), "امس"),
    "today": "اليوم",
    **dict.fromkeys(("a", "an", "one"), "1"),
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
}
# «3 weeks ago» says «ago» last: moved in front («قبل 3 اسبوع»).
_AGO_AFTER = re.compile(r"(\S+\s+\S+)\s+قبل\b")
_LAST_PERIOD = {"last week": "الاسبوع الماضي", "last month": "الشهر الماضي"}


def _latin_as_arabic(cleaned: str) -> str:
    """«3 weeks ago»، «gabl 3 asabee3»، «yesterday» in the Arabic the parser reads."""
    if not re.search(r"[a-z]", cleaned):
        return cleaned
    for phrase, arabic in _LAST_PERIOD.items():
        cleaned = cleaned.replace(phrase, arabic)
    words = [_LATIN_WORDS.get(word, word) for word in cleaned.split()]
    return _AGO_AFTER.sub(r"قبل \1", " ".join(words))


def parse_user_date(text: str, today: dt.date) -> DateParse:
    """Parse a past date typed by a user; refuse future, impossible or very old dates."""
    cleaned = _latin_as_arabic(normalise(text).strip().lower())
    cleaned = re.sub(r"(?<=\d)\s*(هـ|ه|هجري|هجريه|م|ميلادي|ميلاديه)\.?$", "", cleaned)
    cleaned = re.sub(r"^(بتاريخ|تاريخ|في|يوم)\s+", "", cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    parsed = _parse(cleaned, today)
    if parsed.error == "unparsed":
        parsed = _search(cleaned, today)
    if parsed.date is None:
        return parsed
    if parsed.date > today:
        return DateParse(error="future", calendar=parsed.calendar)
    if parsed.date < today.replace(year=today.year - OLDEST_ACCEPTED_YEARS):
        return DateParse(error="too_old", calendar=parsed.calendar)
    return parsed


_NUMERIC = (
    re.compile(r"(?<![\d/.\-])\d{4}\s*([-/.])\s*\d{1,2}\s*\1\s*\d{1,2}(?![\d/\-]|\.\d)"),
    re.compile(r"(?<![\d/.\-])\d{1,2}\s*([-/.])\s*\d{1,2}\s*\1\s*(?:\d{4}|\d{2})(?![\d/\-]|\.\d)"),
)
# Words before an elapsed time: «قبل»، «من»، «منذ»، «له / لها / لي» («صار لها أسبوعين»).
_AGO = {"قبل", "من", "منذ", "له", "لها", "لي", "صارلي", "صارلها", "صارله"}
_FILLERS = {"حوالي", "تقريبا", "يعني", "اكثر", "اقل", "قرابه", "نحو", "من", "شي", "بحدود"}
_UNIT_WORDS = {
    "يوم": 1,
    "ايام": 1,
    "اسبوع": 7,
    "اسابيع": 7,
    "جمعه": 7,
    "شهر": 30,
    "اشهر": 30,
    "شهور": 30,
    "سنه": 365,
    "سنوات": 365,
    "سنين": 365,
}
_DUAL_DAYS = {"يومين": 2, "اسبوعين": 14, "جمعتين": 14, "شهرين": 60, "سنتين": 730}
_WEEKDAYS = {
    "الاثنين": 0,
    "الثلاثاء": 1,
    "الثلاثا": 1,
    "الاربعاء": 2,
    "الاربعا": 2,
    "الخميس": 3,
    "الجمعه": 4,
    "السبت": 5,
    "الاحد": 6,
}
_DAY_WORDS = (
    (("بعد بكره", "بعد بكرا"), 2),
    (("بكره", "بكرا", "غدا", "باكر"), 1),
    (("قبل امس", "اول امس", "اول البارح", "اول البارحه", "قبل البارحه"), -2),
    (("امس", "البارحه", "البارح", "مبارح", "امبارح"), -1),
    (("اليوم", "الحين", "توه", "توني", "الان"), 0),
)


def _elapsed(words: list[str], today: dt.date) -> DateParse | None:
    """«قبل ٣ أسابيع تقريباً»، «من اسبوعين»، «صار لها عشرة أيام» anywhere in a sentence."""
    for index, word in enumerate(words):
        if word.lstrip("و") not in _AGO and word != "صار":
            continue
        rest = [w for w in words[index + 1 : index + 6] if w not in _FILLERS and w != "لي"]
        if not rest:
            continue
        if rest[0] in _DUAL_DAYS:
            return DateParse(today - dt.timedelta(days=_DUAL_DAYS[rest[0]]))
        if rest[0] in _UNIT_WORDS and (rest[0] != "يوم" or word in {"قبل", "منذ"}):
            return DateParse(today - dt.timedelta(days=_UNIT_WORDS[rest[0]]))
        found = number_at(rest, 0)
        if found and len(rest) > found[1] and rest[found[1]] in _UNIT_WORDS:
            days = found[0] * _UNIT_WORDS[rest[found[1]]]
            if days > 3650 * 2:
                return DateParse(error="too_old")
            return DateParse(today - dt.timedelta(days=days))
    return None


def _search(cleaned: str, today: dt.date) -> DateParse:
    """A date inside a sentence: «قدمتها في ١٥/١١/٢٠٢٦ الصبح»، «يوم 3 نوفمبر»،
    «من اسبوعين»، «قبل 10 ايام»، «امس»، «الأحد الماضي»."""
    cleaned = re.sub(r"(?<=\d)\s*(?:هـ|ه|هجري|هجريه|م|ميلادي|ميلاديه)(?!\w)", "", cleaned)
    for pattern in _NUMERIC:
        match = pattern.search(cleaned)
        if match:
            return _parse(re.sub(r"\s+", "", match.group(0)), today)
    named = _named_month(cleaned, today, search=True)
    if named is not None:
        return named
    words = re.findall(r"[^\W_]+", cleaned)
    elapsed = _elapsed(words, today)
    if elapsed is not None:
        return elapsed
    joined = " " + " ".join(words) + " "
    for phrases, offset in _DAY_WORDS:
        if any(f" {phrase} " in joined or f" و{phrase} " in joined for phrase in phrases):
            return DateParse(today + dt.timedelta(days=offset))
    if " الاسبوع الماضي " in joined or " الاسبوع اللي فات " in joined:
        return DateParse(today - dt.timedelta(days=7))
    if " الشهر الماضي " in joined or " الشهر اللي فات " in joined:
        return DateParse(today - dt.timedelta(days=30))
    for word in words:
        if word in _WEEKDAYS:
            back = (today.weekday() - _WEEKDAYS[word]) % 7 or 7
            return DateParse(today - dt.timedelta(days=back))
    return DateParse(error="unparsed")


def _parse(cleaned: str, today: dt.date) -> DateParse:
    match = re.fullmatch(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})", cleaned)
    if match:
        return _from_parts(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = re.fullmatch(r"(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{2}|\d{4})", cleaned)
    if match:
        year = int(match.group(3))
        if year < 100:
            year += 2000 if year <= today.year % 100 else 1400
        return _from_parts(year, int(match.group(2)), int(match.group(1)))
    relative = _relative(cleaned, today)
    if relative is not None:
        return relative
    named = _named_month(cleaned, today)
    if named is not None:
        return named
    return DateParse(error="unparsed")


ARABIC_WEEKDAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]


def format_date_ar(day: dt.date) -> str:
    """«الأحد 2026-11-29»: weekday name and ISO date with ASCII digits (readable on SMS)."""
    return f"{ARABIC_WEEKDAYS[day.weekday()]} {day.isoformat()}"
