"""Where issues fall, stored (`yishi.services.assignment`): every way issues or polygons are
written keeps each issue's community_id and compound_id equal to `geo.joins.place`'s answer,
in the same batch as the write, so undo restores both."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
import shapely
from shapely.geometry import mapping

from geo.ingest import read_upload
from geo.joins import place
from yishi.accounts import User
from yishi.services import assignment, uploads, workflow
from yishi.storage import open_store
from tests.helpers import add_accounts, dump

pytestmark = pytest.mark.backends("sqlite", "postgis")

STAFF = User("wang", "staff")


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("YISHI_LANG", "en")


@pytest.fixture
def demo_store(demo_store):
    add_accounts(demo_store, STAFF)
    return demo_store


def stored_places(store) -> dict[str, tuple]:
    issues = store.load_layer("issues")
    return {i: (c, k) for i, c, k in zip(issues["issue_id"], issues["community_id"], issues["compound_id"])}


def joined_places(store) -> dict[str, tuple]:
    """Each issue's place as `geo.joins.place` answers it from the stored polygons."""
    issues = store.load_layer("issues")
    hit = place(issues.geometry, communities=store.load_layer("communities"),
                compounds=store.load_layer("compounds"))
    return {i: (c, k) for i, c, k in zip(issues["issue_id"], hit["community_id"], hit["compound_id"])}


def upload(layer: str, *features: dict):
    data = json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False)
    return read_upload(data.encode(), filename=f"{layer}.geojson", layer=layer)


def feature(geom, **props) -> dict:
    return {"type": "Feature", "geometry": mapping(geom), "properties": props}


def test_the_demo_store_holds_the_joins_answer_for_every_issue(demo_store):
    stored = stored_places(demo_store)
    assert stored == joined_places(demo_store)
    assert sum(c is not None for c, _ in stored.values()) > 0.9 * len(stored)
    assert any(k is not None for _, k in stored.values())


def test_a_new_issue_stores_where_it_falls(demo_store):
    community = demo_store.load_layer("communities").iloc[0]
    point = community.geometry.representative_point()
    issue_id = workflow.create_issue(demo_store, lon=point.x, lat=point.y, title="路灯不亮",
                                     category="other", by="wang", user=STAFF)
    row = demo_store.get_row("issues", issue_id)
    assert row["community_id"] == community["community_id"]
    assert stored_places(demo_store)[issue_id] == joined_places(demo_store)[issue_id]


def test_an_uploaded_issue_ignores_and_reports_its_own_community_column(demo_store):
    community = demo_store.load_layer("communities").iloc[1]
    point = community.geometry.representative_point()
    file = upload("issues", feature(point, issue_id="I9001", title="井盖缺失", category="other",
                                    focus="livelihood", stage="collected", reported_on="2022-05-01",
                                    community_id="NOT-A-COMMUNITY", 所在小区="C-NONE"))
    assert file.ok, file.problems
    notes = [n for n in file.notes if n.code == "derived_field"]
    assert sorted(n.field for n in notes) == ["community_id", "所在小区"]
    assert all("ignored" in n.message and "忽略" in n.message_zh for n in notes)
    assert file.frame["community_id"].isna().all() and file.frame["compound_id"].isna().all()
    uploads.commit(demo_store, file, source="issues.geojson", user=STAFF)
    row = demo_store.get_row("issues", "I9001")
    assert row["community_id"] == community["community_id"]
    assert stored_places(demo_store)["I9001"] == joined_places(demo_store)["I9001"]


