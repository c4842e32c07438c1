"""Start `balagh cluster` for a benchmark run: fresh PostgreSQL databases, free ports,
the given model; stopped and cleaned up afterwards."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.e2e.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN_URL = os.environ.get(
    "BALAGH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class Running:
    lb_url: str
    replica_urls: list[str]
    work: Path

    def pid(self, member: str) -> int:
        return json.loads((self.work / "state.json").read_text())[member]["pid"]

    def rss_mib(self, member: str) -> float:
        """Resident memory of a process of the cluster (MiB)."""
        for line in Path(f"/proc/{self.pid(member)}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def _admin(statement: str) -> None:
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


def _wait(url: str, process: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"balagh cluster exited with {process.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2) as response:
                body = response.read()
                if b"model_file" in body or url.endswith("lb-health"):
                    return
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up")


@contextlib.contextmanager
def cluster(model: Path, replicas: int = 2) -> Iterator[Running]:
    suffix = uuid.uuid4().hex[:8]
    databases = [f"balagh_bench_{suffix}", f"balagh_bench_conv_{suffix}"]
    for name in databases:
        _admin(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    ports = [free_port() for _ in range(replicas)]
    lb, actions, desk = free_port(), free_port(), free_port()
    work = Path(tempfile.mkdtemp(prefix="balagh-bench-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "BALAGH_DATABASE_URL": f"{base}/{databases[0]}",
        "BALAGH_TRACKER_STORE_URL": f"{base}/{databases[1]}",
        "BALAGH_EVENT_QUEUE": f"balagh.events.bench.{suffix}",
        "BALAGH_CLUSTER_DIR": str(work),
        "BALAGH_CLUSTER_PORT": str(lb),
        "BALAGH_CLUSTER_REPLICA_PORTS": ",".join(map(str, ports)),
        "BALAGH_ACTIONS_PORT": str(actions),
        "BALAGH_DESK_PORT": str(desk),
        "BALAGH_STAFF_TOKEN": "bench",
        "BALAGH_SCHEDULER_INTERVAL": "3600",
        "BALAGH_MEDIA_DIR": str(work / "media"),
    }
    with open(work / "cluster.log", "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.cluster",
                "--model",
                str(model),
                "--replicas",
                str(replicas),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url in urls:
            _wait(f"{url}/status", process)
        _wait(f"http://127.0.0.1:{lb}/lb-health", process)
        yield Running(f"http://127.0.0.1:{lb}", urls, work)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        for name in databases:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
