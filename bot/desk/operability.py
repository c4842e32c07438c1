"""The desk's operations endpoints: liveness, readiness, Prometheus metrics, its OpenAPI
document (see docs/operations-observability.md).

- `GET /health`, `GET /health/live`: 200 `{"status": "ok"}` while the desk answers.
- `GET /health/ready`: the reports store answers (`SELECT 1`), and with the event relay
  configured the conversations database and RabbitMQ too; 200 or 503, with
  `{"status", "checks"}` and nothing else.
- `GET /metrics`: `BALAGH_METRICS_TOKEN` or loopback only (`bot/observability/door.py`);
  the desk's own requests (counted by a middleware, no I/O) and, read from the stores at
  scrape time only, reports filed by type, hand-offs waiting, the outbox's backlog and the
  event relay's lag.
- `GET /api/openapi.json`: the OpenAPI 3 description of the desk's APIs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from bot import clock
from bot.desk import openapi
from bot.desk.event_relay import relay_lag
from bot.desk.staff_api import error
from bot.observability import health
from bot.observability.door import EDGE_HEADER, metrics_allowed
from bot.settings import load_settings
from bot.store.database import Store
from bot.store.gauges import read_gauges

logger = logging.getLogger(__name__)

REGISTRY_KEY = web.AppKey("metrics_registry", CollectorRegistry)
CHECKS_KEY = web.AppKey("readiness_checks", dict)
REQUESTS_KEY = web.AppKey("request_metrics", tuple)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class StoreCollector(Collector):
    """Reads the stores when Prometheus scrapes (in a worker thread: see `metrics`)."""

    def __init__(self, store: Store, tracker_engine: sa.engine.Engine | None) -> None:
        self.store = store
        self.tracker_engine = tracker_engine  # the conversations database, with the relay

    def collect(self) -> Iterator[Metric]:
        readable = GaugeMetricFamily(
            "balagh_store_readable",
            "1 when this scrape could read the store's figures, 0 when it failed.",
            labels=["store"],
        )
        now = clock.now()
        try:
            gauges = read_gauges(self.store)
        except Exception:  # noqa: BLE001 - a scrape must not fail for it
            logger.warning("metrics: the reports store could not be read", exc_info=True)
            readable.add_metric(["reports"], 0)
        else:
            readable.add_metric(["reports"], 1)
            reports = CounterMetricFamily(
                "balagh_reports_filed",
                "Reports filed (in the reports store), by type.",
                labels=["type"],
            )
            for kind, count in sorted(gauges.reports_by_type.items()):
                reports.add_metric([kind], count)
            yield reports
            yield GaugeMetricFamily(
                "balagh_handoffs_waiting",
                "Hand-offs waiting in the queue for an agent.",
                value=gauges.handoffs_by_status.get("waiting", 0),
            )
            yield GaugeMetricFamily(
                "balagh_handoffs_active",
                "Hand-offs held by an agent.",
                value=gauges.handoffs_by_status.get("active", 0),
            )
            yield GaugeMetricFamily(
                "balagh_handoff_oldest_waiting_seconds",
                "Age of the hand-off waiting longest (0 when none waits).",
                value=_age(gauges.oldest_waiting_handoff, now),
            )
            yield GaugeMetricFamily(
                "balagh_outbox_backlog",
                "Notifications queued and not yet handed to Rasa (the outbox's backlog).",
                value=gauges.outbox_backlog,
            )
            yield GaugeMetricFamily(
                "balagh_outbox_oldest_seconds",
                "Age of the oldest notification not yet handed to Rasa (0 when none).",
                value=_age(gauges.oldest_outbox_message, now),
            )
        if self.tracker_engine is not None:
            try:
                lag = relay_lag(self.tracker_engine)
            except Exception:  # noqa: BLE001
                logger.warning("metrics: the conversations store could not be read", exc_info=True)
                readable.add_metric(["conversations"], 0)
            else:
                readable.add_metric(["conversations"], 1)
                yield GaugeMetricFamily(
                    "balagh_event_relay_lag_events",
                    "Conversation events stored and not yet published to RabbitMQ.",
                    value=lag.events,
                )
                yield GaugeMetricFamily(
                    "balagh_event_relay_lag_seconds",
                    "Age of the oldest event not yet published to RabbitMQ (0 when caught up).",
                    value=lag.seconds,
                )
        yield readable


def _age(since: Any, now: Any) -> float:
    return max(0.0, (now - since).total_seconds()) if since is not None else 0.0


def _route(request: web.Request) -> str:
    """The route's template (`/api/handoffs/{id}/take`), never the raw path: few labels."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def count_requests(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """Every desk request: a counter and a histogram (outermost middleware: sees the final
    status, JSON errors included)."""
    requests, latency = request.app[REQUESTS_KEY]
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as raised:
        status = raised.status
        raise
    finally:
        route = _route(request)
        requests.labels(route, request.method, str(status)).inc()
        latency.labels(route).observe(time.perf_counter() - started)


async def live(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def ready(request: web.Request) -> web.Response:
    is_ready, found = await health.readiness(request.app[CHECKS_KEY])
    return web.json_response(health.body(is_ready, found), status=200 if is_ready else 503)


async def metrics(request: web.Request) -> web.Response:
    allowed = metrics_allowed(
        request.remote, request.headers.get("Authorization"), EDGE_HEADER in request.headers
    )
    if not allowed:
        return error(403, "forbidden")
    body = await asyncio.to_thread(generate_latest, request.app[REGISTRY_KEY])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def openapi_document(_: web.Request) -> web.Response:
    return web.json_response(openapi.document())


def setup(
    app: web.Application,
    store: Store,
    tracker_store_url: str | None = None,
    amqp_url: str | None = None,
) -> None:
    """Register the routes, the metrics registry and the readiness checks on the desk's app.
    `tracker_store_url` and `amqp_url` are given when the event relay runs."""
    tracker_engine = None
    if tracker_store_url:
        tracker_engine = sa.create_engine(tracker_store_url, pool_pre_ping=True)
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    registry.register(StoreCollector(store, tracker_engine))
    app[REGISTRY_KEY] = registry
    app[REQUESTS_KEY] = (
        Counter(
            "balagh_desk_requests",
            "Requests the desk answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=registry,
        ),
        Histogram(
            "balagh_desk_request_seconds",
            "Time the desk took to answer, by route template.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
    )
    checks: dict[str, health.Check] = {"database": health.database(store)}
    if tracker_engine is not None:
        checks["tracker_store"] = health.engine(tracker_engine)
    if amqp_url:
        checks["rabbitmq"] = health.rabbitmq(amqp_url)
    settings = load_settings()
    folders = health.data_folders(store.url, tracker_store_url or "", media=settings.media_dir)
    checks["disk"] = health.disk(folders, settings.min_free_mb)
    app[CHECKS_KEY] = checks
    app.router.add_get("/health", live)
    app.router.add_get("/health/live", live)
    app.router.add_get("/health/ready", ready)
    app.router.add_get("/metrics", metrics)
    app.router.add_get(openapi.OPENAPI_PATH, openapi_document)
