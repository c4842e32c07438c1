"""Offering the beneficiary's data given earlier in the conversation, partly masked."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.rules.identity import mask_national_id, mask_phone
from bot.rules.labels import IDENTIFIER_LABELS


class ActionAskUseSavedProfile(Action):
    """«Use the data you gave before?» with yes/no buttons."""

    def name(self) -> str:
        return "action_ask_use_saved_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(
            response="utter_ask_use_saved_profile",
            profile=(
                f"{tracker.get_slot('profile_name')}، "
                f"{IDENTIFIER_LABELS.get(tracker.get_slot('profile_kind') or 'citizen')} "
                f"{mask_national_id(tracker.get_slot('profile_national_id'))}، "
                f"جوال {mask_phone(tracker.get_slot('profile_mobile'))}"
            ),
        )
        return []
