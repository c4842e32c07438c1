"""Validation of the beneficiary's identifiers: national ID / iqama and Saudi mobile."""

from __future__ import annotations

import re

from bot.rules.arabic import to_ascii_digits

_SEPARATORS = re.compile(r"[\s\-\u00a0.()]+")


def digits_only(text: str) -> str:
    """ASCII digits of `text` once separators are removed; other characters are kept."""
    return _SEPARATORS.sub("", to_ascii_digits(text.strip()))


def national_id_checksum_ok(number: str) -> bool:
    """The Saudi ID/iqama check digit: Luhn over the ten digits.

    Digits in odd positions (1st, 3rd, ...) are doubled and their digits summed;
    the total must be a multiple of ten.
    """
    if not re.fullmatch(r"\d{10}", number):
        return False
    total = 0
    for position, char in enumerate(number):
        digit = int(char)
        if position % 2 == 0:
            doubled = digit * 2
            total += doubled // 10 + doubled % 10
        else:
            total += digit
    return total % 10 == 0


def with_check_digit(body: str) -> str:
    """The nine digits `body` followed by the check digit that makes a valid ID or iqama
    (for demo and test data)."""
    if not re.fullmatch(r"\d{9}", body):
        raise ValueError("an ID body is nine digits")
    return next(body + digit for digit in "0123456789" if national_id_checksum_ok(body + digit))


def parse_national_id(text: str) -> tuple[str | None, str | None]:
    """Return (id, None) when valid, else (None, reason) with reason in
    {'format', 'prefix', 'checksum'}."""
    candidate = digits_only(text)
    if not re.fullmatch(r"\d{10}", candidate):
        return None, "format"
    if candidate[0] not in "12":
        return None, "prefix"
    if not national_id_checksum_ok(candidate):
        return None, "checksum"
    return candidate, None


def parse_saudi_mobile(text: str) -> str | None:
    """Return the number in E.164 (+9665XXXXXXXX) or None if it is not a Saudi mobile."""
    candidate = digits_only(text)
    if candidate.startswith("+"):
        candidate = candidate[1:]
    elif candidate.startswith("00"):
        candidate = candidate[2:]
    if not candidate.isdigit():
        return None
    if candidate.startswith("966"):
        candidate = candidate[3:]
    if candidate.startswith("0"):
        candidate = candidate[1:]
    if re.fullmatch(r"5\d{8}", candidate):
        return "+966" + candidate
    return None


def mask_national_id(value: str | None) -> str:
    """Show only the last four digits: 1*****6789."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 5) + value[-4:] if len(value) > 5 else "*" * len(value)


def mask_phone(value: str | None) -> str:
    """+9665*****4567: keep the country code, the 5 and the last four digits."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:5] + "*" * (len(value) - 9) + value[-4:]


_ANY_DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"  # ASCII, Arabic-Indic, Persian
# A run of 8..16 digits, optionally after `+`, with single spaces or dashes between digits,
# not touching another digit.
_DIGIT_RUN = re.compile(
    rf"(?<![{_ANY_DIGIT}+])\+?[{_ANY_DIGIT}](?:[ \-]?[{_ANY_DIGIT}]){{7,15}}(?![{_ANY_DIGIT}])"
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _masked_run(match: re.Match[str]) -> str:
    run = match.group(0)
    compact = to_ascii_digits(run).replace(" ", "").replace("-", "")
    mobile = parse_saudi_mobile(compact)
    if mobile is not None:
        return mask_phone(mobile)
    digits = compact.lstrip("+")
    separated = compact != to_ascii_digits(run)
    if re.fullmatch(r"[12]\d{9}", digits) and not (
        separated and _ISO_DATE.match(to_ascii_digits(run))
    ):
        return mask_national_id(digits)
    if compact.startswith("+") and 8 <= len(digits) <= 15:
        return mask_phone(compact)  # a mobile of another country
    return run


def mask_identifiers(text: str) -> str:
    """`text` with every national ID / iqama (10 digits starting 1 or 2) and every mobile
    (Saudi, typed in any of its forms, or any `+` international number) masked as
    `mask_national_id` and `mask_phone` show them; in ASCII, Arabic-Indic or Persian
    digits, compact or grouped by spaces or dashes. Report numbers (9 digits, starting with
    the year) and dates are left alone. For logs: over-masking is preferred to a leak."""
    if not text or not any(c.isdigit() for c in text):
        return text
    return _DIGIT_RUN.sub(_masked_run, text)
