"""Zipped Shapefiles and GeoPackages: read with pyogrio, then put in the GeoJSON reader's form.

GDAL does the reading; this module picks the layer, guesses a .dbf's encoding when there is
no .cpg, and turns GDAL's frame into the same plain values and positions as parsed GeoJSON
(`Raw`), so every format goes through the same checks and gets the same messages.

Uploads are untrusted: a zip member is unpacked only when it is not encrypted, is stored or
deflated, and is not compressed beyond what any real layer file reaches, and then only as a
bounded stream (a header may understate what a member inflates to); a GeoPackage's views and
virtual tables are refused before GDAL opens it (GDAL would run a view's query, and a
recursive one never ends). Time and memory are bounded by `geo.ingest.isolated`.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import Message, msg
from geo.ingest.geojson import read_geojson
from geo.ingest.geometry import expected, wrong_type
from geo.ingest.positions import crs_transformer
from geo.ingest.raw import Int, Raw
from geo.ingest.report import Report
from geo.ingest.sniff import sniff_format
from geo.schema import Layer
from geo.text import shorten

_SHP_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_ZIPPED_FILES = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg"}

#: A zip member that claims to inflate more than this many times its packed size is not
#: unpacked. Measured with deflate at level 9: .shp 2-11x (even identical points), .shx 2-4x,
#: GeoPackage 10-15x, GeoJSON 50-140x, and .dbf text padded to its field width: 97x with one
#: filled field, 530x with 20 empty 254-character text fields (ArcGIS pads every text field),
#: 770x with 60, 920x with 250. Deflate itself cannot pass about 1032x, which a run of one
#: byte reaches (1027x for zeros: the classic bomb). 1000 keeps a margin above the most padded
#: real .dbf and refuses one-byte runs. It is the cheap early refusal of an honest header; what
#: bounds memory whatever a header says is `_unpack`'s bounded read and the total size cap.
MAX_RATIO = 1000
#: Stored and Deflate: what every zip tool writes by default. zipfile inflates bzip2 and LZMA
#: without an output bound, so a few packed bytes of them could fill memory.
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
#: How many names a message lists before "…".
_SHOWN = 5


def read_zip(data: bytes, layer: Layer, report: Report, max_bytes: int) -> Raw | None:
    """A zipped Shapefile (or a zipped GeoJSON or GeoPackage), or None with a problem."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()
                 and not i.filename.startswith("__MACOSX/") and not Path(i.filename).name.startswith("._")]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        report.add("unreadable", fmt="zip file", detail=str(err), detail_zh=f"不是有效的 zip 文件（{err}）")
        return None
    if not _small_enough(infos, report, max_bytes):
        return None
    by_stem: dict[str, dict[str, zipfile.ZipInfo]] = {}
    others = []
    for info in infos:
        path = Path(info.filename)
        suffix = path.suffix.lower()
        if suffix in _SHP_PARTS:
            by_stem.setdefault(str(path.with_suffix("")), {})[suffix] = info
        elif suffix in (".geojson", ".json", ".gpkg"):
            others.append(info)
    shapefiles = {stem: parts for stem, parts in by_stem.items() if ".shp" in parts}
    if not shapefiles:
        return _read_zipped_file(zf, others, [i for i in infos if i not in others], layer, report)
    stem = _choose_layer(list(shapefiles), layer, report, key=lambda s: Path(s).name)
    if stem is None:
        return None
    parts = shapefiles[stem]
    missing = [ext for ext in (".shx", ".dbf") if ext not in parts]
    if missing:
        report.add("unreadable", fmt="Shapefile",
                   detail=f"{', '.join(missing)} is missing from the zip",
                   detail_zh=f"zip 中缺少 {'、'.join(missing)} 文件")
        return None
    if not _unpackable(list(parts.values()), report):
        return None
    blobs: dict[str, bytes] = {}
    for ext, info in parts.items():
        blob = _unpack(zf, info, report)
        if blob is None:
            return None
        blobs[ext] = blob
    encoding = None
    if ".cpg" in blobs:
        encoding = blobs[".cpg"].decode("ascii", "replace").strip() or None
    if encoding is None:
        encoding = _guess_dbf_encoding(blobs[".dbf"])
    flat = io.BytesIO()  # GDAL reads a zip from memory only with the parts at its root
    with zipfile.ZipFile(flat, "w") as out:
        for ext, blob in blobs.items():
            out.writestr(f"upload{ext}", blob)
    del blobs
    try:
        frame = _ogr_read(flat.getvalue(), encoding=encoding)
    except Exception as err:  # GDAL's errors are many; all mean "cannot read"
        report.add("unreadable", fmt="Shapefile", detail=str(err), detail_zh=str(err))
        return None
    if ".prj" not in parts:
        report.note("no_prj", crs="WGS84 lon/lat")
    return frame_to_raw(frame, "shapefile", layer, report)


