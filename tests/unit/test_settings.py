"""Settings: every variable declared once (type, default, meaning), checked at start with one
line naming a wrong one, followed when the environment changes, and documented from the
declarations; nothing else reads the environment."""

from __future__ import annotations

import ast
import io
import os
import re
import subprocess
import sys
import tokenize
from dataclasses import fields
from pathlib import Path

import pytest

from bot import settings as config
from bot.settings import (
    OTHER_VARIABLES,
    SPECS,
    VARIABLES,
    Secret,
    Settings,
    SettingsError,
    configuration_markdown,
    load_settings,
)

ROOT = Path(__file__).resolve().parents[2]
CONFIGURATION_DOC = ROOT / "docs" / "configuration.md"

# A right value, not the default, of each kind of variable.
EXAMPLES = {
    config.TEXT: "something-else",
    config.TOKEN: "s3cret-value",
    config.HOST: "0.0.0.0",
    config.PORT: "6123",
    config.PORTS: "7001, 7002",
    config.SECONDS: "2.5",
    config.SECONDS_OR_0: "0",
    config.HOURS: "12",
    config.COUNT: "7",
    config.PATH: "/elsewhere/file",
    config.HTTP_URL: "https://elsewhere.example:8443/base",
    config.DATABASE_URL: "postgresql://balagh:pw@db:5433/balagh",
    config.REDIS_URL: "redis://:pw@cache:6380/3",
    config.SOCKETIO_REDIS_URL: "rediss://cache:6380/2",
    config.AMQP_URL: "amqp://bal:p%40ss@mq:5673/",
    config.LOG_LEVEL: "debug",
    config.LOG_FORMAT: "json",
    config.RELAY_START: "latest",
    config.SWITCH: "off",
    config.TIMEZONE: "UTC",
    config.AGENT_HOURS: "09:30-17:00",
    config.ORIGINS: "https://a.example, https://b.example:8443",
    config.TEMPLATES: '{"closed": "HX123"}',
    config.DATA_KEYS: "a-previous-data-key-of-at-least-32-characters",
}


def example(spec: config.Spec) -> str:
    if isinstance(spec.default, Secret):
        return "s3cret-value-long-enough-for-any-of-them"
    return EXAMPLES[spec.kind]


