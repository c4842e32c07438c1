"""Backups that restore (issue 22, item 3): `balagh backup` saves both stores and the media,
`balagh restore` puts them back into fresh databases with every row; a damaged set or a store
that is not empty is refused with nothing touched. On SQLite and on the real PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import stat
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from bot import __version__
from bot.ops import backup as backups
from bot.ops.backup import MANIFEST, BackupError, backup, restore
from bot.server.tracker_store import CachedSQLTrackerStore
from bot.settings import Secret, Settings, load_settings
from bot.store import media
from bot.store.database import ALEMBIC_INI, Store
from bot.store.follow_up import change_status, find_report
from bot.store.handoffs import open_handoff, open_handoff_of
from bot.store.reports import file_report
from bot.store.surveys import answers_of, record_answer
from tests.conftest import POSTGRES_ADMIN_URL
from tests.helpers.reports import DUE, NOW, complaint
from tests.helpers.trackers import DOMAIN, _connection, run

ROOT = Path(__file__).resolve().parents[2]
BALAGH = Path(sys.executable).parent / "balagh"
PDF = b"%PDF-1.4\n% a citizen's document\n"
HEAD = ScriptDirectory.from_config(Config(str(ALEMBIC_INI))).get_current_head()


@pytest.fixture
def new_database() -> Iterator[Callable[[], str]]:
    """Fresh PostgreSQL databases for one test (as tests/conftest.py makes them), dropped
    afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def new() -> str:
        name = f"balagh_test_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"

    yield new
    with admin.connect() as connection:
        for name in created:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def place(request, tmp_path) -> Callable[..., Settings]:
    """`place(name)`: the settings of a Balagh whose two stores are new and empty (two
    SQLite files, or two PostgreSQL databases) and whose media folder is its own."""

    def make(name: str, shared: bool = False) -> Settings:
        folder = tmp_path / name
        if request.param == "sqlite":
            reports = f"sqlite:///{folder / 'reports.db'}"
            conversations = f"sqlite:///{folder / 'conversations.db'}"
        else:
            new = request.getfixturevalue("new_database")
            reports = new()
            conversations = new()
        return dataclasses.replace(
            load_settings(),
            database_url=reports,
            tracker_store_url=reports if shared else conversations,
            media_dir=folder / "media",
        )

    make.kind = request.param
    return make


def tracker_store(url: str) -> CachedSQLTrackerStore:
    return CachedSQLTrackerStore(domain=DOMAIN, **_connection(url))


def fill(settings: Settings) -> dict:
    """Reports with their status history, a survey, a hand-off, a media file, and two
    conversations, through the stores' own functions."""
    store = Store(settings.database_url)
    try:
        store.upgrade()
        document = media.store(settings.media_dir, PDF)
        first = file_report(store, complaint(), NOW, DUE)
        with_document = dataclasses.replace(
            complaint(prior_number="INC-2"),
            documents=[("supporting", document["url"], "application/pdf")],
        )
        second = file_report(store, with_document, NOW, DUE)
        later = NOW + dt.timedelta(hours=2)
        change_status(store, first.number, "in_progress", "بدأنا", "staff", later)
        change_status(store, first.number, "rejected", "خارج الاختصاص", "staff", later)
        change_status(store, first.number, "closed", None, "staff", later)
        record_answer(store, first.number, "solution_score", 4, later, False, "c1")
        record_answer(store, first.number, "comment", "شكرًا", later, True, "c1")
        open_handoff(store, "c1", "rest", "asked", {"wanted": "الشكوى"}, later)
    finally:
        store.dispose()
    conversations = tracker_store(settings.tracker_store_url)
    for sender, said in (("rest:one", "مرحبا"), ("rest:two", "ابي اقدم شكوى")):
        tracker = run(conversations.get_or_create_tracker(sender))
        tracker.update(UserUttered(said, {"name": "greet", "confidence": 1.0}))
        tracker.update(BotUttered("ما اسمك الكامل؟"))
        tracker.update(ActionExecuted("action_listen"))
        run(conversations.save(tracker))
    conversations.engine.dispose()
    return {"first": first.number, "second": second.number, "document": document["url"]}


