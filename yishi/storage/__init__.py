"""Storage: one protocol (`Store`), backends behind it, and the one way to open a store.

`open_store(location)` opens an existing store and never creates one: a typo in
$YISHI_STORE or --store must not bring up a fresh store (let alone the demo with its
published passwords). `create_store(location)` makes an empty one on purpose.
"""

from __future__ import annotations

from pathlib import Path

from geo.errors import InputError, msg
from yishi import datasets
from yishi.storage.codec import rows_from_frame
from yishi.storage.protocol import BatchResult, BBox, Row, Store
from yishi.storage.sqlite import SQLiteStore

__all__ = ["BBox", "BatchResult", "Row", "Store", "StoreMissing", "create_store", "open_store",
           "rows_from_frame", "store_location"]


class StoreMissing(InputError):
    """There is no store at the location given: nothing was created."""


def store_location(location: str | Path | None = None) -> str:
    """`location`, else $YISHI_STORE, else the default file in the working tree."""
    return str(location) if location is not None else str(datasets.default_store_path())


def open_store(location: str | Path | None = None) -> Store:
    """The existing store at `location` (see `store_location`); StoreMissing if there is none."""
    where = store_location(location)
    if not Path(where).is_file():
        raise StoreMissing(msg("store_missing", where=where))
    return SQLiteStore(where)


def create_store(location: str | Path) -> Store:
    """A new, empty store at `location`; refused if something is there already."""
    path = Path(location)
    if path.exists():
        raise InputError(msg("store_exists", where=str(path)))
    path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteStore(path)
