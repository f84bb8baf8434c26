"""Cached loaders over geo: small hashable keys in, a Snapshot out (see ARCHITECTURE: st.cache_data)."""

from __future__ import annotations

import streamlit as st

from geo import datasets
from geo.snapshot import Snapshot, take_snapshot
from geo.store import Store


def store_path() -> str:
    return str(datasets.default_store_path())


def open_store() -> Store:
    """A fresh connection per use: SQLite connections are not shared across Streamlit threads."""
    return Store.open(store_path())


@st.cache_data(show_spinner=False, max_entries=8)
def _snapshot(path: str, revision: int, include_private: bool) -> Snapshot:
    with Store.open(path) as store:
        return take_snapshot(store, include_private=include_private)


def snapshot(*, include_private: bool = False) -> Snapshot:
    """The layers at the store's current revision (re-read only after a write)."""
    path = store_path()
    with Store.open(path) as store:
        revision = store.revision
    return _snapshot(path, revision, include_private)
