"""Personal data at rest: the reports store keeps names, national IDs and mobiles encrypted
(AES-256-GCM), and finds them through keyed hashes (HMAC-SHA256).

Both keys are derived (HKDF-SHA256) from one data key, `BALAGH_DATA_KEY` (generated once
into `var/data.key`, mode 600, when unset). A stored value is `enc1:<key id>:<base64 of
nonce, ciphertext and tag>`: the key id (the first 4 bytes of the encryption key's SHA-256,
in hex) says which key wrote it, the associated data is the column's purpose (a national
ID cannot be moved into the mobile column and still decrypt). Rotation
(`balagh rotate-data-key`, docs/operations.md): the old key is given as
`BALAGH_DATA_KEY_PREVIOUS`, read with and looked up under until every row is written again
under the new one.

`Encrypted` is the column type: code that reads and writes reports sees clear text;
comparing an encrypted column in SQL is refused (a random nonce makes equal values
differ): filter on its `_hash` column with `lookup_hashes`.

The conversations store (`bot.server.tracker_store`) keeps each event's JSON the same way
(`seal_event`, `open_event`: the conversation's id is the associated data), and the event
relay decrypts it before publishing it masked.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import threading
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeDecorator

PREFIX = "enc1"
NONCE_BYTES = 12
# The purposes (associated data, and the hashes' domain) of the reports' columns.
NAME = "beneficiary_name"
NATIONAL_ID = "national_id"
MOBILE = "mobile"


class DataKeyError(ValueError):
    """A stored value cannot be read: written under an unknown key, or altered."""


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode("utf-8")
    )


class _Key:
    """One data key's derived keys: AES-GCM's and the keyed hashes'."""

    def __init__(self, secret: str) -> None:
        encryption = _derive(secret, b"balagh personal data encryption v1")
        self.id = hashlib.sha256(encryption).hexdigest()[:8]
        self.cipher = AESGCM(encryption)
        self.index = _derive(secret, b"balagh personal data lookup v1")

    def hash(self, purpose: str, value: str) -> str:
        message = purpose.encode("utf-8") + b"\0" + value.encode("utf-8")
        return hmac.new(self.index, message, hashlib.sha256).hexdigest()


class DataKeys:
    """The current data key (encrypts, hashes) and the previous ones (decrypt, match)."""

    def __init__(self, current: str, previous: Sequence[str] = ()) -> None:
        if not current:
            raise ValueError("a data key is needed")
        self.current = _Key(current)
        self.keys = {self.current.id: self.current}
        for secret in previous:
            key = _Key(secret)
            self.keys.setdefault(key.id, key)
        self._all = tuple(self.keys.values())  # the current one first

    def encrypt(self, purpose: str, value: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.current.cipher.encrypt(nonce, value.encode("utf-8"), purpose.encode())
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
        return f"{PREFIX}:{self.current.id}:{body}"

    def decrypt(self, purpose: str, stored: str) -> str:
        """The clear value of `stored`; a value without the prefix is returned as it is
        (a row the migration has not reached yet)."""
        if not is_encrypted(stored):
            return stored
        _, key_id, body = (stored.split(":", 2) + ["", ""])[:3]
        key = self.keys.get(key_id)
        if key is None:
            raise DataKeyError(
                f"a value is encrypted under the unknown key {key_id}: set BALAGH_DATA_KEY (or"
                " BALAGH_DATA_KEY_PREVIOUS) to the key that wrote it"
            )
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            clear = key.cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode())
        except (InvalidTag, ValueError):  # binascii.Error is a ValueError
            what = purpose.split(":", 1)[0]  # not an event's conversation id (a phone number)
            raise DataKeyError(f"a stored {what} was altered or moved") from None
        return clear.decode("utf-8")

    def is_current(self, stored: str | None) -> bool:
        """Written under the current key (nothing to rotate)."""
        return stored is None or stored.startswith(f"{PREFIX}:{self.current.id}:")

    def hash(self, purpose: str, value: str | None) -> str | None:
        """The keyed hash stored next to an encrypted value (the current key's)."""
        return None if value is None else self.current.hash(purpose, value)

    def hashes(self, purpose: str, value: str) -> list[str]:
        """What a stored hash of `value` may be: under the current key or a previous one
        (rows not yet rotated are still found)."""
        return [key.hash(purpose, value) for key in self._all]


