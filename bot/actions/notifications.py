"""Notifications pushed by the desk, shown in the conversation, and the satisfaction survey.

The desk's dispatcher triggers the external intent `EXTERNAL_notification` with the
outbox row's id; `action_notify` claims the row (once: a redelivered notification is
silently dropped) and sends the domain's response for its kind, so the wording lives in
the domain like every other message. A closing notice opens the survey; during a form
the survey waits for the form to end (`bot/actions/after_form.py`), and a survey left
unanswered gets one reminder (`survey_reminder`, queued by the scheduler), which opens it
again where it stopped.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import clock
from bot.actions import awaiting, services
from bot.actions.after_form import (
    SURVEY_SLOTS,
    settle,
    start_waiting,
    survey_slots,
    survey_to_open,
)
from bot.actions.filing import status_link
from bot.actions.form_validation import FormValidation, Rejection, answer_of, validator
from bot.actions.notice_questions import answer_notice_question, is_notice_question
from bot.actions.report_form import YES_NO_OPTIONS
from bot.rules.arabic import normalise
from bot.rules.dates import format_date_ar
from bot.rules.replies import rating_of
from bot.store.follow_up import claim_delivery
from bot.store.surveys import REMINDER, record_answer, stop_survey

logger = logging.getLogger(__name__)

NOTIFICATION_RESPONSES = {
    "in_progress": "utter_notify_in_progress",
    "missing_data": "utter_notify_missing_data",
    "delayed": "utter_notify_delayed",
    "closed": "utter_notify_closed",
    "accepted": "utter_notify_accepted",
    "rejected": "utter_notify_rejected",
    "cancelled": "utter_notify_cancelled",
    "auto_cancelled": "utter_notify_auto_cancelled",
    "reopened": "utter_notify_reopened",
    REMINDER: "utter_notify_survey_reminder",
    "reopen_refused": "utter_notify_reopen_refused",
}
DEFAULT_NOTES = {
    "missing_data": "المستندات الداعمة للبلاغ",
    "closed": "يمكنك الاطلاع على التفاصيل بكتابة «حالة البلاغ»",
    "rejected": "يمكنك الاطلاع على التفاصيل بكتابة «حالة البلاغ»",
}
# The notices followed by the survey (the closing notice, the survey's reminder).
SURVEY_NOTICES = ("closed", REMINDER)
SKIP_WORDS = ("تخطي", "لا يوجد", "لا شي", "ما عندي", "لا")


class ActionNotify(Action):
    """Show one outbox notification (at most once)."""

    def name(self) -> str:
        return "action_notify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        raw_id = next(tracker.get_latest_entity_values("notification_id"), None)
        try:
            notification = await services.run(
                claim_delivery, int(raw_id), tracker.sender_id, clock.now()
            )
        except (TypeError, ValueError):
            logger.warning("notification without a valid id: %r", raw_id)
            return []
        if notification is None:
            logger.info("notification %s already shown or not this conversation's", raw_id)
            return []
        payload: dict[str, Any] = notification.payload
        number = str(payload.get("report_number"))
        stored = await survey_to_open(number) if notification.kind in SURVEY_NOTICES else False
        if notification.kind == REMINDER and stored is False:
            return []  # answered or stopped since the reminder was queued
        due_on = payload.get("due_on")
        dispatcher.utter_message(
            response=NOTIFICATION_RESPONSES[notification.kind],
            report_number=payload.get("report_number"),
            note=payload.get("note") or DEFAULT_NOTES.get(notification.kind, ""),
            implementation_time=payload.get("implementation_time") or "تحددها الجهة لاحقاً",
            due_date=format_date_ar(dt.date.fromisoformat(due_on)) if due_on else "-",
            status_link=status_link(notification.report_id or 0, clock.now()),
            # Lets WhatsApp use the approved template outside its 24-hour window.
            json_message={
                "notification": notification.kind,
                "variables": {
                    "1": str(payload.get("report_number")),
                    "2": str(payload.get("note") or ""),
                },
            },
        )
        form = tracker.active_loop.get("name")
        # What the citizen's next message answers (data/rules/context.yml).
        context, expected = awaiting.after_notice(
            awaiting.context_of(tracker),
            notification.kind,
            number,
            str(payload.get("note") or DEFAULT_NOTES.get(notification.kind, "")),
            bool(form),
            payload.get("implementation_time"),
        )
        if stored is False:
            return awaiting.events(tracker, context, expected)
        if form == "survey_form" and tracker.get_slot("survey_report") == number:
            return awaiting.events(tracker, context, expected)  # under way: it goes on
        if form:
            # Never over a form: the survey starts when it ends (`action_after_form`).
            dispatcher.utter_message(response="utter_survey_after_form", report_number=number)
            context = awaiting.survey_waits(context, number)
            return settle(tracker, context, awaiting.settled(context), None)
        context, expected = awaiting.survey_started(context, number)
        return [
            *survey_slots(tracker, number, stored),
            *settle(tracker, context, expected, "survey_form"),
        ]


def score(text: str) -> int | None:
    """1–5 from a digit of any script, «4 من 5», stars or a word (`bot.rules.replies`)."""
    return rating_of(text)


def answering(tracker: Tracker, slot: str) -> bool:
    """Is `slot` the question just asked? Only then do a pressed button (`choice`) and the
    message's intent (yes/no) say its answer: when the form is opened again with answers
    kept from before (`action_resume_survey`), each kept answer is validated again and
    must keep its own value."""
    return tracker.get_slot("requested_slot") == slot


class ValidateSurveyForm(FormValidation):
    """Each answer is stored as soon as it is given (partial surveys are kept)."""

    def name(self) -> str:
        return "validate_survey_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
        if intent.startswith("EXTERNAL_"):
            # Opened by a notice (the closing notice, the reminder): the slots hold the
            # answers read from the store (`survey_slots`), kept as they are, and the form
            # asks the first question not answered yet.
            return []
        return await super().run(dispatcher, tracker, domain)

    async def _store(
        self, tracker: Tracker, slot: str, value: Any, completed: bool = False
    ) -> None:
        number = tracker.get_slot("survey_report")
        if number and not await services.run(
            record_answer,
            number,
            SURVEY_SLOTS[slot],
            value,
            clock.now(),
            completed,
            tracker.sender_id,
        ):
            logger.warning("survey answer for a report of another conversation not stored")

    async def _score(
        self,
        slot: str,
        value: Any,
        tracker: Tracker,
        dispatcher: CollectingDispatcher | None = None,
        domain: DomainDict | None = None,
    ) -> dict[str, Any]:
        chosen = (
            next(tracker.get_latest_entity_values("choice"), None)
            if answering(tracker, slot)
            else None
        )
        result = score(str(chosen if chosen is not None else value or ""))
        notice = awaiting.context_of(tracker).get("notice")
        asked = answering(tracker, slot) and dispatcher is not None
        if result is None and chosen is None and asked and is_notice_question(tracker, notice):
            # «يعني خلاص انحلت؟» right after the closing notice: answered, then the
            # rating is asked again (not counted as a wrong answer).
            await answer_notice_question(dispatcher, tracker, domain, notice)
            return {slot: None}
        if result is None:
            raise Rejection("utter_invalid_score", hint="اختر رقماً من 1 إلى 5.")
        await self._store(tracker, slot, result)
        return {slot: str(result)}

    @validator
    async def validate_survey_solution(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self._score("survey_solution", value, tracker, dispatcher, domain)

    @validator
    async def validate_survey_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self._score("survey_time", value, tracker, dispatcher, domain)

    @validator
    async def validate_survey_handling(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self._score("survey_handling", value, tracker, dispatcher, domain)

    @validator
    async def validate_survey_effort(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self._score("survey_effort", value, tracker, dispatcher, domain)

    @validator
    async def validate_survey_useful(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # The words decide when they are clear («مو مفيدة» is no, whatever the intent).
        intents = {"affirm": "yes", "deny": "no"} if answering(tracker, "survey_useful") else {}
        answer = answer_of(tracker, str(value or ""), YES_NO_OPTIONS, intents)
        if answer is None:
            raise Rejection("utter_invalid_choice", hint="اختر: نعم أو لا.")
        await self._store(tracker, "survey_useful", answer == "yes")
        return {"survey_useful": answer}

    @validator
    async def validate_survey_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        skipped = "skip" in tracker.get_latest_entity_values("choice") or normalise(text) in {
            normalise(w) for w in SKIP_WORDS
        }
        comment = None if skipped else text[:2000]
        await self._store(tracker, "survey_comment", comment, completed=True)
        return {"survey_comment": "-" if skipped else comment}


class ActionFinishSurvey(Action):
    def name(self) -> str:
        return "action_finish_survey"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_survey_thanks")
        context, expected = awaiting.survey_over(awaiting.context_of(tracker))
        # Another survey, or the question about an agent's help, may wait for this one.
        return [
            SlotSet("survey_report", None),
            *[SlotSet(s, None) for s in SURVEY_SLOTS],
            *await start_waiting(dispatcher, tracker, context, expected, emptied=True),
        ]


class ActionStopSurvey(Action):
    """«إلغاء» during the survey: it stops, and a later «٤» is not read as an answer."""

    def name(self) -> str:
        return "action_stop_survey"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_survey_stopped")
        context = awaiting.context_of(tracker)
        number = tracker.get_slot("survey_report") or context.get("survey")
        if number:  # stopped for good: no reminder
            await services.run(stop_survey, str(number), clock.now(), tracker.sender_id)
        context, expected = awaiting.survey_over(context)
        return awaiting.events(tracker, context, expected)
