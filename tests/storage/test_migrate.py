"""A store made by the previous schema (3) opens as the current one with every row kept: accounts
gain a display name, the timeline its signer's role and the kind "correction" (a CHECK SQLite
cannot alter: the table is rebuilt)."""

from __future__ import annotations

import shutil
import sqlite3

from geo.schema import EVENT_KINDS, LAYERS
from tests.helpers import USERS
from yishi.services import workflow
from yishi.storage import Where, create_store, open_store
from yishi.storage.protocol import SCHEMA_VERSION
from yishi.storage.query import summary_sql, where_sql
from yishi.storage.sqlite import _DIALECT

#: The timeline table as schema 3 made it.
OLD_EVENTS = """CREATE TABLE "issue_events" (
  "event_id" TEXT PRIMARY KEY NOT NULL, "issue_id" TEXT NOT NULL,
  "at" TEXT NOT NULL CHECK (date("at", '+0 days') IS "at"),
  "from_stage" TEXT CHECK ("from_stage" IN ('collected', 'selected', 'stakeholders', 'meeting', 'consensus',
    'implementing', 'done', 'closed')),
  "to_stage" TEXT NOT NULL CHECK ("to_stage" IN ('collected', 'selected', 'stakeholders', 'meeting', 'consensus',
    'implementing', 'done', 'closed')),
  "by" TEXT, "note" TEXT, "kind" TEXT CHECK ("kind" IN ('stage', 'comment', 'evaluation'))
) STRICT"""


def make_version_3(path) -> int:
    """Turn a copy of the demo store into a schema-3 store; returns its number of timeline rows."""
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("ALTER TABLE users DROP COLUMN display_name")
        con.execute("ALTER TABLE issue_events RENAME TO events_now")
        con.execute(OLD_EVENTS)
        con.execute('INSERT INTO issue_events SELECT event_id, issue_id, at, from_stage, to_stage, "by", note, kind'
                    " FROM events_now")
        con.execute("DROP TABLE events_now")
        con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
        return con.execute("SELECT count(*) FROM issue_events").fetchone()[0]
    finally:
        con.close()


def test_a_version_3_store_is_migrated_keeping_every_row(demo_store_file, tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy(demo_store_file, path)
    n_events = make_version_3(path)
    with sqlite3.connect(path) as con:
        n_users = con.execute("SELECT count(*) FROM users").fetchone()[0]
        assert n_users == 4 and "correction" not in con.execute(
            "SELECT sql FROM sqlite_schema WHERE name = 'issue_events'").fetchone()[0]
    with open_store(path) as store:
        assert store.meta("schema_version") == SCHEMA_VERSION == "8"
        events = store.load_layer("issue_events")
        assert len(events) == n_events and events["by_role"].isna().all()
        assert events["by"].iloc[0] == "社区网格员"
        users = store.load_users()
        assert len(users) == 4 and users["display_name"].isna().all()  # to be named by an admin
        assert "correction" in EVENT_KINDS.codes
        workflow.correct(store, "I0094", "title", "更正后的议题", "迁移后可以更正", user=USERS["staff"])
        last = workflow.timeline(store, "I0094").iloc[-1]
        assert (last["kind"], last["by"], last["by_role"]) == ("correction", "staff", "staff")
        assert store.check().ok


def test_a_version_5_store_gains_the_region_tree_keeping_every_row(demo_store_file, tmp_path):
    path = tmp_path / "v5.sqlite"
    shutil.copy(demo_store_file, path)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("DROP TABLE regions")
        con.execute("DROP INDEX issues_counts")  # schema 7's
        for table in ("subdistrict", "communities", "compounds", "venues", "issues"):
            con.execute(f'ALTER TABLE "{table}" DROP COLUMN subdistrict_id')
        con.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in ("venues", "issues")}
    finally:
        con.close()
    with open_store(path) as store:
        assert store.meta("schema_version") == SCHEMA_VERSION
        assert store.load_layer("regions").empty  # the tree is the office's to fill in
        for table, n in counts.items():
            rows = store.load_layer(table)
            assert len(rows) == n and rows["subdistrict_id"].isna().all()
        assert store.check().ok