def is_encrypted(stored: str | None) -> bool:
    return stored is not None and stored.startswith(PREFIX + ":")


_configured: DataKeys | None = None
_lock = threading.Lock()


@functools.lru_cache(maxsize=8)
def _keys_of(current: str, previous: tuple[str, ...]) -> DataKeys:
    return DataKeys(current, previous)


def data_keys() -> DataKeys:
    """The process's keys: those `use_keys` set, else the settings' (`BALAGH_DATA_KEY`,
    `BALAGH_DATA_KEY_PREVIOUS`), read once."""
    global _configured
    if _configured is None:
        with _lock:
            if _configured is None:
                from bot.settings import load_settings

                settings = load_settings()
                _configured = _keys_of(settings.data_key.value(), settings.data_key_previous)
    return _configured


def use_keys(keys: DataKeys | None) -> DataKeys | None:
    """Set the process's keys (None: read the settings again at next use); returns the
    keys used until now (tests put them back)."""
    global _configured
    with _lock:
        before, _configured = _configured, keys
    return before


def lookup_hashes(purpose: str, value: str) -> list[str]:
    """The `_hash` values a row holding `value` may have: `Report.national_id_hash.in_(…)`."""
    return data_keys().hashes(purpose, value)


def hash_of(purpose: str, value: str | None) -> str | None:
    """The `_hash` value written with `value`."""
    return data_keys().hash(purpose, value)


def hash_default(purpose: str, column: str) -> Any:
    """A column default that is the keyed hash of the row's `column` (any insert, the ORM's
    or Core's, that gives the value without its hash)."""

    def default(context: Any) -> str | None:
        value = context.get_current_parameters().get(column)
        return hash_of(purpose, value) if value is not None else None

    return default


# Conversation events (the tracker store's `events.data`): the JSON of each event is
# encrypted with the conversation's id in the associated data (an event moved to another
# conversation does not decrypt). Events stored before encryption are read as they are.
EVENT = "event"


def seal_event(sender_id: str, data: str, keys: DataKeys | None = None) -> str:
    """An event's JSON as the tracker store keeps it."""
    return (keys or data_keys()).encrypt(f"{EVENT}:{sender_id}", data)


def open_event(sender_id: str, stored: str, keys: DataKeys | None = None) -> str:
    """An event's JSON from what the tracker store keeps (sealed, or in clear from before)."""
    return (keys or data_keys()).decrypt(f"{EVENT}:{sender_id}", stored)


# Comparisons an encrypted column still allows in SQL.
_ALLOWED = {operators.is_, operators.is_not, operators.isnot}


class Encrypted(TypeDecorator):
    """A text column stored encrypted (AES-GCM, associated data `purpose`)."""

    impl = Text
    cache_ok = True

    class Comparator(TypeDecorator.Comparator):
        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            # A value (never equal: a random nonce each time) is refused; SQLAlchemy itself
            # compares columns with columns (result maps), which stays allowed.
            if op not in _ALLOWED and not all(isinstance(o, ClauseElement) for o in other):
                raise TypeError(
                    "an encrypted column cannot be compared in SQL: filter on its _hash column"
                    " (bot.store.crypto.lookup_hashes)"
                )
            return super().operate(op, *other, **kwargs)

    comparator_factory = Comparator

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return data_keys().encrypt(self.purpose, str(value))

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return data_keys().decrypt(self.purpose, value)


# The reports' personal columns as stored (no type processing): the migration that
# encrypted them and the key rotation read and write them as they are.
_REPORTS = sa.table(
    "reports",
    sa.column("id", sa.Integer),
    sa.column("beneficiary_name", sa.Text),
    sa.column("national_id", sa.Text),
    sa.column("mobile", sa.Text),
    sa.column("national_id_hash", sa.String),
    sa.column("mobile_hash", sa.String),
)
_HASHED = {NATIONAL_ID: "national_id_hash", MOBILE: "mobile_hash"}


