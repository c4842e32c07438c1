"""The dialect lexicon, the Arabizi transliteration and the training-time variants: what
the extra NLU features and `DialectAugmenter` are built from."""

from __future__ import annotations

import random

import pytest

from bot.rules.arabic import normalise
from bot.server.nlu.augmenter import swap_dialect_words, typo, variant
from bot.server.nlu.dialect import (
    FORMS,
    LEXICON,
    alternatives,
    canonical_token,
    canonical_tokens,
    transliterate,
)


@pytest.mark.parametrize(
    "words",
    [
        ["ابي", "ابغى", "ودي", "عايز", "عاوز", "بدي", "حاب", "أريد", "abi", "bghit", "want"],
        ["كيف", "ازاي", "كيفاش", "شلون", "how"],
        ["ليش", "ليه", "لويش", "لماذا", "why"],
        ["وش", "ايش", "شو", "شنو", "ماذا", "what"],
        ["الحين", "دلوقتي", "هلق", "هسه", "daba", "now"],
        ["مو", "مب", "مش", "ليس", "not"],
    ],
)
def test_dialect_forms_of_a_concept_share_one_token(words: list[str]) -> None:
    assert len({canonical_token(word) for word in words}) == 1
    assert canonical_token(words[0]).endswith("_")


def test_a_form_belongs_to_one_concept_and_is_looked_up_normalised() -> None:
    forms = [normalise(w).lower() for words in LEXICON.values() for w in words.split()]
    assert set(forms) == set(FORMS)
    assert canonical_token("أبغى") == canonical_token("ابغي") == "want_"


def test_conjunction_article_and_stretched_letters_are_looked_through() -> None:
    assert canonical_token("والشكوى") == canonical_token("شكوي") == "complaint_"
    assert canonical_token("وابغى") == "want_"
    assert canonical_token("شكراااا") == "thanks_"
    assert canonical_token("المنصة") == "منصه"  # not in the lexicon: the article goes
    assert canonical_token("الي") == "الي"  # too short to lose it


def test_arabizi_is_transliterated_to_the_normalised_arabic_spelling() -> None:
    assert transliterate("ashtki") == "اشتكي"
    assert transliterate("3ndi") == "عندي"
    assert transliterate("absher") == "ابشر"
    assert transliterate("ta7weel") == "تحويل"
    assert transliterate("raddo") == "ردو"  # doubled consonants written once
    assert transliterate("khedma") == "خدما"
    assert transliterate("3la") == "علي"  # function words from their table


def test_latin_words_become_concepts_or_arabic_script() -> None:
    assert canonical_tokens(["abi", "ashtki", "3la", "absher"]) == [
        "want_",
        "complaint_",
        "علي",
        "ابشر",
    ]
    assert canonical_tokens(["I", "want", "to", "complain"])[1:2] == ["want_"]
    assert canonical_token("Status") == "status_"


def test_alternatives_are_other_arabic_forms_of_the_concept() -> None:
    options = alternatives("ابي")
    assert "عايز" in options and "بدي" in options
    assert "ابي" not in options and "abi" not in options
    assert alternatives("منصه") == ()


def test_variants_swap_dialect_forms_and_keep_other_words() -> None:
    rng = random.Random(1)
    words = ["وابغي", "اشتكي", "علي", "المنصه"]
    swapped = swap_dialect_words(words, rng, probability=1.0)
    assert swapped[0].startswith("و") and swapped[0][1:] in alternatives("ابغي")
    assert swapped[2:] == ["علي", "المنصه"]
    assert swap_dialect_words(words, rng, probability=0.0) == words


def test_a_typo_changes_a_long_word_a_little_and_leaves_short_or_latin_ones() -> None:
    rng = random.Random(3)
    for _ in range(50):
        slipped = typo("الشكاوي", rng)
        assert slipped != "الشكاوي"
        assert slipped == "شكاوي" or (abs(len(slipped) - 7) <= 1 and slipped[0] == "ا")
    assert typo("علي", rng) == "علي"
    assert typo("hello", rng) == "hello"


def test_variants_are_deterministic() -> None:
    text = "ابغي اقدم شكوي علي الجهه لانهم ما ردوا"
    first = variant(text, random.Random(7), 0.7, 0.2)
    assert first == variant(text, random.Random(7), 0.7, 0.2)