def _read_zipped_file(zf: zipfile.ZipFile, files: list[zipfile.ZipInfo], rest: list[zipfile.ZipInfo],
                      layer: Layer, report: Report) -> Raw | None:
    """A zip without a Shapefile: its one GeoJSON or GeoPackage, or the one named like the
    layer; else a problem saying what it holds and what is accepted."""
    if not files and not rest:
        report.add("unreadable", fmt="zip file", detail="it holds no .shp file",
                   detail_zh="其中没有 .shp 文件")
        return None
    named = _named(files, layer, key=lambda i: Path(i.filename).stem)
    chosen = named[0] if named else files[0] if len(files) == 1 else None
    if chosen is None:
        report.add("zip_contents", holds=_holdings(files, rest), layer=layer.name)
        return None
    if not _unpackable([chosen], report):
        return None
    inner = _unpack(zf, chosen, report)
    if inner is None:
        return None
    fmt = sniff_format(inner, chosen.filename)
    return read_geojson(inner, layer, report) if fmt == "geojson" else read_gpkg(inner, layer, report)


def _holdings(files: list[zipfile.ZipInfo], rest: list[zipfile.ZipInfo]) -> list[Message]:
    """What a zip holds, by kind: "2 GeoJSON file(s) (a.geojson, b.geojson)", ..."""
    groups: dict[str, list[zipfile.ZipInfo]] = {"geojson": [], "gpkg": [], "other": list(rest)}
    for info in files:
        groups[_ZIPPED_FILES[Path(info.filename).suffix.lower()]].append(info)
    return [msg(f"ingest.zip.{kind}", n=len(infos), names=_names(Path(i.filename).name for i in infos))
            for kind, infos in groups.items() if infos]


def _names(names: Iterable[str]) -> list[Any]:
    """The first few names for a message (each shortened), then "…" if there are more."""
    names = list(names)
    return [shorten(n) for n in names[:_SHOWN]] + (["…"] if len(names) > _SHOWN else [])


def _small_enough(infos: list[zipfile.ZipInfo], report: Report, max_bytes: int) -> bool:
    """Whether the members together unpack to at most four times the upload limit (reported
    when not): a zip's own cap, before any member is opened."""
    size = sum(i.file_size for i in infos)
    if size > 4 * max_bytes:
        report.add("too_large", size_mb=size / 2**20, cap_mb=round(4 * max_bytes / 2**20, 1))
        return False
    return True


def _unpackable(infos: list[zipfile.ZipInfo], report: Report) -> bool:
    """Whether these members may be unpacked: not encrypted, stored or deflated, and not
    compressed beyond MAX_RATIO; every refusal is reported."""
    encrypted = [i.filename for i in infos if i.flag_bits & 0x1]
    if encrypted:
        report.add("encrypted", names=_names(encrypted))
    method = [i.filename for i in infos if i.compress_type not in _METHODS and not i.flag_bits & 0x1]
    if method:
        report.add("zip_method", names=_names(method))
    ok = not encrypted and not method
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_RATIO:
            report.add("too_compressed", name=info.filename, ratio=ratio)
            ok = False
    return ok


