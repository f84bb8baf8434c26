"""Reading and validating an uploaded layer file, with one report listing every problem.

Staff upload venues, compounds, issues or communities exported from QGIS, a phone survey
app or a spreadsheet tool. A bad file must get a clear report (feature number, field, what
is wrong and what to do, in Chinese and English) and change nothing, so this module only
reads: it never writes the store.

GeoJSON is parsed here with :mod:`json`, not handed to GDAL, because GDAL accepts bad data
quietly (string coordinates, 'abc' as 0, EPSG:3857 metres in a lon/lat layer) and loses the
feature numbers a staff member needs. Zipped Shapefiles and GeoPackages are read with
pyogrio and then go through the same checks.

The checks run in two steps: one Python pass over the features pulls out coordinates and
property dictionaries (and reports broken structure), then every field is checked column by
column with numpy/pandas. That keeps 10^5 points within the time pyogrio needs to read them.

Examples
--------
>>> up = read_upload(b'{"type": "FeatureCollection", "features": []}',
...                  filename="issues.geojson", layer="issues")
>>> [p.code for p in up.problems]
['no_features']
"""

from __future__ import annotations

import codecs
import datetime
import io
import json
import math
import operator
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import crs as coords
from geo.errors import InputError, Problem, ValidationError
from geo.schema import LAYERS, SHANGQIU_BBOX, UPLOADABLE, WGS84, Field, Layer

__all__ = [
    "DEFAULT_MAX_BYTES",
    "NOTE_CODES",
    "PROBLEM_CODES",
    "SOURCE_CRS",
    "UNREADABLE_CODES",
    "Upload",
    "read_upload",
    "validate_file",
]

#: Coordinate systems an upload may be declared in; "wgs84" also covers CGCS2000 (EPSG:4490).
SOURCE_CRS: tuple[str, ...] = ("wgs84", "gcj02", "bd09")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# --------------------------------------------------------------------------------------
# The report: problem codes and their messages (en, zh, hint en, hint zh)
# --------------------------------------------------------------------------------------

_MESSAGES: dict[str, tuple[str, str, str, str]] = {
    # the file as a whole
    "too_large": (
        "the file is {size_mb:.1f} MB, more than the {cap_mb:g} MB limit",
        "文件大小为 {size_mb:.1f} MB，超过了 {cap_mb:g} MB 的上限",
        "split it into smaller files, or remove columns that are not needed",
        "请拆分成几个较小的文件，或删除不需要的列"),
    "empty": (
        "the file is empty",
        "文件是空的",
        "export the layer again",
        "请重新导出图层"),
    "encoding": (
        "the text encoding cannot be read: {detail}",
        "无法识别文件的文字编码：{detail_zh}",
        "save the file as UTF-8 (in QGIS: Export > Save Features As, Encoding UTF-8)",
        "请将文件另存为 UTF-8 编码（QGIS：导出 > 要素另存为，编码选 UTF-8）"),
    "not_json": (
        "the file is not valid GeoJSON text: {detail} at line {line}, column {col} (character {pos})",
        "文件不是有效的 GeoJSON 文本：第 {line} 行第 {col} 列（第 {pos} 个字符）处{detail_zh}",
        "look near: {excerpt}",
        "请检查此处附近：{excerpt}"),
    "truncated": (
        "the file ends too early, at line {line}, column {col} (character {pos}): it looks cut off",
        "文件在第 {line} 行第 {col} 列（第 {pos} 个字符）处提前结束，内容似乎不完整",
        "download or export the file again",
        "请重新下载或导出文件"),
    "duplicate_key": (
        "the name {key!r} appears more than once in {where}",
        "{where_zh}中名称“{key}”出现了不止一次",
        "keep only one of them",
        "请只保留其中一个"),
    "not_geojson": (
        "the file holds {what}, not a GeoJSON FeatureCollection",
        "文件内容是{what_zh}，不是 GeoJSON 要素集合（FeatureCollection）",
        "{hint}",
        "{hint_zh}"),
    "features_not_list": (
        "'features' must be a list of features, found {what}",
        "“features”应为要素列表，实际是{what_zh}",
        'write the features as "features": [ {{"type": "Feature", ...}}, ... ]',
        '请写成 "features": [ {{"type": "Feature", ...}}, ... ]'),
    "no_features": (
        "the file has no features",
        "文件中没有任何要素",
        "check that the right layer was exported",
        "请确认导出的是正确的图层"),
    "bad_crs": (
        "the coordinate system {crs} is not supported",
        "不支持坐标系 {crs}",
        "export the layer as EPSG:4326 (WGS84) or EPSG:4490 (CGCS2000)",
        "请以 EPSG:4326（WGS84）或 EPSG:4490（CGCS2000）坐标系导出"),
    "unsupported_format": (
        "{name} is not a kind of file that can be read here",
        "无法读取此类文件：{name}",
        "upload GeoJSON (.geojson), a zipped Shapefile (.zip with .shp, .dbf, .shx, .prj) "
        "or a GeoPackage (.gpkg)",
        "请上传 GeoJSON（.geojson）、打包成 zip 的 Shapefile（含 .shp、.dbf、.shx、.prj）"
        "或 GeoPackage（.gpkg）"),
    "unreadable": (
        "the {fmt} cannot be read: {detail}",
        "无法读取该 {fmt}：{detail_zh}",
        "export the layer again",
        "请重新导出图层"),
    "ambiguous_layer": (
        "the file holds several layers ({names}) and none is called {layer!r}",
        "文件中有多个图层（{names}），没有名为“{layer}”的图层",
        "rename the layer to {layer!r}, or upload one layer per file",
        "请将图层命名为“{layer}”，或每个文件只放一个图层"),
    # one feature
    "bad_feature": (
        "this item is not a GeoJSON Feature: {detail}",
        "此项不是 GeoJSON 要素（Feature）：{detail_zh}",
        'each item of "features" needs "type": "Feature", "geometry" and "properties"',
        '“features”中的每一项都需要 "type": "Feature"、"geometry" 和 "properties"'),
    "bad_properties": (
        "'properties' must be an object of names and values, found {what}",
        "“properties”应为“名称: 值”的对象，实际是{what_zh}",
        'write "properties": {{"name": "value", ...}}',
        '请写成 "properties": {{"名称": "值", ...}}'),
    "bad_id": (
        "the feature id must be text or a whole number, found {what}",
        "要素 id 应为文本或整数，实际是{what_zh}",
        "write the id as text in quotes",
        "请把 id 写成带引号的文本"),
    "no_geometry": (
        "the feature has no location (geometry is {what})",
        "该要素没有位置（geometry 为{what_zh}）",
        "give every feature a {expected} location",
        "请为每个要素添加{expected_zh}位置"),
    "bad_geometry": (
        "the geometry is not a GeoJSON geometry: {detail}",
        "几何对象格式错误：{detail_zh}",
        'write e.g. "geometry": {{"type": "Point", "coordinates": [115.65, 34.41]}}',
        '例如写成 "geometry": {{"type": "Point", "coordinates": [115.65, 34.41]}}'),
    "geometry_type": (
        "the geometry is a {found}, but {layer} need a {expected}",
        "几何类型为 {found}，而{layer_zh}图层需要{expected_zh}",
        "{hint}",
        "{hint_zh}"),
    "bad_coordinates": (
        "the coordinates are wrong: {detail}",
        "坐标有误：{detail_zh}",
        "write each position as [longitude, latitude] with plain numbers, e.g. [115.65, 34.41]",
        "每个位置应写成 [经度, 纬度]，使用数字，例如 [115.65, 34.41]"),
    "swapped_coordinates": (
        "coordinates look swapped (lat, lon): {x}, {y}",
        "坐标疑似经纬度颠倒：{x}, {y}",
        "swap? GeoJSON writes longitude first: [{y}, {x}]",
        "经纬度是否颠倒？GeoJSON 应先写经度：[{y}, {x}]"),
    "outside_area": (
        "the location {x}, {y} is far outside Shangqiu",
        "位置 {x}, {y} 远在商丘市范围之外",
        "{hint}",
        "{hint_zh}"),
    "invalid_geometry": (
        "the shape is not valid: {reason}",
        "图形无效：{reason_zh}",
        "fix it in QGIS (Vector > Geometry Tools > Check Validity, then Fix Geometries)",
        "请在 QGIS 中修复（矢量 > 几何工具 > 检查有效性，再用“修复几何”）"),
    "missing_field": (
        "required field {field} ({label}) is missing or empty",
        "缺少必填字段 {field}（{label_zh}）",
        "fill in {field} for every feature",
        "请为每个要素填写 {field}（{label_zh}）"),
    "bad_type": (
        "{field} ({label}) must be {expected}, found {found}",
        "{field}（{label_zh}）应为{expected_zh}，实际是{found_zh}",
        "{hint}",
        "{hint_zh}"),
    "bad_enum": (
        "{value!r} is not an allowed value for {field} ({label})",
        "“{value}”不是 {field}（{label_zh}）的可选值",
        "allowed: {allowed}",
        "可选值：{allowed_zh}"),
    "out_of_range": (
        "{field} ({label}) is {value}, outside the range {range}",
        "{field}（{label_zh}）为 {value}，超出范围 {range}",
        "check the number",
        "请检查该数值"),
    "bad_date": (
        "{field} ({label}) is {value!r}, which is not a date",
        "{field}（{label_zh}）为“{value}”，不是有效日期",
        "write dates as YYYY-MM-DD, e.g. 2022-06-17",
        "日期请写成 YYYY-MM-DD，例如 2022-06-17"),
    "bad_bool": (
        "{field} ({label}) is {value!r}, which is not yes or no",
        "{field}（{label_zh}）为“{value}”，不是“是/否”",
        "write 是/否 (or 有/无), true/false or 1/0",
        "请填写 是/否（或 有/无）、true/false 或 1/0"),
    "nested_value": (
        "{field} ({label}) holds {what} instead of a single value",
        "{field}（{label_zh}）的值是{what_zh}，应为单个值",
        "write it as plain text or a number",
        "请改为普通文本或数字"),
    "duplicate_id": (
        "{field} {value!r} is used more than once (first by feature {first})",
        "编号 {field}“{value}”重复（第 {first} 个要素已使用）",
        "give every feature its own {field}",
        "请为每个要素使用不同的编号"),
}

