"""After filing, in the store (SQLite and PostgreSQL): status changes and their outbox
rows in one transaction, timed work, delivery claims, ownership attempts, surveys."""

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from bot.rules.lifecycle import TransitionError, check_transition, notification_for
from bot.store.follow_up import (
    attach_update,
    change_status,
    claim_delivery,
    due_notifications,
    find_report,
    grant_ownership,
    history_of,
    is_owner,
    mark_dispatched,
    mark_failed,
    run_timed_work,
)
from bot.store.models import OutboxMessage, Report
from bot.store.reports import file_report  # noqa: I001
from bot.store.surveys import answers_of, record_answer
from tests.helpers.reports import DUE, NOW, complaint


@pytest.fixture
def filed(store):
    return store, file_report(store, complaint(), NOW, DUE).number


def outbox(store):
    with store.session() as session:
        return [(r.kind, r.payload) for r in session.execute(select(OutboxMessage)).scalars()]


def test_transitions():
    check_transition("received", "in_progress")
    check_transition("closed", "under_review")  # reopening
    for current, new in [("cancelled", "in_progress"), ("received", "received"), ("x", "done")]:
        with pytest.raises(TransitionError):
            check_transition(current, new)
    assert notification_for("closed", "in_progress") == "reopened"
    assert notification_for("received", "under_review") is None


def test_status_change_queues_its_notification(filed):
    store, number = filed
    change_status(store, number, "in_progress", "بدأنا", "staff", NOW)
    change_status(store, number, "under_review", None, "staff", NOW)  # no notice promised
    assert outbox(store) == [("in_progress", {"report_number": number, "note": "بدأنا"})]


def test_a_refused_change_queues_nothing(filed):
    store, number = filed
    change_status(store, number, "cancelled", None, "staff", NOW)
    with pytest.raises(TransitionError):
        change_status(store, number, "in_progress", None, "staff", NOW)
    assert [kind for kind, _ in outbox(store)] == ["cancelled"]


def test_delivery_is_claimed_once_and_only_by_its_conversation(filed):
    store, number = filed
    change_status(store, number, "closed", "حُلت", "staff", NOW)
    [notification] = due_notifications(store, NOW)
    assert claim_delivery(store, notification.id, "rest:stranger", NOW) is None
    owner = notification.conversation_id
    assert claim_delivery(store, notification.id, owner, NOW).kind == "closed"
    assert claim_delivery(store, notification.id, owner, NOW) is None


def test_ownership_is_read_from_the_store(filed):
    store, number = filed
    owner = find_report(store, number).conversation_id
    assert is_owner(store, owner, number)
    assert not is_owner(store, "rest:stranger", number)
    assert not is_owner(store, owner, "999999999")
    grant_ownership(store, "rest:stranger", number, "test", NOW)
    assert is_owner(store, "rest:stranger", number)


def test_a_report_of_the_same_id_filed_elsewhere_proves_nothing(filed):
    store, number = filed
    # someone types the victim's national ID into their own report: it is no key
    other = dataclasses.replace(complaint(prior_number="INC-OTHER"), conversation_id="rest:x")
    file_report(store, other, NOW, DUE)
    assert not is_owner(store, "rest:x", number)


def test_failed_dispatch_waits_for_its_retry_time(filed):
    store, number = filed
    change_status(store, number, "in_progress", None, "staff", NOW)
    [notification] = due_notifications(store, NOW)
    mark_failed(store, notification.id, "Rasa down", NOW + dt.timedelta(seconds=4))
    assert due_notifications(store, NOW + dt.timedelta(seconds=3)) == []
    [retry] = due_notifications(store, NOW + dt.timedelta(seconds=5))
    assert retry.attempts == 1
    mark_dispatched(store, retry.id, NOW)
    assert due_notifications(store, NOW + dt.timedelta(hours=1)) == []


def test_missing_data_cancels_48_hours_after_the_notice_reached_the_citizen(filed):
    store, number = filed
    change_status(store, number, "missing_data", "أرفق الهوية", "staff", NOW)
    (notice,) = due_notifications(store, NOW)
    # Queued, not yet delivered: the 48 hours have not started.
    assert run_timed_work(store, NOW + dt.timedelta(hours=60), NOW.date())["auto_cancelled"] == []
    mark_dispatched(store, notice.id, NOW + dt.timedelta(hours=2))
    later = NOW + dt.timedelta(hours=2)
    assert run_timed_work(store, later + dt.timedelta(hours=47), NOW.date())["auto_cancelled"] == []
    done = run_timed_work(store, later + dt.timedelta(hours=48), NOW.date())
    assert done["auto_cancelled"] == [number]
    assert [kind for kind, _ in outbox(store)] == ["missing_data", "auto_cancelled"]


