"""What a citizen's opening message already says about their report.

Citizens often start with the whole story: «قدمت شكوى على صحتي من ثلاث أسابيع، وقالوا
يردون خلال 5 أيام عمل وما ردوا، أبي أصعد»، «اسمي … ما قدرت اجدد اقامتي في مقيم، عطوني
رقم 118804». The form should keep what the story says and ask only what is missing: the
beneficiary's name, ID and mobile, the names (`Catalogue.mentioned`), the trigger, the
promised days, the channel, the entity's complaint number and its date, and for the other
reports the process, the reason or the suggestion when a full sentence states them. Only
facts stated plainly are kept: a fact that is denied («ما قفلوها») or two triggers or two
channels at once leave the question to the form; values are read by the same finders as
the form's answers (`bot.rules.values`, `bot.rules.identity`, `bot.rules.dates`), and
everything kept is shown back to the citizen, checked by the form's validators and
repeated in the summary before filing, so a misreading is corrected before it decides
anything. Dialects and Arabizi (Latin letters with 2/3/5/7/9) are read by the cues.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.rules.arabic import normalise, normalise_with_map, to_ascii_digits
from bot.rules.arabizi import is_latin, transliterate
from bot.rules.catalogue import Catalogue
from bot.rules.dates import parse_user_date
from bot.rules.eligibility import Trigger
from bot.rules.identity import find_national_id, find_saudi_mobile
from bot.rules.values import find_reference, find_sla_days, words_of

_NEGATION = (
    r"(?:ما|مو|مب|مش|لم|لا|ليس|ليست|غير|بدون|دون|مو\s+هم|ma|mo|mu|mesh|mish|not|never|"
    r"didn'?t|haven'?t|hasn'?t)"
)
# «قفلوا الشكوى»، «انغلقت»، «سكروا البلاغ»، «سدوها»، «2aflo el shakwa»: closed by the entity.
_CLOSED = re.compile(
    r"(?<!\S)(?:(?P<neg>" + _NEGATION + r")\s+(?:\S+\s+)?)?[وف]?"
    r"(?:قفلو|قفلت|قفل|اقفلو|اقفلت|سكرو|سكرت|انقفلت|انقفل|انغلقت|انغلق|اغلقو|اغلقت|اغلق|"
    r"غلقو|سدو|سدت|انسدت|مقفل|مغلق|مسكر|مقفول|مسكور|مغلوق|اتقفل|اتسكر|اتغلق|تقفلت|تسكرت|"
    r"تم اغلاق|تم قفل|closed|2aflo|2afalo|afalo|qaflo|"
    r"qafalo|sakaro|sakkaro|sakro|saddo|sado)"
)
# «ما قدرت أقدم الشكوى لأن الموقع معطل»، «ما كدرت اشتكي»، «ma 2dert a2dem shakwa»: the
# entity's system prevented filing.
_COULD_NOT_FILE = re.compile(
    r"(?:ما قدرت|ما اقدر|ماقدرت|مقدرتش|ما قدرتش|ماقدرتش|ما قدر|لم استطع|لم اتمكن|ما تمكنت|"
    r"ما اتمكنت|تعذر|ما عرفت|معرفتش|ما كدرت|ماكدرت|مش قادر|مو قادر|ما زبط|ما ظبط|ما رضي|"
    r"ما يرضي|ما يقبل|ما بيقبل|ما خلاني|ما يخليني|حاولت|couldn'?t|could not|can'?t|cannot|"
    r"unable to|failed to|not able to|tried to|ma 2dert|ma qdert|ma gdert|m2dertsh|ma9dert|"
    r"ma 2dartsh)\s+(?:\S+\s+){0,3}?(?:ال)?"
    r"(?:شكو|شكاوي|بلاغ|اشتكي|اشكي|complaint|shakwa|shakwe|shakwi|balagh)"
)
_SYSTEM_FAILURE = re.compile(
    r"معطل|تعطل|عطل|عطلان|خربان|بايظ|بايز|مضروب|خلل|خطا|error|ايرور|ما يفتح|مايفتح|"
    r"ما بيفتح|مبيفتحش|ما عم يفتح|ما يشتغل|مش شغال|مو شغال|مب شغال|واقف|طايح|down|يعلق|"
    r"معلق|يهنق|ما يستجيب|not working|doesn'?t work|crash|m3atal|m3attal|3otl|5arban|"
    r"kharban|wa2ef|ma yefta7"
)
# «ما حددوا مدة»، «بدون مدة للرد»، «ما قالولي متى يردون»، «ما قالوا كم يوم»، «محددوش»: no
# response time set.
_WHEN = r"(?:متي|امتي|امتا|ايمتي|ايمتا|وقتيش|شوكت|شوقت|ميتي|مده|وقت|موعد|كم|كام|قديش)"
_NO_SLA = re.compile(
    r"(?:ما|لم|بدون|ولا|مو|مش)\s+(?:\S+\s+){0,2}?(?:حدد|تحدد|يحدد|عطو|اعطو|فيه|في)\S*\s+"
    r"(?:\S+\s+){0,2}?(?:مده|وقت|موعد)"
    r"|بدون\s+(?:تحديد\s+)?(?:مده|وقت)"
    r"|(?:ما|لم|ولا|مو|مش)\s+(?:\S+\s+){0,1}?(?:قالو|قالو|قلو|حكو|خبرو|ذكرو|بلغو|كالو)\S*\s+"
    r"(?:\S+\s+){0,2}?" + _WHEN + r"(?!\S)"
    r"|(?:مقالوليش|ماقالوليش|ما قالوليش|محددوش|ماحددوش|ما حددوش)"
    r"|no (?:deadline|time ?frame|sla|response time)|without (?:a )?(?:deadline|time ?frame)"
    r"|didn'?t (?:say|tell me|give) (?:\S+\s+){0,3}?(?:when|deadline|time)"
    r"|ma (?:7adado|7adadu|2aloli emta|2alouli emta|qalooli mata)"
)
# «عدت المدة»، «المهلة خلصت»، «فاتت المدة اللي قالوها»، «تجاوزوا المدة»، «مدت تمام» (a
# non-native speaker): the promised period passed, whether or not its days are told; not
# when denied («المدة ما خلصت»). «الوقت» alone is left out («الوقت تمام»: the time suits).
_PERIOD = r"(?:ال)?(?:مده|مهله|مدت|مهلت|فتره)"
_OVER = (
    r"(?:عدت|عدي|تعدت|فاتت|فات|مرت|مضت|مضي|خلصت|خلص|انتهت|انتهي|راحت|انقضت|طافت|تمام|"
    r"كملت|اكتملت|خلاص)"
)
_PERIOD_PASSED = re.compile(
    r"(?<!\S)(?:(?P<neg>" + _NEGATION + r")\s+)?[وف]?" + _OVER + r"\s+" + _PERIOD + r"(?!\S)"
    r"|(?<!\S)[وف]?" + _PERIOD + r"\s+(?:(?P<neg2>" + _NEGATION + r")\s+)?" + _OVER + r"(?!\S)"
    r"|(?<!\S)[وف]?(?:تجاوزو|تعدو|تخطو)\S*\s+(?:ال)?(?:مده|مهله)"
)
# «خلال 5 أيام»، «مدة الرد ٧ أيام عمل»، «وعدوني يردون بعد يومين»، «حكولي رح يردوا خلال
# اسبوع»، «2alouli 5ilal 3 ayam»: the words after these name the promised time.
_PROMISE_WORDS = frozenset(
    {
        *("خلال", "غضون", "مدته", "مدتها", "مده", "المده", "للرد", "المحدده", "يردون"),
        *("بيردون", "يردوا", "بيردوا", "هيردوا", "حيردوا", "يردو", "بيردو", "within", "5ilal"),
        *("khilal", "5lal", "5elal", "promised", "said", "sla"),
    }
)
_PROMISE_STEMS = (
    *("وعدو", "قال", "قول", "يقول", "حكو", "خبرو", "اكدو", "كالو", "بلغو", "ذكرو", "حددو"),
    *("wa3do", "2alo", "qalo", "told", "say"),
)
# Elapsed time («من 3 أسابيع»، «قبل شهر»، «صار لي 10 أيام») is not a promise: it ends the
# words read after a promise.
_ELAPSED_WORDS = frozenset({"قبل", "من", "منذ", "صار", "صارلي", "صارلها", "صارله", "ago", "since"})
_ARABIZI_UNITS = {
    **dict.fromkeys(("ayam", "ayyam", "ayaam", "iyam"), "ايام"),
    **dict.fromkeys(("yom", "youm", "yoom", "yawm"), "يوم"),
    **dict.fromkeys(("yomen", "yomein", "yumen", "yomain"), "يومين"),
    **dict.fromkeys(("osbo3", "osboo3", "usbu3", "esbo3", "isbo3"), "اسبوع"),
    **dict.fromkeys(("osbo3en", "osbo3ein", "esbo3en", "usbu3en"), "اسبوعين"),
}
_TIME_UNITS = frozenset(
    {
        *("يوم", "ايام", "يوما", "يومين", "يومان", "اسبوع", "اسابيع", "اسبوعين", "اسبوعان"),
        *("ساعه", "ساعات", "day", "days", "week", "weeks", "hour", "hours"),
    }
)
# The entity's complaint number follows these: «رقم الشكوى 4471-2026»، «رقم البلاغ عندهم
# INC-2026-7781»، «عطوني رقم ١١٨٨٠٤»، «ref no. 5521»، «الشكوى رقمها 7781»، «شكوى نمبر 3349081».
_REFERENCE_CUE = re.compile(
    r"(?:رقم|الرقم|برقم)\s+(?:ال)?(?:شكوي|شكوا|شكوه|شكواي|بلاغ|بلاغي|طلب|تذكره|مرجع|مرجعي|حاله)"
    r"|(?:ادوني|اعطوني|عطوني|ادولي|اداني|عطاني|اعطاني|عطونا|اعطونا|جاني|جاتني|وصلني|وصلتني|"
    r"ارسلولي|بعتولي|طلعلي|خذيت|اخذت)\s+(?:\S+\s+)?(?:ال)?رقم"
    r"|(?:شكوي|شكواي|بلاغ|بلاغي)\s+(?:رقم|برقم|رقمها|رقمه|نمبر|نامبر|number|no\.?|#)"
    r"|رقمها|(?<![a-z])(?:ref|reference)(?![a-z])\s*(?:no\.?|number|num|#|id)?\s*[:#]?"
    r"|(?<![a-z])(?:ticket|case|complaint)\s*(?:no\.?|number|num|#|id)\s*[:#]?"
    r"|(?:ra2am|raqam|rakam|rqm)\s+(?:el\s*)?(?:shakwa|shakwe|balagh|talab)"
    r"|(?:adooni|adoni|3atoni|3atooni|a3tooni)\s+(?:ra2am|raqam|rakam|rqm)",
    re.IGNORECASE,
)
# Filing the complaint with the entity: the date the story gives is read near these.
_FILED = re.compile(
    r"(?<!\S)[وف]?(?:قدمت|قدمنا|رفعت|رفعنا|سجلت|سجلنا|فتحت|فتحنا|بلغت|بلغنا|عملت|عملنا|سويت|سوينا|سوي|"
    r"اشتكيت|اشتكينا|submitted|filed|opened|lodged|raised|2adamt|qadamt)"
    r"(?:\s+\S+){0,3}?\s+(?:ال)?(?:شكوي|شكوا|شكواي|بلاغ|بلاغي|تذكره|complaint|ticket|shakwa)"
    r"|(?<!\S)[وف]?(?:اشتكيت|اشتكينا|شكيت|شكينا|اشتكيتهم|شكيتهم|بتاريخ|تاريخها|تاريخه)(?!\S)",
    re.IGNORECASE,
)
# Words that would read as «today» without meaning the day of filing («وللحين ما ردوا»).
_NOT_A_DATE = frozenset({"الحين", "للحين", "والحين", "لحد", "لين", "توه", "توني", "الان", "هلا"})
_CLAUSE_END = re.compile(r"[.!?\n;,]")
# The channel the service was requested through, said plainly: «من الموقع»، «عبر
# التطبيق»، «اتصلت على الرقم الموحد»، «كلمتهم بالتلفون»، «رحت الفرع». The codes are the
# complaint form's (`CHANNEL_OPTIONS`); anything unclear is left to its buttons.
_VIA = (
    r"(?:من|عبر|في|على|علي|بواسطه|عن طريق|via|through|on|from|using|used|mn|3br|fi|fe|"
    r"3la|3ala|3al)\s+"
)
_THE = r"(?:ال|el\s*|al\s*|the\s+)?"
_CHANNEL_CUES = {
    "website": re.compile(
        r"(?<!\S)(?:" + _VIA + _THE + r"|[وف]?بال|[وف]?ب)"
        r"(?:موقع|بوابه|متصفح|website|site|web|portal|mawqe3|mawqi3|maw2e3)",
        re.IGNORECASE,
    ),
    "app": re.compile(
        r"(?<!\S)(?:" + _VIA + _THE + r"|[وف]?بال|[وف]?ب)"
        r"(?:تطبيق|ابلكيشن|ابليكيشن|app|application|tatbeeq|tatbee2|tatbe2)",
        re.IGNORECASE,
    ),
    "call_center": re.compile(
        r"(?<!\S)[وف]?(?:اتصلت|اتصلنا|تصلت|دقيت|called|phoned|etasalt|etsalt|ettasalt)(?!\S)"
        r"|(?:على|علي|ب)\s*(?:ال)?(?:رقم الموحد|كول سنتر|خدمه العملاء)"
        r"|(?<!\S)[وف]?ب(?:ال)?(?:تلفون|تليفون|هاتف)(?!\S)|تلفونيا|هاتفيا"
        r"|call ?cent(?:er|re)|hotline|by phone|bel telephone",
        re.IGNORECASE,
    ),
    "paper": re.compile(
        r"(?<!\S)[وف]?(?:رحت|رحنا|روحت|زرت|راجعت|رحتلهم|ruht|ro7t|went to|visited)\s+"
        r"(?:\S+\s+)?(?:لل|ل|ال|el\s*|the\s+)?(?:فرع|مكتب|مقر|branch|office|far3)"
        r"|(?<!\S)(?:حضوريا|حضوري|in person)(?!\S)"
        r"|" + _VIA + r"(?:ال)?فرع",
        re.IGNORECASE,
    ),
}
# «اسمي محمد القحطاني»، «my name is …»، «esmi …»: the name is the words that follow.
_NAME_CUE = re.compile(
    r"(?<![^\W\d_])(?:[اأإآ]سمي|ال[اأإآ]سم|my name is|name is|esmi|ismi|esmy|ismy)(?:\s+(?:هو|is))?"
    r"\s*[:\-]?\s*",
    re.IGNORECASE,
)
# «انا …» / «معك …» introduce a name only when an identifier follows it at once.
_SELF_CUE = re.compile(r"(?<![^\W\d_])(?:انا|أنا|معك|معاك)\s+")
_IDENTIFIER_NEXT = re.compile(
    r"[\s,،:\-]*(?:و)?(?:هويتي|هويه|رقم|رقمي|جوالي|جوال|اقامتي|إقامتي|سجلي|السجل|الهويه|الهوية)"
)
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)?")
_NAME_STOPS = frozenset(
    {
        *("و", "انا", "رقم", "هويتي", "هويه", "جوالي", "جوال", "اقامتي", "اقامه", "سجل"),
        *("من", "عندي", "ابي", "ابغي", "ابغا", "اريد", "بغيت", "حاب", "قدمت", "عندهم"),
        *("مواطن", "مقيم", "رقمي", "هاتفي", "تلفوني", "and", "my", "i", "from", "id", "w"),
        *("mobile", "phone", "number", "iqama", "im", "i'm", "rqm", "ra2m", "ra2am"),
    }
)
# Digitisation request: how the service is done today and why it should be digital
# («عشان يوفر علينا الوقت والمشاوير»). The process is told by an obligation or a habit
# («لازم»، «يتطلب»، «مضطرين»، «يشترطون»، «كل مرة»، «حاليا»، «have to») or by the going
# itself («نروح»، «اراجع»، «نتوجه»), followed within a few words by what makes it a paper
# service: a place to go to (الفرع، المكتب، المحكمة، البلدية…), being there in person,
# paper, originals, copies, a stamp, a signature, a queue.
_PROCESS_CUE = (
    r"لازم|يلزم|تلزم|لازمها|لازمه|مضطر\w*|اضطر\w*|نضطر\w*|مجبور\w*|يجب|ينبغي|لابد|لا بد|"
    r"[يت]تطلب\w*|[يت]ستلزم\w*|[يت]شترط\w*|[يت]تعين|[نا]حتاج|[يت]حتاج\w*|محتاج\w*|يطلبو\w*|"
    r"يبو[نه]\w*|يبغو[نه]\w*|يبيلها|تبيلها|بدها|حاليا|دلوقتي|هلق|[يت]تم|كل مر[هت]|دايم|دايما|"
    r"دائما|"
    r"عاد[هت]|بالعاد[هت]|[انيت](?:روح|راجع|ذهب|توجه)\w*|have to|has to|must|need to|"
    r"currently|every time"
)
_PROCESS_MARK = (
    r"(?:[وفبل]|لل|ال|بال|وال|فال|وبال|ولل)?(?:فرع|مكتب|مقر(?!\w)|مقرات|محكم|بلدي(?:ه|ات)|"
    r"امانه|اداره|كتابه العدل|حضور|شخصي|بنفس(?:ي|ك|ه|نا|هم)(?!\w)|ورق|اوراق|نموذج|استمار|"
    r"اصول|اصلي|اصل(?!\w)|نسخ|طباع|مطبوع|ختم|مختوم|توقيع|تصديق|"
    r"مصدق|يدوي|طابور|زحم|مراجع|روح|راجع|سلم|تسليم|[انيت]طبع|[انيت]وقع|branch|office|paper|"
    r"print|stamp|in person|original|cop(?:y|ies)|queue|visit|go to)\w*"
)
_PROCESS = re.compile(
    r"(?:(?<!\S)|(?<=\s[وف])|(?<=^[وف]))(?:"
    + _PROCESS_CUE
    + r")\s+(?:\S+\s+){0,6}?"
    + _PROCESS_MARK,
    re.IGNORECASE,
)
_REASON_START = re.compile(
    r"(?<!\S)(?:لان|لانه|لانها|عشان|علشان|لكي|كي|حتي|بحيث|because|so that|so)\s+", re.IGNORECASE
)
_BENEFIT = re.compile(
    r"يوفر|توفر|توفير|نوفر|يختصر|تختصر|اختصار|اسهل|اسرع|يسهل|تسهل|تسهيل|بدل ما|بدال ما|"
    r"يريح|تريح|الزحمه|المشاوير|المشوار|الجهد|save|faster|easier",
    re.IGNORECASE,
)
# Improvement suggestion, stated: a proposal or a wish («اقترح»، «ياريت»، «اتمنى»، «ودي
# لو»، «نفسي»، «المفروض»، «ليش ما»، «ممكن»، «ابي»، «I suggest»، «please») followed within a
# few words by what should change: a verb of change in the present («يضيفون»، «يصير»،
# «تسمح»، «نقدر»، «يبقى») or a feature («خيار»، «خاصية»، «تنبيه»، «اضافة»، «option»). A bare
# «ابي اقترح تطوير على قوى» is the request, not the suggestion.
_WISH_WORDS = frozenset(
    {
        *("اقترح", "نقترح", "اقترحت", "اقتراحي", "مقترحي", "اقتراح", "مقترح", "فكرتي", "ياريت"),
        *("ريت", "يريت", "ياريتهم", "ياريتكم", "ياليت", "ليت", "ليتهم", "ليتكم", "اتمني", "نتمني"),
        *("اتمنا", "نتمنا", "نفسي", "حبذا", "ياحبذا", "المفروض", "مفروض", "الافضل", "الاحسن"),
        *("احسن", "يفضل", "لو", "ليش", "ليه", "لماذا", "ممكن", "يمكن", "لازم", "يجب", "ينبغي"),
        *("ابي", "ابغي", "ابغا", "بدي", "بدنا", "عايز", "عايزين", "عاوز", "نبي", "نبغي", "ودي"),
        *("ودنا", "حاب", "حابب", "اريد", "نريد", "ارجو", "نرجو", "اطلب", "نطلب", "ابيهم"),
        *("ابغاهم", "ابغيهم", "نبيهم", "نبغاهم", "عسي", "عساهم", "بتمني", "منتمني"),
        *("suggest", "suggestion", "wish", "hope", "should", "please", "would", "could", "why"),
        *("idea", "yareet", "yaret", "reet", "law", "lw", "atmana", "atmanna", "nefsi", "nfsi"),
        *("a2tare7", "aqtare7", "eqtera7", "iqtira7", "e2tera7", "mafrood", "mafroud"),
    }
)
# Words that may stand between the wish and what it wishes («اقترح ان»، «ودي لو»).
_WISH_GLUE = frozenset(
    {"ان", "انه", "انهم", "انكم", "لو", "اذا", "يا", "عليكم", "لكم", "منكم", "ما", "that", "if"}
)
_CHANGE_VERB = re.compile(
    r"(?:[وف])?(?:[يتن]|[بحه][يتن]|س[يتن])(?:ضيف|ضاف|ديف|داف|صير|كون|خل|حط|وفر|سمح|رسل|ظهر|"
    r"عرض|تيح|ربط|فعل|سو|عمل|بق|زيد|زود|حدث|غير|سهل|دعم|قبل|نبه|ذكر|حفظ|لغ|ختصر|طور|حسن|"
    r"صلح|نزل|قدر|مكن|شتغل|رجع|كمل|عط|حول|فتح|صدر|طلع|شيل|مدد|جدد|قسط|خفض|قلل|سرع|بسط)\w*"
)
_FEATURE = re.compile(
    r"(?:[وفبل]|ال|بال|وال|لل)?(?:خاصي|ميز|خيار|زر|زرار|امكاني|تنبيه|اشعار|تذكير|رسال|وضع|"
    r"قسم|خانه|رابط|اضاف|توفير|تفعيل|السماح|دعم|تحديث|ربط)\w*"
    r"|(?:add|allow|enable|let|show|send|support)(?:s|ed|ing)?"
    r"|(?:option|feature|button|notification|reminder)s?",
    re.IGNORECASE,
)
_SUGGESTION_REACH = 4  # words between the wish and what should change
_SENTENCE = re.compile(r"[^.!?؟\n;؛]+")
FREE_TEXT_MIN_WORDS = 5  # a shorter clause is no description: the form asks for one


@dataclass(frozen=True)
class StoryFacts:
    """Facts stated in one opening message; None where it says nothing clear."""

    entity: str | None = None
    platform: str | None = None
    service: str | None = None
    trigger: Trigger | None = None
    sla_days: int | None = None
    prior_complaint_number: str | None = None
    prior_complaint_date: str | None = None
    request_channel: str | None = None
    beneficiary_name: str | None = None
    national_id: str | None = None
    mobile: str | None = None
    current_process: str | None = None
    digitization_reason: str | None = None
    suggestion: str | None = None
    closed_topic: str | None = None

    def slots(self) -> dict[str, str]:
        """The forms' slots these facts fill (each form keeps its own fields)."""
        values = {
            "beneficiary_name": self.beneficiary_name,
            "national_id": self.national_id,
            "mobile": self.mobile,
            "entity": self.entity,
            "platform": self.platform,
            "service": self.service,
            "complaint_trigger": self.trigger.value if self.trigger else None,
            "sla_days": str(self.sla_days) if self.sla_days else None,
            "request_channel": self.request_channel,
            "prior_complaint_number": self.prior_complaint_number,
            "prior_complaint_date": self.prior_complaint_date,
            "current_process": self.current_process,
            "digitization_reason": self.digitization_reason,
            "suggestion": self.suggestion,
            "closed_topic": self.closed_topic,
        }
        return {slot: value for slot, value in values.items() if value is not None}


