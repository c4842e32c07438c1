"""`balagh` is an installed command; expected failures are one line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import __version__

ROOT = Path(__file__).resolve().parents[2]
BALAGH = Path(sys.executable).parent / "balagh"


def balagh(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    if not BALAGH.exists():
        pytest.fail("balagh is not installed in the venv: run `make install`")
    return subprocess.run(
        [str(BALAGH), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
        timeout=120,
    )


def test_version_and_help():
    assert balagh("--version").stdout.strip() == f"balagh {__version__}"
    helped = balagh("--help")
    assert helped.returncode == 0
    for command in ("run", "cluster", "migrate", "add-agent", "report", "desk"):
        assert command in helped.stdout


def one_line_failure(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_short_password_and_a_duplicate_agent_are_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    line = one_line_failure(balagh("add-agent", "bob", stdin="short\n", BALAGH_DATABASE_URL=url))
    assert "at least" in line
    weak_ones = [("a" * 16, "repeated"), ("Password2024!", "common"), ("BOB2024!!!!!", "username")]
    for weak, reason in weak_ones:
        line = one_line_failure(
            balagh("add-agent", "bob", stdin=weak + "\n", BALAGH_DATABASE_URL=url)
        )
        assert reason in line
    added = balagh("add-agent", "bob", stdin="correct horse battery\n", BALAGH_DATABASE_URL=url)
    assert added.returncode == 0, added.stderr
    again = balagh("add-agent", "bob", stdin="correct horse battery\n", BALAGH_DATABASE_URL=url)
    assert "already exists" in one_line_failure(again)


def test_an_unreachable_database_is_one_line():
    result = balagh("migrate", BALAGH_DATABASE_URL="postgresql://nobody@127.0.0.1:1/balagh")
    assert "database cannot be reached" in one_line_failure(result)


def test_no_model_is_one_line(tmp_path):
    result = balagh(
        "rasa-server", BALAGH_MODEL_DIR=str(tmp_path), BALAGH_WEBCHAT_ORIGINS="https://a"
    )
    assert "no trained model" in one_line_failure(result)
