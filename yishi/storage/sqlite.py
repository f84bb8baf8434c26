"""The embedded backend: one SQLite file, every write one transaction with its audit row.

Geometry is kept as WKB (lossless) beside a bounding box the database checks and that
`load_layer(bbox=...)` filters on. Only this module (and its siblings in yishi.storage)
speaks SQL.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import InputError, StoreBusy, StoreDamaged, StoreFull, StoreReadOnly, YishiError, msg
from geo.joins import place
from geo.schema import LAYERS, WGS84, Field, Layer, get_layer
from yishi.storage.codec import decode, encode, next_number_id, typed, with_wkb, with_wkb_many
from yishi.storage.protocol import SCHEMA_VERSION, BatchResult, BBox, Row, StoreCheck, Where
from yishi.storage.query import (Dialect, bbox_sql, box_params, by_issue_ddl, order_sql, quoted, summary_sql,
                                 where_sql)

_SQL_TYPES = {"str": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "INTEGER", "date": "TEXT"}



def _column_ddl(f: Field, id_field: str) -> str:
    parts = [f'"{f.name}" {_SQL_TYPES[f.type]}']
    if f.name == id_field:
        parts.append("PRIMARY KEY")
    if f.required:
        parts.append("NOT NULL")
    checks = []
    if f.type == "bool":
        checks.append(f'"{f.name}" IN (0, 1)')
    if f.type == "date":
        # '+0 days' makes SQLite normalise the date, so 2022-02-30 (which date() echoes) fails
        checks.append(f"date(\"{f.name}\", '+0 days') IS \"{f.name}\"")
    if f.enum is not None:
        # `x = 'a' OR x = 'b'`, not `x IN ('a', 'b')`: the same test (NULL passes both), but
        # SQLite builds a table for an IN list at every row it checks (x4 on bulk inserts).
        # A store made before keeps its IN until the next schema version rebuilds the table.
        checks.append(" OR ".join(f""""{f.name}" = '{c}'""" for c in f.enum.codes))
    if f.minimum is not None:
        checks.append(f'"{f.name}" >= {f.minimum}')
    if f.maximum is not None:
        checks.append(f'"{f.name}" <= {f.maximum}')
    parts += [f"CHECK ({c})" for c in checks]
    return " ".join(parts)


def _table_ddl(layer: Layer) -> str:
    cols = [_column_ddl(f, layer.id_field) for f in layer.fields]
    if layer.geometry:
        cols += [
            "geom BLOB NOT NULL",
            "minx REAL NOT NULL", "miny REAL NOT NULL", "maxx REAL NOT NULL", "maxy REAL NOT NULL",
            "CHECK (minx >= -180 AND maxx <= 180 AND miny >= -90 AND maxy <= 90"
            " AND minx <= maxx AND miny <= maxy)",
        ]
    return f'CREATE TABLE IF NOT EXISTS "{layer.name}" (\n  ' + ",\n  ".join(cols) + "\n) STRICT"


#: The columns the overview counts issues by (yishi/services/dashboard.py), in one covering
#: index: a count reads it instead of the table's rows (titles, descriptions, geometry), and a
#: count per community and stage reads it in order. After any write the page's counts are made
#: again: at 10^6 issues they took 9.0 s, and 4.6 s with it.
_COUNTED = {"issues": ("community_id", "stage", "category", "focus", "reported_on", "done_on", "due_on",
                       "satisfaction", "triage", "subdistrict_id")}


def _index_ddl(layer: Layer) -> list[str]:
    """The indexes of a layer's table: its position for a layer of points (a box query on it
    is a range there, see `_DIALECT.point_bbox`: without it the map's box at street zoom read
    every row, 0.27 s at 10^6 issues), the issue a row refers to (`_by_issue`), and `_COUNTED`."""
    made = []
    if layer.geometry == "Point":
        made.append(f'CREATE INDEX IF NOT EXISTS "{layer.name}_by_position" ON "{layer.name}" (minx, miny)')
    made += by_issue_ddl(layer)
    if layer.name in _COUNTED:
        columns = ", ".join(quoted(c) for c in _COUNTED[layer.name])
        made.append(f'CREATE INDEX IF NOT EXISTS "{layer.name}_counts" ON "{layer.name}" ({columns})')
    return made


_FIXED_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS audit (
  audit_id INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL,
  layer TEXT, target TEXT, count INTEGER, detail TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS batches (
  batch_id INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL,
  layer TEXT NOT NULL, source TEXT, status TEXT NOT NULL
    CHECK (status IN ('committed', 'rejected', 'undone')),
  n_new INTEGER NOT NULL DEFAULT 0, n_updated INTEGER NOT NULL DEFAULT 0,
  n_unchanged INTEGER NOT NULL DEFAULT 0, n_rejected INTEGER NOT NULL DEFAULT 0, detail TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS batch_changes (
  batch_id INTEGER NOT NULL REFERENCES batches(batch_id), layer TEXT NOT NULL,
  row_id TEXT NOT NULL, before TEXT, after TEXT, PRIMARY KEY (batch_id, layer, row_id)
) STRICT;
CREATE TABLE IF NOT EXISTS users (
  username TEXT PRIMARY KEY, role TEXT NOT NULL
    CHECK (role IN ('leader', 'member', 'staff', 'admin')),
  community_id TEXT, member_id TEXT, password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  failed_count INTEGER NOT NULL DEFAULT 0, locked_until TEXT, created_at TEXT NOT NULL,
  display_name TEXT, region_id TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS sessions (
  session_hash TEXT PRIMARY KEY,
  username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
  created_at TEXT NOT NULL, last_seen TEXT NOT NULL, expires_at TEXT NOT NULL,
  user_agent TEXT NOT NULL DEFAULT '', address TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (username);
CREATE TABLE IF NOT EXISTS signin_failures (
  username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
  address TEXT NOT NULL, failed_count INTEGER NOT NULL, locked_until TEXT, last_at TEXT NOT NULL,
  PRIMARY KEY (username, address)
) STRICT;
CREATE TABLE IF NOT EXISTS api_keys (
  key_id TEXT PRIMARY KEY, name TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL, created_by TEXT NOT NULL, revoked_at TEXT
) STRICT;
"""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in con.execute(f'PRAGMA table_info("{table}")')]