def _plain(text: str) -> str:
    return re.sub(r"[^\w\s\-/']", " ", normalise(to_ascii_digits(text)).lower())


def _promise_at(word: str) -> bool:
    return word in _PROMISE_WORDS or word.lstrip("و").startswith(_PROMISE_STEMS)


def promised_days(text: str) -> int | None:
    """The response time the entity promised, in working days, when the text states one
    («قالوا خلال ٥ أيام عمل»; a week is 5 working days): read by `find_sla_days` in the
    words after a promise, up to an elapsed time («من 3 أسابيع» is no promise), and only
    with its unit (a bare number after «قالوا» may be anything)."""
    words = [_ARABIZI_UNITS.get(word, word) for word in words_of(text)]
    for index, word in enumerate(words):
        if not _promise_at(word):
            continue
        after = []
        for following in words[index + 1 : index + 6]:
            if following in _ELAPSED_WORDS or following.startswith("صار"):
                break
            after.append(following)
        if not _TIME_UNITS.intersection(after):
            continue
        days = find_sla_days(" ".join(after)).days
        if days is not None:
            return days if 1 <= days <= 90 else None
    return None


def _closed(plain: str) -> bool:
    return any(match.group("neg") is None for match in _CLOSED.finditer(plain))


def _period_passed(plain: str) -> bool:
    return any(
        match.group("neg") is None and match.group("neg2") is None
        for match in _PERIOD_PASSED.finditer(plain)
    )


