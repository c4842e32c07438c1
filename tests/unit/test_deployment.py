"""docker-compose.yml, its Dockerfiles and nginx.conf stay valid and in step with the code."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.desk.event_relay import amqp_url
from bot.ops.load_balancer import COMPOSE_FILE, render_compose, render_local
from bot.ops.server_config import lock_store_config, render_endpoints
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_ENV = {
    "POSTGRES_PASSWORD": "p",
    "RABBITMQ_PASSWORD": "r",
    "BALAGH_WEBCHAT_SECRET": "w",
    "BALAGH_INTERNAL_TOKEN": "i",
    "BALAGH_STAFF_TOKEN": "s",
    "BALAGH_RASA_API_TOKEN": "a",
    "BALAGH_ACTIONS_TOKEN": "t",
    "BALAGH_WEBCHAT_ORIGINS": "https://www.example.gov.sa",
    "BALAGH_DATA_KEY": "k" * 64,
    "BALAGH_LINK_SECRET": "l" * 64,
    "BALAGH_LINKS_BASE_URL": "https://balagh.example.gov.sa",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "twilio-token",
    "TWILIO_VERIFY_SERVICE_SID": "VA" + "0" * 32,
}


LOCKS = ("requirements.txt", "requirements-dev.txt", "deploy/requirements-actions.txt")
# the components of rasa/rasa:*-full that the plain image lacks (spaCy, MITIE, transformers)
FULL_IMAGE_COMPONENTS = re.compile(r"spacy|mitie|jieba|LanguageModel|HFTransformers", re.I)


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(file: Path) -> dict[str, str]:
    found = {}
    for line in file.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if match:
            found[_name(match.group(1))] = match.group(2)
    return found


def locked(file: Path) -> dict[str, tuple[str, frozenset[str], str]]:
    """A pip-compile lock: name -> (version, its hashes, its `# via` comment)."""
    entries: dict[str, tuple[str, frozenset[str], str]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", file.read_text()):
        match = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", block)
        if match:
            hashes = frozenset(re.findall(r"--hash=(sha256:[0-9a-f]{64})", block))
            via = " ".join(re.findall(r"#\s+(?:via\s+)?(\S.*)", block))
            entries[_name(match.group(1))] = (match.group(2), hashes, via)
    return entries


def inputs(file: Path) -> set[str]:
    """The names an input file (requirements.in) lists, following its `-r` includes."""
    names = set()
    for line in file.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            names |= inputs(file.parent / line[3:].strip())
        elif line and not line.startswith("-"):
            names.add(_name(re.split(r"[<>=!~;\[ ]", line)[0]))
    return names


def compose_config() -> dict:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose not installed: `make unit` installs Debian's package")
    result = subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env={**os.environ, **COMPOSE_ENV},
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_file_is_valid_and_runs_the_whole_topology():
    services = compose_config()["services"]
    assert set(services) == {
        "postgres", "redis", "rabbitmq", "migrate", "actions", "rasa-1", "rasa-2", "lb", "desk"
    }  # fmt: skip
    for name in ("postgres", "redis", "rabbitmq", "actions", "rasa-1", "rasa-2", "lb", "desk"):
        assert services[name].get("healthcheck"), f"{name} has no health check"
    for replica in ("rasa-1", "rasa-2"):
        environment = services[replica]["environment"]
        assert environment["BALAGH_LOCK_STORE_URL"].startswith("redis://redis")
        assert environment["BALAGH_EVENT_BROKER_URL"].startswith("amqp://")
        assert environment["BALAGH_SOCKETIO_REDIS_URL"].startswith("redis://redis")
        assert "media:/data/media" in " ".join(str(v) for v in services[replica]["volumes"])
    assert services["desk"]["environment"]["BALAGH_RASA_URL"] == "http://lb:8001"


def test_compose_publishes_only_the_edge():
    services = compose_config()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"lb"}
    ports = {str(p.get("target") if isinstance(p, dict) else p) for p in services["lb"]["ports"]}
    assert any("443" in p for p in ports) and not any("8001" in p for p in ports)
    assert services["actions"]["environment"]["BALAGH_ACTIONS_HOST"] == "0.0.0.0"
    # the forms check that an attached file is one the channels stored
    assert "media:/data/media" in " ".join(str(v) for v in services["actions"]["volumes"])
    for name in ("actions", "rasa-1", "rasa-2", "desk", "migrate"):
        environment = services[name]["environment"]
        assert environment["BALAGH_RASA_API_TOKEN"] and environment["BALAGH_ACTIONS_TOKEN"]
        assert environment["BALAGH_DATA_KEY"] == COMPOSE_ENV["BALAGH_DATA_KEY"]
        # signed by the action server, opened by the desk: the same secret everywhere
        assert environment["BALAGH_LINK_SECRET"] == COMPOSE_ENV["BALAGH_LINK_SECRET"]


@pytest.mark.parametrize(
    "missing",
    [
        "BALAGH_RASA_API_TOKEN",
        "BALAGH_ACTIONS_TOKEN",
        "BALAGH_WEBCHAT_ORIGINS",
        "BALAGH_DATA_KEY",
        "BALAGH_LINK_SECRET",
        "BALAGH_LINKS_BASE_URL",
        "TWILIO_VERIFY_SERVICE_SID",
    ],
)
def test_compose_refuses_to_start_without_the_doors_secrets(missing):
    binary = shutil.which("docker-compose") or pytest.fail("docker-compose not installed")
    environment = {k: v for k, v in {**os.environ, **COMPOSE_ENV}.items() if k != missing}
    result = subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
    )
    assert result.returncode != 0 and missing in result.stderr


def test_compose_refuses_to_start_without_its_secrets():
    binary = shutil.which("docker-compose") or pytest.fail("docker-compose not installed")
    environment = {k: v for k, v in os.environ.items() if k not in COMPOSE_ENV}
    result = subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
    )
    assert result.returncode != 0 and "POSTGRES_PASSWORD" in result.stderr


def test_images_are_the_official_ones_at_our_versions():
    ours = pins(ROOT / "requirements.txt")
    rasa = (ROOT / "deploy" / "rasa.Dockerfile").read_text()
    actions = (ROOT / "deploy" / "actions.Dockerfile").read_text()
    assert re.search(rf"^FROM rasa/rasa:{re.escape(ours['rasa'])}$", rasa, re.M)  # not -full
    assert f"FROM rasa/rasa-sdk:{ours['rasa-sdk']}" in actions
    assert "--require-hashes -r /app/requirements.txt" in rasa
    assert "--require-hashes -r /app/requirements-actions.txt" in actions


def test_no_pipeline_needs_the_full_rasa_image():
    """Ours, the benchmark's (Rasa's default when its pipeline is empty) and Rasa's default."""
    import rasa.engine.recipes

    recipes = Path(rasa.engine.recipes.__file__).parent
    rasa_default = recipes / "config_files" / "default_config.yml"  # default_recipe.py
    for config in (ROOT / "config.yml", ROOT / "bench" / "default_config.yml"):
        pipeline = yaml.safe_load(config.read_text()).get("pipeline")
        pipeline = pipeline or yaml.safe_load(rasa_default.read_text())["pipeline"]
        assert pipeline
        for component in pipeline:
            assert not FULL_IMAGE_COMPONENTS.search(component["name"]), (config, component)