#: Problem codes and what they mean (English message template).
PROBLEM_CODES: dict[str, str] = {code: msg[0] for code, msg in _MESSAGES.items()}
#: File-level codes meaning "nothing could be read" (the CLI exits 2 for these, 1 otherwise).
UNREADABLE_CODES: frozenset[str] = frozenset({
    "too_large", "empty", "encoding", "not_json", "truncated", "not_geojson",
    "features_not_list", "unsupported_format", "unreadable",
})

_NOTES: dict[str, tuple[str, str]] = {
    "encoding_used": ("the text was read as {encoding}", "文件按 {encoding} 编码读取"),
    "crs_converted": ("coordinates were converted from {crs} to WGS84",
                      "坐标已从 {crs} 转换为 WGS84"),
    "z_dropped": ("heights (Z values) were dropped from {count} feature(s)",
                  "已去掉 {count} 个要素的高程（Z 值）"),
    "multipoint_single": ("{count} single-point MultiPoint geometries were read as points",
                          "{count} 个只含一个点的 MultiPoint 已按点读取"),
    "unknown_field": ("field {field!r} is not part of the {layer} layer and was ignored "
                      "({count} feature(s))",
                      "字段“{field}”不属于{layer_zh}图层，已忽略（{count} 个要素）"),
    "field_renamed": ("column {column!r} was read as {field} ({label})",
                      "列“{column}”已按 {field}（{label_zh}）读取"),
    "label_converted": ("{count} value(s) of {field} written as labels were converted to codes",
                        "{field} 中 {count} 个以名称填写的值已转换为代码"),
    "value_converted": ("{count} value(s) of {field} were converted ({what})",
                        "{field} 中 {count} 个值已转换（{what_zh}）"),
    "feature_id_used": ("the feature id was used as {field} for {count} feature(s)",
                        "{count} 个要素使用了要素 id 作为 {field}"),
    "no_prj": ("the Shapefile has no .prj; coordinates were taken as {crs}",
               "Shapefile 缺少 .prj 文件，坐标按 {crs} 读取"),
}
#: Note codes: information about what was changed while reading; never a reason to refuse.
NOTE_CODES: dict[str, str] = {code: msg[0] for code, msg in _NOTES.items()}


class _Report:
    """Collects problems (and informational notes) while a file is read."""

    def __init__(self, layer: Layer) -> None:
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []
        self.layer_en, self.layer_zh = layer.en.lower(), layer.zh

    def add(self, code: str, feature: int | None = None, field: str | None = None,
            **fmt: Any) -> None:
        en, zh, hint, hint_zh = _MESSAGES[code]
        fmt.setdefault("field", field)
        self.problems.append(Problem(code, en.format(**fmt), zh.format(**fmt), feature, field,
                                     hint.format(**fmt), hint_zh.format(**fmt)))

    def note(self, code: str, field: str | None = None, **fmt: Any) -> None:
        en, zh = _NOTES[code]
        fmt.setdefault("field", field)
        self.notes.append(Problem(code, en.format(**fmt), zh.format(**fmt), None, field))

    @property
    def file_level(self) -> bool:
        return any(p.feature is None for p in self.problems)


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


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
    #: 'geojson', 'shapefile', 'gpkg', or '' when the file could not be recognised.
    source_format: str = ""

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
    report = _Report(lay)
    data = bytes(data)
    if len(data) > max_bytes:
        report.add("too_large", size_mb=len(data) / 2**20, cap_mb=round(max_bytes / 2**20, 1))
        return _empty_upload(lay, report, 0, "")
    fmt = _sniff_format(data, filename)
    if fmt == "geojson":
        raw = _read_geojson(data, lay, report)
    elif fmt == "zip":
        raw = _read_zip(data, lay, report, max_bytes)
    elif fmt == "gpkg":
        raw = _read_gpkg(data, lay, report)
    else:
        report.add("unsupported_format", name=repr(filename))
        raw = None
    if raw is None:
        return _empty_upload(lay, report, 0, fmt if fmt != "unknown" else "")
    return _validate(raw, lay, source, report)


def validate_file(path: str | Path, *, layer: str, source_crs: str = "wgs84",
                  max_bytes: int = DEFAULT_MAX_BYTES) -> Upload:
    """Read the file at `path` and check it like :func:`read_upload` (for the command line).

    Raises
    ------
    InputError
        The file does not exist or is not a file, or the layer or coordinate system is
        unknown.
    """
    lay, _ = _check_arguments(layer, source_crs)
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    size = path.stat().st_size
    if size > max_bytes:  # refuse without reading it into memory
        report = _Report(lay)
        report.add("too_large", size_mb=size / 2**20, cap_mb=round(max_bytes / 2**20, 1))
        return _empty_upload(lay, report, 0, "")
    return read_upload(path.read_bytes(), filename=path.name, layer=layer,
                       source_crs=source_crs, max_bytes=max_bytes)


def _check_arguments(layer: str, source_crs: str) -> tuple[Layer, str]:
    if layer not in UPLOADABLE:
        raise InputError(f"layer {layer!r} cannot be uploaded; choose one of: {', '.join(UPLOADABLE)}")
    source = str(source_crs).lower()
    if source not in SOURCE_CRS:
        raise InputError(f"unknown coordinate system {source_crs!r}; choose one of: {', '.join(SOURCE_CRS)}")
    return LAYERS[layer], source


# --------------------------------------------------------------------------------------
# What was read, before the checks that every format shares
# --------------------------------------------------------------------------------------


@dataclass
class _Raw:
    """Features pulled out of a file: properties and positions, not yet checked."""

    fmt: str
    n: int
    #: One dict per feature ({} where the feature has none).
    props: list[dict]
    #: Feature-level ids (GeoJSON ``id`` member), None where absent.
    fids: list[Any]
    #: Point layers: positions (NaN where the feature's geometry was refused already).
    xs: np.ndarray | None = None
    ys: np.ndarray | None = None
    #: Polygon layers: shapely geometries (None where refused already).
    geoms: np.ndarray | None = None
    #: Projected file CRS -> lon/lat (None: the positions are lon/lat already).
    to_lonlat: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None
    #: False when the file's CRS is not supported: positions cannot be checked.
    crs_ok: bool = True


class _Int(str):
    """A JSON integer kept as its digits, so ids and phone numbers stay exact."""

    __slots__ = ()


class _DupDict(dict):
    """A JSON object that had a name more than once (the last value is kept)."""

    __slots__ = ("dups",)


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        dup = _DupDict(obj)
        seen: set[str] = set()
        dup.dups = sorted({k for k, _ in pairs if k in seen or seen.add(k)})
        return dup
    return obj


def _constant(name: str) -> float:
    return float(name)  # NaN, Infinity, -Infinity: caught later as "not a finite number"


_GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                   "MultiPolygon", "GeometryCollection")
_KIND_ZH = {"Point": "点（Point）", "Polygon": "面（Polygon 或 MultiPolygon）"}
_KIND_EN = {"Point": "Point", "Polygon": "Polygon or MultiPolygon"}


