"""The command lines of Balagh's processes, shared by `balagh run` and `balagh cluster`
(and mirrored by docker-compose.yml), waiting for them to listen, and starting and stopping
them as a supervisor must.

Stopping: Ctrl-C (SIGINT) or SIGTERM to `balagh run` or `balagh cluster` stops every
process it started within `STOP_GRACE` seconds plus a moment, in every state (starting,
running, a dependency away). Each child runs in its own process group (session), so the
terminal's Ctrl-C reaches only the supervisor, which sends SIGTERM to every group at once,
waits at most `STOP_GRACE` seconds, and then kills (SIGKILL) the groups still there,
grandchildren included (nginx's workers). A child also gets SIGTERM if its supervisor dies
(`PR_SET_PDEATHSIG`)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from bot.settings import ROOT, Settings

PYTHON = sys.executable


def process_env(**overrides: str) -> dict[str, str]:
    """The environment every child gets: ours, plus what Rasa needs to stay offline."""
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
        **overrides,
    }


def actions_command(port: int) -> list[str]:
    """rasa_sdk's action server behind its token (`bot/actions/server.py`)."""
    return [PYTHON, "-m", "bot.actions.server", "-p", str(port)]


def rasa_command(
    settings: Settings, model: Path, endpoints: Path, credentials: Path, port: int
) -> list[str]:
    """Rasa's server through `bot.server.rasa_server` (action-outage apology, DB reconnects).

    The HTTP API is always on and always behind its token, which `bot.server.rasa_server` adds
    itself (`BALAGH_RASA_API_TOKEN`, kept out of the command line that `ps` shows); CORS
    answers only the widget's origins (`BALAGH_WEBCHAT_ORIGINS`)."""
    command = [
        PYTHON,
        "-m",
        "bot.server.rasa_server",
        "run",
        "-m",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
        "-p",
        str(port),
        "-i",
        settings.rasa_host,
        "--enable-api",
        "--log-file",
        str(ROOT / "var" / f"rasa-{port}.log"),
        "--cors",
        *settings.webchat_origins,
    ]
    return command


def desk_command() -> list[str]:
    return [PYTHON, "-m", "bot.desk.main"]


def latest_model(model_dir: Path) -> Path:
    models = sorted(model_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit(f"no trained model in {model_dir}: run `make train`")
    return models[-1]


def is_listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for_port(port: int, process: subprocess.Popen, timeout: float) -> None:
    """Block until something listens on 127.0.0.1:port, or fail if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"process exited with code {process.returncode} before listening")
        if is_listening(port):
            return
        time.sleep(0.2)
    raise SystemExit(f"nothing listening on port {port} after {timeout:.0f}s")


# Seconds between SIGTERM and SIGKILL when stopping the children: each process stops by
# itself in about a second; a stuck one is killed, so the whole stop stays under 10 s.
STOP_GRACE = 6.0
# The signals that stop a supervisor (held while a child is being started).
STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _libc_prctl() -> Callable[..., int] | None:
    with contextlib.suppress(OSError, AttributeError):
        return ctypes.CDLL(None, use_errno=True).prctl
    return None


_PRCTL = _libc_prctl() if sys.platform.startswith("linux") else None


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP (delivered when the block ends): a stop that arrives
    while a child is being started waits until the child is recorded, so none is missed."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def spawn(command: list[str], **popen: object) -> subprocess.Popen:
    """Start a supervised child in a session (process group) of its own, with the stop
    signals unblocked, and SIGTERM when its supervisor dies. Record the result inside a
    `signals_held()` block."""
    parent = os.getpid()

    def in_child() -> None:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        if _PRCTL is not None:
            _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
            if os.getppid() != parent:  # the supervisor died before prctl took effect
                os.kill(os.getpid(), signal.SIGTERM)

    with signals_held():
        return subprocess.Popen(command, start_new_session=True, preexec_fn=in_child, **popen)


def stop_on_signals(hangup: bool = True) -> None:
    """SIGTERM (and SIGHUP, unless the supervisor gives it another meaning) interrupt the
    supervisor as Ctrl-C does, with `KeyboardInterrupt`, so that its `finally` stops the
    children."""
    signals = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hangup else [])
    for signal_number in signals:
        signal.signal(signal_number, signal.default_int_handler)


def stop(
    processes: Iterable[subprocess.Popen],
    grace: float = STOP_GRACE,
    names: dict[int, str] | None = None,
) -> list[str]:
    """Stop children started with `spawn`: SIGTERM to every one's process group at once,
    then SIGKILL to the groups of those still running after `grace` seconds (and to every
    group, for grandchildren left behind); the children are reaped before it returns.
    Further Ctrl-C, SIGTERM or SIGHUP are ignored meanwhile (the stop is bounded). Returns the
    names (`names`: pid -> name) of the processes that had to be killed."""
    for signal_number in STOP_SIGNALS:
        signal.signal(signal_number, signal.SIG_IGN)
    running = [process for process in processes if process.poll() is None]
    for process in running:
        _signal_group(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    killed: list[str] = []
    for process in running:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            killed.append((names or {}).get(process.pid, str(process.pid)))
    # Only the groups of the processes that ran until now: an older group's number may
    # have been given to someone else's.
    for process in running:
        _signal_group(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=2)  # SIGKILL is not refused: at once
    for name in killed:
        print(f"{name} did not stop within {grace:.0f}s of SIGTERM: killed", flush=True)
    return killed


def _signal_group(pid: int, signal_number: int) -> None:
    """Signal the process group `pid` leads (it exists as long as any member does)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal_number)
