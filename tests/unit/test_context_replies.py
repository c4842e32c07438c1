"""Replies read in context: «ليش؟» and ratings (bot/rules/replies.py), what the conversation
waits for (bot/actions/awaiting.py), and the reports that wait for documents (the store)."""

from __future__ import annotations

import dataclasses

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from bot.actions import awaiting
from bot.rules.lifecycle import AFTER_MISSING_DATA, TransitionError
from bot.rules.replies import is_why_question, rating_of
from bot.store.follow_up import (
    attach_update,
    change_status,
    find_report,
    grant_ownership,
    reports_awaiting_documents,
)
from bot.store.reports import file_report
from tests.helpers.reports import DUE, NOW, complaint


@pytest.mark.parametrize(
    "text",
    ["ليش؟", "لماذا؟", "why", "Why?", "طيب ليش رفضتوا", "ليه", "وليش", "ما السبب؟", "وش السبب"],
)
def test_a_short_why_is_a_why(text):
    assert is_why_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "تمام",
        "شكرا",
        "",
        # a longer message with «ليش» is a question of its own (the FAQ)
        "ليش انلغى بلاغي؟ كان فيه نقص بيانات وما كملته",
        "ليش لسا هالخدمة ورق؟ بدي تصير اونلاين",
    ],
)
def test_other_messages_are_not_a_why(text):
    assert not is_why_question(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4", 4),
        ("٤", 4),  # Arabic-Indic
        ("۴", 4),  # Persian
        ("４", 4),  # full width
        ("৪", 4),  # Bengali: any script's decimal digit
        (" 5 ", 5),
        ("1.", 1),
        ("4 من 5", 4),
        ("٤/٥", 4),
        ("⭐⭐⭐", 3),
        ("ممتاز", 5),
        ("ممتازة", 5),
        ("سيء", 2),
        ("سيئ", 2),
        ("سيء جدا", 1),
        ("الخدمة كانت سيئة", 2),
        ("جيد جدا", 4),
        ("متوسط", 3),
        ("غير راضي", 1),
        ("اربع من خمس", 4),
        ("خمس نجوم", 5),
        ("excellent", 5),
    ],
)
def test_ratings(text, expected):
    assert rating_of(text) == expected


@pytest.mark.parametrize("text", ["0", "6", "10", "8/10", "²", "45", "تمام", "", "ابي اصعد شكوى"])
def test_not_ratings(text):
    assert rating_of(text) is None


def tracker(**slots) -> Tracker:
    return Tracker("c1", slots, {}, [], False, None, {}, "action_listen")


def test_a_missing_data_notice_waits_for_its_documents():
    context, expected = awaiting.after_notice({}, "missing_data", "260000001", "صورة الهوية", False)
    assert expected == awaiting.DOCUMENTS
    assert context["documents"] == ["260000001"]
    assert context["notice"] == {
        "kind": "missing_data",
        "report": "260000001",
        "note": "صورة الهوية",
    }
    # A second report asked too: both wait.
    context, _ = awaiting.after_notice(context, "missing_data", "260000002", "خطاب", False)
    assert context["documents"] == ["260000001", "260000002"]


def test_a_status_notice_waits_for_a_word_and_keeps_the_documents_of_others():
    context, _ = awaiting.after_notice({}, "missing_data", "260000001", "صورة", False)
    context, expected = awaiting.after_notice(context, "in_progress", "260000002", "", False)
    assert expected == awaiting.NOTICE and context["documents"] == ["260000001"]
    # The report that waited moves on: it no longer waits (a delay notice changes nothing).
    context, _ = awaiting.after_notice(context, "delayed", "260000001", "", False)
    assert context["documents"] == ["260000001"]
    context, expected = awaiting.after_notice(context, "cancelled", "260000001", "", False)
    assert "documents" not in context and expected == awaiting.NOTICE


