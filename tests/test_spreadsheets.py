"""Spreadsheet uploads (CSV, XLSX): headers in Chinese or English, the encodings Excel writes,
every problem named by sheet row and column, renamed files read as what they are, zip bombs
refused before the workbook is opened, and templates that upload cleanly."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from geo.ingest import UNREADABLE_CODES, Upload, read_upload
from geo.ingest.isolated import read_upload_isolated
from geo.ingest.templates import TEMPLATE_FORMATS, field_guide, template, template_name
from geo.schema import UPLOADABLE

HERE = (115.6169, 34.4366)  # WGS84, inside Shangqiu


def read(data: bytes, filename: str = "venues.csv", layer: str = "venues", **kw) -> Upload:
    return read_upload(data, filename=filename, layer=layer, **kw)


def csv_text(header: str, *rows: str, sep: str = ",") -> str:
    return "\r\n".join([header, *rows]).replace(",", sep) + "\r\n"


def workbook(rows: list[list], *, sheets: dict[str, list[list]] | None = None) -> bytes:
    book = openpyxl.Workbook()
    first = book.active
    for row in rows:
        first.append(row)
    for name, other in (sheets or {}).items():
        sheet = book.create_sheet(name)
        for row in other:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems(up: Upload) -> list[tuple[int | None, str | None, str]]:
    return [(p.feature, p.field, p.code) for p in up.problems]


# ---- headers, encodings, separators -------------------------------------------------------


ZH = csv_text("议事点编号,议事点名称,类型,有牌子,启用日期,经度,纬度",
              f"VC1,东门议事角,议事角,是,2022/6/7,{HERE[0]},{HERE[1]}",
              f"VC2,西门议事亭,议事亭,否,,{HERE[0] + 0.001},{HERE[1]}")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_chinese_csv_in_any_encoding_excel_writes_is_read(encoding):
    up = read(ZH.encode(encoding))
    assert up.ok, up.problems
    assert up.source_format == "csv" and up.rows == (2, 3)
    frame = up.frame
    assert list(frame["venue_id"]) == ["VC1", "VC2"] and list(frame["kind"]) == ["corner", "pavilion"]
    assert list(frame["has_sign"]) == [True, False] and frame.loc[1, "opened_on"] == "2022-06-07"
    assert frame.geometry.iloc[0].x == pytest.approx(HERE[0])
    gbk_note = [n for n in up.notes if n.code == "encoding_used"]
    assert bool(gbk_note) == encoding.startswith("gb")


def test_utf16_tab_separated_text_as_excel_saves_unicode_text():
    up = read(ZH.replace(",", "\t").encode("utf-16"), filename="venues.txt")
    assert up.ok, up.problems
    assert len(up.frame) == 2


@pytest.mark.parametrize("lon, lat", [("经度", "纬度"), ("lng", "lat"), ("LON", "LAT"),
                                      ("Longitude", "Latitude"), ("X", "Y"), ("x", "y"), ("long", "lat")])
def test_english_headers_and_every_accepted_position_column(lon, lat):
    data = csv_text(f"Venue ID;Venue;kind;{lon};{lat}", f"VC1;East gate;Corner;{HERE[0]};{HERE[1]}",
                    sep=";")
    up = read(data.encode())
    assert up.ok, up.problems
    assert up.frame.loc[1, ["venue_id", "name", "kind"]].tolist() == ["VC1", "East gate", "corner"]


def test_a_polygon_layer_reads_a_wkt_column():
    square = "POLYGON((115.61 34.43, 115.62 34.43, 115.62 34.44, 115.61 34.43))"
    data = csv_text("社区编码,社区名称,WKT", f'411402001099,示例社区,"{square}"')
    up = read(data.encode(), "c.csv", "communities")
    assert up.ok, up.problems
    assert up.frame.geometry.iloc[0].geom_type == "Polygon"
    assert up.frame.loc[1, "community_id"] == "411402001099"


# ---- problems name the sheet row and the column ---------------------------------------------


def test_a_bad_or_missing_coordinate_names_row_and_column():
    data = csv_text("venue_id,name,kind,经度,纬度",
                    f"VC1,a,corner,{HERE[0]},{HERE[1]}",
                    ",,,,",
                    f"VC2,b,corner,115°39′,{HERE[1]}",
                    "VC3,c,corner,,")
    up = read(data.encode())
    assert problems(up) == [(2, "经度", "bad_number"), (3, "经度", "missing_coordinate"),
                            (3, "纬度", "missing_coordinate")]
    assert up.rows == (2, 4, 5) and up.row_of(2) == 4  # the blank row 3 is skipped
    bad = up.problems[0]
    assert bad.message_zh == "第 4 行的“经度”是“115°39′”，不是数字"
    assert bad.message == "row 4: '经度' is '115°39′', not a number"
    assert "第 5 行的“纬度”是空的" == up.problems[2].message_zh
    assert list(up.frame.index) == [1] and up.rejected == [2, 3]


@pytest.mark.parametrize("header, missing, closest", [
    ("venue_id,name,kind", "no longitude and no latitude column", ""),
    ("venue_id,name,kind,lng", "no latitude column", ""),
    ("venue_id,name,kind,longtitude,latitude", "no longitude column", "'longtitude' meant to be 'longitude'"),
])
def test_a_missing_position_column_is_one_problem_naming_what_the_file_has(header, missing, closest):
    up = read(csv_text(header, "VC1,a,corner,1,2").encode())
    [problem] = up.problems
    assert (problem.feature, problem.code) == (None, "no_lonlat")
    assert missing in problem.message and "header: venue_id, name, kind" in problem.message
    assert closest in problem.message
    assert "经度" in problem.hint_zh and "lng/lat" in problem.hint


def test_areas_need_a_wkt_column():
    up = read(csv_text("社区编码,社区名称,经度,纬度", "C1,a,115.6,34.4").encode(), "c.csv", "communities")
    assert [p.code for p in up.problems] == ["no_wkt"]
    assert "图形列（WKT）" in up.problems[0].message_zh


@pytest.mark.parametrize("data, code", [
    (b"venue_id,name,kind,lng,lat\r\n", "no_rows"),
    (b"\r\n,,,\r\n", "empty"),
    ("议事点编号,议事点编号,经度,纬度\nV1,V2,1,2\n".encode(), "duplicate_key"),
])
def test_tables_without_rows_or_with_an_ambiguous_header(data, code):
    assert [p.code for p in read(data).problems] == [code]


def test_an_ignored_column_names_the_closest_known_one():
    data = csv_text("议事点编号,名称,类型,经度,纬度,备注", f"VC1,东门,议事角,{HERE[0]},{HERE[1]},x")
    up = read(data.encode())
    notes = {n.field: n for n in up.notes if n.code == "unknown_field"}
    assert set(notes) == {"名称", "备注"}
    assert notes["名称"].hint_zh.startswith("最接近的已知列是“议事点名称”（议事点名称）")
    assert "(Venue)" in notes["名称"].hint
    assert notes["备注"].hint is None  # nothing close: no guess
    assert [p.field for p in up.problems] == ["name"]  # 名称 does not feed the venue's name


# ---- what a file is: by its content, not its name -----------------------------------------------


def test_a_renamed_csv_is_read_as_csv_with_a_note_not_a_json_error():
    up = read(ZH.encode(), filename="venues.geojson")
    assert up.ok and up.source_format == "csv"
    [note] = [n for n in up.notes if n.code == "format_sniffed"]
    assert "a CSV table" in note.message and "已按CSV 表格读取" in note.message_zh


def test_a_workbook_named_csv_is_read_as_xlsx():
    data = workbook([["venue_id", "name", "kind", "lng", "lat"], ["VC1", "a", "corner", *HERE]])
    up = read(data, filename="venues.csv")
    assert up.ok and up.source_format == "xlsx"
    assert any(n.code == "format_sniffed" and "XLSX" in n.message for n in up.notes)


def test_a_geojson_named_csv_is_read_as_geojson():
    data = (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": '
            b'"Point", "coordinates": [115.6169, 34.4366]}, "properties": {"venue_id": "V1", '
            b'"name": "a", "kind": "room"}}]}')
    up = read(data, filename="venues.csv")
    assert up.ok and up.source_format == "geojson"


@pytest.mark.parametrize("data, what, hint", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old Excel file (.xls)", "Save As"),
    (b"%PDF-1.7\n%\xe2\xe3", "a PDF document", "not a printed document"),
    (b"\x89PNG\r\n\x1a\n" + bytes(40), "a picture", "screenshot"),
    (b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"></kml>', "KML", "QGIS"),
])
def test_other_files_are_said_for_what_they_are(data, what, hint):
    up = read(data, filename="venues.geojson")
    [problem] = up.problems
    assert problem.code == "wrong_kind" and problem.code in UNREADABLE_CODES
    assert what in problem.message and hint in problem.hint and problem.message_zh


def test_a_zip_that_is_neither_shapefile_nor_workbook_says_what_it_holds():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("notes.txt", "hello")
    up = read(out.getvalue(), filename="venues.xlsx")
    assert [p.code for p in up.problems] == ["zip_contents"]
    assert "no .shp file" in up.problems[0].message


# ---- XLSX ---------------------------------------------------------------------------------


def test_a_workbook_keeps_ids_exact_and_reads_dates_and_the_layers_sheet():
    rows = [["社区编码", "社区名称", "议事队伍人数", "WKT"],
            [411402001099, "示例社区", 12.0,
             "POLYGON((115.61 34.43, 115.62 34.43, 115.62 34.44, 115.61 34.43))"]]
    data = workbook([["说明"], ["这一页不是数据"]], sheets={"社区": rows})
    up = read(data, "c.xlsx", "communities")
    assert up.ok, up.problems
    assert up.frame.loc[1, "community_id"] == "411402001099" and up.frame.loc[1, "team_size"] == 12
    assert any(n.code == "sheet_used" and "“社区”" in n.message_zh for n in up.notes)


def test_workbook_cells_of_every_type():
    rows = [["议事点编号", "议事点名称", "类型", "有牌子", "启用日期", "经度", "纬度"],
            [1001, "东门", "议事角", True, dt.datetime(2022, 6, 7), *HERE],
            [None] * 7,
            ["V2", "西门", "议事角", "否", dt.date(2022, 1, 2), "东经115度", HERE[1]]]
    up = read(workbook(rows), "v.xlsx")
    assert problems(up) == [(2, "经度", "bad_number")]
    assert "第 4 行" in up.problems[0].message_zh
    assert up.frame.loc[1, ["venue_id", "has_sign", "opened_on"]].tolist() == ["1001", True, "2022-06-07"]


def _bomb(path) -> None:
    """An XLSX-looking zip whose sheet inflates more than 1000 times (written as a stream)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\0" * 2**20
            for _ in range(40):
                member.write(chunk)


