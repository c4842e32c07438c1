"""Personal data at rest: names, national IDs and mobiles are encrypted in the reports store
(AES-GCM) and found through keyed hashes, on SQLite and on the real PostgreSQL; the
migration encrypts the rows it finds in clear; a key rotation re-encrypts them."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from rasa.shared.core.events import UserUttered

from bot.server.tracker_store import CachedSQLTrackerStore
from bot.store import crypto
from bot.store.crypto import MOBILE, NAME, NATIONAL_ID, DataKeyError, DataKeys
from bot.store.database import ALEMBIC_INI, Store
from bot.store.follow_up import find_report
from bot.store.models import Report
from bot.store.reports import NewReport, earlier_requests, file_report
from tests.helpers.reports import DUE, NOW, complaint
from tests.helpers.trackers import DOMAIN, _connection, run

ROOT = Path(__file__).resolve().parents[2]
KEY_A = "a" * 64
KEY_B = "b" * 64
CLEAR = ("نورة سعد", "1000000008", "+966551234567")


@pytest.fixture(autouse=True)
def keys() -> Iterator[DataKeys]:
    """The test's own data key (put back afterwards)."""
    before = crypto.use_keys(DataKeys(KEY_A))
    yield crypto.data_keys()
    crypto.use_keys(before)


def of(conversation: str, prior: str) -> NewReport:
    """The helpers' complaint, filed from another conversation."""
    return dataclasses.replace(complaint(prior), conversation_id=conversation)


def stored(store: Store) -> list[tuple]:
    """The reports' personal columns as the database holds them."""
    with store.engine.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT beneficiary_name, national_id, mobile, national_id_hash, mobile_hash"
                " FROM reports ORDER BY id"
            )
        ).all()


def test_names_ids_and_mobiles_are_stored_encrypted_and_read_in_clear(store, keys):
    filed = file_report(store, complaint(), NOW, DUE)
    [row] = stored(store)
    for value, clear in zip(row[:3], CLEAR, strict=True):
        assert value.startswith("enc1:") and clear not in value
        assert "0008" not in value and "4567" not in value
    assert row[3] == keys.hash(NATIONAL_ID, "1000000008") and len(row[3]) == 64
    assert row[4] == keys.hash(MOBILE, "+966551234567")
    assert find_report(store, filed.number).national_id == "1000000008"
    with store.session() as session:
        report = session.execute(sa.select(Report)).scalar_one()
        assert (report.beneficiary_name, report.national_id, report.mobile) == CLEAR
    # Two filings of the same person: different ciphertexts, the same hash.
    file_report(store, of("c2", "INC-2"), NOW, DUE)
    first, second = stored(store)
    assert first[1] != second[1] and first[3] == second[3]


def test_the_duplicate_check_finds_the_person_by_hash(store):
    first = file_report(store, complaint(), NOW, DUE)
    found = earlier_requests(store, "1000000008", "complaint")
    assert [request.number for request in found] == [first.number]
    assert earlier_requests(store, "1000000016", "complaint") == []
    other = dataclasses.replace(of("c3", "INC-3"), national_id="1000000016")
    file_report(store, other, NOW, DUE)
    second = file_report(store, of("c2", "INC-2"), NOW, DUE)
    found = earlier_requests(store, "1000000008", "complaint")
    assert [request.number for request in found] == [second.number, first.number]


def test_an_insert_without_the_hashes_gets_them(store, keys):
    """Any insert that gives the identifiers without their hashes (Core, bulk) gets them
    from the column defaults."""
    values = {
        "number": "260000009",
        "type": "complaint",
        "status": "received",
        "channel": "rest",
        "conversation_id": "core",
        "beneficiary_name": CLEAR[0],
        "national_id": CLEAR[1],
        "mobile": CLEAR[2],
        "details": {},
        "created_at": NOW,
        "updated_at": NOW,
        "due_on": DUE,
    }
    with store.engine.begin() as connection:
        connection.execute(Report.__table__.insert(), [values])
    [row] = stored(store)
    assert row[0].startswith("enc1:")
    assert (row[3], row[4]) == (keys.hash(NATIONAL_ID, CLEAR[1]), keys.hash(MOBILE, CLEAR[2]))