def _migrate(con: sqlite3.Connection) -> None:
    """Bring an older store's tables up to this schema, keeping every row (inside the caller's
    transaction). 4: accounts gain `display_name`; the timeline gains `by_role` and the
    kind "correction". 5: issues gain where they came from (source, triage, merged_into,
    declined_reason, me_too); the tracking, ratings and api_keys tables are new. 6: the region
    tree (regions) is new, every layer with a place gains its `subdistrict_id`, and accounts their
    `region_id`. 7: a layer of points gains an index on its position, issues one on what pages
    count them by. 8: a layer that refers to issues gains an index on `issue_id` (`_index_ddl`,
    made by the caller after this). A layer table whose definition
    changed (a column added, an enumeration grown: SQLite cannot alter a CHECK) is rebuilt with
    the columns both definitions have."""
    for column in ("display_name", "region_id"):
        if column not in _columns(con, "users"):
            con.execute(f"ALTER TABLE users ADD COLUMN {column} TEXT")
    for layer in LAYERS.values():
        ddl = _table_ddl(layer)
        stored = con.execute("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?",
                             (layer.name,)).fetchone()[0]
        if stored == ddl.replace("CREATE TABLE IF NOT EXISTS ", "CREATE TABLE ", 1):
            continue
        new = f"_new_{layer.name}"
        con.execute(ddl.replace(f'IF NOT EXISTS "{layer.name}"', f'"{new}"', 1))
        kept = ", ".join(f'"{c}"' for c in _columns(con, layer.name) if c in _columns(con, new))
        con.execute(f'INSERT INTO "{new}" ({kept}) SELECT {kept} FROM "{layer.name}"')
        con.execute(f'DROP TABLE "{layer.name}"')
        con.execute(f'ALTER TABLE "{new}" RENAME TO "{layer.name}"')


