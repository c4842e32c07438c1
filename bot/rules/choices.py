"""Reading a typed answer to a question that offers a few options.

Citizens answer the buttons in words, and a word of an option is not always a choice of
it: «لا مو مقفلة، بس ما ردوا علي» names "closed" to deny it, «مب تطبيق، الموقع» names the
app to say it was the website. An answer is therefore read clause by clause:

- a negation (لا، مو، مش، مب، ما، لم، ليس، غير، بدون، not، mesh…) covers what follows it
  in its clause: the option it reaches is denied, not chosen. On a question with several
  options it covers the whole clause (a negation read too widely only makes the answer
  unclear); on a yes/no question, where denying one answer gives the other, only the next
  few words. Past a word of its own («الفرع ما ساعدوني فقدمت من التطبيق») the negation may
  be that word's: the option is only maybe denied, and an option chosen before or with it
  is unclear;
- a contrast (بس، لكن، انما، الا، but) or a correction (بل، اقصد، عفوا، actually) starts
  a new clause whose option wins over one denied before it; a correction also replaces
  an option chosen before it;
- on a yes/no question a lone «لا» is "no", and the last clause that answers clearly
  wins («لا، نعم» is yes); «اي لا» is unclear;
- the same option named twice is one answer; two different options, an «ما ادري», or an
  option both chosen and denied make the answer unclear, and so does a number that is not
  an option or that disagrees with the words. A guess is never returned: an unclear
  answer is asked again with its buttons.

Options are `{key: [keywords or phrases]}` in button order (numbers count from 1). Keywords
are normalised like the text (`bot.rules.arabic`); one of up to two letters must be the
whole word (after «و»/«ف»), one of three letters may carry the usual clitics and endings
(«قفل» in «مقفلة»، «قفلوها»), a longer one may appear inside a word («تطبيق» in
«بالتطبيقات»); Latin keywords start a word. Readers are compiled once per set of options.

Arabizi (Arabic in Latin letters, 3/7/5/9/2 for ع/ح/خ/ص/ء) is read without the NLU's
transliterator (`bot.server.nlu.dialect`, which `bot.rules` may not import): its function
words (ma، mesh، bas، mn…) are read as the Arabic ones, its article «el» is dropped, and
a Latin keyword of three consonants or more (two with a digit) matches however its
vowels, doubled consonants and letters are spelt («7adad»: «7addado»، «hadado»، «y7added»).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.rules.arabic import normalise

YES, NO = "yes", "no"

# Words that deny what follows (normalised; Arabizi and English included). «ولا» is also
# "or" when nothing was denied before it in its clause.
NEGATORS = frozenset(
    {
        "لا",
        "ما",
        "مو",
        "مهو",
        "ماهو",
        "ماهي",
        "مهي",
        "مب",
        "موب",
        "مهب",
        "مهوب",
        "ماهوب",
        "مش",
        "موش",
        "ماش",
        "ليس",
        "ليست",
        "لست",
        "لسنا",
        "ليسو",
        "ليسوا",
        "غير",
        "لم",
        "لن",
        "بدون",
        "دون",
        "بلا",
        "عدم",
        "مافي",
        "مافيه",
        "مافيش",
        "مفيش",
        "ماكو",
        "مانو",
        "مانها",
        "ماني",
        "مانيب",
        "مكانش",
        "مكانتش",
        "مكنتش",
        "مكنش",
        # «ما» stuck to a wanting verb: «مابي اغير شي» denies the change.
        *("مابي", "ماابي", "مابغي", "ماابغي", "مابغا", "مابدي", "ماودي", "مابا"),
        "not",
        "no",
        "never",
        "without",
        "isnt",
        "wasnt",
        "didnt",
        "dont",
        "doesnt",
        "cant",
        "cannot",
        "mesh",
        "mish",
        "mush",
        "msh",
        "mo",
        "mu",
        "mob",
        "mb",
        "ma",
        "mafi",
        "mafish",
        "mafeesh",
        "la",
        "laa",
    }
)
_ARABIC_NEGATORS = {w for w in NEGATORS if not w.isascii()}
NEGATORS = NEGATORS | {p + w for w in _ARABIC_NEGATORS for p in ("و", "ف")}
# Egyptian «ما…ش» written as one word: «ماكانتش»، «ماطلبتهاش».
_EGYPTIAN_NEGATION = re.compile(r"ما\w{2,}ش")
# After these «ما»/«لا» is no negation: «ما زالت قائمة» (still), «لا بد».
_NOT_NEGATED = frozenset({"زال", "زالت", "زلت", "يزال", "تزال", "زالوا", "برح", "انفك", "بد"})
_NOT_NEGATING_JOINED = frozenset({"مازال", "مازالت", "مازلت", "لازال", "لازالت", "لابد"})
# After these «ما» means "what/as" («زي ما قلت», «حسب ما»), not "not".
_RELATIVE_MA = frozenset(
    {"زي", "مثل", "متل", "كل", "بعد", "قبل", "عند", "حسب", "علي", "من", "عن", "اللي", "نفس"}
)
_POLAR_NO_NEGATORS = frozenset({"لا", "ولا", "no", "la", "laa"})
# Yes/no words that «لا» before them does not deny («لا نعم» is a contradiction).
_INTERJECTIONS = frozenset(
    {"نعم", "اي", "ايوه", "ايوا", "ايه", "اه", "yes", "yeah", "yep", "ok", "okay", "تمام", "لا"}
)
# Words a negation passes over to reach an option and still surely denies it: «ما كانت
# المشكلة تقنية», «مش عن طريق التطبيق». Past any other word («ما ساعدوني … التطبيق») the
# negation may be that word's, and the option is only maybe denied.
_TRANSPARENT = frozenset(
    {"كان", "كانت", "كنت", "كانو", "كانوا", "يكون", "تكون", "هي", "هو", "هذا", "هذي", "هذه"}
    | {"ذا", "انا", "احنا", "نحن", "عن", "من", "في", "فيه", "ب", "عبر", "طريق", "خلال", "مع"}
    | {"بواسطه", "علي", "الي", "حتي", "اصلا", "ابدا", "يعني", "والله", "مره", "كذا", "عندي"}
    | {"الشكوي", "شكوي", "شكوتي", "المشكله", "مشكله", "مشكلتي", "الطلب", "طلب", "طلبي"}
    | {"المعامله", "معامله", "الخدمه", "خدمه", "السبب", "سبب", "الموضوع", "موضوع", "قناه"}
    | {"القناه", "لي", "the", "a", "an", "it", "was", "is", "via", "through", "by", "from"}
    | {"on", "in", "with", "using", "really", "at", "all", "my", "i"}
    # A wanting verb carries the denial to the option it introduces: «ما ابي اعدل».
    | {"ابي", "ابغي", "ابغا", "ابا", "بدي", "عايز", "عاوز", "اريد", "ودي", "حاب", "حابب"}
    | {"abi", "abgha", "abga", "bdi", "biddi", "3ayez", "3ayz", "3awez", "want", "wanna"}
)
# Words that, after an option and at the end of a clause, may deny it.
_TRAILING_NO = frozenset({"لا", "no", "la", "laa", "مو", "مش", "مب", "كلا", "nope"})
CONTRASTS = frozenset(
    {"بس", "لكن", "لاكن", "لكنه", "لكنها", "ولكن", "ولاكن", "انما", "وانما", "بينما", "but"}
    | {"however", "though"}
)
CORRECTIONS = frozenset(
    {"بل", "اقصد", "قصدي", "اعني", "عفوا", "اسف", "اسفه", "سوري", "غلطت", "sorry", "actually"}
    | {"rather", "بالاصح"}
)
# «الا»/«سوي»/«غير» after a negation: «ما طلبتها الا من الموقع» = only the website.
_EXCEPTIVES = frozenset({"الا", "سوي", "غير", "except"})
# Between two options denied together: «مو تقنية او فنية»، «لا التطبيق ولا حتى الموقع».
CONNECTORS = frozenset({"او", "ام", "or", "nor", "و", "and", "/", "حتي"})
_UNSURE = (
    "ما ادري",
    "مادري",
    "مدري",
    "ما دري",
    "ما اعرف",
    "مااعرف",
    "ما عرفت",
    "ماعرفت",
    "معرفش",
    "ماعرفش",
    "معرفتش",
    "مش عارف",
    "مو عارف",
    "مب عارف",
    "لا ادري",
    "لا اعرف",
    "لا اعلم",
    "لست متاكد",
    "مو متاكد",
    "مش متاكد",
    "مب متاكد",
    "ماني متاكد",
    "غير متاكد",
    "مو متاكده",
    "مش فاكر",
    "مو فاكر",
    "ما اذكر",
    "ما اتذكر",
    "مش متذكر",
    "ناسي",
    "نسيت",
    "مش فاهم",
    "مو فاهم",
    "ما فهمت",
    "مافهمت",
    "لم افهم",
    "ما بعرف",
    "مابعرف",
    "بعرفش",
    "i dont know",
    "dont know",
    "idk",
    "not sure",
    "no idea",
    "mesh 3aref",
    "mish 3aref",
    *("ma a3ref", "ma a3rf", "ma ba3ref", "mo 3aref", "mb 3aref", "ma adri", "msh 3arfa"),
    *("mesh fakir", "msh faker", "mo mot2aked", "msh mot2aked", "mesh mot2aked"),
)
# Arabizi function words written as the Arabic ones they are, so that negations,
# contrasts and the words a negation passes over are read alike in both scripts.
_ARABIZI_WORDS = {
    **dict.fromkeys(("ma", "maa"), "ما"),
    **dict.fromkeys(("mesh", "mish", "msh", "mosh", "mush", "mich", "mech"), "مش"),
    **dict.fromkeys(("mo", "mu", "moo", "mou"), "مو"),
    **dict.fromkeys(("mb", "mob", "mub", "mahu", "maho", "mahy", "mahi"), "مب"),
    **dict.fromkeys(("la", "laa", "la2", "laa2", "lae"), "لا"),
    **dict.fromkeys(("lam",), "لم"),
    **dict.fromkeys(("mabi", "mabgha", "mabga", "mab8a", "mabdi"), "مابي"),
    **dict.fromkeys(("mafi", "mafe", "mafee", "mafeesh", "mafish", "mafesh", "mafih"), "مافي"),
    **dict.fromkeys(("mako", "maku"), "ماكو"),
    **dict.fromkeys(("bdon", "bdoon", "bidoon", "bedon", "bedoon", "bidun", "bdun"), "بدون"),
    **dict.fromkeys(("ghair", "gheir", "ghayr", "ghir", "gher"), "غير"),
    **dict.fromkeys(("bas", "bs", "bss", "bass"), "بس"),
    **dict.fromkeys(("lakin", "laken", "lakn", "lakan", "lkn", "bal"), "لكن"),
    **dict.fromkeys(("a2sod", "a2sd", "aqsod", "a2sud", "qasdi", "2asdi", "asdi", "a9di"), "اقصد"),
    **dict.fromkeys(("madri", "mdri", "madry", "mdry"), "مدري"),
    **dict.fromkeys(("w", "wa", "we", "wi"), "و"),
    **dict.fromkeys(("aw", "ow", "walla"), "او"),
    **dict.fromkeys(("mn", "min", "men", "mni", "mnl", "mel"), "من"),
    **dict.fromkeys(("3an", "3n"), "عن"),
    **dict.fromkeys(("fe", "fi", "fy", "fee"), "في"),
    **dict.fromkeys(("3la", "3ala", "3al", "3ly", "3lay", "3alay", "3alaya"), "علي"),
    **dict.fromkeys(("3ndi", "3indi", "3andi", "3ndy", "3ndna", "3indna"), "عندي"),
    **dict.fromkeys(("ya3ni", "y3ni", "yaani", "ya3no"), "يعني"),
    **dict.fromkeys(("wallah", "wallahi", "walah", "wlh", "wallahy"), "والله"),
}
# The Arabizi article, a word apart («mn el app»), says nothing: it is dropped.
_LATIN_ARTICLES = frozenset({"el", "al", "il", "l"})
# Negations written stuck to the next word, in Arabic and in Arabizi letters.
_JOINED_NEGATORS = {"ما": "ma", "لا": "la", "لم": "lam"}
# How an Arabizi letter is spelt: a consonant of the keyword may be written any of
# these ways in the answer (`_latin_pattern`). «2» and «3» (hamza, ain) are often
# written as a vowel, or left out, and do not count as consonants.
_LATIN_DIGRAPHS = {
    "sh": "(?:sh|ch)",
    "ch": "(?:sh|ch)",
    "kh": "(?:kh|5|x)",
    "gh": "(?:gh|g|3)",
    "th": "(?:th|dh|z|d)",
    "dh": "(?:th|dh|z|d)",
}
_LATIN_LETTERS = {
    "5": "(?:kh|5|x)",
    "x": "(?:kh|5|x)",
    "z": "(?:th|dh|z|d)",
    "d": "(?:dh|d(?!h))",
    "t": "[t6](?!h)",  # «th» is another letter, and so are «sh», «kh», «gh», «ch»
    "6": "[t6](?!h)",
    "s": "[s9](?!h)",
    "9": "[s9](?!h)",
    "h": "[h7]",
    "7": "[h7]",
    "q": "[qg8](?!h)|2",
    "g": "[qg8](?!h)|2",
    "8": "[qg8](?!h)|2",
    "k": "[kc](?!h)",
    "c": "[kc](?!h)",
    "2": "[2qg8aeiou]",
}
_LATIN_VOWELS = "[aeiouy23]*"
_LATIN_CLITICS = "(?:[wfb]|[wfbl]?[aeiou]?l+)?"  # و، ف، ب، ال، بال، لل stuck to the word
_LATIN_SUFFIX = "(?:ha|hom|hum|ni|na|h)?[aeiouy]*"  # a pronoun or a vowel after a short word
_BOUNDARY = re.compile(r"[\n,;.!?…:]")
_TOKEN = re.compile(r"\n|[,;.!?…:]+|[a-z0-9']+|[^\W\d_]+|\d+|[^\s\w]", re.IGNORECASE)
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
_LETTER_DIGIT = re.compile(r"(?<=[\u0600-\u06ff])(?=\d)|(?<=\d)(?=[\u0600-\u06ff])")
_NUMBER_SEPARATORS = frozenset({")", "-", ".", ":", "–"})
_NUMBER_MARKERS = frozenset(
    {"الخيار", "خيار", "اختيار", "الاختيار", "رقم", "الرقم", "option", "number", "choice"}
)
_NUMBER_FILLERS = _NUMBER_MARKERS | frozenset(
    {"اختار", "اختر", "اخترت", "ابي", "ابغي", "اريد", "بدي", "عايز", "هو", "هي", "the", "يا"}
    | {"لو", "سمحت", "من", "فضلك", "فضلا", "please", "pls", "plz", "شكرا", "thanks"}
)
_ORDINALS = {
    **dict.fromkeys(("الاول", "الاولي", "اول", "اولي", "first", "1st"), 1),
    **dict.fromkeys(("الثاني", "الثانيه", "ثاني", "التاني", "التانيه", "تاني"), 2),
    **dict.fromkeys(("second", "2nd"), 2),
    **dict.fromkeys(("الثالث", "الثالثه", "ثالث", "التالت", "التالته", "third", "3rd"), 3),
    **dict.fromkeys(("الرابع", "الرابعه", "رابع", "fourth", "4th"), 4),
    **dict.fromkeys(("الخامس", "الخامسه", "خامس", "fifth", "5th"), 5),
}
_CARDINALS = {
    **dict.fromkeys(("واحد", "one"), 1),
    **dict.fromkeys(("اثنين", "اثنان", "اتنين", "ثنين", "two"), 2),
    **dict.fromkeys(("ثلاثه", "ثلاث", "تلاته", "تلات", "three"), 3),
    **dict.fromkeys(("اربعه", "اربع", "four"), 4),
    **dict.fromkeys(("خمسه", "خمس", "five"), 5),
}
_CLITICS = "(?:و|ف|ب|ل|ك|وب|فب|ول|فل|لل|ولل|ال|وال|فال|بال|كال|وبال|فبال|عال)?"
_DERIVED = "(?:م|ت|ي|ن|ا|ان|مت|ست|است)?"
_ENDINGS = (
    "(?:ه|ت|ها|ات|ي|يه|يا|ين|و|وا|ون|نا|ان|ته|تها|تي|تهم|وه|وها|وني|ونا|ولي|هم|كم|ك|ني|يات|ا)?"
    "(?:ش)?"  # Egyptian «ما حددوش»، «ما قالوليش»
)
# Egyptian negation contracted into the verb: «محددوش»، «مقالوليش»، «مردتش» (a person
# ending before ش; «معاش», «مشمش» have none).
_EGYPTIAN_CONTRACTED = re.compile(
    r"(?<!\w)(و?)م(?!ا)(\w{2,}?(?:و|ت|ي|وا|تو|ني|لي|ولي|وني|ها|هو|وه|وها))ش(?!\w)"
)


@dataclass(frozen=True)
class Reading:
    """What an answer says about the options.

    `choice` is the one option chosen, or None: nothing said about the options
    (`silent`), or an unclear answer (several options, an option denied with nothing
    chosen, a doubt). `negative` tells that a negation was said about none of the
    options (a bare «لا»، «ما احتاج»): on a yes/no question that is consistent with "no"
    but not with "yes".
    """

    choice: str | None
    chosen: tuple[str, ...] = ()
    denied: tuple[str, ...] = ()
    negative: bool = False
    unsure: bool = False
    said: bool = False

    @property
    def silent(self) -> bool:
        return not self.said


def prepared(text: str) -> str:
    """The text as options are compared with it: normalised, lower-case, letters
    stretched for emphasis («لااااا») shortened, digits stuck to Arabic words apart, and
    Egyptian «م…ش» written apart («محددوش» → «ما حددوش»)."""
    text = _ELONGATED.sub(r"\1", normalise(text or "").lower())
    text = _EGYPTIAN_CONTRACTED.sub(r"\1ما \2ش", text)
    return _LETTER_DIGIT.sub(" ", text)


def tokens_of(text: str) -> list[str]:
    found = (t.replace("'", "") if t.isascii() else t for t in _TOKEN.findall(prepared(text)))
    return [_ARABIZI_WORDS.get(t, t) for t in found if t and t not in _LATIN_ARTICLES]


def _is_boundary(token: str) -> bool:
    return bool(_BOUNDARY.match(token))


def _is_word(token: str) -> bool:
    """Letters, digits or an emoji (👍 answers yes); not punctuation."""
    return token[0].isalnum() or unicodedata.category(token[0]) == "So"


def _word_pattern(word: str) -> str:
    """How one word of a keyword may appear as a word of the answer."""
    escaped = re.escape(word)
    if word.isascii():
        return _latin_pattern(word) or (
            escaped if len(word) <= 2 or not word.isalpha() else escaped + "[a-z0-9]*"
        )
    if not word.isalpha():
        return escaped  # an emoji
    if len(word) <= 2:
        return "(?:و|ف)?" + escaped
    if len(word) == 3:
        # «قفل» in «مقفلة»، «تقفلت»; but «اكد» is not in «تاكد» (another verb): a word that
        # starts with alef takes no derivation prefix.
        return _CLITICS + ("" if word[0] == "ا" else _DERIVED) + escaped + _ENDINGS
    return r"\w*" + escaped + r"\w*"


def _latin_pattern(word: str) -> str | None:
    """A Latin keyword as Arabizi is written: short vowels anywhere or nowhere, doubled
    consonants or not, a letter in any of its spellings («7addado»، «hadado»، «7dd» for
    «حددوا»; «waqef»، «wa2ef»، «wagif» for «واقف»), after «b/w/f/el» stuck to it. Only
    for a keyword of three consonants or more, or two with a digit (which no English
    word has): a shorter one would be found in too many words. None: match it as written.
    """
    if not word.isalnum():
        return None
    letters = _latin_letters(word)
    counted = sum(1 for _, counts in letters if counts)
    if counted < 2 or (counted == 2 and not any(c.isdigit() for c in word)):
        return None
    body = _LATIN_VOWELS + _LATIN_VOWELS.join(f"(?:{c})+" for c, _ in letters) + _LATIN_VOWELS
    return (_LATIN_CLITICS + body + "[a-z0-9]*") if counted >= 3 else body + _LATIN_SUFFIX


def _latin_letters(word: str) -> list[tuple[str, bool]]:
    """The consonants of a Latin keyword, each as the pattern of its spellings and
    whether it counts (hamza and ain, often written as a vowel, do not); a doubled one
    («dd») is one consonant."""
    letters: list[tuple[str, bool]] = []
    i, doubled = 0, False  # `doubled`: the previous character was a consonant
    while i < len(word):
        pair, char = word[i : i + 2], word[i]
        if pair in _LATIN_DIGRAPHS:
            letter, i = (_LATIN_DIGRAPHS[pair], True), i + 2
        elif char in "aeiouy":
            i, doubled = i + 1, False
            continue
        elif char in "23" and i + 1 == len(word):  # not a vowel at the end: «far3», «wara2»
            letter, i = ({"2": "[2qg8]", "3": "3"}[char], False), i + 1
        elif char == "3":  # ain: a vowel may stand for it
            letter, i = ("[3aeiou]", False), i + 1
        else:
            letter, i = (_LATIN_LETTERS.get(char, re.escape(char)), char != "2"), i + 1
        if not (doubled and letters and letters[-1] == letter):
            letters.append(letter)
        doubled = True
    return letters


def _keyword_words(keyword: str) -> tuple[str, ...]:
    words = [t for t in tokens_of(keyword) if _is_word(t)]
    # «الرقم الموحد» is matched as «رقم موحد» after any clitic («بالرقم»).
    return tuple(w[2:] if w.startswith("ال") and len(w) >= 5 else w for w in words)


def _number_of(token: str, cardinals: bool) -> int | None:
    if token.isdigit() and len(token) <= 2:
        return int(token)
    return _ORDINALS.get(token) or (_CARDINALS.get(token) if cardinals else None)


class _Words:
    """The answer's tokens with, once, where its words are and which clause each is in."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.rank: dict[int, int] = {}
        self.indices: list[int] = []
        self.clause: list[int] = []
        clause = 0
        for i, token in enumerate(tokens):
            if _is_boundary(token):
                clause += 1
            elif _is_word(token):
                self.rank[i] = len(self.indices)
                self.indices.append(i)
            self.clause.append(clause)

    def following(self, i: int, count: int) -> list[int]:
        """The `count` words after token `i` in its clause (fewer: [])."""
        rank = self.rank.get(i)
        if rank is None or rank + count >= len(self.indices):
            return []
        found = self.indices[rank + 1 : rank + 1 + count]
        return found if self.clause[found[-1]] == self.clause[i] else []