def _what(value: Any) -> tuple[str, str]:
    """Describe a JSON value in a few words (en, zh) for messages."""
    if value is None:
        return "null", "空值（null）"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)", f"布尔值 {str(value).lower()}"
    if isinstance(value, _Int):
        return f"the number {value}", f"数字 {value}"
    if isinstance(value, float):
        return f"the number {value!r}", f"数字 {value!r}"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {short!r}", f"文本“{short}”"
    if isinstance(value, dict):
        return "an object {...}", "对象 {...}"
    if isinstance(value, list):
        return "a list [...]", "列表 [...]"
    return type(value).__name__, type(value).__name__


# --------------------------------------------------------------------------------------
# Format detection and GeoJSON text
# --------------------------------------------------------------------------------------


def _sniff_format(data: bytes, filename: str) -> str:
    """'geojson', 'zip', 'gpkg' or 'unknown': first bytes decide, then the file name."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    suffix = Path(filename).suffix.lower()
    if suffix in (".zip", ".gpkg"):
        return suffix[1:]  # named so, but not one: reported as unreadable there
    if suffix in (".shp", ".dbf", ".shx", ".kml", ".kmz", ".csv", ".xlsx", ".xls", ".dxf"):
        return "unknown"
    return "geojson"


_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def _decode(data: bytes, report: _Report) -> str | None:
    """The file's text: UTF-8 (with or without BOM), else GBK/GB18030; else a problem."""
    if not data.strip():
        report.add("empty")
        return None
    for bom, name in _BOMS:
        if data.startswith(bom):
            report.add("encoding", detail=f"the file is saved as {name}",
                       detail_zh=f"文件为 {name} 编码")
            return None
    if b"\x00" in data:
        report.add("encoding", detail="it contains zero bytes: it is binary, or saved as UTF-16",
                   detail_zh="含有零字节：可能是二进制文件，或为 UTF-16 编码")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        utf8_error = err
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pos = utf8_error.start
        report.add("encoding", detail=f"byte {pos} is neither UTF-8 nor GBK/GB18030 text",
                   detail_zh=f"第 {pos} 个字节既不是 UTF-8 也不是 GBK/GB18030 文本")
        return None
    report.note("encoding_used", encoding="GBK/GB18030")
    return text


_JSON_ERRORS_ZH = {
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting property name enclosed in double quotes": "名称必须用英文双引号括起来",
    "Expecting value": "缺少值，或有多余的符号",
    "Extra data": "在内容结束后还有多余的内容",
    "Invalid control character at": "含有非法控制字符",
    "Invalid \\escape": "含有非法的转义字符",
    "Invalid \\uXXXX escape": "含有非法的 \\u 转义",
    "Unterminated string starting at": "字符串缺少结束引号",
}


def _parse_json(text: str, report: _Report) -> tuple[bool, Any]:
    """(True, value) or (False, None) with a not_json / truncated problem."""
    try:
        return True, json.loads(text, object_pairs_hook=_pairs, parse_int=_Int,
                                parse_constant=_constant)
    except json.JSONDecodeError as err:
        pos = err.pos
        cut = pos >= len(text.rstrip()) or err.msg.startswith("Unterminated string")
        if cut:
            end = len(text.rstrip())
            line = text.count("\n", 0, end) + 1
            col = end - (text.rfind("\n", 0, end) + 1) + 1
            report.add("truncated", line=line, col=col, pos=end + 1)
        else:
            start = max(0, pos - 20)
            excerpt = text[start:pos + 20].replace("\n", " ").replace("\r", " ")
            detail_zh = _JSON_ERRORS_ZH.get(err.msg, "格式错误")
            report.add("not_json", detail=err.msg, detail_zh=detail_zh, line=err.lineno,
                       col=err.colno, pos=pos + 1, excerpt=f"…{excerpt}…")
        return False, None
    except RecursionError:
        report.add("not_json", detail="lists or objects are nested too deeply",
                   detail_zh="列表或对象嵌套层数过多", line="?", col="?", pos="?", excerpt="")
        return False, None


def _features_of(obj: Any, report: _Report) -> list | None:
    """The list of features under the root, or None with a problem about the root."""
    if isinstance(obj, dict):
        if isinstance(obj, _DupDict):
            report.add("duplicate_key", key=obj.dups[0], where="the top-level object",
                       where_zh="最外层对象")
            return None
        kind = obj.get("type")
        if kind == "FeatureCollection":
            features = obj.get("features", _MISSING)
            if isinstance(features, list):
                if not features:
                    report.add("no_features")
                    return None
                return features
            what = ("nothing (no 'features' member)", "空（缺少 features）") if features is _MISSING \
                else _what(features)
            report.add("features_not_list", what=what[0], what_zh=what[1])
            return None
        if kind == "Feature":
            return [obj]
        if kind in _GEOMETRY_TYPES:
            report.add("not_geojson", what=f"a bare {kind} geometry without properties",
                       what_zh=f"单独的 {kind} 几何对象（没有属性）",
                       hint="export features with their attributes, as a FeatureCollection "
                            "(QGIS: Export > Save Features As > GeoJSON)",
                       hint_zh="请连同属性一起导出为要素集合 FeatureCollection"
                               "（QGIS：导出 > 要素另存为 > GeoJSON）")
            return None
        if isinstance(kind, str) and kind.lower() in ("featurecollection", "feature"):
            right = "FeatureCollection" if kind.lower() == "featurecollection" else "Feature"
            report.add("not_geojson", what=f'"type": "{kind}"', what_zh=f'"type": "{kind}"',
                       hint=f'the type must be written exactly "{right}" (capitals matter)',
                       hint_zh=f'type 必须严格写成 "{right}"（区分大小写）')
            return None
        if kind is None:
            what = ('an object without a "type"', "没有 type 的对象")
        elif isinstance(kind, str):
            what = (f'an object of type "{kind}"', f"类型为“{kind}”的对象")
        else:
            what = (f'an object whose "type" is {_what(kind)[0]}', f"type 为{_what(kind)[1]}的对象")
        report.add("not_geojson", what=what[0], what_zh=what[1],
                   hint='a GeoJSON file starts with {"type": "FeatureCollection", "features": [...]}',
                   hint_zh='GeoJSON 文件应以 {"type": "FeatureCollection", "features": [...]} 开头')
        return None
    if isinstance(obj, list):
        report.add("not_geojson", what="a list [...]", what_zh="列表 [...]",
                   hint='wrap the features: {"type": "FeatureCollection", "features": [...]}',
                   hint_zh='请把要素放进 {"type": "FeatureCollection", "features": [...]}')
        return None
    what = _what(obj)
    report.add("not_geojson", what=f"only {what[0]}", what_zh=f"只有{what[1]}",
               hint="export the layer again as GeoJSON", hint_zh="请重新导出为 GeoJSON")
    return None


_MISSING = object()

_LEGACY_CRS_OK = {"EPSG:4326", "OGC:CRS84", "OGC:1.3:CRS84", "EPSG:4490", "OGC:CRS84H"}


def _crs_name(member: Any) -> str | None:
    """The name in a legacy GeoJSON ``crs`` member ({"type": "name", ...}), else None."""
    if isinstance(member, dict) and member.get("type") == "name":
        props = member.get("properties")
        if isinstance(props, dict) and isinstance(props.get("name"), str):
            return props["name"]
    return None


def _crs_transformer(crs: Any, report: _Report) -> tuple[bool, Callable | None]:
    """(supported, projected->lon/lat function or None) for a file's CRS.

    Lon/lat on WGS84 or CGCS2000 needs nothing (the two differ by centimetres); projected
    systems on those datums (EPSG:3857, CGCS2000 Gauss-Kruger) are converted; anything else
    (Beijing 1954, Xian 1980, unknown) cannot be converted without losing ~100 m: refused.
    """
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    label = crs if isinstance(crs, str) else getattr(crs, "name", str(crs))
    try:
        parsed = crs if isinstance(crs, CRS) else CRS.from_user_input(crs)
    except (CRSError, TypeError, ValueError):
        report.add("bad_crs", crs=repr(label))
        return False, None
    datum = (parsed.geodetic_crs.datum.name if parsed.geodetic_crs is not None else "") or ""
    if not ("World Geodetic System 1984" in datum or datum == "China 2000"):
        report.add("bad_crs", crs=_crs_label(parsed))
        return False, None
    if parsed.is_geographic:
        return True, None
    transformer = Transformer.from_crs(parsed, "EPSG:4326", always_xy=True)
    report.note("crs_converted", crs=_crs_label(parsed))
    return True, lambda x, y: transformer.transform(x, y)


def _crs_label(crs: Any) -> str:
    try:
        code = crs.to_epsg()
    except Exception:  # pragma: no cover - pyproj internals
        code = None
    return f"EPSG:{code} ({crs.name})" if code else repr(crs.name)


# --------------------------------------------------------------------------------------
# GeoJSON: one pass over the features
# --------------------------------------------------------------------------------------


