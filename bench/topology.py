"""Start `balagh cluster` for a benchmark run (the cluster tests' launcher: fresh
PostgreSQL databases and RabbitMQ queue, free ports; cleaned up afterwards)."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.cluster.launcher import ROOT, LaunchedCluster, launched_cluster

__all__ = ["ROOT", "Running", "cluster"]


@dataclass
class Running:
    lb_url: str
    replica_urls: list[str]
    launched: LaunchedCluster

    def rss_mib(self, member: str) -> float:
        """Resident memory of a process of the cluster (MiB)."""
        status = Path(f"/proc/{self.launched.pid(member)}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


@contextlib.contextmanager
def cluster(model: Path, replicas: int = 2) -> Iterator[Running]:
    work = Path(tempfile.mkdtemp(prefix="balagh-bench-"))
    extra_env = {"BALAGH_STAFF_TOKEN": "bench", "BALAGH_SCHEDULER_INTERVAL": "3600"}
    with launched_cluster(model, work, extra_env, replicas) as launched:
        yield Running(launched.lb_url, launched.replica_urls, launched)
