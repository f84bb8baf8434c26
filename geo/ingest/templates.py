"""What to upload for each layer: the field guide, and template files with one example row.

Both are built from the schema and from the names the readers accept
(`geo.ingest.fields.accepted_names`, `geo.ingest.tables`), so they say exactly what an upload
takes; the tests upload every template back. Headers and allowed values are written as labels
in the reader's language (the readers take labels in either language, and codes).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from geo.ingest.fields import accepted_names
from geo.ingest.tables import LAT_NAMES, LON_NAMES, WKT_NAMES
from geo.schema import SHANGQIU_BBOX, Field, Layer, get_layer
from geo.words import base, say

#: The template downloads offered for each layer.
TEMPLATE_FORMATS: tuple[str, ...] = ("geojson", "csv", "xlsx")
#: Where the example row stands (WGS84, central Shangqiu) and the size of its example area.
EXAMPLE_POINT = (115.6505, 34.4150)
_SIDE = 0.002
_DATE = dt.date(2022, 6, 17)

#: One example value per field; (zh, en) where the text is in the reader's language. Fields
#: left out are left blank in the template.
_EXAMPLES: dict[str, dict[str, Any]] = {
    "venues": {"venue_id": "YS-001", "name": ("示例议事角", "Sample corner"), "kind": "corner",
               "has_organisation": True, "has_sign": True, "has_staff": True, "has_rules": True,
               "has_activities": False, "opened_on": _DATE},
    "compounds": {"compound_id": "XQ-001", "name": ("示例小区", "Sample compound"), "households": 320,
                  "built_year": 1998, "is_old_compound": True, "property_management": "company"},
    "issues": {"issue_id": "YT-001", "title": ("示例：小区停车难", "Sample: no parking space"),
               "description": ("晚上车位不够，车辆占用消防通道", "Not enough spaces at night; cars block the fire lane"),
               "category": "parking", "focus": "livelihood", "stage": "collected", "reported_on": _DATE,
               "responsible_unit": ("平原街道办事处", "Pingyuan subdistrict office"),
               "residents_affected": 300},
    "communities": {"community_id": "411402001099", "name": ("示例社区", "Sample community"),
                    "team_size": 12},
}


@dataclass(frozen=True)
class GuideRow:
    """One line of a layer's field guide, in one language."""

    label: str
    #: The column names accepted for it (any case).
    names: tuple[str, ...]
    kind: str
    required: bool
    #: The values it takes: enumeration labels, yes/no, a date form, a range; "" for any text.
    allowed: str


def field_guide(layer_name: str, lang: str = "zh") -> list[GuideRow]:
    """The position first, then every field of `layer_name`, as a person fills a table in."""
    layer = get_layer(layer_name)
    return [*_position_rows(layer, lang), *(_field_row(f, lang) for f in layer.input_fields)]


def _position_rows(layer: Layer, lang: str) -> list[GuideRow]:
    if layer.geometry == "Point":
        degrees = say("upl_guide_degrees", lang)
        min_lon, min_lat, max_lon, max_lat = SHANGQIU_BBOX
        return [GuideRow(say("upl_guide_lon", lang), LON_NAMES, degrees, True, f"{min_lon:g} – {max_lon:g}"),
                GuideRow(say("upl_guide_lat", lang), LAT_NAMES, degrees, True, f"{min_lat:g} – {max_lat:g}")]
    return [GuideRow(say("upl_guide_shape", lang), WKT_NAMES, say("upl_guide_wkt", lang), True,
                     "POLYGON((115.65 34.41, 115.652 34.41, 115.652 34.412, 115.65 34.41))")]


def _field_row(f: Field, lang: str) -> GuideRow:
    return GuideRow(f.label(lang), accepted_names(f), say(f"ingest.expected.{f.type}", lang),
                    f.required, _allowed(f, lang))


def _allowed(f: Field, lang: str) -> str:
    sep = "、" if base(lang) == "zh" else ", "
    if f.enum is not None:
        return sep.join(f.enum.label(code, lang) for code in f.enum.codes)
    if f.type == "bool":
        return say("upl_guide_bool", lang)
    if f.type == "date":
        return "YYYY-MM-DD"
    if f.minimum is not None or f.maximum is not None:
        low = "" if f.minimum is None else f"{f.minimum:g}"
        high = "" if f.maximum is None else f"{f.maximum:g}"
        return say("upl_guide_at_least", lang, n=low) if not high else f"{low} – {high}"
    if f.max_length is not None:
        return say("upl_guide_max_chars", lang, n=f.max_length)
    return ""


