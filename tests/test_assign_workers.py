"""Batch assignment at city scale: the grid's shortcuts and the worker processes give the
same answers as testing every point against every polygon in one process."""

from __future__ import annotations

import io
import json
import threading

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, box

from geo.export import to_geojson_text
from geo.joins import _build_grid, _locate, _polygon_index, assign
from yishi.cli import _write_features

WGS84 = "EPSG:4326"


def _hard_polygons() -> gpd.GeoDataFrame:
    """Shared edges and vertices, a hole with an island, slanted edges, a multipolygon,
    overlaps, a many-vertex circle, and a null and an empty polygon."""
    rows = [(f"sq{i}{j}", box(i, j, i + 1, j + 1)) for i in range(4) for j in range(3)]
    rows += [
        ("ring", shapely.Polygon([(5, 0), (9, 0), (9, 4), (5, 4)], [[(6, 1), (8, 1), (8, 3), (6, 3)]])),
        ("island", box(6.5, 1.5, 7.5, 2.5)),
        ("tri", shapely.Polygon([(0, 3), (4, 7), (0, 7)])),
        ("multi", shapely.MultiPolygon([box(10, 0, 11, 1), box(12, 2, 13, 3)])),
        ("over", box(1.5, 0.5, 2.5, 1.5)),  # overlaps four squares; sorts after them
        ("a-over", box(3.5, 2.5, 4.5, 3.5)),  # overlaps, sorts first
        ("circle", Point(11, 6).buffer(1.5, quad_segs=64)),
        ("null", None),
        ("empty", shapely.Polygon()),
    ]
    return gpd.GeoDataFrame({"community_id": [r[0] for r in rows]},
                            geometry=[r[1] for r in rows], crs=WGS84)


def _hard_points() -> np.ndarray:
    """Every grid vertex and half step (on edges and corners), points on the slanted edge,
    random points around it all, the extent's corners, points far outside, null and empty."""
    half = np.arange(-1, 15, 0.5)
    xs, ys = np.meshgrid(half, np.arange(-1, 9, 0.5))
    rng = np.random.default_rng(7)
    on_slant = np.linspace(0, 4, 9)
    x = np.concatenate([xs.ravel(), on_slant, rng.uniform(-1, 14, 3000), [0, 13, 0, 13, 1e6]])
    y = np.concatenate([ys.ravel(), on_slant + 3, rng.uniform(-1, 8, 3000), [0, 0, 7, 7, -1e6]])
    return np.concatenate([shapely.points(x, y), [None, shapely.Point()]])


