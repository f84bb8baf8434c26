"""Spreadsheets: CSV and XLSX tables, one row per feature, read into the same `Raw` as GeoJSON.

Staff keep lists in Excel or WPS. A point is a row with a longitude and a latitude column
(经度/纬度, lng/lat, lon/lat, longitude/latitude, X/Y, in any case); a shape a WKT column (as
QGIS's "save as CSV" and our own exports write it). Every other column is a property, checked
as GeoJSON's are. CSV text is UTF-8 (with or without BOM), GBK/GB18030 (what Excel in China
saves) or UTF-16 with a BOM (Excel's "Unicode text"); a comma, tab or semicolon separates.

An XLSX is a zip: its members are checked as a zipped Shapefile's are (no password, the usual
compression, no bomb, a bounded total) before openpyxl opens it, read-only, cached values
only (no formula is run). Time and memory are bounded by `geo.ingest.isolated`.

Blank rows are skipped; `Raw.rows` keeps each feature's row as the spreadsheet numbers it
(the header is row 1 when it is the first), and the problems said here name that row and the
column, so a person can find the cell.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import math
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import shapely

from geo.errors import Message, msg
from geo.ingest.geometry import wrong_type
from geo.ingest.ogr import _names, _small_enough, _unpackable
from geo.ingest.raw import Int, Raw
from geo.ingest.report import Report
from geo.ingest.sniff import decode
from geo.schema import Layer
from geo.words import Term

#: Accepted headers (compared in lower case, surrounding spaces ignored) of the position columns.
LON_NAMES: tuple[str, ...] = ("经度", "lng", "lon", "long", "longitude", "X")
LAT_NAMES: tuple[str, ...] = ("纬度", "lat", "latitude", "Y")
WKT_NAMES: tuple[str, ...] = ("WKT", "geometry", "geom", "the_geom", "几何", "图形")
#: Text a spreadsheet would run as a formula, as our CSV exports protect it (geo.export).
_FORMULA_START = ("=", "+", "-", "@")
_TYPE_NAMES = ["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
               "MultiPolygon", "GeometryCollection"]  # by shapely type id


def read_csv(data: bytes, layer: Layer, report: Report) -> Raw | None:
    """The rows of a CSV file, or None with a problem about the file."""
    text = _decode(data, report)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    records: list[tuple[int, list[str]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            records.append((number, record))
    except csv.Error as err:
        detail = msg("ingest.table.csv_error", row=len(records) + 1, reason=str(err))
        report.add("unreadable", fmt="CSV", detail=detail, detail_zh=detail)
        return None
    return _from_rows("csv", ((n, [_csv_value(c) for c in r]) for n, r in records), layer, report)


def read_xlsx(data: bytes, layer: Layer, report: Report, max_bytes: int) -> Raw | None:
    """The rows of an Excel workbook's sheet (named like the layer, else the first), or None
    with a problem about the file."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        report.add("unreadable", fmt="XLSX", detail=str(err), detail_zh=str(err))
        return None
    if not _small_enough(infos, report, max_bytes) or not _unpackable(infos, report):
        return None
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 - openpyxl's errors are many (KeyError, XML...): unreadable
        report.add("unreadable", fmt="XLSX", detail=type(err).__name__, detail_zh=type(err).__name__)
        return None
    try:
        sheets = book.sheetnames
        wanted = {layer.name.lower(), layer.zh, layer.en.lower()}
        name = next((s for s in sheets if s.strip().lower() in wanted), sheets[0] if sheets else None)
        if name is None:
            report.add("no_rows")
            return None
        if len(sheets) > 1:
            report.note("sheet_used", sheet=name, n=len(sheets))
        rows = book[name].iter_rows(values_only=True)
        return _from_rows("xlsx", ((n, [_xlsx_value(v) for v in r]) for n, r in enumerate(rows, start=1)),
                          layer, report)
    finally:
        book.close()


