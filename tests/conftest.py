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


# -- backends -------------------------------------------------------------------------
# A module whose tests write through services, the CLI or pages runs them on every backend:
#     pytestmark = pytest.mark.backends("sqlite", "postgis")
# Its tests that take `demo_store_path`, `demo_store`, `cli` or `empty_store_location` (where a
# test builds its own store) then run once per backend (ids [sqlite] and [postgis]); every
# other module keeps SQLite alone, so the suite is not doubled.
# A test that is SQLite's by nature (it opens the file, checks WAL, file modes) says why:
#     @pytest.mark.sqlite_only("reads the file's journal mode")

BACKENDS = ("sqlite", "postgis")
_DEMO_FIXTURES = {"demo_store_path", "demo_store", "cli", "empty_store_location", "store_backend"}


def pytest_configure(config):
    config.addinivalue_line("markers", "backends(*names): run the module's demo-store tests once per "
                            "storage backend (sqlite, postgis)")
    config.addinivalue_line("markers", "sqlite_only(reason): a test about the SQLite file itself; "
                            "runs on SQLite alone even in a module marked backends")


def pytest_generate_tests(metafunc):
    marker = metafunc.definition.get_closest_marker("backends")
    if marker is None or not _DEMO_FIXTURES & set(metafunc.fixturenames):
        return
    names = tuple(marker.args) or BACKENDS
    unknown = set(names) - set(BACKENDS)
    assert not unknown, f"unknown backends {sorted(unknown)}: choose from {BACKENDS}"
    only = metafunc.definition.get_closest_marker("sqlite_only")
    if only is not None:
        assert only.args and str(only.args[0]).strip(), "sqlite_only needs a one-line reason"
        names = ("sqlite",)
    metafunc.parametrize("store_backend", names, indirect=True)


@pytest.fixture
def store_backend(request) -> str:
    """The backend of this test's demo store: "sqlite" unless its module is marked `backends`."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def demo_database(postgis_server, cheap_password_hashes) -> str:
    """The demo built once per run in a PostGIS database (`fill_demo`, as `init --demo`
    fills a database), then made a template: each test's copy is one CREATE DATABASE."""
    url = postgis_server.new_database("demo")
    build_demo_store(url)
    return postgis_server.make_template(url)


@pytest.fixture
def demo_store_path(store_backend, request, tmp_path, monkeypatch) -> Path | str:
    """A private copy of the demo store, also set as $YISHI_STORE for the app and the CLI:
    a file copy (SQLite; a Path) or a database made from the demo template (PostGIS; its URL,
    dropped after the test)."""
    if store_backend == "postgis":
        server = request.getfixturevalue("postgis_server")
        url = server.new_database("demo_copy", template=request.getfixturevalue("demo_database"))
        monkeypatch.setenv("YISHI_STORE", url)
        yield url
        server.drop_database(url)
        return
    path = tmp_path / "store.sqlite"
    shutil.copy(request.getfixturevalue("demo_store_file"), path)
    monkeypatch.setenv("YISHI_STORE", str(path))
    yield path


@pytest.fixture
def empty_store_location(store_backend, request, tmp_path) -> Path | str:
    """Where a test builds its own store (`create_store`): a file path not yet made (SQLite)
    or the URL of a new, empty PostGIS database (dropped after the test)."""
    if store_backend == "postgis":
        server = request.getfixturevalue("postgis_server")
        url = server.new_database("empty")
        yield url
        server.drop_database(url)
        return
    yield tmp_path / "s.sqlite"


@pytest.fixture(params=["small", "too big to read whole"])
def store_size(request, monkeypatch) -> str:
    """A page at both sizes: the demo as it is, and standing for a city too big to read whole
    (`tests.helpers.too_big_to_read_whole`)."""
    if request.param != "small":
        from tests.helpers import too_big_to_read_whole

        too_big_to_read_whole(monkeypatch)
    return request.param


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


@pytest.fixture(scope="session")
def postgis_server():
    """A throwaway PostgreSQL + PostGIS cluster for the whole run (tests/postgis_server.py),
    started the first time a test asks for it; stopped and removed at the end. Never skips:
    without PostgreSQL/PostGIS it fails saying that `make test` installs them."""
    from tests.postgis_server import PostgresServer

    with PostgresServer() as server:
        yield server
