"""Exports: GeoJSON, CSV and a GeoPackage that GDAL (as QGIS would) reads back."""

from __future__ import annotations

import json

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point

from geo.errors import InputError
from geo.export import export, neutralise_formula, to_csv_text

FRAME = gpd.GeoDataFrame(
    {"issue_id": ["I1", "I2"], "title": ["=HYPERLINK(\"http://x\")", "福荣街停车"],
     "member_ids": [["M001", "M002"], None]},
    geometry=[Point(115.61, 34.43), Point(115.62, 34.44)], crs="EPSG:4326")


@pytest.mark.parametrize("value, expected", [("=1+1", "'=1+1"), ("+86", "'+86"), ("-3", "'-3"),
                                             ("@SUM(A1)", "'@SUM(A1)"), ("平原", "平原"), (5, 5)])
def test_formula_cells_are_neutralised(value, expected):
    assert neutralise_formula(value) == expected


def test_csv_has_lon_lat_and_no_live_formula():
    text = to_csv_text(FRAME)
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text
    assert "lon,lat" in text.splitlines()[0] and "115.61" in text
    assert "M001,M002" in text


def test_geojson_export_keeps_chinese_and_lists(tmp_path):
    path = export(FRAME, fmt="geojson", path=tmp_path / "i.geojson")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["features"][1]["properties"]["title"] == "福荣街停车"
    assert doc["features"][0]["properties"]["member_ids"] == ["M001", "M002"]
    assert doc["features"][0]["geometry"] == {"type": "Point", "coordinates": [115.61, 34.43]}


def test_geopackage_reads_back_with_gdal(tmp_path):
    path = export(FRAME, fmt="gpkg", path=tmp_path / "i.gpkg", layer_name="issues")
    assert pyogrio.list_layers(path)[0][0] == "issues"
    back = pyogrio.read_dataframe(path)
    assert back["title"].tolist() == FRAME["title"].tolist()
    assert back.crs.to_epsg() == 4326
    assert back.geometry.iloc[0].equals(FRAME.geometry.iloc[0])


def test_unknown_format_writes_nothing(tmp_path):
    with pytest.raises(InputError, match="unknown format"):
        export(FRAME, fmt="xlsx", path=tmp_path / "x.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_one_geojson_writer_for_layers_tables_and_other_crs():
    from geo.export import to_geojson_text

    projected = json.loads(to_geojson_text(FRAME.to_crs(32650)))
    lon, lat = projected["features"][0]["geometry"]["coordinates"]
    assert (lon, lat) == pytest.approx((115.61, 34.43)) and "crs" not in projected
    table = json.loads(to_geojson_text(FRAME.drop(columns="geometry").assign(n=[1, None])))
    assert [f["geometry"] for f in table["features"]] == [None, None]
    assert table["features"][1]["properties"] == {"issue_id": "I2", "title": "福荣街停车",
                                                  "member_ids": None, "n": None}