_TRIGGER_CLAUSES = re.compile(r"[.،,!?؟;؛\n]+")


def story_trigger(text: str) -> Trigger | None:
    """The escalation trigger a story states, when it states exactly one. A negation is
    read within its clause: «الكفيل مش موافق. قفلوا الشكوى» says the complaint was closed."""
    plain = _plain(text)
    clauses = [_plain(clause) for clause in _TRIGGER_CLAUSES.split(text)]
    found = set()
    if any(_closed(clause) for clause in clauses):
        found.add(Trigger.CLOSED_UNSATISFIED)
    if promised_days(text) is not None or any(_period_passed(clause) for clause in clauses):
        found.add(Trigger.SLA_PASSED)
    if _NO_SLA.search(plain):
        found.add(Trigger.NO_SLA)
    if _COULD_NOT_FILE.search(plain) and _SYSTEM_FAILURE.search(plain):
        found.add(Trigger.TECHNICAL_FAILURE)
    return found.pop() if len(found) == 1 else None


def _digit_count(word: str) -> int:
    """Digits in a word: «3al» (Arabizi) has one, a complaint number several."""
    return sum(ch.isdigit() for ch in word)


def _identifier(value: str) -> bool:
    return bool(find_saudi_mobile(value).value or find_national_id(value).value)


