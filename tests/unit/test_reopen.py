"""Reopening a closed report (issue 20, item 4): the rule (closed, within 30 days), the
request recorded once, and the staff's decision with its notice, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from bot.rules.lifecycle import TransitionError, reopen_refusal
from bot.store.follow_up import change_status, find_report
from bot.store.models import OutboxMessage, StatusChange
from bot.store.reopen import (
    NoPendingRequest,
    decide_reopen,
    latest_reopen_request,
    request_reopen,
)
from bot.store.reports import file_report
from tests.helpers.reports import DUE, NOW, complaint

TODAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("status", "closed_on", "refusal"),
    [
        ("closed", TODAY, None),
        ("closed", TODAY - dt.timedelta(days=30), None),
        ("closed", TODAY - dt.timedelta(days=31), "too_late"),
        ("in_progress", None, "not_closed"),
        ("rejected", TODAY, "not_closed"),  # decided, not closed
        ("cancelled", TODAY, "not_closed"),
        ("closed", None, "not_closed"),  # closed before its history was kept
    ],
)
def test_only_a_closed_report_reopens_within_30_days(status, closed_on, refusal):
    assert reopen_refusal(status, closed_on, TODAY) == refusal


@pytest.fixture
def closed(store):
    number = file_report(store, complaint(), NOW, DUE).number
    change_status(store, number, "closed", "تمت المعالجة", "staff", NOW)
    return store, number


def kinds(store):
    with store.session() as session:
        return [row.kind for row in session.execute(select(OutboxMessage)).scalars()]


def test_a_request_is_recorded_once_and_accepting_reopens_with_a_notice(closed):
    store, number = closed
    later = NOW + dt.timedelta(days=3)
    assert request_reopen(store, number, "c1", "المشكلة رجعت", later) is None
    assert request_reopen(store, number, "c1", "مرة ثانية", later) == "pending"
    assert latest_reopen_request(store, number)["reason"] == "المشكلة رجعت"
    decided = decide_reopen(store, number, "accept", None, "sara", later)
    assert decided["decision"] == "accept"
    assert find_report(store, number).status == "under_review"
    assert kinds(store)[-1] == "reopened"
    with pytest.raises(NoPendingRequest):  # nothing waits any more
        decide_reopen(store, number, "refuse", "لا", "sara", later)


def test_a_refusal_needs_its_reasons_and_tells_the_beneficiary(closed):
    store, number = closed
    request_reopen(store, number, "c1", "لم تحل", NOW + dt.timedelta(days=1))
    before = kinds(store)
    with pytest.raises(TransitionError):
        decide_reopen(store, number, "refuse", " ", "sara", NOW)
    assert kinds(store) == before  # nothing changed
    decide_reopen(store, number, "refuse", "عولجت المشكلة وتحققنا منها", "sara", NOW)
    assert find_report(store, number).status == "closed"
    assert kinds(store)[-1] == "reopen_refused"
    assert latest_reopen_request(store, number)["decision_note"] == "عولجت المشكلة وتحققنا منها"


def test_a_report_closed_more_than_30_days_ago_is_not_reopened(closed):
    store, number = closed
    with store.session() as session:
        session.execute(
            update(StatusChange)
            .where(StatusChange.status == "closed")
            .values(created_at=NOW - dt.timedelta(days=40))
        )
    assert request_reopen(store, number, "c1", "رجعت", NOW) == "too_late"
    assert latest_reopen_request(store, number) is None
