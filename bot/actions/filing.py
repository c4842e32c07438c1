"""Actions around the three report forms: preparing, summary, corrections, stopping, filing.

One set of actions serves every form; `REPORT_KINDS` says what differs (type stored,
Arabic name, fields of the summary, how the report is built).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import clock
from bot.actions import awaiting, metrics, services, verification
from bot.actions.complaint_form import EDITABLE_FIELDS, LABELS, complaint_summary
from bot.actions.digitization_form import FIELDS as DIGITIZATION_FIELDS
from bot.actions.form_validation import FAILED_ATTEMPTS_SLOT, cleared
from bot.actions.improvement_form import FIELDS as IMPROVEMENT_FIELDS
from bot.actions.report_form import (
    BENEFICIARY_DETAIL_SLOTS,
    CHANNEL_OPTIONS,
    PERSONAL_SLOTS,
    PROFILE_SLOTS,
    VALUE_LABELS,
    summary_lines,
)
from bot.rules import eligibility, links, notices
from bot.rules.arabic import counted
from bot.rules.beneficiary import identifier_fits, kind_of_national_id
from bot.rules.dates import format_date_ar
from bot.rules.eligibility import Refusal
from bot.rules.identity import (
    is_e164_mobile,
    mask_national_id,
    mask_phone,
)
from bot.rules.labels import FORM_LABELS
from bot.rules.story import read_story
from bot.store.reports import AlreadyEscalated, NewReport, file_report

logger = logging.getLogger(__name__)


def identity_problems(report: NewReport) -> list[str]:
    """The identity slots that are not what the form's validation produces (checked again
    at the point of filing: nothing is filed on the tracker's word alone)."""
    problems = []
    if not identifier_fits(report.beneficiary_kind, report.national_id):
        problems.append("national_id")
    if not is_e164_mobile(report.mobile):
        problems.append("mobile")
    return problems


@dataclass(frozen=True)
class ReportKind:
    """What differs between the three report types."""

    type: str
    label: str
    fields: dict[str, str]
    summary: Callable[[Tracker], list[str]]


REPORT_KINDS = {
    "complaint_form": ReportKind(
        "complaint", FORM_LABELS["complaint_form"], EDITABLE_FIELDS, complaint_summary
    ),
    "digitization_form": ReportKind(
        "digitization",
        FORM_LABELS["digitization_form"],
        DIGITIZATION_FIELDS,
        lambda t: summary_lines(t, DIGITIZATION_FIELDS, VALUE_LABELS),
    ),
    "improvement_form": ReportKind(
        "improvement",
        FORM_LABELS["improvement_form"],
        IMPROVEMENT_FIELDS,
        lambda t: summary_lines(t, IMPROVEMENT_FIELDS, VALUE_LABELS),
    ),
}
REPORT_SLOTS = sorted(
    {slot for kind in REPORT_KINDS.values() for slot in kind.fields}
    | {
        "use_saved_profile",
        "confirm_submission",
        "field_to_edit",
        "refusal",
        "refusal_date",
        "refusal_number",
        "refusal_detail",
        "documents",
        "review_flags",
        "current_process",
        "digitization_reason",
        "reference_missing",
        "no_reference_route",
        "mobile_code",
        "beneficiary_kind",
    }
)
REFUSAL_RESPONSES = {
    Refusal.PAPER_SERVICE.value: "utter_refuse_paper_service",
    Refusal.TOO_EARLY.value: "utter_refuse_too_early",
    Refusal.SLA_NOT_PASSED.value: "utter_refuse_sla_not_passed",
    Refusal.PROCEDURES.value: "utter_refuse_procedures",
    Refusal.ALREADY_ESCALATED.value: "utter_refuse_already_escalated",
    Refusal.DIGITAL_ALTERNATIVE.value: "utter_refuse_digital_alternative",
    Refusal.SIMILAR_REQUEST.value: "utter_refuse_similar_request",
    Refusal.PAPER_SUGGESTION.value: "utter_refuse_paper_suggestion",
    Refusal.SAME_SUGGESTION.value: "utter_refuse_same_suggestion",
}
# Refusals that offer a digitisation request instead, carrying the answers over.
SWITCH_TO_DIGITIZATION = {Refusal.PAPER_SERVICE.value, Refusal.PAPER_SUGGESTION.value}
CARRIED_SLOTS = (*PERSONAL_SLOTS, *BENEFICIARY_DETAIL_SLOTS, "service", "entity")
FORM_OF_INTENT = {
    "file_complaint": "complaint_form",
    "request_digitization": "digitization_form",
    "suggest_improvement": "improvement_form",
}
# Channels whose answer alone refuses a report: only ever set from a clear answer.
REFUSING_CHANNELS = {"paper"}
# Names recognised in the request itself («أبي أصعد شكوى على أبشر») prefill the form.
NAME_ENTITY_SLOTS = {"gov_entity": "entity", "platform_name": "platform", "service_name": "service"}


