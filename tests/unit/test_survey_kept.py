"""The survey is never lost (issue 20, item 5): a closing notice during a form leaves the
survey waiting until the form ends; one reminder 24 hours later if unanswered; the time
taken is asked and stored; on SMS every question is numbered; an agent's help is rated
after a hand-back or a close and stored with the hand-off.

(bot/store/surveys.py, bot/actions/after_form.py, awaiting.py, notifications.py,
context_replies.py `ActionRateAgent`, handoff.py; the report's figures.)"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.actions import awaiting, notifications, services
from bot.actions.after_form import ActionAfterForm, kept_answer
from bot.actions.context_replies import ActionRateAgent
from bot.actions.handoff import ActionHandoffClosed, ActionHandoffReturned
from bot.actions.notifications import (
    ActionFinishSurvey,
    ActionNotify,
    ActionStopSurvey,
    ValidateSurveyForm,
)
from bot.desk.report.figures import fill_surveys, handoff_figures
from bot.desk.report.period import Period
from bot.desk.report.rows import HandoffRow, SurveyTotals
from bot.store.follow_up import change_status, run_timed_work
from bot.store.handoffs import end, open_handoff, take
from bot.store.models import Handoff, OutboxMessage, Report
from bot.store.reports import file_report
from bot.store.surveys import (
    REMINDER,
    answers_of,
    rate_handoff,
    rateable_handoff,
    record_answer,
    stop_survey,
)
from channels.twilio_channel import TwilioOutput
from tests.helpers.reports import DUE, NOW, complaint

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain")).as_dict()
HOUR = dt.timedelta(hours=1)


def closed(store, conversation: str = "c1", shown: dt.datetime = NOW) -> str:
    """A report of `conversation`, closed, its closing notice shown there at `shown`."""
    report = dataclasses.replace(complaint(f"K-{conversation}"), conversation_id=conversation)
    number = file_report(store, report, NOW, DUE).number
    change_status(store, number, "closed", "تم حل المشكلة", "staff", NOW)
    with store.session() as session:
        for row in session.execute(
            select(OutboxMessage).where(OutboxMessage.kind == "closed")
        ).scalars():
            if row.payload["report_number"] == number and row.route == "conversation":
                row.delivered_at = shown
    return number


def reminders(store) -> list[tuple[str, str, str]]:
    with store.session() as session:
        rows = session.execute(
            select(OutboxMessage).where(OutboxMessage.kind == REMINDER).order_by(OutboxMessage.id)
        ).scalars()
        return [(r.payload["report_number"], r.route, r.conversation_id) for r in rows]


# --- the store ------------------------------------------------------------------------------


def test_the_time_taken_is_stored_beside_the_other_answers(store):
    number = closed(store)
    assert answers_of(store, number) is None
    assert not record_answer(store, number, "time_score", 2, NOW, False, "someone-else")
    assert record_answer(store, number, "solution_score", 4, NOW, False, "c1")
    assert record_answer(store, number, "time_score", 2, NOW, False, "c1")
    answers = answers_of(store, number)
    assert (answers["solution_score"], answers["time_score"]) == (4, 2)
    assert (answers["completed"], answers["stopped"]) == (False, False)
    with pytest.raises(ValueError):
        record_answer(store, number, "mobile", "x", NOW, False, "c1")


def test_the_reminder_is_queued_once_24_hours_after_the_closing_notice(store):
    number = closed(store)
    assert run_timed_work(store, NOW + 23 * HOUR, NOW.date())["survey_reminders"] == []
    assert run_timed_work(store, NOW + 25 * HOUR, NOW.date())["survey_reminders"] == [number]
    # To the conversation only (where the survey is answered), never twice.
    assert reminders(store) == [(number, "conversation", "c1")]
    assert run_timed_work(store, NOW + 49 * HOUR, NOW.date())["survey_reminders"] == []
    assert len(reminders(store)) == 1


def test_no_reminder_for_a_survey_answered_stopped_reopened_or_never_shown(store):
    answered, stopped, reopened = (closed(store, f"c{i}") for i in range(3))
    record_answer(store, answered, "comment", None, NOW, True, "c0")
    assert stop_survey(store, stopped, NOW, "c1")
    assert answers_of(store, stopped)["stopped"] is True
    change_status(store, reopened, "under_review", "أُعيد فتحه", "staff", NOW)
    closed(store, "c9", shown=None)  # the closing notice never shown: no survey was sent
    assert run_timed_work(store, NOW + 30 * HOUR, NOW.date())["survey_reminders"] == []
    assert reminders(store) == []


def test_no_reminder_once_the_personal_data_is_removed(store):
    number = closed(store)
    later = NOW + dt.timedelta(days=400)
    done = run_timed_work(store, later, later.date(), retention_days=365)
    assert done["purged"] == [number] and done["survey_reminders"] == []


def test_a_partial_survey_is_reminded(store):
    number = closed(store)
    record_answer(store, number, "solution_score", 5, NOW, False, "c1")
    assert run_timed_work(store, NOW + 30 * HOUR, NOW.date())["survey_reminders"] == [number]


def test_an_agents_help_is_rated_once_after_the_chat_ended(store):
    handoff = open_handoff(store, "c1", "rest", "asked", {}, NOW)
    assert rateable_handoff(store, "c1", NOW) is None  # not taken, not ended
    take(store, handoff.id, "sara", NOW)
    assert rateable_handoff(store, "c1", NOW) is None  # still held
    end(store, handoff.id, "sara", "returned", NOW + HOUR)
    assert rateable_handoff(store, "c1", NOW + 2 * HOUR) == handoff.id
    assert rateable_handoff(store, "c2", NOW + 2 * HOUR) is None  # another conversation
    assert rateable_handoff(store, "c1", NOW + 26 * HOUR) is None  # too long ago
    assert not rate_handoff(store, handoff.id, "c2", 5, NOW)  # not its chat
    assert rate_handoff(store, handoff.id, "c1", 4, NOW + 2 * HOUR)
    assert not rate_handoff(store, handoff.id, "c1", 1, NOW + 2 * HOUR)  # once
    assert rateable_handoff(store, "c1", NOW + 2 * HOUR) is None
    with store.session() as session:
        row = session.get(Handoff, handoff.id)
        assert row.agent_rating == 4 and row.rated_at is not None
    with pytest.raises(ValueError):
        rate_handoff(store, handoff.id, "c1", 6, NOW)


# --- the awaiting context -------------------------------------------------------------------


def test_a_survey_waits_for_the_form_then_starts_and_a_rating_question_never_blocks():
    context = awaiting.survey_waits({}, "260000001")
    assert awaiting.waiting(context) and awaiting.settled(context) == awaiting.SURVEY
    assert awaiting.survey_waits(context, "260000001") == context  # once
    started, expected = awaiting.survey_started(context, "260000001")
    assert (started, expected) == ({"survey": "260000001"}, awaiting.SURVEY)
    asked, expected = awaiting.rating_asked(awaiting.rating_waits({}, 7), 7)
    assert (asked, expected) == ({"rating": 7}, awaiting.AGENT_RATING)
    assert awaiting.moving_on(asked) == ({}, None)  # starting something else drops it
    assert awaiting.rating_over({"rating": 7, "surveys_waiting": ["2"]}) == (
        {"surveys_waiting": ["2"]},
        awaiting.SURVEY,
    )


# --- the actions ----------------------------------------------------------------------------


@pytest.fixture
def actions_store(sqlite_store, monkeypatch):
    monkeypatch.setattr(services, "store", lambda: sqlite_store)
    monkeypatch.setattr(notifications, "status_link", lambda *_: "https://x.example/s")
    return sqlite_store


def tracker(
    text: str = "",
    intent: str = "inform",
    slots: dict[str, Any] | None = None,
    loop: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    sender: str = "c1",
) -> Tracker:
    return Tracker(
        sender,
        dict(slots or {}),
        {"intent": {"name": intent}, "text": text, "entities": entities or []},
        [{"event": "user", "text": text}],
        False,
        None,
        {"name": loop} if loop else {},
        "action_listen",
    )


def run(action, current: Tracker) -> tuple[list[dict[str, Any]], list[str]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, current, DOMAIN))
    return events, [m.get("response") for m in dispatcher.messages]


def notice(store, number: str, kind: str = "closed") -> list[dict[str, Any]]:
    with store.session() as session:
        row = session.execute(
            select(OutboxMessage).where(
                OutboxMessage.kind == kind, OutboxMessage.route == "conversation"
            )
        ).scalar_one()
        row.delivered_at = None
        return [{"entity": "notification_id", "value": str(row.id)}]


def slot(events: list[dict[str, Any]], name: str) -> Any:
    return [e["value"] for e in events if e.get("event") == "slot" and e["name"] == name][-1]


def test_a_closing_notice_during_a_form_leaves_the_survey_waiting(actions_store):
    number = closed(actions_store)
    current = tracker(
        "", "EXTERNAL_notification", {}, "complaint_form", notice(actions_store, number)
    )
    events, said = run(ActionNotify(), current)
    assert said == ["utter_notify_closed", "utter_survey_after_form"]
    assert not any(e.get("event") == "followup" for e in events)  # the form goes on
    assert slot(events, "awaiting_context")["surveys_waiting"] == [number]
    assert slot(events, "waits_for_form") is True


def test_when_the_form_ends_the_survey_that_waited_starts(actions_store):
    number = closed(actions_store)
    context = awaiting.survey_waits({}, number)
    slots = {"awaiting_context": context, "awaiting": "survey", "waits_for_form": True}
    events, said = run(ActionAfterForm(), tracker("", "cancel_report", slots))
    assert said == ["utter_survey_waited"]
    assert FollowupAction("survey_form") in events
    assert slot(events, "survey_report") == number
    assert slot(events, "awaiting_context") == {"survey": number}
    assert slot(events, "waits_for_form") is None
    # The form ended by asking where the notices go: that question is answered first.
    asking = {**slots, "awaiting": "updates_choice"}
    events, said = run(ActionAfterForm(), tracker("", "affirm", asking))
    assert said == [] and events == [FollowupAction("action_listen")]


def test_the_reminder_reopens_the_survey_where_it_stopped(actions_store):
    number = closed(actions_store)
    record_answer(actions_store, number, "solution_score", 4, NOW, False, "c1")
    record_answer(actions_store, number, "useful", False, NOW, False, "c1")
    run_timed_work(actions_store, NOW + 25 * HOUR, NOW.date())
    current = tracker(
        "", "EXTERNAL_notification", {}, None, notice(actions_store, number, REMINDER)
    )
    events, said = run(ActionNotify(), current)
    assert said == ["utter_notify_survey_reminder"]
    assert FollowupAction("survey_form") in events
    assert SlotSet("survey_solution", "4") in events  # kept: the form asks the time next
    assert SlotSet("survey_useful", "no") in events
    assert all(e.get("name") != "survey_time" for e in events if e.get("event") == "slot")


def test_a_reminder_for_a_survey_completed_meanwhile_shows_nothing(actions_store):
    number = closed(actions_store)
    run_timed_work(actions_store, NOW + 25 * HOUR, NOW.date())
    record_answer(actions_store, number, "comment", None, NOW, True, "c1")
    current = tracker(
        "", "EXTERNAL_notification", {}, None, notice(actions_store, number, REMINDER)
    )
    assert run(ActionNotify(), current) == ([], [])


def test_a_survey_that_waited_for_another_starts_when_it_ends_with_its_answers(actions_store):
    first, second = closed(actions_store, "c1"), closed(actions_store, "c1x")
    with actions_store.session() as session:  # both of this conversation
        for report in session.execute(select(Report)).scalars():
            report.conversation_id = "c1"
    record_answer(actions_store, second, "solution_score", 4, NOW, False, "c1")
    slots = {
        "survey_report": first,
        "survey_solution": "4",
        "awaiting": "survey",
        "awaiting_context": {"survey": first, "surveys_waiting": [second]},
        "waits_for_form": True,
    }
    events, said = run(ActionFinishSurvey(), tracker("تخطي", "inform", slots, None))
    assert said == ["utter_survey_thanks", "utter_survey_waited"]
    assert events[-1] == FollowupAction("survey_form")
    assert slot(events, "survey_report") == second
    assert slot(events, "survey_solution") == "4"  # its own answer, kept after the clearing
    assert slot(events, "awaiting_context") == {"survey": second}


def test_a_stopped_survey_is_remembered(actions_store):
    number = closed(actions_store)
    slots = {"survey_report": number, "awaiting_context": {"survey": number}}
    _, said = run(ActionStopSurvey(), tracker("إلغاء", "cancel_report", slots))
    assert said == ["utter_survey_stopped"]
    assert answers_of(actions_store, number)["stopped"] is True


@pytest.mark.parametrize(("text", "expected"), [("٢", 2), ("4 من 5", 4), ("ممتاز", 5)])
def test_the_time_question_reads_digits_and_words(actions_store, text, expected):
    number = closed(actions_store)
    slots = {"survey_report": number, "requested_slot": "survey_time"}
    current = tracker(text, "rate", {**slots, "survey_time": text}, "survey_form")
    current.events.append({"event": "slot", "name": "survey_time", "value": text})
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateSurveyForm().run(dispatcher, current, DOMAIN))
    assert SlotSet("survey_time", str(expected)) in events
    assert answers_of(actions_store, number)["time_score"] == expected


def ended_handoff(store, conversation: str = "c1", status: str = "returned") -> int:
    handoff = open_handoff(store, conversation, "rest", "asked", {}, NOW)
    take(store, handoff.id, "sara", NOW)
    end(store, handoff.id, "sara", status, dt.datetime.now(dt.timezone.utc))
    return handoff.id


def test_handing_back_asks_about_the_agents_help_unless_a_form_resumes(actions_store):
    handoff = ended_handoff(actions_store)
    events, said = run(ActionHandoffReturned(), tracker("", "EXTERNAL_handback"))
    assert said == ["utter_handoff_returned_rate"]
    assert slot(events, "awaiting") == "agent_rating"
    assert slot(events, "awaiting_context") == {"rating": handoff}
    # In a form the question waits for the form to end (the form resumes now).
    events, said = run(
        ActionHandoffReturned(), tracker("", "EXTERNAL_handback", {}, "complaint_form")
    )
    assert said == ["utter_handoff_returned"]
    assert slot(events, "awaiting_context") == {"rating_waiting": handoff}
    assert slot(events, "waits_for_form") is True
    assert not any(e.get("event") == "followup" for e in events)
    slots = {"awaiting_context": {"rating_waiting": handoff}, "waits_for_form": True}
    events, said = run(ActionAfterForm(), tracker("", "affirm", slots))
    assert said == ["utter_ask_agent_rating"] and slot(events, "awaiting") == "agent_rating"


def test_closing_asks_about_the_agents_help_in_the_closing_message(actions_store):
    handoff = ended_handoff(actions_store, status="closed")
    events, said = run(ActionHandoffClosed(), tracker("", "EXTERNAL_handoff_closed"))
    assert said == ["utter_handoff_closed_rate"]
    assert slot(events, "awaiting_context") == {"rating": handoff}
    text = DOMAIN["responses"]["utter_handoff_closed_rate"][0]["text"]
    assert text.startswith("أنهى الموظف المحادثة")


@pytest.mark.parametrize(
    ("text", "intent", "entities", "expected"),
    [
        ("ممتاز", "affirm", [], 5),
        ("٣", "rate", [], 3),
        ("/inform", "inform", [{"entity": "choice", "value": "2"}], 2),
        ("⭐⭐⭐⭐", "rate", [], 4),
    ],
)
def test_the_rating_of_the_agent_is_stored_with_the_handoff(
    actions_store, text, intent, entities, expected
):
    handoff = ended_handoff(actions_store)
    slots = {"awaiting": "agent_rating", "awaiting_context": {"rating": handoff}}
    events, said = run(ActionRateAgent(), tracker(text, intent, slots, entities=entities))
    assert said == ["utter_agent_rating_thanks"]
    assert slot(events, "awaiting") is None
    with actions_store.session() as session:
        assert session.get(Handoff, handoff).agent_rating == expected


def test_anything_else_drops_the_rating_question_and_gets_its_usual_reply(actions_store):
    handoff = ended_handoff(actions_store)
    slots = {"awaiting": "agent_rating", "awaiting_context": {"rating": handoff}}
    events, said = run(ActionRateAgent(), tracker("شكراً", "thank", slots))
    assert said == ["utter_you_are_welcome"]
    assert slot(events, "awaiting") is None
    with actions_store.session() as session:
        assert session.get(Handoff, handoff).agent_rating is None


# --- the domain and the SMS channel ---------------------------------------------------------

SURVEY_QUESTIONS = (
    "utter_ask_survey_solution",
    "utter_ask_survey_time",
    "utter_ask_survey_handling",
    "utter_ask_survey_effort",
)


def test_the_survey_asks_the_time_taken_second():
    forms = yaml.safe_load((ROOT / "domain" / "follow_up.yml").read_text(encoding="utf-8"))
    required = forms["forms"]["survey_form"]["required_slots"]
    assert required[:3] == ["survey_solution", "survey_time", "survey_handling"]
    assert "5 أسئلة" in DOMAIN["responses"]["utter_ask_survey_solution"][0]["text"]
    assert "المدة المستغرقة" in DOMAIN["responses"]["utter_ask_survey_time"][0]["text"]
    assert kept_answer("survey_time", {"time_score": 3}) == "3"


class _Sender:
    """Twilio's sender, kept: what would be sent."""

    def __init__(self) -> None:
        self.store = self
        self.bodies: list[str] = []

    async def run(self, *_: Any) -> None:
        return None

    async def send(self, to: str, body: str | None = None, **_: Any) -> None:
        self.bodies.append(body or "")


