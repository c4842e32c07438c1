"""The life of a report as a table the code enforces (issue 20, item 3): who may move a
report from which status to which, what a change must carry, and the clock that stops
while the centre waits for the beneficiary (SQLite and PostgreSQL for the store)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.rules.lifecycle import (
    BENEFICIARY,
    SCHEDULER,
    SETTLED,
    STAFF,
    STATUSES,
    TRANSITIONS,
    TransitionError,
    check_transition,
)
from bot.rules.working_days import HolidayCalendar
from bot.store.follow_up import attach_update, change_status, find_report, run_timed_work
from bot.store.reports import file_report
from tests.helpers.reports import DUE, NOW, complaint

WHEN = {"implementation_time": "خلال 3 أشهر"}


def test_the_table_names_every_status():
    assert set(TRANSITIONS) == set(STATUSES)
    assert all(set(targets) <= set(STATUSES) for targets in TRANSITIONS.values())


@pytest.mark.parametrize("settled", sorted(SETTLED))
@pytest.mark.parametrize("actor", [STAFF, BENEFICIARY, SCHEDULER])
def test_a_settled_report_is_never_cancelled(settled, actor):
    with pytest.raises(TransitionError):
        check_transition(settled, "cancelled", actor)


def test_who_may_do_what():
    check_transition("in_progress", "cancelled", BENEFICIARY)  # the citizen stops it
    check_transition("missing_data", "cancelled", SCHEDULER)  # 48 hours without documents
    check_transition("missing_data", "under_review", BENEFICIARY)  # documents arrived
    check_transition("closed", "under_review", "huda")  # an agent or staff member reopens
    with pytest.raises(TransitionError, match="beneficiary cannot"):
        check_transition("received", "closed", BENEFICIARY)
    with pytest.raises(TransitionError, match="scheduler cannot"):
        check_transition("received", "cancelled", SCHEDULER)
    with pytest.raises(TransitionError, match="cannot become received"):
        check_transition("under_review", "received")
    with pytest.raises(TransitionError, match="may become: closed"):
        check_transition("rejected", "in_progress")
    with pytest.raises(TransitionError, match="can no longer change"):
        check_transition("cancelled", "under_review")


def test_a_rejection_gives_its_reasons_and_an_acceptance_its_time():
    with pytest.raises(TransitionError, match="reasons"):
        check_transition("under_review", "rejected", note="  ", require_details=True)
    check_transition("under_review", "rejected", note="خارج الاختصاص", require_details=True)
    with pytest.raises(TransitionError, match="an accepted report needs implementation_time"):
        check_transition("under_review", "accepted", require_details=True)
    check_transition("under_review", "accepted", implementation_time="6 أشهر", require_details=True)


def test_the_store_refuses_what_the_table_refuses_and_keeps_the_time(store):
    number = file_report(store, complaint("LIFE-T"), NOW, DUE).number
    with pytest.raises(TransitionError):
        change_status(store, number, "accepted", "مقبول", "staff", NOW)  # no time given
    assert find_report(store, number).status == "received"  # nothing changed
    view = change_status(store, number, "accepted", "مقبول", "staff", NOW, WHEN)
    assert view.implementation_time == "خلال 3 أشهر"
    assert view.as_api()["implementation_time"] == "خلال 3 أشهر"
    with pytest.raises(TransitionError):
        change_status(store, number, "cancelled", "ألغاه المستفيد", "beneficiary", NOW)
    assert find_report(store, number).status == "accepted"


def test_the_clock_stops_while_the_centre_waits_for_documents(store):
    calendar = HolidayCalendar()  # weekends only
    filed = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.timezone.utc)  # a Sunday
    due = calendar.add_working_days(filed.date(), 5)  # Sunday 13 December
    number = file_report(store, complaint("CLOCK-1"), filed, due).number
    change_status(store, number, "missing_data", "صورة الهوية", "staff", filed)
    # While waiting, past the answer date: no delay notice.
    late = due + dt.timedelta(days=1)
    assert number not in run_timed_work(store, filed, late)["delayed"]
    # The documents arrive three working days later (Sunday → Wednesday).
    back = filed + dt.timedelta(days=3)
    view = attach_update(store, number, [], "أرفقت الصورة", back, calendar)
    assert view.status == "under_review"
    assert view.due_on == calendar.add_working_days(due, 3)  # Wednesday 16 December