def reencrypt_reports(
    connection: sa.engine.Connection,
    keys: DataKeys | None = None,
    *,
    decrypt: bool = False,
    batch: int = 500,
) -> int:
    """Write every report's personal data again under the current key (clear rows
    encrypted, rows of a previous key re-encrypted, the hashes recomputed), in `id`
    order, on one connection (the migration's transaction); rows already right are left
    alone. `decrypt`: write them in clear, without hashes (the migration's downgrade).
    Returns the rows written. Raises `DataKeyError` on a row no configured key can read."""
    written, after = 0, 0
    while after is not None:
        count, after = reencrypt_batch(connection, keys, after, decrypt=decrypt, batch=batch)
        written += count
    return written


def rotate_reports(engine: sa.engine.Engine, keys: DataKeys | None = None, batch: int = 500) -> int:
    """`reencrypt_reports` a batch per transaction (`balagh rotate-data-key`, while the
    processes run): a failure keeps the batches before it, and running it again goes on."""
    written, after = 0, 0
    while after is not None:
        with engine.begin() as connection:
            count, after = reencrypt_batch(connection, keys, after, batch=batch)
        written += count
    return written


def reencrypt_batch(
    connection: sa.engine.Connection,
    keys: DataKeys | None,
    after: int,
    *,
    decrypt: bool = False,
    batch: int = 500,
) -> tuple[int, int | None]:
    """The reports after id `after`, `batch` of them, written again where needed: (rows
    written, the last id seen, or None when there were none left)."""
    keys = keys or data_keys()
    rows = connection.execute(
        sa.select(_REPORTS).where(_REPORTS.c.id > after).order_by(_REPORTS.c.id).limit(batch)
    ).all()
    if not rows:
        return 0, None
    written = 0
    for row in rows:
        values = _rewritten(row._mapping, keys, decrypt)
        if values:
            connection.execute(sa.update(_REPORTS).where(_REPORTS.c.id == row.id).values(**values))
            written += 1
    return written, rows[-1].id


def _rewritten(row: Any, keys: DataKeys, decrypt: bool) -> dict[str, str | None]:
    """The columns of one stored report to write again (empty: it is right as it is)."""
    values: dict[str, str | None] = {}
    for purpose in (NAME, NATIONAL_ID, MOBILE):
        stored = row[purpose]
        clear = None if stored is None else keys.decrypt(purpose, stored)
        hash_column = _HASHED.get(purpose)
        if decrypt:
            if stored != clear:
                values[purpose] = clear
            if hash_column and row[hash_column] is not None:
                values[hash_column] = None
            continue
        if not is_encrypted(stored) or not keys.is_current(stored):
            values[purpose] = None if clear is None else keys.encrypt(purpose, clear)
        if hash_column and row[hash_column] != keys.hash(purpose, clear):
            values[hash_column] = keys.hash(purpose, clear)
    return values


_EVENTS = sa.table(
    "events", sa.column("id", sa.Integer), sa.column("sender_id", sa.String), sa.column("data")
)


def rotate_events(engine: sa.engine.Engine, keys: DataKeys | None = None, batch: int = 500) -> int:
    """The tracker store's events written again under the current key (those in clear,
    stored before events were encrypted, included), a batch per transaction; 0 when the
    store has no `events` table yet. Returns the events written."""
    keys = keys or data_keys()
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("events"):
            return 0
    written, after = 0, 0
    while True:
        with engine.begin() as connection:
            rows = connection.execute(
                sa.select(_EVENTS).where(_EVENTS.c.id > after).order_by(_EVENTS.c.id).limit(batch)
            ).all()
            if not rows:
                return written
            for row in rows:
                if row.data is None or keys.is_current(row.data):
                    continue
                clear = open_event(row.sender_id, row.data, keys)
                connection.execute(
                    sa.update(_EVENTS)
                    .where(_EVENTS.c.id == row.id)
                    .values(data=seal_event(row.sender_id, clear, keys))
                )
                written += 1
            after = rows[-1].id
