"""The desk's operations endpoints over HTTP (aiohttp's test server): the OpenAPI document
matches the router, every error is JSON, readiness, and the metrics door."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.desk import openapi
from bot.desk.main import build_app

# The desk's pages: HTML and scripts for browsers, not an API.
PAGES = {
    "/console",
    "/console/supervisors",
    "/console/assets/{name}",
    "/widget/demo",
    "/widget/{name}",
    "/s/public.css",
    "/s/{token}",
    "/c/{token}",
}
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def desk_env(sqlite_url, monkeypatch):
    for name, value in {
        "BALAGH_DATABASE_URL": sqlite_url,
        "BALAGH_STAFF_TOKEN": "staff-token",
        "BALAGH_INTERNAL_TOKEN": "internal-token",
        "BALAGH_DESK_DISPATCHER": "off",
        "BALAGH_SCHEDULER_INTERVAL": "3600",
        "BALAGH_METRICS_TOKEN": "",
    }.items():
        monkeypatch.setenv(name, value)
    return sqlite_url


def routes(app: web.Application) -> set[tuple[str, str]]:
    """(method, path template) of every route but the implicit HEADs and the pages."""
    found = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if route.method != "HEAD" and path not in PAGES:
            found.add((route.method.lower(), path))
    return found


def documented() -> set[tuple[str, str]]:
    paths = openapi.document()["paths"]
    return {(method, path) for path, item in paths.items() for method in item if method in METHODS}


def test_every_route_is_documented_and_every_documented_route_exists(desk_env):
    app = build_app()
    assert routes(app), "no routes found"
    assert routes(app) - documented() == set(), "routes missing from bot/desk/openapi.py"
    assert documented() - routes(app) == set(), "documented routes the desk does not have"


def _refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [value["$ref"]] if "$ref" in value else [r for v in value.values() for r in _refs(v)]
    if isinstance(value, list):
        return [r for item in value for r in _refs(item)]
    return []


def test_the_document_is_openapi_3_and_its_references_resolve():
    document = openapi.document()
    assert document["openapi"].startswith("3.")
    schemas = document["components"]["schemas"]
    schemes = document["components"]["securitySchemes"]
    for ref in _refs(document):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["responses"], (method, path)
            for requirement in operation.get("security", []):
                assert set(requirement) <= set(schemes), (method, path)
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            in_path = {part[1:-1] for part in path.split("/") if part.startswith("{")}
            assert declared == in_path, (method, path)


def with_desk(
    scenario: Callable[[TestClient], Awaitable[None]], extra: Callable | None = None
) -> None:
    app = build_app()
    if extra is not None:
        extra(app)

    async def run() -> None:
        async with TestClient(TestServer(app)) as client:
            await scenario(client)

    asyncio.run(run())


async def _json_error(reply: Any, status: int) -> str:
    assert reply.status == status
    assert reply.content_type == "application/json"
    body = await reply.json()
    assert set(body) == {"error"}
    return body["error"]


def test_every_desk_error_is_json(desk_env):
    async def boom(_: web.Request) -> web.Response:
        raise RuntimeError("a bug with 1000000008 in it")

    async def scenario(client: TestClient) -> None:
        assert await _json_error(await client.get("/no/such/path"), 404) == "not found"
        refused = await client.post("/health")
        assert await _json_error(refused, 405) == "method not allowed"
        assert "GET" in refused.headers["Allow"]
        await _json_error(await client.get("/api/reports/260000001"), 401)
        headers = {"Authorization": "Bearer staff-token"}
        wrong_method = await client.delete("/api/reports/260000001", headers=headers)
        await _json_error(wrong_method, 405)
        await _json_error(await client.get("/api/reports/abc", headers=headers), 404)
        too_big = await client.post(
            "/api/agents/login", data=b"{" + b" " * (1024 * 1024) + b"}", headers=headers
        )
        await _json_error(too_big, 413)
        failed = await client.get("/boom")
        assert await _json_error(failed, 500) == "internal error"
        assert "1000000008" not in await failed.text()
        await _json_error(await client.get("/widget/nothing-here.js"), 404)

    with_desk(scenario, lambda app: app.router.add_get("/boom", boom))


def test_liveness_readiness_and_the_document(desk_env):
    async def scenario(client: TestClient) -> None:
        for path in ("/health", "/health/live"):
            reply = await client.get(path)
            assert reply.status == 200 and await reply.json() == {"status": "ok"}
        ready = await client.get("/health/ready")
        assert ready.status == 200
        assert await ready.json() == {
            "status": "ready",
            "checks": {"database": "ok", "disk": "ok"},
        }
        document = await client.get(openapi.OPENAPI_PATH)
        assert document.status == 200 and await document.json() == openapi.document()

    with_desk(scenario)


def test_readiness_fails_when_the_database_does_not_answer(desk_env, monkeypatch):
    monkeypatch.setenv("BALAGH_DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:1/none")

    async def scenario(client: TestClient) -> None:
        reply = await client.get("/health/ready")
        assert reply.status == 503
        assert await reply.json() == {
            "status": "unavailable",
            "checks": {"database": "unavailable", "disk": "ok"},
        }
        assert "secret" not in await reply.text()

    app = build_app()
    app.cleanup_ctx.clear()  # nothing to migrate: the database is unreachable on purpose

    async def run() -> None:
        async with TestClient(TestServer(app)) as client:
            await scenario(client)

    asyncio.run(run())


def test_readiness_fails_before_the_disk_is_full(desk_env, monkeypatch, caplog):
    # More free space asked for than any disk here has: what a nearly full disk looks like.
    monkeypatch.setenv("BALAGH_MIN_FREE_MB", str(10**12))

    async def scenario(client: TestClient) -> None:
        reply = await client.get("/health/ready")
        assert reply.status == 503
        assert (await reply.json())["checks"] == {"database": "ok", "disk": "unavailable"}

    with caplog.at_level("ERROR", logger="bot.observability.health"):
        with_desk(scenario)
    assert any("disk nearly full" in r.getMessage() for r in caplog.records)


def test_metrics_from_loopback_and_behind_the_token(desk_env, monkeypatch):
    async def scenario(client: TestClient) -> None:
        await client.get("/health/live")
        reply = await client.get("/metrics")
        assert reply.status == 200 and reply.content_type == "text/plain"
        text = await reply.text()
        for name in (
            "balagh_handoffs_waiting 0.0",
            "balagh_outbox_backlog 0.0",
            'balagh_store_readable{store="reports"} 1.0',
            'balagh_desk_requests_total{method="GET",route="/health/live",status="200"} 1.0',
            'balagh_desk_request_seconds_bucket{le="0.005",route="/health/live"}',
            "process_resident_memory_bytes",
        ):
            assert name in text, name
        assert "balagh_event_relay_lag_events" not in text  # no relay configured
        edge = await client.get("/metrics", headers={"X-Balagh-Edge": "1"})
        await _json_error(edge, 403)
        monkeypatch.setenv("BALAGH_METRICS_TOKEN", "metrics-token")
        await _json_error(await client.get("/metrics"), 403)
        wrong = {"Authorization": "Bearer nope"}
        await _json_error(await client.get("/metrics", headers=wrong), 403)
        right = {"Authorization": "Bearer metrics-token"}
        assert (await client.get("/metrics", headers=right)).status == 200

    with_desk(scenario)