@pytest.fixture
def clean_env(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_settings_follow_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BALAGH_DATABASE_URL", "sqlite:///first.db")
    first = load_settings()
    assert first.database_url == "sqlite:///first.db"
    assert load_settings() is first  # remembered while the environment is the same
    monkeypatch.setenv("BALAGH_DATABASE_URL", "sqlite:///second.db")
    monkeypatch.setenv("BALAGH_CATALOGUE_FILE", str(tmp_path / "catalogue.yml"))
    second = load_settings()
    assert second.database_url == "sqlite:///second.db"
    assert second.catalogue_file == tmp_path / "catalogue.yml"
    monkeypatch.delenv("BALAGH_CATALOGUE_FILE")
    assert load_settings().catalogue_file.name == "catalogue.yml"
    assert load_settings().catalogue_file != tmp_path / "catalogue.yml"


def test_every_setting_is_read_from_a_listed_variable(clean_env):
    """A variable read by `Settings` but missing from `VARIABLES` would be remembered
    across a change: setting each listed variable must change the settings."""
    defaults = load_settings()
    for spec in SPECS:
        clean_env.setenv(spec.variable, example(spec))
        assert load_settings() != defaults, spec.variable
        clean_env.delenv(spec.variable)
    assert len(set(VARIABLES)) == len(VARIABLES) == len(fields(Settings))
    assert all(name.startswith(("BALAGH_", "TWILIO_")) for name in VARIABLES)


def test_values_are_typed(clean_env):
    clean_env.setenv("BALAGH_DESK_PORT", "8181")
    clean_env.setenv("BALAGH_DISPATCH_INTERVAL", "0.2")
    clean_env.setenv("BALAGH_DESK_DISPATCHER", "OFF")
    clean_env.setenv("BALAGH_LOG_LEVEL", "debug")
    clean_env.setenv("BALAGH_CLUSTER_REPLICA_PORTS", "7001,7002")
    clean_env.setenv("TWILIO_WHATSAPP_TEMPLATES", '{"closed": "HX1"}')
    clean_env.setenv("BALAGH_RASA_PORT", "6005")
    found = load_settings()
    assert (found.desk_port, found.dispatch_interval, found.desk_dispatcher) == (8181, 0.2, False)
    assert found.log_level == "DEBUG" and found.cluster_replica_ports == (7001, 7002)
    assert found.twilio_whatsapp_templates == {"closed": "HX1"}
    # Defaults computed from other settings.
    assert found.webchat_origins == ("http://127.0.0.1:8181", "http://localhost:8181")
    assert found.rasa_url == found.widget_server == "http://127.0.0.1:6005"
    assert found.action_endpoint_url == "http://127.0.0.1:5055/webhook"


def test_an_empty_value_is_the_default(clean_env):
    defaults = load_settings()
    for name in VARIABLES:
        clean_env.setenv(name, " ")
    assert load_settings() == defaults


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BALAGH_DESK_PORT", "80a"),
        ("BALAGH_RASA_PORT", "70000"),
        ("BALAGH_ACTIONS_PORT", "0"),
        ("BALAGH_CLUSTER_REPLICA_PORTS", "7001,x"),
        ("BALAGH_DISPATCH_INTERVAL", "0"),
        ("BALAGH_SCHEDULER_INTERVAL", "-5"),
        ("BALAGH_TELEGRAM_INTERVAL", "nan"),
        ("BALAGH_EVENT_RELAY_GAP_WAIT", "-1"),
        ("BALAGH_AGENT_SESSION_HOURS", "eight"),
        ("BALAGH_DATABASE_URL", "mysql://u@db/balagh"),
        ("BALAGH_TRACKER_STORE_URL", "var/conversations.db"),
        ("BALAGH_LOCK_STORE_URL", "memcached://cache:11211"),
        ("BALAGH_EVENT_BROKER_URL", "redis://mq:5672/"),
        ("BALAGH_SOCKETIO_REDIS_URL", "amqp://mq/"),
        ("BALAGH_ACTION_ENDPOINT_URL", "actions:5055/webhook"),
        ("BALAGH_RASA_URL", "ftp://rasa"),
        ("BALAGH_PUBLIC_URL", "balagh.example.sa"),
        ("TWILIO_API_BASE", "https://api.twilio.com:port"),
        ("BALAGH_AGENT_HOURS", "8-16"),
        ("BALAGH_AGENT_HOURS", "16:00-08:00"),
        ("BALAGH_AGENT_HOURS", "08:00-24:30"),
        ("BALAGH_LOG_FORMAT", "xml"),
        ("BALAGH_LOG_LEVEL", "verbose"),
        ("BALAGH_EVENT_RELAY_START", "middle"),
        ("BALAGH_DESK_DISPATCHER", "maybe"),
        ("BALAGH_TIMEZONE", "Mars/Olympus"),
        ("BALAGH_WEBCHAT_ORIGINS", "www.example.gov.sa"),
        ("BALAGH_WEBCHAT_ORIGINS", "https://www.example.gov.sa/chat"),
        ("BALAGH_DESK_HOST", "local host"),
        ("TWILIO_WHATSAPP_TEMPLATES", "[1, 2]"),
        ("TWILIO_MEDIA_TIMEOUT", "10s"),
        ("BALAGH_DATA_KEY", "too-short"),
        ("BALAGH_DATA_KEY_PREVIOUS", "a-previous-data-key-of-at-least-32-characters,short"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_variable(clean_env, variable, value):
    clean_env.setenv(variable, value)
    with pytest.raises(SettingsError) as wrong:
        load_settings()
    message = str(wrong.value)
    assert message.startswith(f"{variable} must be ") and "\n" not in message


def test_the_error_hides_passwords_and_secrets(clean_env):
    clean_env.setenv("BALAGH_DATABASE_URL", "mysql://balagh:hunter2@db/balagh")
    with pytest.raises(SettingsError) as wrong:
        load_settings()
    assert "hunter2" not in str(wrong.value) and "mysql://balagh:***@db/balagh" in str(wrong.value)
    clean_env.setenv("BALAGH_DATABASE_URL", "sqlite:///x.db")
    clean_env.setenv("TWILIO_WHATSAPP_TEMPLATES", '{"closed": 1, "key": "hunter2"}')
    with pytest.raises(SettingsError) as wrong:
        load_settings()
    assert "hunter2" not in str(wrong.value)
    clean_env.delenv("TWILIO_WHATSAPP_TEMPLATES")
    for name in ("BALAGH_STAFF_TOKEN", "TWILIO_AUTH_TOKEN", "BALAGH_INTERNAL_TOKEN"):
        clean_env.setenv(name, "hunter2")
    assert "hunter2" not in repr(load_settings())


def test_secrets_are_generated_once_when_unset(clean_env, tmp_path):
    clean_env.setattr(config, "ROOT", tmp_path)
    generated = load_settings().internal_token.value()
    assert len(generated) == 64 and generated == load_settings().internal_token.value()
    clean_env.setenv("BALAGH_INTERNAL_TOKEN", "set-by-operator")
    assert load_settings().internal_token.value() == "set-by-operator"


PROCESSES = {
    "desk": [sys.executable, "-m", "bot.desk.main"],
    "actions": [sys.executable, "-m", "bot.actions.server"],
    "cli": [sys.executable, "-m", "bot.ops.cli", "migrate"],
    "rasa": [sys.executable, "-m", "bot.server.rasa_server", "run"],
}


def _without_warnings(stderr: str) -> list[str]:
    """stderr without a library's import-time warning (`file:line: XWarning: ...` and the
    source line Python prints under it): sanic_cors warns whenever it is imported."""
    lines, previous_was_warning = [], False
    for line in stderr.splitlines():
        if re.search(r":\d+: \w*Warning: ", line):
            previous_was_warning = True
            continue
        if previous_was_warning and line.startswith("  "):
            continue
        previous_was_warning = False
        lines.append(line)
    return lines


@pytest.mark.parametrize("process", PROCESSES)
def test_a_process_with_a_wrong_value_stops_at_start_with_one_line(process, tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BALAGH_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
        "BALAGH_DESK_PORT": "80a",
    }
    result = subprocess.run(
        PROCESSES[process], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in _without_warnings(result.stderr) if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "BALAGH_DESK_PORT must be a port number (1-65535), not '80a'" in lines[0]
    assert not (tmp_path / "r.db").exists()  # stopped before touching anything


def test_the_configuration_doc_is_generated_from_the_settings():
    """docs/configuration.md lists exactly the declared variables: regenerate it with
    `python -m bot.settings > docs/configuration.md`."""
    assert CONFIGURATION_DOC.read_text(encoding="utf-8") == configuration_markdown()
    documented = set(
        re.findall(r"^\| `((?:BALAGH|TWILIO)_[A-Z0-9_]+)`", configuration_markdown(), re.M)
    )
    assert documented == set(VARIABLES) | {
        name for name, _, _ in OTHER_VARIABLES if name.startswith(("BALAGH_", "TWILIO_"))
    }


def _source_files() -> list[Path]:
    files = [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("channels").rglob("*.py")]
    return sorted(f for f in files if "migrations" not in f.parts)


def _names_in_text(path: Path) -> set[str]:
    """`BALAGH_*`/`TWILIO_*` names in strings and comments (not code identifiers such as
    the constant `TWILIO_MEDIA_HOSTS`)."""
    pattern = re.compile(r"\b(?:BALAGH|TWILIO)_[A-Z0-9_]*[A-Z0-9]\b")
    if path.suffix != ".py":
        return set(pattern.findall(path.read_text(encoding="utf-8")))
    found: set[str] = set()
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    for token in tokens:
        if token.type in (tokenize.STRING, tokenize.COMMENT):
            found |= set(pattern.findall(token.string))
    return found


def test_every_variable_named_anywhere_is_declared():
    known = set(VARIABLES) | {name for name, _, _ in OTHER_VARIABLES}
    others = [ROOT / "docker-compose.yml", ROOT / "Makefile", *ROOT.joinpath("deploy").glob("*")]
    unknown = {}
    for path in [*_source_files(), *(p for p in others if p.is_file())]:
        names = _names_in_text(path) - known
        if names:
            unknown[str(path.relative_to(ROOT))] = sorted(names)
    assert not unknown, unknown


def test_every_setting_is_used():
    """A declared variable that nothing reads is dead configuration."""
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for path in _source_files()
        if path != ROOT / "bot" / "settings.py"
    )
    unused = [f.name for f in fields(Settings) if not re.search(rf"\.{f.name}\b", code)]
    assert not unused, unused


# Who may still touch the environment, and why (nothing reads a variable but bot/settings.py).
ENVIRONMENT_USERS = {
    "bot/settings.py": "reads the variables",
    "bot/ops/processes.py": "passes the environment to the child processes",
    "bot/ops/cluster.py": "sets the cluster's defaults for itself and its children",
    "bot/desk/event_relay.py": "RASA_ENVIRONMENT: Rasa's own variable, as Rasa's broker reads it",
}


def test_only_the_settings_read_the_environment():
    readers = []
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            environ = isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
            if environ or (isinstance(node, ast.Name) and node.id in ("environ", "getenv")):
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    allowed = [r for r in readers if r.split(":")[0] not in ENVIRONMENT_USERS]
    assert not allowed, allowed
