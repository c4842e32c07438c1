"""Are two requests "the same" or "similar"? Decided on normalised Arabic text.

People rephrase: «تحويل شهادة حسن السيرة لخدمة إلكترونية» and «أطلب أن تصبح شهادة حسن
سيرة وسلوك رقمية» are one request. Texts are compared after `comparison_key` (hamza,
ta marbuta, alef maqsura, diacritics, digits, the article ال), with common request words
dropped, by the mean of word overlap (Jaccard) and character-trigram overlap (Dice):
words catch reordering, trigrams catch spelling and inflection.
`SIMILARITY_THRESHOLD` was chosen on the labelled pairs in tests/unit/test_similarity.py.
"""

from __future__ import annotations

import functools

from bot.rules.arabic import comparison_key

SIMILARITY_THRESHOLD = 0.42

# Words that say "I request / make it digital", not what is requested.
_FILLER = {
    "اطلب", "طلب", "ابي", "ابغي", "ابغا", "اريد", "ارغب", "نرجو", "ارجو", "ودي", "تحويل", "تحول",
    "خدمه", "رقميه", "رقمي", "الكترونيه", "الكتروني", "اونلاين", "تصبح", "يصير", "تكون", "ان",
    "الي", "لي", "علي", "في", "من", "عن", "او", "و", "مع", "يا", "لو", "اقترح", "اقتراح",
    "تطوير", "تحسين", "اضافه", "يضيفون", "تضيفون", "ليت", "استخراج", "اصدار",
}  # fmt: skip


def _prefixless(word: str) -> str:
    """Drop one attached conjunction/preposition (و، ف، ب، ل، ك) from longer words."""
    if len(word) > 4 and word[0] in "وفبلك":
        return word[1:]
    return word


def content_words(text: str) -> list[str]:
    words = [_prefixless(w) for w in comparison_key(text).split()]
    return [w for w in words if w not in _FILLER and len(w) > 1]


def _trigrams(words: list[str]) -> set[str]:
    joined = " ".join(words)
    return {joined[i : i + 3] for i in range(max(len(joined) - 2, 1))}


@functools.lru_cache(maxsize=8192)
def _profile(text: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """Content words and trigrams of a text, computed once per text: the catalogue's
    spellings are compared with every answer, and this was the action server's hot spot."""
    words = content_words(text)
    return (frozenset(words), frozenset(_trigrams(words))) if words else None


def similarity(first: str, second: str) -> float:
    """0 (unrelated) to 1 (same words)."""
    a, b = _profile(first), _profile(second)
    if a is None or b is None:
        return 0.0
    (words_a, grams_a), (words_b, grams_b) = a, b
    word_jaccard = len(words_a & words_b) / len(words_a | words_b)
    char_dice = 2 * len(grams_a & grams_b) / (len(grams_a) + len(grams_b))
    return (word_jaccard + char_dice) / 2


def is_similar(first: str, second: str, threshold: float = SIMILARITY_THRESHOLD) -> bool:
    return similarity(first, second) >= threshold