class _GeomError(Exception):
    """A broken geometry found while reading positions: (code, en detail, zh detail)."""

    def __init__(self, code: str, detail: str, detail_zh: str):
        super().__init__(detail)
        self.code, self.detail, self.detail_zh = code, detail, detail_zh


def _position(c: Any) -> tuple[float, float, bool]:
    """(x, y, had_z) from a GeoJSON position, or _GeomError saying what is wrong."""
    if type(c) is not list:
        what = _what(c)
        raise _GeomError("bad_coordinates", f"a position must be [longitude, latitude], found {what[0]}",
                         f"位置应为 [经度, 纬度]，实际是{what[1]}")
    if len(c) < 2:
        raise _GeomError("bad_coordinates",
                         f"a position has {len(c)} number(s); it needs two: [longitude, latitude]",
                         f"一个位置只有 {len(c)} 个数，应为两个：[经度, 纬度]")
    if len(c) > 3:
        raise _GeomError("bad_coordinates",
                         f"a position has {len(c)} numbers; it needs [longitude, latitude] "
                         "(and at most a height)",
                         f"一个位置有 {len(c)} 个数，应为 [经度, 纬度]（最多再加高程）")
    out = []
    for v in c:
        t = type(v)
        if t is float:
            if not math.isfinite(v):
                raise _GeomError("bad_coordinates", f"{v!r} is not a finite number",
                                 f"{v!r} 不是有效数字")
            out.append(v)
        elif t is _Int:
            out.append(float(v))
        elif v is None:
            raise _GeomError("bad_coordinates", "a coordinate is empty (null)", "有坐标为空（null）")
        elif t is str:
            raise _GeomError("bad_coordinates",
                             f"the coordinate {v!r} is text, not a number (remove the quotes)",
                             f"坐标“{v}”是文本而不是数字（请去掉引号）")
        else:
            what = _what(v)
            raise _GeomError("bad_coordinates", f"a coordinate is {what[0]}, not a number",
                             f"有坐标是{what[1]}，不是数字")
    return out[0], out[1], len(c) == 3


def _positions(c: Any, what: str, what_zh: str) -> tuple[np.ndarray, bool]:
    """An (n, 2) array from a list of positions."""
    if type(c) is not list or not c:
        found = _what(c)
        raise _GeomError("bad_coordinates", f"{what} must be a non-empty list of positions, found {found[0]}",
                         f"{what_zh}应为非空的位置列表，实际是{found[1]}")
    xyz = [_position(p) for p in c]
    return np.array([(x, y) for x, y, _ in xyz]), any(z for _, _, z in xyz)


def _ring(c: Any) -> tuple[np.ndarray, bool]:
    arr, z = _positions(c, "a ring", "环")
    if len(arr) < 4:
        raise _GeomError("invalid_geometry",
                         f"a ring has only {len(arr)} position(s); it needs at least 4, the last "
                         "equal to the first (too few points)",
                         f"环只有 {len(arr)} 个点，至少需要 4 个且首尾相同（点数太少）")
    if not np.array_equal(arr[0], arr[-1]):
        raise _GeomError("invalid_geometry",
                         "a ring is not closed: its last position must repeat the first",
                         "环没有闭合：最后一个点应与第一个点相同")
    return arr, z


def _polygon(c: Any) -> tuple[shapely.Polygon, bool]:
    if type(c) is not list or not c:
        found = _what(c)
        raise _GeomError("bad_coordinates", f"a polygon must be a list of rings, found {found[0]}",
                         f"多边形应为环的列表，实际是{found[1]}")
    rings = [_ring(r) for r in c]
    z = any(rz for _, rz in rings)
    return shapely.Polygon(rings[0][0], [r for r, _ in rings[1:]]), z


def _geometry(g: Any, kind: str, num: int, report: _Report,
              counts: dict[str, int]) -> tuple[float, float] | shapely.Geometry | None:
    """Check one geometry (slow path): a point's (x, y), a polygon, or None (reported)."""
    expected, expected_zh = _KIND_EN[kind], _KIND_ZH[kind]
    if g is None:
        report.add("no_geometry", num, "geometry", what="null", what_zh="空（null）",
                   expected=expected, expected_zh=expected_zh)
        return None
    if not isinstance(g, dict):
        what = _what(g)
        report.add("bad_geometry", num, "geometry", detail=f"found {what[0]}",
                   detail_zh=f"实际是{what[1]}")
        return None
    if isinstance(g, _DupDict):
        report.add("duplicate_key", num, "geometry", key=g.dups[0], where="the geometry",
                   where_zh="几何对象")
        return None
    gtype = g.get("type")
    if gtype not in _GEOMETRY_TYPES:
        what = _what(gtype)
        hint = ""
        if isinstance(gtype, str):
            right = {t.lower(): t for t in _GEOMETRY_TYPES}.get(gtype.lower())
            hint = f' (write "{right}": capitals matter)' if right else ""
        report.add("bad_geometry", num, "geometry",
                   detail=f"unknown geometry type {what[0]}{hint}",
                   detail_zh=f"未知的几何类型{what[1]}" + ("（区分大小写）" if hint else ""))
        return None
    layer_en, layer_zh = (report.layer_en, report.layer_zh)
    if gtype == "GeometryCollection":
        report.add("geometry_type", num, "geometry", found="GeometryCollection",
                   layer=layer_en, layer_zh=layer_zh, expected=expected, expected_zh=expected_zh,
                   hint=f"a GeometryCollection is not accepted: give each feature one {expected}",
                   hint_zh=f"不接受 GeometryCollection：每个要素只能有一个{expected_zh}")
        return None
    c = g.get("coordinates", _MISSING)
    if c is _MISSING or c is None:
        report.add("bad_coordinates", num, "geometry",
                   detail=f"the {gtype} has no coordinates", detail_zh=f"{gtype} 没有坐标")
        return None
    try:
        if kind == "Point":
            if gtype == "Point":
                x, y, z = _position(c)
            elif gtype == "MultiPoint" and type(c) is list and len(c) == 1:
                x, y, z = _position(c[0])
                counts["multipoint_single"] += 1
            else:
                _wrong_type(report, num, gtype, kind, c)
                return None
            counts["z"] += z
            return x, y
        if gtype == "Polygon":
            poly, z = _polygon(c)
        elif gtype == "MultiPolygon":
            if type(c) is not list or not c:
                found = _what(c)
                raise _GeomError("bad_coordinates",
                                 f"a MultiPolygon must be a list of polygons, found {found[0]}",
                                 f"MultiPolygon 应为多边形的列表，实际是{found[1]}")
            parts = [_polygon(p) for p in c]
            poly, z = shapely.multipolygons([p for p, _ in parts]), any(pz for _, pz in parts)
        else:
            _wrong_type(report, num, gtype, kind, c)
            return None
        counts["z"] += z
        return poly
    except _GeomError as err:
        if err.code == "invalid_geometry":
            report.add("invalid_geometry", num, "geometry", reason=err.detail, reason_zh=err.detail_zh)
        else:
            report.add(err.code, num, "geometry", detail=err.detail, detail_zh=err.detail_zh)
        return None


def _wrong_type(report: _Report, num: int, gtype: str, kind: str, c: Any) -> None:
    layer_en, layer_zh = (report.layer_en, report.layer_zh)
    expected, expected_zh = _KIND_EN[kind], _KIND_ZH[kind]
    if kind == "Point" and gtype == "MultiPoint":
        n = len(c) if isinstance(c, list) else 0
        hint, hint_zh = (f"the MultiPoint has {n} points: split it into one feature per point",
                         f"该 MultiPoint 含 {n} 个点：请拆成每个点一个要素")
    elif kind == "Point":
        hint, hint_zh = ("give each feature a single point, e.g. its centre",
                         "每个要素只用一个点表示，例如其中心点")
    else:
        hint, hint_zh = ("draw the area as a closed polygon", "请把范围画成闭合的多边形")
    report.add("geometry_type", num, "geometry", found=gtype, layer=layer_en, layer_zh=layer_zh,
               expected=expected, expected_zh=expected_zh, hint=hint, hint_zh=hint_zh)


def _bad_feature(f: Any, num: int, report: _Report) -> bool:
    """Report why `f` is not a usable Feature; True if it cannot be read further."""
    if not isinstance(f, dict):
        what = _what(f)
        report.add("bad_feature", num, "type", detail=f"found {what[0]}", detail_zh=f"实际是{what[1]}")
        return True
    if isinstance(f, _DupDict):
        report.add("duplicate_key", num, f.dups[0], key=f.dups[0], where="the feature",
                   where_zh="要素")
    t = f.get("type", _MISSING)
    if t == "Feature":
        return False
    if t is _MISSING:
        detail, detail_zh = 'it has no "type"', "缺少 type"
    elif isinstance(t, str) and t.lower() == "feature":
        detail, detail_zh = f'"type" is {t!r}; write "Feature" (capitals matter)', \
            f'type 为“{t}”，应写成 "Feature"（区分大小写）'
    else:
        what = _what(t)
        detail, detail_zh = f'"type" is {what[0]}, not "Feature"', f'type 为{what[1]}，不是 "Feature"'
    report.add("bad_feature", num, "type", detail=detail, detail_zh=detail_zh)
    return False  # still look at its geometry and properties: report everything at once


