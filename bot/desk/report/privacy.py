"""Personal data out of the comments quoted in the report.

Comments are free text: people type their ID, mobile, e-mail or name in them. The
report quotes them, so every identifier is replaced by a neutral placeholder (not
masked: a published sample must not carry even part of an ID). Numbers are recognised
with the same rules as the forms (`bot.rules.identity`), in any digits; names with the
beneficiary's own name on file and the usual «اسمي …» phrasing.
"""

from __future__ import annotations

import re

from bot.rules.arabic import comparison_key, to_ascii_digits
from bot.rules.identity import digits_only, parse_saudi_mobile

NATIONAL_ID = "[رقم الهوية]"
MOBILE = "[رقم الجوال]"
NUMBER = "[رقم]"
EMAIL = "[البريد الإلكتروني]"
NAME = "[الاسم]"

# A run of digits, possibly with the separators people type inside phone numbers.
_DIGIT_RUN = re.compile(r"\+?\d(?:[\d\s\-\u00a0.()]*\d)?")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[\dA-Z]{4}){3,7}(?: ?[\dA-Z]{1,4})?\b", re.IGNORECASE)
# «اسمي …» / «أنا المواطن …» introduce a name: the next two words go.
_NAME_INTRO = re.compile(
    r"((?:^|\s)(?:اسمي|إسمي|أسمي|أنا المواطن|أنا المواطنة)\s+)(\S+(?:\s+\S+)?)"
)
_WORD = re.compile(r"[^\s،,.!؟?:;«»()\"']+")


def _digits_placeholder(candidate: str) -> str | None:
    digits = digits_only(candidate).lstrip("+")
    if parse_saudi_mobile(candidate):
        return MOBILE
    if re.fullmatch(r"[12]\d{9}", digits):
        return NATIONAL_ID
    if len(digits) >= 10:  # IBANs, other long identifiers
        return NUMBER
    return None  # dates, amounts, report numbers (9 digits) are not personal


def _replace_numbers(text: str) -> str:
    """Runs of ASCII digits that are a mobile, an ID or a long identifier."""

    def replace(match: re.Match[str]) -> str:
        return _digits_placeholder(match.group()) or match.group()

    return _DIGIT_RUN.sub(replace, text)


def _replace_name(text: str, name: str | None) -> str:
    """Words of the beneficiary's name on file (3 letters or more), however spelt."""
    if not name:
        return text
    parts = {comparison_key(part) for part in name.split() if len(part) >= 3}
    parts.discard("")
    if not parts:
        return text

    def replace(match: re.Match[str]) -> str:
        return NAME if comparison_key(match.group()) in parts else match.group()

    text = _WORD.sub(replace, text)
    return re.sub(rf"{re.escape(NAME)}(?:\s+{re.escape(NAME)})+", NAME, text)


def scrub(comment: str, beneficiary_name: str | None = None) -> str:
    """The comment with IDs, mobiles, IBANs and long numbers, e-mails and names replaced
    (digits come back as ASCII digits)."""
    text = _EMAIL.sub(EMAIL, comment)
    text = _IBAN.sub(NUMBER, to_ascii_digits(text))
    text = _replace_numbers(text)
    text = _NAME_INTRO.sub(lambda m: m.group(1) + NAME, text)
    return _replace_name(text, beneficiary_name).strip()