class SQLiteStore:
    """The SQLite store (see `yishi.storage.protocol.Store`); every public write is one transaction."""

    def __init__(self, path: Path | str, *, verify: bool = False):
        """Open (or create) the store at `path`; with `verify`, refuse it (StoreDamaged) unless
        it passes quick_check. A store this process may not write is opened read-only: every
        read works, every write raises StoreReadOnly, and opening it writes nothing."""
        self.path = Path(path)
        self.location = str(self.path)
        self.read_only = not _writable(self.path)
        #: A read-only store made by an older version: read as it is (see _ensure_schema).
        self._outdated: str | None = None
        self._con = self._connect()
        try:
            if not self.read_only:
                self._con.execute("PRAGMA journal_mode=WAL")  # kept in the file: set once
            self._con.execute("PRAGMA synchronous=NORMAL")
            self._con.execute("PRAGMA foreign_keys=ON")
            self._ensure_schema()
            if verify:
                self._verify()
        except BaseException:
            self._con.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        """The connection: read-write, or read-only (`mode=ro`) when the file or its folder is
        not writable.

        A WAL store read read-only still needs its -shm (the WAL index) beside it: SQLite makes
        one if the folder is writable, and uses an existing one. In a read-only folder without
        one (a backup on a read-only share or snapshot) `mode=ro` cannot open at all
        (SQLITE_READONLY_DIRECTORY), so the file is opened `immutable=1`: SQLite then reads it
        without locks or a WAL index, trusting that nobody changes it while it is open. That is
        what a read-only folder is for; should another account still write there, a reader
        could see a half-made change until it opens the store again, and a WAL file left
        beside it, not yet checkpointed, is not read.
        """
        options: dict[str, Any] = {"timeout": 10, "isolation_level": None, "check_same_thread": False}
        if not self.read_only:
            return sqlite3.connect(self.path, **options)
        uri = self.path.resolve().as_uri() + "?mode=ro"
        con = sqlite3.connect(uri, uri=True, **options)
        try:
            con.execute("SELECT count(*) FROM sqlite_schema").fetchone()
            return con
        except sqlite3.Error as exc:
            con.close()
            if getattr(exc, "sqlite_errorcode", 0) & 0xFF not in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN):
                raise
        return sqlite3.connect(uri + "&immutable=1", uri=True, **options)

    def _verify(self) -> None:
        """PRAGMA quick_check (every page and record, without matching indexes to their tables:
        ≈10 ms for the demo store, ≈1 s at 10^5 issues); StoreDamaged unless it says ok."""
        found = _findings(self._con, "quick_check", 3)
        if found:
            raise _damaged(self.location, "; ".join(found))

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ensure_schema(self) -> None:
        """Create the tables once; an older store gains the tables it lacks and `_migrate`
        brings the others up to date, keeping every row.

        A current store is only read here, so opening never writes. A read-only store of an
        older version cannot be migrated: it is read as it is (a column added since reads as
        empty), and a query on a table it lacks raises StoreReadOnly saying so."""
        try:
            found = self.meta("schema_version")
        except sqlite3.OperationalError:
            found = None  # no meta table yet: a new file
        if found == SCHEMA_VERSION:
            return
        if self.read_only:
            self._outdated = found or "0"
            return
        with self._write() as con:
            for stmt in _FIXED_DDL.split(";"):
                if stmt.strip():
                    con.execute(stmt)
            for layer in LAYERS.values():
                con.execute(_table_ddl(layer))
            _migrate(con)
            for layer in LAYERS.values():  # after _migrate: a rebuild drops them
                for ddl in _index_ddl(layer):
                    con.execute(ddl)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
            con.execute("INSERT OR IGNORE INTO meta VALUES ('revision', '0')")

    @contextmanager
    def _write(self, *, verify: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE); a locked store raises StoreBusy, a read-only
        one StoreReadOnly before anything is tried. With `verify` (a batch of data) the store
        must first pass quick_check, inside the transaction: a damaged store is never written."""
        if self.read_only:
            raise _read_only(self.location)
        try:
            self._con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreBusy(msg("store_busy")) from exc
            raise
        try:
            if verify:
                self._verify()
            yield self._con
            self._con.execute("COMMIT")
        except BaseException:
            # After some errors (a full disk, an I/O error) SQLite has rolled back already: a
            # second ROLLBACK would fail ("no transaction is active") and hide the first error.
            if self._con.in_transaction:
                self._con.execute("ROLLBACK")
            raise

    # -- meta ------------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self._con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str, *, by: str) -> None:
        """Set a setting; the revision grows, since readers cache what settings (as_of) imply."""
        if key in ("revision", "schema_version"):
            raise InputError(msg("store_own_meta", key=key))
        with self._write() as con:
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
            self._audit(con, by, "set_meta", None, key, 1, {"value": value})
            self._bump(con)

    @property
    def revision(self) -> int:
        """Grows with every committed write: a cheap cache key for readers."""
        return int(self.meta("revision", "0"))

    def today(self) -> date:
        """The store's 'today': the demo is a snapshot (meta as_of); a live store uses the clock."""
        as_of = self.meta("as_of")
        return date.fromisoformat(as_of) if as_of else date.today()

    # -- reading ---------------------------------------------------------------
    def load_layer(self, name: str, *, include_private: bool = False, bbox: BBox | None = None,
                   where: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """A layer as a (Geo)DataFrame with typed columns; private fields only when asked.

        `bbox` keeps rows whose bounding box meets it; `where` keeps rows whose fields equal
        the given values. Both are answered by the database, not by filtering a whole layer.
        """
        layer = get_layer(name)
        fields = [f for f in layer.fields if include_private or not f.private]
        names = [f.name for f in fields] + (["geom"] if layer.geometry else [])
        clauses, params = [], []
        for key, value in (where or {}).items():
            layer.get(key)  # a KeyError names an unknown field
            clauses.append(f'"{key}" = ?')
            params.append(value)
        if bbox is not None and layer.geometry:
            clauses.append(bbox_sql(layer, _DIALECT))
            params += list(box_params(bbox))
        # an older store read as it is (read-only) lacks the columns added since: read as empty
        stored = set(_columns(self._con, name)) if self._outdated is not None else set(names)
        columns = ", ".join(f'"{n}"' if n in stored else f'NULL AS "{n}"' for n in names)
        filters = " WHERE " + " AND ".join(clauses) if clauses else ""
        sql = f'SELECT {columns} FROM "{name}"{filters} ORDER BY "{layer.id_field}"'
        return _typed_frame(layer, fields, self._con.execute(sql, params).fetchall())

    def summarise(self, name: str, where: Where = Where(), *, by: tuple[str, ...] = (),
                  sums: tuple[str, ...] = ()) -> pd.DataFrame:
        """Counts per distinct `by` key of the rows matching `where` (see the protocol)."""
        sql, params, names = summary_sql(get_layer(name), where, _DIALECT, by=by, sums=sums)
        return pd.DataFrame.from_records(self._con.execute(sql, params).fetchall(), columns=names)

    def select(self, name: str, where: Where = Where(), *, fields: tuple[str, ...] | None = None,
               order_by: tuple[tuple[str, bool], ...] = (), limit: int | None = None, offset: int = 0,
               include_private: bool = False) -> pd.DataFrame:
        """One page of the rows matching `where`, typed as `load_layer` types them."""
        layer = get_layer(name)
        chosen = [f for f in layer.fields if (include_private or not f.private)
                  and (fields is None or f.name in fields or f.name == layer.id_field)]
        names = [f.name for f in chosen] + (["geom"] if layer.geometry else [])
        clause, params = where_sql(layer, where, _DIALECT)
        sql = (f'SELECT {", ".join(quoted(n) for n in names)} FROM "{name}"{clause}'
               f'{order_sql(layer, order_by)} LIMIT ? OFFSET ?')
        rows = self._con.execute(sql, [*params, -1 if limit is None else int(limit), int(offset)]).fetchall()
        return _typed_frame(layer, chosen, rows)

    def next_id(self, name: str, prefix: str, *, width: int = 4) -> str:
        """The id after the highest numbered one, keeping its letters (demo meetings are MT0001...)."""
        layer = get_layer(name)
        ids = [r[0] for r in self._con.execute(f'SELECT "{layer.id_field}" FROM "{name}"')]
        return next_number_id(ids, prefix, width)

    def get_row(self, name: str, row_id: str, *, include_private: bool = True) -> Row | None:
        """One row as a dict (geometry as a shapely object), or None."""
        layer = get_layer(name)
        row = _fetch_rows(self._con, layer, [row_id]).get(str(row_id))
        if row is None:
            return None
        if "geom" in row:
            row["geom"] = shapely.from_wkb(row["geom"])
        if not include_private:
            for key in layer.private_fields:
                row.pop(key, None)
        return row

    # -- writing ---------------------------------------------------------------
    def preview(self, name: str, rows: list[Row]) -> BatchResult:
        """What `write_batch` would do with these rows, by id, without writing."""
        layer = get_layer(name)
        new, updated, unchanged = _classify(self._con, layer, rows)
        return BatchResult(0, tuple(r[layer.id_field] for r in new),
                           tuple(r[layer.id_field] for r, _ in updated),
                           tuple(unchanged))

    def write_batch(self, name: str, rows: list[Row], *, by: str, action: str = "import",
                    source: str = "", detail: Mapping[str, Any] | None = None,
                    new_only: bool = False,
                    extra: Mapping[str, list[Row]] | None = None,
                    extra_updatable: tuple[str, ...] = ()) -> BatchResult:
        """Upsert rows of one layer (and append `extra` rows of other layers) in one transaction.

        A row updates only the fields it carries. Unchanged rows are not written, so
        importing the same file twice changes nothing. With `new_only` (and for `extra`
        rows, which are appended records, unless their layer is in `extra_updatable`) an
        existing id refuses the whole batch.
        The batch log keeps each row's before/after for undo; the audit row says who,
        when, what and how many.
        """
        layer = get_layer(name)
        with self._write(verify=True) as con:
            batch_id = self._new_batch(con, layer.name, by, action, source, detail)
            result = self._apply(con, batch_id, layer, rows, new_only=new_only)
            for other, other_rows in (extra or {}).items():
                self._apply(con, batch_id, get_layer(other), other_rows,
                            new_only=other not in extra_updatable)
            con.execute(
                "UPDATE batches SET n_new = ?, n_updated = ?, n_unchanged = ? WHERE batch_id = ?",
                (len(result.new), len(result.updated), len(result.unchanged), batch_id))
            self._audit(con, by, action, layer.name, str(batch_id),
                        len(result.new) + len(result.updated),
                        {"batch_id": batch_id, "new": len(result.new), "updated": len(result.updated),
                         "unchanged": len(result.unchanged), "source": source, **(detail or {})})
            self._bump(con)
        return BatchResult(batch_id, result.new, result.updated, result.unchanged)

    def assign_places(self, *, by: str) -> BatchResult:
        """Store where every issue falls (see the protocol): `geo.joins.place` in Python on the
        rows read inside the write transaction, the changed ones written as one batch."""
        issues = get_layer("issues")
        with self._write() as con:
            rows = _changed_places(con)
            if not rows:
                return BatchResult(0, (), (), ())
            self._verify()  # a damaged store is never written
            batch_id = self._new_batch(con, issues.name, by, "reassign", "geo.joins", None)
            result = self._apply(con, batch_id, issues, rows)
            con.execute("UPDATE batches SET n_updated = ? WHERE batch_id = ?",
                        (len(result.updated), batch_id))
            self._audit(con, by, "reassign", issues.name, str(batch_id), len(result.updated),
                        {"batch_id": batch_id, "new": 0, "updated": len(result.updated), "unchanged": 0,
                         "source": "geo.joins"})
            self._bump(con)
        return result

    def record_rejected(self, name: str, *, by: str, source: str, n_rejected: int,
                        problems: list[Mapping[str, Any]]) -> int:
        """Record a refused upload in the audit trail; nothing else is written."""
        with self._write() as con:
            cur = con.execute(
                "INSERT INTO batches (at, who, action, layer, source, status, n_rejected, detail)"
                " VALUES (?, ?, 'import', ?, ?, 'rejected', ?, ?)",
                (_now(), by, name, source, n_rejected,
                 json.dumps({"problems": list(problems)[:200]}, ensure_ascii=False)))
            batch_id = int(cur.lastrowid)
            self._audit(con, by, "import_rejected", name, str(batch_id), n_rejected,
                        {"source": source, "problems": len(problems)})
        return batch_id

    def undo(self, batch_id: int, *, by: str) -> BatchResult:
        """Restore exactly what was there before `batch_id`; refused if later batches touched the same rows."""
        with self._write(verify=True) as con:
            batch = con.execute("SELECT status, layer FROM batches WHERE batch_id = ?",
                                (batch_id,)).fetchone()
            if batch is None:
                raise InputError(msg("batch_missing", batch=batch_id))
            if batch[0] != "committed":
                raise InputError(msg("batch_not_committed", batch=batch_id, status=batch[0]))
            changes = con.execute(
                "SELECT layer, row_id, before FROM batch_changes WHERE batch_id = ?",
                (batch_id,)).fetchall()
            later = con.execute(
                "SELECT DISTINCT c.batch_id FROM batch_changes c JOIN batches b USING (batch_id)"
                " JOIN batch_changes mine ON mine.layer = c.layer AND mine.row_id = c.row_id"
                " WHERE mine.batch_id = ? AND c.batch_id > ? AND b.status = 'committed'",
                (batch_id, batch_id)).fetchall()
            if later:
                ids = ", ".join(str(r[0]) for r in later)
                raise InputError(msg("batch_later", batch=batch_id, later=ids))
            restored: list[str] = []
            by_layer: dict[str, list[tuple[str, str | None]]] = {}
            for layer_name, row_id, before in changes:
                by_layer.setdefault(layer_name, []).append((row_id, before))
                restored.append(row_id)
            for layer_name, rows in by_layer.items():
                layer = get_layer(layer_name)
                _delete_ids(con, layer, [row_id for row_id, _ in rows])
                _insert_many(con, layer, [decode(before) for _, before in rows if before is not None])
            con.execute("UPDATE batches SET status = 'undone' WHERE batch_id = ?", (batch_id,))
            self._audit(con, by, "undo", batch[1], str(batch_id), len(restored),
                        {"batch_id": batch_id})
            self._bump(con)
        return BatchResult(batch_id, (), tuple(restored), ())

    def log(self, *, by: str, action: str, target: str = "", layer: str | None = None,
            detail: Mapping[str, Any] | None = None) -> None:
        """Append one audit row on its own (sign-ins, refusals: events that change no data)."""
        with self._write() as con:
            self._audit(con, by, action, layer, target, None, detail or {})

    # -- users (accounts live in the store) -------------------------------------
    def load_users(self) -> pd.DataFrame:
        cur = self._con.execute("SELECT * FROM users ORDER BY username")
        return _frame(cur)

    def get_user(self, username: str) -> Row | None:
        return _one(self._con.execute("SELECT * FROM users WHERE username = ?", (username,)))

    def put_user(self, user: Row, *, by: str, action: str, detail: Mapping[str, Any] | None = None,
                 end_sessions: bool = False, keep_an_admin: bool = False) -> None:
        """Insert one account, or update the fields `user` carries, with its audit row; with
        `end_sessions` the account's sessions end in the same transaction; with `keep_an_admin`
        the write is refused (InputError) if it would take away the last enabled admin, checked
        inside the transaction so two admins disabling each other cannot both succeed."""
        cols = [c for c in user if c != "username"]
        admins = "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0"
        with self._write() as con:
            admins_before = con.execute(admins).fetchone()[0]
            exists = con.execute("SELECT 1 FROM users WHERE username = ?", (user["username"],)).fetchone()
            try:
                if exists:
                    con.execute(f"UPDATE users SET {', '.join(f'{c} = ?' for c in cols)} WHERE username = ?",
                                [user[c] for c in cols] + [user["username"]])
                else:
                    _insert_into(con, "users", user)
            except sqlite3.IntegrityError as exc:
                raise InputError(msg("account_refused", name=user["username"], detail=exc)) from exc
            if keep_an_admin and admins_before and not con.execute(admins).fetchone()[0]:
                raise InputError(msg("account_last_admin", name=user["username"]))
            ended = con.execute("DELETE FROM sessions WHERE username = ?",
                                (user["username"],)).rowcount if end_sessions else 0
            if user.get("failed_count") == 0:  # failures start over (a new password): every address's too
                con.execute("DELETE FROM signin_failures WHERE username = ?", (user["username"],))
            self._audit(con, by, action, "users", str(user["username"]), 1,
                        {**(detail or {}), **({"sessions_ended": ended} if ended else {})})

    def count_failure(self, username: str, *, address: str, at: str,
                      lock_for: Callable[[int, int], tuple[str | None, str | None]],
                      detail: Mapping[str, Any] | None = None) -> tuple[int, int]:
        """One more failed sign-in for `username` from `address`, counted in one transaction
        (parallel attempts never lose a count). `lock_for(from_address, in_all)` gives the new
        locked_until of the (account, address) pair and of the account. Audited."""
        with self._write() as con:
            row = con.execute("UPDATE users SET failed_count = failed_count + 1 WHERE username = ?"
                              " RETURNING failed_count", (username,)).fetchone()
            if row is None:
                raise InputError(msg("account_no_user", name=username))
            in_all = int(row[0])
            from_address = int(con.execute(
                "INSERT INTO signin_failures VALUES (?, ?, 1, NULL, ?) ON CONFLICT DO UPDATE SET"
                " failed_count = failed_count + 1, last_at = excluded.last_at RETURNING failed_count",
                (username, address, at)).fetchone()[0])
            pair_until, account_until = lock_for(from_address, in_all)
            con.execute("UPDATE signin_failures SET locked_until = ? WHERE username = ? AND address = ?",
                        (pair_until, username, address))
            con.execute("UPDATE users SET locked_until = ? WHERE username = ?", (account_until, username))
            self._audit(con, username, "signin_failed", "users", username, 1,
                        {**(detail or {}), "address": address, "failed_in_a_row": from_address,
                         "failed_in_a_row_in_all": in_all})
        return from_address, in_all

    def signin_lock(self, username: str, address: str) -> str | None:
        """When sign-in to `username` from `address` may be tried again (ISO time), or None."""
        row = self._con.execute("SELECT locked_until FROM signin_failures WHERE username = ? AND address = ?",
                                (username, address)).fetchone()
        return row[0] if row else None

    # -- sessions (a signed-in browser: who, since when, last seen) ----------------
    def add_session(self, session: Row, *, detail: Mapping[str, Any] | None = None) -> None:
        """Start a session: insert it, clear the account's failures, audit the sign-in, at once."""
        with self._write() as con:
            try:
                _insert_into(con, "sessions", session)
            except sqlite3.IntegrityError as exc:
                raise InputError(msg("account_no_user", name=session.get("username"))) from exc
            con.execute("UPDATE users SET failed_count = 0, locked_until = NULL WHERE username = ?",
                        (session["username"],))
            con.execute("DELETE FROM signin_failures WHERE username = ? AND address = ?",
                        (session["username"], session.get("address", "")))
            self._audit(con, session["username"], "signin", "users", session["username"], 1, detail or {})

    def get_session(self, session_hash: str) -> Row | None:
        return _one(self._con.execute("SELECT * FROM sessions WHERE session_hash = ?", (session_hash,)))

    def touch_session(self, session_hash: str, last_seen: str) -> None:
        """Note that a session was used (bookkeeping, not a change of record: no audit row)."""
        with self._write() as con:
            con.execute("UPDATE sessions SET last_seen = ? WHERE session_hash = ?", (last_seen, session_hash))

    def end_sessions(self, *, by: str, action: str, session_hash: str | None = None,
                     username: str | None = None, before: str | None = None) -> int:
        """Delete the sessions matching every filter given (one session, one user's, or those
        last seen before a time); audited when any ended; returns how many ended."""
        filters = {"session_hash = ?": session_hash, "username = ?": username, "last_seen < ?": before}
        used = {k: v for k, v in filters.items() if v is not None}
        if not used:
            raise ValueError("end_sessions needs a session, a user or a time")
        with self._write() as con:
            ended = con.execute(f"DELETE FROM sessions WHERE {' AND '.join(used)}", list(used.values())).rowcount
            if ended:
                self._audit(con, by, action, "sessions", username or (session_hash or "")[:8], ended, {})
        return ended

    def list_sessions(self) -> pd.DataFrame:
        """Sessions, most recently used first (hashed ids only: a listing cannot be replayed)."""
        cur = self._con.execute("SELECT * FROM sessions ORDER BY last_seen DESC, created_at DESC")
        return _frame(cur)

    # -- API keys (Open311 clients; only hashes are kept) ---------------------------
    def add_api_key(self, row: Row, *, by: str) -> None:
        """Insert one key with its audit row (the name, never the hash), in one transaction."""
        with self._write() as con:
            try:
                _insert_into(con, "api_keys", {**row, "revoked_at": row.get("revoked_at")})
            except sqlite3.IntegrityError as exc:
                raise InputError(msg("apikey_refused", key_id=row.get("key_id"), detail=exc)) from exc
            self._audit(con, by, "apikey_add", "api_keys", str(row["key_id"]), 1, {"name": row["name"]})

    def list_api_keys(self) -> pd.DataFrame:
        return _frame(self._con.execute("SELECT * FROM api_keys ORDER BY key_id"))

    def api_key_by_hash(self, key_hash: str) -> Row | None:
        return _one(self._con.execute("SELECT * FROM api_keys WHERE key_hash = ?", (key_hash,)))

    def revoke_api_key(self, key_id: str, *, by: str) -> bool:
        """Revoke a key still in use, audited; an unknown or revoked one changes nothing."""
        with self._write() as con:
            row = con.execute("UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL"
                              " RETURNING name", (_now(), key_id)).fetchone()
            if row is not None:
                self._audit(con, by, "apikey_revoke", "api_keys", key_id, 1, {"name": row[0]})
        return row is not None

    # -- history ---------------------------------------------------------------
    def history(self) -> pd.DataFrame:
        """Import batches, newest first: who, when, what, how many, status."""
        cur = self._con.execute(
            "SELECT batch_id, at, who, action, layer, source, status, n_new, n_updated,"
            " n_unchanged, n_rejected FROM batches ORDER BY batch_id DESC")
        return _frame(cur)

    def audit_trail(self, *, limit: int = 1000) -> pd.DataFrame:
        cur = self._con.execute(
            "SELECT audit_id, at, who, action, layer, target, count, detail FROM audit"
            " ORDER BY audit_id DESC LIMIT ?", (limit,))
        return _frame(cur)

    # -- checks and backups ------------------------------------------------------
    def check(self) -> StoreCheck:
        """The whole store checked (integrity_check), its rows per layer and its schema version:
        damage is reported here, not raised."""
        problems: list[str] = []
        # A check that meets damage it cannot read past raises after its findings; asked for
        # fewer, it stops (and reports them) before it gets there.
        for limit in (100, 10, 1):
            try:
                problems = _findings(self._con, "integrity_check", limit) + problems
                break
            except sqlite3.DatabaseError as exc:
                problems = [str(exc)]
        counts: dict[str, int] = {}
        for name in LAYERS:
            try:
                counts[name] = int(self._con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
            except sqlite3.DatabaseError as exc:
                problems.append(f"{name}: {exc}")
        try:
            version = self._con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError:
            version = None
        return StoreCheck(self.location, tuple(problems), version[0] if version else None, counts,
                          self.read_only)

    def backup(self, target: str | Path, *, replace: bool = False) -> None:
        """A consistent copy of the whole store at `target` (SQLite's online backup: writers
        may go on meanwhile), checked with integrity_check before it takes the name `target`,
        so a failed or bad copy never replaces a good one. An existing `target` is refused
        unless `replace`; the store itself always is."""
        target = Path(target)
        if target.exists() and (not replace or target.resolve() == self.path.resolve()):
            raise InputError(msg("store_backup_exists", path=str(target)))
        partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
        try:
            try:
                dest = sqlite3.connect(partial, isolation_level=None)
                try:
                    self._con.backup(dest)
                    dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                    found = _findings(dest, "integrity_check", 3)
                finally:
                    dest.close()
            except sqlite3.Error as exc:  # the copy's disk, not the store's (unless the store is damaged)
                if getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
                    raise _damaged(self.location, exc) from exc
                raise InputError(msg("store_backup_failed", path=str(target), detail=exc)) from None
            if found:
                raise StoreDamaged(msg("store_backup_bad", path=str(target), detail="; ".join(found)),
                                   msg("store_damaged_page"))
            os.replace(partial, target)
        except OSError as exc:
            raise InputError(msg("store_backup_failed", path=str(target),
                                 detail=exc.strerror or exc)) from None
        finally:
            for leftover in (partial, Path(f"{partial}-journal")):
                leftover.unlink(missing_ok=True)

    # -- internals ---------------------------------------------------------------
    def _new_batch(self, con: sqlite3.Connection, layer: str, by: str, action: str, source: str,
                   detail: Mapping[str, Any] | None) -> int:
        cur = con.execute(
            "INSERT INTO batches (at, who, action, layer, source, status, detail)"
            " VALUES (?, ?, ?, ?, ?, 'committed', ?)",
            (_now(), by, action, layer, source, json.dumps(dict(detail or {}), ensure_ascii=False)))
        return int(cur.lastrowid)

    def _apply(self, con: sqlite3.Connection, batch_id: int, layer: Layer,
               rows: list[Row], *, new_only: bool = False) -> BatchResult:
        new, updated, unchanged = _classify(con, layer, rows)
        if new_only and (updated or unchanged):
            taken = [r[layer.id_field] for r, _ in updated] + list(unchanged)
            raise InputError(msg("batch_ids_taken", layer=layer.name, ids=", ".join(map(str, taken[:5]))))
        _insert_many(con, layer, new)
        # A new row's undo deletes it by id, and "a later batch touched it" looks at ids only:
        # its `after` would repeat the row itself (or the next batch's `before`), so it is not kept.
        con.executemany("INSERT INTO batch_changes VALUES (?, ?, ?, NULL, NULL)",
                        [(batch_id, layer.name, row[layer.id_field]) for row in new])
        if updated:
            merged = [{**before, **row} for row, before in updated]
            _delete_ids(con, layer, [row[layer.id_field] for row, _ in updated])
            _insert_many(con, layer, merged)
            con.executemany("INSERT INTO batch_changes VALUES (?, ?, ?, ?, ?)",
                            [(batch_id, layer.name, row[layer.id_field], encode(before), encode(after))
                             for (row, before), after in zip(updated, merged)])
        return BatchResult(batch_id, tuple(r[layer.id_field] for r in new),
                           tuple(r[layer.id_field] for r, _ in updated), tuple(unchanged))

    @staticmethod
    def _audit(con: sqlite3.Connection, who: str, action: str, layer: str | None, target: str,
               count: int | None, detail: Mapping[str, Any]) -> None:
        con.execute("INSERT INTO audit (at, who, action, layer, target, count, detail)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (_now(), who, action, layer, target, count,
                     json.dumps(dict(detail), ensure_ascii=False, default=str)))

    @staticmethod
    def _bump(con: sqlite3.Connection) -> None:
        con.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
                    " WHERE key = 'revision'")


