"""`balagh backup` and `balagh restore`: the two stores and the media, saved and put back.

A backup set is one folder named by its UTC time (`20261123T090000Z`; mode 700, its files
600), written under a hidden name and renamed only when complete, so a set that is there is
whole:

- `reports.dump` or `reports.db`: the reports store (`BALAGH_DATABASE_URL`). PostgreSQL:
  `pg_dump --format=custom`, the password passed in the child's environment (`PGPASSWORD`),
  never on its command line; SQLite: the online backup API (`sqlite3.Connection.backup`), a
  consistent copy while the bot writes;
- `conversations.dump` or `conversations.db`: the conversations store
  (`BALAGH_TRACKER_STORE_URL`), unless it is the same database as the reports store (then
  saved once, and restored once);
- `media/`: the uploaded files (`BALAGH_MEDIA_DIR`), copied after the databases, so every file
  a saved report names is there;
- `manifest.json`: Balagh's version, the reports store's migration, the time, the id of the
  data key the rows are encrypted under (never the key: without `BALAGH_DATA_KEY` the set is
  ciphertext), and every file's size and SHA-256.

`restore` checks every file against the manifest first (a damaged or incomplete set is refused
before anything is touched), then that the set fits the configured stores (the same kinds,
one database or two as in the set, a migration this code knows, the data key the rows need),
refuses a store that is not empty unless forced, puts the stores back (`pg_restore --clean
--if-exists --no-owner` in one transaction; the backup API into the file), copies the media
back, and migrates the reports store to this code's latest schema (an older set works with
newer code). Every expected failure is a `BackupError`: one line for the operator
(docs/operations.md#backups).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot import __version__
from bot.clock import now
from bot.ops.processes import process_env
from bot.private import FILE_MODE, private_dir
from bot.settings import VAR, Settings
from bot.store.crypto import DataKeys
from bot.store.database import ALEMBIC_INI, Store

MANIFEST = "manifest.json"
FORMAT = 1  # the manifest's layout; a set of a later format is refused
MEDIA = "media"
# Each store, and the variable that names it (the messages name the variable).
VARIABLES = {"reports": "BALAGH_DATABASE_URL", "conversations": "BALAGH_TRACKER_STORE_URL"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """An expected failure (a client missing, a damaged set, a store not empty): said in
    one line, nothing restored."""


@dataclass(frozen=True)
class StoreLocation:
    """One of the two stores, where the settings put it."""

    role: str  # "reports" or "conversations"
    url: URL

    @property
    def kind(self) -> str:
        return self.url.get_backend_name()

    @property
    def variable(self) -> str:
        return VARIABLES[self.role]

    @property
    def file_name(self) -> str:
        return f"{self.role}.{'db' if self.kind == 'sqlite' else 'dump'}"

    @property
    def path(self) -> Path:
        """The SQLite file."""
        return Path(self.url.database or "")

    def shown(self) -> str:
        return self.url.render_as_string(hide_password=True)

    def identity(self) -> tuple:
        """What makes two URLs the same database."""
        if self.kind == "sqlite":
            return ("sqlite", str(self.path.resolve()))
        return ("postgresql", self.url.host or "", self.url.port or 5432, self.url.database)


@dataclass
class Restored:
    """What `restore` put back."""

    stores: list[str]  # the roles restored, each database once
    shared: bool  # both stores in one database
    media_files: int
    backup_revision: str | None  # the reports store's migration in the set
    revision: str | None  # and after the upgrade
    made_at: str = ""
    version: str = ""


def locations(settings: Settings) -> tuple[list[StoreLocation], bool]:
    """The stores to save or restore (each database once) and whether the two stores are
    one database."""
    found = []
    for role, raw in (
        ("reports", settings.database_url),
        ("conversations", settings.tracker_store_url),
    ):
        location = StoreLocation(role, make_url(raw))
        if location.kind not in KIND_NAMES:
            raise BackupError(f"{location.variable}: only SQLite and PostgreSQL stores are saved")
        if location.kind == "sqlite" and location.url.database in (None, "", ":memory:"):
            raise BackupError(f"{location.variable}: an in-memory SQLite store cannot be saved")
        found.append(location)
    reports, conversations = found
    if reports.identity() == conversations.identity():
        return [reports], True
    return found, False


# --- backup -------------------------------------------------------------------------------


def backup(settings: Settings, destination_dir: Path) -> Path:
    """Write one backup set into `destination_dir`; returns its folder."""
    stores, shared = locations(settings)
    for store in stores:
        if store.kind == "postgresql":
            _tool("pg_dump")  # before anything is written
        elif not store.path.is_file():
            raise BackupError(f"{store.variable}: {store.path} does not exist: nothing to save")
    destination = Path(destination_dir)
    instant = now()
    try:
        private_dir(destination)
        partial = destination / f".partial-{uuid.uuid4().hex[:12]}"
        private_dir(partial)
    except OSError as failure:
        raise BackupError(f"cannot write in {destination}: {_reason(failure)}") from None
    try:
        saved: dict[str, dict[str, Any]] = {}
        for store in stores:
            target = partial / store.file_name
            if store.kind == "sqlite":
                _sqlite_copy(store.path, target, store.variable)
            else:
                _pg_dump(store, target)
            saved[store.role] = {
                "kind": store.kind,
                "file": store.file_name,
                "source": store.shown(),
            }
        if shared:
            saved["conversations"] = {"kind": stores[0].kind, "same_as": "reports"}
        revision = _revision_of_set(partial, stores[0])
        media = _copy_tree(settings.media_dir, partial / MEDIA)
        keys = _configured_keys(settings)
        manifest = {
            "format": FORMAT,
            "balagh_version": __version__,
            "created_at": instant.isoformat(),
            "alembic_revision": revision,
            "data_key_ids": list(keys.keys) if keys else [],
            "stores": saved,
            "media_files": media,
            "files": {
                relative: {"size": path.stat().st_size, "sha256": _sha256(path)}
                for relative, path in _files_in(partial)
            },
        }
        _write_private(partial / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
        final = _free_name(destination, instant.strftime("%Y%m%dT%H%M%SZ"))
        os.rename(partial, final)
    except BaseException as failure:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(failure, OSError):
            raise BackupError(
                f"cannot write the backup in {destination}: {_reason(failure)}"
            ) from None
        raise
    return final


def _sqlite_copy(source_file: Path, target: Path, variable: str) -> None:
    """A consistent copy of a live SQLite store (the backup API retries while another
    process writes)."""
    _new_private_file(target)
    try:
        source = sqlite3.connect(source_file, timeout=30)
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
    except sqlite3.Error as failure:
        raise BackupError(f"{variable}: {source_file} cannot be copied: {failure}") from None


def _pg_dump(store: StoreLocation, target: Path) -> None:
    command = [
        _tool("pg_dump"),
        "--format=custom",
        "--no-password",
        f"--dbname={_conninfo(store.url)}",
    ]
    descriptor = _new_private_file(target)
    with os.fdopen(descriptor, "wb") as out:
        done = subprocess.run(
            command, stdout=out, stderr=subprocess.PIPE, env=_pg_env(store.url), check=False
        )
    if done.returncode != 0:
        raise BackupError(
            f"pg_dump of {store.shown()} ({store.variable}) failed: {_last_line(done.stderr)}"
        )


def _revision_of_set(folder: Path, reports: StoreLocation) -> str | None:
    """The reports store's migration: read from the copy (SQLite) or the database."""
    if reports.kind == "sqlite":
        uri = f"{(folder / reports.file_name).resolve().as_uri()}?mode=ro&immutable=1"
        connection = sqlite3.connect(uri, uri=True)
        try:
            return _version_num(connection.execute)
        finally:
            connection.close()
    engine = create_engine(reports.url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return _version_num(lambda sql: connection.execute(text(sql)))
    except SQLAlchemyError as failure:
        raise BackupError(f"{reports.variable}: {_db_reason(failure)}") from None
    finally:
        engine.dispose()


def _version_num(execute: Any) -> str | None:
    try:
        row = execute("SELECT version_num FROM alembic_version").fetchone()
    except (sqlite3.Error, SQLAlchemyError):
        return None  # never migrated
    return row[0] if row else None


def _copy_tree(source: Path, target: Path) -> int:
    """Copy every file under `source` (none when it does not exist; a file being written,
    `.<name>.part`, is left out); returns how many."""
    copied = 0
    source = Path(source)
    if not source.is_dir():
        return 0
    for folder, folders, names in os.walk(source):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(folder) / name
            try:
                _copy_private(path, target / path.relative_to(source))
            except FileNotFoundError:
                continue  # removed meanwhile
            copied += 1
    return copied


# --- restore ------------------------------------------------------------------------------


def restore(settings: Settings, backup_dir: Path, force: bool = False) -> Restored:
    """Put the set in `backup_dir` back into the configured stores and media folder.

    Refused, with nothing touched: a set that is damaged or incomplete, that does not fit the
    configured stores, of a migration newer than this code, whose rows need a data key that
    is not configured, or (without `force`) a store that is not empty."""
    folder = Path(backup_dir)
    manifest = _read_manifest(folder)
    _verify(folder, manifest)
    stores, shared = locations(settings)
    _fits(manifest, stores, shared)
    revision = manifest.get("alembic_revision")
    _known_revision(revision, manifest)
    _check_data_key(settings, manifest)
    for store in stores:
        if store.kind == "postgresql":
            _tool("pg_restore")
    media = _media_of(manifest)
    if not force:
        busy = [f"{store.variable} ({store.shown()})" for store in stores if not _is_empty(store)]
        clashes = [
            name for name in media if _clashes(folder / MEDIA / name, settings.media_dir / name)
        ]
        if clashes:
            busy.append(f"BALAGH_MEDIA_DIR ({len(clashes)} of the set's files there differ)")
        if busy:
            raise BackupError(
                f"not empty: {', '.join(busy)}; nothing was restored (--force overwrites)"
            )
    try:
        for store in stores:
            source = folder / manifest["stores"][store.role]["file"]
            if store.kind == "sqlite":
                _sqlite_restore(source, store)
            else:
                _pg_restore(source, store)
        for name in media:
            _copy_private(folder / MEDIA / name, Path(settings.media_dir) / name)
        if media:
            private_dir(Path(settings.media_dir), tighten=True)
    except OSError as failure:
        raise BackupError(f"restore stopped: {_reason(failure)}") from None
    reports = Store(settings.database_url)
    try:
        reports.upgrade()
        with reports.engine.connect() as connection:
            after = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        reports.dispose()
    return Restored(
        stores=[store.role for store in stores],
        shared=shared,
        media_files=len(media),
        backup_revision=revision,
        revision=after,
        made_at=str(manifest.get("created_at", "")),
        version=str(manifest.get("balagh_version", "")),
    )


def _read_manifest(folder: Path) -> dict[str, Any]:
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a folder")
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{folder} is not a Balagh backup set (no {MANIFEST})") from None
    except (OSError, ValueError) as failure:
        raise BackupError(f"{folder / MANIFEST} cannot be read: {failure}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"{folder / MANIFEST} is not a backup manifest")
    if not isinstance(manifest.get("format"), int) or manifest["format"] > FORMAT:
        raise BackupError(
            f"{folder} was written by a newer Balagh ({manifest.get('balagh_version')}):"
            " restore it with that version or a later one"
        )
    stores = manifest.get("stores")
    if not isinstance(stores, dict) or set(stores) != set(VARIABLES):
        raise BackupError(f"{folder / MANIFEST} does not name both stores")
    for role, entry in stores.items():
        file = entry.get("file") if isinstance(entry, dict) else None
        if not (isinstance(entry, dict) and (file in manifest["files"] or entry.get("same_as"))):
            raise BackupError(f"{folder / MANIFEST}: the {role} store's file is not listed")
    return manifest


def _verify(folder: Path, manifest: dict[str, Any]) -> None:
    """Every listed file is there, inside the folder, with its size and SHA-256."""
    root = folder.resolve()
    for relative, expected in manifest["files"].items():
        path = (folder / relative).resolve()
        inside = path.is_relative_to(root) and ".." not in PurePosixPath(relative).parts
        if not inside or not isinstance(expected, dict):
            raise BackupError(f"{folder / MANIFEST} names a file outside the set: {relative}")
        if not path.is_file():
            raise BackupError(f"{folder} is incomplete: {relative} is missing; nothing restored")
        if path.stat().st_size != expected.get("size") or _sha256(path) != expected.get("sha256"):
            raise BackupError(
                f"{folder / relative} does not match its checksum: the backup is damaged;"
                " nothing was restored"
            )


def _fits(manifest: dict[str, Any], stores: list[StoreLocation], shared: bool) -> None:
    """The set's stores are of the configured kinds, one database or two as configured."""
    saved = manifest["stores"]
    was_shared = bool(saved["conversations"].get("same_as"))
    if was_shared != shared:
        saved_in, named = ("one database", "two") if was_shared else ("two databases", "one")
        raise BackupError(
            f"the backup holds the two stores in {saved_in}, BALAGH_DATABASE_URL and"
            f" BALAGH_TRACKER_STORE_URL name {named}: set them to {saved_in} as well"
        )
    for store in stores:
        kind = saved[store.role].get("kind")
        if kind != store.kind:
            raise BackupError(
                f"the backup's {store.role} store is {KIND_NAMES.get(kind, kind)},"
                f" {store.variable} is {KIND_NAMES[store.kind]}: restore into the same kind"
                " of store"
            )


def _known_revision(revision: str | None, manifest: dict[str, Any]) -> None:
    """A set whose schema this code does not know (made by a newer Balagh) is refused."""
    if revision is None:
        return
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    try:
        known = ScriptDirectory.from_config(config).get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise BackupError(
            f"the backup's reports store is at migration {revision}, which this Balagh"
            f" ({__version__}) does not know: restore it with Balagh"
            f" {manifest.get('balagh_version')} or later"
        )


def _configured_keys(settings: Settings) -> DataKeys | None:
    """The data keys configured (without generating one where none is)."""
    key = settings.data_key
    if not key.configured and not (VAR / key.file_name).is_file():
        return None
    return DataKeys(key.value(), settings.data_key_previous)


def _check_data_key(settings: Settings, manifest: dict[str, Any]) -> None:
    """The rows of the set are encrypted under the key it names: it must be configured
    (current or previous), or nothing restored could be read."""
    ids = manifest.get("data_key_ids") or []
    if not ids:
        return
    keys = _configured_keys(settings)
    if keys is None:
        raise BackupError(
            f"the backup's rows are encrypted under data key {ids[0]} and no data key is set:"
            " set BALAGH_DATA_KEY to the key kept with the backups"
        )
    if ids[0] not in keys.keys:
        raise BackupError(
            f"the backup's rows are encrypted under data key {ids[0]}, BALAGH_DATA_KEY is"
            f" {keys.current.id}: set BALAGH_DATA_KEY (or BALAGH_DATA_KEY_PREVIOUS) to the key"
            " kept with the backups"
        )


def _media_of(manifest: dict[str, Any]) -> list[str]:
    """The media files of the set, relative to its media folder."""
    prefix = f"{MEDIA}/"
    return sorted(name[len(prefix) :] for name in manifest["files"] if name.startswith(prefix))


def _clashes(saved: Path, existing: Path) -> bool:
    """A media file of the same name but other content is already there."""
    if not existing.exists():
        return False
    return not existing.is_file() or _sha256(existing) != _sha256(saved)


def _is_empty(store: StoreLocation) -> bool:
    """No table in the store (a missing or empty SQLite file; a database with no table)."""
    if store.kind == "sqlite":
        if not store.path.exists() or store.path.stat().st_size == 0:
            return True
        try:
            connection = sqlite3.connect(store.path, timeout=30)
            try:
                tables = connection.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                ).fetchone()[0]
            finally:
                connection.close()
        except sqlite3.Error as failure:
            raise BackupError(f"{store.variable}: {store.path} cannot be read: {failure}") from None
        return tables == 0
    engine = create_engine(store.url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            tables = connection.execute(
                text(
                    "SELECT count(*) FROM pg_catalog.pg_tables"
                    " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                )
            ).scalar()
    except SQLAlchemyError as failure:
        raise BackupError(f"{store.variable}: {_db_reason(failure)}") from None
    finally:
        engine.dispose()
    return tables == 0


def _sqlite_restore(source: Path, store: StoreLocation) -> None:
    """The saved file copied into the store's file through the backup API (SQLite's own
    locking: a reader never sees half of it)."""
    if not store.path.exists():
        _new_private_file(store.path, close=True)
    uri = f"{source.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        saved = sqlite3.connect(uri, uri=True)
        try:
            target = sqlite3.connect(store.path, timeout=30)
            try:
                saved.backup(target)
            finally:
                target.close()
        finally:
            saved.close()
    except sqlite3.Error as failure:
        raise BackupError(f"{store.variable}: {store.path} cannot be written: {failure}") from None
    os.chmod(store.path, FILE_MODE)


def _pg_restore(source: Path, store: StoreLocation) -> None:
    command = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",  # all or nothing
        "--no-password",
        f"--dbname={_conninfo(store.url)}",
        str(source),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, env=_pg_env(store.url), check=False
    )
    if done.returncode != 0:
        raise BackupError(
            f"pg_restore into {store.shown()} ({store.variable}) failed, nothing of it was"
            f" restored: {_last_line(done.stderr)}"
        )


# --- PostgreSQL's clients -----------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed (or not on the PATH): install PostgreSQL's client"
            " programs of the server's major version or later (Debian: apt-get install"
            " postgresql-client)"
        )
    return found


def _conninfo(url: URL) -> str:
    """libpq's `key=value` connection string, without the password."""
    parameters: dict[str, Any] = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "dbname": url.database,
    }
    for key, value in url.query.items():
        parameters[key] = value[-1] if isinstance(value, tuple) else value
    return " ".join(
        f"{key}={_quoted(str(value))}" for key, value in parameters.items() if value is not None
    )


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _pg_env(url: URL) -> dict[str, str]:
    """The child's environment: the password there (never on a command line `ps` shows)."""
    return process_env(**({"PGPASSWORD": url.password} if url.password else {}))


