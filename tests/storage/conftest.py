"""Backends for the storage contract suite: every test there runs once per backend.

A backend here is only what the suite needs to make stores: a fresh location where no
store exists yet, and a way to tell whether something was created there. To add one
(PostGIS), append its name to BACKENDS and give it a class below whose locations are
database URLs on a server started by a session fixture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pytest

from yishi.storage import Store, create_store

BACKENDS = ["sqlite"]


class Backend(Protocol):
    """How the suite reaches one kind of store."""

    name: str

    def location(self, tag: str) -> str:
        """A location where no store exists yet (distinct per tag)."""

    def exists(self, location: str) -> bool:
        """Whether anything (a file, a database) exists at `location`."""


class SQLiteBackend:
    name = "sqlite"

    def __init__(self, folder: Path):
        self.folder = folder

    def location(self, tag: str) -> str:
        return str(self.folder / f"{tag}.sqlite")

    def exists(self, location: str) -> bool:
        return Path(location).exists()


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path) -> Backend:
    """The backend under test."""
    if request.param == "sqlite":
        return SQLiteBackend(tmp_path)
    raise AssertionError(f"no fixture for backend {request.param!r}")


@pytest.fixture
def new_store(backend) -> Iterator[Callable[[], Store]]:
    """Makes fresh, empty stores of the backend under test; all closed at the end."""
    made: list[Store] = []

    def make() -> Store:
        store = create_store(backend.location(f"store{len(made)}"))
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


@pytest.fixture
def store(new_store) -> Store:
    """One fresh, empty store."""
    return new_store()