def reset_report_slots(tracker: Tracker) -> list[EventType]:
    """Empty the forms' slots that hold a value (the beneficiary's profile is kept)."""
    events = cleared(tracker, REPORT_SLOTS)
    if tracker.get_slot(FAILED_ATTEMPTS_SLOT):
        events.append(SlotSet(FAILED_ATTEMPTS_SLOT, 0.0))
    return events


def remember_profile(tracker: Tracker) -> list[EventType]:
    """Keep validated personal data for the next report of the conversation."""
    if not all(tracker.get_slot(slot) for slot in PERSONAL_SLOTS):
        return []
    return [SlotSet(profile, tracker.get_slot(slot)) for slot, profile in PROFILE_SLOTS.items()]


def active_kind(tracker: Tracker) -> ReportKind:
    form = (tracker.active_loop or {}).get("name") or "complaint_form"
    return REPORT_KINDS.get(form, REPORT_KINDS["complaint_form"])


# Replies that accept an offer rather than tell anything («اي صعدها»، a button).
ACCEPTING_INTENTS = {"affirm", "deny", "greet", "thank"}
# Messages answered with an offer to start a report (a FAQ answer, venting, a story).
OFFERED_AFTER = {
    "faq",
    "vent",
    "out_of_scope",
    "nlu_fallback",
    "file_complaint",
    "request_digitization",
    "suggest_improvement",
}
# How far back the message that got the offer may be: among the citizen's last messages (the
# button pressed, the yes, the message the offer answered), whatever events lie between.
STORY_REACH = 3


def story_message(tracker: Tracker) -> dict[str, Any]:
    """The message that tells the story: the latest one, or, when the form starts from a
    button or a yes to an offer («يمكنك تقديمها هنا الآن» → «اي صعدها»), the citizen's
    message that the offer answered, so its facts are not asked again."""
    latest = tracker.latest_message or {}
    text = str(latest.get("text") or "")
    intent = (latest.get("intent") or {}).get("name")
    if not text.startswith("/") and intent not in ACCEPTING_INTENTS:
        return latest
    users = [e for e in tracker.events if e.get("event") == "user"][-STORY_REACH - 1 :]
    for event in reversed(users[:-1]):
        said = str(event.get("text") or "")
        said_intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if said and not said.startswith("/") and said_intent in OFFERED_AFTER:
            return event
    return {}


def told_in_request(tracker: Tracker, form: str) -> dict[str, str]:
    """The form's slots that the opening message already answers, under the catalogue's
    spelling: names the NLU recognised, then what the story says plainly (`read_story`:
    the beneficiary's data, names, the complaint's trigger, promised days, channel, the
    entity's complaint number and date; a digitisation request's process and reason; a
    suggestion). Each form keeps its own fields; its validators check every value on
    activation, as if typed."""
    catalogue = services.catalogue()
    canonical = {"entity": catalogue.entity, "platform": catalogue.platform}
    told: dict[str, str] = {}
    message = story_message(tracker)
    text = str(message.get("text") or "")
    for entity_type, slot in NAME_ENTITY_SLOTS.items():
        entities = (message.get("parse_data") or message).get("entities") or []
        value = next((e.get("value") for e in entities if e.get("entity") == entity_type), None)
        if value:
            known = canonical[slot](value) if slot in canonical else catalogue.service(value)
            if slot == "platform" and known and not catalogue.named_as_platform(known, text):
                continue  # «انا مقيم» is a resident, not the platform
            told[slot] = known.name if known else value
    if text and not text.startswith("/"):
        facts = read_story(text, catalogue, clock.today()).slots()
        # A channel that refuses the report (paper) is asked with its buttons, never
        # taken from a phrase of the story («رحت الفرع» may be a visit after filing online).
        if facts.get("request_channel") not in set(CHANNEL_OPTIONS) - REFUSING_CHANNELS:
            facts.pop("request_channel", None)
        told = {**told, **facts}  # the story reads names together (a service with its platform)
    fields = REPORT_KINDS[form].fields
    return {slot: value for slot, value in told.items() if slot in fields}


