"""What kind of file it is, and its text: format sniffing, text decoding, JSON parsing.

GeoJSON is parsed here with :mod:`json`, not handed to GDAL, because GDAL accepts bad data
quietly (string coordinates, 'abc' as 0) and loses the line and column a staff member needs
to find a broken spot.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

from geo.ingest.raw import DupDict, Int
from geo.ingest.report import Report
from geo.words import say


def sniff_format(data: bytes, filename: str) -> str:
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


def decode(data: bytes, report: Report) -> str | None:
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


#: Python's JSON error messages -> their words in the catalogue (ingest.json.<name>).
_JSON_ERRORS = {
    "Expecting ',' delimiter": "comma",
    "Expecting ':' delimiter": "colon",
    "Expecting property name enclosed in double quotes": "name_quotes",
    "Expecting value": "value",
    "Extra data": "extra_data",
    "Invalid control character at": "control_character",
    "Invalid \\escape": "escape",
    "Invalid \\uXXXX escape": "u_escape",
    "Unterminated string starting at": "unterminated",
}


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        dup = DupDict(obj)
        seen: set[str] = set()
        dup.dups = sorted({k for k, _ in pairs if k in seen or seen.add(k)})
        return dup
    return obj


def _constant(name: str) -> float:
    return float(name)  # NaN, Infinity, -Infinity: caught later as "not a finite number"


def parse_json(text: str, report: Report) -> tuple[bool, Any]:
    """(True, value) or (False, None) with a not_json / truncated problem."""
    try:
        return True, json.loads(text, object_pairs_hook=_pairs, parse_int=Int,
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
            detail_zh = say(f"ingest.json.{_JSON_ERRORS.get(err.msg, 'other')}", "zh")
            report.add("not_json", detail=err.msg, detail_zh=detail_zh, line=err.lineno,
                       col=err.colno, pos=pos + 1, excerpt=f"…{excerpt}…")
        return False, None
    except RecursionError:
        report.add("not_json", detail="lists or objects are nested too deeply",
                   detail_zh="列表或对象嵌套层数过多", line="?", col="?", pos="?", excerpt="")
        return False, None
