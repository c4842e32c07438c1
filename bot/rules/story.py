"""What a citizen's opening message already says about their complaint.

Citizens often start with the whole story: «قدمت شكوى على صحتي من ثلاث أسابيع، وقالوا
يردون خلال 5 أيام عمل وما ردوا، أبي أصعد». The form should keep what the story says and ask
only what is missing. Only facts stated plainly are kept: a fact that is denied («ما
قفلوها») or two triggers at once leave the question to the form, and everything kept is
shown back to the citizen and repeated in the summary before filing, so a misreading is
corrected before it decides anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.rules.arabic import normalise, to_ascii_digits
from bot.rules.catalogue import Catalogue
from bot.rules.eligibility import Trigger

_NEGATION = r"(?:ما|مو|مب|مش|لم|لا|ليس|ليست|غير|بدون|دون|مو\s+هم)"
# «قفلوا الشكوى»، «انغلقت»، «سكروا البلاغ»: the complaint was closed by the entity.
_CLOSED = re.compile(
    r"(?<!\S)(?:(?P<neg>" + _NEGATION + r")\s+(?:\S+\s+)?)?[وف]?"
    r"(?:قفلو|قفلت|قفل|اقفلو|اقفلت|سكرو|سكرت|انقفلت|انقفل|انغلقت|انغلق|اغلقو|اغلقت|اغلق|"
    r"مقفل|مغلق|تم اغلاق|تم قفل|closed)"
)
# «ما قدرت أقدم الشكوى لأن الموقع معطل»: the entity's system prevented filing.
_COULD_NOT_FILE = re.compile(
    r"(?:ما قدرت|ما اقدر|ماقدرت|مقدرتش|ما قدر|لم استطع|لم اتمكن|ما تمكنت|تعذر|ما عرفت|حاولت|"
    r"couldn'?t|can'?t|tried to)\s+(?:\S+\s+){0,3}?(?:ال)?(?:شكو|شكاوي|بلاغ|اشتكي|complaint)"
)
_SYSTEM_FAILURE = re.compile(
    r"معطل|تعطل|عطل|خلل|خطا|error|ايرور|ما يفتح|مايفتح|ما يشتغل|واقف|طايح|down|يعلق|ما يستجيب"
)
# «ما حددوا مدة»، «بدون مدة للرد»: no response time was set.
_NO_SLA = re.compile(
    r"(?:ما|لم|بدون|ولا)\s+(?:\S+\s+){0,2}?(?:حدد|تحدد|يحدد|عطو|اعطو|فيه|في)\S*\s+"
    r"(?:\S+\s+){0,2}?(?:مده|وقت|موعد)"
    r"|بدون\s+(?:تحديد\s+)?(?:مده|وقت)"
)
_DAY_WORDS = {
    "يوم": 1,
    "يومين": 2,
    "ثلاث": 3,
    "ثلاثه": 3,
    "اربع": 4,
    "اربعه": 4,
    "خمس": 5,
    "خمسه": 5,
    "ست": 6,
    "سته": 6,
    "سبع": 7,
    "سبعه": 7,
    "ثمان": 8,
    "ثمانيه": 8,
    "تسع": 9,
    "تسعه": 9,
    "عشر": 10,
    "عشره": 10,
}
# «خلال 5 أيام»، «مدة الرد ٧ أيام عمل»، «وعدوني يردون بعد يومين»: the promised days.
# Elapsed time («من 3 أسابيع»، «قبل شهر»، «صار لي 10 أيام») is not a promise.
_PROMISE = (
    r"(?:خلال|غضون|مدته|مدتها|مده الرد|المحدده|للرد|وعدو\S*|قالو\S*|حددو\S*|يردون|بيردون|within)"
)
_ELAPSED = r"(?<!قبل )(?<!من )(?<!منذ )(?<!لي )(?<!له )(?<!صار )(?<!بعد )"
_PROMISED_DAYS = re.compile(
    _PROMISE
    + r"\s+(?:\S+\s+){0,4}?"
    + _ELAPSED
    + r"(?P<number>\d{1,2}|"
    + "|".join(sorted(_DAY_WORDS, key=len, reverse=True))
    + r")\s*(?P<unit>ايام|يوم|days?|اسابيع|اسبوع)?(?!\S*\d)"
)
_WEEKS = re.compile(
    _PROMISE + r"\s+(?:\S+\s+){0,4}?" + _ELAPSED + r"(?P<weeks>اسبوعين|اسبوع)(?!\S)"
)
# «رقم الشكوى 4471-2026»، «رقم البلاغ عندهم INC-2026-7781».
_REFERENCE = re.compile(
    r"رقم\s+(?:ال)?(?:شكوي|شكوا|بلاغ|طلب|تذكره|مرجع)\s+(?:\S+\s+){0,2}?"
    r"(?P<reference>[a-z]{0,5}[-/]?\d[a-z0-9\-/]{2,36})(?![a-z0-9])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class StoryFacts:
    """Facts of a complaint stated in one message; None where it says nothing clear."""

    entity: str | None = None
    platform: str | None = None
    service: str | None = None
    trigger: Trigger | None = None
    sla_days: int | None = None
    prior_complaint_number: str | None = None

    def slots(self) -> dict[str, str]:
        """The complaint form's slots these facts fill."""
        values = {
            "entity": self.entity,
            "platform": self.platform,
            "service": self.service,
            "complaint_trigger": self.trigger.value if self.trigger else None,
            "sla_days": str(self.sla_days) if self.sla_days else None,
            "prior_complaint_number": self.prior_complaint_number,
        }
        return {slot: value for slot, value in values.items() if value is not None}


