"""Operability against the real processes (`balagh run`): the probes of the desk and of
Rasa, every process's `/metrics` scraped, the OpenAPI document, JSON errors; and, in the
production setting (PostgreSQL, Redis, RabbitMQ), readiness of every configured store,
the metrics token and one-line JSON logs with identifiers masked."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

from tests.conftest import AMQP_URL, POSTGRES_ADMIN_URL, delete_queue
from tests.e2e.conftest import MOBILE_CODE, Bot, running_bot
from tests.helpers.reports import SYSTEM_DOWN_ANSWERS

pytestmark = pytest.mark.e2e

METRICS_TOKEN = "test-metrics-token"
MOBILE = "0551234567"
NATIONAL_ID = "2000000006"


@dataclass
class Reply:
    status: int
    body: str
    content_type: str

    def json(self) -> dict:
        return json.loads(self.body)


def get(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Reply:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(
                response.status, response.read().decode(), response.headers["Content-Type"]
            )
    except urllib.error.HTTPError as failure:
        return Reply(failure.code, failure.read().decode(), failure.headers["Content-Type"])


def value(scraped: str, name: str, **labels: str) -> float:
    """A sample's value in a Prometheus text page (0 when it is not there yet)."""
    for family in text_string_to_metric_families(scraped):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


def scrape(base: str, token: str | None = None) -> str:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    reply = get(f"{base}/metrics", headers)
    assert reply.status == 200, reply.body
    assert reply.content_type.startswith("text/plain")
    return reply.body


def file_a_complaint(bot: Bot, sender: str) -> str:
    for message in [
        "ابي اصعد شكوى",
        "فهد العتيبي",
        NATIONAL_ID,
        MOBILE,
        MOBILE_CODE,
        *SYSTEM_DOWN_ANSWERS,
    ]:
        bot.say(sender, message)
    assert "راجع بيانات الشكوى" in bot.say(sender, "تخطي")
    return bot.say(sender, "/affirm")


def be_refused_as_too_early(bot: Bot, sender: str) -> str:
    assert "ما اسمك الكامل" in bot.say(sender, "ابي اقدم شكوى على جهة حكومية")
    for message in [
        "نورة سعد القحطاني",
        "1000000008",
        "٠٥٥١٢٣٤٥٦٧",
        MOBILE_CODE,
        "3",
        "هيئة الزكاة والضريبة والجمارك",
        "زاتكا",
        "الإقرار الضريبي",
        "الموقع الإلكتروني",
        "ZT-4410",
    ]:
        bot.say(sender, message)
    return bot.say(sender, "أمس")


# --- the embedded default (the session's shared `bot`) ---------------------------------


def test_the_desk_is_live_and_ready(bot):
    for path in ("/health", "/health/live"):
        assert get(f"{bot.desk_url}{path}").json() == {"status": "ok"}
    ready = get(f"{bot.desk_url}/health/ready")
    assert ready.status == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "disk": "ok"}}


def test_each_rasa_replica_is_live_and_ready_without_its_api_token(bot):
    live = get(f"{bot.rasa_url}/webhooks/health/live")
    assert live.status == 200 and live.json() == {"status": "ok"}
    ready = get(f"{bot.rasa_url}/webhooks/health/ready")
    assert ready.status == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"model": "ok", "tracker_store": "ok", "database": "ok", "disk": "ok"},
    }


def test_rasa_counts_and_times_the_messages_by_channel(bot, sender):
    before = scrape(bot.rasa_url)
    bot.say(sender, "مرحبا")
    bot.say(sender, "شكرا")
    after = scrape(bot.rasa_url)
    for name in ("balagh_messages_total", "balagh_message_seconds_count"):
        grown = value(after, name, channel="rest") - value(before, name, channel="rest")
        assert grown == 2, name
    assert value(after, "balagh_message_seconds_bucket", channel="rest", le="+Inf") >= 2
    assert value(after, "balagh_message_seconds_sum", channel="rest") > 0
    assert value(after, "process_resident_memory_bytes") > 0


def test_the_action_server_counts_refusals_by_reason(bot, sender):
    before = value(scrape(bot.actions_url), "balagh_refusals_total", reason="too_early")
    assert "لم يُحفظ أي بلاغ" in be_refused_as_too_early(bot, sender)
    after = value(scrape(bot.actions_url), "balagh_refusals_total", reason="too_early")
    assert after == before + 1


def test_the_desk_reads_reports_handoffs_and_the_outbox_at_scrape_time(bot, sender):
    before = scrape(bot.desk_url)
    filed = file_a_complaint(bot, sender)
    assert re.search(r"\d{9}", filed), filed
    waiting = f"{sender}-agent"
    assert "سيتولى أحد موظفي مركز آمر" in bot.say(waiting, "ابي اكلم موظف")
    after = scrape(bot.desk_url)
    reports = ("balagh_reports_filed_total", {"type": "complaint"})
    assert value(after, reports[0], **reports[1]) == value(before, reports[0], **reports[1]) + 1
    assert value(after, "balagh_handoffs_waiting") == value(before, "balagh_handoffs_waiting") + 1
    assert value(after, "balagh_handoff_oldest_waiting_seconds") >= 0
    assert "balagh_outbox_backlog" in after and "balagh_outbox_oldest_seconds" in after
    assert value(after, "balagh_store_readable", store="reports") == 1
    assert value(after, "balagh_desk_requests_total", route="/metrics", method="GET", status="200")