def closest_name(key: str, names: Iterable[str]) -> str | None:
    """The accepted name most like `key` (difflib, case-insensitive), None if none is close."""
    by_lower = {n.lower(): n for n in names}
    found = difflib.get_close_matches(key.strip().lower(), list(by_lower), n=1, cutoff=0.5)
    return by_lower[found[0]] if found else None


# --- text --------------------------------------------------------------------------------


def _decode(data: bytes, report: Report) -> str | None:
    """UTF-16 with a BOM (Excel's "Unicode text"), else what `sniff.decode` reads."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and \
            not data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            pass
        else:
            report.note("encoding_used", encoding="UTF-16")
            return text
    return decode(data, report)


def _delimiter(text: str) -> str:
    """Comma, tab or semicolon: whichever the first line holds most of (comma on a tie)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max(",\t;", key=first.count)


def _csv_value(text: str) -> str | None:
    """A CSV cell: None when blank; our exports' apostrophe before a formula sign removed."""
    if not text.strip():
        return None
    if text.startswith("'") and text[1:2] in _FORMULA_START:
        return text[1:]
    return text


def _xlsx_value(value: Any) -> Any:
    """An Excel cell as a JSON-like value: whole numbers as their digits (ids stay exact),
    dates as YYYY-MM-DD."""
    if value is None or isinstance(value, (bool, str)):
        return None if isinstance(value, str) and not value.strip() else value
    if isinstance(value, int):
        return Int(value)
    if isinstance(value, float):
        return Int(int(value)) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --- rows to features --------------------------------------------------------------------


def _blank(cells: Sequence[Any]) -> bool:
    return all(c is None for c in cells)


def _from_rows(fmt: str, records: Iterable[tuple[int, list[Any]]], layer: Layer,
               report: Report) -> Raw | None:
    """The features of a table: the first non-blank row names the columns."""
    rows: Iterator[tuple[int, list[Any]]] = (r for r in records if not _blank(r[1]))
    first = next(rows, None)
    if first is None:
        report.add("empty")
        return None
    names = ["" if c is None else str(c).strip() for c in first[1]]
    seen: set[str] = set()
    for name in names:
        if name and name.lower() in seen:
            report.add("duplicate_key", name=name, where="the header row", where_zh="表头")
            return None
        seen.add(name.lower())
    columns = _position_columns(names, layer, report)
    if columns is None:
        return None
    body = list(rows)
    if not body:
        report.add("no_rows")
        return None
    n = len(body)
    used = set(columns.values())
    keep = [(j, name) for j, name in enumerate(names) if name and j not in used]
    props = [{name: cells[j] if j < len(cells) else None for j, name in keep} for _, cells in body]
    raw = Raw(fmt, n, props, [None] * n, rows=[r for r, _ in body])
    cells = {key: [c[j] if j < len(c) else None for _, c in body] for key, j in columns.items()}
    if "lon" in columns:
        raw.xs = _numbers(cells["lon"], names[columns["lon"]], raw.rows, report)
        raw.ys = _numbers(cells["lat"], names[columns["lat"]], raw.rows, report)
        bad = np.isnan(raw.xs) | np.isnan(raw.ys)
        raw.xs[bad] = np.nan
        raw.ys[bad] = np.nan
    else:
        _shapes(raw, cells["wkt"], names[columns["wkt"]], layer, report)
    return raw


def _find(names: list[str], accepted: tuple[str, ...]) -> int | None:
    lowered = [n.lower() for n in names]
    return next((lowered.index(a.lower()) for a in accepted if a.lower() in lowered), None)


