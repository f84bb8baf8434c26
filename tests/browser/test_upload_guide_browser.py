"""The upload page in Chromium: the field guide is there before any file, a downloaded CSV
template uploads as is, a bad CSV gets a report naming row, column and the ignored column, and
undo asks before it deletes, then says what it did."""

from __future__ import annotations


import pytest

from tests.browser.conftest import private_app

pytestmark = pytest.mark.browser

#: The text of every dataframe on the page (Streamlit draws them on a canvas, with a table for
#: screen readers beside it).
GRID_TEXT = """() => [...document.querySelectorAll('[data-testid=stDataFrame] table')]
  .map(t => t.innerText).join('\\n')"""
BAD_CSV = ("议事点编号,名称,类型,经度,纬度\r\n"
           "VG1,东门议事角,议事角,abc,34.4366\r\n").encode("gbk")


@pytest.fixture(scope="module")
def app(demo_store_file, tmp_path_factory):
    """The app over its own copy of the demo store: these tests import and undo."""
    with private_app(demo_store_file, tmp_path_factory.mktemp("upload-guide")) as (url, _):
        yield url


def open_upload(p, app: str) -> None:
    p.sign_in(app, "staff", "staff-demo-2022", next_path="/upload")
    p.page.get_by_text("导入记录").wait_for(timeout=60_000)


def grid_text(p) -> str:
    return p.page.evaluate(GRID_TEXT)


def test_the_guide_then_a_template_round_trip_then_undo_with_confirmation(app, make_page, tmp_path):
    p = make_page()
    open_upload(p, app)
    guide = p.page.locator("[data-testid=stTable]").first
    guide.wait_for()
    assert p.page.get_by_text("要上传什么：议事点").is_visible()
    assert "议事点名称、Venue、name" in guide.inner_text()
    assert "议事室、议事亭、议事角、议事长廊" in guide.inner_text()

    with p.page.expect_download() as download:
        p.page.get_by_role("button", name="CSV 模板").click()
    assert download.value.suggested_filename == "议事点模板.csv"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    p.page.locator("input[type=file]").set_input_files(str(saved))
    p.page.get_by_text("共 1 个要素，1 个有效，发现 0 个问题。").wait_for(timeout=60_000)
    p.page.get_by_role("button", name="确认导入 1 条变更").click()
    p.page.get_by_text("已导入：批次").wait_for(timeout=60_000)

    p.page.get_by_role("button", name="撤销这次导入…").click()
    question = p.page.get_by_text("确定撤销批次")
    question.wait_for()
    assert "将删除这次新增的 1 条" in question.inner_text()
    assert "已撤销" not in grid_text(p)  # asking changed nothing
    p.page.get_by_role("button", name="确认撤销").click()
    p.page.get_by_text("删除新增的 1 条，恢复更新前的 0 条。").wait_for(timeout=60_000)
    p.page.wait_for_function(f"() => ({GRID_TEXT})().includes('已撤销')")
    assert p.page.get_by_role("button", name="撤销这次导入…").count() == 0
    assert p.errors == [], p.errors


def test_a_bad_csv_gets_its_report(app, make_page, tmp_path):
    bad = tmp_path / "议事点.csv"
    bad.write_bytes(BAD_CSV)
    p = make_page()
    open_upload(p, app)
    p.page.locator("input[type=file]").set_input_files(str(bad))
    p.page.get_by_text("文件有问题，未导入任何数据").wait_for(timeout=60_000)
    p.page.get_by_text("有 1 列没有使用：").wait_for()
    p.page.wait_for_function(f"() => ({GRID_TEXT})().includes('不是数字')")
    assert "第 2 行的“经度”是“abc”，不是数字" in grid_text(p)
    ignored = p.page.locator("[data-testid=stTable]").filter(has_text="未使用的列")
    assert "最接近的已知列是“议事点名称”" in ignored.inner_text()
    assert p.errors == [], p.errors
