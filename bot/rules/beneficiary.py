"""Who the beneficiary is, as the guide defines «المستفيد»: «المواطن، أو المقيم، أو الزائر،
أو الجهات الحكومية، أو منظمات القطاع الخاص، أو غير الربحي داخل المملكة وخارجها».

Each kind files with the identifier that fits it:
- citizen: the national ID (10 digits, starts with 1, check digit);
- resident: the iqama (10 digits, starts with 2, check digit);
- visitor: the border number (10 digits, starts with 3 or 4) or the passport number
  (letters and digits) with the nationality;
- business: the unified national number (10 digits, starts with 7) or the commercial
  registration (10 digits), with the establishment's name;
- government body and non-profit: the organisation's identifier and name; the person who
  writes is the contact person.

`identify` reads the first answer to the identifier question: a valid ID or iqama, a
unified number, a border number or a passport tells the kind by itself; words such as
«أنا زائر» or «شركة» tell the kind without the identifier (it is then asked for with the
kind's own wording). Only when none of that is clear does the form ask which kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.rules.arabic import normalise, to_ascii_digits
from bot.rules.identity import find_national_id, national_id_checksum_ok
from bot.rules.values import digit_groups

KINDS = ("citizen", "resident", "visitor", "business", "government", "nonprofit")
ORGANISATIONS = ("business", "government", "nonprofit")
# Words that say the kind (normalised spelling); read only at the identifier question.
KIND_WORDS = {
    "visitor": (
        *("زائر", "زاير", "زايره", "زائره", "زياره", "سائح", "سايح", "سياحه", "جواز", "جوازي"),
        *("رقم الحدود", "حدود", "visitor", "tourist", "visit", "passport"),
    ),
    "business": (
        *("شركه", "شركتنا", "منشاه", "مؤسسه تجاريه", "موسسه تجاريه", "سجل تجاري", "السجل التجاري"),
        *("الرقم الموحد", "الرقم الوطني الموحد", "قطاع خاص", "company", "business"),
    ),
    "government": ("جهه حكوميه", "جهة حكومية", "حكوميه", "جهتنا الحكوميه", "government"),
    "nonprofit": (
        *("جمعيه", "خيريه", "غير ربحي", "غير ربحيه", "قطاع غير ربحي", "مؤسسه اهليه"),
        *("nonprofit", "non-profit", "charity", "ngo"),
    ),
    "resident": ("مقيم", "مقيمه", "اقامه", "اقامتي", "resident", "iqama"),
    "citizen": ("مواطن", "مواطنه", "سعودي", "سعوديه", "citizen"),
}
_PASSPORT = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,3}[0-9]{5,12}|[0-9]{6,12}[A-Za-z]{1,2})(?![A-Za-z0-9])"
)
_ORG_ID = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9][A-Za-z0-9\-/]{1,28}[A-Za-z0-9])(?![A-Za-z0-9])")


@dataclass(frozen=True)
class Identified:
    """The kind and identifier read from an answer. `kind` without `identifier`: the
    answer said who they are, not the number. `error`: why nothing was read (the errors of
    `find_national_id` for a citizen or resident, or 'visitor' / 'business' /
    'organisation' for the other kinds' identifiers)."""

    kind: str | None = None
    identifier: str | None = None
    error: str | None = None
    passport: bool = False
    typed: int = 0
    candidates: tuple[str, ...] = ()


def kind_named(text: str) -> str | None:
    """The one kind the words name («أنا زائر»، «نحن جمعية خيرية»), or None."""
    plain = f" {normalise(to_ascii_digits(text or '')).lower()} "
    named = {
        kind
        for kind, words in KIND_WORDS.items()
        if any(
            re.search(rf"(?<!\w)(?:ال)?{re.escape(normalise(w).lower())}(?!\w)", plain)
            for w in words
        )
    }
    if {"citizen", "resident"} & named and named - {"citizen", "resident"}:
        named -= {"citizen", "resident"}  # «مقيم وعندي شركة»: the organisation files
    return named.pop() if len(named) == 1 else None


def _tens(text: str) -> list[str]:
    return [d for g in digit_groups(text) for d in g.found(lambda d, _: d, range(10, 11))]


def unified_number(text: str) -> str | None:
    """The unified national number of an establishment: 10 digits starting with 7."""
    found = [d for d in _tens(text) if d.startswith("7")]
    return found[0] if len(set(found)) == 1 else None


def border_number(text: str) -> str | None:
    """A visitor's border number: 10 digits starting with 3 or 4."""
    found = [d for d in _tens(text) if d[0] in "34"]
    return found[0] if len(set(found)) == 1 else None


def passport_number(text: str) -> str | None:
    """A passport number: letters and digits (A12345678, 12345678X), upper-cased."""
    found = {m.upper() for m in _PASSPORT.findall(to_ascii_digits(text or ""))}
    return found.pop() if len(found) == 1 else None


def commercial_registration(text: str) -> str | None:
    """A commercial registration number: 10 digits (its first four say the city)."""
    found = _tens(text)
    return found[0] if len(set(found)) == 1 else None


def organisation_id(text: str) -> str | None:
    """An organisation's identifier as it is written (3 to 30 letters, digits, - or /,
    with at least one digit)."""
    found = [
        m.upper()
        for m in _ORG_ID.findall(to_ascii_digits(text or ""))
        if any(ch.isdigit() for ch in m)
    ]
    return found[0] if len(set(found)) == 1 else None


def identify(text: str, kind: str | None = None) -> Identified:
    """The kind and identifier of an answer to the identifier question. `kind`: already
    known (a button pressed, or said before); the identifier must then fit it."""
    if kind in (None, "citizen", "resident"):
        found = find_national_id(text)
        if found.value:
            return Identified("citizen" if found.value[0] == "1" else "resident", found.value)
        if kind is not None:
            return Identified(
                kind, error=found.error, typed=found.typed, candidates=found.candidates
            )
    if kind in (None, "business"):
        number = unified_number(text)
        if number:
            return Identified("business", number)
        if kind == "business":
            registration = commercial_registration(text)
            return Identified("business", registration, error=None if registration else "business")
    if kind in (None, "visitor"):
        number = border_number(text)
        if number:
            return Identified("visitor", number)
        passport = passport_number(text)
        if passport:
            return Identified("visitor", passport, passport=True)
        if kind == "visitor":
            digits = [d for g in digit_groups(text) for d in (g.digits,)]
            if digits and len(max(digits, key=len)) >= 6:
                # digits only, not a border number: a passport of digits
                return Identified("visitor", max(digits, key=len), passport=True)
            return Identified("visitor", error="visitor")
    if kind in ("government", "nonprofit"):
        number = organisation_id(text)
        return Identified(kind, number, error=None if number else "organisation")
    named = kind_named(text)
    if named is not None:
        return Identified(named)
    found = find_national_id(text)
    return Identified(error=found.error, typed=found.typed, candidates=found.candidates)


def kind_of_national_id(identifier: str | None) -> str | None:
    """The kind a national ID or iqama says by itself (1…: citizen, 2…: resident), for data
    from before the kinds were recorded; None for any other identifier."""
    if identifier and identifier[0] in "12":
        return "citizen" if identifier[0] == "1" else "resident"
    return None


def needs_nationality(kind: str | None, identifier: str | None) -> bool:
    """A passport number says nothing without the country that issued it."""
    return kind == "visitor" and bool(identifier) and not _is_border(identifier)


def _is_border(identifier: str) -> bool:
    return bool(re.fullmatch(r"[34]\d{9}", identifier))


def needs_organisation(kind: str | None) -> bool:
    return kind in ORGANISATIONS


def identifier_fits(kind: str | None, identifier: str | None) -> bool:
    """Does a stored identifier fit its kind (checked again before filing)?"""
    if not identifier:
        return False
    if kind in (None, "citizen"):
        return identifier[0] == "1" and national_id_checksum_ok(identifier)
    if kind == "resident":
        return identifier[0] == "2" and national_id_checksum_ok(identifier)
    if kind == "visitor":
        return _is_border(identifier) or bool(re.fullmatch(r"[A-Z0-9]{5,15}", identifier))
    if kind == "business":
        return bool(re.fullmatch(r"\d{10}", identifier))
    if kind in ("government", "nonprofit"):
        return bool(re.fullmatch(r"[A-Z0-9][A-Z0-9\-/]{1,28}[A-Z0-9]", identifier))
    return False