def _typed_frame(layer: Layer, fields: list[Field], records: list[tuple]) -> pd.DataFrame:
    """Query rows (the fields' values, then the geometry's WKB on a layer with geometry) as a
    typed (Geo)DataFrame."""
    names = [f.name for f in fields] + (["geom"] if layer.geometry else [])
    frame = pd.DataFrame.from_records(records, columns=names)
    for f in fields:
        frame[f.name] = typed(frame[f.name], f)
    if not layer.geometry:
        return frame
    wkb = frame.pop("geom").to_numpy()
    geoms = shapely.from_wkb(wkb) if len(wkb) else []
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index), crs=WGS84)


#: SQLite's side of the shared query builder (`yishi.storage.query`).
_DIALECT = Dialect(param="?", bbox="maxx >= ? AND maxy >= ? AND minx <= ? AND miny <= ?",
                   # a point's box is the point: a range on (minx, miny), which `_index_ddl` indexes
                   point_bbox="minx >= ? AND miny >= ? AND minx <= ? AND miny <= ?",
                   month=lambda column: f"substr({column}, 1, 7)",
                   contains=lambda column: f"{column} LIKE ? ESCAPE '\\'")


def _findings(con: sqlite3.Connection, pragma: str, limit: int) -> list[str]:
    """What PRAGMA quick_check or integrity_check found, one problem a line (none: intact)."""
    lines = [line for row in con.execute(f"PRAGMA {pragma}({limit})") for line in str(row[0]).splitlines()]
    return [] if lines == ["ok"] else [line for line in lines if not line.startswith("*** in database")]


