"""Liveness, readiness and metrics of one Rasa replica, without opening Rasa's HTTP API.

- `GET /webhooks/health/live`: 200 `{"status": "ok"}` while the server answers.
- `GET /webhooks/health/ready`: 200 when the model is loaded and the stores answer
  (the tracker store's database, the reports store, and Redis for the lock store and
  the widget's socket.io when configured), else 503; `{"status", "checks": {name: "ok" |
  "unavailable"}}`, nothing else (no address, no error text).
- `GET /metrics`: Prometheus text (`bot/server/metrics.py` and the process's own), for
  the holder of `BALAGH_METRICS_TOKEN`, or for loopback callers when it is unset
  (`bot/observability/door.py`); 403 otherwise.

None of these paths is passed by the public edge (nginx answers 404). Compose's health
check calls `/webhooks/health/ready` from inside the container. With
`BALAGH_LOG_FORMAT=json` this channel also turns Rasa's log handlers to JSON once the
server is configured, and keeps Balagh's own loggers at `BALAGH_LOG_LEVEL`
(`bot/observability/logs.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.observability import health, logs
from bot.observability.door import sanic_metrics
from bot.settings import load_settings
from bot.store.database import shared_store

LIVE_PATH = "/webhooks/health/live"
READY_PATH = "/webhooks/health/ready"
METRICS_PATH = "/metrics"


def _tracker_store_engine(agent: Any) -> Any:
    store = getattr(agent, "tracker_store", None)
    store = getattr(store, "_tracker_store", store)  # Rasa's fail-safe wrapper
    return getattr(store, "engine", None)


def checks(agent: Any) -> dict[str, health.Check]:
    """What this replica needs to serve a conversation."""
    settings = load_settings()

    async def model() -> None:
        if agent is None or not agent.is_ready():
            raise RuntimeError("no model loaded")

    found: dict[str, health.Check] = {"model": model}
    engine = _tracker_store_engine(agent)
    if engine is not None:
        found["tracker_store"] = health.engine(engine)
    found["database"] = health.database(shared_store(settings.database_url))
    if settings.lock_store_url:
        found["lock_store"] = health.redis(settings.lock_store_url)
    if settings.socketio_redis_url:
        found["socketio_redis"] = health.redis(settings.socketio_redis_url)
    folders = health.data_folders(
        settings.database_url, settings.tracker_store_url, media=settings.media_dir
    )
    found["disk"] = health.disk(folders, settings.min_free_mb)
    return found


class HealthChannel(InputChannel):
    """Not a conversation channel: the replica's probes and metrics."""

    @classmethod
    def name(cls) -> str:
        return "health"

    def url_prefix(self) -> str:
        # Rasa mounts a channel at urljoin("/webhooks/", prefix): "/" keeps our own paths.
        return "/"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Rasa has configured its logging by now (this is called while its app is built).
        logs.reformat("rasa")
        logs.own_level()
        probes = Blueprint("balagh_health", __name__)

        @probes.route(LIVE_PATH, methods=["GET"])
        async def live(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @probes.route(READY_PATH, methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            is_ready, found = await health.readiness(checks(agent))
            return response.json(health.body(is_ready, found), status=200 if is_ready else 503)

        @probes.route(METRICS_PATH, methods=["GET"])
        async def metrics(request: Request) -> HTTPResponse:
            return sanic_metrics(request)

        return probes
