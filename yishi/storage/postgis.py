"""The server backend: PostgreSQL + PostGIS, for a city's or a province's many subdistricts.

Same semantics as `yishi.storage.sqlite` (the reference): every public write is one
transaction with its audit row and undo log, and bumps the revision. Writers queue on one
transaction-level advisory lock taken first in each write, so two writers never interleave
(no lost updates, the same "read, then write" reasoning as SQLite's BEGIN IMMEDIATE); readers
never wait. Layer tables are generated from `geo.schema.LAYERS`: typed columns (text ids and
text in the "C" collation so rows sort as in SQLite, `date`, `boolean`), CHECKs for
enumerations and ranges, geometry as `geometry(Geometry, 4326)` with a GiST index that
`load_layer(bbox=...)` uses. Rows leave this module as SQLite's do (dates as ISO text, bools
as 0/1, geometry as WKB), so the two backends are interchangeable behind the protocol. New rows
are written with COPY; a refused COPY is replayed row by row to name the row refused. A closed
store gives its connection back to a small per-process idle list (`_IdleConnections`), so the
app's open-per-use costs a round trip, not a connect.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import shutil
import subprocess
import threading
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import errors as pg_errors

from geo.errors import (
    InputError,
    StoreBusy,
    StoreDamaged,
    StoreFull,
    StoreReadOnly,
    StoreUnusable,
    YishiError,
    msg,
)
from geo.schema import LAYERS, WGS84, Field, Layer, get_layer
from yishi.storage.codec import (
    decode,
    encode,
    next_number_id,
    typed,
    with_wkb,
    with_wkb_many,
)
from yishi.storage.protocol import SCHEMA_VERSION, BatchResult, BBox, Row, StoreCheck, Where
from yishi.storage.query import Dialect, by_issue_ddl, order_sql, summary_sql, where_sql

#: URL schemes that select this backend.
SCHEMES = ("postgresql", "postgres")
#: The key of the advisory lock every write takes first (per database): "yishi" in ASCII.
_WRITE_LOCK = 0x796973686900
#: How long a write waits for another writer before StoreBusy (SQLite's timeout is 10 s too).
_LOCK_TIMEOUT = "10s"
_TEXT = 'text COLLATE "C"'
_SQL_TYPES = {"str": _TEXT, "int": "bigint", "float": "double precision", "bool": "boolean",
              "date": "date"}


def is_url(location: object) -> bool:
    """Whether `location` names a PostgreSQL database (postgresql:// or postgres://)."""
    return isinstance(location, str) and location.split("://", 1)[0].lower() in SCHEMES \
        and "://" in location


def public_url(url: str) -> str:
    """`url` without its password (in the user part or as a `password=` parameter): what
    messages, logs and `location` show."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    query = parts.query
    if "password" in query.lower():
        query = urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
                           if k.lower() != "password"], safe="/")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _password(url: str) -> str | None:
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if key.lower() == "password":
            return value
    return parts.password


# -- tables ----------------------------------------------------------------------


def _checks(f: Field) -> list[str]:
    checks = []
    if f.enum is not None:
        codes = ", ".join(f"'{c}'" for c in f.enum.codes)
        checks.append(f'"{f.name}" IN ({codes})')
    if f.minimum is not None:
        checks.append(f'"{f.name}" >= {f.minimum}')
    if f.maximum is not None:
        checks.append(f'"{f.name}" <= {f.maximum}')
    return checks


def _column_ddl(f: Field, id_field: str) -> str:
    parts = [f'"{f.name}" {_SQL_TYPES[f.type]}']
    if f.name == id_field:
        parts.append("PRIMARY KEY")
    if f.required:
        parts.append("NOT NULL")
    checks = _checks(f)
    if checks:
        parts.append(f'CONSTRAINT "{_check_name(f)}" CHECK ({" AND ".join(checks)})')
    return " ".join(parts)


def _check_name(f: Field) -> str:
    return f"{f.name}_check"


_GEOM_CHECK = ("geom_in_lonlat", "ST_XMin(geom) >= -180 AND ST_XMax(geom) <= 180"
               " AND ST_YMin(geom) >= -90 AND ST_YMax(geom) <= 90")


def _table_ddl(layer: Layer) -> list[str]:
    cols = [_column_ddl(f, layer.id_field) for f in layer.fields]
    if layer.geometry:
        cols.append(f'geom geometry(Geometry, 4326) NOT NULL CONSTRAINT "{_GEOM_CHECK[0]}"'
                    f" CHECK ({_GEOM_CHECK[1]})")
    out = [f'CREATE TABLE IF NOT EXISTS "{layer.name}" (\n  ' + ",\n  ".join(cols) + "\n)"]
    if layer.geometry:
        out.append(f'CREATE INDEX IF NOT EXISTS "{layer.name}_geom_gist" ON "{layer.name}" USING gist (geom)')
    return out + by_issue_ddl(layer)


_FIXED_DDL = f"""
CREATE TABLE IF NOT EXISTS meta (key {_TEXT} PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
  audit_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, at text NOT NULL, who text NOT NULL,
  action text NOT NULL, layer text, target text, count bigint, detail text
);
CREATE TABLE IF NOT EXISTS batches (
  batch_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, at text NOT NULL, who text NOT NULL,
  action text NOT NULL, layer text NOT NULL, source text, status text NOT NULL
    CHECK (status IN ('committed', 'rejected', 'undone')),
  n_new bigint NOT NULL DEFAULT 0, n_updated bigint NOT NULL DEFAULT 0,
  n_unchanged bigint NOT NULL DEFAULT 0, n_rejected bigint NOT NULL DEFAULT 0, detail text
);
-- batch_changes.batch_id has no foreign key: see _migrate
CREATE TABLE IF NOT EXISTS batch_changes (
  batch_id bigint NOT NULL, layer {_TEXT} NOT NULL,
  row_id {_TEXT} NOT NULL, before text, after text, PRIMARY KEY (batch_id, layer, row_id)
);
CREATE INDEX IF NOT EXISTS batch_changes_by_row ON batch_changes (layer, row_id);
CREATE TABLE IF NOT EXISTS users (
  username {_TEXT} PRIMARY KEY, role text NOT NULL
    CHECK (role IN ('leader', 'member', 'staff', 'admin')),
  community_id text, member_id text, password_hash text NOT NULL,
  disabled integer NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  failed_count integer NOT NULL DEFAULT 0, locked_until text, created_at text NOT NULL,
  display_name text, region_id text
);
CREATE TABLE IF NOT EXISTS sessions (
  session_hash {_TEXT} PRIMARY KEY,
  username {_TEXT} NOT NULL REFERENCES users(username) ON DELETE CASCADE,
  created_at {_TEXT} NOT NULL, last_seen {_TEXT} NOT NULL, expires_at text NOT NULL,
  user_agent text NOT NULL DEFAULT '', address text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (username);
CREATE TABLE IF NOT EXISTS signin_failures (
  username {_TEXT} NOT NULL REFERENCES users(username) ON DELETE CASCADE,
  address {_TEXT} NOT NULL, failed_count integer NOT NULL, locked_until text, last_at text NOT NULL,
  PRIMARY KEY (username, address)
);
CREATE TABLE IF NOT EXISTS api_keys (
  key_id {_TEXT} PRIMARY KEY, name text NOT NULL, key_hash {_TEXT} NOT NULL UNIQUE,
  created_at text NOT NULL, created_by text NOT NULL, revoked_at text
)
"""
FIXED_TABLES = ("meta", "audit", "batches", "batch_changes", "users", "sessions", "signin_failures",
                "api_keys")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _migrate(con: psycopg.Connection) -> None:
    """Bring every layer table up to `geo.schema` (inside the caller's transaction): tables
    and columns added since are created, and each field's CHECK is made again from its
    current definition (an enumeration grown), keeping every row; accounts gain `region_id`; a
    layer that refers to issues gains its index on `issue_id` (schema 8).
    The batch log's rows lose their foreign key to `batches`: only `_apply` writes them, for
    the batch it made in the same transaction, and checking it row by row doubled the time of
    a bulk batch's log (4 s of 8 s at 658k rows)."""
    con.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS region_id text")
    con.execute("ALTER TABLE batch_changes DROP CONSTRAINT IF EXISTS batch_changes_batch_id_fkey")
    for layer in LAYERS.values():
        for stmt in _table_ddl(layer):
            con.execute(stmt)
        for f in layer.fields:
            con.execute(f'ALTER TABLE "{layer.name}" ADD COLUMN IF NOT EXISTS "{f.name}" {_SQL_TYPES[f.type]}'
                        + (" NOT NULL" if f.required else ""))
            checks = _checks(f)
            con.execute(f'ALTER TABLE "{layer.name}" DROP CONSTRAINT IF EXISTS "{_check_name(f)}"')
            if checks:
                con.execute(f'ALTER TABLE "{layer.name}" ADD CONSTRAINT "{_check_name(f)}"'
                            f' CHECK ({" AND ".join(checks)})')


# -- values in and out -----------------------------------------------------------


def _db_value(f: Field | None, value: Any) -> Any:
    """A store row's value as the column takes it: 0/1 as a boolean (anything else is left
    for the column to refuse)."""
    if f is None or f.type != "bool" or value is None or isinstance(value, bool):
        return value
    return bool(value) if value in (0, 1) else str(value)  # "2": the column refuses it, as SQLite's CHECK


def _plain(layer: Layer, row: Row) -> Row:
    """A row read from a table as SQLite gives it: dates as ISO text, booleans as 0/1."""
    for f in layer.fields:
        value = row.get(f.name)
        if value is None:
            continue
        if f.type == "date" and isinstance(value, date):
            row[f.name] = value.isoformat()
        elif f.type == "bool":
            row[f.name] = int(value)
    return row


def _typed_frame(layer: Layer, fields: list[Field], records: list[tuple]) -> pd.DataFrame:
    """Query rows (the fields' values, then the geometry's WKB on a layer with geometry) as a
    typed (Geo)DataFrame, dates as ISO text like SQLite's."""
    names = [f.name for f in fields] + (["geom"] if layer.geometry else [])
    frame = pd.DataFrame.from_records(records, columns=names)
    for f in fields:
        column = frame[f.name]
        if f.type == "date":
            column = column.map(lambda v: v.isoformat() if isinstance(v, date) else v)
        frame[f.name] = typed(column, f)
    if not layer.geometry:
        return frame
    wkb = frame.pop("geom").to_numpy()
    geoms = shapely.from_wkb(wkb) if len(wkb) else []
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index), crs=WGS84)


def _db_where(layer: Layer, where: Where) -> Where:
    """`where` with its values as the database holds them (bools as booleans, dates as dates)."""
    def value(name: str, v: Any) -> Any:
        return _db_value(layer.get(name), v)

    return dataclasses.replace(
        where, any_of={k: tuple(value(k, v) for v in vs) for k, vs in where.any_of.items()},
        none_of={k: tuple(value(k, v) for v in vs) for k, vs in where.none_of.items()},
        between={k: tuple(None if v is None else value(k, v) for v in lh) for k, lh in where.between.items()},
        below={k: value(k, v) for k, v in where.below.items()},
        refers_to={k: (other, _db_where(get_layer(other), inner)) for k, (other, inner) in where.refers_to.items()})


#: PostgreSQL's side of the shared query builder (`yishi.storage.query`); the box uses the GiST index.
_DIALECT = Dialect(param="%s", bbox="geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
                   month=lambda column: f"to_char({column}, 'YYYY-MM')",
                   contains=lambda column: f"{column} ILIKE %s ESCAPE '\\'")


def _select_list(layer: Layer, names: list[str]) -> str:
    return ", ".join('ST_AsBinary(geom) AS geom' if n == "geom" else f'"{n}"' for n in names)


class _IdleConnections:
    """Connections a closed store left, kept per URL for the next store opened in this process.

    The app opens a store several times per page run (who is signed in, the revision, each
    write) and Streamlit runs every rerun on a new thread, so neither one connection per
    store nor one per thread saves the connect (a new server process, authentication: ~4 ms
    on a local socket, more over a network with a password). A store takes a connection from
    here, alone, and gives it back at close only when it is idle (no transaction open or
    failed); a connection is checked with a round trip when taken (`SET lock_timeout`, which
    also renews the one setting a store relies on), so one the server dropped is replaced, not
    used. At most `keep` are kept per URL; all are closed before this process forks, so a child
    never shares a socket with its parent."""

    def __init__(self, keep: int = 4):
        self.keep = keep
        self._idle: dict[str, list[psycopg.Connection]] = {}
        self._lock = threading.Lock()

    def take(self, url: str) -> psycopg.Connection | None:
        while True:
            with self._lock:
                waiting = self._idle.get(url)
                con = waiting.pop() if waiting else None
            if con is None:
                return None
            try:
                con.execute(f"SET lock_timeout = '{_LOCK_TIMEOUT}'")
                return con
            except psycopg.Error:  # dropped by the server (restarted, database dropped): next
                con.close()

    def give(self, url: str, con: psycopg.Connection) -> None:
        idle = not con.closed and con.autocommit \
            and con.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        if idle:
            with self._lock:
                waiting = self._idle.setdefault(url, [])
                if len(waiting) < self.keep:
                    waiting.append(con)
                    return
        con.close()

    def close_all(self, url: str | None = None) -> None:
        """Close the connections kept for `url` (all when None)."""
        with self._lock:
            urls = list(self._idle) if url is None else [url]
            kept = [con for u in urls for con in self._idle.pop(u, [])]
        for con in kept:
            con.close()


class _Closed:
    """Stands for the connection of a closed store: every use fails as a closed connection's."""

    def __getattr__(self, name: str) -> Any:
        raise psycopg.OperationalError("the connection is closed")


_IDLE = _IdleConnections()
_CLOSED: Any = _Closed()
os.register_at_fork(before=_IDLE.close_all)


def release_connections(url: str | None = None) -> None:
    """Close the idle connections this process keeps for `url` (every URL when None): before
    the database is dropped or renamed, which waits for (or ends) every connection to it."""
    _IDLE.close_all(url)


class PostGISStore:
    """The PostGIS store (see `yishi.storage.protocol.Store`); every public write is one transaction."""

    def __init__(self, url: str, *, create: bool = False):
        """Connect to the database at `url`. With `create`, make the store's tables there (the
        database must exist and hold no store); else a store must be there already (see
        `found`: the caller says StoreMissing), brought up to this schema if older. Opening
        a current store writes nothing."""
        self.url = url
        self.location = public_url(url)
        self.read_only = False
        #: Whether the database holds a Yishi store (after create: True).
        self.found = False
        self._con = self._connect()
        try:
            version = self._schema_version()
            if create:
                self._create(version)
            elif version is not None:
                self.found = True
                self.read_only = self._read_only()
                if version != SCHEMA_VERSION and not self.read_only:
                    with self._write() as con:
                        _migrate(con)
                        con.execute("UPDATE meta SET value = %s WHERE key = 'schema_version'",
                                    (SCHEMA_VERSION,))
        except BaseException:
            self._con.close()
            raise

    def _connect(self) -> psycopg.Connection:
        """An idle connection this process kept for the URL (see `_IDLE`), else a new one."""
        con = _IDLE.take(self.url)
        if con is not None:
            return con
        try:
            con = psycopg.connect(self.url, autocommit=True, connect_timeout=10,
                                  application_name="yishi")
        except psycopg.OperationalError as exc:
            raise self._unreachable(exc) from None
        con.execute(f"SET lock_timeout = '{_LOCK_TIMEOUT}'")
        return con

    def _unreachable(self, exc: BaseException) -> YishiError:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        secret = _password(self.url)
        if secret:
            detail = detail.replace(secret, "***")
        if 'database "' in detail and "does not exist" in detail:
            return InputError(msg("pg_no_database", where=self.location))
        return StoreUnusable(msg("pg_unreachable", where=self.location, detail=detail),
                             msg("pg_unreachable_page"))

    def _schema_version(self) -> str | None:
        """The store's schema version, or None when the database holds no store."""
        if self._con.execute("SELECT to_regclass('meta')").fetchone()[0] is None:
            return None
        row = self._con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return row[0] if row else None

    def _read_only(self) -> bool:
        """Whether this account may not change the store (a standby, a read-only default, or
        no right to write the tables): writes then raise StoreReadOnly before trying."""
        return bool(self._con.execute(
            "SELECT pg_is_in_recovery() OR current_setting('default_transaction_read_only') = 'on'"
            " OR NOT has_table_privilege('meta', 'INSERT, UPDATE')").fetchone()[0])

    def _create(self, version: str | None) -> None:
        """Make the store's tables in this (empty) database, PostGIS first."""
        if version is not None:
            raise InputError(msg("store_exists", where=self.location))
        ours = [*FIXED_TABLES, *LAYERS]
        taken = [r[0] for r in self._con.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relname = ANY(%s) AND c.relkind IN ('r', 'p', 'v')"
            " AND pg_table_is_visible(c.oid) ORDER BY 1", (ours,))]
        if taken:
            raise InputError(msg("pg_not_empty", where=self.location, tables=taken))
        try:
            self._con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except psycopg.Error as exc:
            raise InputError(msg("pg_no_postgis", where=self.location,
                                 detail=str(exc).strip().splitlines()[0])) from None
        with self._write() as con:  # one round trip: the statements take no parameters
            con.execute(";\n".join([_FIXED_DDL, *(s for layer in LAYERS.values() for s in _table_ddl(layer))]))
            con.execute("INSERT INTO meta VALUES ('schema_version', %s), ('revision', '0')",
                        (SCHEMA_VERSION,))
        self.found = True

    def close(self) -> None:
        """Give the connection back to this process's idle list (or close it); the store is
        unusable afterwards, as a closed connection would make it."""
        con, self._con = self._con, _CLOSED
        if con is not _CLOSED:
            _IDLE.give(self.url, con)

    def __enter__(self) -> PostGISStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[psycopg.Connection]:
        """One write transaction, queued behind any other writer (the advisory lock); a
        read-only store raises StoreReadOnly before anything is tried."""
        if self.read_only:
            raise _read_only(self.location)
        with self._con.transaction():
            self._con.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
            yield self._con

    # -- meta ------------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self._con.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str, *, by: str) -> None:
        """Set a setting; the revision grows, since readers cache what settings (as_of) imply."""
        if key in ("revision", "schema_version"):
            raise InputError(msg("store_own_meta", key=key))
        with self._write() as con:
            con.execute("INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (key, value))
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

        `bbox` keeps rows whose bounding box meets it (the GiST index answers it); `where`
        keeps rows whose fields equal the given values.
        """
        layer = get_layer(name)
        fields = [f for f in layer.fields if include_private or not f.private]
        names = [f.name for f in fields] + (["geom"] if layer.geometry else [])
        clauses, params = [], []
        for key, value in (where or {}).items():
            f = layer.get(key)  # a KeyError names an unknown field
            clauses.append(f'"{key}" = %s')
            params.append(_db_value(f, value))
        if bbox is not None and layer.geometry:
            clauses.append("geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)")
            params += [float(v) for v in bbox]
        filters = " WHERE " + " AND ".join(clauses) if clauses else ""
        sql = f'SELECT {_select_list(layer, names)} FROM "{name}"{filters} ORDER BY "{layer.id_field}"'
        return _typed_frame(layer, fields, self._con.execute(sql, params).fetchall())

    def summarise(self, name: str, where: Where = Where(), *, by: tuple[str, ...] = (),
                  sums: tuple[str, ...] = ()) -> pd.DataFrame:
        """Counts per distinct `by` key of the rows matching `where` (see the protocol)."""
        layer = get_layer(name)
        sql, params, names = summary_sql(layer, _db_where(layer, where), _DIALECT, by=by, sums=sums)
        frame = pd.DataFrame.from_records(self._con.execute(sql, params).fetchall(), columns=names)
        for key in by:  # keys leave as SQLite's do: dates as ISO text
            if ":" not in key and layer.get(key).type == "date":
                frame[key] = frame[key].map(lambda v: v.isoformat() if isinstance(v, date) else v)
        for column in names[len(by):]:
            frame[column] = pd.to_numeric(frame[column])  # numeric sums arrive as Decimal
        return frame

    def select(self, name: str, where: Where = Where(), *, fields: tuple[str, ...] | None = None,
               order_by: tuple[tuple[str, bool], ...] = (), limit: int | None = None, offset: int = 0,
               include_private: bool = False) -> pd.DataFrame:
        """One page of the rows matching `where`, typed as `load_layer` types them."""
        layer = get_layer(name)
        chosen = [f for f in layer.fields if (include_private or not f.private)
                  and (fields is None or f.name in fields or f.name == layer.id_field)]
        names = [f.name for f in chosen] + (["geom"] if layer.geometry else [])
        clause, params = where_sql(layer, _db_where(layer, where), _DIALECT)
        sql = (f'SELECT {_select_list(layer, names)} FROM "{name}"{clause}{order_sql(layer, order_by)}'
               f' LIMIT %s OFFSET %s')
        rows = self._con.execute(sql, [*params, limit, int(offset)]).fetchall()
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
                           tuple(r[layer.id_field] for r, _ in updated), tuple(unchanged))

    def write_batch(self, name: str, rows: list[Row], *, by: str, action: str = "import",
                    source: str = "", detail: Mapping[str, Any] | None = None,
                    new_only: bool = False,
                    extra: Mapping[str, list[Row]] | None = None,
                    extra_updatable: tuple[str, ...] = ()) -> BatchResult:
        """Upsert rows of one layer (and append `extra` rows of other layers) in one transaction
        (see SQLiteStore.write_batch: the same rules, the same batch log and audit row)."""
        layer = get_layer(name)
        with self._write() as con:
            batch_id = self._new_batch(con, layer.name, by, action, source, detail)
            result = self._apply(con, batch_id, layer, rows, new_only=new_only)
            for other, other_rows in (extra or {}).items():
                self._apply(con, batch_id, get_layer(other), other_rows,
                            new_only=other not in extra_updatable)
            con.execute(
                "UPDATE batches SET n_new = %s, n_updated = %s, n_unchanged = %s WHERE batch_id = %s",
                (len(result.new), len(result.updated), len(result.unchanged), batch_id))
            self._audit(con, by, action, layer.name, str(batch_id),
                        len(result.new) + len(result.updated),
                        {"batch_id": batch_id, "new": len(result.new), "updated": len(result.updated),
                         "unchanged": len(result.unchanged), "source": source, **(detail or {})})
            self._bump(con)
        return BatchResult(batch_id, result.new, result.updated, result.unchanged)

    def assign_places(self, *, by: str) -> BatchResult:
        """Store where every issue falls (see the protocol) with one set-based UPDATE (GiST
        index, `geo.joins` rules: smallest id in the "C" collation among the polygons the
        point intersects); the rows it changed come back (RETURNING) for the batch log."""
        issues = get_layer("issues")
        names = [*issues.field_names, "geom"]
        with self._write() as con:
            changed = con.execute(_assign_places_sql()).fetchall()
            if not changed:
                return BatchResult(0, (), (), ())
            batch_id = self._new_batch(con, issues.name, by, "reassign", "ST_Intersects", None)
            with con.cursor().copy("COPY batch_changes (batch_id, layer, row_id, before, after) FROM STDIN") as copy:
                for values in changed:
                    after = _plain(issues, dict(zip(names, values)))
                    before = {**after, "community_id": values[-2], "compound_id": values[-1]}
                    copy.write_row((batch_id, issues.name, after["issue_id"], encode(before), encode(after)))
            updated = tuple(sorted(str(values[0]) for values in changed))
            con.execute("UPDATE batches SET n_updated = %s WHERE batch_id = %s", (len(updated), batch_id))
            self._audit(con, by, "reassign", issues.name, str(batch_id), len(updated),
                        {"batch_id": batch_id, "new": 0, "updated": len(updated), "unchanged": 0,
                         "source": "ST_Intersects"})
            self._bump(con)
        return BatchResult(batch_id, (), updated, ())

    def record_rejected(self, name: str, *, by: str, source: str, n_rejected: int,
                        problems: list[Mapping[str, Any]]) -> int:
        """Record a refused upload in the audit trail; nothing else is written."""
        with self._write() as con:
            batch_id = int(con.execute(
                "INSERT INTO batches (at, who, action, layer, source, status, n_rejected, detail)"
                " VALUES (%s, %s, 'import', %s, %s, 'rejected', %s, %s) RETURNING batch_id",
                (_now(), by, name, source, n_rejected,
                 json.dumps({"problems": list(problems)[:200]}, ensure_ascii=False))).fetchone()[0])
            self._audit(con, by, "import_rejected", name, str(batch_id), n_rejected,
                        {"source": source, "problems": len(problems)})
        return batch_id

    def undo(self, batch_id: int, *, by: str) -> BatchResult:
        """Restore exactly what was there before `batch_id`; refused if later batches touched the same rows."""
        with self._write() as con:
            batch = con.execute("SELECT status, layer FROM batches WHERE batch_id = %s",
                                (batch_id,)).fetchone()
            if batch is None:
                raise InputError(msg("batch_missing", batch=batch_id))
            if batch[0] != "committed":
                raise InputError(msg("batch_not_committed", batch=batch_id, status=batch[0]))
            changes = con.execute(
                "SELECT layer, row_id, before FROM batch_changes WHERE batch_id = %s",
                (batch_id,)).fetchall()
            later = con.execute(
                "SELECT DISTINCT c.batch_id FROM batch_changes c JOIN batches b USING (batch_id)"
                " JOIN batch_changes mine ON mine.layer = c.layer AND mine.row_id = c.row_id"
                " WHERE mine.batch_id = %s AND c.batch_id > %s AND b.status = 'committed'"
                " ORDER BY 1", (batch_id, batch_id)).fetchall()
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
                con.execute(f'DELETE FROM "{layer.name}" WHERE "{layer.id_field}" = ANY(%s)',
                            ([row_id for row_id, _ in rows],))
                _insert_many(con, layer, [decode(before) for _, before in rows if before is not None])
            con.execute("UPDATE batches SET status = 'undone' WHERE batch_id = %s", (batch_id,))
            self._audit(con, by, "undo", batch[1], str(batch_id), len(restored), {"batch_id": batch_id})
            self._bump(con)
        return BatchResult(batch_id, (), tuple(restored), ())

    def log(self, *, by: str, action: str, target: str = "", layer: str | None = None,
            detail: Mapping[str, Any] | None = None) -> None:
        """Append one audit row on its own (sign-ins, refusals: events that change no data)."""
        with self._write() as con:
            self._audit(con, by, action, layer, target, None, detail or {})

    # -- users -----------------------------------------------------------------
    def load_users(self) -> pd.DataFrame:
        return _frame(self._con.execute("SELECT * FROM users ORDER BY username"))

    def get_user(self, username: str) -> Row | None:
        return _one(self._con.execute("SELECT * FROM users WHERE username = %s", (username,)))

    def put_user(self, user: Row, *, by: str, action: str, detail: Mapping[str, Any] | None = None,
                 end_sessions: bool = False, keep_an_admin: bool = False) -> None:
        """Insert one account, or update the fields `user` carries (see SQLiteStore.put_user)."""
        cols = [c for c in user if c != "username"]
        admins = "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0"
        with self._write() as con:
            admins_before = con.execute(admins).fetchone()[0]
            exists = con.execute("SELECT 1 FROM users WHERE username = %s", (user["username"],)).fetchone()
            try:
                with con.transaction():  # a savepoint: the refusal is ours to raise
                    if exists:
                        con.execute(f"UPDATE users SET {', '.join(f'{_ident(c)} = %s' for c in cols)}"
                                    " WHERE username = %s", [user[c] for c in cols] + [user["username"]])
                    else:
                        _insert_into(con, "users", user)
            except (pg_errors.IntegrityError, pg_errors.DataError) as exc:
                raise InputError(msg("account_refused", name=user["username"], detail=_first_line(exc))) from exc
            if keep_an_admin and admins_before and not con.execute(admins).fetchone()[0]:
                raise InputError(msg("account_last_admin", name=user["username"]))
            ended = con.execute("DELETE FROM sessions WHERE username = %s",
                                (user["username"],)).rowcount if end_sessions else 0
            if user.get("failed_count") == 0:
                con.execute("DELETE FROM signin_failures WHERE username = %s", (user["username"],))
            self._audit(con, by, action, "users", str(user["username"]), 1,
                        {**(detail or {}), **({"sessions_ended": ended} if ended else {})})

    def count_failure(self, username: str, *, address: str, at: str,
                      lock_for: Callable[[int, int], tuple[str | None, str | None]],
                      detail: Mapping[str, Any] | None = None) -> tuple[int, int]:
        """One more failed sign-in for `username` from `address`, counted in one transaction."""
        with self._write() as con:
            row = con.execute("UPDATE users SET failed_count = failed_count + 1 WHERE username = %s"
                              " RETURNING failed_count", (username,)).fetchone()
            if row is None:
                raise InputError(msg("account_no_user", name=username))
            in_all = int(row[0])
            from_address = int(con.execute(
                "INSERT INTO signin_failures VALUES (%s, %s, 1, NULL, %s) ON CONFLICT (username, address)"
                " DO UPDATE SET failed_count = signin_failures.failed_count + 1, last_at = excluded.last_at"
                " RETURNING failed_count", (username, address, at)).fetchone()[0])
            pair_until, account_until = lock_for(from_address, in_all)
            con.execute("UPDATE signin_failures SET locked_until = %s WHERE username = %s AND address = %s",
                        (pair_until, username, address))
            con.execute("UPDATE users SET locked_until = %s WHERE username = %s", (account_until, username))
            self._audit(con, username, "signin_failed", "users", username, 1,
                        {**(detail or {}), "address": address, "failed_in_a_row": from_address,
                         "failed_in_a_row_in_all": in_all})
        return from_address, in_all

    def signin_lock(self, username: str, address: str) -> str | None:
        row = self._con.execute("SELECT locked_until FROM signin_failures WHERE username = %s AND address = %s",
                                (username, address)).fetchone()
        return row[0] if row else None

    # -- sessions --------------------------------------------------------------
    def add_session(self, session: Row, *, detail: Mapping[str, Any] | None = None) -> None:
        """Start a session: insert it, clear the account's failures, audit the sign-in, at once."""
        with self._write() as con:
            try:
                with con.transaction():
                    _insert_into(con, "sessions", session)
            except pg_errors.IntegrityError as exc:
                raise InputError(msg("account_no_user", name=session.get("username"))) from exc
            con.execute("UPDATE users SET failed_count = 0, locked_until = NULL WHERE username = %s",
                        (session["username"],))
            con.execute("DELETE FROM signin_failures WHERE username = %s AND address = %s",
                        (session["username"], session.get("address", "")))
            self._audit(con, session["username"], "signin", "users", session["username"], 1, detail or {})

    def get_session(self, session_hash: str) -> Row | None:
        return _one(self._con.execute("SELECT * FROM sessions WHERE session_hash = %s", (session_hash,)))

    def touch_session(self, session_hash: str, last_seen: str) -> None:
        """Note that a session was used (bookkeeping, not a change of record: no audit row)."""
        with self._write() as con:
            con.execute("UPDATE sessions SET last_seen = %s WHERE session_hash = %s", (last_seen, session_hash))

    def end_sessions(self, *, by: str, action: str, session_hash: str | None = None,
                     username: str | None = None, before: str | None = None) -> int:
        """Delete the sessions matching every filter given; audited when any ended."""
        filters = {"session_hash = %s": session_hash, "username = %s": username, "last_seen < %s": before}
        used = {k: v for k, v in filters.items() if v is not None}
        if not used:
            raise ValueError("end_sessions needs a session, a user or a time")
        with self._write() as con:
            ended = con.execute(f"DELETE FROM sessions WHERE {' AND '.join(used)}", list(used.values())).rowcount
            if ended:
                self._audit(con, by, action, "sessions", username or (session_hash or "")[:8], ended, {})
        return ended

    def list_sessions(self) -> pd.DataFrame:
        return _frame(self._con.execute("SELECT * FROM sessions ORDER BY last_seen DESC, created_at DESC"))

    # -- API keys --------------------------------------------------------------
    def add_api_key(self, row: Row, *, by: str) -> None:
        """Insert one key with its audit row (the name, never the hash), in one transaction."""
        with self._write() as con:
            try:
                with con.transaction():
                    _insert_into(con, "api_keys", {**row, "revoked_at": row.get("revoked_at")})
            except pg_errors.IntegrityError as exc:
                raise InputError(msg("apikey_refused", key_id=row.get("key_id"), detail=_first_line(exc))) from exc
            self._audit(con, by, "apikey_add", "api_keys", str(row["key_id"]), 1, {"name": row["name"]})

    def list_api_keys(self) -> pd.DataFrame:
        return _frame(self._con.execute("SELECT * FROM api_keys ORDER BY key_id"))

    def api_key_by_hash(self, key_hash: str) -> Row | None:
        return _one(self._con.execute("SELECT * FROM api_keys WHERE key_hash = %s", (key_hash,)))

    def revoke_api_key(self, key_id: str, *, by: str) -> bool:
        """Revoke a key still in use, audited; an unknown or revoked one changes nothing."""
        with self._write() as con:
            row = con.execute("UPDATE api_keys SET revoked_at = %s WHERE key_id = %s AND revoked_at IS NULL"
                              " RETURNING name", (_now(), key_id)).fetchone()
            if row is not None:
                self._audit(con, by, "apikey_revoke", "api_keys", key_id, 1, {"name": row[0]})
        return row is not None

    # -- history ---------------------------------------------------------------
    def history(self) -> pd.DataFrame:
        return _frame(self._con.execute(
            "SELECT batch_id, at, who, action, layer, source, status, n_new, n_updated,"
            " n_unchanged, n_rejected FROM batches ORDER BY batch_id DESC"))

    def audit_trail(self, *, limit: int = 1000) -> pd.DataFrame:
        return _frame(self._con.execute(
            'SELECT audit_id, at, who, action, layer, target, "count", detail FROM audit'
            " ORDER BY audit_id DESC LIMIT %s", (limit,)))

    # -- checks and backups ----------------------------------------------------
    def check(self) -> StoreCheck:
        """Rows per layer, the schema version and every problem found (tables or columns
        missing, PostGIS gone): reported here, not raised. The server keeps its own pages
        intact (checksums, WAL); this checks what is ours."""
        problems: list[str] = []
        present = {r[0] for r in self._con.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relkind IN ('r', 'p') AND pg_table_is_visible(c.oid)")}
        missing = [t for t in (*FIXED_TABLES, *LAYERS) if t not in present]
        if missing:
            problems.append(str(msg("pg_missing_tables", tables=missing)))
        if self._con.execute("SELECT to_regtype('geometry')").fetchone()[0] is None:
            problems.append(str(msg("pg_no_postgis", where=self.location, detail="no geometry type")))
        counts: dict[str, int] = {}
        for name, layer in LAYERS.items():
            if name not in present:
                continue
            columns = {r[0] for r in self._con.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0"
                " AND NOT attisdropped", (f'"{name}"',))}
            lacking = [f for f in (*layer.field_names, *(["geom"] if layer.geometry else []))
                       if f not in columns]
            if lacking:
                problems.append(str(msg("pg_missing_columns", table=name, columns=lacking)))
            try:
                with self._con.transaction():
                    counts[name] = int(self._con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
            except psycopg.DatabaseError as exc:
                problems.append(f"{name}: {_first_line(exc)}")
        version = self.meta("schema_version") if "meta" in present else None
        if version is not None and version != SCHEMA_VERSION:
            problems.append(f"schema version {version}, this version needs {SCHEMA_VERSION}")
        return StoreCheck(self.location, tuple(problems), version, counts, self.read_only)

    def backup(self, target: str | Path, *, replace: bool = False) -> None:
        """The whole database dumped with pg_dump (custom format, one consistent snapshot while
        writers go on) into a temporary file beside `target`, listed back with pg_restore as a
        check, then renamed into place: a failed dump never replaces a good backup. An
        existing `target` is refused unless `replace`. Restore with
        `pg_restore -d postgresql://.../empty_db FILE`."""
        target = Path(target)
        if target.exists() and not replace:
            raise InputError(msg("store_backup_exists", path=str(target)))
        dump, restore = _client_tool("pg_dump"), _client_tool("pg_restore")
        if dump is None or restore is None:
            raise InputError(msg("pg_dump_missing", where=self.location))
        partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
        env = {**os.environ}
        secret = _password(self.url)
        if secret:
            env["PGPASSWORD"] = secret
        try:
            for command in ([dump, "-Fc", "--no-owner", "-f", str(partial), "-d", self.location],
                            [restore, "--list", str(partial)]):
                done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
                if done.returncode != 0:
                    detail = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
                    if secret:
                        detail = detail.replace(secret, "***")
                    raise InputError(msg("store_backup_failed", path=str(target), detail=detail))
            os.replace(partial, target)
        except OSError as exc:
            raise InputError(msg("store_backup_failed", path=str(target), detail=exc.strerror or exc)) from None
        finally:
            partial.unlink(missing_ok=True)

    # -- internals -------------------------------------------------------------
    def _new_batch(self, con: psycopg.Connection, layer: str, by: str, action: str, source: str,
                   detail: Mapping[str, Any] | None) -> int:
        return int(con.execute(
            "INSERT INTO batches (at, who, action, layer, source, status, detail)"
            " VALUES (%s, %s, %s, %s, %s, 'committed', %s) RETURNING batch_id",
            (_now(), by, action, layer, source,
             json.dumps(dict(detail or {}), ensure_ascii=False))).fetchone()[0])

    def _apply(self, con: psycopg.Connection, batch_id: int, layer: Layer,
               rows: list[Row], *, new_only: bool = False) -> BatchResult:
        new, updated, unchanged = _classify(con, layer, rows)
        if new_only and (updated or unchanged):
            taken = [r[layer.id_field] for r, _ in updated] + list(unchanged)
            raise InputError(msg("batch_ids_taken", layer=layer.name, ids=", ".join(map(str, taken[:5]))))
        _insert_many(con, layer, new)
        # A new row's undo deletes it by id, and "a later batch touched it" looks at ids only:
        # its `after` would repeat the row itself (or the next batch's `before`), so it is not kept.
        changes: list[tuple[Any, ...]] = [(batch_id, layer.name, row[layer.id_field], None, None)
                                          for row in new]
        if updated:
            merged = [{**before, **row} for row, before in updated]
            _update_many(con, layer, merged)
            changes += [(batch_id, layer.name, row[layer.id_field], encode(before), encode(after))
                        for (row, before), after in zip(updated, merged)]
        if changes:
            with con.cursor().copy("COPY batch_changes (batch_id, layer, row_id, before, after) FROM STDIN") as copy:
                for change in changes:
                    copy.write_row(change)
        return BatchResult(batch_id, tuple(r[layer.id_field] for r in new),
                           tuple(r[layer.id_field] for r, _ in updated), tuple(unchanged))

    @staticmethod
    def _audit(con: psycopg.Connection, who: str, action: str, layer: str | None, target: str,
               count: int | None, detail: Mapping[str, Any]) -> None:
        con.execute('INSERT INTO audit (at, who, action, layer, target, "count", detail)'
                    " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    (_now(), who, action, layer, target, count,
                     json.dumps(dict(detail), ensure_ascii=False, default=str)))

    @staticmethod
    def _bump(con: psycopg.Connection) -> None:
        con.execute("UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'revision'")


@functools.cache
def _assign_places_sql() -> str:
    """The UPDATE of `assign_places`: per issue the smallest community and compound id (the
    "C" collation, as `geo.joins` compares ids) among the polygons its point intersects (an
    edge counts, a hole does not), None where there is none; only the issues whose stored
    values differ are written, and come back as they are now, then with what they had."""
    nearest = """SELECT DISTINCT ON (i.issue_id) i.issue_id, p.{id} FROM issues AS i
      JOIN {table} AS p ON ST_Intersects(p.geom, i.geom)
      ORDER BY i.issue_id, p.{id} COLLATE "C\""""
    returned = ", ".join("ST_AsBinary(t.geom)" if n == "geom" else f"t.{_ident(n)}"
                         for n in [*get_layer("issues").field_names, "geom"])
    return f"""WITH community AS ({nearest.format(id="community_id", table="communities")}),
    compound AS ({nearest.format(id="compound_id", table="compounds")}),
    placed AS (
      SELECT i.issue_id, i.community_id AS was_community, i.compound_id AS was_compound,
             c.community_id, k.compound_id
      FROM issues AS i LEFT JOIN community AS c USING (issue_id) LEFT JOIN compound AS k USING (issue_id))
    UPDATE issues AS t SET community_id = p.community_id, compound_id = p.compound_id
    FROM placed AS p
    WHERE t.issue_id = p.issue_id AND (t.community_id IS DISTINCT FROM p.community_id
                                       OR t.compound_id IS DISTINCT FROM p.compound_id)
    RETURNING {returned}, p.was_community, p.was_compound"""



def _client_tool(name: str) -> str | None:
    """pg_dump or pg_restore: the server's own version's (`pg_config --bindir`, the newest
    /usr/lib/postgresql/*/bin), else the one on PATH."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
            candidates.append(Path(out.stdout.strip()) / name)
        except (OSError, subprocess.SubprocessError):
            pass
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    for path in candidates:
        if path.is_file():
            return str(path)
    return shutil.which(name)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _read_only(where: str) -> StoreReadOnly:
    return StoreReadOnly(msg("store_read_only", where=where), msg("store_read_only_page"))


#: SQLSTATEs meaning "another writer, try again".
_BUSY = (pg_errors.LockNotAvailable, pg_errors.SerializationFailure, pg_errors.DeadlockDetected)
_READ_ONLY = (pg_errors.ReadOnlySqlTransaction, pg_errors.InsufficientPrivilege)
_FULL = (pg_errors.DiskFull, pg_errors.OutOfMemory, pg_errors.ProgramLimitExceeded)


def _store_error(store: PostGISStore, exc: psycopg.Error) -> YishiError | None:
    """The application's error for a driver error that means the store itself cannot do it
    (busy, read-only, full, unreachable, tables missing), or None: anything else stays as it was."""
    where = store.location
    if isinstance(exc, _BUSY):
        return StoreBusy(msg("store_busy"))
    if isinstance(exc, _READ_ONLY):
        return _read_only(where)
    if isinstance(exc, _FULL):
        return StoreFull(msg("store_write_failed", where=where, detail=_first_line(exc)),
                         msg("store_write_failed_page"))
    if isinstance(exc, (pg_errors.UndefinedTable, pg_errors.UndefinedColumn, pg_errors.UndefinedFunction)):
        return StoreDamaged(msg("store_damaged", where=where, detail=_first_line(exc)), msg("store_damaged_page"))
    if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
        return store._unreachable(exc)
    return None


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method`, raising the application's store errors (see `_store_error`) for the driver's."""
    @functools.wraps(method)
    def run(self: PostGISStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except psycopg.Error as exc:
            error = _store_error(self, exc)
            if error is None:
                raise
            raise error from None  # the driver's text may carry the URL: never chained
    return run


for _name, _member in list(vars(PostGISStore).items()):
    if isinstance(_member, property) and _member.fget is not None:
        setattr(PostGISStore, _name, property(_guarded(_member.fget), doc=_member.__doc__))
    elif isinstance(_member, types.FunctionType) and (_name == "__init__" or not _name.startswith("_")):
        setattr(PostGISStore, _name, _guarded(_member))
del _name, _member


def _frame(cur: psycopg.Cursor) -> pd.DataFrame:
    return pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])