# --- templates ---------------------------------------------------------------------------


def template_name(layer_name: str, fmt: str, lang: str = "zh") -> str:
    """The file name of a template download, e.g. 议事点模板.csv."""
    return say("upl_template_file", lang, layer=get_layer(layer_name).label(lang),
               ext="xlsx" if fmt == "xlsx" else fmt)


def template(layer_name: str, fmt: str, lang: str = "zh") -> bytes:
    """A template file for `layer_name` in `fmt` (TEMPLATE_FORMATS): the headers in `lang`
    and one example row that uploads cleanly."""
    layer = get_layer(layer_name)
    header, row = _example(layer, lang)
    if fmt == "geojson":
        return _geojson(layer, header, row)
    if fmt == "csv":
        return _csv(header, row)
    if fmt == "xlsx":
        return _xlsx(layer, header, row, lang)
    raise ValueError(f"unknown template format {fmt!r}; choose one of: {', '.join(TEMPLATE_FORMATS)}")


def _example(layer: Layer, lang: str) -> tuple[list[str], list[Any]]:
    """The header (position columns, then every field's label) and the example row."""
    zh = base(lang) == "zh"
    values = _EXAMPLES.get(layer.name, {})
    header: list[str] = [f.label(lang) for f in layer.input_fields]
    row: list[Any] = []
    for f in layer.input_fields:
        v = values.get(f.name, _fallback(f))
        if isinstance(v, tuple):
            v = v[0] if zh else v[1]
        elif f.enum is not None and v is not None:
            v = f.enum.label(v, lang)
        elif isinstance(v, bool):
            v = say("upl_yes" if v else "upl_no", lang)
        row.append(v)
    if layer.geometry == "Point":
        header = (["经度", "纬度"] if zh else ["longitude", "latitude"]) + header
        row = [*EXAMPLE_POINT, *row]
    else:
        header = ["WKT", *header]
        row = [_square_wkt(), *row]
    return header, row


def _fallback(f: Field) -> Any:
    """A valid value for a required field without an example (a field added to the schema later)."""
    if not f.required:
        return None
    if f.enum is not None:
        return f.enum.codes[0]
    return {"str": "1", "int": int(f.minimum or 1), "float": float(f.minimum or 1), "bool": True,
            "date": _DATE}[f.type]


def _square() -> list[tuple[float, float]]:
    x, y = EXAMPLE_POINT
    return [(x, y), (x + _SIDE, y), (x + _SIDE, y + _SIDE), (x, y + _SIDE), (x, y)]


def _square_wkt() -> str:
    return "POLYGON((" + ", ".join(f"{x:g} {y:g}" for x, y in _square()) + "))"


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def _geojson(layer: Layer, header: list[str], row: list[Any]) -> bytes:
    if layer.geometry == "Point":
        geometry = {"type": "Point", "coordinates": list(row[:2])}
        props = dict(zip(header[2:], row[2:]))
    else:
        geometry = {"type": "Polygon", "coordinates": [[list(p) for p in _square()]]}
        props = dict(zip(header[1:], row[1:]))
    feature = {"type": "Feature", "properties": {k: _plain(v) for k, v in props.items()},
               "geometry": geometry}
    return json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False,
                      indent=1).encode("utf-8")


def _csv(header: list[str], row: list[Any]) -> bytes:
    """UTF-8 with a BOM, so that Excel opens the Chinese right; CRLF rows (RFC 4180)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerow(["" if v is None else _plain(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _xlsx(layer: Layer, header: list[str], row: list[Any], lang: str) -> bytes:
    """A workbook with one sheet named like the layer; ids stay text, dates are date cells."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = layer.label(lang)
    sheet.append(header)
    sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        if isinstance(cell.value, dt.date):
            cell.number_format = "yyyy-mm-dd"
    for column, name in zip(sheet.columns, header):
        sheet.column_dimensions[column[0].column_letter].width = max(10, min(40, 2 * len(name) + 4))
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
