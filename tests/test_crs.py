"""WGS84 <-> GCJ-02 <-> BD-09: known points, round trips within 1 m, arrays and geometries;
distances in metres on the ellipsoid."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import crs as coords

#: 商丘师范学院 campus pin, from shared/reference/places.csv (GCJ-02 source, WGS84 converted).
NORMAL_UNIVERSITY_GCJ = (115.622370, 34.435220)
NORMAL_UNIVERSITY_WGS = (115.616914, 34.436628)

# A grid over the Shangqiu box, and a few places further away in China.
_LON, _LAT = np.meshgrid(np.linspace(114.8, 116.7, 9), np.linspace(33.7, 34.9, 7))
SHANGQIU_LON, SHANGQIU_LAT = _LON.ravel(), _LAT.ravel()
CHINA_LON = np.array([116.397, 121.4737, 87.6168, 113.2644, 126.535])
CHINA_LAT = np.array([39.909, 31.2304, 43.8256, 23.1291, 45.803])


metres = coords.distance_m


@pytest.mark.parametrize("lon1, lat1, lon2, lat2, expected", [
    (0.0, -0.5, 0.0, 0.5, 110_574),    # one degree of latitude at the equator
    (0.0, 44.5, 0.0, 45.5, 111_132),   # ... at 45 degrees
    (-0.5, 0.0, 0.5, 0.0, 111_320),    # one degree of longitude at the equator
    (115.12, 34.44, 116.12, 34.44, 91_900),  # ... at Shangqiu: a sixth shorter
])
def test_distances_are_geodesic_metres(lon1, lat1, lon2, lat2, expected):
    assert metres(lon1, lat1, lon2, lat2) == pytest.approx(expected, rel=1e-3)


def test_distances_broadcast_over_arrays_and_scalars_stay_scalars():
    out = metres(np.array([115.6, 115.61]), 34.42, 115.6, 34.42)
    assert out.shape == (2,) and out[0] == 0.0 and 900 < out[1] < 930
    assert isinstance(metres(115.6, 34.42, 115.6, 34.43), float)


@pytest.mark.parametrize("lat", [0.0, 34.44, 60.0, -45.0])
def test_degrees_for_never_spans_more_than_the_metres_asked(lat):
    d = coords.degrees_for(20.0, lat)
    north, east = metres(115.0, lat, 115.0, lat + d), metres(115.0, lat, 115.0 + d, lat)
    assert max(north, east) == pytest.approx(20.0, rel=1e-3)
    assert min(north, east) <= 20.0


def test_known_point_gcj_to_wgs_within_one_metre():
    lon, lat = coords.gcj02_to_wgs84(*NORMAL_UNIVERSITY_GCJ)
    assert metres(lon, lat, *NORMAL_UNIVERSITY_WGS) < 1.0


def test_known_point_wgs_to_gcj_within_one_metre():
    lon, lat = coords.wgs84_to_gcj02(*NORMAL_UNIVERSITY_WGS)
    assert metres(lon, lat, *NORMAL_UNIVERSITY_GCJ) < 1.0


def test_scalars_in_scalars_out():
    lon, lat = coords.wgs84_to_gcj02(115.6, 34.4)
    assert isinstance(lon, float) and isinstance(lat, float)


def test_shangqiu_offsets_match_the_reference_readme():
    """GCJ-02 ~ +0.0055 lon, -0.0014 lat (~530 m); BD-09 ~ +0.0119, +0.0048 (~1.2 km)."""
    g_lon, g_lat = coords.wgs84_to_gcj02(SHANGQIU_LON, SHANGQIU_LAT)
    b_lon, b_lat = coords.wgs84_to_bd09(SHANGQIU_LON, SHANGQIU_LAT)
    assert np.all(np.abs(g_lon - SHANGQIU_LON - 0.0055) < 0.0008)
    assert np.all(np.abs(g_lat - SHANGQIU_LAT + 0.0014) < 0.0008)
    gcj_shift = metres(SHANGQIU_LON, SHANGQIU_LAT, g_lon, g_lat)
    bd_shift = metres(SHANGQIU_LON, SHANGQIU_LAT, b_lon, b_lat)
    assert np.all((gcj_shift > 400) & (gcj_shift < 700))
    assert np.all((bd_shift > 1000) & (bd_shift < 1400))


@pytest.mark.parametrize("forward, back", [
    (coords.wgs84_to_gcj02, coords.gcj02_to_wgs84),
    (coords.gcj02_to_bd09, coords.bd09_to_gcj02),
    (coords.wgs84_to_bd09, coords.bd09_to_wgs84),
], ids=["wgs-gcj", "gcj-bd", "wgs-bd"])
@pytest.mark.parametrize("where", ["shangqiu", "china"])
def test_round_trip_within_one_metre(forward, back, where):
    lon, lat = (SHANGQIU_LON, SHANGQIU_LAT) if where == "shangqiu" else (CHINA_LON, CHINA_LAT)
    moved = forward(lon, lat)
    assert np.all(metres(lon, lat, *moved) > 100)  # it really moved
    lon2, lat2 = back(*moved)
    assert np.all(metres(lon, lat, lon2, lat2) < 1.0)
    assert np.all(metres(lon, lat, lon2, lat2) < 0.01)  # the iteration does far better


def test_outside_china_gcj_equals_wgs():
    lon = np.array([2.35, -74.0, 139.76, 151.2])  # Paris, New York, Tokyo, Sydney
    lat = np.array([48.85, 40.7, 35.68, -33.87])
    assert coords.out_of_china(lon, lat).all()
    g_lon, g_lat = coords.wgs84_to_gcj02(lon, lat)
    np.testing.assert_array_equal(g_lon, lon)
    np.testing.assert_array_equal(g_lat, lat)
    w_lon, w_lat = coords.gcj02_to_wgs84(lon, lat)
    np.testing.assert_array_equal(w_lon, lon)
    np.testing.assert_array_equal(w_lat, lat)


def test_nan_passes_through_without_disturbing_the_others():
    lon, lat = coords.gcj02_to_wgs84(np.array([np.nan, NORMAL_UNIVERSITY_GCJ[0]]),
                                     np.array([np.nan, NORMAL_UNIVERSITY_GCJ[1]]))
    assert np.isnan(lon[0]) and np.isnan(lat[0])
    assert metres(lon[1], lat[1], *NORMAL_UNIVERSITY_WGS) < 1.0


@pytest.mark.parametrize("source, forward", [
    ("wgs84", None), ("gcj02", coords.wgs84_to_gcj02), ("bd09", coords.wgs84_to_bd09),
])
def test_to_wgs84_dispatches_on_the_source(source, forward):
    lon, lat = SHANGQIU_LON, SHANGQIU_LAT
    given = (lon, lat) if forward is None else forward(lon, lat)
    back = coords.to_wgs84(*given, source)
    assert np.all(metres(lon, lat, *back) < 1.0)


def test_to_wgs84_names_the_choices_for_an_unknown_source():
    with pytest.raises(ValueError, match="wgs84, gcj02, bd09"):
        coords.to_wgs84(115.6, 34.4, "beijing54")  # type: ignore[arg-type]


def test_geometry_to_gcj02_shifts_every_vertex_and_keeps_index_and_crs():
    square = shapely.box(115.60, 34.40, 115.61, 34.41)
    series = gpd.GeoSeries([shapely.Point(115.6, 34.4), square], index=["a", "b"], crs="EPSG:4326")
    shifted = coords.geometry_to_gcj02(series)
    assert isinstance(shifted, gpd.GeoSeries)
    assert list(shifted.index) == ["a", "b"] and shifted.crs == series.crs
    expected = coords.wgs84_to_gcj02(115.6, 34.4)
    assert shifted["a"].x == pytest.approx(expected[0]) and shifted["a"].y == pytest.approx(expected[1])
    xy = shapely.get_coordinates(shifted["b"])
    ex, ey = coords.wgs84_to_gcj02(*shapely.get_coordinates(square).T)
    np.testing.assert_allclose(xy[:, 0], ex)
    np.testing.assert_allclose(xy[:, 1], ey)


def test_geometry_round_trip_on_an_array():
    geoms = np.array([shapely.Point(115.65, 34.41), shapely.box(115.6, 34.4, 115.7, 34.45), None])
    back = coords.geometry_to_wgs84(coords.geometry_to_gcj02(geoms), "gcj02")
    assert back[2] is None
    a = shapely.get_coordinates(geoms[:2])
    b = shapely.get_coordinates(back[:2])
    assert np.all(metres(a[:, 0], a[:, 1], b[:, 0], b[:, 1]) < 0.01)