def test_an_encrypted_column_cannot_be_compared_in_sql():
    with pytest.raises(TypeError, match="_hash"):
        _ = Report.national_id == "1000000008"
    with pytest.raises(TypeError):
        _ = Report.mobile.in_(["+966551234567"])
    assert Report.national_id.is_(None) is not None  # (a retention rule may need it)


def test_a_value_moved_altered_or_of_an_unknown_key_is_refused(keys):
    sealed = keys.encrypt(NATIONAL_ID, "1000000008")
    assert keys.decrypt(NATIONAL_ID, sealed) == "1000000008"
    with pytest.raises(DataKeyError):
        keys.decrypt(MOBILE, sealed)  # moved to another column
    prefix, key_id, body = sealed.split(":")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(DataKeyError):
        keys.decrypt(NATIONAL_ID, f"{prefix}:{key_id}:{flipped}")
    with pytest.raises(DataKeyError, match="BALAGH_DATA_KEY"):
        DataKeys(KEY_B).decrypt(NATIONAL_ID, sealed)
    assert keys.decrypt(NAME, "نورة") == "نورة"  # a row the migration has not reached


def test_encryption_costs_microseconds(keys):
    """Filing and reading a report encrypt and decrypt three values: well under a
    millisecond (the benchmark's budget is 150 ms per message)."""
    start = time.perf_counter()
    for _ in range(1000):
        for purpose, value in zip((NAME, NATIONAL_ID, MOBILE), CLEAR, strict=True):
            keys.decrypt(purpose, keys.encrypt(purpose, value))
            keys.hash(purpose, value)
    per_report = (time.perf_counter() - start) / 1000
    assert per_report < 0.001, f"{per_report * 1e6:.0f} µs per report"


def _alembic(store: Store) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    config.set_main_option("sqlalchemy.url", store.url.replace("%", "%%"))
    return config


def _migrate(store: Store, revision: str, down: bool = False) -> None:
    config = _alembic(store)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _before_encryption(store: Store) -> str:
    return ScriptDirectory.from_config(_alembic(store)).get_revision("0010").down_revision


def test_the_migration_encrypts_the_rows_it_finds_in_clear(database_url, keys):
    store = Store(database_url)
    try:
        before = _before_encryption(store)
        _migrate(store, before)
        with store.engine.begin() as connection:
            for index, conversation in enumerate(("old-1", "old-2"), start=1):
                connection.execute(
                    sa.text(
                        "INSERT INTO reports (number, type, status, channel, conversation_id,"
                        " beneficiary_name, national_id, mobile, details, needs_review,"
                        " created_at, updated_at, due_on) VALUES (:number, 'complaint',"
                        " 'received', 'rest', :conversation, :name, :id, :mobile, '{}',"
                        " false, :now, :now, :due)"
                    ),
                    {
                        "number": f"26000000{index}",
                        "conversation": conversation,
                        "name": CLEAR[0],
                        "id": CLEAR[1],
                        "mobile": CLEAR[2],
                        "now": NOW,
                        "due": DUE,
                    },
                )
        store.upgrade()
        rows = stored(store)
        assert len(rows) == 2
        for row in rows:
            assert all(value.startswith("enc1:") for value in row[:3])
            assert row[3] == keys.hash(NATIONAL_ID, CLEAR[1])
            assert row[4] == keys.hash(MOBILE, CLEAR[2])
        assert [r.number for r in earlier_requests(store, CLEAR[1], "complaint")] == [
            "260000002",
            "260000001",
        ]
        store.upgrade()  # idempotent: nothing to do
        assert stored(store) == rows
        _migrate(store, before, down=True)  # and back: in clear again
        with store.engine.connect() as connection:
            clear = connection.execute(
                sa.text("SELECT beneficiary_name, national_id, mobile FROM reports")
            ).all()
        assert clear == [CLEAR, CLEAR]
    finally:
        store.dispose()