def _position_columns(names: list[str], layer: Layer, report: Report) -> dict[str, int] | None:
    """Where the position is: {'lon': j, 'lat': j} or {'wkt': j}; else a problem naming the
    columns found and the closest accepted names."""
    lon, lat, wkt = _find(names, LON_NAMES), _find(names, LAT_NAMES), _find(names, WKT_NAMES)
    if layer.geometry == "Point" and lon is not None and lat is not None:
        return {"lon": lon, "lat": lat}
    if wkt is not None:
        return {"wkt": wkt}
    found = _names(n for n in names if n) or ["—"]
    if layer.geometry == "Point":
        missing = [what for what, j in (("lon", lon), ("lat", lat)) if j is None]
        accepted = [*LON_NAMES, *LAT_NAMES] if len(missing) == 2 else \
            list(LON_NAMES if missing == ["lon"] else LAT_NAMES)
        report.add("no_lonlat", columns=found, closest=_closest(names, accepted, used=(lon, lat)),
                   missing=msg(f"ingest.table.missing_{'_'.join(missing)}"))
    else:
        report.add("no_wkt", columns=found, closest=_closest(names, list(WKT_NAMES), used=()),
                   layer=layer.en.lower(), layer_zh=layer.zh)
    return None


def _closest(names: list[str], accepted: list[str], used: tuple[int | None, ...]) -> Message | Term:
    """"the column X looks like Y" for the first header close to an accepted name, or nothing."""
    for j, name in enumerate(names):
        if not name or j in used:
            continue
        near = closest_name(name, accepted)
        if near is not None:
            return msg("ingest.table.closest", column=name, name=near)
    return Term("", "")


def _numbers(values: list[Any], column: str, rows: list[int], report: Report) -> np.ndarray:
    """One coordinate column as float64 (NaN where refused); each refusal names row and column."""
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        if v is None:
            report.add("missing_coordinate", i + 1, column, row=rows[i], column=column)
            continue
        number = math.nan
        if isinstance(v, float):
            number = v
        elif isinstance(v, str):  # text, and Int (an Excel whole number)
            try:
                number = float(v.strip().rstrip("°"))
            except ValueError:
                pass
        if not math.isfinite(number):
            report.add("bad_number", i + 1, column, row=rows[i], column=column, value=v)
            continue
        out[i] = number
    return out


def _shapes(raw: Raw, texts: list[Any], column: str, layer: Layer, report: Report) -> None:
    """WKT cells to positions (point layers) or shapes; each refusal names row and column."""
    text = np.array([v if isinstance(v, str) else None for v in texts], dtype=object)
    for i, v in enumerate(texts):
        if v is None:
            report.add("missing_coordinate", i + 1, column, row=raw.rows[i], column=column)
        elif not isinstance(v, str):
            report.add("bad_wkt", i + 1, column, row=raw.rows[i], column=column, value=v)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        geoms = shapely.from_wkt(text, on_invalid="ignore")
    for i in np.flatnonzero((text != None) & shapely.is_missing(geoms)):  # noqa: E711
        report.add("bad_wkt", int(i) + 1, column, row=raw.rows[i], column=column, value=text[i])
    present = ~shapely.is_missing(geoms)
    has_z = present & shapely.has_z(geoms)
    if has_z.any():
        report.note("z_dropped", count=int(has_z.sum()))
        geoms = shapely.force_2d(geoms)
    empty = present & shapely.is_empty(geoms)
    for i in np.flatnonzero(empty):
        report.add("bad_coordinates", int(i) + 1, "geometry", detail="the shape has no coordinates",
                   detail_zh="图形没有坐标")
    usable = present & ~empty
    type_ids = shapely.get_type_id(geoms)
    if layer.geometry == "Point":
        single = usable & (type_ids == 4) & (shapely.get_num_geometries(geoms) == 1)
        geoms = np.where(single, shapely.get_geometry(geoms, 0), geoms)
        type_ids = np.where(single, 0, type_ids)
        ok = usable & (type_ids == 0)
        raw.xs = np.where(ok, shapely.get_x(np.where(ok, geoms, None)), np.nan)
        raw.ys = np.where(ok, shapely.get_y(np.where(ok, geoms, None)), np.nan)
    else:
        ok = usable & np.isin(type_ids, (3, 6))
        raw.geoms = np.where(ok, geoms, None)
    for i in np.flatnonzero(usable & ~ok):
        wrong_type(report, int(i) + 1, _TYPE_NAMES[type_ids[i]], layer.geometry or "Point",
                   [None] * int(shapely.get_num_geometries(geoms[i])))
