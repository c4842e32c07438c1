"""Arabic text normalisation shared by the NLU pipeline and the validators.

People type the same word many ways (أحمد / احمد, مدرسة / مدرسه, على / علي, with or
without diacritics and tatweel, with Arabic-Indic digits). The model and the
validators should see one spelling. Every transformation here is character-wise
(one input character becomes zero, one or several output characters), so an
index map from normalised text back to the original is kept and entity offsets
stay right.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

# Harakat, tanween, shadda, sukun, dagger alef, Quranic marks and combining hamza.
_DIACRITICS = {chr(c) for c in range(0x064B, 0x0660)} | {"\u0670"}
_DIACRITICS |= {chr(c) for c in range(0x06D6, 0x06EE)} - {"\u06e5", "\u06e6"}
_TATWEEL = "\u0640"
# Zero-width and bidi control characters people paste without seeing them.
_INVISIBLE = {
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u061c",
    "\ufeff",
    "\u00ad",
} | {chr(c) for c in range(0xFE00, 0xFE10)}  # variation selectors (the one in ❤️)
_LETTERS = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    "ؤ": "و",
    "ئ": "ي",
    "ى": "ي",
    "ی": "ي",  # Persian yeh
    "ة": "ه",
    "ک": "ك",  # Persian kaf
    "،": ",",
    "؛": ";",
    "؟": "?",
    "٪": "%",
}
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)}
_DIGITS.update({chr(0x06F0 + i): str(i) for i in range(10)})


@dataclass(frozen=True)
class NormalisedText:
    """Normalised text and, for each of its characters, the index it came from."""

    text: str
    origin: tuple[int, ...]
    original_length: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text to the original text."""
        if not self.origin:
            return 0, self.original_length
        start = min(max(start, 0), len(self.origin) - 1)
        last = min(max(end - 1, start), len(self.origin) - 1)
        return self.origin[start], self.origin[last] + 1

    def normalised_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the original text to the normalised text."""
        new_start = next((i for i, o in enumerate(self.origin) if o >= start), len(self.origin))
        new_end = next((i for i, o in enumerate(self.origin) if o >= end), len(self.origin))
        return new_start, max(new_start, new_end)


def _char_replacement(char: str) -> str:
    if char in _DIACRITICS or char == _TATWEEL or char in _INVISIBLE:
        return ""
    if char in _DIGITS:
        return _DIGITS[char]
    if char in _LETTERS:
        return _LETTERS[char]
    if "\ufb50" <= char <= "\ufefc":
        # Arabic presentation forms (ligatures such as ﻻ): decompose, then normalise.
        decomposed = unicodedata.normalize("NFKC", char)
        if decomposed != char:
            return "".join(_char_replacement(c) for c in decomposed)
    return char


def normalise_with_map(text: str) -> NormalisedText:
    """Normalise Arabic text and keep where each output character came from."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        replacement = _char_replacement(char)
        out.append(replacement)
        origin.extend([index] * len(replacement))
    return NormalisedText("".join(out), tuple(origin), len(text))


def normalise(text: str) -> str:
    """Normalise Arabic text (hamza/alef forms, ta marbuta, alef maqsura, digits...)."""
    return "".join(_char_replacement(c) for c in text)


def to_ascii_digits(text: str) -> str:
    """Replace Arabic-Indic and Persian digits by ASCII digits, leaving the rest alone."""
    return "".join(_DIGITS.get(c, c) for c in text)


def strip_diacritics(text: str) -> str:
    """Remove harakat and tatweel only (kept spelling, e.g. for SMS replies)."""
    return "".join(c for c in text if c not in _DIACRITICS and c != _TATWEEL)


@functools.lru_cache(maxsize=8192)
def comparison_key(text: str) -> str:
    """A key for comparing free text: normalised, lower-case, single-spaced, no 'ال'."""
    words = []
    for word in normalise(text).lower().replace("-", " ").split():
        word = word.strip(".,;:!?()[]\"'«»")
        if word.startswith("ال") and len(word) > 3:
            word = word[2:]
        if word:
            words.append(word)
    return " ".join(words)


def counted(number: int, one: str, two: str, few: str, many: str) -> str:
    """A count with its noun in the form Arabic grammar asks for: `one` and `two` stand
    alone («يوم واحد»، «يومان»), 3 to 10 take the plural («5 أيام»), 11 and more the
    singular («15 يوماً»)."""
    if number == 1:
        return one
    if number == 2:
        return two
    return f"{number} {few if 3 <= number % 100 <= 10 else many}"
