"""The public edge (nginx of `balagh cluster`, rendered like compose's) passes only the
channels' paths and the desk's own; everything else answers 404, and the REST channel
needs its token there."""

from __future__ import annotations

import uuid

import pytest

from tests.cluster.conftest import Cluster
from tests.cluster.launcher import REST_TOKEN
from tests.e2e.conftest import API_TOKEN
from tests.security.conftest import request

pytestmark = pytest.mark.cluster


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/conversations/rest:x/tracker?token={API_TOKEN}"),
        ("POST", f"/conversations/rest:x/tracker/events?token={API_TOKEN}"),
        ("PUT", f"/model?token={API_TOKEN}"),
        ("POST", f"/model/parse?token={API_TOKEN}"),
        ("GET", f"/status?token={API_TOKEN}"),
        ("GET", "/"),
        ("POST", "/webhooks/handoff/send"),
        ("GET", "/webhooks/handoff/transcript?conversation_id=rest:x"),
        ("GET", "/webhooks/rest/"),
        ("GET", "/health"),
        ("GET", "/health/ready"),
        ("GET", "/webhooks/health/ready"),
        ("GET", "/webhooks/health/live"),
        ("GET", "/metrics"),
        ("POST", "/webhook"),
    ],
)
def test_the_edge_answers_404_to_every_internal_path(cluster: Cluster, method, path):
    reply = request(cluster.lb_url, method, path, {} if method in ("POST", "PUT") else None)
    assert reply.status == 404
    assert reply.json() == {"error": "not found"}


def test_the_edge_passes_the_channels_and_the_desk(cluster: Cluster):
    sender = f"edge-{uuid.uuid4().hex[:8]}"
    body = {"sender": sender, "message": "مرحبا"}
    refused = request(cluster.lb_url, "POST", "/webhooks/rest/webhook", body)
    assert refused.status == 401
    spoofed = request(
        cluster.lb_url, "POST", "/webhooks/rest/webhook", body, {"X-Balagh-Edge": "0"}
    )
    assert spoofed.status == 401
    allowed = request(
        cluster.lb_url,
        "POST",
        "/webhooks/rest/webhook",
        body,
        {"Authorization": f"Bearer {REST_TOKEN}"},
    )
    assert allowed.status == 200 and allowed.json()
    assert request(cluster.lb_url, "GET", "/console").status == 200
    page = request(cluster.lb_url, "GET", "/console/assets/console.js")  # the console's script
    assert (
        page.status == 200 and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    )
    assert request(cluster.lb_url, "GET", "/api/reports/260000001").status == 401
    assert request(cluster.lb_url, "GET", "/widget/balagh-widget.js").status == 200
    # The links' pages reach the desk (its Arabic page for a forged link, not the edge's JSON)
    for path in ("/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/c/AAAAAAAAAAAAAAAAAAAAAAAAAAAA"):
        forged = request(cluster.lb_url, "GET", path)
        assert forged.status == 404 and "الرابط غير صالح" in forged.body.decode("utf-8")
    assert request(cluster.lb_url, "GET", "/s/public.css").status == 200
    # Twilio's webhooks reach the replicas (not configured here: Rasa's own 404 is JSON-less)
    history = request(cluster.lb_url, "GET", "/webhooks/webchat/history?session=x.y")
    assert history.status == 403


def test_the_internal_listener_reaches_the_api_with_its_token(cluster: Cluster):
    internal = f"http://127.0.0.1:{cluster.internal_port}"
    assert request(internal, "GET", f"/status?token={API_TOKEN}").status == 200
    assert request(internal, "GET", "/status").status == 401
