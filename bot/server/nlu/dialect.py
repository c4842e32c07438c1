"""The dialect lexicon and the Arabizi transliteration behind the canonical view of a message.

Citizens write the same request in many ways: «ابي / ابغى / ودي / عايز / بدي / اريد»,
«كيف / ازاي / شلون / كيفاش», in Arabizi («abi ashtki 3la absher») or with English words.
The training data cannot hold every form in every context, so each token also gets a
canonical form (`canonical_token`):

- a word of `LEXICON` becomes its concept (`ابغى`, `عايز`, `bdi`, `want` → `want_`), also
  behind the conjunction و, the article ال («والشكوى» → `complaint_`) and the dialects'
  verb prefixes («بشتكي», «هلغي», «نلغي»);
- a Latin-letter word is transliterated to Arabic script (`transliterate`, in
  `bot.rules.arabizi`, which the catalogue's look-up of Arabizi names shares: «ashtki» →
  «اشتكي», «3ndi» → «عندي») and looked up again;
- another Arabic word loses its article and stretched letters («الشكوووى» → «شكوي»).

`DialectCountVectorsFeaturizer` counts n-grams of this view as *extra* features; the
message text and its tokens are left alone (the normaliser's character-wise offset maps
stay valid) and the word and character features of the text itself are unchanged.
`DialectAugmenter` uses the same lexicon at training time to swap a form for another
of its concept.

The lexicon is a data table: a concept, then its forms separated by spaces (Arabic of
every dialect, Arabizi, English), normalised at import (hamzas and ta marbuta may be
written). A form belongs to one concept only (checked at import). Ambiguous words are
left out: شلونك is a greeting, هلا a greeting or "now", ايه "what" in Egypt and "yes" in
the Gulf, سلام a greeting or a goodbye, احد "someone" or "Sunday", دايره "wanting" in
Sudan or a department, "update" a question about a report or an addition to it, "file"
a document or a verb.
"""

from __future__ import annotations

import functools
import re

from bot.rules.arabic import normalise
from bot.rules.arabizi import is_latin, transliterate

