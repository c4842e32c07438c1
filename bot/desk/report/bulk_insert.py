"""Writing many rows fast, inside the caller's transaction: PostgreSQL's COPY (one
stream per chunk instead of a statement per row), SQLite's executemany through Core
(already in-process and fast). Used by the demo data generator."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

CHUNK = 5_000


def _copy_value(value: Any) -> Any:
    """A value as COPY's CSV format reads it (unquoted empty = NULL)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


class BulkWriter:
    """Buffers rows per table and writes them a chunk at a time, parents first (the
    order tables were given in), so foreign keys always find their rows."""

    def __init__(self, connection: Connection, tables: dict[str, Table]) -> None:
        self.connection = connection
        self.tables = tables
        self.buffers: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
        self.copy = connection.dialect.name == "postgresql"

    def add(self, name: str, row: dict[str, Any]) -> None:
        buffer = self.buffers[name]
        buffer.append(row)
        if len(buffer) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        for name, rows in self.buffers.items():
            if rows:
                self._write(self.tables[name], rows)
                rows.clear()

    def _write(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not self.copy:
            self.connection.execute(table.insert(), rows)
            return
        columns = list(rows[0])
        # COPY bypasses the column types: encrypted columns are encrypted here.
        dialect = self.connection.dialect
        typed = {c: table.c[c].type for c in columns if isinstance(table.c[c].type, TypeDecorator)}
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            values = {c: typed[c].process_bind_param(row[c], dialect) for c in typed}
            writer.writerow([_copy_value(values.get(c, row[c])) for c in columns])
        buffer.seek(0)
        cursor = self.connection.connection.cursor()
        try:
            cursor.copy_expert(
                f"COPY {table.name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer
            )
        finally:
            cursor.close()
