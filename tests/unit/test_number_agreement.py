"""Every number in an Arabic message agrees with its noun (issue 21, item 6): 1 and 2 have
their own forms, 3 to 10 take the plural, 11 and more the singular («180 دقيقة», never «180
دقائق»). Checked over the wording helpers and over every response of the domain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.actions.report_form import digits_typed
from bot.desk.sign_in import wait_in_arabic
from bot.rules.arabic import counted
from bot.rules.codes import tries_left_text, wait_text

ROOT = Path(__file__).resolve().parents[2]
PLURALS = {"أيام", "ساعات", "دقائق", "أرقام", "محاولات", "أشهر", "ملفات", "ثوانٍ", "أسابيع"}
SINGULARS = {"يوم", "يوماً", "ساعة", "دقيقة", "رقماً", "محاولة", "شهر", "شهراً", "ملف", "ثانية"}
_COUNT = re.compile(r"(?<![\d{])(\d+)\)?\s+([^\s،.:)؟!]+)")


def agrees(number: int, noun: str) -> bool:
    if noun in PLURALS:
        return 3 <= number % 100 <= 10
    if noun in SINGULARS:
        return not 3 <= number % 100 <= 10
    return True  # not a counted noun


@pytest.mark.parametrize(
    ("number", "expected"),
    [(1, "دقيقة واحدة"), (2, "دقيقتين"), (3, "3 دقائق"), (10, "10 دقائق"), (11, "11 دقيقة")],
)
def test_counted_follows_the_grammar(number, expected):
    assert counted(number, "دقيقة واحدة", "دقيقتين", "دقائق", "دقيقة") == expected
    assert counted(180, "دقيقة واحدة", "دقيقتين", "دقائق", "دقيقة") == "180 دقيقة"
    assert counted(103, "دقيقة واحدة", "دقيقتين", "دقائق", "دقيقة") == "103 دقائق"


@pytest.mark.parametrize("number", [1, 2, 3, 4, 9, 10, 11, 12, 25, 99, 100, 103, 180])
def test_the_wording_helpers_agree(number):
    for text in (
        digits_typed(number),
        tries_left_text(number),
        wait_text(number),
        wait_text(number * 60),
        wait_in_arabic(number),
        wait_in_arabic(number * 60),
    ):
        for match in _COUNT.finditer(text):
            assert agrees(int(match.group(1)), match.group(2)), text


def responses() -> list[tuple[str, str]]:
    found = []
    for file in sorted((ROOT / "domain").glob("*.yml")):
        domain = yaml.safe_load(file.read_text(encoding="utf-8"))
        for name, variants in (domain.get("responses") or {}).items():
            found += [(name, v.get("text") or "") for v in variants]
    return found


def test_every_response_of_the_domain_agrees():
    wrong = [
        (name, match.group(0))
        for name, text in responses()
        for match in _COUNT.finditer(text)
        if not agrees(int(match.group(1)), match.group(2))
    ]
    assert wrong == []
    assert len(responses()) > 100  # the scan did read the domain