def test_a_key_rotation_reencrypts_every_row(store, keys):
    numbers = [file_report(store, complaint(f"INC-{i}"), NOW, DUE).number for i in range(3)]
    under_a = stored(store)
    # The operator sets the new key, the old one as previous: everything still reads and
    # is still found while the rows are under the old key...
    rotated = DataKeys(KEY_B, [KEY_A])
    crypto.use_keys(rotated)
    assert find_report(store, numbers[0]).national_id == CLEAR[1]
    assert len(earlier_requests(store, CLEAR[1], "complaint")) == 3
    new = file_report(store, of("c9", "INC-9"), NOW, DUE).number
    assert len(earlier_requests(store, CLEAR[1], "complaint")) == 4  # both keys' rows
    # ... then `balagh rotate-data-key` writes them again under the new key.
    assert crypto.rotate_reports(store.engine, rotated, batch=2) == 3
    assert crypto.rotate_reports(store.engine, rotated) == 0  # done
    after = stored(store)
    assert all(row[0].startswith(f"enc1:{rotated.current.id}:") for row in after)
    assert all(row[3] == rotated.hash(NATIONAL_ID, CLEAR[1]) for row in after)
    assert [row[0] for row in after[:3]] != [row[0] for row in under_a]
    # The old key is no longer needed, and no longer enough.
    crypto.use_keys(DataKeys(KEY_B))
    assert len(earlier_requests(store, CLEAR[1], "complaint")) == 4
    assert find_report(store, new).national_id == CLEAR[1]
    crypto.use_keys(DataKeys(KEY_A))
    with pytest.raises(DataKeyError):
        find_report(store, new)


def _balagh(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.ops.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        cwd=ROOT,
        timeout=120,
    )


def test_balagh_rotate_data_key(sqlite_url, tmp_path):
    store = Store(sqlite_url)
    store.upgrade()
    file_report(store, complaint(), NOW, DUE)
    store.dispose()
    conversations = f"sqlite:///{tmp_path / 'conversations.db'}"
    tracker_store = CachedSQLTrackerStore(domain=DOMAIN, **_connection(conversations))
    tracker = run(tracker_store.get_or_create_tracker("c1"))
    tracker.update(UserUttered(f"هويتي {CLEAR[1]}", {"name": "greet", "confidence": 1.0}))
    run(tracker_store.save(tracker))
    tracker_store.engine.dispose()
    stores = {"BALAGH_DATABASE_URL": sqlite_url, "BALAGH_TRACKER_STORE_URL": conversations}
    unknown = _balagh("rotate-data-key", BALAGH_DATA_KEY=KEY_B, **stores)
    assert unknown.returncode == 1 and "Traceback" not in unknown.stderr
    assert "unknown key" in unknown.stderr and "BALAGH_DATA_KEY_PREVIOUS" in unknown.stderr
    done = _balagh(
        "rotate-data-key", BALAGH_DATA_KEY=KEY_B, BALAGH_DATA_KEY_PREVIOUS=KEY_A, **stores
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "1 reports and 2 conversation events written again under the data key"
    )
    crypto.use_keys(DataKeys(KEY_B))
    store = Store(sqlite_url)
    assert find_report(store, "260000001").national_id == CLEAR[1]
    store.dispose()
    tracker_store = CachedSQLTrackerStore(domain=DOMAIN, **_connection(conversations))
    said = [e.text for e in run(tracker_store.retrieve("c1")).events if e.type_name == "user"]
    assert said == [f"هويتي {CLEAR[1]}"]
    tracker_store.engine.dispose()


def test_a_short_data_key_is_refused_in_one_line(sqlite_url):
    result = _balagh("migrate", BALAGH_DATABASE_URL=sqlite_url, BALAGH_DATA_KEY="short")
    assert result.returncode == 1
    assert "BALAGH_DATA_KEY must be a secret of at least 32 characters" in result.stderr
    assert "short" not in result.stderr.replace("BALAGH_DATA_KEY", "")