class _Phrases:
    """Phrases of several words, grouped by their first word's pattern, each group with
    one regex for its second words: most words start no phrase, and a phrase's first two
    words are tested once per group, not once per phrase."""

    def __init__(self, phrases: list[tuple[tuple[str, ...], str]]) -> None:
        groups: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for words, value in phrases:
            if len(words) >= 2:
                groups.setdefault(_word_pattern(words[0]), []).append((words, value))
        self.first = re.compile("|".join(sorted(groups)) or "(?!)")
        self.groups = [
            (
                re.compile(first),
                re.compile("|".join(sorted({_word_pattern(w[1]) for w, _ in members}))),
                sorted(
                    (
                        (tuple(re.compile(_word_pattern(w)) for w in words[1:]), value)
                        for words, value in members
                    ),
                    key=lambda phrase: -len(phrase[0]),
                ),
            )
            for first, members in groups.items()
        ]

    def at(self, words: _Words, i: int) -> tuple[int, str] | None:
        """(token index after the longest phrase starting at `i`, its value), or None."""
        token = words.tokens[i]
        if not self.first.fullmatch(token):
            return None
        after = words.following(i, 1)
        if not after:
            return None
        second = words.tokens[after[0]]
        best: tuple[int, str] | None = None
        for first, seconds, phrases in self.groups:
            if not (first.fullmatch(token) and seconds.fullmatch(second)):
                continue
            for rest, value in phrases:
                found = words.following(i, len(rest))
                if found and all(
                    p.fullmatch(words.tokens[j]) for p, j in zip(rest, found, strict=True)
                ):
                    if best is None or found[-1] + 1 > best[0]:
                        best = (found[-1] + 1, value)
                    break  # the group's longest match
        return best


