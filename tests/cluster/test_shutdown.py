"""Ctrl-C or SIGTERM stops every process of `balagh cluster` and `balagh run` within 10
seconds, in every state: running with RabbitMQ gone while the desk's event relay
reconnects, starting (Rasa still loading its model), and with a member that does not
answer SIGTERM (killed after `STOP_GRACE`). Each test watches every process the supervisor
started, grandchildren included (nginx's workers), through a pidfd opened before the
signal, so an exit is waited for (with the time left) rather than slept on."""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aio_pika
import pytest

from bot.ops.processes import STOP_GRACE, is_listening
from tests.cluster.conftest import NGINX
from tests.cluster.launcher import launched_cluster
from tests.conftest import AMQP_URL
from tests.e2e.conftest import ACTIONS_TOKEN, API_TOKEN, MODEL, ROOT, free_port
from tests.helpers.broker import BrokerProxy

pytestmark = pytest.mark.cluster

LIMIT = 10.0  # seconds from the signal until no process is left


def descendants(root: int) -> dict[int, str]:
    """Every process under `root` (children, their children...), with its command line."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    found: dict[int, str] = {}
    pending = [root]
    while pending:
        for child in children.get(pending.pop(), []):
            with contextlib.suppress(OSError):
                found[child] = (Path("/proc") / str(child) / "cmdline").read_bytes()
                found[child] = found[child].replace(b"\0", b" ").decode().strip()
                pending.append(child)
    return found


@contextlib.contextmanager
def watched(pids: dict[int, str]) -> Iterator[dict[int, int]]:
    """A pidfd per process (readable once it has exited; immune to pid reuse)."""
    pidfds: dict[int, int] = {}
    try:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                pidfds[pid] = os.pidfd_open(pid)
        yield pidfds
    finally:
        for fd in pidfds.values():
            os.close(fd)


def stop_and_time(supervisor: subprocess.Popen, signal_number: int, group: bool) -> float:
    """Signal the supervisor (its whole process group, as a terminal's Ctrl-C does, when
    `group`), and assert that it and every process under it are gone within `LIMIT`
    seconds; the seconds it took."""
    tree = descendants(supervisor.pid)
    assert tree, "the supervisor has no children to stop"
    with watched(tree) as pidfds:
        started = time.monotonic()
        deadline = started + LIMIT
        if group:
            os.killpg(supervisor.pid, signal_number)
        else:
            supervisor.send_signal(signal_number)
        try:
            supervisor.wait(timeout=LIMIT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the supervisor was still running {LIMIT:.0f}s after the signal")
        left = []
        for pid, fd in pidfds.items():
            exited, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not exited:
                left.append(f"{pid} {tree[pid]}")
        took = time.monotonic() - started
    assert not left, f"still running {LIMIT:.0f}s after the signal: {left}"
    print(f"{len(tree)} processes stopped {took:.1f}s after the signal")  # with `pytest -s`
    return took


def queue_declared(name: str) -> bool:
    """The queue exists on the real RabbitMQ (declared by the relay through the proxy)."""

    async def declared() -> bool:
        connection = await aio_pika.connect(AMQP_URL)
        async with connection:
            channel = await connection.channel()
            try:
                await channel.declare_queue(name, passive=True)
            except aio_pika.exceptions.ChannelClosed:
                return False
            return True

    return asyncio.run(declared())


def test_the_cluster_stops_within_10s_on_sigterm_while_the_relay_reconnects(tmp_path):
    """RabbitMQ goes away while the cluster runs (the issue: the desk then took more than
    25 seconds to stop); every member stops by itself, none has to be killed."""
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train`")
    if not Path(NGINX).exists():
        pytest.fail(f"nginx not found at {NGINX}: run `make cluster` once or set BALAGH_NGINX")
    broker = BrokerProxy()
    extra_env = {
        "BALAGH_NGINX": NGINX,
        "BALAGH_STAFF_TOKEN": "test-staff-token",
        "BALAGH_SCHEDULER_INTERVAL": "3600",
        "BALAGH_EVENT_BROKER_URL": broker.url,
    }
    try:
        with launched_cluster(MODEL, tmp_path, extra_env, replicas=1) as launched:
            launched.wait_until(
                lambda: queue_declared(launched.event_queue), "the relay to connect", 60
            )
            broker.stop()
            assert broker.refused.wait(30), "the relay did not try to reconnect"
            state = launched.state()
            members = {entry["pid"] for name, entry in state.items() if name != "supervisor"}
            assert members <= set(descendants(launched.process.pid))  # all of them watched
            took = stop_and_time(launched.process, signal.SIGTERM, group=False)
            log = (launched.work / "cluster.log").read_text()
            assert "killed" not in log, f"a member had to be killed ({took:.1f}s):\n{log}"
            assert launched.process.returncode == 0
    finally:
        broker.close()


@contextlib.contextmanager
def balagh_run(work: Path, extra_env: dict[str, str]) -> Iterator[tuple[subprocess.Popen, int]]:
    """`balagh run` on SQLite and free ports, as `make run` starts it; (process, desk port)
    once the desk listens (Rasa may still be loading its model)."""
    desk_port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "BALAGH_RASA_PORT": str(free_port()),
        "BALAGH_ACTIONS_PORT": str(free_port()),
        "BALAGH_DESK_PORT": str(desk_port),
        "BALAGH_DATABASE_URL": f"sqlite:///{work / 'reports.db'}",
        "BALAGH_TRACKER_STORE_URL": f"sqlite:///{work / 'conversations.db'}",
        "BALAGH_STAFF_TOKEN": "test-staff-token",
        "BALAGH_RASA_API_TOKEN": API_TOKEN,
        "BALAGH_ACTIONS_TOKEN": ACTIONS_TOKEN,
        "BALAGH_SCHEDULER_INTERVAL": "3600",
        **extra_env,
    }
    with open(work / "balagh.log", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.ops.cli", "run", "--model", str(MODEL)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while not is_listening(desk_port):
            assert process.poll() is None, (work / "balagh.log").read_text()
            assert time.monotonic() < deadline, "the desk never listened"
            time.sleep(0.2)
        yield process, desk_port
    finally:
        if process.poll() is None:  # the test failed: leave nothing behind
            for pid in descendants(process.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def desk_pid(supervisor: subprocess.Popen) -> int:
    [pid] = [pid for pid, command in descendants(supervisor.pid).items() if "bot.desk" in command]
    return pid


def test_make_run_stops_within_10s_on_ctrl_c_while_the_relay_reconnects(tmp_path):
    """`balagh run` with the relay pointed at a port where nothing listens (RabbitMQ down),
    Rasa still loading: Ctrl-C (SIGINT to the terminal's process group)."""
    nowhere = free_port()
    with balagh_run(tmp_path, {"BALAGH_EVENT_BROKER_URL": f"amqp://127.0.0.1:{nowhere}/"}) as (
        supervisor,
        _,
    ):
        log = tmp_path / "balagh.log"
        deadline = time.monotonic() + 60
        while "event relay failed" not in log.read_text():  # it is reconnecting
            assert time.monotonic() < deadline, "the relay never tried RabbitMQ"
            time.sleep(0.2)
        stop_and_time(supervisor, signal.SIGINT, group=True)
        assert "killed" not in log.read_text(), log.read_text()


def test_a_process_that_ignores_sigterm_is_killed_within_10s(tmp_path):
    """The desk stopped dead (SIGSTOP: it cannot handle SIGTERM): SIGTERM to `balagh run`
    still ends everything within 10 s, the desk killed after the grace."""
    with balagh_run(tmp_path, {}) as (supervisor, _):
        os.kill(desk_pid(supervisor), signal.SIGSTOP)
        took = stop_and_time(supervisor, signal.SIGTERM, group=False)
        assert took >= STOP_GRACE
        assert (
            f"desk did not stop within {STOP_GRACE:.0f}s of SIGTERM: killed"
            in (tmp_path / "balagh.log").read_text()
        )
