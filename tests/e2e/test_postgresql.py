"""The production setting: conversations and reports on the real PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, select, text

from bot.store.database import shared_store
from bot.store.models import Report
from channels.rest import conversation_id
from tests.conftest import POSTGRES_ADMIN_URL
from tests.e2e.conftest import MOBILE_CODE, running_bot

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture(scope="module")
def pg_bot(tmp_path_factory):
    name = f"balagh_e2e_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    try:
        with running_bot(tmp_path_factory.mktemp("pg"), url, url) as running:
            yield running
    finally:
        shared_store(url).dispose()  # before its database is dropped
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_complaint_filed_with_postgresql_stores(pg_bot):
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    for message in [
        "ابي اصعد شكوى",
        "فهد العتيبي",
        "2000000006",
        "0551234567",
        MOBILE_CODE,
        "1",
        "وزارة الداخلية",
        "أبشر",
        "تجديد الإقامة",
        "التطبيق",
    ]:
        pg_bot.say(sender, message)
    pg_bot.say(sender, "https://x.example/s.png")
    pg_bot.say(sender, "تعطل التطبيق")
    pg_bot.say(sender, "يظهر خطأ عند فتح صفحة الشكاوى.")
    assert "راجع بيانات الشكوى" in pg_bot.say(sender, "تخطي")
    reply = pg_bot.say(sender, "/affirm")
    with pg_bot.store.session() as session:
        report = session.execute(
            select(Report).where(Report.conversation_id == conversation_id(sender))
        ).scalar_one()
    assert report.number in reply
    engine = create_engine(pg_bot.database_url)
    with engine.connect() as connection:
        events = connection.execute(
            text("SELECT count(*) FROM events WHERE sender_id = :s"),
            {"s": conversation_id(sender)},
        ).scalar_one()
    engine.dispose()
    assert events > 20  # the conversation itself is in PostgreSQL too