def prior_reference(text: str) -> str | None:
    """The entity's complaint number when the story gives it after a cue («رقم الشكوى»،
    «عطوني رقم»، «ref no.»): the first number within a few words, read by
    `find_reference`; a mobile or national ID is not taken for it."""
    plain = normalise(to_ascii_digits(text))
    for cue in _REFERENCE_CUE.finditer(plain):
        words = plain[cue.end() :].split()[:8]
        first = next((i for i, w in enumerate(words[:4]) if _digit_count(w) >= 3), None)
        if first is None:
            continue
        taken = [words[first]]
        for word in words[first + 1 : first + 4]:
            if not re.fullmatch(r"[A-Za-z0-9\-/_.#:]+", word):
                break
            taken.append(word)
        value = find_reference(" ".join(taken)).value
        if value and not _identifier(value):
            return value.upper()
    return None


def filed_on(text: str, today: dt.date) -> str | None:
    """The day the complaint was filed with the entity (ISO), when the story dates it
    near the filing («قدمت الشكوى قبل اسبوعين»، «من ٣ اسابيع اشتكيت»، «بتاريخ
    1/5/2026»): read by `parse_user_date` in that clause, after the filing words first."""
    for clause in _CLAUSE_END.split(normalise(to_ascii_digits(text))):
        for cue in _FILED.finditer(clause):
            before = clause[: cue.start()].split()[-4:]
            after = clause[cue.end() :].split()[:10]
            for words in (after, before):
                kept = [w for w in words if w.lower() not in _NOT_A_DATE]
                parsed = parse_user_date(" ".join(kept), today) if kept else None
                if parsed and parsed.date is not None:
                    return parsed.date.isoformat()
    return None


