"""The registry of Balagh's Rasa patches (`bot.server.patches`) is complete and true: every
patched function's upstream source is the one it was derived from, `install()` changes
exactly what is listed, the pins are requirements.txt's and each process refuses others."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.server import patches

ROOT = Path(__file__).resolve().parents[2]


def _requirements() -> dict[str, str]:
    """requirements.txt's `name==version` pins (a hashed lock: each line may go on)."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        pinned = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if pinned:
            pins[re.sub(r"[-_.]+", "-", pinned[1].lower())] = pinned[2]
    return pins


def test_the_pins_are_requirements_txts() -> None:
    from bot.actions.server import RASA_SDK_VERSION
    from bot.desk.event_relay import AIORMQ_VERSION

    required = _requirements()
    assert {name: required[name] for name in patches.PINS} == patches.PINS
    assert RASA_SDK_VERSION == patches.PINS["rasa-sdk"]
    assert AIORMQ_VERSION == patches.PINS["aiormq"]
    patches.check_versions()  # this environment has them


def test_every_target_and_its_balagh_code_exist() -> None:
    for patch in patches.PATCHES:
        assert patch.how in (
            patches.REPLACED,
            patches.WRAPPED,
            patches.SUBCLASSED,
            patches.RELIED_ON,
        )
        assert patches.resolve(patch.target) is not None, patch.target
        assert patches.resolve(patch.by) is not None, patch.by
        assert patch.why and patch.tests and patch.sources, patch.target
    targets = [patch.target for patch in patches.PATCHES]
    assert len(targets) == len(set(targets))


def test_every_named_test_exists() -> None:
    for patch in patches.PATCHES:
        for test in patch.tests:
            path, _, name = test.partition("::")
            tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
            defined = {
                node.name
                for node in ast.walk(tree)
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            }
            assert name in defined, f"{patch.target}: no test {test}"


# In a fresh process (nothing patched yet): the fingerprint of every upstream source, then
# what `install()` changes of rasa, rasa_sdk, aiormq and Sanic.
_FRESH_PROCESS = """
import json, sys
from bot.server import metrics, patches
from bot.server.patches import action_calls, doors, outage, reconnect, speed

PACKAGES = ("rasa", "rasa_sdk", "aiormq", "sanic")

def snapshot():
    seen = {}
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in PACKAGES:
            continue
        for attribute, value in list(vars(module).items()):
            seen[f"{name}.{attribute}"] = value
            if isinstance(value, type) and value.__module__ == name:
                for member, inner in list(vars(value).items()):
                    seen[f"{name}.{value.__qualname__}.{member}"] = inner
    return seen

sources = {source for patch in patches.PATCHES for source in patch.sources}
fingerprints = {source: patches.fingerprint(source) for source in sources}
before = snapshot()
patches.install()
after = snapshot()
owners = {key.rsplit(".", 1)[0] for key in before}
changed = sorted(
    key
    for key, value in after.items()
    if (before[key] is not value if key in before else key.rsplit(".", 1)[0] in owners)
    and not key.rsplit(".", 1)[1].startswith("_balagh_")
)
print(json.dumps({"fingerprints": fingerprints, "changed": changed}))
"""


@pytest.fixture(scope="module")
def fresh() -> dict:
    found = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert found.returncode == 0, found.stderr[-2000:]
    return json.loads(found.stdout.strip().splitlines()[-1])


def test_every_upstream_source_keeps_its_fingerprint(fresh: dict) -> None:
    """After an upgrade: the patches to re-derive, by name (then the new fingerprints:
    `python -m bot.server.patches --fingerprints`)."""
    assert set(patches.FINGERPRINTS) == set(fresh["fingerprints"])
    changed = [
        f"{patch.target} ({patch.by}): {source} changed"
        for patch in patches.PATCHES
        for source in patch.sources
        if fresh["fingerprints"][source] != patches.FINGERPRINTS[source]
    ]
    assert not changed, "re-derive these patches: " + "; ".join(changed)


def test_install_changes_exactly_the_installed_targets(fresh: dict) -> None:
    installed = {patch.target for patch in patches.PATCHES if patch.how in patches.INSTALLED}
    assert set(fresh["changed"]) == installed
    patches.install()
    patches.install()  # once only
    with pytest.raises(RuntimeError):
        patches.fingerprint("rasa.core.run.configure_app")  # no longer upstream code


def test_the_doc_is_generated_from_the_registry() -> None:
    doc = (ROOT / "docs" / "rasa-patches.md").read_text(encoding="utf-8")
    assert doc == patches.markdown(), "run: python -m bot.server.patches > docs/rasa-patches.md"


def _one_line(failure: pytest.ExceptionInfo[SystemExit]) -> str:
    message = str(failure.value.code)
    assert "\n" not in message
    return message


def test_the_server_refuses_another_version_in_one_line(monkeypatch) -> None:
    from importlib import metadata

    real = metadata.version
    monkeypatch.setattr(
        patches.metadata, "version", lambda name: "3.7.0" if name == "rasa" else real(name)
    )
    monkeypatch.setattr(patches, "_installed", False)
    with pytest.raises(SystemExit) as refused:
        patches.install()
    message = _one_line(refused)
    assert "rasa 3.7.0 is installed" in message and "3.6.21" in message
    assert "docs/rasa-patches.md" in message


def test_the_server_refuses_to_start_without_a_traceback() -> None:
    """`python -m bot.server.rasa_server run` with another aiormq: one line, exit 1."""
    fake = (
        "import runpy, sys\n"
        "from importlib import metadata\n"
        "real = metadata.version\n"
        "metadata.version = lambda name: '7.0.0' if name == 'aiormq' else real(name)\n"
        "sys.argv = ['rasa_server', 'run']\n"
        "runpy.run_module('bot.server.rasa_server', run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", fake],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith("Balagh refuses to start: aiormq 7.0.0 is installed")


def test_the_action_server_refuses_another_rasa_sdk(monkeypatch) -> None:
    from bot.actions import server

    monkeypatch.setattr(server.metadata, "version", lambda name: "3.7.1")
    with pytest.raises(SystemExit) as refused:
        server.main(["--port", "1"])
    assert "rasa-sdk 3.7.1 is installed" in _one_line(refused)


def test_the_desk_refuses_to_relay_with_another_aiormq(monkeypatch) -> None:
    from bot.desk import event_relay

    monkeypatch.setattr(event_relay.metadata, "version", lambda name: "6.5.0")
    with pytest.raises(SystemExit) as refused:
        event_relay.EventRelay("sqlite://", "amqp://127.0.0.1/")
    assert "aiormq 6.5.0 is installed" in _one_line(refused)


def test_the_story_tests_and_the_shell_run_the_patched_server() -> None:
    makefile = (ROOT / "Makefile").read_text()
    story_test = re.search(r"^story-test:.*\n\t(.*)$", makefile, re.M)
    assert story_test and "-m bot.server.rasa_server test core" in story_test.group(1)
    cli = ast.parse((ROOT / "bot" / "ops" / "cli.py").read_text(encoding="utf-8"))
    shell = next(n for n in cli.body if isinstance(n, ast.FunctionDef) and n.name == "shell")
    strings = [n.value for n in ast.walk(shell) if isinstance(n, ast.Constant)]
    assert "bot.server.rasa_server" in strings and "rasa" not in strings
