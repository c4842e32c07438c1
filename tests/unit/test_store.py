"""The reports store, on SQLite and on the real PostgreSQL (same code)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import inspect, select

from bot.store.models import Report, StatusChange
from bot.store.reports import (
    AlreadyEscalated,
    entity_key,
    file_report,
    find_escalation,
    reference_key,
)
from tests.helpers.reports import DUE, NOW, complaint


def test_migrations_create_the_tables_and_are_idempotent(store):
    store.upgrade()
    tables = set(inspect(store.engine).get_table_names())
    assert {"reports", "report_status_history", "report_documents", "report_counters"} <= tables


def test_filing_stores_report_history_and_documents(store):
    filed = file_report(store, complaint(), NOW, DUE)
    assert filed.number == "260000001"
    assert filed.number.isascii() and filed.number.isdigit()
    with store.session() as session:
        report = session.execute(select(Report).where(Report.number == filed.number)).scalar_one()
        assert report.status == "received"
        assert report.due_on == DUE
        assert [h.status for h in report.history] == ["received"]
        assert report.documents[0].content_type == "application/pdf"
        assert report.prior_number_key == "INC1"


def test_same_complaint_with_same_entity_cannot_be_escalated_twice(store):
    first = file_report(store, complaint("inc-1 "), NOW, DUE)
    assert find_escalation(store, "وزاره الصحه", "INC1") == first.number
    with pytest.raises(AlreadyEscalated) as refused:
        file_report(store, complaint("INC-1", entity="وزاره الصحه"), NOW, DUE)
    assert refused.value.existing_number == first.number
    # Another entity, or another complaint number, is a different escalation.
    file_report(store, complaint("INC-1", entity="وزارة التعليم"), NOW, DUE)
    file_report(store, complaint("INC-2"), NOW, DUE)


def test_a_cancelled_escalation_does_not_block_a_new_one(store):
    first = file_report(store, complaint(), NOW, DUE)
    with store.session() as session:
        report = session.execute(select(Report).where(Report.number == first.number)).scalar_one()
        report.status = "cancelled"
        session.add(StatusChange(report=report, status="cancelled", actor="t", created_at=NOW))
    assert find_escalation(store, "وزارة الصحة", "INC-1") is None
    file_report(store, complaint(), NOW, DUE)


def test_report_numbers_are_unique_under_concurrency(store):
    def file_one(i: int) -> str:
        return file_report(store, complaint(f"REF-{i}"), NOW, DUE).number

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(file_one, range(40)))
    assert len(set(numbers)) == 40
    assert sorted(numbers) == [f"26{i:07d}" for i in range(1, 41)]


def test_keys_normalise_what_people_type():
    assert reference_key(" inc-١٢٣ ") == "INC123"
    assert entity_key("وزارة الصحة") == entity_key("وزاره صحه")