# concept -> its forms: Arabic (MSA and dialects), Arabizi, English.
LEXICON: dict[str, str] = {
    "want": "ابي ابى ابغى ابغي ابغا ابيه ابغاه نبي نبغى نبغي ودي ودنا عايز عايزه عاوز عاوزه "
    "عايزين بدي بدنا بدك بدو حاب حابب حابه حابين اريد اريده نريد اود ارغب نرغب بغيت بغينا "
    "نحب داير دايرين اشتي اشتيه محتاج محتاجه ابا ابابه نبا "
    "abi aby abe abgha ebgha ebga abga bghit bghina nbghi n7eb nheb 3ayez 3ayz 3awez 3awz "
    "bdi bidi biddi badi baddi bedi 7abeb want wanna wanted need would like",
    "dont_want": "مابي مابغي مابغى ماابي ماابغى مابدي مابدنا مابغيت",
    "how": "كيف كيفيه ازاي ازي كيفاش اشلون شلون شلونه kaif kef kif keef kifash kifach ezay "
    "ezzay izay shlon shlun how",
    "how_are_you": "شلونك شلونكم كيفك كيفكم ازيك ازيكم اخبارك عامل عاملين لاباس شخبارك "
    "kifak kifik shlonak ezayak ezayek labas",
    "why": "ليش ليه لويش لماذا ليشن علاش ليشو leesh lesh leish leh leeh 3lash 3lach why",
    "what": "وش ايش شو شنو شنهو ماذا اش شنهي وشو اشنو شنوه واش "
    "wesh wsh eish esh aish shu sho shno shnu achno chno wach what",
    "where": "وين فين وينه اين وينها فينه فاين wain wein wen wayn fen fein feen fin where",
    "when": "متى امتى ايمتى امتا وقتيش وقتاش فوقاش meta emta imta waqtash when",
    "now": "الحين الحينه دلوقتي دلوقت هلق هلأ هسه هسع هسا دحين الآن توا دابا اسا "
    "daba dlw2ty delwa2ty dlwa2ty hala2 halla2 hassa l7en al7en el7en now",
    "not": "مو مب مش موب موش ماهو ليس مهو مهوش مهب msh mesh mish mosh mush mu mob not",
    "none": "مافي مافيه مفيش مافيش ماكو محد ماحد محدش ماحدا محدا ماكاين مكاينش "
    "mafi mafe mafeesh mafish mfeesh mako ma7ad makaynch nobody nothing",
    "very": "واجد وايد كتير كثير اوي جدا بزاف كلش برشا wayed kteer ktir awi bzaf barsha "
    "kolesh very",
    "please": "لوسمحت فضلك رجاء ارجو بليز please pls plz plez",
    "thanks": "شكرا مشكور مشكوره مشكورين يعطيك تسلم تسلمي تسلمين يسلمو يسلموا ممنون متشكر "
    "شكرن مرسي جزاك 🙏 shukran shokran shukraan choukran chokran merci thx thnx tnx "
    "thanks thank thanx ty",
    "greet": "مرحبا مرحبه مرحبتين اهلا اهلين هاي هلو هالو سلامات "
    "hi hello hey hallo salam salamo slm marhaba mar7aba ahlan ahlen hala bonjour salut",
    "bye": "باي وداعا بسلامه bye goodbye byebye cya ciao bslama beslama",
    "yes": "نعم ايوه ايوا اكيد تمام اوكي اوكيه اوك صحيح بلى اجل اه واه ماشي يب 👍 👌 ✅ "
    "yes yeah yep yup ok okay sure aywa aiwa na3am tamam akeed correct",
    "no": "لا لاء لع كلا ابدا 👎 ❌ no nope nah la2 laa non",
    "good": "ممتاز ممتازه رائع رائعه زين زينه حلو حلوه كويس كويسه منيح منيحه مزيان مزيانه "
    "عظيم جميل ⭐ good great excellent nice perfect amazing awesome mumtaz helw kwayes",
    "bad": "سيء سيئ سيئه زفت خايب خايبه وحش وحشه تعبان سيئين bad terrible awful poor "
    "horrible worst khayeb",
    "mine": "حقي حقتي مالي مالتي تبعي تبعتي بتاعي بتاعتي ديالي نتاعي متاعي my mine",
    "complaint": "شكوى شكوه شكاوي شكواي شكوتي اشتكي نشتكي يشتكي تشتكي اشتكيت كمبلين كومبلين "
    "شكايه شكايتي شكايات تصعيد اصعد صعد اصعدها complaint complain complaints escalate "
    "escalation shakwa shakwah shakawa chekaya chikaya shkaya ashtki ashteki ashtky nshtki",
    "report": "بلاغ بلاغي بلاغات بلاغه تذكرة تذكرتي تكت تيكت طلب طلبي طلبات معامله معاملتي "
    "report reports ticket tickets request requests case bala8 blagh balagh bla8 talab "
    "talabi",
    "suggest": "اقتراح اقترح مقترح اقتراحي مقترحي اقتراحات فكرة نقترح suggest suggestion idea "
    "proposal e2tera7 iqtira7 eqtera7 fekra fikra mo8tara7 aqtare7 i9tira7 e9tera7 i9tra7 "
    "a9tare7 e9tira7 mu9tara7",
    "improve": "تحسين تطوير improve improvement enhance ta7seen tatweer",
    "paper": "ورقي ورقيه ورق ورقا يدوي يدويه paper manual wara2 wara8ya wara2ya wara2iye",
    "online": "الكتروني الكترونيه الكترونيا اونلاين رقمي رقميه رقميا تحول رقمنه online "
    "electronic digital digitize digitization digitalize",
    "document": "مستند مستندات وثيقه وثائق اوراق مرفق مرفقات ملف ملفات صوره صور اثبات شهادة "
    "سكرين سكرينشوت لقطه pdf document documents docs attachment attachments screenshot "
    "awra8 awra2 mustanad mostanad",
    "attach": "ارفق ارفاق اضيف اضافه ضيف اضف ازيد ازود زود attach add upload adeef azawed",
    "status": "حاله وضع وضعه وضعها حالته حالتها مصير مصيره اخبار اخباره حالت وصل وصلت "
    "status progress 7ala 7alat halat wasal",
    "follow": "تابع اتابع متابعه نتابع track follow tracking",
    "cancel": "الغي الغاء الغيه الغيها الغوا لغي كنسل اكنسل كنسله كنسلوا اسحب سحب اتراجع تراجع "
    "شيل شيلوا امسح مسح احذف حذف cancel cancelled cancellation withdraw delete remove "
    "alghi elghi nalghi nelghi cancle",
    "edit": "عدل اعدل تعديل اغير تغيير صحح اصحح تصحيح نعدل اصلح edit change modify a3adel "
    "3adel a3del",
    "error": "خطأ غلط غلطه اخطاء error mistake wrong ghalat 3'alat typo",
    "problem": "مشكله مشاكل مشكلتي عطل خلل معطل متعطل عطلان عطلانه خربان خربانه واقف واقفه "
    "معلق يعلق problem issue broken down bug mushkila mushkileh moshkela mshkla 3atlan",
    "delay": "تأخر تأخير متأخر متأخره تأخروا طولوا late delay delayed overdue",
    "respond": "رد ردوا ردو ردهم ردكم يردون يردوا يرد ترد تجاوب تجاوبوا استجابه جاوبوني "
    "جواب respond response reply replied answer raddo rad jawboni",
    "person": "موظف موظفه موظفين انسان بشري بشر شخص مسؤول ادمي بنادم بنيادم حد حدا زول ممثل "
    "human person agent employee staff representative someone somebody mowazaf mwazzaf "
    "muwazaf muwazzaf mowazafeen insan ensan 7ad 7ada",
    "robot": "روبوت روبو بوت ربوت اصطناعي robot robo bot chatbot machine ai",
    "talk": "اكلم كلم اتكلم احكي اتواصل تواصل كلمني كلموني حولني حولوني وديني نهدر "
    "talk speak chat contact transfer akalem a7ki hawwilni wadini nhder",
    "question": "سؤال استفسار اسأل استفسر سوال ask question inquiry query so2al",
    "rate": "قيم اقيم تقييم تقييمي نجوم نجمه درجه rate rating stars star feedback",
    "cost": "رسوم مجاني مجانا مجانيه ببلاش بلاش فلوس تكلفه free cost costs fee fees charge "
    "pay paid majani majaniya",
    "entity": "جهه وزاره بلديه امانه هيئه دائره مديريه اداره ministry authority agency "
    "municipality department government gov wizara wzara wazara baladiya balady",
    "duration": "يوم ايام يومين اسبوع اسابيع اسبوعين شهر شهور اشهر شهرين سنه day days week "
    "weeks month months year usbo3 usbu3 usbo3en usbu3ain asabee3 shahr ayam",
    "help": "ساعد ساعدني مساعده ساعدوني help assist sa3edni sa3dni",
    "insult": "غبي فاشل stupid useless dumb",
}