def request_channel(text: str) -> str | None:
    """The channel the service was requested through, when the story names exactly one
    plainly and does not deny it («ما رحت الفرع»)."""
    plain = _plain(text)
    found = set()
    for code, cue in _CHANNEL_CUES.items():
        for match in cue.finditer(plain):
            before = plain[: match.start()].split()[-1:]
            if not (before and re.fullmatch(_NEGATION, before[0])):
                found.add(code)
    return found.pop() if len(found) == 1 else None


def beneficiary_name(text: str) -> str | None:
    """The first and family name after «اسمي» (two to four words, as typed; the words
    of the next fact — «وجوالي»، «رقم» — end it), or after «انا» when an identifier
    follows the name at once («انا سعد بن فهد المطيري هويتي ١٥…»: «انا سوداني مقيم» is no
    name)."""
    cue = _NAME_CUE.search(text)
    if cue is not None:
        words = _name_words(text, cue.end())
        return " ".join(w.group(0) for w in words) if len(words) >= 2 else None
    for cue in _SELF_CUE.finditer(text):
        words = _name_words(text, cue.end())
        if len(words) >= 2 and _IDENTIFIER_NEXT.match(text, words[-1].end()):
            return " ".join(w.group(0) for w in words)
    return None


def _name_words(text: str, start: int) -> list[re.Match[str]]:
    words: list[re.Match[str]] = []
    for match in _NAME_WORD.finditer(text, start):
        gap = text[words[-1].end() if words else start : match.start()]
        if gap.strip() or len(words) == 4:
            break
        key = normalise(match.group(0)).lower()
        if key in _NAME_STOPS or (key[:1] == "و" and key[1:] in _NAME_STOPS):
            break
        words.append(match)
    return words