def _every_polygon(geoms: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """The plain answer: each point against each polygon, smallest rank that covers it."""
    rank = np.full(len(geoms), len(polygons))
    for k in range(len(polygons) - 1, -1, -1):
        if polygons[k] is not None and not shapely.is_empty(polygons[k]):
            rank[shapely.intersects(polygons[k], geoms)] = k
    return rank


@pytest.mark.parametrize("classify", [True, False])
@pytest.mark.parametrize("cells_per_polygon", [1, 4, 16, 64, 256])
def test_the_grid_answers_as_testing_every_polygon(cells_per_polygon, classify):
    index = _polygon_index(_hard_polygons(), "community_id")
    geoms = _hard_points()
    grid = _build_grid(index.polygons, cells_per_polygon, classify)
    expected = _every_polygon(geoms, index.polygons)
    got = _locate(geoms, index, grid)
    assert (got == expected).all(), np.flatnonzero(got != expected)[:10]
    if classify and cells_per_polygon >= 64:  # the point of the grid: most cells need no test
        assert (grid.answer >= 0).mean() > 0.5


def _layers(n_points: int, n_venues: int):
    communities = _hard_polygons()
    compounds = gpd.GeoDataFrame({"compound_id": ["k2", "k1"]},
                                 geometry=[box(0, 0, 2, 2), box(1, 1, 3, 3)], crs=WGS84)
    rng = np.random.default_rng(3)
    venues = gpd.GeoDataFrame({"venue_id": [f"V{k:03d}" for k in range(n_venues)]},
                              geometry=shapely.points(rng.uniform(0, 13, n_venues),
                                                      rng.uniform(0, 7, n_venues)), crs=WGS84)
    members = pd.DataFrame({"member_id": ["M2", "M1", "M3"],
                            "linked_community_id": ["sq00", "sq00", "ring"]})
    geoms = _hard_points()[:n_points]
    points = gpd.GeoDataFrame({"name": [f"p{k}" for k in range(len(geoms))]},
                              geometry=geoms, crs=WGS84, index=np.arange(len(geoms))[::-1] * 3)
    return points, {"communities": communities, "compounds": compounds, "venues": venues,
                    "members": members}


@pytest.mark.parametrize("n_venues", [40, 300])  # all-pairs distances, and the tree
def test_two_workers_give_what_one_process_gives_in_the_same_order(n_venues):
    points, layers = _layers(4000, n_venues)
    one = assign(points, **layers)
    two = assign(points, **layers, workers=2, chunk_size=700)  # six chunks
    assert_geodataframe_equal(one, two)
    assert two.index.tolist() == points.index.tolist()
    assert not one["unassigned"].all() and one["unassigned"].any()


def test_workers_started_beside_threads_give_the_same_answers():
    """A server runs threads: workers then come from a forkserver, not a fork."""
    points, layers = _layers(1500, 40)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        two = assign(points, **layers, workers=2, chunk_size=500)
    finally:
        stop.set()
        thread.join()
    assert_geodataframe_equal(assign(points, **layers), two)


def test_workers_must_be_at_least_one():
    points, layers = _layers(10, 4)
    with pytest.raises(ValueError, match="at least 1"):
        assign(points, **layers, workers=0)


def test_features_written_in_chunks_are_the_writers_text():
    points, layers = _layers(230, 10)
    frame = assign(points, **layers)
    frame["member_ids"] = frame["member_ids"].astype(object)
    whole = to_geojson_text(frame) + "\n"
    for chunk in (1, 7, 100, 230, 1000):
        sink = io.StringIO()
        _write_features(frame, sink, chunk=chunk)
        assert sink.getvalue() == whole
    sink = io.StringIO()
    _write_features(frame.iloc[:0], sink)
    assert json.loads(sink.getvalue()) == {"type": "FeatureCollection", "features": []}


# --- the command line ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("YISHI_LANG", "en")


def test_cli_workers_2_prints_what_one_process_prints(cli, tmp_path):
    rng = np.random.default_rng(5)  # around the demo's communities, some outside them
    x, y = rng.uniform(115.58, 115.66, 3000), rng.uniform(34.40, 34.47, 3000)
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"n": k, "note": "点" if k % 2 else None},
         "geometry": {"type": "Point", "coordinates": [x[k], y[k]]}} for k in range(3000)]},
        ensure_ascii=False), encoding="utf-8")
    code, one, _ = cli("assign", str(path))
    assert code == 0
    code, two, err = cli("assign", str(path), "--workers", "2")
    assert (code, err) == (0, "")
    assert two == one
    features = json.loads(two)["features"]
    assert [f["properties"]["n"] for f in features] == list(range(3000))
    assert {f["properties"]["community_id"] is None for f in features} == {True, False}


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_cli_refuses_a_bad_worker_count(cli, tmp_path, value):
    path = tmp_path / "points.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        cli("assign", str(path), "--workers", value)
    assert stop.value.code == 2


def test_a_file_over_the_upload_cap_is_read_from_disk_with_the_same_answers_and_checks(cli, tmp_path, monkeypatch):
    rng = np.random.default_rng(7)
    x, y = rng.uniform(115.58, 115.66, 500), rng.uniform(34.40, 34.47, 500)
    features = [{"type": "Feature", "properties": {"n": k, "名称": "点"},
                 "geometry": {"type": "Point", "coordinates": [x[k], y[k]]}} for k in range(500)]
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    code, small, _ = cli("assign", str(path))
    monkeypatch.setattr("yishi.cli.DEFAULT_MAX_BYTES", 1000)  # the same file is now "big"
    code_big, big, err = cli("assign", str(path), "--workers", "2")
    assert (code, code_big, err) == (0, 0, "")
    assert [f["properties"] for f in json.loads(big)["features"]] == \
           [f["properties"] for f in json.loads(small)["features"]]
    features[3]["geometry"]["coordinates"] = [215.6, 34.4]  # not a longitude
    features[9]["geometry"] = None
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    code, out, err = cli("assign", str(path))
    assert code == 1 and out == ""
    assert "feature 4" in err.lower() and "feature 10" in err.lower()