def test_the_action_image_pins_match_requirements():
    ours = locked(ROOT / "requirements.txt")
    actions = locked(ROOT / "deploy" / "requirements-actions.txt")
    assert {"alembic", "sqlalchemy", "psycopg2-binary", "prometheus-client"} <= set(actions)
    for name, entry in actions.items():
        assert ours.get(name, (None,))[:2] == entry[:2], name


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_package_has_its_version_and_hashes_and_a_reason(lock):
    entries = locked(ROOT / lock)
    assert entries
    for name, (version, hashes, via) in entries.items():
        assert version and hashes, f"{lock}: {name} without hashes (compile it again)"
        assert via, f"{lock}: {name} added by hand; add it to the .in file and compile"


@pytest.mark.parametrize(
    "source, lock",
    [
        ("requirements.in", "requirements.txt"),
        ("requirements-dev.in", "requirements-dev.txt"),
        ("deploy/requirements-actions.in", "deploy/requirements-actions.txt"),
    ],
)
def test_the_locks_are_compiled_from_the_inputs(source, lock):
    missing = inputs(ROOT / source) - set(locked(ROOT / lock))
    assert not missing, f"{missing} listed in {source}, not in {lock}: compile it again"


def test_the_dev_lock_is_the_runtime_lock_plus_the_tools():
    runtime, dev = locked(ROOT / "requirements.txt"), locked(ROOT / "requirements-dev.txt")
    for name, (version, hashes, _) in runtime.items():
        assert dev.get(name, (None, None))[:2] == (version, hashes), name


