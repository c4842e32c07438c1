"""What the conversation is waiting for: the context the citizen's next message is read in.

A notice pushed by the desk, a refusal or a question of the bot asks for something; the
reply («تفضل الصورة https://…», «ليش؟», «٤», «تمام شكرا») only makes sense against it.
Two slots keep it:

- `awaiting` (categorical, featurised): what the last notice, refusal or question was
  about — `documents`, `notice`, `refusal`, `survey`, `report_choice`,
  `updates_choice` or `agent_rating`. The rules of `data/rules/context.yml` read it to
  send a plausible reply to `action_reply_in_context`, `action_resume_survey` or
  `action_rate_agent` whatever the intent classifier thought of it.
- `awaiting_context` (not featurised): the details —
  `documents`: the report numbers whose missing-data notice was shown here (still
  checked in the store at each use: ownership and the status);
  `notice`: the last notice (`kind`, `report`, `note`, and an acceptance's
  `implementation_time`);
  `refusal`: the last refusal (`code`, `date`, `number`, `detail`);
  `survey`: the report whose survey is under way;
  `surveys_waiting`: reports whose closing notice (or survey reminder) came while a form
  was open: their survey starts when the form ends (`bot/actions/after_form.py`);
  `rating_waiting`: a hand-off handed back in the middle of a form, whose agent's help
  is asked about when the form ends; `rating`: the hand-off just asked about;
  `choice`: documents received while several reports wait for some (`reports`,
  `documents`, `text`);
  `updates`: the report just filed, whose notices' way the citizen is asked to choose.

Both carry over to a new session (the domain's `carry_over_slots_to_new_session`), so a
reply that comes hours after a notice is still read against it. The functions here are
pure bookkeeping on the context dict; the actions turn the result into `SlotSet`s with
`events`.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

AWAITING = "awaiting"
CONTEXT = "awaiting_context"
DOCUMENTS = "documents"
NOTICE = "notice"
REFUSAL = "refusal"
SURVEY = "survey"
REPORT_CHOICE = "report_choice"
UPDATES = "updates_choice"
AGENT_RATING = "agent_rating"
# Notices that do not change a report's status (it may still be waiting for documents).
STATUS_KEPT = {"delayed"}

Context = dict[str, Any]


def context_of(tracker: Tracker) -> Context:
    value = tracker.get_slot(CONTEXT)
    return dict(value) if isinstance(value, dict) else {}


def settled(context: Context) -> str | None:
    """What is still awaited once the last question is dealt with: documents a notice
    asked for, then a survey under way (or waiting to start)."""
    if context.get("documents"):
        return DOCUMENTS
    if context.get("survey") or context.get("surveys_waiting"):
        return SURVEY
    return None


def _without(context: Context, *keys: str) -> Context:
    return {key: value for key, value in context.items() if key not in keys and value}


def after_notice(
    context: Context,
    kind: str,
    number: str,
    note: str,
    in_form: bool,
    implementation_time: str | None = None,
) -> tuple[Context, str | None]:
    """A notice about report `number` was shown. A missing-data notice waits for the
    documents; another notice waits for an acknowledgement, a «ليش؟» or a question about
    it (unless a form is open: the notice then interrupted it, and what follows answers
    the form). The notice's words are kept to answer that question (`note`, and an
    acceptance's `implementation_time`)."""
    before = context.get("documents") or []
    pending = [n for n in before if n != number]
    if kind == "missing_data" or (kind in STATUS_KEPT and number in before):
        pending.append(number)
    updated = _without(context, "documents", "notice", "refusal", "choice", "updates", "rating")
    if pending:
        updated["documents"] = pending
    updated["notice"] = {"kind": kind, "report": number, "note": note}
    if implementation_time:
        updated["notice"]["implementation_time"] = implementation_time
    if kind == "missing_data":
        return updated, DOCUMENTS
    return updated, settled(updated) if in_form else NOTICE


def survey_started(context: Context, number: str) -> tuple[Context, str]:
    updated = _without(context, "survey", "surveys_waiting")
    waiting = [n for n in context.get("surveys_waiting") or [] if n != number]
    if waiting:
        updated["surveys_waiting"] = waiting
    return {**updated, "survey": number}, SURVEY


def survey_waits(context: Context, number: str) -> Context:
    """A closing notice (or the survey's reminder) came while a form was open: the survey
    of report `number` starts when the form ends."""
    if context.get("survey") == number:
        return dict(context)
    waiting = [n for n in context.get("surveys_waiting") or [] if n != number]
    return {**context, "surveys_waiting": [*waiting, number]}


def rating_waits(context: Context, handoff: int) -> Context:
    """The agent handed back in the middle of a form: the question about their help comes
    when the form ends."""
    return {**context, "rating_waiting": handoff}


def waiting(context: Context) -> bool:
    """Does something wait for the form to end?"""
    return bool(context.get("surveys_waiting") or context.get("rating_waiting"))


def rating_asked(context: Context, handoff: int) -> tuple[Context, str]:
    updated = _without(context, "notice", "refusal", "choice", "updates", "rating_waiting")
    return {**updated, "rating": handoff}, AGENT_RATING


def rating_over(context: Context) -> tuple[Context, str | None]:
    updated = _without(context, "rating")
    return updated, settled(updated)


def survey_over(context: Context) -> tuple[Context, str | None]:
    updated = _without(context, "survey")
    return updated, settled(updated)


def after_refusal(
    context: Context, code: str, date: str | None, number: str | None, detail: str | None
) -> tuple[Context, str]:
    refusal = {"code": code, "date": date, "number": number, "detail": detail}
    updated = _without(context, "notice", "refusal", "choice", "updates", "rating")
    updated["refusal"] = {k: v for k, v in refusal.items() if v is not None}
    return updated, REFUSAL


def moving_on(context: Context) -> tuple[Context, str | None]:
    """The citizen started something else (a report, following a report): the last
    notice, refusal or question no longer frames the next message; documents asked for
    and a survey under way (or waiting) still do; a question about an agent's help is
    dropped (it never blocks anything)."""
    updated = _without(context, "notice", "refusal", "choice", "updates", "rating")
    return updated, settled(updated)


def choosing_updates(context: Context, number: str) -> tuple[Context, str]:
    """A report was just filed and the citizen asked where its notices should go."""
    return {**_without(context, "notice", "refusal", "choice"), "updates": number}, UPDATES


def documents_received(context: Context, number: str) -> tuple[Context, str | None]:
    pending = [n for n in context.get("documents") or [] if n != number]
    updated = _without(context, "documents", "choice")
    if pending:
        updated["documents"] = pending
    return updated, settled(updated)


def choosing_report(
    context: Context, reports: list[str], documents: list[dict[str, Any]], text: str
) -> tuple[Context, str]:
    choice = {"reports": reports, "documents": documents, "text": text}
    return {**_without(context, "choice"), "choice": choice}, REPORT_CHOICE


def events(tracker: Tracker, context: Context, awaiting: str | None) -> list[EventType]:
    """The `SlotSet`s that make the slots hold `context` and `awaiting` (none when they
    already do)."""
    found: list[EventType] = []
    if tracker.get_slot(AWAITING) != awaiting:
        found.append(SlotSet(AWAITING, awaiting))
    if context_of(tracker) != context:
        found.append(SlotSet(CONTEXT, context or None))
    return found
