"""Backends for the storage contract suite: every test there runs once per backend.

A backend here is only what the suite needs to make stores: a fresh location where no
store exists yet, and a way to tell whether something was created there. PostGIS locations
are URLs of fresh databases on the throwaway cluster of the `postgis_server` session fixture
(tests/postgis_server.py), dropped after each test.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pytest

from yishi.storage import Store, create_store, store_exists

BACKENDS = ["sqlite", "postgis"]


class Backend(Protocol):
    """How the suite reaches one kind of store."""

    name: str

    def location(self, tag: str) -> str:
        """A location where no store exists yet (distinct per tag)."""

    def exists(self, location: str) -> bool:
        """Whether anything (a file, a database) exists at `location`."""

    def restore(self, backup: Path) -> str:
        """The location of a store restored from the file `Store.backup` wrote."""


class SQLiteBackend:
    name = "sqlite"

    def __init__(self, folder: Path):
        self.folder = folder

    def location(self, tag: str) -> str:
        return str(self.folder / f"{tag}.sqlite")

    def exists(self, location: str) -> bool:
        return Path(location).exists()

    def restore(self, backup: Path) -> str:
        return str(backup)  # the backup is a store file itself


class PostGISBackend:
    name = "postgis"

    def __init__(self, server):
        self.server = server
        self.made: list[str] = []

    def location(self, tag: str) -> str:
        """A new, empty database (PostGIS installed, no Yishi tables): its URL."""
        url = self.server.new_database(tag)
        self.made.append(url)
        return url

    def exists(self, location: str) -> bool:
        """Whether a Yishi store is in the database (the database itself was made empty)."""
        return store_exists(location)

    def restore(self, backup: Path) -> str:
        """A new database with the pg_dump archive restored into it (pg_restore)."""
        url = self.location("restored")
        done = subprocess.run([str(self.server.bin / "pg_restore"), "--no-owner", "--exit-on-error",
                               "-d", url, str(backup)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return url

    def drop_all(self) -> None:
        for url in self.made:
            self.server.drop_database(url)


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path) -> Iterator[Backend]:
    """The backend under test."""
    if request.param == "sqlite":
        yield SQLiteBackend(tmp_path)
        return
    if request.param == "postgis":
        made = PostGISBackend(request.getfixturevalue("postgis_server"))
        yield made
        made.drop_all()
        return
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