def _read_geojson(data: bytes, layer: Layer, report: _Report) -> _Raw | None:
    text = _decode(data, report)
    if text is None:
        return None
    ok, obj = _parse_json(text, report)
    if not ok:
        return None
    features = _features_of(obj, report)
    if features is None:
        return None
    to_lonlat, crs_ok = None, True
    crs_member = obj.get("crs") if isinstance(obj, dict) else None
    if crs_member is not None:
        name = _crs_name(crs_member)
        if name is None:
            report.add("bad_crs", crs=repr(_what(crs_member)[0]))
            crs_ok = False
        elif _normal_crs_name(name) not in _LEGACY_CRS_OK:
            crs_ok, to_lonlat = _crs_transformer(name, report)
    return _scan(features, layer, report, to_lonlat, crs_ok)


def _normal_crs_name(name: str) -> str:
    """'urn:ogc:def:crs:EPSG::4326' -> 'EPSG:4326'; 'urn:ogc:def:crs:OGC:1.3:CRS84' -> 'OGC:1.3:CRS84'."""
    name = name.strip()
    m = re.match(r"(?i)^urn:ogc:def:crs:([a-z]+):[\d.]*:(\w+)$", name)
    if m:
        return f"{m.group(1).upper()}:{m.group(2).upper()}" if m.group(1).upper() == "EPSG" \
            else f"OGC:{m.group(2).upper()}"
    return name.upper()


def _scan(features: list, layer: Layer, report: _Report, to_lonlat: Callable | None,
          crs_ok: bool) -> _Raw:
    """One pass over the features: positions and properties out, broken structure reported."""
    n = len(features)
    kind = layer.geometry
    empty: dict = {}
    props: list[dict] = [empty] * n
    fids: list[Any] = [None] * n
    nan = math.nan
    xs: list[float] = [nan] * n
    ys: list[float] = [nan] * n
    geoms: list[Any] = [None] * n
    counts = {"z": 0, "multipoint_single": 0}
    point = kind == "Point"
    for i, f in enumerate(features):
        if type(f) is dict and f.get("type") == "Feature":
            p = f.get("properties")
            if type(p) is dict:
                props[i] = p
            elif p is not None:
                _bad_properties(p, i + 1, report, props, i)
            fid = f.get("id")
            if fid is not None:
                fids[i] = fid
            g = f.get("geometry", _MISSING)
            if point and type(g) is dict and g.get("type") == "Point":  # the fast path
                c = g.get("coordinates")
                if type(c) is list and len(c) == 2:
                    x, y = c
                    if type(x) is float and type(y) is float and x - x == 0.0 and y - y == 0.0:
                        xs[i] = x
                        ys[i] = y
                        continue
        else:
            if _bad_feature(f, i + 1, report):
                continue
            p = f.get("properties")
            if isinstance(p, dict):
                props[i] = p
            elif p is not None:
                _bad_properties(p, i + 1, report, props, i)
            fids[i] = f.get("id")
            g = f.get("geometry", _MISSING)
        if g is _MISSING:
            report.add("no_geometry", i + 1, "geometry", what='missing (no "geometry" member)',
                       what_zh="缺失（没有 geometry）", expected=_KIND_EN[kind],
                       expected_zh=_KIND_ZH[kind])
            continue
        got = _geometry(g, kind, i + 1, report, counts)
        if got is None:
            continue
        if point:
            xs[i], ys[i] = got
        else:
            geoms[i] = got
    if counts["z"]:
        report.note("z_dropped", count=counts["z"])
    if counts["multipoint_single"]:
        report.note("multipoint_single", count=counts["multipoint_single"])
    raw = _Raw("geojson", n, props, fids, to_lonlat=to_lonlat, crs_ok=crs_ok)
    if point:
        raw.xs, raw.ys = np.array(xs, dtype="float64"), np.array(ys, dtype="float64")
    else:
        raw.geoms = np.fromiter(geoms, dtype=object, count=n)
    return raw


def _bad_properties(p: Any, num: int, report: _Report, props: list[dict], i: int) -> None:
    if isinstance(p, _DupDict):
        report.add("duplicate_key", num, p.dups[0], key=p.dups[0], where="the properties",
                   where_zh="属性")
        props[i] = p
        return
    if isinstance(p, dict):
        props[i] = p
        return
    what = _what(p)
    report.add("bad_properties", num, "properties", what=what[0], what_zh=what[1])


# --------------------------------------------------------------------------------------
# Zipped Shapefile and GeoPackage (read with pyogrio, then the same checks)
# --------------------------------------------------------------------------------------

_SHP_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def _read_zip(data: bytes, layer: Layer, report: _Report, max_bytes: int) -> _Raw | None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()
                 and not i.filename.startswith("__MACOSX/") and not Path(i.filename).name.startswith("._")]
    except (zipfile.BadZipFile, OSError) as err:
        report.add("unreadable", fmt="zip file", detail=str(err), detail_zh=f"不是有效的 zip 文件（{err}）")
        return None
    if sum(i.file_size for i in infos) > 4 * max_bytes:
        size = sum(i.file_size for i in infos)
        report.add("too_large", size_mb=size / 2**20, cap_mb=round(4 * max_bytes / 2**20, 1))
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
        if len(others) == 1:  # a zipped GeoJSON or GeoPackage
            inner = zf.read(others[0])
            fmt = _sniff_format(inner, others[0].filename)
            return _read_geojson(inner, layer, report) if fmt == "geojson" \
                else _read_gpkg(inner, layer, report)
        report.add("unreadable", fmt="zip file", detail="it holds no .shp file",
                   detail_zh="其中没有 .shp 文件")
        return None
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
    encoding = None
    if ".cpg" in parts:
        encoding = zf.read(parts[".cpg"]).decode("ascii", "replace").strip() or None
    if encoding is None:
        encoding = _guess_dbf_encoding(zf.read(parts[".dbf"]))
    flat = io.BytesIO()  # GDAL reads a zip from memory only with the parts at its root
    with zipfile.ZipFile(flat, "w") as out:
        for ext, info in parts.items():
            out.writestr(f"upload{ext}", zf.read(info))
    try:
        frame = _ogr_read(flat.getvalue(), encoding=encoding)
    except Exception as err:  # GDAL's errors are many; all mean "cannot read"
        report.add("unreadable", fmt="Shapefile", detail=str(err), detail_zh=str(err))
        return None
    if ".prj" not in parts:
        report.note("no_prj", crs="WGS84 lon/lat")
    return _from_frame(frame, "shapefile", layer, report)


def _guess_dbf_encoding(dbf: bytes) -> str:
    """A .dbf without .cpg: UTF-8 if its bytes decode as such, else GBK/GB18030 (ArcGIS)."""
    header = int.from_bytes(dbf[8:10], "little") if len(dbf) >= 10 else 0
    try:
        dbf[header:].decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        return "GB18030"


def _read_gpkg(data: bytes, layer: Layer, report: _Report) -> _Raw | None:
    import pyogrio

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
    return _from_frame(frame, "gpkg", layer, report)


def _ogr_read(source: Any, **kwargs: Any) -> gpd.GeoDataFrame:
    import pyogrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return pyogrio.read_dataframe(source, **kwargs)


def _choose_layer(names: list[str], layer: Layer, report: _Report,
                  key: Callable[[str], str]) -> str | None:
    """The layer named like ours (en or zh), or the only one; else a problem."""
    wanted = {layer.name.lower(), layer.zh, layer.en.lower()}
    named = [n for n in names if key(n).lower() in wanted]
    if named:
        return named[0]
    if len(names) == 1:
        return names[0]
    report.add("ambiguous_layer", names=", ".join(key(n) for n in names), layer=layer.name)
    return None


