"""`balagh cluster` for the tests: two Rasa replicas behind nginx, the action server and the
desk, on free loopback ports, against the real PostgreSQL (fresh databases), Redis and
RabbitMQ (a queue of its own); started by `tests/cluster/launcher.py`."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.rules.identity import with_check_digit
from tests.cluster.launcher import REST_TOKEN, LaunchedCluster, launched_cluster
from tests.e2e.conftest import MODEL, Bot

NGINX = os.environ.get("BALAGH_NGINX", "/usr/sbin/nginx")


def national_id(index: int) -> str:
    """A valid citizen ID (checksum included) different for every index."""
    return with_check_digit(f"1{index:08d}")


@dataclass
class Cluster:
    """The running cluster, seen as the tests talk to it: the load balancer and each
    replica as a `Bot`, plus the launcher's view (state, pids, stores)."""

    lb: Bot
    replicas: list[Bot]
    launched: LaunchedCluster

    def __getattr__(self, name: str):  # noqa: ANN204 - state, pid, wait_until, stores...
        return getattr(self.launched, name)

    def wait_ready(self, bot: Bot) -> None:
        self.launched.wait_ready(bot.rasa_url)


@pytest.fixture(scope="session")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train`")
    if not Path(NGINX).exists():
        pytest.fail(f"nginx not found at {NGINX}: run `make cluster` once or set BALAGH_NGINX")
    extra_env = {
        "BALAGH_NGINX": NGINX,
        "BALAGH_STAFF_TOKEN": "test-staff-token",
        "BALAGH_AGENT_HOURS": "always",
        "BALAGH_DISPATCH_INTERVAL": "0.2",
        "BALAGH_SCHEDULER_INTERVAL": "3600",
        "BALAGH_WEBCHAT_SECRET": "cluster-webchat-secret",
        "BALAGH_INTERNAL_TOKEN": "cluster-internal-token",
    }
    with launched_cluster(MODEL, tmp_path_factory.mktemp("cluster"), extra_env) as launched:
        desk, database = launched.desk_url, launched.database_url
        outbox = str(launched.work / "otp.log")
        yield Cluster(
            lb=Bot(
                launched.lb_url,
                database,
                desk,
                rest_token=REST_TOKEN,
                api_url=launched.replica_urls[0],
                otp_outbox=outbox,
            ),
            replicas=[
                Bot(url, database, desk, rest_token=REST_TOKEN, otp_outbox=outbox)
                for url in launched.replica_urls
            ],
            launched=launched,
        )


def post_json(url: str, body: dict, headers: dict | None = None) -> tuple[int, dict | list]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as failure:
        return failure.code, json.loads(failure.read() or b"{}")
