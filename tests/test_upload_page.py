"""The upload page: report, preview, all-or-nothing commit, history and undo (AppTest)."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.helpers import USERS, dump, run_page

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
    at.file_uploader(key="up_file").set_value((name, payload, "application/geo+json"))
    at.run()
    assert not at.exception, at.exception
    return at


def venues_in(store: Path) -> list:
    return dump(store)["venues"]


def test_a_bad_file_gets_a_report_and_changes_nothing(demo_store_path):
    before = venues_in(demo_store_path)
    at = upload(page(), "bad.geojson", geojson(venue(1, kind="castle"), venue(2, lon=34.4366, lat=115.6169)))
    report = at.dataframe[0].value
    assert set(report["要素序号"]) >= {"1", "2"}
    assert "kind" in set(report["字段"])
    assert at.error and not [b for b in at.button if b.key == "up_confirm"]
    assert venues_in(demo_store_path) == before
    history = at.dataframe[-1].value
    assert "已拒绝" in set(history["状态"])


def test_a_good_file_previews_then_commits_then_undoes(demo_store_path):
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
    # undo the batch from the history
    again.selectbox(key="up_undo_id").set_value(again.selectbox(key="up_undo_id").options[0])
    next(b for b in again.button if b.label == "撤销").click().run()
    assert not again.exception and again.success
    assert venues_in(demo_store_path) == before


def test_english_labels(demo_store_path):
    at = upload(page("en"), "bad.geojson", geojson(venue(1, kind="castle")))
    assert "Problem" in at.dataframe[0].value.columns