# --- files --------------------------------------------------------------------------------


def _files_in(folder: Path) -> Iterator[tuple[str, Path]]:
    """(POSIX path relative to `folder`, path) of every file, sorted."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            yield path.relative_to(folder).as_posix(), path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _new_private_file(path: Path, close: bool = False) -> int:
    """A new 0600 file (its folder made 0700 if missing); returns its descriptor, or closes
    it with `close`."""
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)  # whatever the umask
    if close:
        os.close(descriptor)
        return -1
    return descriptor


def _write_private(path: Path, content: str) -> None:
    with os.fdopen(_new_private_file(path), "w", encoding="utf-8") as handle:
        handle.write(content + "\n")


def _copy_private(source: Path, target: Path) -> None:
    """Copy a file as 0600, under a temporary name renamed when whole."""
    partial = target.with_name(f".{target.name}.part")
    try:
        with open(source, "rb") as reading, os.fdopen(_new_private_file(partial), "wb") as writing:
            shutil.copyfileobj(reading, writing, CHUNK)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _free_name(destination: Path, name: str) -> Path:
    """`destination/name`, or `name-2`, `name-3` … when a set of that second exists."""
    candidate, number = destination / name, 1
    while candidate.exists():
        number += 1
        candidate = destination / f"{name}-{number}"
    return candidate


def _reason(failure: OSError) -> str:
    where = f": {failure.filename}" if failure.filename else ""
    return f"{failure.strerror or failure}{where}"


def _db_reason(failure: SQLAlchemyError) -> str:
    original = getattr(failure, "orig", None) or failure
    lines = str(original).strip().splitlines()
    return f"the database cannot be reached: {lines[0] if lines else failure}"


def _last_line(stderr: str | bytes) -> str:
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "replace")
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
