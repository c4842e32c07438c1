"""Replies read in context: the citizen's next message after a notice, a refusal or a
question of the bot (what is awaited: `bot/actions/awaiting.py`; when these actions run:
`data/rules/context.yml`).

- After a missing-data notice, a file or an https link is the document asked for: it is
  attached to the report that asked for it (which must be in `missing_data` and owned by
  this conversation, checked in the store), the report goes back to review, and the
  citizen is told. Several reports waiting: the bot asks which, with their numbers.
- «ليش؟» after a refusal explains it again, in more words, with what to do instead;
  after a notice it explains the notice (a rejection's reason, the 48-hour rule…).
- «تمام»، «شكراً» after a notice: a short acknowledgement, not the main menu.
- A question about a status notice («يعني انقبل؟ متى بينفذونه؟»، «طيب وش المطلوب مني؟»):
  the report's number, its status and what the notice said (`notice_questions.py`).
- Right after filing, where the notices should go: «واتساب»، «لا، بس هنا»، «رسائل نصية»
  (the buttons' words, negations read); anything else keeps the default and gets its
  usual reply.
- A rating («٤»، «ممتاز») while a survey is under way but its form is closed (a new
  session began since the question): the survey goes on from that answer. A survey that
  waited for a form a new session abandoned starts with the citizen's next reply.
- After an agent handed the chat back or closed it, «٤»، «ممتاز» or a button rates the
  agent's help (stored with the hand-off); anything else drops the question.

A message that is not a plausible reply gets what it would have got anyway (the reply of
its intent's rule), and the context stays for a later reply.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import clock
from bot.actions import awaiting, services
from bot.actions.after_form import SURVEY_SLOTS, kept_answer, settle, start_waiting
from bot.actions.filing import updates_buttons
from bot.actions.follow_up import attach_to, explain_why, owns, report_number_in, show_status
from bot.actions.form_validation import (
    Rejection,
    answer_of,
    attachments_of,
    pressed,
    reading_of,
)
from bot.actions.handoff import ActionFallback
from bot.actions.notice_questions import answer_notice_question, is_notice_question
from bot.actions.notifications import SKIP_WORDS, score
from bot.actions.report_form import YES_NO_OPTIONS
from bot.rules import notices
from bot.rules.arabic import normalise, to_ascii_digits
from bot.rules.choices import Reading
from bot.rules.replies import is_why_question
from bot.store.follow_up import (
    ReportNotFound,
    find_report,
    reports_awaiting_documents,
    set_updates_choice,
)
from bot.store.surveys import answers_of, rate_handoff, record_answer, stop_survey

logger = logging.getLogger(__name__)

# What the rule of the intent answers when the message is not a reply to the context
# (data/rules/conversation.yml); `nlu_fallback` and `faq` are handled apart.
USUAL_REPLIES = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thank": "utter_you_are_welcome",
    "bot_challenge": "utter_iamabot",
    "out_of_scope": "utter_out_of_scope",
    "rate": "utter_no_survey_open",
    "vent": "utter_vent",
}
ACKNOWLEDGEMENTS = {"affirm", "thank"}
# «ليش؟» after a refusal: the reason again, in more words, and what to do instead.
REFUSAL_EXPLANATIONS = {
    "paper_service": "utter_explain_paper_service",
    "too_early": "utter_explain_too_early",
    "sla_not_passed": "utter_explain_sla_not_passed",
    "procedures": "utter_explain_procedures",
    "already_escalated": "utter_explain_already_escalated",
    "digital_alternative": "utter_explain_digital_alternative",
    "similar_request": "utter_explain_similar_request",
    "paper_suggestion": "utter_explain_paper_suggestion",
    "same_suggestion": "utter_explain_same_suggestion",
}
# «ليش؟» after a notice (others show the report's status).
NOTICE_EXPLANATIONS = {
    "missing_data": "utter_explain_missing_data",
    "rejected": "utter_explain_rejected",
    "auto_cancelled": "utter_explain_auto_cancelled",
    "cancelled": "utter_explain_cancelled",
    "delayed": "utter_explain_delayed",
}


# The answers to "where should the notices go?" (the buttons' words, and how people say it).
UPDATES_OPTIONS = {
    "sms": ["هنا وبرسالة نصية", "رسالة نصية", "رسائل نصية", "نصية", "رساله", "رسائل", "sms"],
    "whatsapp": ["هنا وعلى واتساب", "واتساب", "واتس اب", "الواتس", "واتس", "whatsapp"],
    "here": ["هنا فقط", "هنا بس", "بس هنا", "هنا", "المحادثة", "المحادثه", "هنا يكفي"],
}
UPDATES_SAID = {
    "here": "هنا في المحادثة",
    "sms": "هنا وبرسالة نصية إلى جوالك",
    "whatsapp": "هنا وعلى واتساب جوالك",
}
WHEN_AWAY = "، وبرسالة نصية إن لم تكن المحادثة مفتوحة"


UNCLEAR = "unclear"


def updates_answer(reading: Reading, intent: str, channel: str) -> str | None:
    """The way chosen in words: one of the mobile ways named (and not denied); «هنا» alone,
    or the mobile ways only denied («لا ما ابي رسائل»), is here only; words about the ways
    that choose none are `UNCLEAR`; nothing about them: «تمام» keeps the default, «لا»
    declines the mobile (here only), anything else is not an answer (None)."""
    if reading.silent or not (reading.chosen or reading.denied):
        if reading.negative:  # a bare «لا»
            return "here"
        return {"affirm": notices.default_choice(channel), "deny": "here"}.get(intent)
    mobile = [c for c in reading.chosen if c != "here" and c not in reading.denied]
    if len(mobile) == 1:
        return mobile[0]
    if not mobile and not reading.unsure:
        if reading.chosen == ("here",) or {"sms", "whatsapp"} & set(reading.denied):
            return "here"
    return UNCLEAR


def _web(channel: str, choice: str) -> bool:
    return choice == "here" and channel == notices.WEB_CHANNEL


def intent_of(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def asks_why(tracker: Tracker) -> bool:
    text = str(tracker.latest_message.get("text") or "")
    return intent_of(tracker) == "ask_why" or is_why_question(text)


async def usual_reply(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[EventType]:
    """What the message would have got without the context."""
    intent = intent_of(tracker)
    if intent == "nlu_fallback":
        return await ActionFallback().run(dispatcher, tracker, domain)
    if intent == "faq":
        selected = (tracker.latest_message.get("response_selector") or {}).get("faq") or {}
        response = (selected.get("response") or {}).get("utter_action")
        dispatcher.utter_message(response=response or "utter_default")
        return []
    if intent == "ask_why":
        return await explain_why(dispatcher, tracker)
    dispatcher.utter_message(response=USUAL_REPLIES.get(intent, "utter_main_menu"))
    return []


def documents_in(tracker: Tracker) -> list[dict[str, Any]]:
    """Files attached to the message and https links typed in it (`Rejection` for a file
    or link that cannot be accepted)."""
    text = str(tracker.latest_message.get("text") or "")
    if text.startswith("/"):  # a button's payload
        text = ""
    return [
        {"reference": f["reference"], "content_type": f["content_type"]}
        for f in attachments_of(tracker, text)
    ]


def correction_in(tracker: Tracker) -> str | None:
    """The words sent with the documents (kept as the update's note), links left out."""
    text = str(tracker.latest_message.get("text") or "")
    if text.startswith("/"):
        return None
    words = re.sub(r"https://\S+", " ", text).replace("📎", " ").split()
    return " ".join(words)[:2000] or None


async def attach(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    number: str,
    documents: list[dict[str, Any]],
    text: str | None,
) -> bool:
    """Attach `documents` to report `number` if this conversation owns it and it waits for
    them; tell the citizen either way."""
    report = await services.run(find_report, number)
    if report is None or not await owns(tracker, number):
        dispatcher.utter_message(response="utter_follow_up_not_verified")
        return False
    docs = [(d["reference"], d.get("content_type")) for d in documents]
    return await attach_to(dispatcher, None, report, docs, text)


def ask_which_report(dispatcher: CollectingDispatcher, reports: list[str]) -> None:
    buttons = [
        {"title": number, "payload": f'/inform{{"report_number": "{number}"}}'}
        for number in reports
    ]
    dispatcher.utter_message(response="utter_ask_report_for_documents", buttons=buttons)


class ActionReplyInContext(Action):
    """The reply to a notice, a refusal or the bot's "which report?" question."""

    def name(self) -> str:
        return "action_reply_in_context"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        expected = tracker.get_slot(awaiting.AWAITING)
        context = awaiting.context_of(tracker)
        if expected == awaiting.REFUSAL and context.get("refusal"):
            events = await self._refusal(dispatcher, tracker, domain, context)
        elif expected == awaiting.REPORT_CHOICE and context.get("choice"):
            events = await self._report_choice(dispatcher, tracker, domain, context)
        elif expected == awaiting.UPDATES and context.get("updates"):
            events = await self._updates_choice(dispatcher, tracker, domain, context)
        else:
            events = await self._notice(dispatcher, tracker, domain, context)
        # The rule that ran this action was conditioned on `awaiting`, which the action may
        # have changed: the rule can no longer predict the listen that ends its turn (unless
        # a survey that waited for the form just filed starts now).
        if any(event.get("event") == "followup" for event in events):
            return events
        return [*events, FollowupAction("action_listen")]

    async def _updates_choice(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        context: awaiting.Context,
    ) -> list[EventType]:
        number = str(context["updates"])
        channel = tracker.get_latest_input_channel() or "rest"
        text = str(tracker.latest_message.get("text") or "")
        choice = pressed(tracker, UPDATES_OPTIONS) or updates_answer(
            reading_of(text, UPDATES_OPTIONS), intent_of(tracker), channel
        )
        if choice == UNCLEAR:  # about the ways, but not one of them: asked again
            dispatcher.utter_message(
                response="utter_ask_updates_choice_again", buttons=updates_buttons(channel)
            )
            return []
        after, expected = awaiting.moving_on(context)
        if choice is None or not await services.run(
            set_updates_choice, number, tracker.sender_id, choice
        ):  # not an answer: the default stays
            events = await usual_reply(dispatcher, tracker, domain)
        else:
            dispatcher.utter_message(
                response="utter_updates_choice_saved",
                report_number=number,
                updates_way=UPDATES_SAID[choice] + (WHEN_AWAY if _web(channel, choice) else ""),
            )
            events = []
        if awaiting.waiting(after):  # a survey that waited for the form just filed
            return events + await start_waiting(dispatcher, tracker, after, expected)
        return awaiting.events(tracker, after, expected) + events

    async def _refusal(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        context: awaiting.Context,
    ) -> list[EventType]:
        if not asks_why(tracker):
            return await usual_reply(dispatcher, tracker, domain)
        refusal = context["refusal"]
        response = REFUSAL_EXPLANATIONS.get(refusal.get("code"))
        if response is None:
            return await usual_reply(dispatcher, tracker, domain)
        dispatcher.utter_message(
            response=response,
            refusal_date=refusal.get("date") or "-",
            refusal_number=refusal.get("number") or "-",
            refusal_detail=refusal.get("detail") or "-",
        )
        return []

    async def _notice(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        context: awaiting.Context,
    ) -> list[EventType]:
        try:
            documents = documents_in(tracker)
        except Rejection as refused:
            dispatcher.utter_message(response=refused.response, **refused.variables)
            return []
        pending = await services.run(
            reports_awaiting_documents, tracker.sender_id, context.get("documents") or []
        )
        # Reports that no longer wait (documents sent, cancelled, moved on by staff).
        still = [n for n in context.get("documents") or [] if n in pending]
        if still != (context.get("documents") or []):
            context = {k: v for k, v in context.items() if k != "documents"}
            if still:
                context["documents"] = still
        if documents:
            return await self._documents(dispatcher, tracker, context, pending, documents)
        expected = tracker.get_slot(awaiting.AWAITING)
        if expected == awaiting.DOCUMENTS and not still:
            expected = awaiting.settled(context) or awaiting.NOTICE
        kept = awaiting.events(tracker, context, expected)
        return kept + await self._words(dispatcher, tracker, domain, context, pending, expected)

    async def _words(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        context: awaiting.Context,
        pending: list[str],
        expected: str | None,
    ) -> list[EventType]:
        """A reply without documents: «ليش؟», «تمام», or anything else."""
        notice = context.get("notice") or {}
        waiting_for = notice.get("report") if notice.get("report") in pending else None
        waiting_for = waiting_for or (pending[0] if pending else None)
        if asks_why(tracker):
            return await self._explain_notice(dispatcher, tracker, notice, waiting_for)
        if is_notice_question(tracker, notice):
            # «يعني انقبل؟ متى بينفذونه؟»: the report's status and what its notice said.
            await answer_notice_question(dispatcher, tracker, domain, notice)
            return []
        if expected == awaiting.DOCUMENTS and waiting_for:
            if intent_of(tracker) in {*ACKNOWLEDGEMENTS, "inform"}:
                # «تمام»، «أرسلتها» without a file: still waiting, say how to send it.
                note = notice.get("note") if notice.get("report") == waiting_for else None
                dispatcher.utter_message(
                    response="utter_documents_awaited",
                    report_number=waiting_for,
                    note=note or "المستندات المطلوبة",
                )
                return []
            return await usual_reply(dispatcher, tracker, domain)
        if notice and intent_of(tracker) in ACKNOWLEDGEMENTS:
            dispatcher.utter_message(
                response="utter_notice_acknowledged", report_number=notice.get("report")
            )
            updated = {k: v for k, v in context.items() if k != "notice"}
            return [
                SlotSet(awaiting.AWAITING, awaiting.settled(updated)),
                SlotSet(awaiting.CONTEXT, updated or None),
            ]
        return await usual_reply(dispatcher, tracker, domain)

    async def _documents(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        context: awaiting.Context,
        pending: list[str],
        documents: list[dict[str, Any]],
    ) -> list[EventType]:
        text = correction_in(tracker)
        if not pending:
            dispatcher.utter_message(response="utter_no_report_awaits_documents")
            updated = {k: v for k, v in context.items() if k != "documents"}
            return awaiting.events(tracker, updated, awaiting.settled(updated))
        if len(pending) > 1:
            ask_which_report(dispatcher, pending)
            updated, expected = awaiting.choosing_report(context, pending, documents, text or "")
            return awaiting.events(tracker, updated, expected)
        [number] = pending
        await attach(dispatcher, tracker, number, documents, text)
        return awaiting.events(tracker, *awaiting.documents_received(context, number))

    async def _explain_notice(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        notice: dict[str, Any],
        waiting_for: str | None,
    ) -> list[EventType]:
        kind, number = notice.get("kind"), notice.get("report") or waiting_for
        if not number:
            dispatcher.utter_message(response="utter_ask_why_unknown")
            return []
        if waiting_for and kind != "missing_data" and notice.get("report") != waiting_for:
            kind, number = "missing_data", waiting_for  # the question still open
        response = NOTICE_EXPLANATIONS.get(kind or "")
        if response:
            note = notice.get("note") if notice.get("report") == number else None
            dispatcher.utter_message(response=response, report_number=number, note=note or "-")
            return []
        report = await services.run(find_report, number)
        if report is not None and await owns(tracker, number):
            show_status(dispatcher, report)
        else:
            dispatcher.utter_message(response="utter_follow_up_not_verified")
        return []

    async def _report_choice(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        context: awaiting.Context,
    ) -> list[EventType]:
        choice = context["choice"]
        reports = list(choice.get("reports") or [])
        text = str(tracker.latest_message.get("text") or "")
        named = next(tracker.get_latest_entity_values("report_number"), None)
        number = report_number_in(str(named)) if named else report_number_in(text)
        index = re.fullmatch(r"\(?(\d)[).\-]?", normalise(to_ascii_digits(text)).strip())
        if number is None and index and 1 <= int(index.group(1)) <= len(reports):
            number = reports[int(index.group(1)) - 1]
        if number not in reports:
            if intent_of(tracker) in {"inform", "rate"}:
                dispatcher.utter_message(response="utter_invalid_choice")
                ask_which_report(dispatcher, reports)
                return []
            updated = {k: v for k, v in context.items() if k != "choice"}
            events = awaiting.events(tracker, updated, awaiting.settled(updated))
            return events + await usual_reply(dispatcher, tracker, domain)
        await attach(dispatcher, tracker, number, choice["documents"], choice.get("text") or None)
        return awaiting.events(tracker, *awaiting.documents_received(context, number))


def survey_answer(tracker: Tracker, slot: str) -> str | None:
    """The message as the answer to survey question `slot`, or None if it is not one."""
    text = str(tracker.latest_message.get("text") or "")
    chosen = next(tracker.get_latest_entity_values("choice"), None)
    if slot == "survey_useful":  # the words decide when clear («مو مفيدة» is no)
        return answer_of(tracker, text, YES_NO_OPTIONS, {"affirm": "yes", "deny": "no"})
    value = str(chosen) if chosen is not None else text
    return value if score(value) is not None else None


class ActionResumeSurvey(Action):
    """A reply while a survey is under way but its form is not open (a new session began
    since the question): the answers given are kept, the message answers the next
    question, and the form goes on from there. A survey that waited for a form a new
    session abandoned starts the same way (a rating answers its first question), or with
    a yes or a thank-you; another message keeps it waiting."""

    def name(self) -> str:
        return "action_resume_survey"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        context = awaiting.context_of(tracker)
        waited = not context.get("survey")
        number = context.get("survey") or next(iter(context.get("surveys_waiting") or []), None)
        try:
            stored = await services.run(answers_of, number) if number else None
        except ReportNotFound:
            stored = {"completed": True}
        if not number or (stored and (stored.get("completed") or stored.get("stopped"))):
            if waited:
                rest = [n for n in context.get("surveys_waiting") or [] if n != number]
                context = {k: v for k, v in context.items() if k != "surveys_waiting"}
                context |= {"surveys_waiting": rest} if rest else {}
            else:
                context, _ = awaiting.survey_over(context)
            return [
                *settle(tracker, context, awaiting.settled(context), None),
                *await usual_reply(dispatcher, tracker, domain),
                FollowupAction("action_listen"),
            ]
        answers = {
            slot: tracker.get_slot(slot) or kept_answer(slot, stored) for slot in SURVEY_SLOTS
        }
        if waited:
            answers = {slot: kept_answer(slot, stored) for slot in SURVEY_SLOTS}
        current = next(slot for slot in SURVEY_SLOTS if answers[slot] is None)
        if current == "survey_comment" and not waited:
            return await self._last_answer(dispatcher, tracker, number, context)
        answer = survey_answer(tracker, current)
        intent = intent_of(tracker)
        if answer is None and intent == "deny" and not waited:  # «لا» to a rating question
            dispatcher.utter_message(response="utter_survey_stopped")
            await services.run(stop_survey, number, clock.now(), tracker.sender_id)
            events = awaiting.events(tracker, *awaiting.survey_over(context))
            return [*events, FollowupAction("action_listen")]
        starting = {"affirm", "rate", "thank"} if waited else {"affirm", "rate"}
        if answer is None and intent not in starting:
            return [
                *await usual_reply(dispatcher, tracker, domain),
                FollowupAction("action_listen"),
            ]
        events: list[EventType] = []
        if waited:  # the citizen is back: the survey that waited starts
            if answer is None:
                if intent == "thank":
                    events += await usual_reply(dispatcher, tracker, domain)
                dispatcher.utter_message(response="utter_survey_waited", report_number=number)
            context, expected = awaiting.survey_started(context, number)
            events += settle(tracker, context, expected, None)
        # The form, opened next, validates and stores every answer it is given, asks the
        # question again if this one was not valid, and goes on.
        answers[current] = answer
        events.append(SlotSet("survey_report", number))
        events += [
            SlotSet(slot, value)
            for slot, value in answers.items()
            if value != tracker.get_slot(slot)
        ]
        return events

    async def _last_answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        number: str,
        context: awaiting.Context,
    ) -> list[EventType]:
        """The optional comment: stored here (the survey ends with it)."""
        text = str(tracker.latest_message.get("text") or "").strip()
        skipped = "skip" in tracker.get_latest_entity_values("choice") or normalise(text) in {
            normalise(w) for w in SKIP_WORDS
        }
        await services.run(
            record_answer,
            number,
            "comment",
            None if skipped else text[:2000],
            clock.now(),
            True,
            tracker.sender_id,
        )
        dispatcher.utter_message(response="utter_survey_thanks")
        context, expected = awaiting.survey_over(context)
        return [
            SlotSet("survey_report", None),
            *[SlotSet(slot, None) for slot in SURVEY_SLOTS if tracker.get_slot(slot)],
            # Another survey, or the question about an agent's help, may wait for this one.
            *await start_waiting(dispatcher, tracker, context, expected, emptied=True),
        ]