def test_no_metrics_for_a_request_that_came_through_the_edge(bot):
    for base in (bot.rasa_url, bot.desk_url, bot.actions_url):
        refused = get(f"{base}/metrics", {"X-Balagh-Edge": "1"})
        assert refused.status == 403 and json.loads(refused.body) == {"error": "forbidden"}


def test_the_desk_serves_its_openapi_document(bot):
    reply = get(f"{bot.desk_url}/api/openapi.json")
    assert reply.status == 200 and reply.content_type.startswith("application/json")
    document = reply.json()
    assert document["openapi"].startswith("3.")
    assert "/api/reports/{number}/status" in document["paths"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/no/such/page", 404),
        ("DELETE", "/health/ready", 405),
        ("POST", "/api/openapi.json", 405),
        ("GET", "/api/handoffs", 401),
        ("GET", "/widget/absent.js", 404),
    ],
)
def test_every_desk_error_is_json(bot, method, path, status):
    reply = get(f"{bot.desk_url}{path}", method=method)
    assert reply.status == status
    assert reply.content_type.startswith("application/json")
    assert set(reply.json()) == {"error"}


# --- the production setting ----------------------------------------------------------


@dataclass
class Production:
    bot: Bot
    log: Path


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """PostgreSQL, the Redis lock store and socket.io manager, the event relay to
    RabbitMQ; JSON logs; `/metrics` behind a token."""
    name = f"balagh_ops_{uuid.uuid4().hex[:8]}"
    queue = f"balagh.test.{name}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    work = tmp_path_factory.mktemp("ops")
    env = {
        "BALAGH_LOCK_STORE_URL": "redis://127.0.0.1:6379/9",
        "BALAGH_SOCKETIO_REDIS_URL": "redis://127.0.0.1:6379/10",
        "BALAGH_EVENT_BROKER_URL": AMQP_URL,
        "BALAGH_EVENT_QUEUE": queue,
        "BALAGH_LOG_FORMAT": "json",
        "BALAGH_METRICS_TOKEN": METRICS_TOKEN,
    }
    try:
        with running_bot(work, url, url, extra_env=env) as running:
            yield Production(running, work / "balagh.log")
    finally:
        delete_queue(queue)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_readiness_checks_every_configured_store(production):
    rasa = get(f"{production.bot.rasa_url}/webhooks/health/ready")
    assert rasa.status == 200, rasa.body
    assert rasa.json()["checks"] == {
        "model": "ok",
        "tracker_store": "ok",
        "database": "ok",
        "lock_store": "ok",
        "socketio_redis": "ok",
        "disk": "ok",
    }
    desk = get(f"{production.bot.desk_url}/health/ready")
    assert desk.status == 200, desk.body
    assert desk.json()["checks"] == {
        "database": "ok",
        "tracker_store": "ok",
        "rabbitmq": "ok",
        "disk": "ok",
    }


def test_with_a_token_set_metrics_need_it(production, sender):
    bot = production.bot
    for base in (bot.rasa_url, bot.desk_url, bot.actions_url):
        assert get(f"{base}/metrics").status == 403
        assert get(f"{base}/metrics", {"Authorization": "Bearer wrong"}).status == 403
        scrape(base, METRICS_TOKEN)
    bot.say(sender, "مرحبا")
    deadline = time.monotonic() + 30
    while True:  # the relay publishes what was stored within a second or so
        page = scrape(bot.desk_url, METRICS_TOKEN)
        assert value(page, "balagh_store_readable", store="conversations") == 1
        if value(page, "balagh_event_relay_lag_events") == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert "balagh_event_relay_lag_seconds" in page
    assert value(page, "balagh_event_relay_lag_events") == 0


def test_logs_are_one_json_object_per_line_with_identifiers_masked(production):
    bot = production.bot
    sender = f"{MOBILE}-ops"  # the conversation id `rest:0551234567-ops` carries a mobile
    bot.say(sender, '/inform{"choice": "x"}')  # not offered: logged with its sender
    file_a_complaint(bot, f"ops-{uuid.uuid4().hex[:8]}")
    time.sleep(1)
    log = production.log.read_text(encoding="utf-8")
    assert MOBILE not in log and NATIONAL_ID not in log
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert {"desk", "actions", "rasa"} <= {line.get("process") for line in lines}
    for line in lines:
        assert {"time", "level", "logger", "process", "message"} <= set(line), line
    assert any("rest:+**********67-ops" in line["message"] for line in lines)
    # No log record in a text format: Rasa's coloredlogs, Sanic's or ours (TensorFlow's
    # C++ messages and Python's warnings are not log records).
    text_lines = re.compile(
        r"^\[?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(,\d{3})?( [+-]\d{4})?\]? "
        r"(\[\d+\] )?\[?(DEBUG|INFO|WARNING|ERROR|CRITICAL)"
    )
    assert [line for line in log.splitlines() if text_lines.match(line)] == []
