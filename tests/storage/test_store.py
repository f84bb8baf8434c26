"""What only the SQLite backend and the row codec promise (the rest: test_contract.py).

The CHECK constraints live in the file itself, so a tool that writes the file around the
store (GDAL, the sqlite3 shell) cannot put what validation would refuse there either.
"""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point

from geo.errors import InputError
from geo.schema import get_layer
from yishi.storage import create_store, rows_from_frame


@pytest.fixture
def path(tmp_path):
    """A new, empty SQLite store file (closed again)."""
    create_store(tmp_path / "s.sqlite").close()
    return tmp_path / "s.sqlite"


def venues(**fields) -> gpd.GeoDataFrame:
    row = {"venue_id": "V1", "name": "亭", "kind": "pavilion", **fields}
    return gpd.GeoDataFrame([row], geometry=[Point(115.6, 34.4)], crs="EPSG:4326")


@pytest.mark.parametrize("column, value, geom", [
    ("kind", "castle", Point(115.6, 34.4)),
    ("has_sign", 2, Point(115.6, 34.4)),
    ("opened_on", "2022-02-30", Point(115.6, 34.4)),
    ("has_sign", "yes", Point(115.6, 34.4)),
    ("kind", "pavilion", Point(12868000.0, 4087000.0)),
], ids=["enum", "bool", "no-such-day", "text-in-an-integer-column", "web-mercator"])
def test_the_file_refuses_bad_rows_written_around_the_store(path, column, value, geom):
    row = {"venue_id": "V1", "name": "亭", "kind": "pavilion", column: value,
           "geom": shapely.to_wkb(geom), **dict(zip(("minx", "miny", "maxx", "maxy"), geom.bounds))}
    con = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            con.execute(f"INSERT INTO venues ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                        list(row.values()))
    finally:
        con.close()


def test_frame_rows_carry_only_the_columns_the_frame_has_as_plain_values():
    frame = venues(has_sign=True, opened_on=None)
    [row] = rows_from_frame(get_layer("venues"), frame)
    assert set(row) == {"venue_id", "name", "kind", "has_sign", "opened_on", "geom"}
    assert (row["has_sign"], row["opened_on"]) == (1, None)
    assert row["geom"].equals(Point(115.6, 34.4))


@pytest.mark.parametrize("frame, problem", [
    (venues().to_crs("EPSG:32650"), "EPSG:4326"),
    (venues().drop(columns="venue_id"), "venue_id"),
    (venues().set_geometry([None]), "geometry"),
], ids=["other-crs", "no-id-column", "no-geometry"])
def test_frames_the_store_cannot_take_are_refused(frame, problem):
    with pytest.raises(InputError, match=problem):
        rows_from_frame(get_layer("venues"), frame)