def understood_lines(told: dict[str, str], fields: dict[str, str] | None = None) -> list[str]:
    """What was understood from the opening message, in the summary's words (codes in
    Arabic, the date readable, the national ID and mobile masked as in the summary)."""
    labels = {**LABELS, **VALUE_LABELS}
    lines = []
    for slot, label in (fields or EDITABLE_FIELDS).items():
        value = told.get(slot)
        if value is None:
            continue
        if slot == "sla_days":
            value = counted(int(value), "يوم عمل واحد", "يوما عمل", "أيام عمل", "يوم عمل")
        elif slot == "prior_complaint_date":
            value = format_date_ar(dt.date.fromisoformat(value))
        elif slot == "national_id":
            value = f"\u2066{mask_national_id(value)}\u2069"
        elif slot == "mobile":
            value = f"\u2066{mask_phone(value)}\u2069"
        lines.append(f"• {label}: {labels.get(value, value)}")
    return lines


class ActionPrepareReport(Action):
    """Before a form starts: empty the previous report's answers, prefill names given in
    the request, and carry answers over from a refused request that switches to a
    digitisation request (any other start drops a stale carry-over)."""

    def name(self) -> str:
        return "action_prepare_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        carried = tracker.get_slot("carry_over") or {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        events: list[EventType] = [*reset_report_slots(tracker), *cleared(tracker, ["carry_over"])]
        events += awaiting.events(tracker, *awaiting.moving_on(awaiting.context_of(tracker)))
        form = FORM_OF_INTENT.get(intent, "complaint_form")
        told = told_in_request(tracker, form)
        events += [SlotSet(slot, value) for slot, value in told.items()]
        if told:
            dispatcher.utter_message(
                response="utter_story_understood",
                facts="\n".join(understood_lines(told, REPORT_KINDS[form].fields)),
            )
        if intent == "request_digitization" and carried:
            events += [SlotSet(slot, carried.get(slot)) for slot in CARRIED_SLOTS]
            dispatcher.utter_message(
                response="utter_carry_over",
                service=carried.get("service") or "-",
                entity=carried.get("entity") or "-",
            )
        return events


class ActionAskConfirmSubmission(Action):
    """Show the summary with buttons to submit, correct a field or cancel."""

    def name(self) -> str:
        return "action_ask_confirm_submission"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kind = active_kind(tracker)
        dispatcher.utter_message(
            response="utter_report_summary",
            kind=kind.label,
            summary="\n".join(kind.summary(tracker)),
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
            for slot, label in active_kind(tracker).fields.items()
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
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_report_slots(tracker)]