def _from_frame(frame: gpd.GeoDataFrame, fmt: str, layer: Layer, report: _Report) -> _Raw | None:
    """Turn what GDAL read into the same raw form as GeoJSON, so the same checks apply."""
    n = len(frame)
    if n == 0:
        report.add("no_features")
        return None
    to_lonlat, crs_ok = None, True
    if getattr(frame, "crs", None) is not None:
        crs_ok, to_lonlat = _crs_transformer(frame.crs, report)
    if isinstance(frame, gpd.GeoDataFrame):
        props = _frame_properties(frame.drop(columns=frame.geometry.name))
        geoms = np.asarray(frame.geometry.values, dtype=object)
    else:  # a table without geometry
        props, geoms = _frame_properties(frame), np.full(n, None, dtype=object)
    raw = _Raw(fmt, n, props, [None] * n, to_lonlat=to_lonlat, crs_ok=crs_ok)
    missing = shapely.is_missing(geoms)
    has_z = shapely.has_z(geoms)
    if has_z.any():
        report.note("z_dropped", count=int(has_z.sum()))
        geoms = shapely.force_2d(geoms)
    type_ids = shapely.get_type_id(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    names = ["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
             "MultiPolygon", "GeometryCollection"]
    kind = layer.geometry
    for i in np.flatnonzero(missing):
        report.add("no_geometry", int(i) + 1, "geometry", what="empty", what_zh="空",
                   expected=_KIND_EN[kind], expected_zh=_KIND_ZH[kind])
    for i in np.flatnonzero(empty):
        report.add("bad_coordinates", int(i) + 1, "geometry",
                   detail=f"the {names[type_ids[i]]} has no coordinates",
                   detail_zh=f"{names[type_ids[i]]} 没有坐标")
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
        gtype = names[type_ids[i]] if type_ids[i] >= 0 else "?"
        _wrong_type(report, int(i) + 1, gtype, kind,
                    [None] * int(shapely.get_num_geometries(geoms[i])))
    return raw


def _frame_properties(df: pd.DataFrame) -> list[dict]:
    """Rows as dicts of JSON-like values (str, _Int, float, bool, None), like parsed GeoJSON."""
    columns: dict[str, list] = {}
    for name in df.columns:
        s = df[name]
        if pd.api.types.is_bool_dtype(s.dtype):
            vals = [None if pd.isna(v) else bool(v) for v in s.astype(object)]
        elif pd.api.types.is_integer_dtype(s.dtype):
            vals = [None if pd.isna(v) else _Int(int(v)) for v in s.astype(object)]
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
        return _Int(int(v))
    if isinstance(v, (float, np.floating)):
        return float(v)
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v if isinstance(v, (str, dict, list)) else str(v)


# --------------------------------------------------------------------------------------
# The checks every format shares
# --------------------------------------------------------------------------------------


def _validate(raw: _Raw, layer: Layer, source: str, report: _Report) -> Upload:
    geometry = _check_positions(raw, layer, source, report)
    columns = _check_properties(raw, layer, report)
    rejected = sorted({p.feature for p in report.problems if p.feature is not None})
    report.problems.sort(key=lambda p: 0 if p.feature is None else p.feature)  # stable
    if report.file_level:
        return _empty_upload(layer, report, raw.n, raw.fmt, rejected)
    keep = np.ones(raw.n, dtype=bool)
    keep[np.asarray(rejected, dtype=np.intp) - 1] = False
    keep &= ~shapely.is_missing(geometry)
    index = pd.Index(np.flatnonzero(keep) + 1, name="feature")
    data = {name: pd.Series(col[keep], index=index, dtype=_DTYPES[layer.get(name).type])
            for name, col in columns.items()}
    frame = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geometry[keep], index=index, crs=WGS84),
                             index=index, crs=WGS84)
    return Upload(layer.name, frame, report.problems, raw.n, rejected, report.notes, raw.fmt)


def _empty_upload(layer: Layer, report: _Report, n: int, fmt: str,
                  rejected: list[int] | None = None) -> Upload:
    frame = gpd.GeoDataFrame(
        {f.name: pd.Series([], dtype=_DTYPES[f.type], index=pd.Index([], dtype="int64", name="feature"))
         for f in layer.fields},
        geometry=gpd.GeoSeries([], crs=WGS84, index=pd.Index([], dtype="int64", name="feature")),
        crs=WGS84)
    return Upload(layer.name, frame, report.problems, n, rejected or [], report.notes, fmt)


_DTYPES = {"str": object, "date": object, "int": "Int64", "float": "float64", "bool": "boolean"}


# ---- positions -----------------------------------------------------------------------

_MIN_LON, _MIN_LAT, _MAX_LON, _MAX_LAT = SHANGQIU_BBOX
_MERCATOR_MAX = 20037508.342789244


def _inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x >= _MIN_LON) & (x <= _MAX_LON) & (y >= _MIN_LAT) & (y <= _MAX_LAT)


def _check_positions(raw: _Raw, layer: Layer, source: str, report: _Report) -> np.ndarray:
    """WGS84 geometries (None where refused); location and validity problems reported."""
    if raw.xs is not None:
        x, y = raw.xs, raw.ys
        if raw.to_lonlat is not None:
            x, y = (np.asarray(a, dtype="float64") for a in raw.to_lonlat(x, y))
        good = np.isfinite(x) & np.isfinite(y)
        if not raw.crs_ok:
            return np.full(raw.n, None, dtype=object)
        wx, wy = coords.to_wgs84(x, y, source)
        outside = good & ~_inside(wx, wy)
        for i in np.flatnonzero(outside):
            _report_outside(report, int(i) + 1, float(x[i]), float(y[i]), float(raw.xs[i]),
                            float(raw.ys[i]), raw.to_lonlat is not None)
        ok = good & ~outside
        geoms = np.full(raw.n, None, dtype=object)
        geoms[ok] = shapely.points(np.column_stack([wx[ok], wy[ok]]))
        return geoms
    geoms = raw.geoms
    present = ~shapely.is_missing(geoms)
    if not raw.crs_ok:
        return np.full(raw.n, None, dtype=object)
    lonlat = geoms
    if raw.to_lonlat is not None and present.any():
        lonlat = geoms.copy()
        lonlat[present] = coords.transform_geometry(geoms[present], raw.to_lonlat)
    wgs = lonlat.copy()
    if source != "wgs84" and present.any():
        wgs[present] = coords.geometry_to_wgs84(lonlat[present], source)  # type: ignore[arg-type]
    bounds = shapely.bounds(wgs)
    outside = present & ~(_inside(bounds[:, 0], bounds[:, 1]) & _inside(bounds[:, 2], bounds[:, 3]))
    for i in np.flatnonzero(outside):
        point = shapely.get_coordinates(lonlat[i])[0]
        first = shapely.get_coordinates(geoms[i])[0]
        _report_outside(report, int(i) + 1, float(point[0]), float(point[1]), float(first[0]),
                        float(first[1]), raw.to_lonlat is not None)
    reasons = np.full(raw.n, "Valid Geometry", dtype=object)
    if present.any():
        reasons[present] = shapely.is_valid_reason(wgs[present])
    for i in np.flatnonzero(present & (reasons != "Valid Geometry")):
        reason = str(reasons[i])
        report.add("invalid_geometry", int(i) + 1, "geometry", reason=reason,
                   reason_zh=_reason_zh(reason))
    return np.where(present & ~outside & (reasons == "Valid Geometry"), wgs, None)


def _report_outside(report: _Report, num: int, x: float, y: float, rx: float, ry: float,
                    projected: bool) -> None:
    """Outside Shangqiu: say why it may be (swapped, metres), else just where it is."""
    if _inside(np.array(y), np.array(x)):
        report.add("swapped_coordinates", num, "geometry", x=_num(x), y=_num(y))
        return
    hint = "check the coordinates, and the coordinate system chosen for the upload"
    hint_zh = "请检查坐标，以及上传时选择的坐标系"
    if not projected and (abs(rx) > 180 or abs(ry) > 90):
        if abs(rx) <= _MERCATOR_MAX and abs(ry) <= _MERCATOR_MAX:
            lon = math.degrees(rx / 6378137.0)
            lat = math.degrees(2 * math.atan(math.exp(ry / 6378137.0)) - math.pi / 2)
            if _inside(np.array(lon), np.array(lat)):
                hint = ("these numbers look like Web Mercator metres (EPSG:3857); export the layer "
                        "as EPSG:4326, or keep the file's crs member")
                hint_zh = "这些数字像是 Web 墨卡托（EPSG:3857）的米制坐标；请以 EPSG:4326 导出，或在文件中保留 crs 声明"
            else:
                hint = ("these numbers look like metres in a projected system, not degrees; export "
                        "the layer as EPSG:4326 (WGS84)")
                hint_zh = "这些数字像是投影坐标（米），不是经纬度；请以 EPSG:4326（WGS84）导出"
        else:
            hint = "longitude and latitude must be degrees (-180..180, -90..90)"
            hint_zh = "经纬度应为度数（经度 -180..180，纬度 -90..90）"
    report.add("outside_area", num, "geometry", x=_num(x), y=_num(y), hint=hint, hint_zh=hint_zh)


def _num(v: float) -> str:
    return f"{v:.6f}".rstrip("0").rstrip(".")


