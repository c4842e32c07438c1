"""`balagh cluster` (`make cluster`): the production topology as local processes.

The same processes as docker-compose.yml, on this machine, against the local
PostgreSQL, Redis and RabbitMQ: the action server, N Rasa replicas (PostgreSQL tracker
store, atomic Redis lock store, RabbitMQ event broker, socket.io Redis manager), the desk
and nginx in front of the replicas. Like Docker's `restart: on-failure`, a process that
crashes (killed, non-zero exit) is started again; one stopped cleanly (SIGTERM, exit 0)
stays down until the cluster gets SIGHUP (like `docker compose up` after a `stop`).
`var/cluster/state.json` tells which pid serves which port (the fault tests read it).
Ctrl-C or SIGTERM stops every process within seconds, in every state
(`bot.ops.processes.stop`: SIGTERM, then SIGKILL after `STOP_GRACE`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.ops.load_balancer import render_local
from bot.ops.processes import (
    actions_command,
    desk_command,
    latest_model,
    process_env,
    rasa_command,
    signals_held,
    spawn,
    stop,
    stop_on_signals,
    wait_for_port,
)
from bot.ops.server_config import render_credentials, render_endpoints
from bot.private import open_private_append, private_dir
from bot.settings import ROOT, Settings, settings_or_exit
from bot.store.database import Store

DEFAULTS = {
    "BALAGH_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/balagh",
    "BALAGH_TRACKER_STORE_URL": "postgresql://postgres@127.0.0.1:5432/balagh_conversations",
    "BALAGH_LOCK_STORE_URL": "redis://127.0.0.1:6379/1",
    "BALAGH_EVENT_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672/",
    "BALAGH_SOCKETIO_REDIS_URL": "redis://127.0.0.1:6379/2",
}


@dataclass
class Member:
    """One supervised process of the cluster."""

    name: str
    command: list[str]
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    restarts: int = 0
    stopped: bool = field(default=False)

    def start(self) -> None:
        with open_private_append(self.log) as log:  # 0600: logs may quote what users typed
            with signals_held():  # recorded before a stop can look for it
                self.process = spawn(
                    self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
                )

    def check(self) -> bool:
        """Restart after a crash; True if the state changed."""
        if self.process is None or self.stopped:
            return False
        code = self.process.poll()
        if code is None:
            return False
        if code == 0:
            print(f"{self.name} stopped cleanly: left down", flush=True)
            self.stopped = True
            return True
        self.restarts += 1
        print(f"{self.name} exited with {code}: restarting", flush=True)
        self.start()
        return True


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of `url` if it does not exist (first start)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def replica_ports(settings: Settings, replicas: int) -> list[int]:
    ports = list(settings.cluster_replica_ports)
    if ports:
        if len(ports) != replicas:
            raise SystemExit("BALAGH_CLUSTER_REPLICA_PORTS must list one port per replica")
        return ports
    return [settings.rasa_port + index for index in range(replicas)]


def members(settings: Settings, replicas: int, model: Path, work: Path) -> list[Member]:
    """Every process of the cluster, with its command and port."""
    ports = replica_ports(settings, replicas)
    listen = settings.cluster_port
    internal = settings.cluster_internal_port
    desk_port = settings.desk_port
    env = process_env()
    credentials = render_credentials(settings, work / "credentials.yml")
    endpoints = render_endpoints(settings, work / "endpoints.yml")
    nginx_conf = work / "nginx.conf"
    nginx_conf.write_text(
        render_local(ports, listen, work / "nginx", desk_port, internal), encoding="utf-8"
    )
    cluster: list[Member] = [
        Member(
            "actions",
            actions_command(settings.actions_port),
            settings.actions_port,
            env,
            work / "actions.log",
        ),
    ]
    for index, port in enumerate(ports, start=1):
        cluster.append(
            Member(
                f"rasa-{index}",
                rasa_command(settings, model, endpoints, credentials, port),
                port,
                env,
                work / f"rasa-{index}.log",
            )
        )
    # The desk reaches the replicas through nginx's internal listener, not the edge.
    desk_env = process_env(BALAGH_RASA_URL=f"http://127.0.0.1:{internal}")
    cluster.append(Member("desk", desk_command(), desk_port, desk_env, work / "desk.log"))
    nginx = settings.nginx
    cluster.append(
        Member(
            "nginx",
            [nginx, "-c", str(nginx_conf), "-p", str(work / "nginx")],
            listen,
            env,
            work / "nginx.log",
        )
    )
    return cluster


def write_state(path: Path, cluster: list[Member]) -> None:
    state: dict = {"supervisor": {"pid": os.getpid()}}
    state |= {
        member.name: {
            "pid": member.process.pid if member.process else None,
            "port": member.port,
            "restarts": member.restarts,
            "stopped": member.stopped,
        }
        for member in cluster
    }
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, indent=2))
    temporary.replace(path)  # readers never see half a file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="balagh cluster", description=__doc__)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--model", help="model archive (default: newest in models/)")
    args = parser.parse_args(argv)
    for variable, default in DEFAULTS.items():
        os.environ.setdefault(variable, default)  # the children inherit them too
    settings = settings_or_exit("balagh cluster")
    settings.refuse_any_origin("balagh cluster")
    settings.refuse_outbox_codes("balagh cluster")
    settings.generate_secrets()
    work = settings.cluster_dir
    private_dir(work, tighten=True)
    for url in (settings.database_url, settings.tracker_store_url):
        ensure_database(url)
    store = Store(settings.database_url)
    store.upgrade()
    store.dispose()
    model = Path(args.model) if args.model else latest_model(settings.model_dir)
    cluster = members(settings, args.replicas, model, work)
    state = work / "state.json"

    def stop_cluster() -> None:
        started = {m.name: m.process for m in cluster if m.process is not None}
        stop(started.values(), names={process.pid: name for name, process in started.items()})

    stop_on_signals(hangup=False)  # SIGTERM as Ctrl-C: `finally` stops every member
    start_stopped = False

    def on_hangup(*_: object) -> None:
        nonlocal start_stopped
        start_stopped = True

    signal.signal(signal.SIGHUP, on_hangup)
    try:
        for member in cluster:
            member.start()
        write_state(state, cluster)
        for member in cluster:
            assert member.process is not None
            wait_for_port(member.port, member.process, 300)
        listen = cluster[-1].port
        replicas = ", ".join(str(m.port) for m in cluster if m.name.startswith("rasa"))
        print(
            f"\nBalagh cluster is running ({args.replicas} Rasa replicas behind nginx).\n"
            f"  Edge:          http://127.0.0.1:{listen}  (channels, /console, /api/)\n"
            f"  Replicas:      {replicas}\n"
            f"  Desk:          http://127.0.0.1:{cluster[-2].port}\n"
            f"  Logs and state: {work}    Stop: Ctrl-C\n",
            flush=True,
        )
        while True:
            changed = any([member.check() for member in cluster])
            if start_stopped:
                start_stopped = False
                for member in cluster:
                    if member.stopped:
                        print(f"starting {member.name} again", flush=True)
                        member.stopped = False
                        member.start()
                        changed = True
            if changed:
                write_state(state, cluster)
            time.sleep(0.2)
    except KeyboardInterrupt:
        return 0
    finally:
        stop_cluster()


if __name__ == "__main__":
    sys.exit(main())