class ActionFinishReport(Action):
    """After a form: explain a refusal, or file the report and give its number."""

    form = "complaint_form"

    def name(self) -> str:
        return "action_finish_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        refusal = tracker.get_slot("refusal")
        if refusal:
            metrics.refused(refusal)
            dispatcher.utter_message(
                response=REFUSAL_RESPONSES[refusal],
                refusal_date=tracker.get_slot("refusal_date"),
                refusal_number=tracker.get_slot("refusal_number"),
                refusal_detail=tracker.get_slot("refusal_detail"),
            )
            events = [*remember_profile(tracker), *reset_report_slots(tracker)]
            # «ليش؟» next is about this refusal (bot/actions/context_replies.py).
            events += awaiting.events(
                tracker,
                *awaiting.after_refusal(
                    awaiting.context_of(tracker),
                    refusal,
                    tracker.get_slot("refusal_date"),
                    tracker.get_slot("refusal_number"),
                    tracker.get_slot("refusal_detail"),
                ),
            )
            if refusal in SWITCH_TO_DIGITIZATION:
                carried = {slot: tracker.get_slot(slot) for slot in CARRIED_SLOTS}
                if not carried.get("entity") and carried.get("service"):
                    known = services.catalogue().service(carried["service"])
                    entity = services.catalogue().entities.get(known.entity_key) if known else None
                    carried["entity"] = entity.name if entity else None
                events.append(SlotSet("carry_over", carried))
            return events
        if tracker.get_slot("confirm_submission") != "yes":
            return []
        return await self._file(dispatcher, tracker)

    def build(self, tracker: Tracker) -> NewReport:
        slot = tracker.get_slot
        flags = list(slot("review_flags") or [])
        return NewReport(
            type=REPORT_KINDS[self.form].type,
            channel=tracker.get_latest_input_channel() or "rest",
            conversation_id=tracker.sender_id,
            beneficiary_name=slot("beneficiary_name"),
            national_id=slot("national_id"),
            mobile=slot("mobile"),
            beneficiary_kind=slot("beneficiary_kind") or kind_of_national_id(slot("national_id")),
            nationality=slot("nationality"),
            organisation_name=slot("organisation_name"),
            entity=slot("entity"),
            platform=slot("platform"),
            service=slot("service"),
            request_channel=slot("request_channel"),
            details={"review_flags": flags} if flags else {},
            needs_review=bool(flags),
            **self.specific(tracker),
        )

    def specific(self, tracker: Tracker) -> dict[str, Any]:
        slot = tracker.get_slot
        return {
            "trigger": slot("complaint_trigger"),
            "closed_topic": slot("closed_topic"),
            "sla_working_days": int(slot("sla_days")) if slot("sla_days") else None,
            "prior_number": slot("prior_complaint_number"),
            "prior_date": (
                dt.date.fromisoformat(slot("prior_complaint_date"))
                if slot("prior_complaint_date")
                else None
            ),
            "title": slot("title"),
            "description": slot("description"),
            "documents": [
                (d["kind"], d["reference"], d.get("content_type")) for d in slot("documents") or []
            ],
        }

    async def _file(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        now = clock.now()
        due_on = eligibility.answer_due_date(clock.local_date(now), services.calendar())
        report = self.build(tracker)
        unchecked = identity_problems(report)
        if unchecked:
            # The form validated these; a value that fails here did not come through it.
            logger.warning("filing refused for %s: %s", tracker.sender_id, ", ".join(unchecked))
            dispatcher.utter_message(response="utter_filing_failed")
            return [*[SlotSet(name, None) for name in unchecked], FollowupAction(self.form)]
        if not await verification.mobile_verified(tracker, report.mobile):
            # The form asks for the code first; a report never skips it.
            logger.warning("filing held for %s: mobile not verified", tracker.sender_id)
            return [
                SlotSet("mobile_code", None),
                SlotSet("mobile_verified", None),
                FollowupAction(self.form),
            ]
        try:
            filed = await services.run(file_report, report, now, due_on)
        except AlreadyEscalated as duplicate:
            metrics.refused(Refusal.ALREADY_ESCALATED.value)
            dispatcher.utter_message(
                response="utter_refuse_already_escalated", refusal_number=duplicate.existing_number
            )
            context, expected = awaiting.after_refusal(
                awaiting.context_of(tracker),
                Refusal.ALREADY_ESCALATED.value,
                None,
                duplicate.existing_number,
                None,
            )
            return [*reset_report_slots(tracker), *awaiting.events(tracker, context, expected)]
        except Exception:
            logger.exception("filing failed for conversation %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_filing_failed")
            return [SlotSet("confirm_submission", None), FollowupAction(self.form)]
        logger.info(
            "%s %s filed (beneficiary %s)",
            report.type,
            filed.number,
            mask_national_id(report.national_id),
        )
        dispatcher.utter_message(
            response="utter_report_filed",
            kind=REPORT_KINDS[self.form].label,
            report_number=filed.number,
            due_date=format_date_ar(filed.due_on),
            status_link=status_link(filed.id, now),
        )
        events = [
            *remember_profile(tracker),
            *reset_report_slots(tracker),
            SlotSet("last_report_number", filed.number),
        ]
        if notices.offers_choice(report.channel):
            # Where the notices go (default: here, plus SMS from the web chat); answering
            # is optional, and a reply in words is read in context (`context_replies`).
            dispatcher.utter_message(
                response="utter_ask_updates_choice", buttons=updates_buttons(report.channel)
            )
            context, expected = awaiting.choosing_updates(
                awaiting.context_of(tracker), filed.number
            )
            events += awaiting.events(tracker, context, expected)
        return events


def status_link(report_id: int, now: dt.datetime) -> str:
    """The guide's «رابط للمتابعة»: the report's public status page (signed, expiring)."""
    settings = services.settings()
    return links.link(
        settings.links_base_url, settings.link_secret.value(), "status", report_id, now
    )


def updates_buttons(channel: str) -> list[dict[str, str]]:
    """The three ways, the channel's default first."""
    first = notices.default_choice(channel)
    ordered = [first, *(c for c in notices.CHOICES if c != first)]
    return [
        {"title": notices.CHOICE_LABELS[c], "payload": f'/inform{{"choice": "{c}"}}'}
        for c in ordered
    ]


class ActionFinishDigitization(ActionFinishReport):
    form = "digitization_form"

    def name(self) -> str:
        return "action_finish_digitization"

    def specific(self, tracker: Tracker) -> dict[str, Any]:
        return {
            "title": f"طلب تحول: {tracker.get_slot('service')}"[:200],
            "description": tracker.get_slot("current_process"),
        }

    def build(self, tracker: Tracker) -> NewReport:
        report = super().build(tracker)
        report.details["reason"] = tracker.get_slot("digitization_reason")
        return report


class ActionFinishImprovement(ActionFinishReport):
    form = "improvement_form"

    def name(self) -> str:
        return "action_finish_improvement"

    def specific(self, tracker: Tracker) -> dict[str, Any]:
        return {
            "title": f"اقتراح تطوير: {tracker.get_slot('service')}"[:200],
            "description": tracker.get_slot("suggestion"),
        }
