"""Start `balagh cluster` on fresh stores and free loopback ports, and clean up after it:
shared by the cluster tests and the benchmarks (`bench/topology.py`). Redis is a private
`redis-server` of the cluster's own (no persistence), so a fault test can stop and start
it without touching anything else on the machine."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.ops.processes import is_listening, wait_for_port
from bot.store.database import Store, shared_store
from tests.conftest import AMQP_URL, POSTGRES_ADMIN_URL, delete_queue
from tests.e2e.conftest import ACTIONS_TOKEN, API_TOKEN, free_port, stop_process_group

ROOT = Path(__file__).resolve().parents[2]
# The cluster's REST channel is open at the edge, with this bearer token.
REST_TOKEN = "cluster-rest-token"


@dataclass
class LaunchedCluster:
    """Where the parts of a running cluster are, and the stores it writes to."""

    lb_url: str
    replica_urls: list[str]
    desk_url: str
    database_url: str
    tracker_store_url: str
    event_queue: str
    actions_port: int
    internal_port: int
    work: Path
    process: subprocess.Popen
    redis_port: int
    redis: subprocess.Popen | None = None

    def start_redis(self) -> None:
        """The cluster's Redis again, on the same port (empty: it keeps nothing on disk)."""
        self.redis = redis_server(self.redis_port, self.work)

    def stop_redis(self) -> None:
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(timeout=30)
            self.redis = None
        self.wait_until(lambda: not is_listening(self.redis_port), "Redis to stop", 30)

    @property
    def store(self) -> Store:
        """The reports store the cluster files into."""
        return shared_store(self.database_url)

    def state(self) -> dict:
        return json.loads((self.work / "state.json").read_text())

    def pid(self, member: str) -> int:
        return self.state()[member]["pid"]

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = 240) -> None:
        """Poll `condition` (the cluster starting or restarting something takes a while)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"balagh cluster exited with {self.process.returncode}")
            with contextlib.suppress(OSError, KeyError, ValueError):
                if condition():
                    return
            time.sleep(0.25)
        raise AssertionError(f"timed out waiting for {what}")

    def wait_ready(self, replica_url: str, timeout: float = 240) -> None:
        def ready() -> bool:
            url = f"{replica_url}/status?token={API_TOKEN}"
            with urllib.request.urlopen(url, timeout=2) as response:
                return bool(json.loads(response.read()).get("model_file"))

        self.wait_until(ready, f"{replica_url} to serve the model", timeout)


def redis_server(port: int, work: Path) -> subprocess.Popen:
    """A private `redis-server` on 127.0.0.1:`port`, without persistence, once it listens."""
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no", "--dir", str(work)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for_port(port, process, 30)
    return process


def _admin(statement: str, admin_url: str = POSTGRES_ADMIN_URL) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


@contextlib.contextmanager
def launched_cluster(
    model: Path,
    work: Path,
    extra_env: dict[str, str] | None = None,
    replicas: int = 2,
    postgres_admin_url: str = POSTGRES_ADMIN_URL,
    amqp_url: str = AMQP_URL,
) -> Iterator[LaunchedCluster]:
    """Fresh PostgreSQL databases and RabbitMQ queue; everything dropped afterwards. The
    machine's services unless given others (the soak's own, `tests/helpers/private_services.py`)."""
    suffix = uuid.uuid4().hex[:8]
    databases = [f"balagh_cl_{suffix}", f"balagh_cl_conv_{suffix}"]
    for name in databases:
        _admin(f'CREATE DATABASE "{name}"', postgres_admin_url)
    base = postgres_admin_url.rsplit("/", 1)[0]
    database_url, tracker_store_url = (f"{base}/{name}" for name in databases)
    replica_ports = [free_port() for _ in range(replicas)]
    lb_port, actions_port, desk_port = free_port(), free_port(), free_port()
    internal_port = free_port()
    redis_port = free_port()
    queue = f"balagh.events.test.{suffix}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "BALAGH_DATABASE_URL": database_url,
        "BALAGH_TRACKER_STORE_URL": tracker_store_url,
        "BALAGH_LOCK_STORE_URL": f"redis://127.0.0.1:{redis_port}/1",
        "BALAGH_EVENT_BROKER_URL": amqp_url,
        "BALAGH_EVENT_QUEUE": queue,
        "BALAGH_SOCKETIO_REDIS_URL": f"redis://127.0.0.1:{redis_port}/2",
        "BALAGH_CLUSTER_DIR": str(work),
        "BALAGH_CLUSTER_PORT": str(lb_port),
        "BALAGH_CLUSTER_INTERNAL_PORT": str(internal_port),
        "BALAGH_RASA_API_TOKEN": API_TOKEN,
        "BALAGH_ACTIONS_TOKEN": ACTIONS_TOKEN,
        "BALAGH_REST_TOKEN": REST_TOKEN,
        "BALAGH_CLUSTER_REPLICA_PORTS": ",".join(map(str, replica_ports)),
        "BALAGH_ACTIONS_PORT": str(actions_port),
        "BALAGH_DESK_PORT": str(desk_port),
        "BALAGH_MEDIA_DIR": str(work / "media"),
        # One-time codes to a file the tests read, without hourly limits (many citizens
        # come from the one loopback address).
        "BALAGH_OTP_OUTBOX": str(work / "otp.log"),
        "BALAGH_OTP_PER_MOBILE": "100000",
        "BALAGH_OTP_PER_CLIENT": "100000",
        **(extra_env or {}),
    }
    redis = redis_server(redis_port, work)
    command = [sys.executable, "-m", "bot.ops.cluster", "--model", str(model)]
    with open(work / "cluster.log", "w") as log:
        process = subprocess.Popen(
            [*command, "--replicas", str(replicas)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    launched = LaunchedCluster(
        lb_url=f"http://127.0.0.1:{lb_port}",
        replica_urls=[f"http://127.0.0.1:{port}" for port in replica_ports],
        desk_url=f"http://127.0.0.1:{desk_port}",
        database_url=database_url,
        tracker_store_url=tracker_store_url,
        event_queue=queue,
        actions_port=actions_port,
        internal_port=internal_port,
        work=work,
        process=process,
        redis_port=redis_port,
        redis=redis,
    )
    try:
        for url in launched.replica_urls:
            launched.wait_ready(url, timeout=600)

        def desk_and_lb_up() -> bool:
            urllib.request.urlopen(f"{launched.desk_url}/health", timeout=2).close()
            urllib.request.urlopen(f"{launched.lb_url}/lb-health", timeout=2).close()
            return True

        launched.wait_until(desk_and_lb_up, "the desk and the load balancer")
        yield launched
    finally:
        stop_process_group(process, signal_name="SIGTERM")
        if launched.redis is not None:
            launched.redis.terminate()
            launched.redis.wait(timeout=30)
        shared_store(database_url).dispose()  # before its database is dropped
        for name in databases:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', postgres_admin_url)
        with contextlib.suppress(Exception):  # the broker may be the thing that failed
            delete_queue(queue, amqp_url)
