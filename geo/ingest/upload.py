"""Reading an uploaded file: the format's reader, then the checks every format shares.

`read_upload` picks the reader (GeoJSON, zipped Shapefile, GeoPackage, CSV, XLSX) from the
content (a renamed file is read as what it is, with a note), then checks positions
(`geo.ingest.positions`) and properties (`geo.ingest.fields`) and keeps only the features without problems. It only reads: a bad
file changes nothing. No exception escapes a read but for a wrong call (`InputError`): an
error nobody foresaw becomes an "unreadable" problem, without a traceback or a path.
Untrusted files are read through `geo.ingest.isolated`, which bounds time and memory.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import InputError, Problem, ValidationError, msg
from geo.ingest.fields import check_properties
from geo.ingest.geojson import read_geojson
from geo.ingest.ogr import frame_to_raw, read_gpkg, read_zip
from geo.ingest.positions import check_positions
from geo.ingest.raw import Int, Raw
from geo.ingest.report import Report
from geo.ingest.sniff import OTHER_KINDS, named_format, sniff_format
from geo.ingest.tables import read_csv, read_xlsx
from geo.schema import LAYERS, UPLOADABLE, WGS84, Layer

_log = logging.getLogger(__name__)

#: Coordinate systems an upload may be declared in; "wgs84" also covers CGCS2000 (EPSG:4490).
SOURCE_CRS: tuple[str, ...] = ("wgs84", "gcj02", "bd09")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


@dataclass
class Upload:
    """An uploaded file after reading: the valid rows, and every problem found.

    ``frame`` holds only the features without problems (index: their 1-based feature
    numbers), typed by the schema and in WGS84; it is empty when the file as a whole has a
    problem. The store imports an upload only when ``ok``: a bad file changes nothing.
    """

    layer: str
    frame: gpd.GeoDataFrame
    problems: list[Problem]
    n_features: int
    rejected: list[int]
    notes: list[Problem] = field(default_factory=list)
    #: 'geojson', 'shapefile', 'gpkg', 'csv', 'xlsx', or '' when the file could not be recognised.
    source_format: str = ""
    #: Spreadsheets: the sheet row of each feature (feature n is on row ``rows[n - 1]``), so
    #: a report can name the row a person sees; empty for other formats.
    rows: tuple[int, ...] = ()

    def row_of(self, feature: int) -> int:
        """The spreadsheet row of feature number `feature` (the feature number elsewhere)."""
        return self.rows[feature - 1] if 0 < feature <= len(self.rows) else feature

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self) -> None:
        """Raise one ValidationError that lists every problem (nothing if ``ok``)."""
        if self.problems:
            raise ValidationError(self.problems)


def read_upload(data: bytes, *, filename: str, layer: str, source_crs: str = "wgs84",
                max_bytes: int = DEFAULT_MAX_BYTES) -> Upload:
    """Read and check an uploaded file for `layer`, reporting every problem.

    Parameters
    ----------
    data
        The file's bytes: GeoJSON, a zipped Shapefile or a GeoPackage (told apart by their
        first bytes, then by `filename`).
    filename
        The uploaded file's name, used to recognise the format and in messages.
    layer
        One of ``schema.UPLOADABLE``.
    source_crs
        The coordinate system the positions were captured in: ``'wgs84'`` (GPS, CGCS2000),
        ``'gcj02'`` (AMap/Gaode, Tencent) or ``'bd09'`` (Baidu); converted to WGS84.
    max_bytes
        Larger files are refused unread.

    Returns
    -------
    Upload
        Problems a staff member can fix are reported in ``Upload.problems``, never raised.

    Raises
    ------
    InputError
        Only for a wrong call: an unknown layer or coordinate system.
    """
    lay, source = _check_arguments(layer, source_crs)
    return _last_resort(lambda: _read(data, filename, lay, source, max_bytes), lay)


def _read(data: bytes, filename: str, lay: Layer, source: str, max_bytes: int) -> Upload:
    report = Report(lay)
    raw, fmt = _read_raw(data, filename, lay, report, max_bytes)
    if raw is None:
        return _empty_upload(lay, report, 0, fmt)
    return _validate(raw, lay, source, report)


def read_points(data: bytes, *, filename: str, source_crs: str = "wgs84",
                max_bytes: int = DEFAULT_MAX_BYTES) -> Upload:
    """Read any point file as an issues upload reads its points, properties left unchecked.

    For assigning points to places (the command line's ``assign``): a file or position an
    upload would refuse is refused here with the same report, so there is one reader.

    Returns
    -------
    Upload
        ``layer`` is ``'points'``; ``frame`` has a ``properties`` column (each feature's
        properties as given, a dict) beside the geometry, for the features without problems.
    """
    lay, source = _check_arguments("issues", source_crs)
    return _last_resort(lambda: _points(data, filename, lay, source, max_bytes), lay, points=True)


def read_points_file(path: str | Path, *, source_crs: str = "wgs84",
                     max_bytes: int = DEFAULT_MAX_BYTES) -> Upload:
    """:func:`read_points` for the file at `path` (the command line); a file larger than
    `max_bytes` is refused unread.

    Raises
    ------
    InputError
        The file does not exist or is not a file, or the coordinate system is unknown.
    """
    lay, source = _check_arguments("issues", source_crs)
    path = _existing(path)
    return _last_resort(lambda: _from_file(path, lay, max_bytes, lambda data: _points(
        data, path.name, lay, source, max_bytes), points=True), lay, points=True)


def read_large_points_file(path: str | Path, *, source_crs: str = "wgs84") -> Upload:
    """:func:`read_points_file` for an operator's own file beyond the upload cap (``geo assign``
    on 10^7 points): GDAL reads it from disk (GeoJSON, GeoPackage, a zipped Shapefile...) instead
    of our bytes-in-memory readers, and every feature gets the same position checks and report.

    Only for files given on the server's own command line: uploads keep the cap and the isolated
    reader, since a file from a browser is untrusted.
    """
    import pyogrio

    lay, source = _check_arguments("issues", source_crs)
    path = _existing(path)

    def read() -> Upload:
        report = Report(lay)
        try:
            frame = pyogrio.read_dataframe(path, use_arrow=True)
        except Exception as err:  # GDAL's errors are many: not a format it knows, or damaged
            report.add("unreadable", fmt=path.suffix.lstrip(".") or "file", detail=str(err), detail_zh=str(err))
            return _empty_upload(lay, report, 0, "gdal", points=True)
        raw = frame_to_raw(frame, "gdal", lay, report)
        return _points_of(raw, "gdal", lay, source, report)

    return _last_resort(read, lay, points=True)


def _points(data: bytes, filename: str, lay: Layer, source: str, max_bytes: int) -> Upload:
    report = Report(lay)
    raw, fmt = _read_raw(data, filename, lay, report, max_bytes)
    return _points_of(raw, fmt, lay, source, report)


def _points_of(raw: Raw | None, fmt: str, lay: Layer, source: str, report: Report) -> Upload:
    """The points upload of what a reader pulled out of a file (None: nothing readable)."""
    props: np.ndarray = np.empty(0 if raw is None else raw.n, dtype=object)
    geometry = np.full(len(props), None, dtype=object)
    if raw is not None:
        props[:] = [_plain(p) for p in raw.props]
        geometry = check_positions(raw, lay, source, report)
    rejected, keep = _kept(geometry, report)
    index = pd.Index(np.flatnonzero(keep) + 1, name="feature")
    frame = gpd.GeoDataFrame({"properties": pd.Series(props[keep], index=index, dtype=object)},
                             geometry=gpd.GeoSeries(geometry[keep], index=index, crs=WGS84),
                             crs=WGS84)
    return Upload("points", frame, report.problems, len(props), rejected, report.notes, fmt,
                  tuple(raw.rows or ()) if raw is not None else ())


def validate_file(path: str | Path, *, layer: str, source_crs: str = "wgs84",
                  max_bytes: int = DEFAULT_MAX_BYTES, any_layer: bool = False) -> Upload:
    """Read the file at `path` and check it like :func:`read_upload` (for the command line).

    `any_layer` admits layers staff may not upload (the subdistrict outline): the demo
    builder reads every file of data/ through these same checks.

    Raises
    ------
    InputError
        The file does not exist or is not a file, or the layer or coordinate system is
        unknown.
    """
    lay, source = _check_arguments(layer, source_crs, any_layer=any_layer)
    path = _existing(path)
    return _last_resort(lambda: _from_file(path, lay, max_bytes, lambda data: _read(
        data, path.name, lay, source, max_bytes)), lay)


def _existing(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InputError(msg("ingest.no_file", path=str(path)))
    return path


def _from_file(path: Path, lay: Layer, max_bytes: int, read: Callable[[bytes], Upload], *,
               points: bool = False) -> Upload:
    """`read` the file's bytes; a file larger than `max_bytes` or one that cannot be opened
    (no permission, gone since) is a problem, and the large one is never read into memory."""
    report = Report(lay)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            report.add("too_large", size_mb=size / 2**20, cap_mb=round(max_bytes / 2**20, 1))
            return _empty_upload(lay, report, 0, "", points=points)
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)  # the file may have grown since
    except OSError as err:
        detail = msg("ingest.cannot_open", reason=err.strerror or type(err).__name__)
        report.add("unreadable", fmt=msg("ingest.file"), detail=detail, detail_zh=detail)
        return _empty_upload(lay, report, 0, "", points=points)
    return read(data)


def _last_resort(read: Callable[[], Upload], lay: Layer, *, points: bool = False) -> Upload:
    """The upload `read` returns; an exception nobody foresaw is the file's problem instead.

    A hostile file must never reach a page or the command line as a traceback (with server
    paths in it): its message names only the kind of error; the traceback is logged at debug.
    """
    try:
        return read()
    except InputError:
        raise
    except MemoryError:
        problem, params = "too_much_memory", {}
    except Exception as err:  # noqa: BLE001 - the last resort, on purpose
        _log.debug("unexpected error while reading an upload", exc_info=True)
        detail = msg("ingest.unexpected", kind=type(err).__name__)
        problem, params = "unreadable", {"fmt": msg("ingest.file"), "detail": detail,
                                         "detail_zh": detail}
    report = Report(lay)
    report.add(problem, **params)
    return _empty_upload(lay, report, 0, "", points=points)


def _plain(value: Any) -> Any:
    """A parsed JSON value with its whole numbers as int again (the reader keeps them as text)."""
    if isinstance(value, Int):
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _read_raw(data: bytes, filename: str, layer: Layer, report: Report,
              max_bytes: int) -> tuple[Raw | None, str]:
    """The features of a file of any accepted format, and the format ('' if unrecognised)."""
    data = bytes(data)
    if len(data) > max_bytes:
        report.add("too_large", size_mb=len(data) / 2**20, cap_mb=round(max_bytes / 2**20, 1))
        return None, ""
    fmt = sniff_format(data, filename)
    if fmt == "geojson":
        raw = read_geojson(data, layer, report)
    elif fmt == "zip":
        raw = read_zip(data, layer, report, max_bytes)
    elif fmt == "gpkg":
        raw = read_gpkg(data, layer, report)
    elif fmt == "csv":
        raw = read_csv(data, layer, report)
    elif fmt == "xlsx":
        raw = read_xlsx(data, layer, report, max_bytes)
    elif fmt in OTHER_KINDS:
        kind = msg(f"ingest.kind_of.{fmt}")
        report.add("wrong_kind", name=repr(filename), what=kind, hint=msg(f"ingest.kind_hint.{fmt}"))
        return None, ""
    else:
        report.add("unsupported_format", name=repr(filename))
        return None, ""
    named = named_format(filename)
    if named is not None and named != fmt:  # a renamed file: say what it was read as
        report.note("format_sniffed", name=repr(filename), what=msg(f"ingest.kind_of.{fmt}"))
    return raw, fmt


def _check_arguments(layer: str, source_crs: str, *, any_layer: bool = False) -> tuple[Layer, str]:
    if layer not in (LAYERS if any_layer else UPLOADABLE):
        raise InputError(msg("ingest.not_uploadable", layer=layer, choices=", ".join(UPLOADABLE)))
    source = str(source_crs).lower()
    if source not in SOURCE_CRS:
        raise InputError(msg("ingest.unknown_crs", crs=source_crs, choices=", ".join(SOURCE_CRS)))
    return LAYERS[layer], source


def _validate(raw: Raw, layer: Layer, source: str, report: Report) -> Upload:
    geometry = check_positions(raw, layer, source, report)
    columns = check_properties(raw, layer, report)
    rejected, keep = _kept(geometry, report)
    if report.file_level:
        return _empty_upload(layer, report, raw.n, raw.fmt, rejected, rows=raw.rows)
    index = pd.Index(np.flatnonzero(keep) + 1, name="feature")
    data = {name: pd.Series(col[keep], index=index, dtype=_DTYPES[layer.get(name).type])
            for name, col in columns.items()}
    frame = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geometry[keep], index=index, crs=WGS84),
                             index=index, crs=WGS84)
    return Upload(layer.name, frame, report.problems, raw.n, rejected, report.notes, raw.fmt,
                  tuple(raw.rows or ()))


def _kept(geometry: np.ndarray, report: Report) -> tuple[list[int], np.ndarray]:
    """The rejected feature numbers and which features to keep (none after a file problem);
    the report's problems sorted by feature, the file's own first."""
    rejected = sorted({p.feature for p in report.problems if p.feature is not None})
    report.problems.sort(key=lambda p: 0 if p.feature is None else p.feature)  # stable
    keep = ~shapely.is_missing(geometry) & (not report.file_level)
    keep[np.asarray(rejected, dtype=np.intp) - 1] = False
    return rejected, keep


def _empty_upload(layer: Layer, report: Report, n: int, fmt: str,
                  rejected: list[int] | None = None, *, points: bool = False,
                  rows: list[int] | None = None) -> Upload:
    """An upload without rows: the layer's columns, or `read_points`' when `points`."""
    index = pd.Index([], dtype="int64", name="feature")
    columns = {"properties": pd.Series([], dtype=object, index=index)} if points else \
        {f.name: pd.Series([], dtype=_DTYPES[f.type], index=index) for f in layer.fields}
    frame = gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=WGS84, index=index), crs=WGS84)
    return Upload("points" if points else layer.name, frame, report.problems, n, rejected or [],
                  report.notes, fmt, tuple(rows or ()))


_DTYPES = {"str": object, "date": object, "int": "Int64", "float": "float64", "bool": "boolean"}
