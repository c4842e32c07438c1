"""Typed answers to choice questions (`bot.rules.choices`): negations and contrasts are
understood, and an answer that is not clear is never turned into a choice."""

from __future__ import annotations

import time

import pytest

from bot.actions.complaint_form import CLOSED_TOPIC_OPTIONS, TRIGGER_OPTIONS
from bot.actions.report_form import CHANNEL_OPTIONS, CONFIRM_OPTIONS, YES_NO_OPTIONS
from bot.rules.choices import read_choice, reader_for

UNCLEAR = None


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        # plain answers, MSA and dialects
        ("الموقع الإلكتروني", "website"),
        ("عبر الموقع", "website"),
        ("عن طريق التطبيق", "app"),
        ("بالتطبيق", "app"),
        ("من الابلكيشن", "app"),
        ("اتصلت على الرقم الموحد", "call_center"),
        ("كلمتهم بالتلفون", "call_center"),
        ("رحت الفرع", "paper"),
        ("معاملة ورقية", "paper"),
        ("التطبيق التطبيق", "app"),  # named twice: one option
        ("app", "app"),
        ("the website", "website"),
        # negation, then the option meant
        ("مب تطبيق، الموقع", "website"),  # Gulf
        ("مب تطبيق الموقع", "website"),
        ("مو تطبيق بل الموقع", "website"),  # correction
        ("مش التطبيق، الموقع", "website"),  # Egyptian / Levantine
        ("مش ورق، ابلكيشن", "app"),
        ("بالتطبيق مو بالموقع", "app"),
        ("ما طلبتها من خلال تطبيق الجهة، الموقع", "website"),
        ("ما طلبتها الا من الموقع", "website"),  # «ما … الا …»: only
        ("ما استخدمت غير التطبيق", "app"),  # «ما … غير …»: only
        ("ليس التطبيق وإنما الموقع", "website"),
        ("لا لا مش ورقي، كان بالتطبيق", "app"),
        ("mesh app, website", "website"),  # Arabizi
        ("not the app but the website", "website"),
        ("website not app", "website"),
        ("التطبيق، اقصد الموقع", "website"),  # self-correction
        ("التطبيق بل الموقع", "website"),
        # numbers in any script, ordinals
        ("2", "app"),
        ("٢", "app"),
        ("۲", "app"),
        ("(4)", "paper"),
        ("3.", "call_center"),
        ("الثاني", "app"),
        ("الخيار ٣", "call_center"),
        ("الخيار: 1", "website"),
        ("رقم 4", "paper"),
        ("رقم اربعة", "paper"),
        ("الرابع لو سمحت", "paper"),
        ("2- التطبيق", "app"),
        ("التطبيق (2)", "app"),
        ("2 التطبيق", "app"),
        # unclear: nothing chosen, several, only denied, numbers that do not fit
        ("مو ورقية", UNCLEAR),  # denying one of four says nothing of the others
        ("ما طلبتها من التطبيق", UNCLEAR),
        ("لا التطبيق ولا الموقع", UNCLEAR),
        ("التطبيق والموقع", UNCLEAR),
        ("تطبيق/موقع", UNCLEAR),
        ("التطبيق ولا الموقع؟", UNCLEAR),  # a question back
        ("جربت التطبيق بس طلبتها من الموقع", UNCLEAR),
        ("التطبيق لا الموقع", UNCLEAR),  # "not the website" or "no — the website"?
        ("ما ادري يمكن التطبيق", UNCLEAR),
        ("مش فاكر", UNCLEAR),
        ("2 الموقع", UNCLEAR),  # the number and the words disagree
        ("7", UNCLEAR),
        ("3 ايام", UNCLEAR),  # a count, not an option
        ("1 او 2", UNCLEAR),
        ("", UNCLEAR),
        ("بالورق لا", UNCLEAR),  # a "no" after the option may deny it
        ("التطبيق؟ لا", UNCLEAR),
        # a negation past a word of its own may be that word's: the option is maybe denied
        ("الفرع ما ساعدوني فقدمت من التطبيق", UNCLEAR),  # not "paper"
        ("الموقع ما فتح فاتصلت", UNCLEAR),
        ("ما قدرت ادخل الموقع فاتصلت", UNCLEAR),
        ("ما استخدمت التطبيق، الموقع", "website"),  # a later clause names the option
        ("ما عندي تطبيق، سويتها من الموقع", "website"),
        ("لا، التطبيق", "app"),
    ],
)
def test_the_channel_question(answer: str, expected: str | None) -> None:
    assert read_choice(answer, CHANNEL_OPTIONS).choice == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("تعذّر تقديم الشكوى لتعطل النظام", "technical_failure"),  # the buttons' own words
        ("تجاوزت الجهة مدة الرد المحددة", "sla_passed"),
        ("لدي رقم شكوى ولم تُحدَّد مدة للرد", "no_sla"),
        ("أُغلقت الشكوى دون حل مُرضٍ", "closed_unsatisfied"),
        ("ما قدرت اقدم لان الموقع واقف", "technical_failure"),
        ("ماقدرت اقدم الشكوى", "technical_failure"),
        ("النظام كان معطل", "technical_failure"),
        ("تأخروا علي", "sla_passed"),
        ("ما حددوا مدة", "no_sla"),
        ("لم تحدد مدة الرد", "no_sla"),
        ("مافي مدة محددة", "no_sla"),
        ("قفلوها بدون ما يحلونها", "closed_unsatisfied"),
        ("الشكوى انقفلت", "closed_unsatisfied"),
        ("سكروها", "closed_unsatisfied"),  # Levantine
        ("لا مو مقفلة، تأخروا", "sla_passed"),
        ("مو مسكرة بس تأخروا كتير", "sla_passed"),
        ("الخيار الرابع", "closed_unsatisfied"),
        ("1. تعذر تقديم الشكوى", "technical_failure"),
        ("2- تجاوزت المدة", "sla_passed"),
        ("اول مره اشتكي وتاخروا", "sla_passed"),  # «اول» inside a sentence is no number
        # unclear
        ("لا مو مقفلة، بس ما ردوا علي", UNCLEAR),  # the brief's example
        ("مكانتش مقفولة", UNCLEAR),
        ("مقفلة بس تأخروا", UNCLEAR),
        ("عندي رقم شكوى وتأخروا", "sla_passed"),  # the number is no option: 3 have one
        ("ما ردوا علي والمدة تجاوزت", UNCLEAR),  # the denial may reach «تجاوزت»: ask
        ("3 ايام تاخروا", UNCLEAR),  # 3 is "no SLA", the words say "SLA passed"
        ("الخيار 7", UNCLEAR),
        ("مدري", UNCLEAR),
        ("ما ردوا وتأخروا", "sla_passed"),  # «و» + a verb: a clause «ما» does not reach
        ("ما ردوا علي لين الحين، تأخروا", "sla_passed"),
        ("عدت المدة", "sla_passed"),
    ],
)
def test_the_trigger_question(answer: str, expected: str | None) -> None:
    assert read_choice(answer, TRIGGER_OPTIONS).choice == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("مشكلة تقنية ما زالت قائمة", "technical"),  # «ما زالت» is no negation
        ("تقنية او فنية", "technical"),
        ("إجراءات الجهة", "procedures"),
        ("اداري", "procedures"),
        ("ليست مشكلة تقنية، إجراءات", "procedures"),
        ("إجراءات مو تقنية", "procedures"),
        ("مش مشكلة تقنية، المشكلة في الإجراءات", "procedures"),
        ("ما كانت تقنية، كانت اجراءات", "procedures"),
        ("ما كانت الشكوى عن مشكلة تقنية بل اجراءات", "procedures"),
        ("ما كانت المشكلة تقنية", UNCLEAR),
        ("الثاني", "procedures"),
        ("١", "technical"),
        ("مو تقنية", UNCLEAR),  # not «procedures» by elimination: that would refuse
        ("ماكانتش تقنية", UNCLEAR),
        ("لا تقنية", UNCLEAR),
        ("ليست تقنية أو فنية", UNCLEAR),
        ("ما كانت تقنية ولا إجراءات", UNCLEAR),
        ("تقنية واجراءات", UNCLEAR),
        ("3", UNCLEAR),
    ],
)
def test_the_closed_topic_question(answer: str, expected: str | None) -> None:
    assert read_choice(answer, CLOSED_TOPIC_OPTIONS).choice == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("نعم", "yes"),
        ("ايوه", "yes"),
        ("إيه صح", "yes"),
        ("نعععم", "yes"),
        ("اكيد ابي", "yes"),
        ("مو مشكلة", "yes"),
        ("ما عندي مانع", "yes"),
        ("ماشي", "yes"),  # Egyptian "OK", not a negation
        ("aywa", "yes"),
        ("yes please", "yes"),
        ("👍", "yes"),
        ("1", "yes"),
        ("لا", "no"),  # a lone «لا» is no
        ("لأ", "no"),
        ("لاااا", "no"),
        ("لا مو صحيح", "no"),
        ("مو صحيح", "no"),
        ("لا مب صحيح", "no"),
        ("ماهو صحيح", "no"),
        ("هذا غير صحيح", "no"),
        ("ليس صحيحا", "no"),
        ("لا، ليس كذلك", "no"),
        ("مش موافق", "no"),
        ("لا ماني موافق", "no"),
        ("لا ما ابي", "no"),
        ("مابي", "no"),
        ("مابغى", "no"),
        ("لا ابي بيانات جديدة", "no"),
        ("ابد مو صحيح", "no"),
        ("la2", "no"),
        ("no thanks", "no"),
        ("٢", "no"),
        ("لا، نعم", "yes"),  # the last clause that answers wins
        ("نعم، لا", "no"),
        ("غلطت، نعم", "yes"),
        ("اي لا", UNCLEAR),
        ("لا نعم", UNCLEAR),
        ("لا تمام", UNCLEAR),
        ("اي بس ما ابي استخدمها", UNCLEAR),
        ("ما ادري والله", UNCLEAR),
        ("مش عارف", UNCLEAR),
        ("ما احتاج", UNCLEAR),  # a negation of nothing offered (the intent may agree)
        ("/affirm", UNCLEAR),
        ("ما كنت ابي", "no"),
        ("ما ابي استخدمها", "no"),
        ("لا ما ابي استخدم البيانات القديمة", "no"),
        ("ما احتاج اغير", UNCLEAR),  # «ما» may be «احتاج»'s, not «اغير»'s
        ("لا ما عندي مانع", UNCLEAR),  # "no" or "no objection"?
        ("لا مو مشكلة", UNCLEAR),
    ],
)
def test_yes_no_questions(answer: str, expected: str | None) -> None:
    assert read_choice(answer, YES_NO_OPTIONS).choice == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("تأكيد وإرسال", "yes"),
        ("نعم البيانات صحيحة", "yes"),
        ("اعتمد", "yes"),
        ("غير الاسم", "edit"),
        ("الاسم غلط", "edit"),
        ("لا مو صحيح، عدل الجوال", "edit"),
        ("ابي اعدل", "edit"),
        ("لا مو صحيح", UNCLEAR),  # denies "submit" without choosing "edit"
        ("غير موافق", UNCLEAR),
        ("ما تم", UNCLEAR),
        ("ارسل بس عدل الاسم", UNCLEAR),
        ("تأكد من الاسم", UNCLEAR),  # «تأكد» (check) is not «أكد» (confirm)
    ],
)
def test_the_summary_question(answer: str, expected: str | None) -> None:
    assert read_choice(answer, CONFIRM_OPTIONS).choice == expected


