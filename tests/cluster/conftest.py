"""`balagh cluster` for the tests: two Rasa replicas behind nginx, the action server and the
desk, on free loopback ports, against the real PostgreSQL (fresh databases), Redis and
RabbitMQ (a queue of its own)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.identity import national_id_checksum_ok
from tests.conftest import POSTGRES_ADMIN_URL
from tests.e2e.conftest import MODEL, Bot, free_port

ROOT = Path(__file__).resolve().parents[2]
NGINX = os.environ.get("BALAGH_NGINX", "/usr/sbin/nginx")


def national_id(index: int) -> str:
    """A valid citizen ID (checksum included) different for every index."""
    body = f"1{index:08d}"
    return next(body + digit for digit in "0123456789" if national_id_checksum_ok(body + digit))


@dataclass
class Cluster:
    """The running cluster: the load balancer, each replica, the stores."""

    lb: Bot
    replicas: list[Bot]
    work: Path
    database_url: str
    tracker_store_url: str
    event_queue: str
    actions_port: int

    def state(self) -> dict:
        return json.loads((self.work / "state.json").read_text())

    def pid(self, member: str) -> int:
        return self.state()[member]["pid"]

    def wait_until(self, condition, what: str, timeout: float = 240) -> None:  # noqa: ANN001
        """Poll `condition` (the cluster restarting something is not instantaneous)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, KeyError, ValueError):
                if condition():
                    return
            time.sleep(0.25)
        raise AssertionError(f"timed out waiting for {what}")

    def wait_ready(self, bot: Bot) -> None:
        def ready() -> bool:
            with urllib.request.urlopen(f"{bot.rasa_url}/status", timeout=2) as response:
                return bool(json.loads(response.read()).get("model_file"))

        self.wait_until(ready, f"{bot.rasa_url} to serve the model")


def _create_database(name: str) -> str:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def _drop_database(name: str) -> None:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train`")
    if not Path(NGINX).exists():
        pytest.fail(f"nginx not found at {NGINX}: run `make cluster` once or set BALAGH_NGINX")
    work = tmp_path_factory.mktemp("cluster")
    suffix = uuid.uuid4().hex[:8]
    reports_db, conversations_db = f"balagh_cl_{suffix}", f"balagh_cl_conv_{suffix}"
    database_url = _create_database(reports_db)
    tracker_store_url = _create_database(conversations_db)
    replica_ports = [free_port(), free_port()]
    lb_port, actions_port, desk_port = free_port(), free_port(), free_port()
    queue = f"balagh.events.test.{suffix}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "BALAGH_DATABASE_URL": database_url,
        "BALAGH_TRACKER_STORE_URL": tracker_store_url,
        "BALAGH_LOCK_STORE_URL": "redis://127.0.0.1:6379/1",
        "BALAGH_EVENT_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672/",
        "BALAGH_EVENT_QUEUE": queue,
        "BALAGH_SOCKETIO_REDIS_URL": "redis://127.0.0.1:6379/2",
        "BALAGH_CLUSTER_DIR": str(work),
        "BALAGH_CLUSTER_PORT": str(lb_port),
        "BALAGH_CLUSTER_REPLICA_PORTS": ",".join(map(str, replica_ports)),
        "BALAGH_ACTIONS_PORT": str(actions_port),
        "BALAGH_DESK_PORT": str(desk_port),
        "BALAGH_NGINX": NGINX,
        "BALAGH_STAFF_TOKEN": "test-staff-token",
        "BALAGH_AGENT_HOURS": "always",
        "BALAGH_DISPATCH_INTERVAL": "0.2",
        "BALAGH_SCHEDULER_INTERVAL": "3600",
        "BALAGH_WEBCHAT_SECRET": "cluster-webchat-secret",
        "BALAGH_INTERNAL_TOKEN": "cluster-internal-token",
        "BALAGH_MEDIA_DIR": str(work / "media"),
    }
    with open(work / "cluster.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cluster", "--model", str(MODEL)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    desk = f"http://127.0.0.1:{desk_port}"
    running = Cluster(
        lb=Bot(f"http://127.0.0.1:{lb_port}", database_url, desk),
        replicas=[Bot(f"http://127.0.0.1:{p}", database_url, desk) for p in replica_ports],
        work=work,
        database_url=database_url,
        tracker_store_url=tracker_store_url,
        event_queue=queue,
        actions_port=actions_port,
    )
    try:
        for replica in running.replicas:
            running.wait_ready(replica)

        def desk_and_lb_up() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"balagh cluster exited with {process.returncode}")
            urllib.request.urlopen(f"{desk}/health", timeout=2).close()
            urllib.request.urlopen(f"{running.lb.rasa_url}/lb-health", timeout=2).close()
            return True

        running.wait_until(desk_and_lb_up, "the desk and the load balancer")
        yield running
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        from bot.store.database import dispose

        dispose(database_url)
        for name in (reports_db, conversations_db):
            _drop_database(name)
        with contextlib.suppress(Exception):
            import pika

            connection = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1"))
            connection.channel().queue_delete(queue)
            connection.close()


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
