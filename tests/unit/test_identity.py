import pytest

from bot.rules.identity import (
    mask_identifiers,
    mask_national_id,
    mask_phone,
    national_id_checksum_ok,
    parse_national_id,
    parse_saudi_mobile,
    with_check_digit,
)

VALID_CITIZEN = "1000000008"
VALID_RESIDENT = "2000000006"


def test_known_valid_ids_pass_the_checksum():
    assert national_id_checksum_ok(VALID_CITIZEN)
    assert national_id_checksum_ok(VALID_RESIDENT)


def test_one_wrong_digit_fails_the_checksum():
    assert parse_national_id("1000000007") == (None, "checksum")


@pytest.mark.parametrize(
    "typed",
    ["1000000008", "١٠٠٠٠٠٠٠٠٨", "100 000 0008", "۱۰۰۰۰۰۰۰۰۸", " 1000-000-008 "],
)
def test_id_typed_in_any_digits_and_spacing(typed):
    assert parse_national_id(typed) == (VALID_CITIZEN, None)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("12345", "format"), ("3000000004", "prefix"), ("abcdefghij", "format"), ("", "format")],
)
def test_id_rejections_say_why(typed, reason):
    assert parse_national_id(typed) == (None, reason)


@pytest.mark.parametrize(
    "typed",
    ["0551234567", "551234567", "+966551234567", "00966551234567", "966 55 123 4567", "٠٥٥١٢٣٤٥٦٧"],
)
def test_saudi_mobile_in_e164(typed):
    assert parse_saudi_mobile(typed) == "+966551234567"


@pytest.mark.parametrize(
    "typed", ["0112345678", "+971501234567", "05512345", "055123456789", "phone", ""]
)
def test_non_saudi_or_landline_refused(typed):
    assert parse_saudi_mobile(typed) is None


def test_masks_keep_at_most_the_last_two_digits():
    assert mask_national_id("1000000008") == "********08"
    assert mask_national_id("2123456781") == "********81"  # not even the kind (1 or 2)
    assert mask_phone("+966551234567") == "+**********67"
    assert mask_phone("+201234567890") == "+**********90"
    assert mask_national_id("1234") == "****" and mask_phone("+9665123") == "********"
    assert mask_national_id(None) == mask_phone("") == ""
    for value in ("1000000008", "+966551234567", "0551234567"):
        masked = mask_identifiers(f"x {value} y")
        assert sum(ch.isdigit() for ch in masked) == 2, masked


def test_a_check_digit_completes_nine_digits_into_a_valid_id() -> None:
    for body in ("100000000", "212345678", "109876543"):
        number = with_check_digit(body)
        assert number[:9] == body and national_id_checksum_ok(number)
        assert sum(national_id_checksum_ok(body + d) for d in "0123456789") == 1
    with pytest.raises(ValueError):
        with_check_digit("12345")