def test_a_reading_says_what_was_chosen_and_denied() -> None:
    reading = read_choice("لا مو مقفلة، بس ما ردوا علي", TRIGGER_OPTIONS)
    assert reading.choice is None and not reading.silent
    assert reading.denied == ("closed_unsatisfied",) and reading.chosen == ()
    several = read_choice("التطبيق والموقع", CHANNEL_OPTIONS)
    assert several.chosen == ("website", "app")  # in button order
    assert read_choice("شكرا", CHANNEL_OPTIONS).silent
    assert read_choice("ما احتاج", YES_NO_OPTIONS).negative
    assert read_choice("ما ادري", YES_NO_OPTIONS).unsure


def test_keywords_are_normalised_like_the_answers() -> None:
    options = {"a": ["مُراجَعة الفرع"], "b": ["إلكترونيًا"]}
    assert read_choice("مراجعه الفرع", options).choice == "a"
    assert read_choice("الكترونيا", options).choice == "b"


def test_short_keywords_are_whole_words() -> None:
    # «اي» (yes) is not read inside «ايش»، «مو» (no) not inside «موافق» or «موقع».
    assert read_choice("ايش يعني", YES_NO_OPTIONS).silent
    assert read_choice("موافق", YES_NO_OPTIONS).choice == "yes"
    assert read_choice("happy", CHANNEL_OPTIONS).silent  # «app» starts a word


