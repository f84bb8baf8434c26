"""Storage: one protocol (`Store`), backends behind it, and the one way to open a store.

`open_store(location)` opens an existing store and never creates one: a typo in
$YISHI_STORE or --store must not bring up a fresh store (let alone the demo with its
published passwords). `create_store(location)` makes an empty one on purpose.

A store is checked (SQLite: quick_check) the first time a process opens it, and again before
every batch of data is written, so a damaged store is refused rather than written to. The
check reads the whole file (≈10 ms for the demo store, ≈1 s at 10^5 issues): the command line,
one process per command, checks at every open; the app, a long-lived process opening the
store many times per page, checks once, and any damage met later still raises StoreDamaged.
"""

from __future__ import annotations

from pathlib import Path

from geo.errors import InputError, msg
from yishi import datasets
from yishi.storage.codec import rows_from_frame
from yishi.storage.protocol import BatchResult, BBox, Row, Store, StoreCheck
from yishi.storage.sqlite import SQLiteStore

__all__ = ["BBox", "BatchResult", "Row", "Store", "StoreCheck", "StoreMissing", "create_store",
           "open_store", "rows_from_frame", "store_location"]

#: The store files this process has checked, by (path, device, inode): a backup moved into
#: place under the same name is a new inode, checked again.
_VERIFIED: set[tuple[str, int, int]] = set()


class StoreMissing(InputError):
    """There is no store at the location given: nothing was created."""


def store_location(location: str | Path | None = None) -> str:
    """`location`, else $YISHI_STORE, else the default file in the working tree."""
    return str(location) if location is not None else str(datasets.default_store_path())


def open_store(location: str | Path | None = None, *, verify: bool = True) -> Store:
    """The existing store at `location` (see `store_location`); StoreMissing if there is none,
    StoreDamaged if it fails the check made the first time this process opens it (`verify`
    False skips it: `geo check` runs the full check itself)."""
    where = store_location(location)
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
    """A new, empty store at `location`; refused if something is there already."""
    path = Path(location)
    if path.exists():
        raise InputError(msg("store_exists", where=str(path)))
    path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteStore(path)