class ActionRateAgent(Action):
    """The reply to the question about an agent's help (asked when the agent handed the
    chat back or closed it): a rating from 1 to 5 — a button, a digit of any script, «4 من
    5», stars or a word («ممتاز»، «سيء») — is stored with the hand-off, once; anything else
    drops the question (it never blocks anything) and gets its usual reply."""

    def name(self) -> str:
        return "action_rate_agent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        context = awaiting.context_of(tracker)
        handoff = context.get("rating")
        chosen = next(tracker.get_latest_entity_values("choice"), None)
        text = str(tracker.latest_message.get("text") or "")
        rating = score(str(chosen) if chosen is not None else text)
        after, expected = awaiting.rating_over(context)
        if handoff is not None and rating is not None:
            if not await services.run(
                rate_handoff, int(handoff), tracker.sender_id, rating, clock.now()
            ):
                logger.info("rating of hand-off %s not stored (already rated)", handoff)
            dispatcher.utter_message(response="utter_agent_rating_thanks")
            # A survey may have waited for the form the agent's chat interrupted.
            return await start_waiting(dispatcher, tracker, after, expected)
        return [
            *awaiting.events(tracker, after, expected),
            *await usual_reply(dispatcher, tracker, domain),
            FollowupAction("action_listen"),
        ]