def _writable(path: Path) -> bool:
    """Whether this process may change the store: its file (when there is one) and its folder,
    where SQLite keeps the -wal and -shm files beside it, are writable."""
    return (not path.exists() or os.access(path, os.W_OK)) and os.access(path.parent, os.W_OK)


def _read_only(where: str) -> StoreReadOnly:
    return StoreReadOnly(msg("store_read_only", where=where), msg("store_read_only_page"))


def _damaged(where: str, detail: object) -> StoreDamaged:
    return StoreDamaged(msg("store_damaged", where=where, detail=detail), msg("store_damaged_page"))


#: I/O errors of a write that found no room to grow the file: a full disk gives SQLITE_FULL, but
#: a quota (EDQUOT) or a file-size limit (EFBIG) gives SQLITE_IOERR_WRITE.
_WRITE_ERRORS = frozenset({sqlite3.SQLITE_IOERR_WRITE, sqlite3.SQLITE_IOERR_FSYNC,
                           sqlite3.SQLITE_IOERR_TRUNCATE})


def _store_error(store: SQLiteStore, exc: sqlite3.Error) -> YishiError | None:
    """The application's error for a driver error that means the store itself cannot do it
    (full, read-only, damaged, busy), or None: anything else stays as it was raised."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    where, primary = store.location, code & 0xFF
    if primary == sqlite3.SQLITE_FULL:
        return StoreFull(msg("store_full", where=where), msg("store_full_page"))
    if code in _WRITE_ERRORS:
        return StoreFull(msg("store_write_failed", where=where, detail=exc), msg("store_write_failed_page"))
    if primary == sqlite3.SQLITE_READONLY:
        return _read_only(where)
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return _damaged(where, exc)
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StoreBusy(msg("store_busy"))
    if store._outdated is not None and "no such table" in str(exc):
        return StoreReadOnly(msg("store_read_only_old", where=where, found=store._outdated,
                                 want=SCHEMA_VERSION), msg("store_read_only_page"))
    return None


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method`, raising the application's store errors (see `_store_error`) for the driver's."""
    @functools.wraps(method)
    def run(self: SQLiteStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            error = _store_error(self, exc)
            if error is None:
                raise
            raise error from exc
    return run


# Every way into the store (opening it, each public method and property, also those added
# later) says a full disk, a read-only or damaged file in the application's words, never as a
# driver traceback: a damaged page can surface at any read, not only where it was checked.
for _name, _member in list(vars(SQLiteStore).items()):
    if isinstance(_member, property) and _member.fget is not None:
        setattr(SQLiteStore, _name, property(_guarded(_member.fget), doc=_member.__doc__))
    elif isinstance(_member, types.FunctionType) and (_name == "__init__" or not _name.startswith("_")):
        setattr(SQLiteStore, _name, _guarded(_member))
del _name, _member


def _frame(cur: sqlite3.Cursor) -> pd.DataFrame:
    """A query's rows as a frame with the query's column names."""
    return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])


