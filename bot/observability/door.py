"""Who may read `/metrics` (on the desk, on each Rasa replica, on the action server).

With `BALAGH_METRICS_TOKEN` set: whoever sends `Authorization: Bearer <token>` (the
Prometheus scrape configuration's `authorization` / `bearer_token`), from anywhere.
Unset: callers on the same machine only (the peer address is a loopback address), and
never a request that came through the public edge (nginx sets `X-Balagh-Edge`). The edge
does not pass `/metrics` anyway; this is the second lock.
"""

from __future__ import annotations

import ipaddress

from bot.rules.input_bounds import bearer_matches
from bot.settings import EDGE_HEADER, load_settings

__all__ = ["EDGE_HEADER", "metrics_allowed", "metrics_token"]


def metrics_token() -> str:
    """`BALAGH_METRICS_TOKEN` (default empty: loopback callers only)."""
    return load_settings().metrics_token


def _loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def metrics_allowed(
    peer: str | None, authorization: str | None, through_edge: bool, token: str | None = None
) -> bool:
    """May this request read the metrics? `peer`: the TCP peer's address (not a
    forwarded-for header); `through_edge`: the request carries the edge's header."""
    expected = metrics_token() if token is None else token
    if through_edge:
        return False
    if expected:
        return bearer_matches(authorization, expected)
    return _loopback(peer)


def sanic_metrics(request):  # noqa: ANN001, ANN201 - a Sanic request and response
    """`GET /metrics` of the two Sanic processes (Rasa and the action server): the process's
    Prometheus registry, for whom `metrics_allowed` lets in."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
    from sanic import response

    if not metrics_allowed(
        request.ip, request.headers.get("Authorization"), EDGE_HEADER in request.headers
    ):
        return response.json({"error": "forbidden"}, status=403)
    return response.raw(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