CONCEPT_SUFFIX = "_"  # concept tokens are `want_`, `how_`... (not a spelling of any word)
# و, the article, and ل before a word of its own alef («لالكترونية», «لاقتراح»).
_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ل")
# Present and future markers of the dialects (بشتكي, هلغي, حاشتكي, نلغي in the Maghreb),
# tried last and only for a rest of three letters or more that is in the lexicon.
_VERB_PREFIXES = ("ب", "ه", "ح", "ن", "ت", "ي")
_ARTICLES = ("وال", "بال", "فال", "لل", "ال")
_STRETCHED = re.compile(r"(.)\1\1+")  # شكراااا


def _build_forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for concept, words in LEXICON.items():
        for word in words.split():
            key = normalise(word).lower()
            if forms.setdefault(key, concept) != concept:
                raise ValueError(f"{word!r} is in both {forms[key]!r} and {concept!r}")
    return forms


FORMS: dict[str, str] = _build_forms()


def concept_of(word: str) -> str | None:
    """The concept of a (normalised, lower-case) word, also behind و, ال or a verb prefix."""
    if word in FORMS:
        return FORMS[word]
    for prefix in _PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 3 and rest in FORMS:
            return FORMS[rest]
    for prefix in _VERB_PREFIXES:
        rest = word[1:]
        if word.startswith(prefix) and len(rest) >= 3:
            concept = FORMS.get(rest) or FORMS.get("ا" + rest)  # بشتكي: (ا)شتكي
            if concept:
                return concept
    return None


@functools.lru_cache(maxsize=65536)
def canonical_token(token: str) -> str:
    """The canonical form of one token (see the module's docstring)."""
    word = normalise(token).lower()
    concept = concept_of(word) or concept_of(_STRETCHED.sub(r"\1", word))
    if concept:
        return concept + CONCEPT_SUFFIX
    if is_latin(word):
        word = transliterate(word)
        concept = concept_of(word)
        if concept:
            return concept + CONCEPT_SUFFIX
    word = _STRETCHED.sub(r"\1", word)
    for article in _ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= 3:
            return word[len(article) :]
    return word


def canonical_tokens(tokens: list[str]) -> list[str]:
    """The canonical view of a tokenised message: one form per token."""
    return [canonical_token(token) for token in tokens]


@functools.lru_cache(maxsize=4096)
def alternatives(word: str) -> tuple[str, ...]:
    """The other Arabic-script forms of the concept of `word` (for augmentation)."""
    concept = FORMS.get(word)
    if concept is None:
        return ()
    forms = dict.fromkeys(normalise(w) for w in LEXICON[concept].split())
    return tuple(form for form in forms if form != word and not is_latin(form))
