"""Validation of the beneficiary's identifiers: national ID / iqama and Saudi mobile."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.rules.arabic import to_ascii_digits
from bot.rules.values import digit_groups

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


@dataclass(frozen=True)
class Finding:
    """A national ID or mobile found in an answer, or why none was (`error`), with the
    count of digits typed (`typed`, for 'length') and the values in doubt (`candidates`)."""

    value: str | None = None
    error: str | None = None
    typed: int = 0
    candidates: tuple[str, ...] = ()


TEN = range(10, 11)  # digits of an ID or iqama
MOBILE = range(9, 15)  # 5XXXXXXXX to 009665XXXXXXXX


def _one_of(found: list[str]) -> Finding | None:
    unique = list(dict.fromkeys(found))
    if len(unique) == 1:
        return Finding(unique[0])
    if len(unique) > 1:
        return Finding(error="ambiguous", candidates=tuple(unique))
    return None


def find_national_id(text: str) -> Finding:
    """The national ID / iqama in an answer («رقم هويتي ١٠٤٥١٢٣٤٥٣ لو سمحت», «my id is
    1045-123-453»): among the numbers typed, the one that is a valid ID. Otherwise the
    error says what was wrong: 'no_digits'; 'length' (`typed` digits, not 10); 'mobile'
    (a Saudi mobile was typed); 'prefix' (10 digits, not starting with 1 or 2);
    'checksum' (the check digit does not match); 'ambiguous' (two different valid IDs)."""
    groups = digit_groups(text)
    if not groups:
        return Finding(error="no_digits")
    found = [v for g in groups for v in g.found(_as_national_id, TEN)]
    chosen = _one_of(found)
    if chosen is not None:
        return chosen
    tens = [d for g in groups for d in g.found(lambda d, _: d, TEN)]
    attempts = [d for d in tens if d[0] in "12"]
    if attempts:
        return Finding(error=parse_national_id(attempts[0])[1], candidates=(attempts[0],))
    others = [g for g in groups if not g.found(_as_mobile, MOBILE, g.international)]
    if not others:
        return Finding(error="mobile")
    tens = [d for g in others for d in g.found(lambda d, _: d, TEN)]
    if tens:
        return Finding(error="prefix", candidates=(tens[0],))
    return Finding(error="length", typed=max(len(g.digits) for g in others))


def _as_mobile(digits: str, plus: bool) -> str | None:
    """`parse_saudi_mobile` of ASCII digits typed after `+` (`plus`) or not."""
    national = digits if plus else digits.removeprefix("00")
    national = national.removeprefix("966").removeprefix("0")
    return "+966" + national if len(national) == 9 and national[0] == "5" else None


def _as_national_id(digits: str, _plus: bool = False) -> str | None:
    return digits if digits[0] in "12" and national_id_checksum_ok(digits) else None


def find_saudi_mobile(text: str) -> Finding:
    """The Saudi mobile in an answer («جوالي ٠٥٥ ١٢٣ ٤٥٦٧», «+966 55 123 4567»), in
    E.164. Otherwise the error says what was wrong: 'no_digits'; 'foreign' (another
    country's code); 'landline' (a Saudi fixed line, 01…); 'national_id' (a valid ID was
    typed); 'length' (a 05… number with `typed` digits, not 10) or
    'length_international' (`typed` digits after 966, not 9); 'not_mobile' (anything
    else); 'ambiguous' (two different mobiles)."""
    groups = digit_groups(text)
    if not groups:
        return Finding(error="no_digits")
    chosen = _one_of([v for g in groups for v in g.found(_as_mobile, MOBILE, g.international)])
    if chosen is not None:
        return chosen
    attempt = max(groups, key=lambda g: len(g.digits))
    digits = attempt.digits
    international = attempt.international
    if international:
        digits = digits[2:] if digits.startswith("00") else digits
        if not digits.startswith("966"):
            return Finding(error="foreign")
    if digits.startswith("966") and (international or len(digits) >= 11):
        national = digits[3:].removeprefix("0")
        if national.startswith("5"):
            return Finding(error="length_international", typed=len(national))
        international = True
    else:
        national = digits.removeprefix("0")
    if (
        national.startswith("1")
        and len(national) in (8, 9)
        and (international or digits.startswith("0"))
    ):
        return Finding(error="landline")
    if any(_as_national_id(d) for g in groups for _, _, d in g.windows(TEN)):
        return Finding(error="national_id")
    if national.startswith("5"):
        return Finding(error="length", typed=len(digits))
    return Finding(error="not_mobile")


# A masked identifier shows at most its last two digits (the last four are no secret a
# stranger cannot type, and were once taken as proof of ownership).
VISIBLE_DIGITS = 2


def mask_national_id(value: str | None) -> str:
    """Only the last two digits: ********89 (a value of four characters or fewer: none)."""
    if not value:
        return ""
    if len(value) <= 2 * VISIBLE_DIGITS:
        return "*" * len(value)
    return "*" * (len(value) - VISIBLE_DIGITS) + value[-VISIBLE_DIGITS:]


def mask_phone(value: str | None) -> str:
    """+**********67: a leading `+` and only the last two digits (eight characters or
    fewer: none)."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    plus = "+" if value.startswith("+") else ""
    hidden = len(value) - len(plus) - VISIBLE_DIGITS
    return plus + "*" * hidden + value[-VISIBLE_DIGITS:]


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


# ---------------------------------------------------------------- mobiles of any country

_TEXTABLE = None  # phonenumbers' number types that can receive an SMS (filled on first use)


def _textable_types() -> frozenset[int]:
    global _TEXTABLE
    if _TEXTABLE is None:
        from phonenumbers import PhoneNumberType

        _TEXTABLE = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
    return _TEXTABLE


def international_mobile(number: str) -> tuple[str | None, str | None]:
    """(the E.164 form, None) of a mobile typed with its country code (`+44 7911 123456`,
    `0044…`), validated by the `phonenumbers` library; else (None, 'foreign_landline' or
    'foreign_invalid')."""
    import phonenumbers

    digits = re.sub(r"\D", "", to_ascii_digits(number))
    digits = digits.removeprefix("00")
    try:
        parsed = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None, "foreign_invalid"
    if not phonenumbers.is_valid_number(parsed):
        return None, "foreign_invalid"
    if phonenumbers.number_type(parsed) not in _textable_types():
        return None, "foreign_landline"
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), None


def find_mobile(text: str) -> Finding:
    """The mobile in an answer, of any country: a Saudi mobile as `find_saudi_mobile` reads
    it (in any local form), or another country's mobile typed with its code (`+44…`,
    `0044…`), in E.164. The errors are `find_saudi_mobile`'s, with 'foreign_landline' and
    'foreign_invalid' for another country's number that is no mobile or no number."""
    found = find_saudi_mobile(text)
    if found.error != "foreign":
        return found
    international = [g for g in digit_groups(text) if g.international]
    values, errors = [], []
    for group in international:
        value, error = international_mobile(group.digits)
        (values if value else errors).append(value or error)
    chosen = _one_of(values)
    if chosen is not None:
        return chosen
    return Finding(error=errors[0] if errors else "foreign_invalid")


def is_e164_mobile(value: str | None) -> bool:
    """A stored mobile as the forms store it: E.164, a valid mobile of its country."""
    if not value or not re.fullmatch(r"\+\d{8,15}", value):
        return False
    if value.startswith("+966"):
        return parse_saudi_mobile(value) == value
    return international_mobile(value) == (value, None)
