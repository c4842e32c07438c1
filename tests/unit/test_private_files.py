"""What Balagh writes to disk (SQLite stores, media, logs, secrets, rendered configuration)
is 0600 in 0700 folders, whatever the umask; a store created before the rule is tightened."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import settings as config
from bot.ops.cluster import Member
from bot.ops.server_config import render_credentials, render_endpoints, tracker_store_config
from bot.private import open_private_append, private_dir, private_file, write_private
from bot.settings import load_settings
from bot.store import media
from bot.store.database import Store
from bot.store.reports import file_report
from tests.helpers.reports import DUE, NOW, complaint

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + os.urandom(64)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request) -> Iterator[int]:
    """The test runs under a usual umask, then under none (everything asked is granted)."""
    before = os.umask(request.param)
    yield request.param
    os.umask(before)


def test_the_helpers_make_0600_files_in_0700_folders(tmp_path, umask):
    deep = tmp_path / "a" / "b"
    private_dir(deep)
    assert mode(tmp_path / "a") == mode(deep) == 0o700
    assert mode(private_file(deep / "store.db")) == 0o600
    assert mode(write_private(tmp_path / "c" / "conf.yml", "x: 1")) == 0o600
    assert mode(tmp_path / "c") == 0o700
    with open_private_append(tmp_path / "logs" / "desk.log") as log:
        log.write(b"started\n")
    assert mode(tmp_path / "logs" / "desk.log") == 0o600
    # A file or folder that existed is tightened only where asked (a store, Balagh's own
    # folder); a folder Balagh did not make keeps its mode.
    loose = tmp_path / "loose.db"
    loose.write_bytes(b"")
    loose.chmod(0o644)
    assert mode(private_file(loose)) == 0o600
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    private_dir(shared)
    assert mode(shared) == 0o755
    assert mode(private_dir(shared, tighten=True)) == 0o700


def test_media_files_are_0600_in_a_0700_folder(tmp_path, umask):
    result = media.store(tmp_path / "var" / "media", PNG)
    assert result is not None
    name = str(result["url"]).removeprefix("media/")
    assert mode(tmp_path / "var" / "media" / name) == 0o600
    assert mode(tmp_path / "var" / "media") == mode(tmp_path / "var") == 0o700


def test_a_media_folder_made_before_the_rule_is_tightened(tmp_path, umask):
    folder = tmp_path / "media"
    folder.mkdir()
    folder.chmod(0o755)
    media.store(folder, PNG)
    assert mode(folder) == 0o700


def test_the_reports_store_and_its_wal_are_0600(tmp_path, umask):
    database = tmp_path / "var" / "reports.db"
    store = Store(f"sqlite:///{database}")
    try:
        store.upgrade()
        file_report(store, complaint(), NOW, DUE)
        with store.engine.connect():
            files = [database, *database.parent.glob("reports.db-*")]
            assert any(f.name.endswith("-wal") for f in files)
            assert {f.name: mode(f) for f in files} == dict.fromkeys((f.name for f in files), 0o600)
    finally:
        store.dispose()
    assert mode(database.parent) == 0o700


def test_a_store_made_before_the_rule_is_tightened(tmp_path, umask):
    database = tmp_path / "old.db"
    store = Store(f"sqlite:///{database}")
    store.upgrade()
    store.dispose()
    for file in [database, *tmp_path.glob("old.db-*")]:
        file.chmod(0o644)
    store = Store(f"sqlite:///{database}")
    store.dispose()
    assert mode(database) == 0o600
    assert all(mode(f) == 0o600 for f in tmp_path.glob("old.db-*"))


def test_the_conversations_store_is_created_0600(tmp_path, umask):
    database = tmp_path / "var" / "conversations.db"
    assert tracker_store_config(f"sqlite:///{database}")["db"] == str(database)
    assert mode(database) == 0o600 and mode(database.parent) == 0o700


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in config.VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(config, "ROOT", tmp_path)
    return monkeypatch


def test_generated_secrets_are_0600_in_a_0700_var(tmp_path, clean_env, umask):
    (tmp_path / "var").mkdir()
    (tmp_path / "var").chmod(0o755)  # made by someone else's checkout, say
    settings = load_settings()
    settings.generate_secrets()
    assert mode(tmp_path / "var") == 0o700
    secrets = sorted(p.name for p in (tmp_path / "var").iterdir())
    assert "data.key" in secrets and "internal.token" in secrets
    assert all(mode(tmp_path / "var" / name) == 0o600 for name in secrets)
    assert len((tmp_path / "var" / "data.key").read_text()) == 64


def test_rendered_configuration_and_cluster_logs_are_0600(tmp_path, umask):
    settings = load_settings()
    for path in (
        render_endpoints(settings, tmp_path / "run" / "endpoints.yml"),
        render_credentials(settings, tmp_path / "run" / "credentials.yml"),
    ):
        assert mode(path) == 0o600
    assert mode(tmp_path / "run") == 0o700
    log = tmp_path / "cluster" / "desk.log"
    member = Member("desk", ["true"], 0, dict(os.environ), log)
    member.start()
    member.process.wait(timeout=10)
    assert mode(log) == 0o600 and mode(log.parent) == 0o700
