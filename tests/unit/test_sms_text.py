from bot.rules.sms_text import chosen_index, for_sms, numbered, sms_segments


def test_arabic_sms_segments_are_70_then_67():
    assert sms_segments("ب" * 70) == 1
    assert sms_segments("ب" * 71) == 2
    assert sms_segments("ب" * 134) == 2
    assert sms_segments("ب" * 135) == 3


def test_latin_sms_segments_are_160_then_153():
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2


def test_sms_text_loses_diacritics_and_decoration():
    assert for_sms("تم تقديم بلاغك بنجاح ✅  أهلاً") == "تم تقديم بلاغك بنجاح أهلا"


def test_numbered_choices_and_replies_in_any_digits():
    assert numbered("اختر:", ["نعم", "لا"]) == "اختر:\n1) نعم\n2) لا"
    assert chosen_index("2", 2) == 1
    assert chosen_index("٢", 2) == 1
    assert chosen_index(" 1) ", 2) == 0
    assert chosen_index("3", 2) is None
    assert chosen_index("نعم", 2) is None