def test_a_zipped_workbook_bomb_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    _bomb(path)
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(1))
    up = read(path.read_bytes(), "bomb.xlsx")
    assert [p.code for p in up.problems] == ["too_compressed"] and not opened


def test_a_broken_workbook_is_unreadable_not_a_crash():
    data = workbook([["a"]])
    broken = data.replace(b"xl/workbook.xml", b"xl/workbook.xmm", 1)  # the central directory only
    up = read(broken, "v.xlsx")
    assert up.problems and up.problems[0].code in UNREADABLE_CODES


def test_spreadsheets_are_read_in_the_bounded_child_too():
    up = read_upload_isolated(workbook([["venue_id", "name", "kind", "lng", "lat"],
                                        ["VC1", "a", "corner", *HERE]]), filename="v.xlsx", layer="venues")
    assert up.ok and up.source_format == "xlsx" and up.rows == (2,)
    up = read_upload_isolated(ZH.encode("gbk"), filename="v.csv", layer="venues")
    assert up.ok and len(up.frame) == 2


# ---- the field guide and the templates ----------------------------------------------------------


@pytest.mark.parametrize("layer", UPLOADABLE)
@pytest.mark.parametrize("fmt", TEMPLATE_FORMATS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_template_uploads_cleanly(layer, fmt, lang):
    up = read(template(layer, fmt, lang), template_name(layer, fmt, lang), layer)
    assert up.ok, up.problems
    assert len(up.frame) == 1 and up.source_format == fmt
    assert not [n for n in up.notes if n.code in ("unknown_field", "format_sniffed")]


def test_a_template_has_the_headers_of_the_guide():
    header = template("venues", "csv", "zh").decode("utf-8-sig").splitlines()[0].split(",")
    guide = field_guide("venues", "zh")
    assert header == [g.names[0] for g in guide]  # 经度, 纬度, then each field's Chinese label
    assert template_name("venues", "xlsx", "zh") == "议事点模板.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(template("issues", "xlsx", "en")))
    assert book.sheetnames == ["Issues"] and book.active["A1"].value == "longitude"


def test_the_guide_lists_every_field_with_its_names_type_and_allowed_values():
    guide = {g.label: g for g in field_guide("issues", "en")}
    assert set(guide) >= {"Longitude", "Latitude", "Title", "Category", "Reported on"}
    category = guide["Category"]
    assert category.names == ("类别", "Category") and category.required  # any case: one name
    assert category.allowed.startswith("Parking, Water supply")
    assert guide["Satisfaction"].allowed == "1 – 5" and guide["Reported on"].allowed == "YYYY-MM-DD"
