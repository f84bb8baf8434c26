"""Exports of a layer as GeoJSON, CSV or GeoPackage, each written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import InputError
from geo.schema import WGS84

FORMATS = ("geojson", "csv", "gpkg")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists (member_ids) as comma-separated text: CSV cells and GPKG fields hold no lists."""
    out = frame.copy()
    for column in out.columns:
        if column != "geometry" and out[column].map(lambda v: isinstance(v, (list, tuple))).any():
            out[column] = out[column].map(
                lambda v: ",".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return out


def to_geojson_text(frame: pd.DataFrame) -> str:
    """RFC 7946 FeatureCollection text: the one GeoJSON writer (exports, downloads, the CLI).

    Written by geopandas rather than GDAL so that list properties (member_ids) stay lists
    and Chinese stays readable; positions go out in WGS84, with no ``crs`` member. A plain
    table becomes features with null geometry, and so does an empty geometry.
    """
    if isinstance(frame, gpd.GeoDataFrame):
        geoms = frame.geometry
        out = frame.set_geometry(geoms.where(~(geoms.isna() | geoms.is_empty), None))
        if out.crs is not None:
            out = out.to_crs(WGS84)
    else:
        out = gpd.GeoDataFrame(frame.drop(columns="geometry", errors="ignore"),
                               geometry=gpd.GeoSeries([None] * len(frame), index=frame.index))
    return out.to_json(drop_id=True, ensure_ascii=False, default=str)


def to_csv_text(frame: pd.DataFrame) -> str:
    """CSV with geometry as lon/lat (points) or WKT, formula-like cells neutralised.

    Rows end in CRLF (RFC 4180), so a cell holding a lone CR is quoted too: unquoted, a
    spreadsheet starts a new row at the CR and "x\r=cmd|..." becomes a live formula.
    """
    out = _flat(frame)
    if isinstance(frame, gpd.GeoDataFrame):
        geoms = frame.geometry
        if len(geoms) and (geoms.geom_type == "Point").all():
            out["lon"], out["lat"] = geoms.x.round(7), geoms.y.round(7)
        else:
            out["wkt"] = geoms.to_wkt()
        out = pd.DataFrame(out.drop(columns="geometry"))
    out = out.map(neutralise_formula)
    return out.to_csv(index=False, lineterminator="\r\n")


def _write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Write into a temporary file beside `target`, then move it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def export(frame: pd.DataFrame, *, fmt: str, path: Path | str, layer_name: str = "layer") -> Path:
    """Write `frame` to `path` in `fmt`; a wrong format raises before anything is written."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    target = Path(path)
    if fmt == "geojson":
        _write_atomically(target, lambda p: p.write_text(to_geojson_text(frame), encoding="utf-8"))
    elif fmt == "csv":
        _write_atomically(target, lambda p: p.write_text(to_csv_text(frame), encoding="utf-8-sig",
                                                        newline=""))
    else:
        import pyogrio  # GDAL writes only this temporary file, never the store

        flat = _flat(frame)
        if not isinstance(flat, gpd.GeoDataFrame):
            flat = pd.DataFrame(flat)
        _write_atomically(target, lambda p: pyogrio.write_dataframe(
            flat, p, driver="GPKG", layer=layer_name))
    return target
