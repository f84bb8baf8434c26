"""What kind of file it is, and its text: format sniffing, text decoding, JSON parsing.

GeoJSON is parsed here with :mod:`json`, not handed to GDAL, because GDAL accepts bad data
quietly (string coordinates, 'abc' as 0) and loses the line and column a staff member needs
to find a broken spot.
"""

from __future__ import annotations

import codecs
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from geo.ingest.raw import DupDict, Int
from geo.ingest.report import Report
from geo.words import say


#: What a file's name says it is, for the formats read here.
_BY_SUFFIX = {".geojson": "geojson", ".json": "geojson", ".zip": "zip", ".gpkg": "gpkg",
              ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
#: Kinds of file recognised but not read here (each has ingest.kind_of.<kind> and
#: ingest.kind_hint.<kind> in the word catalogue).
OTHER_KINDS = ("xls", "ods", "pdf", "image", "xml")
#: Files named like these are parts of formats not read on their own (a lone .shp).
_NOT_READ = (".shp", ".dbf", ".shx", ".kml", ".kmz", ".dxf")


def sniff_format(data: bytes, filename: str) -> str:
    """'geojson', 'zip', 'gpkg', 'csv', 'xlsx', one of OTHER_KINDS or 'unknown'.

    The content decides (a CSV renamed .geojson is read as CSV); the name only where the
    content says nothing, e.g. a damaged zip or text that is neither JSON nor a table.
    """
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: .xls, or an encrypted .xlsx
        return "xls"
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "image"
    suffix = Path(filename).suffix.lower()
    if suffix in _NOT_READ:
        return "unknown"
    text = _text_head(data).lstrip()
    if text[:1] in ("{", "["):
        return "geojson"
    if text[:1] == "<":
        return "xml"
    first_line = text.split("\n", 1)[0]
    if any(d in first_line for d in ",\t;"):
        return "csv"
    return "unknown" if suffix == ".xls" else _BY_SUFFIX.get(suffix, "geojson")


def named_format(filename: str) -> str | None:
    """The format a file's name says it has ('csv' for data.csv), None if it says none."""
    return _BY_SUFFIX.get(Path(filename).suffix.lower())


def _zip_kind(data: bytes) -> str:
    """'xlsx' for an Excel workbook, 'ods' for an OpenDocument one, else 'zip'."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return "zip"  # reported as a damaged zip there
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and "mimetype" in names:
        return "ods"
    return "zip"


def _text_head(data: bytes) -> str:
    """The start of the file as text, enough to see its first line and first character."""
    head = data[:65536]
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return ""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, "ignore")
    return head.decode("latin-1")  # the ASCII marks looked for are the same in GBK


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
