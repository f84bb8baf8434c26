"""Every row with a place carries its subdistrict's code, however it arrived."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from tests.helpers import USERS
from yishi.services import regions, uploads, workflow


def test_the_demo_places_every_row_in_its_one_subdistrict(demo_store):
    tree = demo_store.load_layer("regions")
    assert set(tree["region_id"]) == {"4114", "411402", "411402001"}
    for name in ("subdistrict", "communities", "compounds", "venues", "issues"):
        codes = demo_store.load_layer(name)["subdistrict_id"]
        assert codes.notna().all() and set(codes) == {"411402001"}, name


def test_a_new_issue_carries_the_code_of_the_subdistrict_it_is_in(demo_store):
    issue_id = workflow.create_issue(demo_store, lon=115.62, lat=34.44, title="路灯不亮", category="parking",
                                     by="staff", user=USERS["staff"])
    assert demo_store.get_row("issues", issue_id)["subdistrict_id"] == "411402001"


def test_an_uploaded_point_outside_every_subdistrict_carries_no_code(demo_store):
    frame = gpd.GeoDataFrame({"venue_id": ["V9001", "V9002"], "name": ["议事亭", "远处议事亭"], "kind": ["pavilion"] * 2},
                             geometry=[Point(115.62, 34.44), Point(115.70, 34.60)], crs="EPSG:4326")
    filled = regions.with_subdistricts(demo_store, "venues", frame)
    assert filled["subdistrict_id"].tolist() == ["411402001", None]
    assert "subdistrict_id" not in frame  # the caller's frame is left as it was


def test_a_code_given_in_the_row_is_kept(demo_store):
    frame = gpd.GeoDataFrame({"subdistrict_id": ["411402002"]}, geometry=[Point(115.62, 34.44)], crs="EPSG:4326")
    assert regions.with_subdistricts(demo_store, "venues", frame)["subdistrict_id"].tolist() == ["411402002"]


@pytest.mark.parametrize("fmt", ["geojson"])
def test_an_upload_stores_the_code_of_each_row(demo_store, fmt):
    data = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
            '{"venue_id":"V9001","name":"新议事亭","kind":"pavilion"},'
            '"geometry":{"type":"Point","coordinates":[115.62,34.44]}}]}').encode()
    upload = uploads.read(data, filename="v.geojson", layer="venues")
    checked = uploads.check(demo_store, upload, source="v.geojson", user=USERS["staff"])
    assert checked.preview.new == ("V9001",)
    uploads.commit(demo_store, upload, source="v.geojson", user=USERS["staff"])
    assert demo_store.get_row("venues", "V9001")["subdistrict_id"] == "411402001"
    again = uploads.check(demo_store, upload, source="v.geojson", user=USERS["staff"])
    assert again.preview.unchanged == ("V9001",)  # the same file twice changes nothing
