"""Actions return only the slot events that change something: each event is stored,
replayed by the policies, sent with the tracker to every action call and published."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.filing import REPORT_SLOTS, reset_report_slots
from bot.actions.form_validation import FormValidation, cleared, validator

FORM_SLOTS = ["name", "mobile", "city"]
ALL_SLOTS = [*FORM_SLOTS, "note"]
DOMAIN = {
    "forms": {"test_form": {"required_slots": FORM_SLOTS}},
    "slots": {slot: {"type": "text", "mappings": [{"type": "from_text"}]} for slot in ALL_SLOTS},
}


def tracker(slots: dict[str, Any], events: list[dict[str, Any]] | None = None) -> Tracker:
    return Tracker(
        "citizen",
        slots,
        {"intent": {"name": "inform"}, "text": "x", "entities": []},
        events or [],
        False,
        None,
        {"name": "test_form"},
        "action_listen",
    )


def test_cleared_empties_only_the_slots_that_hold_a_value():
    current = tracker({"name": "سارة", "mobile": None, "city": ""})
    assert cleared(current, FORM_SLOTS) == [SlotSet("name", None), SlotSet("city", None)]


def test_a_new_report_starts_without_resetting_empty_slots():
    empty = tracker({slot: None for slot in REPORT_SLOTS} | {"failed_attempts": 0.0})
    assert reset_report_slots(empty) == []
    filled = tracker(
        {slot: None for slot in REPORT_SLOTS} | {"service": "تجديد الجواز", "failed_attempts": 2.0}
    )
    assert reset_report_slots(filled) == [
        SlotSet("service", None),
        SlotSet("failed_attempts", 0.0),
    ]


class ValidateTestForm(FormValidation):
    def name(self) -> str:
        return "validate_test_form"

    @validator
    async def validate_name(self, value: Any, *_: Any) -> dict[str, Any]:
        return {"name": value}  # accepted as extracted: an echo (and failed_attempts 0)

    def validate_mobile(self, value: Any, *_: Any) -> dict[str, Any]:
        return {"mobile": "+966551234567"}  # rewritten

    def validate_city(self, value: Any, *_: Any) -> dict[str, Any]:
        return {"city": None}  # refused

    async def required_slots(self, domain_slots: list[str], *_: Any) -> list[str]:
        return ["note", *domain_slots]  # the SDK then chooses the next question

    def extract_note(self, *_: Any) -> dict[str, Any]:
        return {"note": "ملاحظة"}

    def validate_note(self, value: Any, *_: Any) -> dict[str, Any]:
        return {"note": value}  # an echo of the SDK's own extraction: kept


def test_validation_returns_the_changes_not_the_echoes():
    """Rasa extracted name, mobile and city this turn; the SDK extracts `note` itself."""
    extracted = [
        {"event": "user", "text": "x"},
        {"event": "slot", "name": "name", "value": "سارة"},
        {"event": "slot", "name": "mobile", "value": "0551234567"},
        {"event": "slot", "name": "city", "value": "جدة"},
    ]
    slots = {
        "name": "سارة",
        "mobile": "0551234567",
        "city": "جدة",
        "note": None,
        "failed_attempts": 0.0,
    }
    events = asyncio.run(
        ValidateTestForm().run(CollectingDispatcher(), tracker(slots, extracted), DOMAIN)
    )
    assert events == [
        SlotSet("mobile", "+966551234567"),
        SlotSet("city", None),
        SlotSet("note", "ملاحظة"),
        SlotSet("requested_slot", "city"),  # refused: asked again
    ]