def test_a_notice_inside_a_form_does_not_frame_the_next_answer():
    context, expected = awaiting.after_notice({}, "in_progress", "260000002", "", True)
    assert expected is None and context["notice"]["report"] == "260000002"
    context, expected = awaiting.after_notice({}, "missing_data", "260000002", "", True)
    assert expected == awaiting.DOCUMENTS  # the documents are still awaited after the form


def test_a_refusal_replaces_the_notice_and_moving_on_keeps_what_is_still_awaited():
    context, _ = awaiting.after_notice({}, "missing_data", "260000001", "صورة", False)
    context, expected = awaiting.after_refusal(context, "too_early", "الأحد 2026-11-29", None, None)
    assert expected == awaiting.REFUSAL
    assert context["refusal"] == {"code": "too_early", "date": "الأحد 2026-11-29"}
    assert "notice" not in context
    context, expected = awaiting.moving_on(context)
    assert expected == awaiting.DOCUMENTS and set(context) == {"documents"}
    context, expected = awaiting.documents_received(context, "260000001")
    assert (context, expected) == ({}, None)


def test_a_survey_is_awaited_until_it_is_over():
    context, expected = awaiting.survey_started({}, "260000001")
    assert expected == awaiting.SURVEY
    assert awaiting.moving_on(context) == ({"survey": "260000001"}, awaiting.SURVEY)
    assert awaiting.survey_over(context) == ({}, None)


def test_events_change_only_what_differs():
    context = {"documents": ["260000001"]}
    same = tracker(awaiting=awaiting.DOCUMENTS, awaiting_context=context)
    assert awaiting.events(same, dict(context), awaiting.DOCUMENTS) == []
    assert awaiting.events(same, {}, None) == [
        SlotSet("awaiting", None),
        SlotSet("awaiting_context", None),
    ]


def test_reports_awaiting_documents_are_the_owners_in_missing_data(sqlite_store):
    store = sqlite_store
    mine = file_report(store, complaint("A-1"), NOW, DUE).number
    other = file_report(
        store, dataclasses.replace(complaint("A-2"), conversation_id="c2"), NOW, DUE
    ).number
    stranger = file_report(
        store,
        dataclasses.replace(complaint("A-3"), conversation_id="c3", national_id="1000000016"),
        NOW,
        DUE,
    ).number
    assert reports_awaiting_documents(store, "c1") == []
    for number in (mine, other, stranger):
        change_status(store, number, "missing_data", "صورة", "staff", NOW)
    # Its own report; never another's, even the same person's filed elsewhere or named as
    # if notified, until ownership is proved with the code sent to its mobile.
    assert reports_awaiting_documents(store, "c1", [other, stranger]) == [mine]
    grant_ownership(store, "c1", stranger, "code", NOW)
    assert reports_awaiting_documents(store, "c1", [stranger]) == [mine, stranger]


def test_documents_go_to_an_open_report_and_only_missing_data_changes_status(sqlite_store):
    store = sqlite_store
    number = file_report(store, complaint("B-1"), NOW, DUE).number
    # An open report takes an update (the beneficiary fixes a mistake); its status stays.
    view = attach_update(store, number, [("https://x.example/0.png", "image/png")], None, NOW)
    assert view.status == "received"
    change_status(store, number, "missing_data", None, "staff", NOW)
    view = attach_update(store, number, [("https://x.example/1.png", "image/png")], None, NOW)
    assert view.status == AFTER_MISSING_DATA == "under_review"
    # Sent twice: the second is attached to the report under review, which stays there.
    view = attach_update(store, number, [("https://x.example/2.png", "image/png")], None, NOW)
    assert view.status == "under_review"
    change_status(store, number, "cancelled", None, "staff", NOW)
    with pytest.raises(TransitionError):  # a cancelled report takes nothing
        attach_update(store, number, [("https://x.example/3.png", "image/png")], None, NOW)
    assert find_report(store, number).status == "cancelled"