@dataclass
class _Clause:
    marker: str  # "start", "boundary", "contrast" or "correction"
    chosen: set[str] = field(default_factory=set)
    denied: set[str] = field(default_factory=set)
    doubtful: set[str] = field(default_factory=set)  # maybe denied: «الفرع ما ساعدوني فقدمت…»
    bare_negation: bool = False
    negated_any: bool = False
    conflict: bool = False
    unsure: bool = False


@dataclass
class _Negation:
    word: str
    words_after: int = 0
    reached: set[str] = field(default_factory=set)
    joined: bool = False  # a connector («او», «ولا») since the last denied option
    opaque: bool = False  # a word of its own between («ما ردوا … تجاوزت»): it may be the
    # one denied, so the option reached is only maybe denied


class ChoiceReader:
    """Options compiled for reading answers (`reader_for` keeps one per set of options)."""

    def __init__(self, options: Sequence[tuple[str, Sequence[str]]]) -> None:
        self.keys = tuple(key for key, _ in options)
        self.polar = set(self.keys) == {YES, NO}
        phrases: list[tuple[tuple[str, ...], str]] = []
        singles: dict[str, list[str]] = {}
        for key, keywords in options:
            for keyword in keywords:
                for words in self._variants(_keyword_words(keyword)):
                    if len(words) == 1:
                        singles.setdefault(key, []).append(_word_pattern(words[0]))
                    elif words:
                        phrases.append((words, key))
        self._single = {k: re.compile("|".join(p)) for k, p in singles.items()}
        self._phrases = _Phrases(phrases)

    @staticmethod
    def _variants(words: tuple[str, ...]) -> list[tuple[str, ...]]:
        """«ما قدرت» is also typed «ماقدرت», and «ma gdart» «magdart»."""
        variants = [words]
        if len(words) >= 2 and words[0] in _JOINED_NEGATORS:
            joined = _JOINED_NEGATORS[words[0]] if words[1].isascii() else words[0]
            variants.append((joined + words[1], *words[2:]))
        return variants

    def keys_of(self, token: str) -> set[str]:
        return {key for key, pattern in self._single.items() if pattern.fullmatch(token)}

    def read(self, text: str) -> Reading:
        tokens = tokens_of(text)
        number = _option_number(tokens)
        if number is not None:
            index, rest, needs_agreement = number
            words = self._read_words(rest)
            in_range = 1 <= index <= len(self.keys)
            key = self.keys[index - 1] if in_range else None
            agrees = words.choice == key if needs_agreement else words.silent or words.choice == key
            if key is not None and agrees:
                return Reading(key, (key,), said=True)
            if needs_agreement and words.silent:
                return words  # «3 ايام»: a count, not an option
            return Reading(None, words.chosen, words.denied, words.negative, words.unsure, True)
        return self._read_words(tokens)

    # -- words -------------------------------------------------------------------------

    def _items(self, tokens: list[str]) -> list[tuple[str, str, frozenset[str]]]:
        """(kind, word, option keys) for the answer's words, phrases recognised first."""
        items: list[tuple[str, str, frozenset[str]]] = []
        words = _Words(tokens)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if _is_boundary(token):
                items.append(("boundary", token, frozenset()))
                i += 1
                continue
            if not _is_word(token):
                if token == "/":  # «تطبيق/موقع»
                    items.append(("connector", token, frozenset()))
                i += 1
                continue
            unsure = _UNSURE_PHRASES.at(words, i)
            phrase = self._phrases.at(words, i)
            if unsure and not (phrase and phrase[0] > unsure[0]):  # the longer one
                items.append(("unsure", token, frozenset()))
                i = unsure[0]
                continue
            if phrase:
                items.append(("mention", token, frozenset({phrase[1]})))
                i = phrase[0]
                continue
            following = tokens[i + 1] if i + 1 < len(tokens) else ""
            correction = None if self.polar else _CORRECTION_PHRASES.at(words, i)
            if correction:
                items.append(("correction", token, frozenset()))
                i = correction[0]
                continue
            if not self.polar and _interjected_no(tokens, i):
                items.append(("correction", token, frozenset()))  # «لا خلاص، هي اجراءات»
                i += 1
                continue
            if joined := self._joined_negation(token):
                items.append(("negator", "ما", frozenset()))
                items.append(("mention", token, frozenset(joined)))
                i += 1
                continue
            keys = frozenset(self.keys_of(token))
            if token in _NOT_NEGATING_JOINED or (
                token in {"ما", "لا", "لم", "وما", "ولا"} and following in _NOT_NEGATED
            ):
                items.append(("word", token, frozenset()))
                i += 2 if token not in _NOT_NEGATING_JOINED else 1
                continue
            if token in {"ما", "وما"} and items and items[-1][1] in _RELATIVE_MA:
                items.append(("word", token, frozenset()))
            elif token in NEGATORS or (_EGYPTIAN_NEGATION.fullmatch(token) and not keys):
                items.append(("negator", token, keys))
            elif keys:
                items.append(("mention", token, keys))
            elif token in CONTRASTS:
                items.append(("contrast", token, frozenset()))
            elif token in CORRECTIONS:
                items.append(("correction", token, frozenset()))
            elif token in _EXCEPTIVES:
                items.append(("exceptive", token, frozenset()))
            elif token in CONNECTORS:
                items.append(("connector", token, frozenset()))
            else:
                items.append(("word", token, frozenset()))
            i += 1
        return items

    def _joined_negation(self, token: str) -> set[str]:
        """«مابي»، «ماابي»، «مااوافق»: «ما» stuck to an option's word (read before the
        word itself: «مابي» is not a form of «ابي»)."""
        if token.isascii():  # Arabizi: «mayeshtaghel»
            return self.keys_of(token[2:]) if token.startswith("ma") and len(token) >= 6 else set()
        if not token.startswith("ما") or len(token) < 4 or token in _NOT_NEGATING_JOINED:
            return set()
        rest = token[2:]
        return self.keys_of(rest) or self.keys_of("ا" + rest)

    def _target(self, items: list[tuple[str, str, frozenset[str]]], i: int) -> tuple[int, int]:
        """The option a negation at `i` reaches in its clause: (item index, words between),
        or (-1, 0)."""
        words = 0
        for j in range(i + 1, len(items)):
            kind = items[j][0]
            if kind in {"boundary", "contrast", "correction", "exceptive", "unsure"}:
                break
            if kind == "mention":
                return j, words
            if kind == "word":
                words += 1
        return -1, 0

    def _read_words(self, tokens: list[str]) -> Reading:
        items = self._items(tokens)
        clauses = [_Clause("start")]
        negation: _Negation | None = None
        window = 3 if self.polar else len(items)
        for i, (kind, word, keys) in enumerate(items):
            clause = clauses[-1]
            if kind in {"boundary", "contrast", "correction"}:
                _close(clause)
                clauses.append(_Clause("boundary" if kind == "boundary" else kind))
                negation = None
                continue
            if kind == "unsure":
                clause.unsure = True
                continue
            if kind == "exceptive" or (kind == "negator" and word in {"غير", "وغير"}):
                if clause.negated_any:  # «ما … الا/غير …»: only what follows
                    _close(clause)
                    clauses.append(_Clause("contrast"))
                    negation = None
                    continue
                if kind == "exceptive" and word not in {"الا", "except"}:
                    negation = _advance(negation, word)
                    continue
                kind = "negator"
            if kind == "negator":
                if word in {"ولا"} and not clause.negated_any and clause.chosen and not keys:
                    if negation:
                        negation.joined = True
                    continue  # «الموقع ولا التطبيق؟»: "or"
                target, between = self._target(items, i)
                reaches = target >= 0 and between <= window
                if self.polar and word in _POLAR_NO_NEGATORS:
                    clause.chosen.add(NO)
                    # «لا نعم» contradicts itself, «لا ما عندي مانع» may be "no objection":
                    # «لا» does not deny those (so they stay unclear).
                    reached = items[target][1] if reaches else ""
                    adjacent = reaches and between == 0 and target == i + 1
                    if reaches and not (
                        reached in NEGATORS or (adjacent and reached in _INTERJECTIONS)
                    ):
                        negation = _Negation(word)
                        clause.negated_any = True
                    continue
                if keys and not reaches:
                    clause.chosen |= keys  # «مو» alone: the word "no" itself
                    continue
                chosen_before = bool(clause.chosen or any(c.chosen for c in clauses))
                if word == "لا" and reaches and between == 0 and not self.polar:
                    # «التطبيق لا الموقع»: "not the website", or "no — the website"?
                    clause.conflict |= chosen_before
                if word in _TRAILING_NO and not reaches and _ends_clause(items, i):
                    # «بالورق لا»، «التطبيق؟ لا»: a "no" after an option may deny it.
                    clause.conflict |= chosen_before
                negation = _Negation(word)
                clause.negated_any = True
                continue
            if kind == "mention":
                if negation and negation.opaque and not negation.reached and _joined(word):
                    negation = None  # «ما ردوا وعدت المدة»: «و» starts a clause of its own
                if negation and self._denies(negation, keys, window):
                    if negation.opaque:
                        clause.doubtful |= keys
                    else:
                        clause.denied |= keys
                    negation.reached |= keys
                    negation.joined = False
                else:
                    negation = None
                    clause.chosen |= keys
                continue
            if kind == "connector":
                if negation and negation.reached:
                    negation.joined = True
                elif negation and negation.opaque and word in {"و", "ف"}:
                    negation = None  # «ما ردوا و عدت المدة»
                continue
            negation = _advance(negation, word)
        _close(clauses[-1])
        return self._combine(clauses)

    @staticmethod
    def _denies(negation: _Negation, keys: frozenset[str], window: int) -> bool:
        if not negation.reached:
            return negation.words_after <= window
        # After a denied option the denial goes on only over «او»/«ولا» or the same option.
        return negation.joined or (keys <= negation.reached and negation.words_after == 0)

    def _combine(self, clauses: list[_Clause]) -> Reading:
        chosen: set[str] = set()
        denied: set[str] = set()
        chosen_in: dict[str, int] = {}
        doubt_in = -1  # the last clause where an option was maybe denied
        conflict = unsure = negative = False
        said = False
        for index, clause in enumerate(clauses):
            said |= bool(clause.chosen or clause.denied or clause.doubtful)
            said |= clause.negated_any or clause.unsure
            conflict |= clause.conflict
            unsure |= clause.unsure
            negative |= clause.bare_negation
            these, against = set(clause.chosen), clause.denied | clause.doubtful
            chosen_in.update(dict.fromkeys(these, index))
            if clause.doubtful:
                doubt_in = index
            if self.polar:
                these |= {NO if key == YES else YES for key in clause.denied}
                if clause.doubtful:
                    these |= {YES, NO}  # a denial that may not be the option's: unclear
                if clause.marker == "contrast" and clause.bare_negation:
                    these.add(NO)  # «اي بس ما احتاج»: a reservation
                if clause.marker == "contrast":
                    chosen |= these
                elif these:
                    chosen = these  # the last clause that answers wins: «لا، نعم»
                continue
            if clause.marker == "correction" and these:
                chosen = these
                denied = (denied | against) - these
            elif clause.marker == "contrast":
                chosen |= these
                denied = (denied - these) | against
            else:
                chosen |= these
                denied |= against
        if self.polar and NO in chosen:
            negative = True
        # An option maybe denied leaves unclear an option chosen before it or with it
        # («الفرع ما ساعدوني فقدمت من التطبيق»), not one named in a later clause («ما
        # طلبتها من التطبيق، الموقع»).
        conflict |= any(chosen_in.get(key, len(clauses)) <= doubt_in for key in chosen)
        ordered = tuple(key for key in self.keys if key in chosen)
        refused = tuple(key for key in self.keys if key in denied)
        clear = len(ordered) == 1 and not (conflict or unsure or chosen & denied)
        return Reading(ordered[0] if clear else None, ordered, refused, negative, unsure, said)


