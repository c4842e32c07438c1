"""Every kind of beneficiary files with the identifier that fits it, and mobiles of any
country are stored in E.164 (`bot.rules.beneficiary`, `bot.rules.identity.find_mobile`)."""

from __future__ import annotations

import pytest

from bot.rules.beneficiary import (
    identifier_fits,
    identify,
    kind_named,
    needs_nationality,
    needs_organisation,
)
from bot.rules.identity import find_mobile, is_e164_mobile


@pytest.mark.parametrize(
    ("answer", "kind", "identifier"),
    [
        ("1000000008", "citizen", "1000000008"),  # no question: the ID says who
        ("رقم اقامتي ٢٠٠٠٠٠٠٠٠٦", "resident", "2000000006"),
        ("الرقم الموحد 7001234567", "business", "7001234567"),
        ("رقم الحدود 3012345678", "visitor", "3012345678"),
        ("جوازي رقمه a1234567", "visitor", "A1234567"),
        ("passport no. 987654321X", "visitor", "987654321X"),
    ],
)
def test_the_first_answer_tells_the_kind_when_it_can(answer, kind, identifier):
    found = identify(answer)
    assert (found.kind, found.identifier, found.error) == (kind, identifier, None)


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ("انا زائر ما عندي هوية", "visitor"),
        ("نحن شركة", "business"),
        ("جهة حكومية", "government"),
        ("جمعية خيرية", "nonprofit"),
        ("I'm a tourist", "visitor"),
        ("مقيم وعندي شركة", "business"),  # the organisation files
    ],
)
def test_words_tell_the_kind_and_the_number_is_asked_next(answer, kind):
    found = identify(answer)
    assert (found.kind, found.identifier, found.error) == (kind, None, None)
    assert kind_named(answer) == kind


def test_an_unclear_answer_keeps_the_national_id_errors():
    assert identify("1000000007").error == "checksum"
    assert identify("0551234567").error == "mobile"
    assert identify("مرحبا").error == "no_digits"
    assert identify("مرحبا").kind is None


@pytest.mark.parametrize(
    ("kind", "answer", "identifier", "error"),
    [
        ("business", "السجل التجاري 1010123456", "1010123456", None),  # no check digit
        ("business", "ما اعرف", None, "business"),
        ("visitor", "12345678", "12345678", None),  # a passport of digits
        ("visitor", "ما عندي", None, "visitor"),
        ("government", "رقم الجهة GOV-2231", "GOV-2231", None),
        ("nonprofit", "ترخيص رقم 1234", "1234", None),
        ("nonprofit", "ما ادري", None, "organisation"),
        ("visitor", "1000000008", "1000000008", None),  # a valid ID is still an ID
    ],
)
def test_a_known_kind_takes_its_own_identifier(kind, answer, identifier, error):
    found = identify(answer, kind)
    assert (found.identifier, found.error) == (identifier, error)


def test_what_each_identifier_brings_with_it():
    assert needs_nationality("visitor", "A1234567")
    assert not needs_nationality("visitor", "3012345678")  # a border number says it
    assert not needs_nationality("citizen", "1000000008")
    assert all(needs_organisation(k) for k in ("business", "government", "nonprofit"))
    assert not needs_organisation("visitor")


@pytest.mark.parametrize(
    ("kind", "identifier", "fits"),
    [
        ("citizen", "1000000008", True),
        ("citizen", "2000000006", False),
        (None, "1000000008", True),  # reports from before the kinds
        ("resident", "2000000006", True),
        ("visitor", "3012345678", True),
        ("visitor", "A1234567", True),
        ("visitor", "<script>", False),
        ("business", "7001234567", True),
        ("business", "70012", False),
        ("government", "GOV-2231", True),
        ("pirate", "1000000008", False),
    ],
)
def test_identifiers_are_checked_again_before_filing(kind, identifier, fits):
    assert identifier_fits(kind, identifier) is fits


@pytest.mark.parametrize(
    ("typed", "value", "error"),
    [
        ("0551234567", "+966551234567", None),
        ("+44 7911 123456", "+447911123456", None),  # a British mobile
        ("جوالي 00201001234567", "+201001234567", None),  # Egyptian, typed with 00
        ("+1 202 555 0123", "+12025550123", None),  # US numbers may be mobiles
        ("+44 20 7946 0958", None, "foreign_landline"),
        ("+999 123", None, "foreign_invalid"),
        ("011 234 5678", None, "landline"),  # the Saudi errors stay as they were
    ],
)
def test_mobiles_of_any_country_are_stored_in_e164(typed, value, error):
    found = find_mobile(typed)
    assert (found.value, found.error) == (value, error)


def test_stored_mobiles_are_checked_again_before_filing():
    assert is_e164_mobile("+966551234567")
    assert is_e164_mobile("+447911123456")
    assert not is_e164_mobile("+442079460958")  # a landline
    assert not is_e164_mobile("0551234567")
    assert not is_e164_mobile(None)