@pytest.mark.parametrize(
    "response", [*SURVEY_QUESTIONS, "utter_ask_agent_rating", "utter_handoff_closed_rate"]
)
def test_on_sms_every_rating_question_is_numbered_1_to_5(response):
    sender = _Sender()
    output = TwilioOutput("sms", sender)
    [variant] = DOMAIN["responses"][response]
    message = {"text": variant["text"], "buttons": variant["buttons"]}
    asyncio.run(output.send_response("sms:+966551234567", message))
    [body] = sender.bodies
    lines = body.splitlines()
    assert [line for line in lines if line[:2].rstrip(")").isdigit()] == [
        f"{n}) {n}" for n in range(1, 6)
    ]


def test_on_sms_the_yes_no_and_the_comment_questions_are_numbered_too():
    for response, count in (("utter_ask_survey_useful", 2), ("utter_ask_survey_comment", 1)):
        sender = _Sender()
        [variant] = DOMAIN["responses"][response]
        message = {"text": variant["text"], "buttons": variant["buttons"]}
        asyncio.run(TwilioOutput("sms", sender).send_response("sms:+966551234567", message))
        assert [f"{n})" in sender.bodies[0] for n in range(1, count + 1)] == [True] * count


# --- the report -----------------------------------------------------------------------------


def test_the_report_shows_the_time_taken_and_the_agents_rating():
    from bot.desk.report.figures import ReportFigures

    figures = ReportFigures(Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)), NOW.date())
    sums = {"solution_score": 8, "time_score": 5, "handling_score": 9, "effort_score": 7}
    counts = {"solution_score": 2, "time_score": 2, "handling_score": 2, "effort_score": 2}
    fill_surveys(figures, SurveyTotals(2, sums, counts, 1, 2))
    assert figures.satisfaction["time_score"] == 2.5
    assert list(figures.satisfaction) == [
        "solution_score",
        "time_score",
        "handling_score",
        "effort_score",
    ]
    # A period before the question was asked: not listed (no empty row).
    fill_surveys(
        figures, SurveyTotals(1, {**sums, "time_score": 0}, {**counts, "time_score": 0}, 0, 0)
    )
    assert "time_score" not in figures.satisfaction
    t = NOW
    rows = [
        HandoffRow("a", "asked", "closed", "sara", t, t + HOUR, t + 2 * HOUR, 5),
        HandoffRow("b", "asked", "returned", "sara", t, t + HOUR, t + 2 * HOUR, 3),
        HandoffRow("c", "asked", "returned", "omar", t, t + HOUR, t + 2 * HOUR, None),
    ]
    result = handoff_figures(rows, conversations=3)
    assert (result.rated, result.rating_mean) == (2, 4.0)
    assert result.rating_by_agent == {"sara": 4.0}