_UNSURE_PHRASES = _Phrases([(_keyword_words(p), "unsure") for p in _UNSURE])
_CORRECTION_PHRASES = _Phrases([(("i", "mean"), "correction"), (("لا", "لا"), "correction")])


def _ends_clause(items: list[tuple[str, str, frozenset[str]]], i: int) -> bool:
    """Is item `i` the last word of its clause?"""
    for kind, _, _ in items[i + 1 :]:
        if kind in {"boundary", "contrast", "correction"}:
            return True
        if kind in {"word", "mention", "negator", "unsure", "exceptive"}:
            return False
    return True


# After «لا» these words show it is the interjection "no", not a negation of what follows:
# «لا خلاص هي اجراءات»، «لا هو التطبيق» (dialects deny a noun with مو / مش / مب, not لا).
_AFTER_INTERJECTED_NO = frozenset(
    {"خلاص", "طيب", "يعني", "هي", "هو", "هذي", "هذا", "هذه", "بالعكس", "ترا", "تراها", "تراه"}
)


def _interjected_no(tokens: list[str], i: int) -> bool:
    """Is the «لا» at `i` the interjection "no" that corrects what was said before
    («لا خلاص هي اجراءات» = "no, it's procedures")? Not in «لا هو تقني ولا اجراءات»
    (neither … nor)."""
    if tokens[i] not in {"لا", "la", "laa"} or tokens[i + 1 : i + 2] == []:
        return False
    if tokens[i + 1] not in _AFTER_INTERJECTED_NO:
        return False
    for token in tokens[i + 2 :]:
        if _is_boundary(token):
            return True
        if token == "ولا":
            return False
    return True


