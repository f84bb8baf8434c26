"""What a storage backend must offer: the only interface the rest of the application sees.

Everything outside `yishi.storage` types against `Store`, so SQLite (one subdistrict) and a
server database (a city) can stand behind the same services and pages. A backend keeps every
write all-or-nothing with its audit row, and a batch log that `undo` can restore from.
`tests/storage/test_contract.py` checks every method against every backend.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable

import pandas as pd

#: The layout every backend writes and checks (each step: `yishi.storage.sqlite._migrate`).
SCHEMA_VERSION = "8"
#: One record as the store keeps it: field name -> value (geometry under "geom").
Row = dict[str, Any]
#: (minx, miny, maxx, maxy) in EPSG:4326.
BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class BatchResult:
    """What one committed batch changed, by id."""

    batch_id: int
    new: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]


@dataclass(frozen=True)
class Where:
    """Which rows of a layer a query is about, answered by the database (indexes, not frames).

    Every condition given must hold. `any_of`: field -> the values allowed (an empty tuple
    allows none). `none_of`: field -> values the field must not hold (a null field holds
    none of them). `between`: field -> (lowest, highest), either end None for open (dates and
    numbers, inclusive). `below`: field -> a value the field must be under (a null field is
    not). `prefix`: field -> text prefixes, one of which the field starts with (NBS codes: a
    region node holds the subdistricts whose codes start with its own). `bbox`: rows whose
    geometry's bounding box meets it. `search`: (text, fields): rows where any of the fields
    contains the text, ignoring case; `search_also`: field -> values that match the search too
    (a name found in another layer, given as its ids: an issue's community by name). `refers_to`: field -> (layer, Where): rows whose field
    holds the id of a row of that layer matching that Where (a meeting or a rating counted for
    the issues a view shows, answered inside the database however many issues match).
    """

    any_of: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    none_of: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    between: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    below: Mapping[str, Any] = field(default_factory=dict)
    prefix: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    bbox: BBox | None = None
    search: tuple[str, tuple[str, ...]] | None = None
    search_also: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    refers_to: Mapping[str, tuple[str, Where]] = field(default_factory=dict)


@dataclass(frozen=True)
class StoreCheck:
    """What `Store.check` found: every problem (none: intact), the schema version, rows per
    layer, and whether this process may write the store."""

    location: str
    problems: tuple[str, ...]
    schema_version: str | None
    counts: Mapping[str, int]
    read_only: bool

    @property
    def ok(self) -> bool:
        return not self.problems


@runtime_checkable
class Store(Protocol):
    """A store of record: layers, the batch log, the audit trail and the accounts."""

    #: Where the store is (a file path or a URL without its password), for messages.
    location: str

    # -- lifetime ----------------------------------------------------------------
    def close(self) -> None: ...
    def __enter__(self) -> Store: ...
    def __exit__(self, *exc: object) -> None: ...

    # -- meta --------------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        """A stored setting (schema_version, revision, as_of, ...)."""

    def set_meta(self, key: str, value: str, *, by: str) -> None:
        """Set a setting, with its audit row; the revision grows (readers cache by it)."""

    @property
    def revision(self) -> int:
        """Grows with every committed write: a cheap cache key for readers."""

    def today(self) -> date:
        """The store's today: the demo is a snapshot (meta as_of); a live store uses the clock."""

    # -- reading -----------------------------------------------------------------
    def load_layer(self, name: str, *, include_private: bool = False, bbox: BBox | None = None,
                   where: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """A layer as a typed (Geo)DataFrame ordered by id; only the rows whose bounding box
        meets `bbox` and whose fields equal `where`; private fields only when asked."""

    def get_row(self, name: str, row_id: str, *, include_private: bool = True) -> Row | None:
        """One row (geometry as a shapely object), or None."""

    def summarise(self, name: str, where: Where = Where(), *, by: tuple[str, ...] = (),
                  sums: tuple[str, ...] = ()) -> pd.DataFrame:
        """Counts of the rows matching `where`, one row per distinct value of the `by` keys
        (none: one row for all), ordered by them: the `by` columns, `n` (rows), and for each
        numeric field in `sums` `<field>_sum` and `<field>_n` (its non-null values). A key is a
        field name, or "<date field>:month" for its YYYY-MM. Pages ask this for figures,
        charts and tables instead of loading whole layers."""

    def select(self, name: str, where: Where = Where(), *, fields: tuple[str, ...] | None = None,
               order_by: tuple[tuple[str, bool], ...] = (), limit: int | None = None, offset: int = 0,
               include_private: bool = False) -> pd.DataFrame:
        """The rows matching `where` as `load_layer` types them (only `fields` when given, with
        the id field always; geometry on a layer that has it), ordered by (field, descending)
        pairs then the id, `limit` rows from `offset`: one page of a table, or a map view's
        rows. Private fields only when asked, and never through `where.search`."""

    def next_id(self, name: str, prefix: str, *, width: int = 4) -> str:
        """The id after the highest numbered one of `name` (keeping that id's letters)."""

    # -- writing -----------------------------------------------------------------
    def preview(self, name: str, rows: list[Row]) -> BatchResult:
        """What `write_batch` would do with these rows, by id, without writing."""

    def write_batch(self, name: str, rows: list[Row], *, by: str, action: str = "import",
                    source: str = "", detail: Mapping[str, Any] | None = None,
                    new_only: bool = False, extra: Mapping[str, list[Row]] | None = None,
                    extra_updatable: tuple[str, ...] = ()) -> BatchResult:
        """Upsert rows of one layer (and append `extra` rows of others) in one transaction."""

    def record_rejected(self, name: str, *, by: str, source: str, n_rejected: int,
                        problems: list[Mapping[str, Any]]) -> int:
        """Record a refused upload in the batch log and the audit trail; no data is written."""

    def assign_places(self, *, by: str) -> BatchResult:
        """Store where every issue falls (`community_id`, `compound_id`) by `geo.joins.place`'s
        rules: a point on a shared edge or vertex goes to the smallest id (as text), a point in
        a hole is outside, a point outside every polygon gets None. Computed and written in
        one write transaction, so no polygon changes in between. The issues whose place
        changes are one batch (action "reassign": its audit row, the revision bump, undo
        restores the old values); `updated` lists them, `new` and `unchanged` are empty. When
        none changes nothing is written: BatchResult(0, (), (), ())."""

    def undo(self, batch_id: int, *, by: str) -> BatchResult:
        """Restore exactly what was there before `batch_id`."""

    def history(self) -> pd.DataFrame:
        """Batches, newest first."""

    def log(self, *, by: str, action: str, target: str = "", layer: str | None = None,
            detail: Mapping[str, Any] | None = None) -> None:
        """Append one audit row on its own (sign-ins, refusals)."""

    def audit_trail(self, *, limit: int = 1000) -> pd.DataFrame:
        """Audit rows, newest first."""

    # -- accounts ----------------------------------------------------------------
    def load_users(self) -> pd.DataFrame: ...
    def get_user(self, username: str) -> Row | None: ...
    def put_user(self, user: Row, *, by: str, action: str, detail: Mapping[str, Any] | None = None,
                 end_sessions: bool = False, keep_an_admin: bool = False) -> None:
        """Insert one account, or update the fields `user` carries, with its audit row; with
        `end_sessions` the account's sessions end in the same transaction; with `keep_an_admin`
        the write is refused (InputError) if it would take away the last enabled admin, checked
        inside the transaction so two admins disabling each other cannot both succeed."""

    def count_failure(self, username: str, *, address: str, at: str,
                      lock_for: Callable[[int, int], tuple[str | None, str | None]],
                      detail: Mapping[str, Any] | None = None) -> tuple[int, int]:
        """One more failed sign-in from `address` (at ISO time `at`), counted atomically per
        (account, address) and for the account in all; `lock_for(from_address, in_all)` gives
        both new locked_until values (ISO time or None). Audited as signin_failed; returns
        both counts. A session started from the address clears its count; a new password, or
        an update carrying failed_count 0, clears every address's."""

    def signin_lock(self, username: str, address: str) -> str | None:
        """The locked_until of (account, address), or None."""

    # -- sessions ----------------------------------------------------------------
    def add_session(self, session: Row, *, detail: Mapping[str, Any] | None = None) -> None:
        """Insert a session (session_hash, username, created_at, last_seen, expires_at,
        user_agent, address), clear the account's failures and audit the sign-in, at once."""

    def get_session(self, session_hash: str) -> Row | None: ...

    def touch_session(self, session_hash: str, last_seen: str) -> None:
        """Record use of a session (no audit row: bookkeeping)."""

    def end_sessions(self, *, by: str, action: str, session_hash: str | None = None,
                     username: str | None = None, before: str | None = None) -> int:
        """Delete the sessions matching all the filters given; audited when any ended (a sweep
        that finds nothing leaves no row); how many ended."""

    def list_sessions(self) -> pd.DataFrame:
        """Sessions, most recently used first."""

    # -- API keys (Open311 clients) -------------------------------------------------
    def add_api_key(self, row: Row, *, by: str) -> None:
        """Insert one key (key_id, name, key_hash, created_at, created_by; revoked_at None),
        audited without its hash; a taken key_id or key_hash is refused (InputError)."""

    def list_api_keys(self) -> pd.DataFrame:
        """Every key (revoked ones too), by key_id; the hashes are in it: the service hides them."""

    def api_key_by_hash(self, key_hash: str) -> Row | None:
        """The key whose SHA-256 is `key_hash` (revoked or not), or None."""

    def revoke_api_key(self, key_id: str, *, by: str) -> bool:
        """Set revoked_at now, audited; False (nothing written) for an unknown or revoked key."""

    # -- checks and backups --------------------------------------------------------
    def check(self) -> StoreCheck:
        """Check the whole store (SQLite: integrity_check); damage is reported, not raised. A backend that cannot be read at all raises StoreDamaged."""

    def backup(self, target: str, *, replace: bool = False) -> None:
        """Write a consistent, checked copy of the whole store to the file `target` (refused if
        it exists, unless `replace`). SQLite: the online backup API; PostGIS will use pg_dump."""