def _one(cur: psycopg.Cursor) -> Row | None:
    values = cur.fetchone()
    return dict(zip([d.name for d in cur.description], values)) if values else None


def _insert_into(con: psycopg.Connection, table: str, row: Row) -> None:
    """Insert `row` (field -> value) into a fixed table (users, sessions, api_keys)."""
    names = list(row)
    con.execute(f"INSERT INTO {table} ({', '.join(map(_ident, names))})"
                f" VALUES ({', '.join(['%s'] * len(names))})", [row[c] for c in names])


def _fetch_rows(con: psycopg.Connection, layer: Layer, row_ids: list[Any]) -> dict[str, Row]:
    """The stored rows with these ids, by id (as SQLite gives them: geometry as WKB). The ids
    travel as one JSON text: sending 10^6 of them as an array costs seconds, JSON a fraction."""
    names = [*layer.field_names, *(["geom"] if layer.geometry else [])]
    cur = con.execute(f'SELECT {_select_list(layer, names)} FROM "{layer.name}"'
                      f' WHERE "{layer.id_field}" = ANY(ARRAY(SELECT json_array_elements_text(%s::json)))',
                      (json.dumps([str(i) for i in row_ids], ensure_ascii=False),))
    found: dict[str, Row] = {}
    for values in cur:
        row = _plain(layer, dict(zip(names, values)))
        found[row[layer.id_field]] = row
    return found


