"""Cached loaders over the services: small hashable keys in, a Snapshot out (see ARCHITECTURE: st.cache_data)."""

from __future__ import annotations

import streamlit as st

from geo.errors import StoreUnusable
from ui import errors
from yishi import storage
from yishi.services.snapshot import Snapshot, take_snapshot
from yishi.storage import Store


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


@st.cache_data(show_spinner=False, max_entries=8)
def _snapshot(location: str, revision: int, include_private: bool) -> Snapshot:
    with storage.open_store(location) as store:
        return take_snapshot(store, include_private=include_private)


def snapshot(*, include_private: bool = False) -> Snapshot:
    """The layers at the store's current revision (re-read only after a write)."""
    location = storage.store_location()
    with open_store(location) as store:
        revision = store.revision
    return _snapshot(location, revision, include_private)
