"""What `bot.server.patches.action_calls` changes in Rasa's calls to the action server: one
kept-alive HTTP session per endpoint, and the domain sent without its responses."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.server import patches

ROOT = Path(__file__).resolve().parents[2]


def test_the_action_server_gets_the_domain_without_responses() -> None:
    patches.install()
    domain = Domain.load(str(ROOT / "domain"))
    tracker = DialogueStateTracker.from_events("citizen", [])
    action = RemoteAction("validate_complaint_form", EndpointConfig("http://127.0.0.1:1"))
    sent = action._action_call_format(tracker, domain)["domain"]
    assert "responses" not in sent
    assert domain.as_dict()["responses"]  # the server's own domain is untouched
    # what rasa_sdk's form validation reads
    assert sent["forms"]["complaint_form"]["required_slots"]
    assert "national_id" in sent["slots"]
    assert action._action_call_format(tracker, domain)["domain"] is sent  # computed once


async def _serve_counting_connections() -> tuple[web.AppRunner, str, list[int]]:
    connections: list[int] = []

    async def webhook(request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername")[1]
        if peer not in connections:
            connections.append(peer)
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}/webhook", connections


def test_calls_reuse_one_connection() -> None:
    patches.install()

    async def scenario() -> list[int]:
        runner, url, connections = await _serve_counting_connections()
        try:
            endpoint = EndpointConfig(url)
            for _ in range(5):
                assert await endpoint.request(json={"next_action": "x"}, method="post") == {
                    "events": [],
                    "responses": [],
                }
            async with endpoint.session() as session:
                assert not session.closed  # leaving `async with` does not close it
            assert not endpoint._balagh_session[1].closed
            await endpoint._balagh_session[1].close()
            return connections
        finally:
            await runner.cleanup()

    assert len(asyncio.run(scenario())) == 1  # Rasa alone opens one per call: 5