def _plain(text: str) -> str:
    return re.sub(r"[^\w\s\-/']", " ", normalise(to_ascii_digits(text)).lower())


def promised_days(text: str) -> int | None:
    """The response time the entity promised, in days, when the text states one
    («قالوا خلال ٥ أيام عمل»; a week is 5 working days)."""
    plain = _plain(text)
    weeks = _WEEKS.search(plain)
    match = _PROMISED_DAYS.search(plain)
    if match and (match.group("unit") or not match.group("number").isdigit()):
        number = match.group("number")
        days = int(number) if number.isdigit() else _DAY_WORDS[number]
        if match.group("unit") in ("اسبوع", "اسابيع"):
            days *= 5
        return days if 1 <= days <= 90 else None
    if weeks:
        return 10 if weeks.group("weeks") == "اسبوعين" else 5
    return None


def _closed(plain: str) -> bool:
    return any(match.group("neg") is None for match in _CLOSED.finditer(plain))


def story_trigger(text: str) -> Trigger | None:
    """The escalation trigger a story states, when it states exactly one."""
    plain = _plain(text)
    found = set()
    if _closed(plain):
        found.add(Trigger.CLOSED_UNSATISFIED)
    if promised_days(text) is not None:
        found.add(Trigger.SLA_PASSED)
    if _NO_SLA.search(plain):
        found.add(Trigger.NO_SLA)
    if _COULD_NOT_FILE.search(plain) and _SYSTEM_FAILURE.search(plain):
        found.add(Trigger.TECHNICAL_FAILURE)
    return found.pop() if len(found) == 1 else None


def prior_reference(text: str) -> str | None:
    """The entity's complaint number when the story gives it after «رقم الشكوى»."""
    match = _REFERENCE.search(normalise(to_ascii_digits(text)))
    return match.group("reference").upper() if match else None


def read_story(text: str, catalogue: Catalogue) -> StoryFacts:
    """Everything the opening message says plainly about the complaint."""
    entity, platform, service = catalogue.mentioned(text)
    trigger = story_trigger(text)
    return StoryFacts(
        entity=entity.name if entity else None,
        platform=platform.name if platform else None,
        service=service.name if service else None,
        trigger=trigger,
        sla_days=promised_days(text) if trigger is Trigger.SLA_PASSED else None,
        prior_complaint_number=(
            prior_reference(text) if trigger is not Trigger.TECHNICAL_FAILURE else None
        ),
    )
