"""The similarity decision, on labelled pairs (the threshold was chosen on these)."""

import pytest

from bot.rules.similarity import SIMILARITY_THRESHOLD, is_similar, similarity

SAME = [
    ("شهادة حسن السيرة والسلوك", "شهاده حسن سيره وسلوك"),
    ("تحويل شهادة حسن السيرة إلى خدمة إلكترونية", "أطلب أن تصبح شهادة حسن سيرة وسلوك رقمية"),
    ("تصديق الوكالة ورقياً", "تصديق الوكاله الورقي"),
    ("إضافة خاصية التنبيهات قبل انتهاء الموعد", "اقترح اضافة تنبيه قبل انتهاء الموعد"),
    ("إضافة الدفع بمدى في التطبيق", "إضافه الدفع ب مدى داخل التطبيق"),
    ("استخراج رخصة البناء", "إستخراج رخصه بناء"),
    ("تجديد الإقامة للعمالة المنزلية", "تجديد اقامة العماله المنزليه"),
    ("إتاحة الوضع الليلي في تطبيق صحتي", "اقتراح اتاحة الوضع الليلي لتطبيق صحتي"),
]
DIFFERENT = [
    ("شهادة حسن السيرة والسلوك", "رخصة البناء"),
    ("تصديق الوكالة ورقياً", "تجديد الإقامة"),
    ("إضافة خاصية التنبيهات قبل انتهاء الموعد", "تسريع تحميل صفحة الدفع"),
    ("إضافة الدفع بمدى في التطبيق", "إضافة اللغة الإنجليزية للتطبيق"),
    ("استخراج رخصة البناء", "استخراج رخصة القيادة"),
    ("تجديد الإقامة للعمالة المنزلية", "نقل كفالة العمالة المنزلية"),
    ("إتاحة الوضع الليلي في تطبيق صحتي", "إتاحة حجز موعد لطبيب الأسنان في صحتي"),
    ("طلب صك ورقي", "طلب شهادة ميلاد"),
]


@pytest.mark.parametrize(("first", "second"), SAME)
def test_rephrasings_are_similar(first, second):
    assert is_similar(first, second), similarity(first, second)


@pytest.mark.parametrize(("first", "second"), DIFFERENT)
def test_different_requests_are_not(first, second):
    assert not is_similar(first, second), similarity(first, second)


def test_threshold_separates_every_labelled_pair():
    lowest_same = min(similarity(a, b) for a, b in SAME)
    highest_different = max(similarity(a, b) for a, b in DIFFERENT)
    assert highest_different < SIMILARITY_THRESHOLD <= lowest_same


def test_empty_text_is_never_similar():
    assert similarity("", "شهادة") == 0.0