_REASONS_ZH = {
    "Self-intersection": "边自相交",
    "Ring Self-intersection": "环自相交",
    "Too few points": "点数太少",
    "Interior is disconnected": "内部被分割成不相连的部分",
    "Hole lies outside shell": "内洞位于外环之外",
    "Nested holes": "内洞相互嵌套",
    "Nested shells": "多个多边形相互重叠",
    "Duplicate Rings": "有重复的环",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "环没有闭合",
}


def _reason_zh(reason: str) -> str:
    m = re.match(r"^([A-Za-z \-]+?)\s*(\[.*\])?$", reason)
    if m and m.group(1) in _REASONS_ZH:
        return _REASONS_ZH[m.group(1)] + (f"，位置 {m.group(2)}" if m.group(2) else "")
    return reason


# ---- properties ----------------------------------------------------------------------

# Value kinds after json parsing: one small int per value, so checks can be vectorised.
_NONE, _STR, _INT, _FLOAT, _BOOL, _NESTED = range(6)
_KIND_OF = {type(None): _NONE, str: _STR, _Int: _INT, float: _FLOAT, bool: _BOOL,
            dict: _NESTED, list: _NESTED, _DupDict: _NESTED}

_TRUE = {"是", "有", "对", "true", "t", "yes", "y", "1"}
_FALSE = {"否", "无", "没有", "不是", "false", "f", "no", "n", "0"}
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                      r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_EXPECTED = {
    "str": ("text", "文本"), "int": ("a whole number", "整数"), "float": ("a number", "数字"),
    "bool": ("yes or no", "是/否"), "date": ("a date", "日期"),
}


def _resolve_columns(raw: _Raw, layer: Layer, report: _Report) -> dict[str, list[str]]:
    """Which keys of the file feed each field: its name, else its label or a cut DBF name."""
    keys: set[str] = set().union(*raw.props) if raw.props else set()
    sources: dict[str, list[str]] = {f.name: [f.name] if f.name in keys else [] for f in layer.fields}
    by_alias: dict[str, str] = {}
    for f in layer.fields:
        for alias in (f.name.lower(), f.zh, f.en.lower()):
            by_alias.setdefault(alias, f.name)
    unknown = []
    for key in sorted(keys - set(sources)):
        name = by_alias.get(key.strip().lower())
        if name is None and raw.fmt == "shapefile" and len(key) == 10:  # DBF cuts names
            starts = [f.name for f in layer.fields if f.name.startswith(key.lower().rstrip("_"))]
            name = starts[0] if len(starts) == 1 else None
        if name is not None:
            sources[name].append(key)
            f = layer.get(name)
            report.note("field_renamed", field=name, column=key, label=f.en, label_zh=f.zh)
        else:
            unknown.append(key)
    for key in unknown:
        count = sum(1 for p in raw.props if key in p)
        report.note("unknown_field", field=key, layer=layer.en.lower(), layer_zh=layer.zh, count=count)
    return sources


def _column(props: list[dict], keys: list[str]) -> np.ndarray:
    """One field's raw values (object array); later keys fill where earlier ones are absent."""
    n = len(props)
    if not keys:
        return np.full(n, None, dtype=object)
    col = np.fromiter(map(operator.methodcaller("get", keys[0]), props), dtype=object, count=n)
    for key in keys[1:]:
        col = np.fromiter((v if v is not None else p.get(key) for v, p in zip(col, props)),
                          dtype=object, count=n)
    return col


def _check_properties(raw: _Raw, layer: Layer, report: _Report) -> dict[str, Any]:
    """Typed columns (full length), every value problem reported with its feature number."""
    sources = _resolve_columns(raw, layer, report)
    n = raw.n
    out: dict[str, Any] = {}
    for f in layer.fields:
        values = _column(raw.props, sources[f.name])
        if f.name == layer.id_field:
            values = _fill_from_feature_ids(values, raw.fids, f, report)
        kinds = np.fromiter(map(_KIND_OF.__getitem__, map(type, values)), dtype=np.int8, count=n)
        checker = _CHECKERS[f.type]
        out[f.name] = checker(values, kinds, f, layer, report)
    _check_duplicate_ids(out[layer.id_field], layer.get(layer.id_field), report)
    return out


def _fill_from_feature_ids(values: np.ndarray, fids: list[Any], f: Field,
                           report: _Report) -> np.ndarray:
    """A feature-level GeoJSON ``id`` supplies the id field where the property is absent."""
    used = 0
    for i, fid in enumerate(fids):
        if fid is None:
            continue
        if isinstance(fid, (dict, list, bool)):
            what = _what(fid)
            report.add("bad_id", i + 1, "id", what=what[0], what_zh=what[1])
            continue
        v = values[i]
        if v is None or (type(v) is str and not v.strip()):
            values[i] = fid
            used += 1
    if used:
        report.note("feature_id_used", field=f.name, count=used)
    return values


def _labels(f: Field) -> dict[str, str]:
    return {"label": f.en, "label_zh": f.zh}


def _missing(mask: np.ndarray, f: Field, report: _Report) -> None:
    if f.required:
        for i in np.flatnonzero(mask):
            report.add("missing_field", int(i) + 1, f.name, **_labels(f))


def _report_each(code: str, mask: np.ndarray, values: np.ndarray, f: Field, layer: Layer,
                 report: _Report, **fmt: Any) -> None:
    for i in np.flatnonzero(mask):
        report.add(code, int(i) + 1, f.name, value=_show(values[i]), **_labels(f), **fmt)


def _show(v: Any) -> Any:
    return str(v) if isinstance(v, _Int) else v


def _nested(values: np.ndarray, kinds: np.ndarray, f: Field, layer: Layer,
            report: _Report) -> None:
    for i in np.flatnonzero(kinds == _NESTED):
        what = ("a list", "列表") if isinstance(values[i], list) else ("an object", "对象")
        report.add("nested_value", int(i) + 1, f.name, what=what[0], what_zh=what[1], **_labels(f))


def _bad_type(mask: np.ndarray, values: np.ndarray, f: Field, layer: Layer, report: _Report,
              hint: str = "", hint_zh: str = "") -> None:
    exp, exp_zh = _EXPECTED[f.type]
    if not hint:
        hint, hint_zh = _TYPE_HINTS[f.type]
    for i in np.flatnonzero(mask):
        found, found_zh = _what(values[i])
        report.add("bad_type", int(i) + 1, f.name, expected=exp, expected_zh=exp_zh,
                   found=found, found_zh=found_zh, hint=hint, hint_zh=hint_zh, **_labels(f))


_TYPE_HINTS = {
    "str": ("write the value as text", "请填写文本"),
    "int": ("write a whole number, e.g. 120", "请填写整数，例如 120"),
    "float": ("write a number, e.g. 4.5", "请填写数字，例如 4.5"),
    "bool": ("write 是/否 (or 有/无), true/false or 1/0", "请填写 是/否（或 有/无）、true/false 或 1/0"),
    "date": ("write dates as YYYY-MM-DD, e.g. 2022-06-17", "日期请写成 YYYY-MM-DD，例如 2022-06-17"),
}


def _stripped(values: np.ndarray, mask: np.ndarray) -> pd.Series:
    """The str values under `mask`, stripped, as an object Series indexed by position."""
    idx = np.flatnonzero(mask)
    stripped = np.fromiter(map(str.strip, values[idx]), dtype=object, count=len(idx))
    return pd.Series(stripped, index=idx, dtype=object)


def _is_code_field(f: Field, layer: Layer) -> bool:
    """IDs and phone numbers: digits must stay exact, so a JSON float is refused."""
    return f.name == layer.id_field or f.name.endswith("_id") or "phone" in f.name


def _check_str(values: np.ndarray, kinds: np.ndarray, f: Field, layer: Layer,
               report: _Report) -> np.ndarray:
    out = np.full(len(values), None, dtype=object)
    is_str = kinds == _STR
    if is_str.any():
        s = _stripped(values, is_str)
        s = s.where(s != "", None)
        out[s.index.to_numpy()] = s.to_numpy(dtype=object)
    ints = np.flatnonzero(kinds == _INT)
    out[ints] = [str(v) for v in values[ints]]
    floats = kinds == _FLOAT
    if _is_code_field(f, layer):
        _bad_type(floats, values, f, layer, report,
                  "write IDs and phone numbers as text in quotes, e.g. \"13912345678\"",
                  "编号和电话请写成带引号的文本，例如 \"13912345678\"")
    else:
        fl = np.flatnonzero(floats)
        out[fl] = [repr(v) if math.isfinite(v) else None for v in values[fl]]
    _bad_type(kinds == _BOOL, values, f, layer, report, "write the value as text", "请填写文本")
    _nested(values, kinds, f, layer, report)
    _missing((kinds == _NONE) | (is_str & (out == None)), f, report)  # noqa: E711
    if f.enum is not None:
        out = _check_enum(out, f, layer, report)
    return out


