"""Following a filed report: its status, sending documents or corrections, cancelling it.

An update (a document, a link, a correction such as «رقم الشكوى اللي كتبته غلط، الصحيح
…») is taken for any open report (`OPEN_FOR_UPDATES`: received, under review, missing
data, referred, in progress): attached, with the correction in the history's note; a
report in missing data goes back to review, the others keep their status. An update
request without its content («ابي اعدل بلاغي») is asked for it (`update_content`).

One form (`follow_up_form`) finds the report and checks that the person asking owns it:
the conversation that filed it, or whoever enters the one-time code sent to the mobile
the report was filed with (`bot.actions.verification`). An identifier typed into a form
proves nothing. A wrong report number and someone else's number get the same answer (a
code "sent", which nobody receives for an unknown number); codes and their tries are
limited per conversation, per mobile and per client address, never per report, so a
stranger cannot lock the owner out.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import clock
from bot.actions import awaiting, services, verification
from bot.actions.form_validation import (
    FormValidation,
    Rejection,
    answer_of,
    attachments_of,
    cleared,
    validator,
)
from bot.actions.report_form import YES_NO_OPTIONS, answer_holding
from bot.actions.verification import (
    CODE_OUTCOMES,
    asked_option,
    code_refusal,
    missing_code,
    wrong_code,
)
from bot.rules.arabic import normalise, to_ascii_digits
from bot.rules.codes import code_in
from bot.rules.dates import format_date_ar
from bot.rules.identity import mask_identifiers
from bot.rules.lifecycle import (
    BENEFICIARY,
    OPEN_FOR_UPDATES,
    TransitionError,
    check_transition,
)
from bot.rules.replies import holds_correction
from bot.store.follow_up import (
    ReportView,
    attach_update,
    change_status,
    find_report,
    grant_ownership,
    is_owner,
    latest_report_of,
    report_mobile,
    reports_awaiting_documents,
)
from bot.store.reopen import closing_date, rejection_reasons, request_reopen

logger = logging.getLogger(__name__)

# Where the ownership code of a report number that does not exist "goes": nowhere.
NO_REPORT = "no-report:"
PURPOSE_OF_INTENT = {
    "check_status": "status",
    "update_report": "update",
    "cancel_report": "cancel",
    "reopen_report": "reopen",
}
FOLLOW_UP_SLOTS = (
    "follow_up_purpose",
    "target_report",
    "ownership_proof",
    "owner_verified",
    "follow_up_refusal",
    "confirm_cancel",
    "update_content",
    "reopen_reason",
)
_REPORT_NUMBER = re.compile(r"\b(\d{9})\b")


def report_number_in(text: str) -> str | None:
    """A 9-digit report number typed in any digits (spaces and dashes ignored)."""
    compact = re.sub(r"(?<=\d)[\s\-](?=\d)", "", to_ascii_digits(text or ""))
    match = _REPORT_NUMBER.search(compact)
    return match.group(1) if match else None


async def owns(tracker: Tracker, number: str | None) -> bool:
    """Checked in the store at each use (a slot saying "verified" is only the form's
    bookkeeping: it decides nothing)."""
    return await services.run(is_owner, tracker.sender_id, number)


class ActionPrepareFollowUp(Action):
    """Before `follow_up_form`: what the user wants, and the report if they named it
    (or "my last report": the newest filed from this conversation)."""

    def name(self) -> str:
        return "action_prepare_follow_up"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        purpose = PURPOSE_OF_INTENT.get(intent, "status")
        context = awaiting.context_of(tracker)
        events: list[EventType] = cleared(tracker, FOLLOW_UP_SLOTS)
        events += awaiting.events(tracker, *awaiting.moving_on(context))
        events.append(SlotSet("follow_up_purpose", purpose))
        text = tracker.latest_message.get("text") or ""
        number = next(tracker.get_latest_entity_values("report_number"), None)
        number = report_number_in(str(number)) if number else report_number_in(text)
        if number is None and purpose == "update":
            # "Here are the documents": the report waiting for them, if only one is (the
            # form asks for the number when several are).
            waiting = await services.run(
                reports_awaiting_documents, tracker.sender_id, context.get("documents") or []
            )
            if len(waiting) > 1:
                return [*events, *self._documents_sent(tracker, text)]
            number = waiting[0] if waiting else None
        if number is None:
            latest = await services.run(latest_report_of, tracker.sender_id)
            number = latest.number if latest else None
        if number:
            events.append(SlotSet("target_report", number))
        if purpose == "update":
            events += self._documents_sent(tracker, text)
        return events

    @staticmethod
    def _documents_sent(tracker: Tracker, text: str) -> list[EventType]:
        """Documents or a correction sent with the request itself («أرسلت المستند
        https://…»، «رقم الشكوى اللي كتبته غلط، الصحيح INC-2026-1234») answer the form's
        question before it is asked (already in the shape its validator gives). A request
        with nothing in it yet («ابي اعدل بلاغي») leaves the question to the form."""
        try:
            files = attachments_of(tracker, "" if text.startswith("/") else text)
        except Rejection:
            return []  # the form asks, and explains what it accepts
        if not files and not text.startswith("/") and holds_correction(text):
            return [SlotSet("update_content", {"text": text[:2000], "documents": []})]
        if not files:
            return []
        documents = [
            {"reference": f["reference"], "content_type": f["content_type"]} for f in files
        ]
        return [SlotSet("update_content", {"text": text[:2000], "documents": documents})]


class ValidateFollowUpForm(FormValidation):
    """Finds the report, checks ownership, then asks what the purpose needs."""

    def name(self) -> str:
        return "validate_follow_up_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("follow_up_refusal"):
            return []
        slots = ["target_report"]
        if tracker.get_slot("owner_verified") != "yes" or not await owns(
            tracker, tracker.get_slot("target_report")
        ):
            slots.append("ownership_proof")
            return slots
        purpose = tracker.get_slot("follow_up_purpose")
        report = await services.run(find_report, tracker.get_slot("target_report"))
        if purpose == "cancel":
            slots.append("confirm_cancel")
        elif purpose == "update" and report and report.status in OPEN_FOR_UPDATES:
            slots.append("update_content")  # asked unless sent with the request
        elif purpose == "reopen" and report and report.status == "closed":
            slots.append("reopen_reason")  # the 30 days are checked when it is recorded
        return slots

    @validator
    async def validate_target_report(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = report_number_in(str(value or ""))
        if number is None:
            raise Rejection(
                "utter_invalid_report_number", hint="رقم البلاغ 9 أرقام، مثل 260000123."
            )
        verified = "yes" if await owns(tracker, number) else None
        return {"target_report": number, "owner_verified": verified}

    @validator
    async def validate_reopen_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if len(text) < 3 or not any(ch.isalpha() for ch in text):
            raise Rejection("utter_ask_reopen_reason", hint="اكتب سبب الطلب بكلمات.")
        return {"reopen_reason": text[:2000]}

    async def extract_ownership_proof(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return answer_holding(tracker, "ownership_proof", code_in)

    @validator
    async def validate_ownership_proof(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = tracker.get_slot("target_report")
        subject = await code_subject(number)
        text = str(value or "")
        code = code_in(text)
        if asked_option(tracker, text) == "new_code":
            issued = await send_ownership_code(tracker, number, subject)
            if not issued.allowed:
                raise code_refusal(issued.refusal, issued.wait_seconds)
            dispatcher.utter_message(response="utter_ownership_code_resent")
            return {"ownership_proof": None}
        if code is None:
            raise missing_code()
        checked = await verification.check_code(
            tracker, "report", subject, code, report_number=number
        )
        if checked.outcome == "ok":
            await services.run(grant_ownership, tracker.sender_id, number, "code", clock.now())
            return {"ownership_proof": "ok", "owner_verified": "yes"}
        if checked.outcome == "wrong":
            raise wrong_code(checked)
        if checked.outcome == "too_many":
            return {"ownership_proof": "-", "follow_up_refusal": "locked"}
        dispatcher.utter_message(response=CODE_OUTCOMES[checked.outcome])
        return {"ownership_proof": None}  # asked again: a new code goes out if allowed

    @validator
    async def validate_confirm_cancel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # «ألغه» (cancel_report) answers "cancel it?" with yes; «لا تلغيه» is no, whatever
        # the intent: the words decide when they are clear.
        intents = {"affirm": "yes", "cancel_report": "yes", "deny": "no"}
        answer = answer_of(tracker, str(value or ""), YES_NO_OPTIONS, intents)
        if answer is None:
            raise Rejection("utter_invalid_choice", hint="اختر: نعم أو لا.")
        return {"confirm_cancel": answer}

    @validator
    async def validate_update_content(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, dict) and (value.get("documents") or value.get("text")):
            return {"update_content": value}  # sent with the request (action_prepare_follow_up)
        text = str(value or "").strip()
        files = attachments_of(tracker, text)
        if not files and (len(text) < 3 or not any(ch.isalpha() for ch in text)):
            raise Rejection("utter_ask_update_content", hint="أرفق المستند أو اكتب التصحيح.")
        documents = [
            {"reference": f["reference"], "content_type": f["content_type"]} for f in files
        ]
        return {"update_content": {"text": text[:2000], "documents": documents}}


async def code_subject(number: str | None) -> str:
    """Where a report's ownership code goes: the mobile it was filed with. An unknown
    number gets a placeholder that no code reaches, so that the answer is the same."""
    mobile = await services.run(report_mobile, number) if number else None
    return mobile or f"{NO_REPORT}{number}"


async def send_ownership_code(tracker: Tracker, number: str | None, subject: str) -> Any:
    """A code to the report's mobile (`subject`, from `code_subject`); for an unknown
    number the same steps and limits, nothing sent."""
    real = not subject.startswith(NO_REPORT)
    return await verification.send_code(
        tracker, "report", subject, report_number=number, deliver=real
    )


class ActionAskOwnershipProof(Action):
    """Asks for the code sent to the report's mobile, sending one when none is usable."""

    def name(self) -> str:
        return "action_ask_ownership_proof"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        number = tracker.get_slot("target_report")
        subject = await code_subject(number)
        if await verification.code_pending(tracker, "report", subject, report_number=number):
            dispatcher.utter_message(response="utter_ask_ownership_proof", report_number=number)
            return []
        issued = await send_ownership_code(tracker, number, subject)
        if issued.allowed:
            dispatcher.utter_message(response="utter_ownership_code_sent", report_number=number)
            return []
        refusal = code_refusal(issued.refusal, issued.wait_seconds)
        dispatcher.utter_message(response=refusal.response, **refusal.variables)
        # Nothing to type without a code: the form ends with that answer.
        return [SlotSet("ownership_proof", "-"), SlotSet("follow_up_refusal", "no_code")]


class ActionFollowUp(Action):
    """After `follow_up_form`: show the status, attach the update, or cancel."""

    def name(self) -> str:
        return "action_follow_up"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = cleared(tracker, FOLLOW_UP_SLOTS)
        refusal = tracker.get_slot("follow_up_refusal")
        if refusal == "locked":
            dispatcher.utter_message(response="utter_follow_up_locked")
            return events
        if refusal == "no_code":
            return events  # the reason was given with the question
        number = tracker.get_slot("target_report")
        if (
            refusal
            or tracker.get_slot("owner_verified") != "yes"
            or not await owns(tracker, number)
        ):
            dispatcher.utter_message(response="utter_follow_up_not_verified")
            return events
        report = await services.run(find_report, number)
        if report is None:  # owners only reach here with a real number
            dispatcher.utter_message(response="utter_follow_up_not_verified")
            return events
        purpose = tracker.get_slot("follow_up_purpose")
        if purpose == "cancel":
            await self._cancel(dispatcher, tracker, report)
        elif purpose == "update":
            if await self._update(dispatcher, tracker, domain, report):
                context = awaiting.context_of(tracker)
                events += awaiting.events(tracker, *awaiting.documents_received(context, number))
        elif purpose == "reopen":
            await self._reopen(dispatcher, tracker, report)
        else:
            show_status(dispatcher, report)
        return events

    @staticmethod
    async def _cancel(
        dispatcher: CollectingDispatcher, tracker: Tracker, report: ReportView
    ) -> None:
        if tracker.get_slot("confirm_cancel") != "yes":
            dispatcher.utter_message(response="utter_cancel_kept", report_number=report.number)
            return
        try:
            check_transition(report.status, "cancelled", BENEFICIARY)
        except ValueError:
            dispatcher.utter_message(
                response="utter_cancel_not_possible",
                report_number=report.number,
                status=report.status_label,
            )
            return
        await services.run(
            change_status,
            report.number,
            "cancelled",
            "ألغاه المستفيد",
            "beneficiary",
            clock.now(),
            notify=False,
        )
        dispatcher.utter_message(response="utter_report_cancelled", report_number=report.number)

    @staticmethod
    async def _reopen(
        dispatcher: CollectingDispatcher, tracker: Tracker, report: ReportView
    ) -> None:
        reason = tracker.get_slot("reopen_reason")
        refusal = (
            await services.run(
                request_reopen, report.number, tracker.sender_id, reason, clock.now()
            )
            if reason and report.status == "closed"
            else "not_closed"
        )
        if refusal is None:
            dispatcher.utter_message(response="utter_reopen_requested", report_number=report.number)
        elif refusal == "too_late":
            closed = await services.run(closing_date, report.number)
            dispatcher.utter_message(
                response="utter_reopen_too_late",
                report_number=report.number,
                closed_date=format_date_ar(closed) if closed else "-",
            )
        elif refusal == "pending":
            dispatcher.utter_message(response="utter_reopen_pending", report_number=report.number)
        else:
            dispatcher.utter_message(
                response="utter_reopen_not_closed",
                report_number=report.number,
                status=report.status_label,
            )

    @staticmethod
    async def _update(
        dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, report: ReportView
    ) -> bool:
        """Attach the update to an open report; True when it was attached."""
        content = tracker.get_slot("update_content")
        if content and report.status in OPEN_FOR_UPDATES:
            return await attach_to(
                dispatcher,
                domain,
                report,
                [(d["reference"], d.get("content_type")) for d in content["documents"]],
                content["text"] or None,
            )
        update_refused(dispatcher, domain, report)
        return False


async def attach_to(
    dispatcher: CollectingDispatcher,
    domain: DomainDict | None,
    report: ReportView,
    documents: list[tuple[str, str | None]],
    text: str | None,
) -> bool:
    """Attach documents or a correction to `report` (the caller checked ownership) and
    tell the citizen: back to review from missing data, added to the report otherwise, or
    why not (it was decided, closed or cancelled meanwhile)."""
    try:
        updated = await services.run(
            attach_update, report.number, documents, text, clock.now(), services.calendar()
        )
    except TransitionError:  # moved on meanwhile (the scheduler cancelled it, staff decided)
        fresh = await services.run(find_report, report.number) or report
        update_refused(dispatcher, domain, fresh)
        return False
    # The correction may hold personal data (an ID, a mobile): masked in the logs.
    logger.info(
        "update attached to %s (%s -> %s, %d document(s)): %s",
        report.number,
        report.status,
        updated.status,
        len(documents),
        mask_identifiers(text or "")[:200],
    )
    if report.status == "missing_data":
        dispatcher.utter_message(
            response="utter_update_received",
            report_number=report.number,
            due_date=format_date_ar(updated.due_on),
        )
    else:
        dispatcher.utter_message(
            response="utter_update_attached",
            report_number=report.number,
            status=updated.status_label,
        )
    return True


def update_refused(
    dispatcher: CollectingDispatcher, domain: DomainDict | None, report: ReportView
) -> None:
    """An update to a report that no longer takes one (a closed one may be reopened)."""
    if report.status == "closed":
        dispatcher.utter_message(response="utter_update_closed_reopen", report_number=report.number)
        return
    dispatcher.utter_message(
        response="utter_update_not_needed",
        report_number=report.number,
        status=report.status_label,
    )


def show_status(dispatcher: CollectingDispatcher, report: ReportView) -> None:
    dispatcher.utter_message(
        response="utter_report_status",
        report_number=report.number,
        status=report.status_label,
        due_date=format_date_ar(report.due_on),
        note=report.latest_note or "لا توجد ملاحظات بعد",
    )
    if report.implementation_time:
        dispatcher.utter_message(
            response="utter_report_implementation_time",
            implementation_time=report.implementation_time,
        )


_REJECTED = re.compile(r"(رفض|انرفض|مرفوض|ما انقبل|ما قبل|لم يقبل|ليش ما قبلوا)")


class ActionExplainWhy(Action):
    """«ليش؟» with no notice or refusal to explain: about a rejected report of this
    conversation (named, or its latest), the rejection's reasons; otherwise the question
    «عن أي شيء تسأل؟»."""

    def name(self) -> str:
        return "action_explain_why"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await explain_why(dispatcher, tracker)


async def explain_why(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """See `ActionExplainWhy` (also what a «ليش؟» gets when it answers no context)."""
    text = str(tracker.latest_message.get("text") or "")
    number = report_number_in(text)
    if number is None:
        latest = await services.run(latest_report_of, tracker.sender_id)
        number = latest.number if latest else None
    report = await services.run(find_report, number) if number else None
    asks_rejection = bool(_REJECTED.search(normalise(text)))
    if report and report.status == "rejected" and await owns(tracker, report.number):
        reasons = await services.run(rejection_reasons, report.number)
        dispatcher.utter_message(
            response="utter_explain_rejected",
            report_number=report.number,
            note=reasons or report.latest_note or "لم تُذكر",
        )
    elif report and asks_rejection and await owns(tracker, report.number):
        show_status(dispatcher, report)  # not rejected: its status says where it stands
    else:
        dispatcher.utter_message(response="utter_ask_why_unknown")
    return []
