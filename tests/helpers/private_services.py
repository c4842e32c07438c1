"""A PostgreSQL and a RabbitMQ of a run's own, on free loopback ports, from the machine's
Debian packages (the binaries `scripts/services.sh` installs), so that a fault test or the
soak can stop and start them without taking the machine's services away from anything else
running on it (the other tests, another session's CI).

Both are plain child processes of the caller, in a folder of its own: `stop()` is a clean
shutdown (SIGINT for PostgreSQL's fast shutdown, SIGTERM for RabbitMQ), `start()` brings the
same data back. As root, PostgreSQL runs as the `postgres` user (it refuses root);
RabbitMQ runs as the caller with the folder as its HOME (its Erlang cookie lives there)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.ops.processes import is_listening, wait_for_port
from tests.e2e.conftest import free_port, stop_process_group

POSTGRES_BIN = Path("/usr/lib/postgresql")
RABBITMQ_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's `bin` folder (`initdb`, `postgres`)."""
    versions = sorted(
        (p for p in POSTGRES_BIN.glob("*/bin/postgres")), key=lambda p: int(p.parts[-3])
    )
    if not versions:
        raise RuntimeError("PostgreSQL is not installed: run `make services`")
    return versions[-1].parent


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _stop(process: subprocess.Popen | None, signal_name: str) -> None:
    if process is not None and process.poll() is None:
        stop_process_group(process, signal_name)


@dataclass
class PrivatePostgres:
    """`initdb` once, then `postgres` on 127.0.0.1:`port`, trust for user postgres."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def init(self) -> None:
        """As root the folder belongs to `postgres`, and must be in a place that user can
        reach: `private_services` makes it directly under the system's temporary folder."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        done = subprocess.run(
            _as_postgres(
                [str(postgres_bin() / "initdb"), "-D", str(self.data), "-U", "postgres"]
                + ["-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
            ),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> None:
        with open(self.folder / "postgres.log", "ab") as log:
            self.process = subprocess.Popen(
                _as_postgres(
                    [str(postgres_bin() / "postgres"), "-D", str(self.data)]
                    + ["-p", str(self.port), "-k", str(self.folder)]
                    + ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"]
                ),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(self.port, self.process, 60)

    def stop(self) -> None:
        _stop(self.process, "SIGINT")  # fast shutdown: sessions ended, data kept
        self.process = None

    def serving(self) -> bool:
        return is_listening(self.port)


@dataclass
class PrivateRabbitMQ:
    """`rabbitmq-server` as node `balagh-<port>@localhost`, no plugins, guest/guest."""

    folder: Path
    port: int = field(default_factory=free_port)
    dist_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _env(self) -> dict[str, str]:
        folder = str(self.folder)
        return {
            **os.environ,
            "HOME": folder,
            "RABBITMQ_NODENAME": f"balagh-{self.port}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": f"{folder}/mnesia",
            "RABBITMQ_LOG_BASE": f"{folder}/log",
            "RABBITMQ_ENABLED_PLUGINS_FILE": f"{folder}/enabled_plugins",
            "RABBITMQ_CONFIG_FILE": f"{folder}/rabbitmq",
            "RABBITMQ_ADVANCED_CONFIG_FILE": f"{folder}/advanced.config",
            "RABBITMQ_CONF_ENV_FILE": f"{folder}/rabbitmq-env.conf",
        }

    def start(self) -> None:
        if not RABBITMQ_SERVER.exists():
            raise RuntimeError("RabbitMQ is not installed: run `make services`")
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "enabled_plugins").write_text("[].\n")
        with open(self.folder / "rabbitmq.log", "ab") as log:
            self.process = subprocess.Popen(
                [str(RABBITMQ_SERVER)],
                cwd=self.folder,
                env=self._env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(self.port, self.process, 120)

    def stop(self) -> None:
        _stop(self.process, "SIGTERM")
        self.process = None

    def serving(self) -> bool:
        return is_listening(self.port)


@contextlib.contextmanager
def private_services(folder: Path) -> Iterator[tuple[PrivatePostgres, PrivateRabbitMQ]]:
    """Both started, stopped and removed after (`folder` holds RabbitMQ's; PostgreSQL's is
    a folder of its own under the system's temporary folder, see `PrivatePostgres.init`)."""
    postgres = PrivatePostgres(Path(tempfile.mkdtemp(prefix="balagh-postgres-")))
    rabbitmq = PrivateRabbitMQ(folder / "rabbitmq")
    try:
        postgres.init()
        postgres.start()
        rabbitmq.start()
        yield postgres, rabbitmq
    finally:
        rabbitmq.stop()
        postgres.stop()
        shutil.rmtree(postgres.folder, ignore_errors=True)
