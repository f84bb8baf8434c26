"""Staff upload a bad file through the real file input and read the report."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser


def test_uploading_a_bad_file_shows_the_report(app_url, make_page, tmp_path):
    bad = tmp_path / "问题文件.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [34.43, 115.61]},
         "properties": {"venue_id": "VX1", "name": "<img src=x onerror=alert(1)>", "kind": "castle"}},
    ]}, ensure_ascii=False), encoding="utf-8")
    p = make_page()
    p.sign_in(app_url, "staff", "staff-demo-2022")
    p.page.get_by_role("link", name="数据上传").click()
    p.page.get_by_text("导入记录").wait_for()
    p.page.locator("input[type=file]").set_input_files(str(bad))
    p.page.get_by_text("文件有问题，未导入任何数据").wait_for(timeout=60_000)
    report = p.page.locator("[data-testid=stDataFrame]").first
    report.wait_for()
    p.page.wait_for_timeout(500)
    p.screenshot("upload-report")
    assert p.page.get_by_text("共 1 个要素，0 个有效").count() == 1
    assert p.page.locator("img[src=x]").count() == 0
    assert p.errors == [], p.errors


_PUT_A_FILE = """async () => {
  const form = new FormData();
  form.append('file', new Blob(['x'.repeat(200000)]), 'a.geojson');
  const answer = await fetch('/_stcore/upload_file/0f1e2d3c/file-1', {method: 'PUT', body: form});
  return [answer.status, await answer.text()];
}"""
GATE = "uploads need a signed-in account that may upload"


def test_only_signed_in_staff_can_send_files_to_the_server(app_url, make_page):
    """The page's own script, run by a visitor or a leader, cannot park files in server memory."""
    visitor = make_page()
    visitor.page.goto(app_url)
    visitor.page.get_by_text("登录").first.wait_for()
    assert visitor.page.evaluate(_PUT_A_FILE) == [403, json.dumps({"error": GATE}, separators=(",", ":"))]
    leader = make_page()
    leader.sign_in(app_url, "leader", "leader-demo-2022")
    assert leader.page.evaluate(_PUT_A_FILE) == [403, json.dumps({"error": GATE}, separators=(",", ":"))]
    staff = make_page()
    staff.sign_in(app_url, "staff", "staff-demo-2022")
    assert GATE not in staff.page.evaluate(_PUT_A_FILE)[1]  # passed on to Streamlit's own checks
