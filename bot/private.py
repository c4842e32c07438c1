"""Files and folders Balagh creates hold personal data or secrets (SQLite stores, uploaded
media, logs, generated secrets, rendered configuration): files are 0600 and folders 0700,
whatever the process's umask (the mode is set after creation, not asked of `open`).

A folder Balagh did not create (`/tmp`, a mounted volume) keeps its mode, except where
`tighten=True` names a folder that is Balagh's own (`var/`, the media folder): it is made
0700 if this user owns it. Nothing here reads the settings: callers pass the paths.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path, *, tighten: bool = False) -> Path:
    """`path` and its missing parents created as 0700 folders (existing ones are left as
    they are, but `path` itself is made 0700 with `tighten` when this user owns it)."""
    path = Path(path)
    missing: list[Path] = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            continue  # another process made it first
        os.chmod(folder, DIR_MODE)  # the umask may have removed bits; never adds any
    if tighten and not missing:
        _chmod_if_owned(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """`path` created empty as a 0600 file in a 0700 folder when it does not exist, or
    made 0600 when it exists and this user owns it (a store created before this rule).
    SQLite creates its `-wal`, `-shm` and `-journal` files with the database's mode."""
    path = Path(path)
    private_dir(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        _chmod_if_owned(path, FILE_MODE)
        for suffix in ("-wal", "-shm", "-journal"):
            _chmod_if_owned(path.with_name(path.name + suffix), FILE_MODE)
        return path
    try:
        os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)
    return path


def write_private(path: Path, data: bytes | str, *, encoding: str = "utf-8") -> Path:
    """Write `data` to `path` (replacing what it held) as a 0600 file."""
    path = Path(path)
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        os.fchmod(handle.fileno(), FILE_MODE)
        handle.write(data.encode(encoding) if isinstance(data, str) else data)
    return path


def open_private_append(path: Path) -> IO[bytes]:
    """`path` opened for appending bytes (a log), created 0600 if it does not exist."""
    path = Path(path)
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
    except OSError:
        pass  # not ours (an operator's file): appended to as it is
    return os.fdopen(descriptor, "ab")


def _chmod_if_owned(path: Path, mode: int) -> None:
    try:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except (FileNotFoundError, PermissionError):
        pass
