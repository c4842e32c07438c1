"""A typed yes to the one thing the bot has just offered as a button.

Answers that offer a next step end with a button: «يمكنك تقديم الشكوى هنا الآن» with
[تقديم شكوى] (`/file_complaint`), «انت بوت؟» with [التحدث مع موظف] (`/request_agent`).
Citizens often type «ايه» / «نعم ابغى» instead of pressing it (and SMS has no buttons).
Outside a form, a yes (`affirm`) whose last bot turn offered exactly one such button is read
as pressing it: the action logs the button's payload as the user's message, as a press would
(`action_listen`, then the intent with confidence 1), and the rules of that intent follow
(the form starts, the hand-off opens). A yes with no single offer keeps the old answer to a
yes out of context: the main menu (several offers, as after venting, are a choice to make).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, UserUttered
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

# The buttons a typed yes may press: starting a report, or asking for a person.
ACCEPTABLE = ("file_complaint", "request_digitization", "suggest_improvement", "request_agent")


def offered_intent(events: Iterable[dict[str, Any]]) -> str | None:
    """The intent of the single acceptable button the bot offered in its turn before the
    latest user message, or None (no such button, or several)."""
    offered: set[str] = set()
    current_seen = False
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "user":
            if current_seen:
                break
            current_seen = True
        elif kind == "bot" and current_seen:
            for button in (event.get("data") or {}).get("buttons") or []:
                payload = str((button or {}).get("payload") or "").strip()
                if payload.startswith("/") and payload[1:] in ACCEPTABLE:
                    offered.add(payload[1:])
    return offered.pop() if len(offered) == 1 else None


def pressed(intent: str, input_channel: str | None) -> list[EventType]:
    """The events of a press of the `/intent` button, as the channel would have sent it."""
    payload = f"/{intent}"
    ranking = [{"name": intent, "confidence": 1.0}]
    parse_data = {
        "text": payload,
        "intent": ranking[0],
        "intent_ranking": ranking,
        "entities": [],
    }
    return [
        ActionExecuted("action_listen"),
        UserUttered(payload, parse_data=parse_data, input_channel=input_channel),
    ]


class ActionAcceptOffer(Action):
    """A yes outside a form: press the single button just offered, else the main menu."""

    def name(self) -> str:
        return "action_accept_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = offered_intent(tracker.events)
        if intent is None:
            dispatcher.utter_message(response="utter_main_menu")
            return []
        return pressed(intent, tracker.get_latest_input_channel())
