"""Cached loaders over the services: small hashable keys in, a Snapshot out.

The snapshot is one shared, read-only object per (store location, revision, include_private, day)
held by `st.cache_resource`: `st.cache_data` unpickled a fresh copy of every layer on every run
(83 MB at 10^5 issues), which the run then dropped for Streamlit's garbage collection to find.
Shared means no caller may change it: pandas copies on write (pandas 3), so a filtered or
assigned frame is the caller's own, but assigning a column of `snap.issues` itself, or
`inplace=True` on it, would change every session's view (tests/test_snapshot_cache.py checks
the pages leave it as it was read).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, TypeVar

import streamlit as st

from geo.errors import StoreUnusable
from ui import errors
from yishi import storage
from yishi.services import residents
from yishi.services.snapshot import Places, Snapshot, read_places, take_snapshot
from yishi.storage import Store, Where

T = TypeVar("T")


def open_store(location: str | None = None) -> Store:
    """A fresh connection per use: SQLite connections are not shared across Streamlit threads.

    A store that cannot be opened (damaged) ends the run with its translated notice, also where
    no page runs yet: who is signed in is read from the store before the page starts."""
    try:
        return storage.open_store(location)
    except StoreUnusable as exc:
        errors.report_failure(exc, where="store")
        st.stop()  # raises: the run ends here
        raise


@st.cache_resource(show_spinner=False, max_entries=2)
def _places(location: str, revision: int) -> Places:
    """The places every snapshot of a revision shares: read and joined once, not per snapshot."""
    with storage.open_store(location) as store:
        return read_places(store)


@st.cache_resource(show_spinner=False, max_entries=4)
def _snapshot(location: str, revision: int, include_private: bool, today: date) -> Snapshot:
    """Read once per key and shared by every session (never copied: see the module's note)."""
    with storage.open_store(location) as store:
        return take_snapshot(store, include_private=include_private, places=_places(location, revision))


@st.cache_resource(show_spinner=False, max_entries=16)
def _some_issues(location: str, revision: int, include_private: bool, today: date,
                 field: str, values: tuple[str, ...]) -> Snapshot:
    with storage.open_store(location) as store:
        return take_snapshot(store, include_private=include_private, issues=Where(any_of={field: values}),
                             places=_places(location, revision))


@st.cache_resource(show_spinner=False, max_entries=32)
def _made(key: Hashable, _make: Callable[[], Any]) -> Any:
    return _make()


def once(key: Hashable, make: Callable[[], T]) -> T:
    """`make()` computed once per `key` and shared by every session (so read-only): for what
    a page draws from a snapshot, keyed by what it depends on (`location()`, the revision,
    the filters, the language...)."""
    return _made(key, make)


def state() -> tuple[str, int, date]:
    """(location, revision, today) of the store: the key of anything read from it."""
    where = storage.store_location()
    with open_store(where) as store:
        return where, store.revision, store.today()


@st.cache_resource(show_spinner=False, max_entries=8)
def _layer(location: str, revision: int, name: str) -> Any:
    with storage.open_store(location) as store:
        return store.load_layer(name)


#: The layers a page may read whole: a city has about 800 communities and 50 regions.
SMALL_LAYERS = ("communities", "compounds", "regions")


def small_layer(name: str, key: tuple[str, int, date] | None = None) -> Any:
    """A small layer (SMALL_LAYERS) at the store's revision, shared read-only by every session."""
    if name not in SMALL_LAYERS:
        raise ValueError(f"{name!r} is not a small layer: ask the store for counts or a page of rows")
    location, revision, _ = key or state()
    return _layer(location, revision, name)


@st.cache_resource(show_spinner=False, max_entries=8)
def _about(location: str, revision: int) -> tuple[str | None, str | None]:
    with storage.open_store(location) as store:
        return store.meta("demo"), store.meta("built_from")


def place_name(key: tuple[str, int, date] | None = None) -> str | None:
    """What the platform covers, by name: the region tree's only subdistrict, else its top node
    (a city); None for a store without a tree. `key`: the caller's `state()`, if it has one."""
    regions = small_layer("regions", key)
    subdistricts = regions[regions["level"] == "subdistrict"]
    if len(subdistricts) == 1:
        return str(subdistricts["name"].iloc[0])
    top = regions[regions["parent_id"].isna()]
    return str(top["name"].iloc[0]) if len(top) == 1 else None


def data_note(key: tuple[str, int, date] | None = None) -> str | None:
    """The words key saying the data is illustrative: the embedded demo's, a generated data
    set's (`geo init --data`), or None for a real store."""
    location, revision, _ = key or state()
    demo, built_from = _about(location, revision)
    if demo != "1":
        return None
    return "demo_note" if built_from == "data/" else "generated_note"


#: Above this many issues the store is not read whole into one snapshot: the pages that still
#: do so (`ui.nav.PageSpec.whole_store`) leave the navigation. A 10^5-issue city took 7.1 s and
#: peaked at 1.5 GB; 10^6 would not fit in the server's memory.
SNAPSHOT_MAX_ISSUES = 50_000


@st.cache_resource(show_spinner=False, max_entries=4)
def _issue_count(location: str, revision: int) -> int:
    with storage.open_store(location) as store:
        return int(store.summarise("issues")["n"].sum())


def snapshot_fits() -> bool:
    """Whether the store is small enough for the pages that read it whole (one count per
    revision, shared). Asked before any page runs, as who is signed in is."""
    where = storage.store_location()
    with open_store(where) as store:
        revision = store.revision
    return _issue_count(where, revision) <= SNAPSHOT_MAX_ISSUES


def snapshot(*, include_private: bool = False, issue_ids: tuple[str, ...] | None = None,
             community_id: str | None = None) -> Snapshot:
    """The layers at the store's current revision (re-read only after a write, or on a new day,
    which changes what is overdue). `issue_ids`, or `community_id`: only those issues, or that
    community's, with their meetings, timeline and ratings (the places whole), for a page about
    a few issues whatever the store's size."""
    location = storage.store_location()
    with open_store(location) as store:
        revision, today = store.revision, store.today()
    if issue_ids is not None:
        return _some_issues(location, revision, include_private, today, "issue_id", issue_ids)
    if community_id is not None:
        return _some_issues(location, revision, include_private, today, "community_id", (community_id,))
    snap = _snapshot(location, revision, include_private, today)
    _forget_older(location, include_private, (revision, today))
    return snap


#: The newest (revision, day) read per (location, include_private): an older one is dropped
#: from the cache at once instead of holding its memory until max_entries pushes it out.
_latest: dict[tuple[str, bool], tuple[int, date]] = {}
_latest_lock = threading.Lock()


def _forget_older(location: str, include_private: bool, now: tuple[int, date]) -> None:
    with _latest_lock:
        before = _latest.get((location, include_private))
        if before is not None and before >= now:
            return
        _latest[(location, include_private)] = now
    if before is not None:  # sessions still running on it keep their reference
        _snapshot.clear(location, before[0], include_private, before[1])


@st.cache_resource(show_spinner=False, max_entries=4)
def _triage_issue_ids(location: str, revision: int) -> tuple[str, ...]:
    with storage.open_store(location) as store:
        return residents.triage_issue_ids(store)


def triage_issue_ids() -> tuple[str, ...]:
    """The issues the triage page shows (`residents.triage_issue_ids`), once per revision."""
    location, revision, _ = state()
    return _triage_issue_ids(location, revision)


#: The most issues a picking map draws around a point (a street's worth, not a city's).
NEAR_ISSUES = 2_000


@st.cache_resource(show_spinner=False, max_entries=16)
def _issues_in(location: str, revision: int, box: tuple[float, float, float, float]) -> Any:
    with storage.open_store(location) as store:
        return store.select("issues", Where(bbox=box), fields=("title", "category", "stage", "community_id", "due_on"),
                            limit=NEAR_ISSUES)


def issues_in(box: tuple[float, float, float, float]) -> Any:
    """The issues in `box` (the map's fields only, at most NEAR_ISSUES), once per revision:
    what a picking map shows around its point on a store too big to draw whole."""
    location, revision, _ = state()
    return _issues_in(location, revision, box)