def rows(url: str) -> dict[str, list]:
    """Every row of every table, as stored (ciphertext included), in a stable order."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return {
                table: sorted(
                    (tuple(row) for row in connection.execute(text(f'SELECT * FROM "{table}"'))),
                    key=repr,
                )
                for table in sorted(inspect(connection).get_table_names())
            }
    finally:
        engine.dispose()


def everything(settings: Settings) -> dict:
    """The rows of both stores and the media files' bytes."""
    folder = Path(settings.media_dir)
    files = {p.name: p.read_bytes() for p in folder.iterdir()} if folder.is_dir() else {}
    stores = {"reports": rows(settings.database_url)}
    if settings.tracker_store_url != settings.database_url:
        stores["conversations"] = rows(settings.tracker_store_url)
    return {**stores, "media": files}


def texts(url: str, sender: str) -> list[str]:
    tracker = run(tracker_store(url).retrieve(sender))
    return [e.text for e in tracker.events if isinstance(e, UserUttered | BotUttered)]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_backup_restores_every_row_into_fresh_stores(place, tmp_path):
    source = place("source")
    filed = fill(source)
    before = everything(source)

    folder = backup(source, tmp_path / "sets")

    assert folder.parent == tmp_path / "sets" and folder.name.endswith("Z")
    assert mode(folder) == 0o700
    saved = [p for p in folder.rglob("*") if p.is_file()]
    assert saved and all(mode(p) == 0o600 for p in saved)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["balagh_version"] == __version__
    assert manifest["alembic_revision"] == HEAD
    assert dt.datetime.fromisoformat(manifest["created_at"]).tzinfo is not None
    suffix = "db" if place.kind == "sqlite" else "dump"
    assert set(manifest["files"]) == {
        f"reports.{suffix}",
        f"conversations.{suffix}",
        filed["document"],  # media/<name>
    }
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"].values())

    target = place("target")
    restored = restore(target, folder)

    assert restored.stores == ["reports", "conversations"] and restored.revision == HEAD
    after = everything(target)
    assert after == before  # every row of every table, every media file
    for table in ("reports", "report_status_history", "surveys", "handoffs"):
        assert after["reports"][table], table
    assert len(after["reports"]["report_status_history"]) == 5  # received ×2, 3 changes
    assert after["conversations"]["events"]
    # Readable with the data key, through the stores' own functions.
    store = Store(target.database_url)
    try:
        assert find_report(store, filed["first"]).status == "closed"
        assert find_report(store, filed["second"]).national_id == "1000000008"
        assert answers_of(store, filed["first"])["comment"] == "شكرًا"
        assert open_handoff_of(store, "c1").reason == "asked"
    finally:
        store.dispose()
    assert texts(target.tracker_store_url, "rest:two") == ["ابي اقدم شكوى", "ما اسمك الكامل؟"]
    assert media.stored_file(filed["document"], target.media_dir) == ("application/pdf", len(PDF))
    assert mode(Path(target.media_dir) / Path(filed["document"]).name) == 0o600


