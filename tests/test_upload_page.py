"""The upload page: field guide and templates, report, preview, all-or-nothing commit, the
upload history (local time) and undo after a second step (AppTest)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.ingest.templates import template, template_name
from tests.helpers import USERS, dump, run_page
from yishi.services import workflow
from yishi.storage import open_store

ROOT = Path(__file__).resolve().parent.parent


def venue(i: int, lon: float = 115.6169, lat: float = 34.4366, **props) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"venue_id": f"VT{i:03d}", "name": f"测试议事角{i}", "kind": "corner", **props}}


def geojson(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)},
                      ensure_ascii=False).encode("utf-8")


def page(lang: str = "zh") -> AppTest:
    return run_page("upload.py", USERS["staff"], lang)


def upload(at: AppTest, name: str, payload: bytes) -> AppTest:
    at.file_uploader(key="up_file").set_value((name, payload, "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    return at


def table(at: AppTest, column: str) -> pd.DataFrame:
    """The first table or dataframe on the page with a column headed `column`."""
    for element in [*at.table, *at.dataframe]:
        frame = element.value
        if column in frame.columns:
            return frame
    raise AssertionError(f"no table with a column {column!r}")


def history(at: AppTest) -> pd.DataFrame:
    return table(at, "状态")


def texts(elements) -> str:
    return "\n".join(e.value for e in elements)


def venues_in(store: Path) -> list:
    return dump(store)["venues"]


def test_a_bad_file_gets_a_report_and_changes_nothing(demo_store_path, store_size):
    before = venues_in(demo_store_path)
    at = upload(page(), "bad.geojson", geojson(venue(1, kind="castle"), venue(2, lon=34.4366, lat=115.6169)))
    report = table(at, "问题")
    assert set(report["要素序号"]) >= {"1", "2"}
    assert {"类型", "位置"} <= set(report["字段"])  # fields by their labels
    assert at.error and not [b for b in at.button if b.key == "up_confirm"]
    assert venues_in(demo_store_path) == before
    assert list(history(at)["状态"]) == ["未导入（有问题）"]


def test_a_good_file_previews_then_commits_then_undoes(demo_store_path, store_size):
    before = venues_in(demo_store_path)
    at = upload(page(), "good.geojson", geojson(venue(1), venue(2, lon=115.62)))
    assert [m.value for m in at.metric][:3] == ["2", "0", "0"]
    assert venues_in(demo_store_path) == before  # previewing writes nothing
    at.button(key="up_confirm").click().run()
    assert any("批次" in s.value for s in at.success)
    assert len(venues_in(demo_store_path)) == len(before) + 2
    # the same file again: nothing to import
    again = upload(page(), "good.geojson", geojson(venue(1), venue(2, lon=115.62)))
    assert [m.value for m in again.metric][:3] == ["0", "0", "2"]
    # undo the batch from the history, after the second step
    again.button(key="up_undo_start").click().run()
    again.button(key="up_undo_yes").click().run()
    assert not again.exception and again.success
    assert venues_in(demo_store_path) == before


def test_english_labels(demo_store_path):
    at = upload(page("en"), "bad.geojson", geojson(venue(1, kind="castle")))
    assert "Feature" in table(at, "Problem").columns
    assert list(table(at, "Status")["Status"]) == ["Refused (problems)"]


# ---- what to upload: the field guide and the templates ------------------------------------


def test_the_page_says_what_to_upload_for_the_chosen_layer(demo_store_path):
    at = page()
    guide = table(at, "可用的列名").set_index("字段")
    assert guide.loc["经度", "可用的列名"] == "经度、lng、lon、long、longitude、X"
    assert guide.loc["议事点名称", "可用的列名"] == "议事点名称、Venue、name"
    assert guide.loc["议事点名称", "必填"] == "是" and guide.loc["启用日期", "必填"] == "否"
    assert guide.loc["类型", "可选值 / 格式"] == "议事室、议事亭、议事角、议事长廊"
    assert guide.loc["有牌子", "类型"] == "是/否" and guide.loc["启用日期", "可选值 / 格式"] == "YYYY-MM-DD"
    assert [b.proto.label for b in at.download_button] == ["GeoJSON 模板", "CSV 模板", "Excel 模板"]
    at.selectbox(key="_up_layer_zh").set_value("communities").run()
    guide = table(at, "可用的列名").set_index("字段")
    assert guide.index[0] == "范围（图形）" and "WKT" in guide.iloc[0]["可用的列名"]
    assert "社区名称" in guide.index


def test_the_guide_in_english(demo_store_path):
    guide = table(page("en"), "Accepted column names").set_index("Field")
    assert guide.loc["Kind", "Allowed values / format"] == "Room, Pavilion, Corner, Corridor"
    assert guide.loc["Venue", "Required"] == "yes" and guide.loc["Longitude", "Type"] == "a number (degrees)"


@pytest.mark.parametrize("layer, fmt, lang", [("venues", "csv", "zh"), ("communities", "xlsx", "en"),
                                              ("issues", "geojson", "zh")])
def test_a_downloaded_template_uploads_cleanly(demo_store_path, layer, fmt, lang):
    at = page(lang)
    at.selectbox(key=f"_up_layer_{lang}").set_value(layer).run()
    at = upload(at, template_name(layer, fmt, lang), template(layer, fmt, lang))
    assert not at.error and not at.warning, texts(at.error) + texts(at.warning)
    assert [m.value for m in at.metric][:4] == ["1", "0", "0", "0"]
    assert at.button(key="up_confirm")


# ---- spreadsheets through the page ------------------------------------------------------------


BAD_CSV = ("议事点编号,名称,类型,经度,纬度\r\n"
           "VC1,东门议事角,议事角,115.6169,34.4366\r\n"
           ",,,,\r\n"
           "VC2,西门议事角,议事角,abc,34.4366\r\n").encode("gbk")


def test_a_csv_report_names_the_sheet_row_and_column_and_the_ignored_column(demo_store_path):
    before = venues_in(demo_store_path)
    at = upload(page(), "议事点.csv", BAD_CSV)
    report = table(at, "问题")
    rows = report[report["字段"] == "经度"]
    assert list(rows["表格行号"]) == ["4"]  # the header is row 1, the blank row 3 is skipped
    assert list(rows["问题"]) == ["第 4 行的“经度”是“abc”，不是数字"]
    assert "有 1 列没有使用：" in texts(at.warning)
    ignored = table(at, "未使用的列")
    assert list(ignored["未使用的列"]) == ["名称"]
    assert "议事点名称" in ignored["建议"].iloc[0]
    assert venues_in(demo_store_path) == before


def test_a_renamed_csv_is_read_as_a_table_not_as_broken_json(demo_store_path):
    data = "venue_id,name,kind,lng,lat\nVC1,东门议事角,corner,115.6169,34.4366\n".encode()
    at = upload(page(), "venues.geojson", data)
    assert "CSV 表格" in texts(at.info) and "已按CSV 表格读取" in texts(at.info)
    assert not at.error
    assert [m.value for m in at.metric][:1] == ["1"]


# ---- history and undo ------------------------------------------------------------------------


def _stored_at(store_path: Path) -> str:
    with open_store(store_path) as store:
        return store.history().iloc[0]["at"]


@pytest.mark.parametrize("zone, hours", [(None, 8), ("UTC", 0)])
def test_the_history_lists_uploads_only_in_local_time(demo_store_path, monkeypatch, zone, hours):
    if zone:
        monkeypatch.setenv("YISHI_TIMEZONE", zone)
    at = page()
    assert "还没有上传过文件。" in texts(at.info)  # the demo build is not an upload
    with open_store(demo_store_path) as store:  # issue work is not an upload either
        workflow.create_issue(store, lon=115.6169, lat=34.4366, title="路灯不亮", category="other",
                              by="staff", user=USERS["staff"])
    at = upload(page(), "good.geojson", geojson(venue(1), venue(2, lon=115.62)))
    at.button(key="up_confirm").click().run()
    stored = datetime.fromisoformat(_stored_at(demo_store_path))
    [row] = history(at).to_dict("records")
    local = (stored.replace(tzinfo=None) + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")
    assert row == {"批次": row["批次"], "时间": local, "上传人": "staff", "文件": "good.geojson",
                   "图层": "议事点", "新增": 2, "更新": 0, "拒绝": 0, "状态": "已导入"}
    assert f"（{zone or 'Asia/Shanghai'}）" in texts(at.caption)


def test_undo_asks_first_then_says_how_many_rows_went_and_came_back(demo_store_path):
    with open_store(demo_store_path) as store:
        old = store.load_layer("venues").iloc[0]
    changed = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [old.geometry.x, old.geometry.y]},
               "properties": {"venue_id": old["venue_id"], "name": "改名的议事点", "kind": old["kind"]}}
    before = venues_in(demo_store_path)
    at = upload(page(), "mixed.geojson", geojson(venue(1), changed))
    assert [m.value for m in at.metric][:2] == ["1", "1"]
    at.button(key="up_confirm").click().run()
    after_import = venues_in(demo_store_path)
    assert after_import != before

    at = page()
    at.button(key="up_undo_start").click().run()  # the first step only asks
    assert venues_in(demo_store_path) == after_import
    question = texts(at.warning)
    assert "将删除这次新增的 1 条" in question and "这次更新的 1 条恢复为导入前的内容" in question
    assert at.button(key="up_undo_yes").proto.type == "primary"
    at.button(key="up_undo_no").click().run()  # cancelled: nothing happens
    assert not [b for b in at.button if b.key == "up_undo_yes"]
    assert venues_in(demo_store_path) == after_import

    at.button(key="up_undo_start").click().run()
    at.button(key="up_undo_yes").click().run()
    assert not at.exception
    assert texts(at.success).endswith("删除新增的 1 条，恢复更新前的 1 条。")
    assert list(history(at)["状态"]) == ["已撤销"]
    assert venues_in(demo_store_path) == before
    assert not [b for b in at.button if b.key == "up_undo_start"]  # nothing left to undo


# ---- the audit page (admins) ------------------------------------------------------------------


def test_admins_read_every_other_write_on_the_audit_page(demo_store_path):
    with open_store(demo_store_path) as store:
        workflow.create_issue(store, lon=115.6169, lat=34.4366, title="路灯不亮", category="other",
                              by="staff", user=USERS["staff"])
    at = run_page("audit.py", USERS["admin"])
    log = table(at, "操作")
    assert {"新建议题", "生成演示数据"} <= set(log["操作"])
    newest = log.iloc[0]
    assert (newest["操作"], newest["操作人"]) == ("新建议题", "staff")
    assert len(newest["时间"]) == len("2022-06-17 08:00")