def _classify(con: psycopg.Connection, layer: Layer,
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
    stored = _fetch_rows(con, layer, list(seen)) if seen else {}
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


def _full_row(layer: Layer, row: Row) -> tuple[list[str], Row]:
    """The columns a row fills and the row as kept in the batch log (geometry as WKB)."""
    full = with_wkb(row)
    names = [f.name for f in layer.fields if f.name in full]
    if layer.geometry:
        if full.get("geom") is None:
            raise InputError(msg("row_no_geometry", layer=layer.name, id=row.get(layer.id_field)))
        names.append("geom")
    return names, {n: full[n] for n in names}


def _insert(con: psycopg.Connection, layer: Layer, row: Row) -> Row:
    """Insert one full row; the database's CHECKs refuse what validation missed."""
    names, full = _full_row(layer, row)
    fields = {f.name: f for f in layer.fields}
    values = [_db_value(fields.get(n), full[n]) for n in names]
    marks = ", ".join("ST_GeomFromWKB(%s, 4326)" if n == "geom" else "%s" for n in names)
    try:
        with con.transaction():
            con.execute(f'INSERT INTO "{layer.name}" ({", ".join(map(_ident, names))}) VALUES ({marks})',
                        values)
    except (pg_errors.IntegrityError, pg_errors.DataError) as exc:
        raise InputError(msg("row_refused", layer=layer.name, id=row.get(layer.id_field),
                             detail=_first_line(exc))) from None
    return full


def _insert_many(con: psycopg.Connection, layer: Layer, rows: list[Row]) -> None:
    """Insert new rows with one COPY; if the database refuses it, again row by row (in a
    savepoint) so the refusal names the row, as a single insert would."""
    if not rows:
        return
    _need_geometry(layer, rows)
    try:
        with con.transaction():
            _copy_rows(con, layer.name, layer, rows)
    except (pg_errors.IntegrityError, pg_errors.DataError):
        for row in rows:
            _insert(con, layer, row)


def _need_geometry(layer: Layer, rows: list[Row]) -> None:
    """InputError naming the first row of a layer with geometry that has none."""
    if layer.geometry:
        missing = next((r for r in rows if r.get("geom") is None), None)
        if missing is not None:
            raise InputError(msg("row_no_geometry", layer=layer.name, id=missing.get(layer.id_field)))


def _copy_rows(con: psycopg.Connection, table: str, layer: Layer, rows: list[Row]) -> None:
    """COPY rows into `table` (every field, NULL where a row has none, and the geometry),
    made column by column: the geometry as EWKB for all rows in one call."""
    columns = [f.name for f in layer.fields] + (["geom"] if layer.geometry else [])
    values: list[list[Any]] = []
    for f in layer.fields:
        column = [row.get(f.name) for row in rows]
        values.append([_db_value(f, v) for v in column] if f.type == "bool" else column)
    if layer.geometry:
        values.append(_ewkb_hex_many([row["geom"] for row in rows]))
    with con.cursor().copy(f'COPY {_ident(table)} ({", ".join(map(_ident, columns))}) FROM STDIN') as copy:
        for record in zip(*values):
            copy.write_row(record)


def _ewkb_hex_many(geoms: list[Any]) -> list[str]:
    """Geometries (shapely objects or WKB) as hex EWKB with SRID 4326, in one call."""
    shapes = np.empty(len(geoms), dtype=object)
    shapes[:] = geoms
    raw = np.fromiter((isinstance(g, bytes) for g in geoms), dtype=bool, count=len(geoms))
    if raw.any():
        shapes[raw] = shapely.from_wkb(shapes[raw])
    return shapely.to_wkb(shapely.set_srid(shapes, 4326), hex=True, include_srid=True).tolist()


def _update_many(con: psycopg.Connection, layer: Layer, rows: list[Row]) -> None:
    """Write the new versions of stored rows (full rows) set-based: COPY them into a temporary
    table, then one UPDATE ... FROM it. If the database refuses it, again row by row (in a
    savepoint) so the refusal names the row, as a single write would."""
    if not rows:
        return
    _need_geometry(layer, rows)
    scratch = f"_yishi_update_{layer.name}"
    columns = [f.name for f in layer.fields] + (["geom"] if layer.geometry else [])
    try:
        with con.transaction():
            con.execute(f'CREATE TEMP TABLE {_ident(scratch)} AS SELECT * FROM "{layer.name}" WITH NO DATA')
            _copy_rows(con, scratch, layer, rows)
            key = _ident(layer.id_field)
            sets = ", ".join(f"{_ident(c)} = n.{_ident(c)}" for c in columns if c != layer.id_field)
            con.execute(f'UPDATE "{layer.name}" AS t SET {sets} FROM {_ident(scratch)} AS n'
                        f" WHERE t.{key} = n.{key}")
            con.execute(f"DROP TABLE {_ident(scratch)}")
    except (pg_errors.IntegrityError, pg_errors.DataError):
        for row in rows:
            con.execute(f'DELETE FROM "{layer.name}" WHERE "{layer.id_field}" = %s', (row[layer.id_field],))
            _insert(con, layer, row)  # raises InputError naming the refused row