def test_a_damaged_backup_is_refused_and_nothing_is_touched(place, tmp_path):
    source = place("source")
    fill(source)
    folder = backup(source, tmp_path / "sets")
    target = place("target")
    store = Store(target.database_url)
    store.upgrade()
    file_report(store, complaint(prior_number="KEPT-1"), NOW, DUE)
    store.dispose()
    before = everything(target)

    saved = next(folder.glob("reports.*"))
    data = bytearray(saved.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte changed
    saved.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="does not match its checksum"):
        restore(target, folder, force=True)  # not even with --force
    assert everything(target) == before

    saved.write_bytes(bytes(data[: len(data) // 2]))  # cut short
    with pytest.raises(BackupError, match="checksum"):
        restore(target, folder, force=True)
    next(folder.glob("media/*")).unlink()  # a file gone
    with pytest.raises(BackupError, match="incomplete"):
        restore(target, folder, force=True)
    assert everything(target) == before


def test_a_store_that_is_not_empty_is_refused_unless_forced(place, tmp_path):
    source = place("source")
    filed = fill(source)
    before = everything(source)
    folder = backup(source, tmp_path / "sets")
    target = place("target")
    store = Store(target.database_url)
    store.upgrade()
    number = file_report(store, complaint(prior_number="OTHER-9"), NOW, DUE).number
    store.dispose()
    clash = Path(target.media_dir) / Path(filed["document"]).name
    clash.parent.mkdir(parents=True)
    clash.write_bytes(b"%PDF-1.4 another file of that name")
    untouched = everything(target)

    with pytest.raises(BackupError, match="not empty: BALAGH_DATABASE_URL") as refused:
        restore(target, folder)
    assert "BALAGH_MEDIA_DIR (1 of the set's files there differ)" in str(refused.value)
    assert everything(target) == untouched

    restore(target, folder, force=True)
    assert everything(target) == before
    assert number in {row[1] for row in everything(target)["reports"]["reports"]}  # theirs


def test_a_set_of_another_kind_or_key_or_a_folder_that_is_none_is_refused(place, tmp_path):
    source = place("source")
    fill(source)
    folder = backup(source, tmp_path / "sets")
    target = place("target")

    other_key = Secret("BALAGH_DATA_KEY", "data.key", "k" * 40)
    with pytest.raises(BackupError, match="encrypted under data key"):
        restore(dataclasses.replace(target, data_key=other_key), folder)
    with pytest.raises(BackupError, match="in two databases, .* name one"):
        restore(dataclasses.replace(target, tracker_store_url=target.database_url), folder)
    with pytest.raises(BackupError, match="not a Balagh backup"):
        restore(target, tmp_path)
    with pytest.raises(BackupError, match="not a folder"):
        restore(target, tmp_path / "nowhere")
    assert not Path(target.media_dir).exists()
    if place.kind == "sqlite":
        assert not Path(target.media_dir).parent.exists()  # no store file made
    else:
        assert rows(target.database_url) == rows(target.tracker_store_url) == {}  # no table


def test_one_database_for_both_stores_is_saved_and_restored_once(place, tmp_path):
    source = place("source", shared=True)
    filed = fill(source)
    before = everything(source)

    folder = backup(source, tmp_path / "sets")
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["stores"]["conversations"] == {"kind": place.kind, "same_as": "reports"}
    assert not list(folder.glob("conversations.*"))

    target = place("target", shared=True)
    restored = restore(target, folder)
    assert restored.stores == ["reports"] and restored.shared
    assert everything(target) == before
    assert texts(target.tracker_store_url, "rest:one") == ["مرحبا", "ما اسمك الكامل؟"]
    assert filed["first"] in {row[1] for row in before["reports"]["reports"]}


def test_an_older_backup_is_brought_to_the_latest_migration(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "0014")  # the schema before the reopen requests
    conversations = tmp_path / "conversations.db"
    run(tracker_store(f"sqlite:///{conversations}").get_or_create_tracker("rest:x"))
    settings = dataclasses.replace(
        load_settings(),
        database_url=url,
        tracker_store_url=f"sqlite:///{conversations}",
        media_dir=tmp_path / "no-media",
    )
    folder = backup(settings, tmp_path / "sets")
    assert json.loads((folder / MANIFEST).read_text())["alembic_revision"] == "0014"

    target = dataclasses.replace(
        settings,
        database_url=f"sqlite:///{tmp_path / 'new' / 'reports.db'}",
        tracker_store_url=f"sqlite:///{tmp_path / 'new' / 'conversations.db'}",
    )
    restored = restore(target, folder)
    assert (restored.backup_revision, restored.revision) == ("0014", HEAD)
    assert "reopen_requests" in rows(target.database_url)


def test_a_set_from_a_newer_balagh_is_refused(tmp_path):
    settings = dataclasses.replace(
        load_settings(),
        database_url=f"sqlite:///{tmp_path / 'r.db'}",
        tracker_store_url=f"sqlite:///{tmp_path / 'c.db'}",
        media_dir=tmp_path / "media",
    )
    Store(settings.database_url).upgrade()
    run(tracker_store(settings.tracker_store_url).get_or_create_tracker("rest:x"))
    folder = backup(settings, tmp_path / "sets")
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["alembic_revision"] = "9999"
    (folder / MANIFEST).write_text(json.dumps(manifest))
    target = dataclasses.replace(settings, database_url=f"sqlite:///{tmp_path / 'new.db'}")
    with pytest.raises(BackupError, match="migration 9999"):
        restore(target, folder)
    assert not (tmp_path / "new.db").exists()


@pytest.mark.postgres
def test_the_password_goes_in_the_environment_and_a_missing_client_is_named(
    new_database, tmp_path, monkeypatch
):
    reports, conversations = new_database(), new_database()
    with_password = reports.replace("postgres@", "postgres:s3cret-pw@")
    settings = dataclasses.replace(
        load_settings(),
        database_url=with_password,
        tracker_store_url=conversations,
        media_dir=tmp_path / "media",
    )
    Store(with_password).upgrade()
    run(tracker_store(conversations).get_or_create_tracker("rest:x"))
    calls = []
    real_run = subprocess.run

    def recording(arguments, **options):
        calls.append((arguments, options.get("env", {})))
        return real_run(arguments, **options)

    monkeypatch.setattr(backups.subprocess, "run", recording)
    folder = backup(settings, tmp_path / "sets")
    assert [Path(arguments[0]).name for arguments, _ in calls] == ["pg_dump", "pg_dump"]
    assert not any("s3cret-pw" in argument for arguments, _ in calls for argument in arguments)
    assert calls[0][1]["PGPASSWORD"] == "s3cret-pw"
    assert "--format=custom" in calls[0][0]

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BackupError, match="pg_dump is not installed"):
        backup(settings, tmp_path / "sets")
    target = dataclasses.replace(
        settings, database_url=new_database(), tracker_store_url=new_database()
    )
    with pytest.raises(BackupError, match="pg_restore is not installed"):
        restore(target, folder)
    assert not any(rows(target.database_url).values())
    assert sorted(p.name for p in (tmp_path / "sets").iterdir()) == [folder.name]  # no leftover


def balagh(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BALAGH), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
        timeout=120,
    )


def one_line_failure(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_the_commands_say_what_they_did_and_fail_in_one_line(tmp_path):
    if not BALAGH.exists():
        pytest.fail("balagh is not installed in the venv: run `make install`")
    source = {
        "BALAGH_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}",
        "BALAGH_TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'c.db'}",
        "BALAGH_MEDIA_DIR": str(tmp_path / "media"),
        "BALAGH_BACKUP_DIR": str(tmp_path / "sets"),
    }
    assert "nothing to save" in one_line_failure(balagh("backup", **source))
    Store(source["BALAGH_DATABASE_URL"]).upgrade()
    run(tracker_store(source["BALAGH_TRACKER_STORE_URL"]).get_or_create_tracker("rest:x"))

    made = balagh("backup", **source)  # into BALAGH_BACKUP_DIR
    assert made.returncode == 0, made.stderr
    [folder] = (tmp_path / "sets").iterdir()
    assert f"backup written to {folder}" in made.stdout
    elsewhere = balagh("backup", "--to", str(tmp_path / "other"), **source)
    assert elsewhere.returncode == 0 and str(tmp_path / "other") in elsewhere.stdout

    target = {**source, "BALAGH_DATABASE_URL": f"sqlite:///{tmp_path / 'new' / 'r.db'}"}
    target["BALAGH_TRACKER_STORE_URL"] = f"sqlite:///{tmp_path / 'new' / 'c.db'}"
    assert "not empty" in one_line_failure(balagh("restore", str(folder), **source))
    assert "not a Balagh backup" in one_line_failure(balagh("restore", str(tmp_path), **target))
    manifest = json.loads((folder / MANIFEST).read_text())
    (folder / "reports.db").write_bytes(b"not the saved store")
    line = one_line_failure(balagh("restore", str(folder), "--force", **target))
    assert "checksum" in line and "nothing was restored" in line
    assert not (tmp_path / "new").exists()

    [intact] = (tmp_path / "other").iterdir()
    restored = balagh("restore", str(intact), **target)
    assert restored.returncode == 0, restored.stderr
    assert f"migration {HEAD}" in restored.stdout
    assert manifest["stores"]["reports"]["file"] == "reports.db"
    assert rows(target["BALAGH_DATABASE_URL"]) == rows(source["BALAGH_DATABASE_URL"])
