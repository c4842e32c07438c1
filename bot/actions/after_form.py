"""What waits for a form to end: the survey is never lost, and an agent's help is rated.

A closing notice (or the survey's reminder, `bot/store/surveys.py`) that arrives while a
form is open does not put the survey over the form: the survey waits (the awaiting
context's `surveys_waiting`, the featurised slot `waits_for_form`) and starts when the form
ends — filed or refused, stopped, or closed by an agent: the rules of
`data/rules/after_form.yml` run `action_after_form` after each ending, the survey's own
ending and the agent's closing start it themselves. A form a new session abandoned leaves
the survey awaited: the citizen's next reply starts it (`action_resume_survey`), or the
next form's end, or the reminder.

An agent who hands a chat back in the middle of a form is rated the same way: the one
1–5 question about their help comes when the form ends, before any survey. When the
form's ending asked something of its own (where the notices go, a refusal and its
choices), what waits stays until that is answered.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import clock
from bot.actions import awaiting, services
from bot.store.follow_up import ReportNotFound
from bot.store.surveys import answers_of, rateable_handoff

logger = logging.getLogger(__name__)

WAITS = "waits_for_form"
# The survey's questions (the form's slots, in the order asked) and where each is stored.
SURVEY_SLOTS = {
    "survey_solution": "solution_score",
    "survey_time": "time_score",
    "survey_handling": "handling_score",
    "survey_effort": "effort_score",
    "survey_useful": "useful",
    "survey_comment": "comment",
}
# The ending asked something of its own: what waits stays until it is answered.
ASKING = {awaiting.UPDATES, awaiting.REFUSAL, awaiting.REPORT_CHOICE, awaiting.AGENT_RATING}


def kept_answer(slot: str, stored: dict[str, Any] | None) -> str | None:
    """A survey answer stored before, as its slot holds it (the comment is never kept:
    the survey ends with it)."""
    value = (stored or {}).get(SURVEY_SLOTS[slot])
    if value is None or slot == "survey_comment":
        return None
    if slot == "survey_useful":
        return "yes" if value else "no"
    return str(value)


async def survey_to_open(number: str) -> dict[str, Any] | None | bool:
    """The answers stored for report `number`'s survey (None: none yet), or False when it
    is not to be opened: completed, stopped by the citizen, or no such report."""
    try:
        stored = await services.run(answers_of, number)
    except ReportNotFound:
        return False
    if stored and (stored["completed"] or stored["stopped"]):
        return False
    return stored


def survey_slots(
    tracker: Tracker, number: str, stored: dict[str, Any] | None, emptied: bool = False
) -> list[EventType]:
    """The survey form's slots for report `number`: the answers given before kept (the
    form asks the next question), the others emptied (`emptied`: the events before these
    empty every survey slot)."""

    def held(slot: str) -> Any:
        return None if emptied else tracker.get_slot(slot)

    events: list[EventType] = []
    if held("survey_report") != number:
        events.append(SlotSet("survey_report", number))
    for slot in SURVEY_SLOTS:
        value = kept_answer(slot, stored)
        if held(slot) != value:
            events.append(SlotSet(slot, value))
    return events


def waits_event(tracker: Tracker, context: awaiting.Context) -> list[EventType]:
    """The `waits_for_form` slot as the context says (none when it already is)."""
    waits = True if awaiting.waiting(context) else None
    return [] if tracker.get_slot(WAITS) == waits else [SlotSet(WAITS, waits)]


def settle(
    tracker: Tracker, context: awaiting.Context, expected: str | None, follow: str | None
) -> list[EventType]:
    """The slots that hold `context` and `expected`, and the action that follows."""
    events = [*awaiting.events(tracker, context, expected), *waits_event(tracker, context)]
    return [*events, FollowupAction(follow)] if follow else events


async def start_waiting(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    context: awaiting.Context,
    expected: str | None,
    emptied: bool = False,
) -> list[EventType]:
    """Start what waited for the form: the question about the agent's help first, else
    the oldest survey still to answer. The events end with the action that follows (the
    survey's form, or listening); `emptied`: the events before these empty the survey's
    slots (a survey just ended)."""
    handoff = context.get("rating_waiting")
    if handoff is not None:
        context = {k: v for k, v in context.items() if k != "rating_waiting"}
        if await services.run(rateable_handoff, tracker.sender_id, clock.now()) == handoff:
            dispatcher.utter_message(response="utter_ask_agent_rating")
            context, expected = awaiting.rating_asked(context, handoff)
            return settle(tracker, context, expected, "action_listen")
    for number in list(context.get("surveys_waiting") or []):
        stored = await survey_to_open(number)
        if stored is False:  # answered or stopped meanwhile: nothing to ask
            waiting = [n for n in context.get("surveys_waiting") or [] if n != number]
            context = {k: v for k, v in context.items() if k != "surveys_waiting"}
            if waiting:
                context["surveys_waiting"] = waiting
            continue
        dispatcher.utter_message(response="utter_survey_waited", report_number=number)
        context, expected = awaiting.survey_started(context, number)
        return [
            *survey_slots(tracker, number, stored, emptied),
            *settle(tracker, context, expected, "survey_form"),
        ]
    if expected == awaiting.SURVEY and not context.get("survey"):
        expected = awaiting.settled(context)
    return settle(tracker, context, expected, "action_listen")


class ActionAfterForm(Action):
    """Run when a form ended while something waited for it (data/rules/after_form.yml)."""

    def name(self) -> str:
        return "action_after_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.active_loop.get("name"):  # the ending sent the form on (asked again)
            return []
        expected = tracker.get_slot(awaiting.AWAITING)
        if expected in ASKING:
            # «أين تصلك التحديثات؟», a refusal's choices: answered first; what waits stays.
            return [FollowupAction("action_listen")]
        return await start_waiting(dispatcher, tracker, awaiting.context_of(tracker), expected)