def test_the_environment_is_the_lock():
    """`make install` installs the dev lock with --require-hashes: the venv is the lock."""
    from importlib.metadata import PackageNotFoundError, version

    assert "--require-hashes -r requirements-dev.txt" in (ROOT / "Makefile").read_text()
    for name, (pinned, _, _) in locked(ROOT / "requirements-dev.txt").items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        assert installed == pinned, f"{name}: {installed} installed, {pinned} locked"


def test_committed_nginx_conf_is_the_rendered_one():
    assert COMPOSE_FILE.read_text() == render_compose(), "run: python -m bot.ops.load_balancer"


def test_the_local_load_balancer_configuration_is_accepted_by_nginx(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx not installed: `make unit` installs Debian's package")
    conf = tmp_path / "nginx.conf"
    conf.write_text(render_local([5005, 5006], 18000, tmp_path, 8080, 18001))
    result = subprocess.run(
        [nginx, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "hash $remote_addr consistent" in conf.read_text()  # socket.io polling sticks


def test_endpoints_from_production_urls(tmp_path, monkeypatch):
    monkeypatch.setenv("BALAGH_TRACKER_STORE_URL", "postgresql://u:pw@db:5433/conv")
    monkeypatch.setenv("BALAGH_LOCK_STORE_URL", "redis://:secret@cache:6380/3")
    monkeypatch.setenv("BALAGH_EVENT_BROKER_URL", "amqp://bal:p%40ss@mq:5673/")
    monkeypatch.setenv("BALAGH_ACTION_ENDPOINT_URL", "http://actions:5055/webhook")
    endpoints = yaml.safe_load(render_endpoints(load_settings(), tmp_path / "e.yml").read_text())
    assert endpoints["tracker_store"] == {
        "type": "bot.server.tracker_store.CachedSQLTrackerStore", "dialect": "postgresql",
        "url": "db", "port": 5433, "db": "conv", "username": "u", "password": "pw",
    }  # fmt: skip
    assert endpoints["lock_store"] == {
        "type": "bot.server.locking.AtomicRedisLockStore", "url": "cache", "port": 6380, "db": 3,
        "password": "secret",
    }  # fmt: skip
    assert "event_broker" not in endpoints  # the desk publishes the events (event relay)
    assert endpoints["action_endpoint"]["url"] == "http://actions:5055/webhook"
    token = endpoints["action_endpoint"]["headers"]["Authorization"]
    assert token.startswith("Bearer ") and len(token) > len("Bearer ") + 30
    assert (tmp_path / "e.yml").stat().st_mode & 0o077 == 0  # passwords inside


def test_embedded_default_needs_no_services():
    assert lock_store_config("") == {"type": "in_memory"}
    assert amqp_url("") == ""
    assert amqp_url("amqp://bal:p%40ss@mq:5673/") == "amqp://bal:p%40ss@mq:5673/"
    with pytest.raises(SystemExit):
        amqp_url("redis://mq:5672/")
    with pytest.raises(SystemExit):
        lock_store_config("memcached://x")


def test_the_configured_store_classes_import():
    """Rasa silently falls back to an in-memory tracker store if the class cannot be
    imported: every replica would then keep its own conversations."""
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.utils.common import class_from_module_path

    from bot.ops.server_config import STORE_TYPE

    assert issubclass(class_from_module_path(STORE_TYPE), SQLTrackerStore)
    lock_type = lock_store_config("redis://127.0.0.1:6379/1")["type"]
    assert issubclass(class_from_module_path(lock_type), LockStore)
