"""PostGIS connections: a store opened per use reuses this process's idle connections, safely."""

from __future__ import annotations

import psycopg
import pytest

from geo.errors import InputError, StoreUnusable
from yishi.storage import open_store

pytestmark = pytest.mark.backends("postgis")


def _backends(server, url: str) -> int:
    """How many server processes serve this database for the app (application_name yishi)."""
    with server.admin() as con:
        return con.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                           " AND application_name = 'yishi'", (server.database(url),)).fetchone()[0]


def test_opening_the_store_again_and_again_keeps_one_server_process(demo_store_path, postgis_server):
    for _ in range(20):
        with open_store(demo_store_path) as store:
            assert store.revision > 0
    assert _backends(postgis_server, demo_store_path) == 1
    with open_store(demo_store_path) as a, open_store(demo_store_path) as b:  # at once: one each
        assert a.revision == b.revision
        assert _backends(postgis_server, demo_store_path) == 2


def test_a_closed_store_cannot_be_used_though_its_connection_lives_on(demo_store_path):
    store = open_store(demo_store_path)
    store.close()
    with open_store(demo_store_path) as other:  # has the connection the first one gave back
        with pytest.raises(StoreUnusable):
            store.set_meta("as_of", "2030-01-01", by="test")
        assert other.today().isoformat() != "2030-01-01"
    store.close()  # twice is harmless


def test_a_connection_the_server_dropped_is_replaced_not_used(demo_store_path, postgis_server):
    with open_store(demo_store_path) as store:
        revision = store.revision
    with postgis_server.admin() as con:  # a server restart or an administrator does this
        con.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s"
                    " AND application_name = 'yishi'", (postgis_server.database(demo_store_path),))
    with open_store(demo_store_path) as store:
        assert store.revision == revision


def test_a_refused_write_leaves_no_transaction_for_the_next_store(demo_store_path):
    with open_store(demo_store_path) as store:
        before = store.revision
        with pytest.raises(InputError):
            store.write_batch("issues", [{"issue_id": "I0001"}, {"issue_id": "I0001"}], by="test")
    with open_store(demo_store_path) as store:
        assert store.revision == before
        store.set_meta("note", "written", by="test")
    with psycopg.connect(demo_store_path) as con:  # seen from outside: committed
        assert con.execute("SELECT value FROM meta WHERE key = 'note'").fetchone()[0] == "written"
