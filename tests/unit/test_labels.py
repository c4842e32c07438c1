"""The Arabic names of the bot's codes (`bot/rules/labels.py`): one table for the bot and the
agents' console, a hand-off summary read in Arabic, a button press read as its title."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.actions.complaint_form import EDITABLE_FIELDS, LABELS
from bot.actions.digitization_form import FIELDS as DIGITIZATION_FIELDS
from bot.actions.filing import REPORT_KINDS
from bot.actions.improvement_form import FIELDS as IMPROVEMENT_FIELDS
from bot.actions.report_form import VALUE_LABELS
from bot.desk.report.labels import HANDOFF_REASONS as REPORT_HANDOFF_REASONS
from bot.desk.report.labels import TYPE_LABELS
from bot.rules.labels import (
    CHANNEL_LABELS,
    CHOICE_LABELS,
    FORM_FIELDS,
    FORM_LABELS,
    HANDOFF_REASONS,
    HANDOFF_STATUSES,
    INTENT_LABELS,
    REPORT_TYPE_LABELS,
    UNKNOWN,
    label,
    parse_payload,
    pressed_title,
    summary_view,
)
from bot.rules.lifecycle import REPORT_TYPES

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r"[A-Za-z_]{2,}")


def domain() -> dict:
    merged: dict = {"intents": [], "responses": {}}
    for path in sorted(ROOT.joinpath("domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        merged["intents"] += [
            i if isinstance(i, str) else next(iter(i)) for i in part.get("intents") or []
        ]
        merged["responses"].update(part.get("responses") or {})
    return merged


def test_the_bot_and_the_desk_read_one_table() -> None:
    assert EDITABLE_FIELDS is FORM_FIELDS["complaint_form"]
    assert DIGITIZATION_FIELDS is FORM_FIELDS["digitization_form"]
    assert IMPROVEMENT_FIELDS is FORM_FIELDS["improvement_form"]
    assert {form: kind.label for form, kind in REPORT_KINDS.items()} == FORM_LABELS
    assert VALUE_LABELS.items() <= CHOICE_LABELS.items()
    assert LABELS.items() <= CHOICE_LABELS.items()
    assert REPORT_HANDOFF_REASONS is HANDOFF_REASONS and TYPE_LABELS is REPORT_TYPE_LABELS


def test_every_code_has_an_arabic_name() -> None:
    assert set(CHANNEL_LABELS) >= {"rest", "webchat", "whatsapp", "sms"}
    assert set(HANDOFF_REASONS) == {"asked", "not_understood", "dispute"}
    assert set(HANDOFF_STATUSES) >= {"waiting", "active"}
    assert set(REPORT_TYPE_LABELS) == set(REPORT_TYPES)
    assert set(INTENT_LABELS) >= set(domain()["intents"])
    tables = [CHANNEL_LABELS, HANDOFF_REASONS, HANDOFF_STATUSES, REPORT_TYPE_LABELS]
    tables += [INTENT_LABELS, CHOICE_LABELS, FORM_LABELS, *FORM_FIELDS.values()]
    for table in tables:
        assert not [name for name in table.values() if CODE.search(name)], table


def test_every_button_choice_the_bot_offers_has_a_name() -> None:
    for name, variants in domain()["responses"].items():
        for variant in variants:
            for button in variant.get("buttons") or []:
                payload = button["payload"].replace("{{", "{").replace("}}", "}")
                intent, entities = parse_payload(payload)
                assert intent in INTENT_LABELS, name
                choice = entities.get("choice")
                assert choice is None or choice.isdigit() or choice in CHOICE_LABELS, name


def test_an_unknown_code_is_never_shown() -> None:
    assert label(CHANNEL_LABELS, "whatsapp") == "واتساب"
    assert label(CHANNEL_LABELS, "telegram") == UNKNOWN
    assert label(CHANNEL_LABELS, None) == UNKNOWN
    assert label(INTENT_LABELS, "الشكوى") == "الشكوى"  # an older summary's Arabic kept


def test_a_summary_in_arabic() -> None:
    stored = {
        "form": "complaint_form",
        "wanted": "الشكوى",
        "slots": {
            "beneficiary_name": "نورة سعد",
            "national_id": "********08",
            "complaint_trigger": "no_sla",
            "request_channel": "website",
            "prior_complaint_date": "2026-03-01",
            "supporting_documents": "0",
        },
        "report_number": None,
    }
    view = summary_view(stored)
    assert view["wanted"] == "الشكوى"
    assert [(a["field"], a["value"]) for a in view["answers"]] == [
        ("الاسم", "نورة سعد"),
        ("رقم الهوية", "********08"),  # masked as stored
        ("سبب التصعيد", "لم تُحدد مدة للرد"),
        ("قناة الطلب", "الموقع الإلكتروني"),
        ("تاريخ الشكوى السابقة", "الأحد 2026-03-01"),  # as the bot writes dates
        ("المستندات", "لا يوجد"),
    ]


def test_what_was_wanted_without_a_form() -> None:
    assert summary_view({"wanted": "check_status", "slots": {}})["wanted"] == "متابعة بلاغ"
    assert summary_view({"wanted": "inform"})["wanted"] == "إجابة عن سؤال"  # older summaries
    assert summary_view({"wanted": None})["wanted"] == UNKNOWN
    assert summary_view(None)["answers"] == []


def test_a_button_press_reads_as_the_title_the_user_saw() -> None:
    offered = [
        {"title": "تجاوزت الجهة مدة الرد المحددة", "payload": '/inform{"choice": "sla_passed"}'},
        {"title": "لدي رقم شكوى ولم تُحدَّد مدة للرد", "payload": '/inform{"choice": "no_sla"}'},
    ]
    press = '/inform{"choice": "no_sla"}'
    assert pressed_title(press, offered) == "لدي رقم شكوى ولم تُحدَّد مدة للرد"
    assert pressed_title('/inform{"choice":"no_sla"}', offered) == offered[1]["title"]
    assert pressed_title(press) == "لم تُحدد مدة للرد"  # no button: the choice's name
    assert pressed_title('/inform{"choice": "complaint_trigger"}') == "سبب التصعيد"
    assert pressed_title('/inform{"choice": "3"}') == "3"
    assert pressed_title('/inform{"report_number": "DR-2026-000123"}') == "DR-2026-000123"
    assert pressed_title("/request_agent") == "التحدث مع موظف"
    assert pressed_title('/inform{"choice": "mystery"}') == UNKNOWN
    assert pressed_title("/whatever") == UNKNOWN


def test_typed_text_stays_as_typed() -> None:
    for text in ("ابي اكلم موظف", "/ أبشر", "1/2/2026", "/inform{broken", ""):
        assert pressed_title(text, [{"title": "x", "payload": text}]) == text
