"""Start the real Rasa server and action server on free ports with the trained model."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.actions.verification import codes_in_outbox
from bot.store.database import Store, shared_store
from channels.rest import conversation_id
from tests.fakes.twilio_api import FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
# BALAGH_TEST_MODEL: another trained model (a branch's, trained elsewhere) for these tests.
MODEL = Path(os.environ.get("BALAGH_TEST_MODEL") or ROOT / "models" / "balagh.tar.gz")
# Rasa's HTTP API token and the action server's secret in the tests' processes.
API_TOKEN = "test-rasa-api-token"
ACTIONS_TOKEN = "test-actions-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# A step of a scripted conversation: "type the code the bot just sent to 0551234567".
MOBILE_CODE = "<the code sent to +966551234567>"


@dataclass
class Bot:
    """A running Balagh (Rasa + actions) and the database it files reports into."""

    rasa_url: str
    database_url: str
    desk_url: str = ""
    staff_token: str = "test-staff-token"
    api_token: str = API_TOKEN
    rest_token: str = ""  # the REST channel's bearer token, where one is configured
    api_url: str = ""  # where Rasa's HTTP API is reached (the edge does not pass it)
    actions_url: str = ""
    otp_outbox: str = ""  # the development outbox of one-time codes

    def code_for(self, mobile: str = "+966551234567") -> str:
        """The newest one-time code sent to `mobile` (E.164), read from the outbox the
        bot writes (`<ISO time> <mobile> <code>` per line)."""
        codes = codes_in_outbox(self.otp_outbox, mobile)
        assert codes, f"no code was sent to {mobile}"
        return codes[-1]

    def verify_mobile(self, sender: str, mobile: str = "+966551234567") -> str:
        """Answer the mobile's code question with the code sent; the bot's next reply."""
        return self.say(sender, self.code_for(mobile))

    @property
    def store(self) -> Store:
        """The reports store the bot files into (one per database in the test run)."""
        return shared_store(self.database_url)

    @property
    def api(self) -> str:
        return self.api_url or self.rasa_url

    def notices(self, number: str, kind: str, settled: int, timeout: float = 30) -> set:
        """{(route, state)} of a report's `kind` notices once `settled` of them are no longer
        pending (the desk records each route's fate after Twilio or Rasa answered)."""
        deadline = time.monotonic() + timeout
        while True:
            _, report = self.staff("GET", f"/api/reports/{number}")
            mine = [n for n in report["notices"] if n["kind"] == kind]
            if sum(n["state"] != "pending" for n in mine) >= settled:
                return {(n["route"], n["state"]) for n in mine}
            if time.monotonic() > deadline:
                raise AssertionError(f"{kind} notices of {number} still pending: {mine}")
            time.sleep(0.1)

    def staff(self, method: str, path: str, body: dict | None = None, token: str | None = None):
        """Call the staff API; returns (HTTP status, JSON body)."""
        request = urllib.request.Request(
            f"{self.desk_url}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.staff_token if token is None else token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as failure:
            return failure.code, json.loads(failure.read() or b"{}")

    def bot_texts(self, sender: str) -> list[str]:
        """Every bot message of the conversation, in order (from the tracker)."""
        return [e.get("text") or "" for e in self.tracker(sender)["events"] if e["event"] == "bot"]

    def send(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        """Post a user message to the REST channel; return the bot's messages."""
        body = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        headers = {"Content-Type": "application/json"}
        if self.rest_token:
            headers["Authorization"] = f"Bearer {self.rest_token}"
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=json.dumps(body).encode(),
            headers=headers,
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def say(self, sender: str, text: str, metadata: dict | None = None) -> str:
        """The bot's reply texts joined, for assertions on wording. `MOBILE_CODE` in a
        list of steps is typed as the code last sent to 0551234567."""
        if text == MOBILE_CODE:
            text = self.code_for()
        return "\n".join(m.get("text", "") for m in self.send(sender, text, metadata))

    def parse(self, text: str) -> dict:
        request = urllib.request.Request(
            f"{self.api}/model/parse?token={self.api_token}",
            data=json.dumps({"text": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def tracker(self, sender: str) -> dict:
        """The stored conversation of a REST sender (or of a full id: `whatsapp:+…`),
        read through Rasa's API with its token."""
        conversation = sender if ":" in sender else conversation_id(sender)
        quoted = urllib.parse.quote(conversation, safe=":+")
        url = f"{self.api}/conversations/{quoted}/tracker?token={self.api_token}"
        with urllib.request.urlopen(url) as r:
            return json.loads(r.read())


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"balagh run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/status?token={API_TOKEN}", timeout=2) as response:
                if json.loads(response.read()).get("model_file"):
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("Rasa server did not come up")


def _wait_for_desk(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"balagh run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("desk did not come up")


def stop_process_group(process: subprocess.Popen, signal_name: str) -> None:
    """Stop a process started with `start_new_session` and its children (Ctrl-C for
    `balagh run`, SIGTERM for `balagh cluster`); killed if still there after a minute."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, getattr(signal, signal_name))
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def running_bot(
    work: Path, database_url: str, tracker_store_url: str, extra_env: dict | None = None
) -> Iterator[Bot]:
    """`balagh run` on free ports with the given stores; stopped with Ctrl-C at the end."""
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make e2e does it)")
    rasa_port, actions_port, desk_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "BALAGH_RASA_PORT": str(rasa_port),
        "BALAGH_ACTIONS_PORT": str(actions_port),
        "BALAGH_DATABASE_URL": database_url,
        "BALAGH_TRACKER_STORE_URL": tracker_store_url,
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
        "BALAGH_DESK_PORT": str(desk_port),
        "BALAGH_STAFF_TOKEN": "test-staff-token",
        "BALAGH_RASA_API_TOKEN": API_TOKEN,
        "BALAGH_ACTIONS_TOKEN": ACTIONS_TOKEN,
        "BALAGH_DISPATCH_INTERVAL": "0.2",
        # Timed work is driven by the tests with a controlled clock.
        "BALAGH_SCHEDULER_INTERVAL": "3600",
        # Agents are "at their desks" whenever the tests run (hours are unit-tested).
        "BALAGH_AGENT_HOURS": "always",
        # Codes go to the outbox; every test uses the same few mobiles from one address.
        "BALAGH_OTP_OUTBOX": str(work / "otp.log"),
        "BALAGH_OTP_PER_MOBILE": "100000",
        "BALAGH_OTP_PER_CLIENT": "100000",
        **(extra_env or {}),
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
            _wait_until_up(f"http://127.0.0.1:{rasa_port}", process)
            _wait_for_desk(f"http://127.0.0.1:{desk_port}", process)
            yield Bot(
                f"http://127.0.0.1:{rasa_port}",
                database_url,
                f"http://127.0.0.1:{desk_port}",
                actions_url=f"http://127.0.0.1:{actions_port}",
                otp_outbox=str(work / "otp.log"),
            )
        finally:
            stop_process_group(process, signal_name="SIGINT")


@pytest.fixture(scope="module")
def twilio() -> FakeTwilio:
    """A fake Twilio API of the module's own (its bot is pointed at it by `twilio_env`)."""
    fake = FakeTwilio()
    fake.start()
    return fake