def test_each_set_of_options_is_compiled_once() -> None:
    first = reader_for(CHANNEL_OPTIONS)
    assert reader_for(dict(CHANNEL_OPTIONS)) is first
    answers = ["مب تطبيق، الموقع", "لا مو مقفلة، بس ما ردوا علي", "الخيار ٣", "اي لا"] * 250
    start = time.perf_counter()
    for answer in answers:
        read_choice(answer, TRIGGER_OPTIONS)
    assert time.perf_counter() - start < 2.0  # ~0.1 ms an answer; generous for slow CI


# Answers as citizens write them: dialect verbs and descriptions rather than the option's
# words, Arabizi, English mixed in; still never a guess.
@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        # the period passed, said with a verb of passing, or a promise not kept
        ("عدت المهلة وما ردوا", "sla_passed"),  # Gulf
        ("المهلة اللي حددوها خلصت", "sla_passed"),
        ("فاتت المدة اللي قالوها", "sla_passed"),
        ("مرت المدة ولا رد", "sla_passed"),
        ("انتهت مهلة الرد ولا جاني شي", "sla_passed"),  # MSA
        ("تعدوا المدة", "sla_passed"),
        ("عدوا المدة وما ردوا", "sla_passed"),
        ("وعدوني خلال ٥ ايام وما ردوا", "sla_passed"),
        ("قالوا خلال اسبوع يردون وللحين ما ردوا", "sla_passed"),
        ("ما التزموا بالوقت المحدد", "sla_passed"),
        ("عندي رقم شكوى والمهلة خلصت", "sla_passed"),  # the number is no option
        ("لا مو مقفلة بس عدت المدة", "sla_passed"),
        # closed, in each dialect's verb
        ("سكروا الشكوى", "closed_unsatisfied"),
        ("سدوها بدون حل", "closed_unsatisfied"),
        ("قفلوا البلاغ وما حلوا المشكلة", "closed_unsatisfied"),
        ("اغلقوا الشكوى بدون ما يحلوها", "closed_unsatisfied"),
        ("عندي رقم شكوى بس قفلوها بدون حل", "closed_unsatisfied"),
        ("مو تأخير، قفلوها", "closed_unsatisfied"),
        # could not file: the system failed
        ("ما قدرت اقدم، النظام عطلان", "technical_failure"),
        ("النظام واقف ما قدرت ارفع شكوى", "technical_failure"),
        ("مقدرتش اقدم الشكوى السيستم واقع", "technical_failure"),  # Egyptian
        ("الموقع ما عم يفتح", "technical_failure"),  # Levantine
        ("البوابة عاطلة", "technical_failure"),  # Iraqi
        ("المنصة مو شغالة", "technical_failure"),
        # no period given
        ("ما عطوني مدة", "no_sla"),
        ("عندي رقم شكوى بس ما عطوني اي مهلة", "no_sla"),
        ("ما قالولي امتى يردون", "no_sla"),
        ("ما في وقت محدد للرد", "no_sla"),
        ("مش محددين مدة", "no_sla"),
        ("لم يحددوا مهلة", "no_sla"),
        ("no SLA", "no_sla"),
        ("they gave me no deadline", "no_sla"),
        # Arabizi and English
        ("3indi raqam shakwa bas ma 7addado mudda", "no_sla"),
        ("mafi mudda", "no_sla"),
        ("ma 3atoni mohla", "no_sla"),
        ("ma gdart aqaddim, alnitham 3atlan", "technical_failure"),
        ("mana2dar a2dem el nizam wa2ef", "technical_failure"),
        ("el mawqe3 waqef", "technical_failure"),
        ("the site was down, couldnt submit", "technical_failure"),
        ("sakkaro el shakwa", "closed_unsatisfied"),
        ("2afalo el shakwa bdon 7al", "closed_unsatisfied"),
        ("5elset el mudda w ma raddo", "sla_passed"),
        ("el mohla 5elset", "sla_passed"),
        ("t2a5aro 3alay", "sla_passed"),
        ("the deadline passed and no reply", "sla_passed"),
        # a keyword inside a phrase of another option is not that option's
        ("تجاوزت الجهة مدة الرد المحددة", "sla_passed"),  # «المحددة» is no «غير محددة»
        ("المدة المحددة انتهت", "sla_passed"),
        # unclear
        ("عندي رقم شكوى", UNCLEAR),  # common to three options
        ("مدة الرد", UNCLEAR),  # said of both SLA answers
        ("ما عطوني رد", UNCLEAR),  # no reply: a period or none?
        ("المدة راح تكون خمس ايام", UNCLEAR),  # «راح»: will, not went
        ("قفلوها وتأخروا", UNCLEAR),
        ("madri", UNCLEAR),
        ("ma ba3ref", UNCLEAR),
    ],
)
def test_the_trigger_in_the_citizens_words(answer: str, expected: str | None) -> None:
    assert read_choice(answer, TRIGGER_OPTIONS).choice == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("مش مشكلة في النظام، رفضوا طلبي لأن الشروط ما تنطبق", "procedures"),
        ("مو عطل، رفضوا الطلب عشان المستندات ناقصة", "procedures"),
        ("رفضوا لاني ما استوفي الشروط", "procedures"),
        ("رفضوا طلبي بسبب العمر", "procedures"),
        ("رفضوا بسبب المهنة", "procedures"),
        ("قالوا ما تنطبق عليك الشروط", "procedures"),
        ("مو خلل تقني، رفضوني لان مهنتي ما تسمح", "procedures"),
        ("غير مؤهل حسب كلامهم", "procedures"),
        ("مش مؤهل", "procedures"),
        ("الطلب انرفض", "procedures"),
        ("rafado talabi", "procedures"),
        ("الموقع يعلق", "technical"),
        ("مشكلة بالسيستم", "technical"),
        ("fe 3otl bel system", "technical"),
        ("مش مشكلة في النظام", UNCLEAR),  # a denial only
        ("النظام ما يسمح", UNCLEAR),  # the system, or the regulation?
    ],
)
def test_the_closed_topic_in_the_citizens_words(answer: str, expected: str | None) -> None:
    assert read_choice(answer, CLOSED_TOPIC_OPTIONS).choice == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("من الجوال بس مو التطبيق، فتحته من المتصفح", "website"),
        ("من الرابط اللي ارسلوه", "website"),
        ("فتحته من كروم", "website"),
        ("كلمتهم", "call_center"),
        ("دقيت عليهم", "call_center"),
        ("تطبيق الجوال", "app"),
        ("mn el app", "app"),
        ("mn al tatbeeq", "app"),
        ("mn el mawqe3", "website"),
        ("fata7to mn el browser", "website"),
        ("etasalt 3alehom", "call_center"),
        ("kallamthom", "call_center"),
        ("ro7t el far3", "paper"),
        ("mesh mn el app, mn el website", "website"),
        ("من الجوال", UNCLEAR),  # the app or the phone's browser
        ("mesh mn el app", UNCLEAR),
        ("were", UNCLEAR),  # no «wara2»: Arabizi spelling is loose, not loose enough
        ("free", UNCLEAR),  # not «far3»
    ],
)
def test_the_channel_in_the_citizens_words(answer: str, expected: str | None) -> None:
    assert read_choice(answer, CHANNEL_OPTIONS).choice == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("لا ما ابي اعدل شي، ارسل", "yes"),  # a denied change and a send verb
        ("مش عايز اغير حاجة ابعت", "yes"),  # Egyptian
        ("لا مابي اغير شي ارسل", "yes"),
        ("ما بدي غير شي، ابعتها", "yes"),  # Levantine
        ("مو لازم اعدل، ارسل", "yes"),
        ("akeed ersel", "yes"),
        ("tamam ersalha", "yes"),
        ("ma abi a3adel, ersel", "yes"),
        ("ابي اغير الجوال", "edit"),
        ("3adel el esm", "edit"),
        ("la, 3adel", "edit"),
        ("لا", UNCLEAR),  # neither sends nor names a change
        ("ma abi", UNCLEAR),
    ],
)
def test_the_summary_in_the_citizens_words(answer: str, expected: str | None) -> None:
    assert read_choice(answer, CONFIRM_OPTIONS).choice == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("akeed", "yes"),
        ("ee sa7", "yes"),
        ("na3am", "yes"),
        ("mabi", "no"),
        ("la ma abi", "no"),
        ("la2 mo sa7", "no"),
        ("msh sa7", "no"),
        ("she", UNCLEAR),  # «sh» is no «s»: not «sa7»
        ("ma a3ref", UNCLEAR),
    ],
)
def test_yes_no_in_arabizi(answer: str, expected: str | None) -> None:
    assert read_choice(answer, YES_NO_OPTIONS).choice == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("عندي رقم شكوى ومحددوش مدة", "no_sla"),  # «م…ش» is «ما…ش»: not «حددوا»
        ("محددوش مدة للرد", "no_sla"),
        ("مقالوليش امتى هيردوا", "no_sla"),
        ("مقدرتش اقدم الشكوى، الموقع بايظ", "technical_failure"),
    ],
)
def test_the_egyptian_negation_written_into_the_verb(answer: str, expected: str) -> None:
    assert read_choice(answer, TRIGGER_OPTIONS).choice == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        # «و» joined to a verb starts a clause that the negation before it does not reach
        ("لا ما سكروها، بس ما ردوا علي وفاتت المهلة", "sla_passed"),
        ("ما جاوبوني وخلصت المدة", "sla_passed"),
        ("ما ردوا و راحت المهلة", "sla_passed"),
        ("ما ردوا وقفلوها", "closed_unsatisfied"),
        ("ما استخدمت الموقع وبالفرع قالوا لا", UNCLEAR),  # a noun after «و»: maybe denied
        # a period said to be over, the way non-native speakers and dialects say it
        ("المهلة كملت ومحد كلمني", "sla_passed"),
        ("مهلت خلاص، رد مافي", "sla_passed"),
        ("time is up and no answer", "sla_passed"),
        # couldn't file because the system fails; «معرفتش» alone is a doubt
        ("ما عرفت اسجل الشكوى، التطبيق بيفصل", "technical_failure"),
        ("مقدرتش ابعت الشكوى لان الموقع بيطلعني برا", "technical_failure"),
        ("معرفتش", UNCLEAR),
        # «يقفل» said of nothing: the system, or the complaint? Asked again
        ("كل ما ادخل يقفل", UNCLEAR),
        ("يقفلون الشكاوي بدون حل", UNCLEAR),
        ("الموقع ما كان يقفل", UNCLEAR),
    ],
)
def test_the_trigger_said_in_colloquial_words(answer: str, expected: str | None) -> None:
    assert read_choice(answer, TRIGGER_OPTIONS).choice == expected


@pytest.mark.parametrize(
    ("answer", "options", "expected"),
    [
        # «لا» before «خلاص»، «هي»، «هو»… is the interjection "no", not a negation
        ("لا خلاص هي إجراءات، ما قبلوا أوراقي", CLOSED_TOPIC_OPTIONS, "procedures"),
        ("لا هي تقنية، النظام يطلع خطأ", CLOSED_TOPIC_OPTIONS, "technical"),
        ("الموقع، لا هو التطبيق", CHANNEL_OPTIONS, "app"),
        ("لا هو تقني ولا إجراءات", CLOSED_TOPIC_OPTIONS, UNCLEAR),  # neither … nor
        ("لا هي مو تقنية", CLOSED_TOPIC_OPTIONS, UNCLEAR),  # only denied
        ("لا تقنية", CLOSED_TOPIC_OPTIONS, UNCLEAR),
    ],
)
def test_an_interjected_no_corrects_instead_of_denying(answer, options, expected):
    assert read_choice(answer, options).choice == expected