def _clauses(text: str, cue: re.Pattern[str]) -> list[str]:
    """The parts of the sentences of `text` from a `cue` to the sentence's end, as typed
    (the cue is found in the normalised text), long enough to be a description."""
    found = []
    for sentence in _SENTENCE.finditer(text):
        mapped = normalise_with_map(sentence.group(0))
        match = cue.search(mapped.text)
        if match is None:
            continue
        start, _ = mapped.original_span(match.start(), match.end())
        clause = sentence.group(0)[start:].strip(" ،,")
        if len(clause.split()) >= FREE_TEXT_MIN_WORDS:
            found.append(clause)
    return found


def _before_reason(clause: str) -> str:
    """A process clause without the reason that follows it («… لان …»)."""
    mapped = normalise_with_map(clause)
    reason = _REASON_START.search(mapped.text)
    if reason is None or reason.start() == 0:
        return clause
    return clause[: mapped.original_span(reason.start(), reason.end())[0]].strip(" ،,و")


def current_process(text: str) -> str | None:
    """How a paper service is done today, when a full sentence says it."""
    for clause in _clauses(text, _PROCESS):
        process = _before_reason(clause)
        if len(process.split()) >= FREE_TEXT_MIN_WORDS:
            return process
    return None


def digitization_reason(text: str) -> str | None:
    """Why the service should be digital: a full clause that gives a benefit («عشان
    يوفر الوقت والمشاوير»), not one that only describes today's process."""
    for clause in _clauses(text, _REASON_START):
        mapped = normalise_with_map(clause)
        reason = _REASON_START.search(mapped.text)
        start = mapped.original_span(reason.start(), reason.end())[0] if reason else 0
        part = clause[start:]
        if _BENEFIT.search(normalise(part)) and len(part.split()) >= FREE_TEXT_MIN_WORDS:
            return part.strip()
    return None


