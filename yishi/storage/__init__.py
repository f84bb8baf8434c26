"""Storage: one protocol (`Store`), backends behind it, and the one way to open a store.

A location is a file path (SQLite: one subdistrict) or a `postgresql://` URL (PostGIS: a
city, `yishi.storage.postgis`). `open_store(location)` opens an existing store and never
creates one: a typo in $YISHI_STORE or --store must not bring up a fresh store (let alone
the demo with its published passwords). `create_store(location)` makes an empty one on purpose.

A store is checked (SQLite: quick_check) the first time a process opens it, and again before
every batch of data is written, so a damaged store is refused rather than written to. The
check reads the whole file (≈10 ms for the demo store, ≈1 s at 10^5 issues): the command line,
one process per command, checks at every open; the app, a long-lived process opening the
store many times per page, checks once, and any damage met later still raises StoreDamaged.
"""

from __future__ import annotations

import os
from pathlib import Path

from geo.errors import InputError, msg
from yishi import datasets
from yishi.storage.codec import rows_from_frame
from yishi.storage.postgis import PostGISStore, is_url, public_url
from yishi.storage.protocol import BatchResult, BBox, Row, Store, StoreCheck, Where
from yishi.storage.sqlite import SQLiteStore

__all__ = ["BBox", "BatchResult", "Row", "Store", "StoreCheck", "StoreMissing", "create_store",
           "is_server_location", "open_store", "public_location", "rows_from_frame", "store_exists",
           "store_location", "Where"]

#: The store files this process has checked, by (path, device, inode): a backup moved into
#: place under the same name is a new inode, checked again.
_VERIFIED: set[tuple[str, int, int]] = set()


class StoreMissing(InputError):
    """There is no store at the location given: nothing was created."""


def store_location(location: str | Path | None = None) -> str:
    """`location`, else $YISHI_STORE, else the default file in the working tree."""
    env = os.environ.get("YISHI_STORE", "")
    if location is None and is_url(env):  # a URL is not a path: Path() would fold its "//"
        return env
    return str(location) if location is not None else str(datasets.default_store_path())


def open_store(location: str | Path | None = None, *, verify: bool = True) -> Store:
    """The existing store at `location` (see `store_location`); StoreMissing if there is none,
    StoreDamaged if it fails the check made the first time this process opens it (`verify`
    False skips it: `geo check` runs the full check itself)."""
    where = store_location(location)
    if is_url(where):
        try:
            store = PostGISStore(where)
        except InputError as exc:  # no such database: nothing is there either
            raise StoreMissing(exc.message or str(exc)) from None
        if not store.found:
            store.close()
            raise StoreMissing(msg("store_missing", where=store.location))
        return store
    path = Path(where)
    if not path.is_file():
        raise StoreMissing(msg("store_missing", where=where))
    stat = path.stat()
    key = (str(path.resolve()), stat.st_dev, stat.st_ino)
    store = SQLiteStore(where, verify=verify and key not in _VERIFIED)
    if verify:
        _VERIFIED.add(key)
    return store


def create_store(location: str | Path) -> Store:
    """A new, empty store at `location`; refused if something is there already. A
    `postgresql://` URL names an existing, empty database: the store's tables (and PostGIS) are
    made in it; the database itself is the server administrator's to create."""
    if is_url(location):
        return PostGISStore(str(location), create=True)
    path = Path(location)
    if path.exists():
        raise InputError(msg("store_exists", where=str(path)))
    path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteStore(path)


def public_location(location: str | Path) -> str:
    """`location` as it may be shown (messages, reports, logs): a database URL without its
    password, a file path as it is."""
    return public_url(str(location)) if is_url(str(location)) else str(location)


def is_server_location(location: str | Path | None) -> bool:
    """Whether `location` names a database on a server (postgresql://...), not a file."""
    return is_url(str(location)) if location is not None else False


def store_exists(location: str | Path | None = None) -> bool:
    """Whether a store is at `location` (see `store_location`): a file there, or a database
    holding a Yishi store. Nothing is created; a server that cannot be reached raises."""
    where = store_location(location)
    if not is_url(where):
        return Path(where).exists()
    try:
        store = PostGISStore(where)
    except InputError:  # no such database
        return False
    with store:
        return store.found
