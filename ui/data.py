"""Cached loaders over the services: small hashable keys in, a Snapshot out (see ARCHITECTURE: st.cache_data)."""

from __future__ import annotations

import streamlit as st

from yishi import storage
from yishi.services.snapshot import Snapshot, take_snapshot
from yishi.storage import Store


def open_store() -> Store:
    """A fresh connection per use: SQLite connections are not shared across Streamlit threads."""
    return storage.open_store()


@st.cache_data(show_spinner=False, max_entries=8)
def _snapshot(location: str, revision: int, include_private: bool) -> Snapshot:
    with storage.open_store(location) as store:
        return take_snapshot(store, include_private=include_private)


def snapshot(*, include_private: bool = False) -> Snapshot:
    """The layers at the store's current revision (re-read only after a write)."""
    location = storage.store_location()
    with storage.open_store(location) as store:
        revision = store.revision
    return _snapshot(location, revision, include_private)
