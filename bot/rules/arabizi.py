"""Arabizi: Arabic typed in Latin letters, with digits for the letters Latin lacks.

Citizens write «ejar», «tawakkalna», «natayij altullab», «naqil khadamat 3amil», «3ndi
shakwa 3la absher». One transliterator serves the whole bot (`bot.rules` is below
everything, so the NLU's canonical view, `bot.server.nlu.dialect`, imports it from here):

- `transliterate` writes one Latin word in Arabic script, spelt as the normaliser would
  («ashtki» → «اشتكي», «3ndi» → «عندي»); `in_arabic_script` does it for every Latin word
  of a text and leaves the rest alone;
- the spelling is a guess: short vowels are not written in Arabic, and one Arabic letter
  has several Latin spellings (ط «t» or «6», ق «q», «g», «8» or «2»). `consonant_key`
  compares what survives the guess: the consonants, letters that Arabizi writes alike
  taken as one («altullab» and «الطلاب» both give «تلب»). The catalogue looks a Latin name
  up by it (`bot.rules.catalogue`).
"""

from __future__ import annotations

import functools
import re

from bot.rules.arabic import comparison_key

_LATIN = re.compile(r"^[a-z0-9']+$")
_HAS_LETTER = re.compile(r"[a-z]")
_REPEATS = re.compile(r"(.)\1+")
_LATIN_RUN = re.compile(r"(?<!\w)[A-Za-z0-9']+(?!\w)")
_PUNCTUATION = ".,;:!?()[]\"'«»،؟؛"

# Arabizi: multi-letter units first, then single letters; digits stand for Arabic letters.
_ARABIZI_UNITS = (
    ("7'", "خ"),
    ("3'", "غ"),
    ("9'", "ض"),
    ("6'", "ظ"),
    ("sh", "ش"),
    ("ch", "ش"),
    ("kh", "خ"),
    ("gh", "غ"),
    ("th", "ث"),
    ("dh", "ذ"),
    ("aa", "ا"),
    ("ee", "ي"),
    ("ii", "ي"),
    ("oo", "و"),
    ("ou", "و"),
    ("uu", "و"),
    ("ai", "ي"),
    ("ei", "ي"),
    ("ay", "اي"),
)
_ARABIZI_LETTERS = dict(
    zip(
        "234567890bjtgdrzsfqklmnhwypvc",
        "اعشخطحقصوبجتجدرزسفقكلمنهويبفك",
        strict=True,
    )
)
_FINAL_VOWELS = {"a": "ا", "e": "ه", "i": "ي", "o": "و", "u": "و"}
# Arabizi function words the letter rules would spell wrong (their vowels are written).
_ARABIZI_WORDS = {
    "3la": "علي",
    "3ala": "علي",
    "ala": "علي",
    "3ly": "علي",
    "3lay": "علي",
    "3alay": "علي",
    "fi": "في",
    "fe": "في",
    "fee": "في",
    "mn": "من",
    "men": "من",
    "min": "من",
    "ma": "ما",
    "ana": "انا",
    "enta": "انت",
    "inta": "انت",
    "anta": "انت",
    "ya": "يا",
    "w": "و",
    "wa": "و",
    "el": "ال",
    "al": "ال",
    "il": "ال",
    "la": "لا",
    "li": "لي",
    "lay": "لي",
    "ma3": "مع",
    "m3": "مع",
    "3n": "عن",
    "3an": "عن",
    "kam": "كم",
    "hal": "هل",
    "hatha": "هذا",
    "hada": "هذا",
    "da": "دا",
    "di": "دي",
    "elli": "اللي",
    "illi": "اللي",
    "bas": "بس",
    "shi": "شي",
    "3ndi": "عندي",
    "3andi": "عندي",
}


def is_latin(word: str) -> bool:
    """A Latin-letter word (Arabizi or English; digits allowed, one letter at least)."""
    return bool(_LATIN.match(word)) and bool(_HAS_LETTER.search(word))


