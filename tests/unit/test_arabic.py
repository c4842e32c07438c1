from bot.rules.arabic import (
    comparison_key,
    normalise,
    normalise_with_map,
    strip_diacritics,
    to_ascii_digits,
)


def test_hamza_and_alef_forms_become_bare_alef():
    assert normalise("أحمد إبراهيم آل ٱلسعود") == "احمد ابراهيم ال السعود"


def test_hamza_on_waw_and_ya():
    assert normalise("مسؤول شئون") == "مسوول شيون"


def test_ta_marbuta_and_alef_maqsura():
    assert normalise("مدرسة على مستشفى") == "مدرسه علي مستشفي"


def test_diacritics_and_tatweel_removed():
    assert normalise("شَكْوَى") == "شكوي"
    assert normalise("بـــلاغ") == "بلاغ"


def test_arabic_indic_and_persian_digits():
    assert normalise("١٢٣٤٥٦٧٨٩٠") == "1234567890"
    assert to_ascii_digits("۰۵۵۱۲۳") == "055123"


def test_invisible_bidi_marks_removed():
    assert normalise("\u200fابشر\u200e\u202b\u2067") == "ابشر"


def test_presentation_form_ligature_is_decomposed():
    assert normalise("\ufefb") == "لا"


def test_latin_text_untouched():
    assert normalise("Absher app") == "Absher app"


def test_map_points_back_to_original_characters():
    original = "أُرِيـــد بلاغاً"
    result = normalise_with_map(original)
    assert result.text == "اريد بلاغا"
    start = result.text.index("بلاغا")
    assert result.original_span(start, start + 5) == (original.index("ب"), len(original) - 1)


def test_normalised_span_of_an_annotation():
    original = "شكوى على أَبْشَر"
    result = normalise_with_map(original)
    start = original.index("أ")
    new_start, new_end = result.normalised_span(start, len(original))
    assert result.text[new_start:new_end] == "ابشر"


def test_strip_diacritics_keeps_spelling():
    assert strip_diacritics("مَدْرَسَةٌ") == "مدرسة"


def test_comparison_key_ignores_article_spelling_and_punctuation():
    assert comparison_key("وزارة الصحة.") == comparison_key("وزاره صحه")


def test_emoji_with_variation_selector_and_unmapped_presentation_forms():
    assert normalise("❤️ شكرا") == "❤ شكرا"
    assert normalise("\ufd3e") == "\ufd3e"  # NFKC leaves it: no endless recursion