def _joined(token: str) -> bool:
    """Does the word start with «و» or «ف» joined to a verb («وعدت»، «فاتت»)? After a
    word of the negation's own («ما ردوا»), it starts another clause that the negation
    does not reach: «ما ردوا وعدت المدة» says the period passed. Before a noun with its
    article or preposition («والتطبيق»، «وبالفرع») it may still be the negation's: «ما
    استخدمت الموقع وبالفرع…» is left as unclear as it was."""
    rest = token[1:]
    return (
        len(token) >= 4
        and token[0] in "وف"
        and token not in NEGATORS
        and not rest.startswith(("ال", "لل", "ب", "ل"))
    )


def _advance(negation: _Negation | None, word: str) -> _Negation | None:
    """A word that is no option: a denial that reached an option ends there; one that
    has not yet goes on, past a word of its own made uncertain."""
    if negation is None or negation.reached:
        return None
    negation.words_after += 1
    negation.opaque |= word not in _TRANSPARENT
    return negation


def _close(clause: _Clause) -> None:
    """A clause whose negation reached no option said "no" to nothing offered."""
    if clause.negated_any and not (clause.denied or clause.doubtful):
        clause.bare_negation = True


def _option_number(tokens: list[str]) -> tuple[int, list[str], bool] | None:
    """The option number in the answer, the rest of it, and whether the rest must name
    the same option: «2»، «٢»، «الثاني»، «الخيار ٣»، «رقم 4»، «2- التطبيق»، «التطبيق (2)»."""
    words = [t for t in tokens if _is_word(t)]
    meaningful = [t for t in words if t not in _NUMBER_FILLERS]
    if len(meaningful) == 1 and (number := _number_of(meaningful[0], cardinals=True)):
        return number, [], False
    for i, token in enumerate(tokens):
        if token not in _NUMBER_MARKERS:
            continue
        j = i + 1
        while j < len(tokens) and not _is_word(tokens[j]) and tokens[j] in ":#-()":
            j += 1  # «الخيار: 3»، «رقم (4)»
        if j < len(tokens) and (number := _number_of(tokens[j], cardinals=True)):
            return number, tokens[:i] + tokens[j + 1 :], False
    first = next((i for i, t in enumerate(tokens) if _is_word(t)), None)
    if first is None:
        return None
    number = _number_of(tokens[first], cardinals=False)
    if number is None:
        if (
            len(tokens) >= 3
            and tokens[-1] == ")"
            and tokens[-3] == "("
            and (number := _number_of(tokens[-2], cardinals=False))
        ):
            return number, tokens[:-3], False
        return None
    rest = tokens[first + 1 :]
    separated = bool(rest) and rest[0] in _NUMBER_SEPARATORS
    if not separated and not tokens[first].isdigit():
        return None  # «اول مرة…»: an ordinal inside a sentence is no option number
    return number, rest, not separated


@functools.lru_cache(maxsize=256)
def _reader(options: tuple[tuple[str, tuple[str, ...]], ...]) -> ChoiceReader:
    return ChoiceReader(options)


def reader_for(options: Mapping[str, Sequence[str]]) -> ChoiceReader:
    """The compiled reader of `options` (kept, so each set is compiled once)."""
    return _reader(tuple((str(key), tuple(words)) for key, words in options.items()))


def read_choice(text: str, options: Mapping[str, Sequence[str]]) -> Reading:
    """Read a typed answer against `options` ({key: keywords}, in button order)."""
    return reader_for(options).read(text)