def _enum_lookup(f: Field) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, (zh, en) in f.enum.labels.items():  # type: ignore[union-attr]
        for alias in (code.lower(), zh, en.lower(), *zh.split("/")):
            lookup.setdefault(alias, code)
    return lookup


def _check_enum(out: np.ndarray, f: Field, layer: Layer, report: _Report) -> np.ndarray:
    codes = f.enum.codes  # type: ignore[union-attr]
    present = out != None  # noqa: E711
    s = pd.Series(out[present], index=np.flatnonzero(present), dtype=object)
    known = s.isin(codes)
    if known.all():
        return out
    other = s[~known]
    mapped = pd.Series([v.lower() for v in other], index=other.index, dtype=object).map(_enum_lookup(f))
    converted = mapped.dropna()
    if len(converted):
        out[converted.index.to_numpy()] = converted.to_numpy(dtype=object)
        report.note("label_converted", field=f.name, count=len(converted))
    bad = mapped.index[mapped.isna().to_numpy()].to_numpy()
    if len(bad):
        allowed = ", ".join(f"{c} ({zh}/{en})" for c, (zh, en) in f.enum.labels.items())  # type: ignore[union-attr]
        allowed_zh = "、".join(f"{c}（{zh}）" for c, (zh, _) in f.enum.labels.items())  # type: ignore[union-attr]
        mask = np.zeros(len(out), dtype=bool)
        mask[bad] = True
        _report_each("bad_enum", mask, out, f, layer, report, allowed=allowed, allowed_zh=allowed_zh)
        out[bad] = None
    return out


def _numbers(values: np.ndarray, kinds: np.ndarray, f: Field, layer: Layer,
             report: _Report) -> tuple[np.ndarray, np.ndarray]:
    """(float64 values, bad mask) from numbers and numeric text; non-numbers reported."""
    num = np.full(len(values), np.nan)
    bad = np.zeros(len(values), dtype=bool)
    fl = kinds == _FLOAT
    num[fl] = values[fl].astype("float64")
    ints = np.flatnonzero(kinds == _INT)
    if len(ints):
        num[ints] = [float(v) for v in values[ints]]
    is_str = kinds == _STR
    if is_str.any():
        s = _stripped(values, is_str)
        blank = s == ""
        parsed = pd.to_numeric(s.where(~blank, None), errors="coerce")
        num[parsed.index.to_numpy()] = parsed.to_numpy(dtype="float64", na_value=np.nan)
        text_bad = (parsed.isna() & ~blank).to_numpy()
        bad[parsed.index.to_numpy()[text_bad]] = True
        kinds = kinds.copy()
        kinds[s.index.to_numpy()[blank.to_numpy()]] = _NONE
    bad |= (fl | (kinds == _INT)) & ~np.isfinite(num)
    _bad_type(bad | (kinds == _BOOL), values, f, layer, report)
    _nested(values, kinds, f, layer, report)
    _missing(kinds == _NONE, f, report)
    num[bad] = np.nan
    return num, bad | (kinds == _BOOL) | (kinds == _NESTED)


def _range(num: np.ndarray, values: np.ndarray, f: Field, layer: Layer, report: _Report) -> np.ndarray:
    out = np.zeros(len(num), dtype=bool)
    lo = -np.inf if f.minimum is None else f.minimum
    hi = np.inf if f.maximum is None else f.maximum
    with np.errstate(invalid="ignore"):
        out = (num < lo) | (num > hi)
    if out.any():
        rng = f"{'' if f.minimum is None else f'{f.minimum:g}'}..{'' if f.maximum is None else f'{f.maximum:g}'}"
        _report_each("out_of_range", out, values, f, layer, report, range=rng)
    return out


_INT64_MAX = 2**63 - 1


def _check_int(values: np.ndarray, kinds: np.ndarray, f: Field, layer: Layer,
               report: _Report) -> pd.arrays.IntegerArray:
    num, bad = _numbers(values, kinds, f, layer, report)
    fractional = np.isfinite(num) & (np.floor(num) != num)
    _bad_type(fractional, values, f, layer, report, "write a whole number", "请填写整数")
    num[fractional] = np.nan
    # whole numbers beyond float precision: use the exact digits
    ints = np.flatnonzero((kinds == _INT) & (np.abs(num) >= 2**53))
    huge = np.zeros(len(num), dtype=bool)
    exact: dict[int, int] = {}
    for i in ints:
        v = int(values[i])
        if abs(v) > _INT64_MAX:
            huge[i] = True
        else:
            exact[int(i)] = v
    out_of_range = _range(num, values, f, layer, report)
    if huge.any():
        _report_each("out_of_range", huge & ~out_of_range, values, f, layer, report,
                     range="(too large)")
    drop = out_of_range | huge
    num[drop] = np.nan
    arr = pd.array(np.where(np.isfinite(num), num, 0).astype("int64"), dtype="Int64")
    for i, v in exact.items():
        if not drop[i]:
            arr[i] = v
    arr[~np.isfinite(num)] = pd.NA
    return arr


def _check_float(values: np.ndarray, kinds: np.ndarray, f: Field, layer: Layer,
                 report: _Report) -> np.ndarray:
    num, _ = _numbers(values, kinds, f, layer, report)
    num[_range(num, values, f, layer, report)] = np.nan
    return num


def _check_bool(values: np.ndarray, kinds: np.ndarray, f: Field, layer: Layer,
                report: _Report) -> pd.arrays.BooleanArray:
    out = np.full(len(values), None, dtype=object)
    b = kinds == _BOOL
    out[b] = values[b]
    text = (kinds == _STR) | (kinds == _INT) | (kinds == _FLOAT)
    bad = np.zeros(len(values), dtype=bool)
    blank = np.zeros(len(values), dtype=bool)
    if text.any():
        idx = np.flatnonzero(text)
        s = pd.Series([(f"{v:g}" if type(v) is float else str(v)).strip().lower()
                       for v in values[idx]], index=idx, dtype=object)
        blank[idx[(s == "").to_numpy()]] = True
        yes, no = s.isin(_TRUE).to_numpy(), s.isin(_FALSE).to_numpy()
        out[idx[yes]] = True
        out[idx[no]] = False
        bad[idx[~yes & ~no & (s != "").to_numpy()]] = True
    _report_each("bad_bool", bad, values, f, layer, report)
    _nested(values, kinds, f, layer, report)
    _missing((kinds == _NONE) | blank, f, report)
    return pd.array(out, dtype="boolean")


def _check_date(values: np.ndarray, kinds: np.ndarray, f: Field, layer: Layer,
                report: _Report) -> np.ndarray:
    out = np.full(len(values), None, dtype=object)
    is_str = kinds == _STR
    bad = (kinds == _INT) | (kinds == _FLOAT) | (kinds == _BOOL)
    blank = np.zeros(len(values), dtype=bool)
    if is_str.any():
        s = _stripped(values, is_str)
        blank[s.index.to_numpy()[(s == "").to_numpy()]] = True
        s = s[s != ""]
        idx = s.index.to_numpy()
        # the usual case, vectorised: already YYYY-MM-DD and a real date
        iso = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").notna().to_numpy().copy()
        iso &= np.fromiter(map(len, s), dtype=np.int64, count=len(s)) == 10
        out[idx[iso]] = s.to_numpy(dtype=object)[iso]
        converted = 0
        for i, text in zip(idx[~iso], s.to_numpy(dtype=object)[~iso]):
            date = _parse_date(text)
            if date is None:
                bad[i] = True
            else:
                out[i] = date
                converted += 1
        if converted:
            report.note("value_converted", field=f.name, count=converted,
                        what="dates rewritten as YYYY-MM-DD", what_zh="日期已统一写成 YYYY-MM-DD")
    _report_each("bad_date", bad, values, f, layer, report)
    _nested(values, kinds, f, layer, report)
    _missing((kinds == _NONE) | blank, f, report)
    return out


def _parse_date(text: str) -> str | None:
    """'2022/6/7', '2022.06.07', '2022年6月7日', '2022-06-07T08:00:00' -> '2022-06-07'."""
    m = _DATE_RE.match(text)
    if not m:
        return None
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


_CHECKERS: dict[str, Callable[..., Any]] = {
    "str": _check_str, "int": _check_int, "float": _check_float, "bool": _check_bool,
    "date": _check_date,
}


def _check_duplicate_ids(ids: np.ndarray, f: Field, report: _Report) -> None:
    present = ids != None  # noqa: E711
    s = pd.Series(ids[present], index=np.flatnonzero(present) + 1, dtype=object)
    dup = s.duplicated(keep="first")
    if not dup.any():
        return
    firsts = s[~dup]
    first = dict(zip(firsts.to_numpy(), firsts.index))  # id -> first feature number
    for num, value in s[dup].items():
        report.add("duplicate_id", int(num), f.name, value=value, first=int(first[value]))
