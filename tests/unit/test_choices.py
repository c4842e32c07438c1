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
        ("عندي رقم شكوى وتأخروا", UNCLEAR),
        ("ما ردوا علي والمدة تجاوزت", UNCLEAR),  # the denial may reach «تجاوزت»: ask
        ("3 ايام تاخروا", UNCLEAR),  # 3 is "no SLA", the words say "SLA passed"
        ("الخيار 7", UNCLEAR),
        ("مدري", UNCLEAR),
        ("ما ردوا وتأخروا", UNCLEAR),
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
