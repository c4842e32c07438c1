"""Personal data never reaches the comments quoted in the report."""

from __future__ import annotations

import pytest

from bot.desk.report.privacy import EMAIL, MOBILE, NAME, NATIONAL_ID, NUMBER, scrub


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("جوالي 0551234567", f"جوالي {MOBILE}"),
        ("رقمي +966 55 123 4567 شكراً", f"رقمي {MOBILE} شكراً"),
        ("تواصل على ٠٥٥١٢٣٤٥٦٧", f"تواصل على {MOBILE}"),
        ("00966551234567", MOBILE),
        ("هويتي 1000000008", f"هويتي {NATIONAL_ID}"),
        ("إقامتي ٢٠٠٠٠٠٠٠٠٦ منتهية", f"إقامتي {NATIONAL_ID} منتهية"),
        ("بعد ٥ أيام", "بعد 5 أيام"),
        ("الآيبان SA03 8000 0000 6080 1016 7519", f"الآيبان {NUMBER}"),
        ("حسابي 12345678901234", f"حسابي {NUMBER}"),
        ("بريدي noura.s@example.com", f"بريدي {EMAIL}"),
        ("اسمي محمد الشهري وأشكركم", f"اسمي {NAME} وأشكركم"),
        # Kept: dates, durations, report numbers (nine digits) are not personal.
        (
            "البلاغ 250000012 تأخر 5 أيام منذ 2025/03/01",
            "البلاغ 250000012 تأخر 5 أيام منذ 2025/03/01",
        ),
    ],
)
def test_identifiers_are_replaced(comment, expected):
    assert scrub(comment) == expected


def test_the_beneficiarys_own_name_is_removed_however_spelt():
    name = "نورة سعد القحطاني"
    assert scrub("شكراً من نوره القحطاني على الخدمة", name) == f"شكراً من {NAME} على الخدمة"
    assert scrub("الأستاذ سعد ساعدني", name) == f"الأستاذ {NAME} ساعدني"
    assert scrub("شكراً لكم", name) == "شكراً لكم"