def stated_suggestion(text: str) -> str | None:
    """The improvement itself, when the opening states it in a full clause: from the
    wish (and the wish words just before it: «ودي لو»، «ياريت لو») to the end of its
    sentence, when what should change follows the wish within a few words."""
    for sentence in _SENTENCE.finditer(text):
        words = list(re.finditer(r"\S+", sentence.group(0)))
        keys = [_word_key(word.group(0)) for word in words]
        for index, key in enumerate(keys):
            if not (_CHANGE_VERB.fullmatch(key) or _FEATURE.fullmatch(key)):
                continue
            reach = range(index - 1, max(index - 1 - _SUGGESTION_REACH, -1), -1)
            wish = next((i for i in reach if keys[i] in _WISH_WORDS), None)
            if wish is None:
                continue
            while wish > 0 and keys[wish - 1] in _WISH_WORDS | _WISH_GLUE:
                if words[wish - 1].group(0)[-1] in "،,":
                    break
                wish -= 1
            clause = sentence.group(0)[words[wish].start() :].strip(" ،,")
            if len(clause.split()) >= FREE_TEXT_MIN_WORDS:
                return clause
    return None


def _word_key(word: str) -> str:
    """A word as the suggestion's cues are compared with it: normalised, without its
    punctuation; a Latin word lower-cased, Arabizi also written in Arabic script when the
    cues know it only so («yzeedoon» → «يزيدون»)."""
    key = normalise(word).strip(".,،:!?؟«»\"'()").lower()
    if is_latin(key) and key not in _WISH_WORDS and not _FEATURE.fullmatch(key):
        return transliterate(key)
    return key