def _one(cur: sqlite3.Cursor) -> Row | None:
    """A query's first row as a dict, or None."""
    values = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], values)) if values else None


def _insert_into(con: sqlite3.Connection, table: str, row: Row) -> None:
    """Insert `row` (field -> value) into a fixed table (users, sessions)."""
    names = list(row)
    con.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                [row[c] for c in names])


_BOUNDS = ("minx", "miny", "maxx", "maxy")
#: Ids per SELECT ... IN (...): well under SQLite's limit on parameters.
_IDS_PER_QUERY = 500


def _fetch_rows(con: sqlite3.Connection, layer: Layer, row_ids: list[Any]) -> dict[str, Row]:
    """The stored rows with these ids, by id (geometry as WKB, without its bounding box)."""
    found: dict[str, Row] = {}
    names = [n for n in _columns(con, layer.name) if n not in _BOUNDS]  # an older store: what it has
    key = names.index(layer.id_field)
    columns = ", ".join(f'"{n}"' for n in names)
    for start in range(0, len(row_ids), _IDS_PER_QUERY):
        part = row_ids[start:start + _IDS_PER_QUERY]
        cur = con.execute(f'SELECT {columns} FROM "{layer.name}" WHERE "{layer.id_field}"'
                          f' IN ({", ".join("?" * len(part))})', part)
        for values in cur:
            found[values[key]] = dict(zip(names, values))
    return found


