"""Light stemming of Arabic words, so that a service named loosely is still recognised.

Citizens rarely type a service's catalogue name: «ما قدرت اجدد اقامتي» names «تجديد
الإقامة» with a verb instead of the noun and a pronoun on the noun; «بالجوازات»، «جوازي»،
«الاقامات» carry clitics and plurals. `word_forms` gives the spellings a word may stand
for (the word itself, without its clitics, without its plural or pronoun ending, and the
three-letter root of the common verbal-noun and verb patterns), and two words are taken
for the same when their forms meet. Only forms of three letters or more are kept: shorter
ones would make unrelated words meet.
"""

from __future__ import annotations

import functools

# Attached conjunctions, prepositions and the article, longest first.
_PREFIXES = ("وبال", "فبال", "وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
# Pronoun endings («اقامتي»، «جددها»), plural and verb endings («جوازات»، «جددوا»، «جددت»).
_PRONOUNS = ("هما", "كم", "هم", "هن", "ها", "نا", "ني", "ه", "ي", "ك")
_ENDINGS = ("ات", "ين", "ون", "وا", "ان", "و", "ت")
_MIN = 3


def _without_prefix(word: str) -> set[str]:
    return {word[len(p) :] for p in _PREFIXES if word.startswith(p) and len(word) - len(p) >= _MIN}


def _without_endings(word: str) -> set[str]:
    """The word without a pronoun, then without a plural / verb ending; a ta marbuta
    written «ت» before a pronoun («اقامتي») comes back as «ه»."""
    forms = set()
    for pronoun in ("", *_PRONOUNS):
        if not word.endswith(pronoun) or len(word) - len(pronoun) < _MIN:
            continue
        base = word[: len(word) - len(pronoun)] if pronoun else word
        forms.add(base)
        if pronoun and base.endswith("ت") and len(base) >= _MIN:
            forms.add(base[:-1] + "ه")
        for ending in _ENDINGS:
            if base.endswith(ending) and len(base) - len(ending) >= _MIN:
                forms.add(base[: -len(ending)])
    return forms


def _root(form: str) -> str | None:
    """The root of the patterns تفعيل («تجديد» جدد), إفعال («اصدار» صدر), استفعال
    («استعلام» علم، «استعلم») and of a four-letter imperfect verb («اجدد»، «يسجل»)."""
    if len(form) == 5 and form[0] == "ت" and form[3] == "ي":
        return form[1:3] + form[4]
    if len(form) == 5 and form[0] == "ا" and form[3] == "ا":
        return form[1:3] + form[4]
    if len(form) == 7 and form.startswith("است") and form[5] == "ا":
        return form[3:5] + form[6]
    if len(form) == 6 and form.startswith("است"):
        return form[3:]
    if len(form) == 4 and form[0] in "اينت":
        return form[1:]
    return None


@functools.lru_cache(maxsize=16384)
def word_forms(word: str) -> frozenset[str]:
    """The spellings a normalised word may stand for (see the module's docstring)."""
    forms = {word} | _without_prefix(word)
    for form in list(forms):
        forms |= _without_endings(form)
    for form in list(forms):
        if form.endswith("ه") and len(form) > _MIN:
            forms.add(form[:-1])
    for form in list(forms):
        root = _root(form)
        if root:
            forms.add(root)
    return frozenset(form for form in forms if len(form) >= _MIN)


def same_word(first: frozenset[str], second: frozenset[str]) -> bool:
    """Do two words (their `word_forms`) stand for the same word?"""
    return not first.isdisjoint(second)