# «المشكلة التقنية ما زالت»، «خطأ تقني»، «عطل فني»، «technical issue»: a closed complaint's
# problem said to be technical. Never "procedures" from a story: that answer refuses.
_TECHNICAL = re.compile(
    r"(?:مشكله|المشكله|خطا|الخطا|خلل|الخلل|عطل|العطل)\s+(?:ال)?(?:تقني|تقنيه|فني|فنيه)(?!\w)"
    r"|technical (?:issue|problem|error|fault)"
)


def closed_technically(text: str, trigger: Trigger | None) -> str | None:
    """The topic of a closed complaint when the story says its problem is technical."""
    if trigger is not Trigger.CLOSED_UNSATISFIED:
        return None
    return "technical" if _TECHNICAL.search(_plain(text)) else None


def read_story(text: str, catalogue: Catalogue, today: dt.date | None = None) -> StoryFacts:
    """Everything the opening message says plainly; each form keeps its own fields."""
    entity, platform, service = catalogue.mentioned(text)
    trigger = story_trigger(text)
    needs_reference = trigger is not Trigger.TECHNICAL_FAILURE
    reference = prior_reference(text) if needs_reference else None
    national_id = find_national_id(text).value
    return StoryFacts(
        entity=entity.name if entity else None,
        platform=platform.name if platform else None,
        service=service.name if service else None,
        trigger=trigger,
        sla_days=promised_days(text) if trigger is Trigger.SLA_PASSED else None,
        prior_complaint_number=reference,
        prior_complaint_date=filed_on(text, today) if today and needs_reference else None,
        request_channel=request_channel(text),
        beneficiary_name=beneficiary_name(text),
        national_id=national_id if national_id != reference else None,
        mobile=find_saudi_mobile(text).value,
        current_process=current_process(text),
        digitization_reason=digitization_reason(text),
        suggestion=stated_suggestion(text),
        closed_topic=closed_technically(text, trigger),
    )