@functools.lru_cache(maxsize=16384)
def transliterate(word: str) -> str:
    """Arabizi (lower case) in Arabic script, spelt as the normaliser would.

    Consonants and the digit letters map one to one (2 → ا, 3 → ع, 5 → خ, 6 → ط, 7 → ح,
    8 → ق, 9 → ص; sh → ش, kh → خ, gh → غ, th → ث, 3' → غ), doubled ones are written once.
    Vowels: a word-initial one is an alef; doubled ones are long (aa → ا, ee → ي, oo → و);
    a final a is ا, e ه, i ي, o/u و; other single vowels are short and not written, except
    o/u, mostly a long و in Arabizi («mowazaf» → «موزف» is nearer «موظف» than «مزف»).
    """
    if word in _ARABIZI_WORDS:
        return _ARABIZI_WORDS[word]
    out: list[str] = []
    i, n = 0, len(word)
    while i < n:
        for unit, letter in _ARABIZI_UNITS:
            if word.startswith(unit, i):
                if i == 0 and unit[0] in "aeiou":  # a word-initial vowel is carried by alef
                    letter = "ا" + letter.lstrip("ا")
                out.append(letter)
                i += len(unit)
                break
        else:
            char = word[i]
            if char in "aeiou":
                if i == 0:
                    out.append("ا")
                elif i == n - 1:
                    out.append(_FINAL_VOWELS[char])
                elif char in "ou":
                    out.append("و")
            elif char != "'":
                out.append(_ARABIZI_LETTERS.get(char, char))
            i += 1
    return _REPEATS.sub(r"\1", "".join(out))


def has_latin_word(text: str) -> bool:
    """Does `text` hold a Latin-letter word (one letter at least)?"""
    return any(is_latin(run.lower()) for run in _LATIN_RUN.findall(text or ""))


@functools.lru_cache(maxsize=8192)
def in_arabic_script(text: str) -> str:
    """`text` with every Latin-letter word transliterated («natayij altullab fi noor» →
    «نتايج التولب في نور»); Arabic words, digits and punctuation as they were."""

    def arabic(run: re.Match[str]) -> str:
        word = run.group(0).lower()
        return transliterate(word) if is_latin(word) else run.group(0)

    return _LATIN_RUN.sub(arabic, text or "")


# Letters that Arabizi writes alike, as one: t / 6 / th (ت ط ث), d / dh (د ذ ض ظ), s / 9
# (س ص), h / 7 (ه ح), q / k / 8 (ق ك). «z» (ز) and «j» / «g» (ج) stay apart: merged, two
# short words would meet too often («jawaz» and «jadid» would both be «ك د»). Long vowels,
# hamza and a word's final ه (ta marbuta) are not consonants of the comparison, and neither
# is a final ت after three letters (the ta marbuta of «wazarat», «khadamat»).
_CLASSES = str.maketrans(
    {"ط": "ت", "ث": "ت", "ذ": "د", "ض": "د", "ظ": "د", "ص": "س", "ح": "ه", "ق": "ك"}
)
_WEAK = re.compile("[اويىءئؤ]")


def _consonants(word: str) -> str:
    if word.endswith("ه"):
        word = word[:-1]
    elif word.endswith("ت") and len(word) > 3:
        word = word[:-1]
    return _REPEATS.sub(r"\1", _WEAK.sub("", word).translate(_CLASSES))


@functools.lru_cache(maxsize=16384)
def consonant_key(text: str) -> str:
    """The consonants of each word of an Arabic-script text (see the module's docstring),
    the article and the words with none left out: «الهوية الرقمية» → «ه ركم», «الاستعلام
    عن نتائج الطلاب» → «ستعلم عن نتج تلب»."""
    words = (_consonants(word) for word in comparison_key(text).split() if word != "ال")
    return " ".join(word for word in words if word)


# Tanween written out on an adjective in -iya («wara8iyan», «7odooriyan» for «ورقياً»,
# «حضورياً»): the «n» is no consonant of the word.
_TANWEEN = re.compile(r"(?<=[iy])an$")


def consonant_words(text: str) -> list[tuple[str, str | None]]:
    """The consonants of each word of a text in any script, with the word in Arabic
    script when it was typed in Latin letters (None for an Arabic word): a name found in a
    story by its consonants must rest on a word the citizen typed in Latin letters."""
    found: list[tuple[str, str | None]] = []
    for word in (text or "").replace("-", " ").split():
        bare = word.strip(_PUNCTUATION).lower()
        arabic = transliterate(_TANWEEN.sub("a", bare)) if is_latin(bare) else None
        found += [(part, arabic) for part in consonant_key(arabic or word).split()]
    return found