def _classify(con: sqlite3.Connection, layer: Layer,
              rows: list[Row]) -> tuple[list[Row], list[tuple[Row, Row]], list[str]]:
    """Split rows into new, updated (the row, geometry as WKB, with the stored row before) and
    unchanged ids."""
    new: list[Row] = []
    updated: list[tuple[Row, Row]] = []
    unchanged: list[str] = []
    seen: set[str] = set()
    for row in rows:
        row_id = row.get(layer.id_field)
        if row_id is None:
            raise InputError(msg("batch_no_id", layer=layer.name, field=layer.id_field))
        if row_id in seen:
            raise InputError(msg("batch_id_twice", layer=layer.name, field=layer.id_field, id=row_id))
        seen.add(row_id)
    stored = _fetch_rows(con, layer, list(seen))
    # only rows already stored are compared (their geometry as WKB, all in one call)
    fulls = iter(with_wkb_many([row for row in rows if str(row[layer.id_field]) in stored]))
    for row in rows:
        row_id = row[layer.id_field]
        before = stored.get(str(row_id))
        if before is None:
            new.append(row)
            continue
        full = next(fulls)
        if all(before.get(k) == v for k, v in full.items()):
            unchanged.append(row_id)
        else:
            updated.append((full, before))
    return new, updated, unchanged


