"""The store: all-or-nothing writes with audit rows, lossless geometry, idempotent imports, undo."""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point, Polygon

from geo.errors import InputError
from geo.schema import get_layer
from yishi.storage import create_store, rows_from_frame


@pytest.fixture
def store(tmp_path):
    with create_store(tmp_path / "s.sqlite") as s:
        yield s


def venues(*rows):
    return gpd.GeoDataFrame(
        [{"venue_id": v, "name": n, "kind": k, "has_sign": True} for v, n, k, _ in rows],
        geometry=[p for *_, p in rows], crs="EPSG:4326")


def write(store, frame, layer="venues", by="tester"):
    return store.write_batch(layer, rows_from_frame(get_layer(layer), frame), by=by, source="t")


def content(store):
    """Every data row of the store, as a comparable value."""
    con = sqlite3.connect(store.path)
    try:
        return {name: con.execute(f'SELECT * FROM "{name}" ORDER BY 1').fetchall()
                for name in ("venues", "issues", "compounds", "communities", "meetings")}
    finally:
        con.close()


def test_geometry_round_trips_losslessly(store):
    p = Point(115.61691423456789, 34.43662812345678)
    poly = Polygon([(115.6, 34.4), (115.61, 34.4), (115.6100000001, 34.41), (115.6, 34.4)])
    write(store, venues(("V1", "亭", "pavilion", p)))
    write(store, gpd.GeoDataFrame([{"compound_id": "C1", "name": "小区"}], geometry=[poly],
                                  crs="EPSG:4326"), layer="compounds")
    assert store.load_layer("venues").geometry.iloc[0].equals_exact(p, 0)
    assert shapely.to_wkb(store.load_layer("compounds").geometry.iloc[0]) == shapely.to_wkb(poly)


def test_importing_the_same_rows_twice_changes_nothing(store):
    frame = venues(("V1", "议事亭", "pavilion", Point(115.6, 34.4)),
                   ("V2", "议事角", "corner", Point(115.61, 34.41)))
    first = write(store, frame)
    before = content(store)
    second = write(store, frame)
    assert (len(first.new), len(second.new), len(second.updated), len(second.unchanged)) == (2, 0, 0, 2)
    assert content(store) == before


def test_update_keeps_fields_the_batch_does_not_carry(store):
    write(store, venues(("V1", "议事亭", "pavilion", Point(115.6, 34.4))))
    partial = gpd.GeoDataFrame([{"venue_id": "V1", "name": "新名字"}], geometry=[Point(115.6, 34.4)],
                               crs="EPSG:4326")
    result = write(store, partial)
    row = store.get_row("venues", "V1")
    assert result.updated == ("V1",)
    assert (row["name"], row["kind"], row["has_sign"]) == ("新名字", "pavilion", 1)


def test_every_write_leaves_an_audit_row_with_who_and_how_many(store):
    write(store, venues(("V1", "亭", "pavilion", Point(115.6, 34.4))), by="王工作人员")
    audit = store.audit_trail()
    assert audit.iloc[0]["who"] == "王工作人员"
    assert audit.iloc[0]["count"] == 1
    assert store.history().iloc[0]["n_new"] == 1


def test_a_refused_row_rolls_back_the_whole_batch(store):
    write(store, venues(("V1", "亭", "pavilion", Point(115.6, 34.4))))
    before, audit_before = content(store), len(store.audit_trail())
    bad = venues(("V2", "角", "corner", Point(115.6, 34.4)), ("V3", "x", "castle", Point(115.6, 34.4)))
    with pytest.raises(InputError, match="V3"):
        write(store, bad)
    assert content(store) == before
    assert len(store.audit_trail()) == audit_before


@pytest.mark.parametrize("lon, lat", [(12868000.0, 4087000.0), (181.0, 34.0), (115.6, 95.0)])
def test_the_database_refuses_coordinates_outside_wgs84(store, lon, lat):
    with pytest.raises(InputError, match="refused"):
        write(store, venues(("V1", "亭", "pavilion", Point(lon, lat))))
    assert store.load_layer("venues").empty


def test_undo_restores_exactly_what_was_there(store):
    write(store, venues(("V1", "亭", "pavilion", Point(115.6, 34.4))))
    before = content(store)
    batch = write(store, venues(("V1", "改名", "room", Point(115.7, 34.5)),
                                ("V2", "新", "corner", Point(115.6, 34.4))))
    assert content(store) != before
    store.undo(batch.batch_id, by="tester")
    assert content(store) == before
    assert store.history().set_index("batch_id").loc[batch.batch_id, "status"] == "undone"


def test_undo_is_refused_when_a_later_batch_changed_the_same_rows(store):
    first = write(store, venues(("V1", "亭", "pavilion", Point(115.6, 34.4))))
    write(store, venues(("V1", "改名", "pavilion", Point(115.6, 34.4))))
    with pytest.raises(InputError, match="later batch"):
        store.undo(first.batch_id, by="tester")


def test_rejected_upload_is_audited_and_writes_no_data(store):
    before = content(store)
    store.record_rejected("venues", by="tester", source="bad.geojson", n_rejected=3,
                          problems=[{"code": "not_json"}])
    assert content(store) == before
    assert store.history().iloc[0]["status"] == "rejected"
    assert store.audit_trail().iloc[0]["action"] == "import_rejected"


def test_private_fields_are_left_out_unless_asked(store):
    issue = gpd.GeoDataFrame([{
        "issue_id": "I1", "title": "停车难", "category": "parking", "focus": "livelihood",
        "stage": "collected", "reported_on": "2022-01-02", "reporter_phone": "19900000001"}],
        geometry=[Point(115.6, 34.4)], crs="EPSG:4326")
    write(store, issue, layer="issues")
    assert "reporter_phone" not in store.load_layer("issues").columns
    assert store.load_layer("issues", include_private=True)["reporter_phone"].iloc[0] == "19900000001"


def test_frames_in_another_crs_are_refused(store):
    frame = venues(("V1", "亭", "pavilion", Point(115.6, 34.4))).to_crs("EPSG:32650")
    with pytest.raises(InputError, match="EPSG:4326"):
        rows_from_frame(get_layer("venues"), frame)
