"""How rows travel between frames, the store and the batch log: one codec for every backend.

Frames carry typed columns (Int64, boolean, dates as text); a store row carries plain SQL
values (dates as ISO text, bools as 0/1) and geometry as a shapely object or WKB bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.errors import InputError
from geo.schema import WGS84, Field, Layer
from geo.values import plain
from yishi.storage.protocol import Row


def rows_from_frame(layer: Layer, frame: pd.DataFrame) -> list[Row]:
    """Frame rows as store rows: only schema columns present in the frame, plus geometry."""
    names = [f for f in layer.fields if f.name in frame.columns]
    if layer.id_field not in frame.columns:
        raise InputError(f"{layer.name}: the frame has no id column {layer.id_field!r}")
    columns = {f.name: frame[f.name].tolist() for f in names}
    geoms = None
    if layer.geometry:
        if not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None:
            raise InputError(f"{layer.name}: geometry with a CRS ({WGS84}) is required")
        if not frame.crs.equals(WGS84):
            raise InputError(f"{layer.name}: geometry must be in {WGS84}, not {frame.crs.to_string()}")
        geoms = shapely.force_2d(frame.geometry.values)
        if shapely.is_missing(geoms).any() or shapely.is_empty(geoms).any():
            raise InputError(f"{layer.name}: every feature needs a geometry")
    rows: list[Row] = []
    for i in range(len(frame)):
        row = {f.name: plain(f, columns[f.name][i]) for f in names}
        if geoms is not None:
            row["geom"] = geoms[i]
        rows.append(row)
    return rows


def encode(row: Row | None) -> str | None:
    """A row as JSON text for the batch log (geometry as WKB hex)."""
    if row is None:
        return None
    out = dict(row)
    if "geom" in out and out["geom"] is not None:
        geom = out["geom"]
        out["geom"] = geom.hex() if isinstance(geom, bytes) else shapely.to_wkb(geom, hex=True)
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


def decode(text: str | None) -> Row | None:
    if text is None:
        return None
    row = json.loads(text)
    if row.get("geom") is not None:
        row["geom"] = bytes.fromhex(row["geom"])
    return row


def with_wkb(row: Row) -> Row:
    """A row with its geometry as WKB bytes, as the table holds it."""
    out = dict(row)
    geom = out.get("geom")
    if geom is not None and not isinstance(geom, bytes):
        out["geom"] = shapely.to_wkb(geom)
    return out


def typed(series: pd.Series, f: Field) -> pd.Series:
    """Store values as the frame dtype of a field: Int64, float64, boolean, or text."""
    if f.type == "int":
        return series.astype("Int64")
    if f.type == "float":
        return pd.to_numeric(series, errors="coerce").astype("float64")
    if f.type == "bool":
        return series.astype("boolean")
    return series.astype(object).where(series.notna(), None)


def next_number_id(ids: Iterable[Any], default_prefix: str, width: int = 4) -> str:
    """The id after the highest numbered one in `ids`, keeping its letters."""
    best_prefix, best = default_prefix, 0
    for value in ids:
        m = re.fullmatch(r"([A-Za-z]*)(\d+)", str(value))
        if m and int(m.group(2)) >= best:
            best_prefix, best = m.group(1) or default_prefix, int(m.group(2))
    return f"{best_prefix}{best + 1:0{width}d}"