def test_a_version_6_store_gains_the_indexes_of_the_maps_box_and_the_pages_counts(demo_store_file, tmp_path):
    """At street zoom the map asks for the issues in a box: with the position index (schema 7)
    SQLite searches that box instead of reading every issue (0.27 s at 10^6 issues, 8 ms after).
    The overview's counts read a covering index instead of the issues' rows."""
    path = tmp_path / "v6.sqlite"
    shutil.copy(demo_store_file, path)
    with sqlite3.connect(path, isolation_level=None) as con:
        for index in ("issues_by_position", "venues_by_position", "issues_counts"):
            con.execute(f'DROP INDEX "{index}"')
        con.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    box = (115.60, 34.40, 115.62, 34.42)
    with open_store(path) as store:
        assert store.meta("schema_version") == SCHEMA_VERSION
        inside = store.select("issues", Where(bbox=box))
        assert len(inside) and inside.geometry.x.between(box[0], box[2]).all()
        sql, params = where_sql(LAYERS["issues"], Where(bbox=box), _DIALECT)
        box_plan = plan(store, f"SELECT * FROM issues{sql}", params)
        count_sql, params, _ = summary_sql(LAYERS["issues"], Where(any_of={"category": ("water",)}), _DIALECT,
                                           by=("community_id", "stage"), sums=("satisfaction",))
        count_plan = plan(store, count_sql, params)
        counted = store.summarise("issues", by=("community_id", "stage"))
    assert "USING INDEX issues_by_position" in box_plan, box_plan
    assert "USING COVERING INDEX issues_counts" in count_plan, count_plan
    assert int(counted["n"].sum()) == 137  # the demo's issues, every one counted once


#: The indexes schema 8 added: the rows of an issue, read by its page.
BY_ISSUE = ("meetings_by_issue", "issue_events_by_issue", "tracking_by_issue", "ratings_by_issue")


def indexes(store, backend: str) -> set[str]:
    sql = ("SELECT name FROM sqlite_schema WHERE type = 'index'" if backend == "sqlite"
           else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
    return {row[0] for row in store._con.execute(sql).fetchall()}


def test_a_version_7_store_gains_the_index_of_an_issues_rows(backend):
    """The issue page of a city store reads one issue's meetings, timeline and ratings: by an
    index on `issue_id`, not by reading every row (0.09 s for a timeline at 10^5 issues, 8 ms)."""
    location = backend.location("v7")
    with create_store(location) as store:
        assert set(BY_ISSUE) <= indexes(store, backend.name)
        store.write_batch("issue_events", [{"event_id": "E1", "issue_id": "I0001", "at": "2022-01-01",
                                            "to_stage": "collected"}], by="t")
        with store._con.transaction() if backend.name == "postgis" else store._con:
            for index in BY_ISSUE:
                store._con.execute(f'DROP INDEX "{index}"')
            store._con.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
        assert not set(BY_ISSUE) & indexes(store, backend.name)
    with open_store(location) as store:
        assert store.meta("schema_version") == SCHEMA_VERSION
        assert set(BY_ISSUE) <= indexes(store, backend.name)
        assert store.select("issue_events", Where(any_of={"issue_id": ("I0001",)}))["event_id"].tolist() == ["E1"]
        if backend.name == "sqlite":
            sql, params = where_sql(LAYERS["issue_events"], Where(any_of={"issue_id": ("I0001",)}), _DIALECT)
            assert "USING INDEX issue_events_by_issue" in plan(store, f"SELECT * FROM issue_events{sql}", params)


def plan(store, sql: str, params: list) -> str:
    return " ".join(row[3] for row in store._con.execute(f"EXPLAIN QUERY PLAN {sql}", params))