def test_documents_sent_in_time_put_the_report_back_to_review(filed):
    store, number = filed
    change_status(store, number, "missing_data", None, "staff", NOW)
    view = attach_update(store, number, [("https://x/1.pdf", "application/pdf")], None, NOW)
    assert view.status == "under_review"
    assert run_timed_work(store, NOW + dt.timedelta(hours=72), NOW.date())["auto_cancelled"] == []


def test_delay_is_notified_once_and_not_for_settled_reports(filed):
    store, number = filed
    assert run_timed_work(store, NOW, DUE)["delayed"] == []
    assert run_timed_work(store, NOW, DUE + dt.timedelta(days=1))["delayed"] == [number]
    assert run_timed_work(store, NOW, DUE + dt.timedelta(days=2))["delayed"] == []
    other = file_report(store, complaint("OTHER-1"), NOW, DUE).number
    change_status(store, other, "closed", None, "staff", NOW)
    assert run_timed_work(store, NOW, DUE + dt.timedelta(days=3))["delayed"] == []


def test_one_survey_per_report_with_partial_answers_kept(filed):
    store, number = filed
    owner = find_report(store, number).conversation_id
    assert answers_of(store, number) is None
    assert not record_answer(store, number, "solution_score", 1, NOW, False, "rest:x")
    assert answers_of(store, number) is None  # another conversation stores nothing
    record_answer(store, number, "solution_score", 4, NOW, False, owner)
    record_answer(store, number, "useful", False, NOW, False, owner)
    assert answers_of(store, number)["solution_score"] == 4
    record_answer(store, number, "comment", "جيد", NOW, True, owner)
    survey = answers_of(store, number)
    assert (survey["useful"], survey["comment"], survey["completed"]) == (False, "جيد", True)
    with pytest.raises(ValueError):
        record_answer(store, number, "national_id", "x", NOW, False, owner)


def test_personal_data_of_long_settled_reports_is_removed_and_the_counts_stay(filed):
    store, number = filed
    kept = file_report(store, complaint(prior_number="INC-KEPT"), NOW, DUE).number
    open_one = file_report(store, complaint(prior_number="INC-OPEN"), NOW, DUE).number
    change_status(store, number, "closed", "تم الحل", "staff", NOW)
    change_status(store, kept, "closed", "تم الحل", "staff", NOW + dt.timedelta(days=300))
    record_answer(store, number, "solution_score", 4, NOW, False, "c1")
    record_answer(store, number, "comment", "نورة: شكراً 0551234567", NOW, True, "c1")
    year_later = NOW + dt.timedelta(days=366)
    done = run_timed_work(store, year_later, year_later.date(), retention_days=365)
    assert done["purged"] == [number]  # the one settled a year ago; not `kept`, not `open_one`
    with store.session() as session:
        gone = session.execute(select(Report).where(Report.number == number)).scalar_one()
        assert (gone.beneficiary_name, gone.national_id, gone.mobile) == ("—", "—", "—")
        assert gone.national_id_hash is None and gone.description is None
        assert (gone.status, gone.entity, gone.type) == ("closed", "وزارة الصحة", "complaint")
        for other in (kept, open_one):
            row = session.execute(select(Report).where(Report.number == other)).scalar_one()
            assert row.national_id == "1000000008"
    survey = answers_of(store, number)
    assert survey["solution_score"] == 4 and survey["comment"] is None
    # run again: nothing left to remove
    assert run_timed_work(store, year_later, year_later.date(), retention_days=365)["purged"] == []


def test_a_correction_at_any_open_status_is_in_the_history_the_staff_read(filed):
    store, number = filed
    change_status(store, number, "in_progress", None, "staff", NOW)
    attach_update(store, number, [], "رقم الشكوى الصحيح INC-2026-1234", NOW)
    history = history_of(store, number)
    assert [h["status"] for h in history] == ["received", "in_progress", "in_progress"]
    assert history[-1]["actor"] == "beneficiary"
    assert "INC-2026-1234" in history[-1]["note"]
    assert find_report(store, number).status == "in_progress"  # a correction keeps the status
