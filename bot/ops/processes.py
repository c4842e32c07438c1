"""The command lines of Balagh's processes, shared by `balagh run` and `balagh cluster`
(and mirrored by docker-compose.yml), and waiting for them to listen."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
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
