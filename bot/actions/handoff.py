"""Handing a conversation to a person.

The user asks for one, the bot fails to understand twice in a row, or the user disputes
an eligibility decision. Inside the agents' hours the conversation joins the queue and is
paused (the bot stays silent; the user's messages are still recorded for the agent); a
form in progress stays active and resumes where it was when the agent hands back.
Outside the hours, the bot says when agents are back and carries on.

When the agent hands back or closes the chat, the citizen is asked one 1–5 question about
the agent's help, in the same message (answered by `action_rate_agent`, stored with the
hand-off); a form that resumes is not interrupted: the question comes when it ends
(`bot/actions/after_form.py`).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import clock
from bot.actions import awaiting, services, verification
from bot.actions.after_form import settle, start_waiting
from bot.actions.filing import REPORT_KINDS, reset_report_slots
from bot.rules.dates import format_date_ar
from bot.rules.identity import mask_national_id, mask_phone
from bot.rules.labels import GOALS
from bot.rules.waiting import expected_wait_minutes, is_long, wait_in_arabic
from bot.rules.working_hours import agents_available, next_opening
from bot.store.handoffs import open_handoff, queue_load
from bot.store.surveys import rateable_handoff

logger = logging.getLogger(__name__)

MASKED = {"national_id": mask_national_id, "mobile": mask_phone}


def handoff_summary(tracker: Tracker) -> dict[str, Any]:
    """What the agent sees first: what the user wanted (the form in progress, else the last
    request understood), the answers so far, any report. Codes, named in Arabic for the
    agent by `bot.rules.labels.summary_view` (the bot's own labels)."""
    form = (tracker.active_loop or {}).get("name")
    kind = REPORT_KINDS.get(form) if form else None
    filled = {}
    for slot in kind.fields if kind else ():
        value = tracker.get_slot(slot)
        if value is not None:
            filled[slot] = MASKED.get(slot, str)(value)
    intents = [
        e.get("parse_data", {}).get("intent", {}).get("name")
        for e in tracker.events
        if e.get("event") == "user"
    ]
    wanted = next((i for i in reversed(intents) if i in GOALS), None)
    return {
        "form": form if kind else None,
        "wanted": kind.label if kind else wanted,
        "slots": filled,
        "report_number": tracker.get_slot("last_report_number"),
    }


async def hand_over(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str
) -> list[EventType]:
    now = clock.now()
    settings = services.settings()
    local = now.astimezone(settings.zone)
    hours = settings.agent_hours
    calendar = services.calendar()
    if not agents_available(local, calendar, hours):
        back = next_opening(local, calendar, hours)
        dispatcher.utter_message(
            response="utter_handoff_closed_hours",
            back_at=f"{format_date_ar(back.date())} الساعة {back:%H:%M}",
        )
        return []
    waiting, on_shift, handling = await services.run(queue_load, now)
    minutes = expected_wait_minutes(waiting, on_shift, handling)
    channel = tracker.get_latest_input_channel() or "rest"
    summary = handoff_summary(tracker)
    callback = await callback_mobile(tracker) if is_long(minutes) else None
    if callback:
        summary["callback_mobile"] = mask_phone(callback)  # the agent reveals it, audited
    await services.run(open_handoff, tracker.sender_id, channel, reason, summary, now)
    if not is_long(minutes):
        dispatcher.utter_message(response="utter_handoff_waiting", wait=wait_in_arabic(minutes))
    else:
        # Said plainly, with what the citizen can do instead of waiting with the chat open.
        dispatcher.utter_message(
            response="utter_handoff_long_wait" if minutes else "utter_handoff_nobody_on_shift",
            wait=wait_in_arabic(minutes) if minutes else "-",
        )
        dispatcher.utter_message(
            response="utter_handoff_callback_offer" if callback else "utter_handoff_leave_message",
            mobile=mask_phone(callback) if callback else "-",
        )
    logger.info(
        "conversation handed over (%s): %s waiting, %s agent(s) signed in, wait %s min",
        reason,
        waiting,
        on_shift,
        minutes,
    )
    return [ConversationPaused()]


async def callback_mobile(tracker: Tracker) -> str | None:
    """The mobile an agent may call back: the WhatsApp or SMS number itself, or the mobile
    this conversation confirmed with a one-time code."""
    own = verification.channel_number(tracker)
    if own:
        return own
    typed = tracker.get_slot("mobile")
    return typed if await verification.mobile_verified(tracker, typed) else None


class ActionHandoff(Action):
    """The user asked for a person (or disputes a decision: the «أعترض» button)."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        disputed = "dispute" in tracker.get_latest_entity_values("choice")
        return await hand_over(dispatcher, tracker, "dispute" if disputed else "asked")


class ActionFallback(Action):
    """Not understood: re-ask; the second time in a row, hand over to a person."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intents = [
            e.get("parse_data", {}).get("intent", {}).get("name")
            for e in tracker.events
            if e.get("event") == "user"
        ]
        if intents[-2:] == ["nlu_fallback", "nlu_fallback"]:
            dispatcher.utter_message(response="utter_default_twice")
            return await hand_over(dispatcher, tracker, "not_understood")
        dispatcher.utter_message(response="utter_default")
        return []


class ActionHandoffClosed(Action):
    """The agent closed the conversation: say so, ask about the agent's help, and start
    afresh (a survey that waited for the form closed here starts after the rating)."""

    def name(self) -> str:
        return "action_handoff_closed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [ActiveLoop(None), *reset_report_slots(tracker)]
        context = awaiting.context_of(tracker)
        expected = tracker.get_slot(awaiting.AWAITING)
        handoff = await services.run(rateable_handoff, tracker.sender_id, clock.now())
        if handoff is None:
            dispatcher.utter_message(response="utter_handoff_closed")
            return [*events, *await start_waiting(dispatcher, tracker, context, expected)]
        dispatcher.utter_message(response="utter_handoff_closed_rate")
        context = {k: v for k, v in context.items() if k != "rating_waiting"}
        return [
            *events,
            *settle(tracker, *awaiting.rating_asked(context, handoff), "action_listen"),
        ]


class ActionHandoffReturned(Action):
    """The agent handed the conversation back: say so and ask about the agent's help —
    unless a form resumes now: then the question waits for it to end."""

    def name(self) -> str:
        return "action_handoff_returned"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        handoff = await services.run(rateable_handoff, tracker.sender_id, clock.now())
        context = awaiting.context_of(tracker)
        if handoff is None:
            dispatcher.utter_message(response="utter_handoff_returned")
            return []
        if tracker.active_loop.get("name"):  # the form resumes (data/rules/follow_up.yml)
            dispatcher.utter_message(response="utter_handoff_returned")
            context = awaiting.rating_waits(context, handoff)
            return settle(tracker, context, tracker.get_slot(awaiting.AWAITING), None)
        dispatcher.utter_message(response="utter_handoff_returned_rate")
        return settle(tracker, *awaiting.rating_asked(context, handoff), "action_listen")