@pytest.mark.parametrize("layer, field", [("communities", "community_id"), ("compounds", "compound_id")])
def test_a_polygon_upload_moves_its_issues_in_the_same_batch_and_undo_restores_them(
        demo_store, demo_store_path, layer, field):
    before = dump(demo_store_path, data_only=True)
    places_before = stored_places(demo_store)
    counts = {}
    for value in (v for v, _ in places_before.values()) if field == "community_id" else \
            (k for _, k in places_before.values()):
        counts[value] = counts.get(value, 0) + 1
    shrunk_id = max((v for v in counts if v is not None), key=counts.get)  # the busiest polygon
    shrunk = demo_store.get_row(layer, shrunk_id)
    # the polygon shrinks to a sliver in a corner of its box: its issues fall outside it now
    minx, miny, *_ = shrunk["geom"].bounds
    props = {k: v for k, v in shrunk.items() if k not in ("geom", "subdistrict_id") and v is not None}
    file = upload(layer, feature(shapely.box(minx, miny, minx + 1e-5, miny + 1e-5), **props))
    assert file.ok, file.problems

    checked = uploads.check(demo_store, file, source=f"{layer}.geojson", user=STAFF)
    assert checked.preview.updated == (shrunk_id,)
    assert checked.moved == counts[shrunk_id] > 0
    result = uploads.commit(demo_store, file, source=f"{layer}.geojson", user=STAFF)

    after = stored_places(demo_store)
    assert after == joined_places(demo_store)
    position = 0 if field == "community_id" else 1
    moved = [i for i in after if after[i] != places_before[i]]
    assert len(moved) == counts[shrunk_id]
    assert all(places_before[i][position] == shrunk_id and after[i][position] != shrunk_id for i in moved)
    assert demo_store.history().iloc[0]["batch_id"] == result.batch_id  # one batch for both

    undone = uploads.undo(demo_store, result.batch_id, user=STAFF)
    assert len(undone.updated) == 1 + len(moved)
    assert stored_places(demo_store) == places_before
    assert dump(demo_store_path, data_only=True) == before


def test_reassign_fills_issues_written_around_the_services(demo_store, cli):
    wrong = [{"issue_id": i, "community_id": None, "compound_id": None}
             for i, (c, _) in list(stored_places(demo_store).items())[:7] if c is not None]
    demo_store.write_batch("issues", wrong, by="test", action="import")
    code, out, _ = cli("check")
    assert code == 0 and f"{len(wrong)} issue(s) have a stored community" in out
    code, out, _ = cli("reassign")
    assert code == 0 and f"{len(wrong)} issue(s) got their community" in out
    assert stored_places(demo_store) == joined_places(demo_store)
    code, out, _ = cli("reassign")
    assert code == 0 and "match its location" in out
    # one audited batch: undo puts the wrong values back
    batch = int(demo_store.history().iloc[0]["batch_id"])
    cli("undo", str(batch))
    assert sum(c is None for c, _ in stored_places(demo_store).values()) >= len(wrong)


@pytest.mark.sqlite_only("makes a schema 5 file by altering its tables")
def test_a_schema_5_store_gets_its_places_stored_by_init(demo_store_file, tmp_path, capsys):
    from geo.__main__ import main

    path = tmp_path / "v5.sqlite"
    shutil.copy(demo_store_file, path)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("DROP INDEX issues_counts")  # schema 7's
        for column in ("community_id", "compound_id"):
            con.execute(f'ALTER TABLE issues DROP COLUMN "{column}"')
        con.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
        con.execute("DELETE FROM meta WHERE key = ?", (assignment.META_KEY,))
    finally:
        con.close()
    with open_store(path) as store:
        assert all(c is None for c, _ in stored_places(store).values())
        expected = joined_places(store)
    assert main(["--store", str(path), "check"]) == 0
    assert f"{sum(c is not None or k is not None for c, k in expected.values())} issue(s)" \
        in capsys.readouterr().out
    assert main(["--store", str(path), "init", "--demo"]) == 0
    assert "got their community" in capsys.readouterr().out
    with open_store(path) as store:
        assert stored_places(store) == expected
    assert main(["--store", str(path), "init", "--demo"]) == 0  # once: nothing more to do
    assert "got their community" not in capsys.readouterr().out
