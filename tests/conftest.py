"""Shared fixtures: a demo store built once per run, copied for tests that write."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from geo.__main__ import main
from yishi import accounts
from yishi.demo import build_demo_store
from yishi.storage import open_store

ROOT = Path(__file__).resolve().parent.parent


#: Argon2id at the lowest cost: tests check what hashing does, not how slow it is.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes():
    """Hash passwords cheaply in tests (production keeps its cost; a hash carries its own
    parameters, so it verifies under either hasher)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "hasher", CHEAP_HASHER)
        yield


@pytest.fixture(scope="session", autouse=True)
def signing_key(tmp_path_factory):
    """A key for cookies and form tokens that is the tests' own (servers they start inherit it),
    so no test writes the working tree's var/secret.key."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("YISHI_SECRET_KEY", "tests-only-signing-key")
        yield


@pytest.fixture(scope="session", autouse=True)
def navigation_only():
    """Every AppTest run goes through app.py's navigation, as the server makes it (server.py).

    AppTest forgets before each run that app.py uses st.navigation, so a pages/ folder beside
    it makes a run that asks for /issue execute pages/issue.py directly: no navigation, no
    `ui.auth.resolve`, the user of the previous run. The server says so from the start; AppTest
    resets the flag, so its pages manager says it again at every run."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    class NavigationOnly(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app_test, "PagesManager", NavigationOnly)
        yield


@pytest.fixture(scope="session")
def demo_store_file(tmp_path_factory, cheap_password_hashes) -> Path:
    """The demo store, built from data/ once per test run (never the developer's own store)."""
    return build_demo_store(tmp_path_factory.mktemp("demo") / "demo.sqlite")


@pytest.fixture
def demo_store_path(demo_store_file, tmp_path, monkeypatch) -> Path:
    """A private copy of the demo store, also set as $YISHI_STORE for the app and the CLI."""
    path = tmp_path / "store.sqlite"
    shutil.copy(demo_store_file, path)
    monkeypatch.setenv("YISHI_STORE", str(path))
    return path


@pytest.fixture
def demo_store(demo_store_path):
    with open_store(demo_store_path) as store:
        yield store


@pytest.fixture
def cli(demo_store_path, capsys):
    """Run `python -m geo --store COPY ...` in-process: (exit code, stdout, stderr)."""
    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--store", str(demo_store_path), *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


@pytest.fixture(autouse=True)
def fresh_public_limits():
    """The residents' rate limits live in the process (as in the server): every test starts
    with none used, whatever ran before it."""
    from yishi.services import limits

    for limit in limits.PUBLIC:
        limit.clear()
    yield
    for limit in limits.PUBLIC:
        limit.clear()