def _insert(con: sqlite3.Connection, layer: Layer, row: Row) -> Row:
    """Insert one full row; the database's CHECKs refuse what validation missed."""
    full = with_wkb(row)
    names = [f.name for f in layer.fields if f.name in full]
    values = [full[n] for n in names]
    if layer.geometry:
        geom = full.get("geom")
        if geom is None:
            raise InputError(msg("row_no_geometry", layer=layer.name, id=row.get(layer.id_field)))
        minx, miny, maxx, maxy = shapely.bounds(shapely.from_wkb(geom)).tolist()
        names += ["geom", "minx", "miny", "maxx", "maxy"]
        values += [geom, minx, miny, maxx, maxy]
    quoted = ", ".join(f'"{n}"' for n in names)
    try:
        con.execute(f'INSERT INTO "{layer.name}" ({quoted}) VALUES ({", ".join("?" * len(names))})',
                    values)
    except sqlite3.IntegrityError as exc:
        raise InputError(msg("row_refused", layer=layer.name, id=row.get(layer.id_field),
                                 detail=exc)) from exc
    return {n: v for n, v in zip(names, values) if n not in _BOUNDS}


def _insert_many(con: sqlite3.Connection, layer: Layer, rows: list[Row]) -> None:
    """Insert full rows with one executemany per set of fields carried (geometry turned into
    WKB and its box for all rows at once). If the database refuses one, the savepoint is
    rolled back and the rows are inserted one by one, so the refusal names the row."""
    if not rows:
        return
    if layer.geometry:
        missing = next((r for r in rows if r.get("geom") is None), None)
        if missing is not None:
            raise InputError(msg("row_no_geometry", layer=layer.name, id=missing.get(layer.id_field)))
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    con.execute("SAVEPOINT bulk_insert")
    try:
        for carried, members in groups.items():
            names = [f.name for f in layer.fields if f.name in carried]
            columns = [[row[n] for row in members] for n in names]
            if layer.geometry:
                wkb, bounds = _wkb_and_bounds([row["geom"] for row in members])
                names += ["geom", *_BOUNDS]
                columns += [wkb, *(bounds[:, k].tolist() for k in range(4))]
            quoted_names = ", ".join(f'"{n}"' for n in names)
            con.executemany(f'INSERT INTO "{layer.name}" ({quoted_names})'
                            f' VALUES ({", ".join("?" * len(names))})', zip(*columns))
    except sqlite3.IntegrityError:
        con.execute("ROLLBACK TO bulk_insert")
        con.execute("RELEASE bulk_insert")
        for row in rows:
            _insert(con, layer, row)  # raises InputError naming the refused row
        return
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK TO bulk_insert")
            con.execute("RELEASE bulk_insert")
        raise
    con.execute("RELEASE bulk_insert")


def _wkb_and_bounds(geoms: list[Any]) -> tuple[list[bytes], Any]:
    """Geometries (shapely objects or WKB) as WKB, as `with_wkb` makes it, and their boxes."""
    shapes = np.empty(len(geoms), dtype=object)
    shapes[:] = geoms
    raw = np.fromiter((isinstance(g, bytes) for g in geoms), dtype=bool, count=len(geoms))
    wkb = shapes.copy()
    if raw.any():
        shapes[raw] = shapely.from_wkb(wkb[raw])
    if (~raw).any():
        wkb[~raw] = shapely.to_wkb(shapes[~raw])
    return wkb.tolist(), shapely.bounds(shapes)


def _changed_places(con: sqlite3.Connection) -> list[Row]:
    """Issues whose stored community or compound is not where `geo.joins.place` puts them
    now, as ``{issue_id, field: new value}`` rows (only the fields that change)."""
    issues = con.execute(
        "SELECT issue_id, community_id, compound_id, geom FROM issues ORDER BY issue_id").fetchall()
    if not issues:
        return []
    polygons = {}
    for name, id_field in (("communities", "community_id"), ("compounds", "compound_id")):
        found = con.execute(f'SELECT "{id_field}", geom FROM "{name}"').fetchall()
        polygons[name] = gpd.GeoDataFrame(
            {id_field: [r[0] for r in found]},
            geometry=shapely.from_wkb([r[1] for r in found]) if found else [], crs=WGS84)
    points = gpd.GeoSeries(shapely.from_wkb([r[3] for r in issues]), crs=WGS84)
    now = place(points, communities=polygons["communities"], compounds=polygons["compounds"])
    rows: list[Row] = []
    for (issue_id, community, compound, _), new_community, new_compound in zip(
            issues, now["community_id"].tolist(), now["compound_id"].tolist()):
        row: Row = {}
        if community != new_community:
            row["community_id"] = new_community
        if compound != new_compound:
            row["compound_id"] = new_compound
        if row:
            rows.append({"issue_id": issue_id, **row})
    return rows


def _delete_ids(con: sqlite3.Connection, layer: Layer, row_ids: list[Any]) -> None:
    con.executemany(f'DELETE FROM "{layer.name}" WHERE "{layer.id_field}" = ?', [(i,) for i in row_ids])



