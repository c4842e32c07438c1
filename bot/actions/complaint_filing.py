"""Actions around the complaint form: the summary, corrections, stopping and filing."""

from __future__ import annotations

import datetime as dt
import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import clock, eligibility
from bot.actions import services
from bot.actions.complaint_form import EDITABLE_FIELDS, summary_lines
from bot.dates import format_date_ar
from bot.eligibility import Refusal
from bot.identity import mask_national_id
from bot.store.reports import AlreadyEscalated, NewReport, file_report

logger = logging.getLogger(__name__)

REFUSAL_RESPONSES = {
    Refusal.PAPER_SERVICE.value: "utter_refuse_paper_service",
    Refusal.TOO_EARLY.value: "utter_refuse_too_early",
    Refusal.SLA_NOT_PASSED.value: "utter_refuse_sla_not_passed",
    Refusal.PROCEDURES.value: "utter_refuse_procedures",
    Refusal.ALREADY_ESCALATED.value: "utter_refuse_already_escalated",
}
FORM_SLOTS = [
    *EDITABLE_FIELDS,
    "confirm_submission",
    "field_to_edit",
    "refusal",
    "refusal_date",
    "refusal_number",
    "documents",
]


def reset_form_slots() -> list[EventType]:
    """Empty the form's slots (the beneficiary's profile slots are kept)."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("failed_attempts", 0.0)]


class ActionAskConfirmSubmission(Action):
    """Show the summary with buttons to submit, correct a field or cancel."""

    def name(self) -> str:
        return "action_ask_confirm_submission"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(
            response="utter_complaint_summary", summary="\n".join(summary_lines(tracker))
        )
        return []


class ActionAskFieldToEdit(Action):
    """Offer the filled fields as buttons."""

    def name(self) -> str:
        return "action_ask_field_to_edit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        buttons = [
            {"title": label, "payload": f'/inform{{"choice": "{slot}"}}'}
            for slot, label in EDITABLE_FIELDS.items()
            if tracker.get_slot(slot) is not None
        ]
        dispatcher.utter_message(response="utter_ask_field_to_edit", buttons=buttons)
        return []


class ActionStopFiling(Action):
    """The user stopped the dialogue: nothing is stored, the form is closed."""

    def name(self) -> str:
        return "action_stop_filing"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_filing_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_form_slots()]


class ActionFinishComplaint(Action):
    """After the form: explain a refusal, or file the report and give its number."""

    def name(self) -> str:
        return "action_finish_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        refusal = tracker.get_slot("refusal")
        if refusal:
            dispatcher.utter_message(
                response=REFUSAL_RESPONSES[refusal],
                refusal_date=tracker.get_slot("refusal_date"),
                refusal_number=tracker.get_slot("refusal_number"),
            )
            return reset_form_slots()
        if tracker.get_slot("confirm_submission") != "yes":
            return []
        return self._file(dispatcher, tracker)

    def _file(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        now = clock.now()
        due_on = eligibility.answer_due_date(now.date(), services.calendar())
        slot = tracker.get_slot
        report = NewReport(
            type="complaint",
            channel=tracker.get_latest_input_channel() or "rest",
            conversation_id=tracker.sender_id,
            beneficiary_name=slot("beneficiary_name"),
            national_id=slot("national_id"),
            mobile=slot("mobile"),
            entity=slot("entity"),
            platform=slot("platform"),
            service=slot("service"),
            request_channel=slot("request_channel"),
            trigger=slot("complaint_trigger"),
            closed_topic=slot("closed_topic"),
            sla_working_days=int(slot("sla_days")) if slot("sla_days") else None,
            prior_number=slot("prior_complaint_number"),
            prior_date=(
                dt.date.fromisoformat(slot("prior_complaint_date"))
                if slot("prior_complaint_date")
                else None
            ),
            title=slot("title"),
            description=slot("description"),
            documents=[
                (d["kind"], d["reference"], d.get("content_type")) for d in slot("documents") or []
            ],
        )
        try:
            filed = file_report(services.database_url(), report, now, due_on)
        except AlreadyEscalated as duplicate:
            dispatcher.utter_message(
                response="utter_refuse_already_escalated", refusal_number=duplicate.existing_number
            )
            return reset_form_slots()
        except Exception:
            logger.exception("filing failed for conversation %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_filing_failed")
            return [SlotSet("confirm_submission", None), FollowupAction("complaint_form")]
        logger.info(
            "complaint %s filed (beneficiary %s)",
            filed.number,
            mask_national_id(report.national_id),
        )
        dispatcher.utter_message(
            response="utter_complaint_filed",
            report_number=filed.number,
            due_date=format_date_ar(filed.due_on),
        )
        return [
            *reset_form_slots(),
            SlotSet("last_report_number", filed.number),
            SlotSet("profile_name", report.beneficiary_name),
            SlotSet("profile_national_id", report.national_id),
            SlotSet("profile_mobile", report.mobile),
        ]
