"""Operability's pure parts: identifiers masked in logs, one JSON object per log line, the
metrics door, readiness checks, the holidays file's coverage, the store's figures and the
event relay's lag."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
import sys

import pytest
import sqlalchemy as sa

from bot.desk.event_relay import POSITION_TABLE, relay_lag
from bot.observability import door, health, logs
from bot.observability.holidays import warn_if_short
from bot.rules.identity import mask_identifiers
from bot.rules.working_days import HolidayCalendar, coverage_warning, load_calendar
from bot.store.database import Store
from bot.store.gauges import read_gauges
from bot.store.models import Handoff, OutboxMessage, Report

NATIONAL_ID = "1000000008"


@pytest.mark.parametrize(
    ("text", "hidden", "shown"),
    [
        (f"id {NATIONAL_ID} given", NATIONAL_ID, "********08"),
        ("from whatsapp:+966551234567", "551234567", "+**********67"),
        ("rest:0551234567 wrote", "0551234567", "+**********67"),
        ("mobile ٠٥٥١٢٣٤٥٦٧", "٠٥٥١٢٣٤٥٦٧", "+**********67"),
        ("mobile 055 123 4567", "055 123 4567", "+**********67"),
        ("id 1000-000-008", "1000-000-008", "********08"),
        ("sms to +201234567890", "201234567890", "+**********90"),
    ],
)
def test_identifiers_are_masked_in_any_form(text, hidden, shown):
    masked = mask_identifiers(text)
    assert hidden not in masked and shown in masked


@pytest.mark.parametrize(
    "text",
    [
        "report 260000123 filed",  # report numbers stay readable
        "due 2026-12-02 15:12:09",
        "took 12345 ms",
        "no digits here",
        "",
    ],
)
def test_what_is_not_an_identifier_is_left_alone(text):
    assert mask_identifiers(text) == text


def _record(message: str, *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("bot.test", logging.INFO, __file__, 1, message, args, exc_info)


def test_a_json_log_line_is_one_object_with_identifiers_masked():
    formatter = logs.JsonFormatter("desk")
    record = _record("report of %s by %s", NATIONAL_ID, "whatsapp:+966551234567")
    line = formatter.format(record)
    assert "\n" not in line
    found = json.loads(line)
    assert found["level"] == "INFO" and found["logger"] == "bot.test"
    assert found["process"] == "desk"
    assert dt.datetime.fromisoformat(found["time"]).tzinfo is not None
    assert found["message"] == "report of ********08 by whatsapp:+**********67"
    assert NATIONAL_ID not in line and "551234567" not in line


def test_exceptions_and_extra_fields_are_masked_too():
    formatter = logs.JsonFormatter("actions")
    try:
        raise ValueError(f"bad id {NATIONAL_ID}")
    except ValueError:
        record = _record("failed", exc_info=sys.exc_info())
    record.conversation = "sms:+966551234567"
    found = json.loads(formatter.format(record))
    assert "ValueError: bad id ********08" in found["exception"]
    assert found["conversation"] == "sms:+**********67"


def test_rasas_structured_lines_are_merged_not_nested():
    formatter = logs.JsonFormatter("rasa")
    structured = json.dumps(
        {"event": "processor.actions.log", "level": "debug", "user_text": NATIONAL_ID}
    )
    found = json.loads(formatter.format(_record(structured)))
    assert found["message"] == "processor.actions.log"
    assert found["level"] == "INFO" and found["user_text"] == "********08"


def test_json_format_gives_the_root_handler_and_sanics_the_json_formatter(monkeypatch):
    monkeypatch.setenv("BALAGH_LOG_FORMAT", "json")
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    sanic = logging.getLogger("sanic.error")
    sanic_handler = logging.StreamHandler(io.StringIO())
    sanic.addHandler(sanic_handler)
    try:
        logs.configure("desk", "INFO")
        assert isinstance(root.handlers[0].formatter, logs.JsonFormatter)
        assert isinstance(sanic_handler.formatter, logs.JsonFormatter)
        stream = io.StringIO()
        root.handlers[0].setStream(stream)
        logging.getLogger("bot.desk").info("agent sees %s", NATIONAL_ID)
        assert json.loads(stream.getvalue())["message"] == "agent sees ********08"
    finally:
        sanic.removeHandler(sanic_handler)
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_a_wrong_log_format_stops_the_process(monkeypatch):
    monkeypatch.setenv("BALAGH_LOG_FORMAT", "xml")
    with pytest.raises(SystemExit, match="BALAGH_LOG_FORMAT"):
        logs.log_format()


@pytest.mark.parametrize(
    ("peer", "authorization", "edge", "token", "allowed"),
    [
        ("127.0.0.1", None, False, "", True),
        ("::1", None, False, "", True),
        ("10.0.0.7", None, False, "", False),
        (None, None, False, "", False),
        ("127.0.0.1", None, True, "", False),  # came through the public edge
        ("10.0.0.7", "Bearer s3cret", False, "s3cret", True),
        ("127.0.0.1", None, False, "s3cret", False),  # a token, once set, is required
        ("10.0.0.7", "Bearer wrong", False, "s3cret", False),
        ("10.0.0.7", "Bearer s3cret", True, "s3cret", False),
    ],
)
def test_the_metrics_door(peer, authorization, edge, token, allowed):
    assert door.metrics_allowed(peer, authorization, edge, token) is allowed


def test_readiness_says_which_check_failed_and_nothing_else(monkeypatch):
    monkeypatch.setattr(health, "CHECK_TIMEOUT", 0.2)

    async def ok() -> None:
        return None

    async def refused() -> None:
        raise ConnectionRefusedError("postgres://balagh:password@db:5432 refused")

    async def hangs() -> None:
        await asyncio.sleep(10)

    ready, found = asyncio.run(health.readiness({"a": ok, "b": refused, "c": hangs}))
    assert not ready
    assert found == {"a": "ok", "b": "unavailable", "c": "unavailable"}
    assert health.body(ready, found) == {"status": "unavailable", "checks": found}
    assert asyncio.run(health.readiness({"a": ok})) == (True, {"a": "ok"})


def test_the_database_check_runs_select_one(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'r.db'}")
    ready, found = asyncio.run(health.readiness({"database": health.database(store)}))
    assert ready and found == {"database": "ok"}
    unreachable = Store("postgresql://nobody@127.0.0.1:1/none")
    ready, found = asyncio.run(health.readiness({"database": health.database(unreachable)}))
    assert not ready and found == {"database": "unavailable"}


def test_redis_and_rabbitmq_checks_fail_on_a_closed_port():
    checks = {
        "redis": health.redis("redis://127.0.0.1:1/0"),
        "amqp": health.rabbitmq("amqp://x:y@127.0.0.1:1/"),
    }
    ready, found = asyncio.run(health.readiness(checks))
    assert not ready and set(found.values()) == {"unavailable"}


TODAY = dt.date(2026, 12, 2)


def test_a_calendar_that_covers_the_next_year_gives_no_warning():
    calendar = HolidayCalendar(
        dated=frozenset({dt.date(2027, 5, 15)}), covers_until=dt.date(2028, 1, 31)
    )
    assert coverage_warning(calendar, TODAY, "holidays.yml") is None


def test_a_calendar_short_of_the_next_year_is_named_with_its_horizon():
    calendar = HolidayCalendar(dated=frozenset({dt.date(2027, 5, 19)}))
    warning = coverage_warning(calendar, TODAY, "holidays.yml")
    assert warning and "2027-05-19" in warning and "2027-12-02" in warning
    assert "lists no dated holiday" in coverage_warning(HolidayCalendar(), TODAY, "h.yml")


def test_covers_until_is_read_from_the_file(tmp_path):
    file = tmp_path / "holidays.yml"
    file.write_text('covers_until: "2028-01-31"\ndated:\n  - from: "2027-05-15"\n', "utf-8")
    calendar = load_calendar(file)
    assert calendar.known_until() == dt.date(2028, 1, 31)
    assert calendar == HolidayCalendar(dated=frozenset({dt.date(2027, 5, 15)}))


def test_the_start_warning_is_logged(tmp_path, monkeypatch, caplog):
    short = tmp_path / "holidays.yml"
    short.write_text('dated:\n  - from: "2020-01-01"\n', "utf-8")
    monkeypatch.setenv("BALAGH_HOLIDAYS_FILE", str(short))
    with caplog.at_level(logging.WARNING, logger="bot.holidays"):
        warning = warn_if_short()
    assert warning and "2020-01-01" in warning
    assert any(str(short) in message for message in caplog.messages)


def test_the_store_figures(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'r.db'}")
    store.upgrade()
    now = dt.datetime(2026, 12, 2, 9, tzinfo=dt.timezone.utc)
    with store.session() as session:
        for number, kind in [
            ("260000001", "complaint"),
            ("260000002", "complaint"),
            ("260000003", "improvement"),
        ]:
            session.add(
                Report(
                    number=number,
                    type=kind,
                    channel="rest",
                    conversation_id=f"rest:{number}",
                    beneficiary_name="x",
                    national_id=NATIONAL_ID,
                    mobile="+966551234567",
                    created_at=now,
                    updated_at=now,
                    due_on=now.date(),
                )
            )
        session.flush()
        report_id = session.execute(sa.select(Report.id)).scalars().first()
        for index, status in enumerate(["waiting", "waiting", "active", "closed"]):
            session.add(
                Handoff(
                    conversation_id=f"rest:h{index}",
                    channel="rest",
                    reason="asked",
                    status=status,
                    created_at=now - dt.timedelta(minutes=index),
                )
            )
        for sent in (None, None, now):
            session.add(
                OutboxMessage(
                    report_id=report_id,
                    conversation_id="rest:x",
                    kind="status",
                    created_at=now - dt.timedelta(minutes=5),
                    next_attempt_at=now,
                    dispatched_at=sent,
                )
            )
    gauges = read_gauges(store)
    assert gauges.reports_by_type == {"complaint": 2, "improvement": 1}
    assert gauges.handoffs_by_status == {"waiting": 2, "active": 1}
    assert gauges.oldest_waiting_handoff == now - dt.timedelta(minutes=1)
    assert gauges.outbox_backlog == 2
    assert gauges.oldest_outbox_message == now - dt.timedelta(minutes=5)


def test_the_relay_lag_is_what_is_stored_after_its_position(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'c.db'}")
    assert relay_lag(engine) == relay_lag(engine, now=0)  # no events table yet: no lag
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, timestamp FLOAT)"))
        for event_id, stamp in [(1, 100.0), (2, 110.0), (3, 130.0)]:
            connection.execute(
                sa.text("INSERT INTO events VALUES (:i, :t)"), {"i": event_id, "t": stamp}
            )
    never_ran = relay_lag(engine, now=200.0)
    assert (never_ran.events, never_ran.seconds) == (3, 100.0)
    with engine.begin() as connection:
        connection.execute(
            sa.text(f"CREATE TABLE {POSITION_TABLE} (name VARCHAR(64), last_id BIGINT)")
        )
        connection.execute(sa.text(f"INSERT INTO {POSITION_TABLE} VALUES ('events', 2)"))
    behind = relay_lag(engine, now=200.0)
    assert (behind.events, behind.seconds) == (1, 70.0)
    with engine.begin() as connection:
        connection.execute(sa.text(f"UPDATE {POSITION_TABLE} SET last_id = 3"))
    caught_up = relay_lag(engine, now=200.0)
    assert (caught_up.events, caught_up.seconds) == (0, 0.0)


def test_rasas_message_metrics_have_few_channel_labels():
    from bot.server import metrics

    assert metrics.channel_label("whatsapp") == "whatsapp"
    assert metrics.channel_label("rest") == "rest"
    assert metrics.channel_label("made-up") == "other" == metrics.channel_label(None)
    assert metrics._series_of("made-up") is metrics._series_of(None)