def _unpack(zf: zipfile.ZipFile, info: zipfile.ZipInfo, report: Report) -> bytes | None:
    """A member's bytes, or None with a problem.

    Read as a bounded stream: zipfile stops at the size the header declares and then checks
    the CRC, and asking for that many bytes bounds each inflate step too (``zf.read()`` asks
    for up to 2 GB in one step, so a member that inflates far beyond its header fills memory
    before the CRC check fails).
    """
    try:
        with zf.open(info) as member:
            data = member.read(info.file_size + 1)
    except zipfile.BadZipFile as err:  # a wrong CRC, a broken local header
        detail = msg("ingest.damaged.checksum" if "CRC" in str(err) else "ingest.damaged.stream")
        report.add("damaged", name=info.filename, detail=detail, detail_zh=detail)
        return None
    except (zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
        detail = msg("ingest.damaged.stream")
        report.add("damaged", name=info.filename, detail=detail, detail_zh=detail)
        return None
    if len(data) != info.file_size:
        detail = msg("ingest.damaged.checksum")
        report.add("damaged", name=info.filename, detail=detail, detail_zh=detail)
        return None
    return data


def _guess_dbf_encoding(dbf: bytes) -> str:
    """A .dbf without .cpg: UTF-8 if its bytes decode as such, else GBK/GB18030 (ArcGIS)."""
    header = int.from_bytes(dbf[8:10], "little") if len(dbf) >= 10 else 0
    try:
        dbf[header:].decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        return "GB18030"


def read_gpkg(data: bytes, layer: Layer, report: Report) -> Raw | None:
    """The layer of a GeoPackage named like ours (or its only one), or None with a problem."""
    import pyogrio

    try:
        refused = _views(data)
    except Exception as err:  # GDAL's errors are many: not a GeoPackage, or damaged
        report.add("unreadable", fmt="GeoPackage", detail=str(err), detail_zh=str(err))
        return None
    if refused:
        report.add("gpkg_view", names=_names(refused))
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            layers = [(str(name), str(gtype)) for name, gtype in pyogrio.list_layers(data)]
    except Exception as err:
        report.add("unreadable", fmt="GeoPackage", detail=str(err), detail_zh=str(err))
        return None
    spatial = [name for name, gtype in layers if gtype not in ("None", "")] or [n for n, _ in layers]
    # (a GeoPackage of plain tables is still read: every feature then lacks its location)
    if not spatial:
        report.add("unreadable", fmt="GeoPackage", detail="it holds no layers",
                   detail_zh="其中没有图层")
        return None
    name = _choose_layer(spatial, layer, report, key=lambda s: s)
    if name is None:
        return None
    try:
        frame = _ogr_read(data, layer=name)
    except Exception as err:
        report.add("unreadable", fmt="GeoPackage", detail=str(err), detail_zh=str(err))
        return None
    return frame_to_raw(frame, "gpkg", layer, report)


def _views(data: bytes) -> list[str]:
    """The views and virtual tables of a GeoPackage (GDAL's rtree indexes aside).

    Listed from sqlite_master through GDAL's SQL (opening a GeoPackage runs no layer's query)
    before any layer is listed or read: GDAL runs a view's query to list or read it (a
    recursive one never ends), and a virtual table runs whatever its module does. Real layers
    are stored tables. Raises when the file is not a GeoPackage.
    """
    schema = _ogr_read(data, sql="SELECT name, type, sql FROM sqlite_master", read_geometry=False)
    return [str(name) for name, kind, sql in schema[["name", "type", "sql"]].itertuples(index=False)
            if kind == "view" or (kind == "table" and _virtual_module(sql) not in (None, "rtree"))]


def _virtual_module(sql: Any) -> str | None:
    """The module of a CREATE VIRTUAL TABLE statement (lower case), None for a stored table."""
    found = re.match(r"\s*CREATE\s+VIRTUAL\s+TABLE\b.*?\bUSING\s+(\w+)", str(sql or ""),
                     re.IGNORECASE | re.DOTALL)
    return found.group(1).lower() if found else None


def _ogr_read(source: Any, **kwargs: Any) -> gpd.GeoDataFrame:
    import pyogrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return pyogrio.read_dataframe(source, **kwargs)


def _choose_layer(names: list[str], layer: Layer, report: Report,
                  key: Callable[[str], str]) -> str | None:
    """The layer named like ours (en or zh), or the only one; else a problem."""
    named = _named(names, layer, key)
    if named:
        return named[0]
    if len(names) == 1:
        return names[0]
    report.add("ambiguous_layer", names=", ".join(key(n) for n in names), layer=layer.name)
    return None


def _named(items: list[Any], layer: Layer, key: Callable[[Any], str]) -> list[Any]:
    """The items whose name (`key`) is the layer's (code, Chinese or English name)."""
    wanted = {layer.name.lower(), layer.zh, layer.en.lower()}
    return [item for item in items if key(item).lower() in wanted]


_TYPE_NAMES = ["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
               "MultiPolygon", "GeometryCollection"]  # by shapely type id


def frame_to_raw(frame: gpd.GeoDataFrame, fmt: str, layer: Layer, report: Report) -> Raw | None:
    """Turn what GDAL read into the same raw form as GeoJSON, so the same checks apply."""
    n = len(frame)
    if n == 0:
        report.add("no_features")
        return None
    to_lonlat, crs_ok = None, True
    if getattr(frame, "crs", None) is not None:
        crs_ok, to_lonlat = crs_transformer(frame.crs, report)
    if isinstance(frame, gpd.GeoDataFrame):
        props = _frame_properties(frame.drop(columns=frame.geometry.name))
        geoms = np.asarray(frame.geometry.values, dtype=object)
    else:  # a table without geometry
        props, geoms = _frame_properties(frame), np.full(n, None, dtype=object)
    raw = Raw(fmt, n, props, [None] * n, to_lonlat=to_lonlat, crs_ok=crs_ok)
    missing = shapely.is_missing(geoms)
    has_z = shapely.has_z(geoms)
    if has_z.any():
        report.note("z_dropped", count=int(has_z.sum()))
        geoms = shapely.force_2d(geoms)
    type_ids = shapely.get_type_id(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    kind = layer.geometry
    for i in np.flatnonzero(missing):
        report.add("no_geometry", int(i) + 1, "geometry", what="empty", what_zh="空",
                   **expected(kind))
    for i in np.flatnonzero(empty):
        report.add("bad_coordinates", int(i) + 1, "geometry",
                   detail=f"the {_TYPE_NAMES[type_ids[i]]} has no coordinates",
                   detail_zh=f"{_TYPE_NAMES[type_ids[i]]} 没有坐标")
    usable = ~missing & ~empty
    if kind == "Point":
        single = usable & (type_ids == 4) & (shapely.get_num_geometries(geoms) == 1)
        if single.any():
            report.note("multipoint_single", count=int(single.sum()))
            geoms = np.where(single, shapely.get_geometry(geoms, 0), geoms)
            type_ids = np.where(single, 0, type_ids)
        ok = usable & (type_ids == 0)
        raw.xs = np.where(ok, shapely.get_x(np.where(ok, geoms, None)), np.nan)
        raw.ys = np.where(ok, shapely.get_y(np.where(ok, geoms, None)), np.nan)
        bad_xy = ok & ~(np.isfinite(raw.xs) & np.isfinite(raw.ys))
        for i in np.flatnonzero(bad_xy):
            report.add("bad_coordinates", int(i) + 1, "geometry", detail="a coordinate is not a number",
                       detail_zh="有坐标不是数字")
        raw.xs[bad_xy] = np.nan
        wrong = usable & ~ok
    else:
        ok = usable & np.isin(type_ids, (3, 6))
        raw.geoms = np.where(ok, geoms, None)
        wrong = usable & ~ok
    for i in np.flatnonzero(wrong):
        gtype = _TYPE_NAMES[type_ids[i]] if type_ids[i] >= 0 else "?"
        wrong_type(report, int(i) + 1, gtype, kind,
                   [None] * int(shapely.get_num_geometries(geoms[i])))
    return raw


def _frame_properties(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts of JSON-like values (str, Int, float, bool, None), like parsed GeoJSON."""
    columns: dict[str, list] = {}
    for name in df.columns:
        s = df[name]
        if pd.api.types.is_bool_dtype(s.dtype):
            vals = [None if pd.isna(v) else bool(v) for v in s.astype(object)]
        elif pd.api.types.is_integer_dtype(s.dtype):
            vals = [None if pd.isna(v) else Int(int(v)) for v in s.astype(object)]
        elif pd.api.types.is_float_dtype(s.dtype):
            vals = [None if v != v else float(v) for v in s.to_numpy(dtype="float64")]
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            vals = [None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in s]
        else:
            vals = [_json_like(v) for v in s.astype(object)]
        columns[str(name)] = vals
    names = list(columns)
    return [dict(zip(names, row)) for row in zip(*columns.values())] if names \
        else [{} for _ in range(len(df))]


def _json_like(v: Any) -> Any:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return Int(int(v))
    if isinstance(v, (float, np.floating)):
        return float(v)
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v if isinstance(v, (str, dict, list)) else str(v)
