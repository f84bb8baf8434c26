"""The overview's issue table in pages of 50: search, sort, pager (ui.tables.issue_page and its
widgets); only the page's rows reach the browser, the CSV is built only on a download."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.schema import STAGES
from geo.words import say
from tests.helpers import USERS, run_page
from ui import tables
from ui.tables import PAGE_ROWS, issue_page, issue_table
from yishi.services.snapshot import take_snapshot
from yishi.storage import open_store


@pytest.fixture(scope="module")
def snap(demo_store_file):
    with open_store(demo_store_file) as store:
        return take_snapshot(store)


def issues_frame(n: int) -> pd.DataFrame:
    """`n` issues in two communities, every tenth without a due date."""
    return pd.DataFrame({
        "issue_id": [f"I{k:05d}" for k in range(n)],
        "title": [f"{'路灯不亮' if k % 3 else '停车难'}第{k}号" for k in range(n)],
        "stage": [("collected", "meeting", "done")[k % 3] for k in range(n)],
        "category": ["parking"] * n,
        "community_id": ["C1" if k % 2 else "C2" for k in range(n)],
        "compound_id": ["K1" if k % 5 == 0 else None for k in range(n)],
        "due_on": [None if k % 10 == 0 else f"2022-{1 + k % 12:02d}-01" for k in range(n)],
    })


COMMUNITIES = pd.DataFrame({"community_id": ["C1", "C2"], "name": ["保湾社区", "和谐社区"]})
COMPOUNDS = pd.DataFrame({"compound_id": ["K1"], "name": ["烟厂家属院"]})


# ---------------------------------------------------------------------------- the pure function


def test_pages_of_fifty_cover_every_issue_once():
    frame = issues_frame(123)
    seen = []
    for n in (1, 2, 3):
        page = issue_page(frame, communities=COMMUNITIES, page=n)
        assert (page.page, page.pages, page.matches) == (n, 3, 123)
        seen += list(page.rows["issue_id"])
    assert len(seen) == 123 == len(set(seen)) and seen == sorted(seen)
    assert len(issue_page(frame, communities=COMMUNITIES, page=3).rows) == 23


def test_a_page_beyond_the_last_gives_the_last_and_no_rows_give_one_empty_page():
    frame = issues_frame(60)
    assert issue_page(frame, communities=COMMUNITIES, page=9).page == 2
    assert issue_page(frame, communities=COMMUNITIES, page=0).page == 1
    empty = issue_page(frame.iloc[:0], communities=COMMUNITIES)
    assert (empty.page, empty.pages, empty.matches, len(empty.rows)) == (1, 1, 0, 0)


def test_search_looks_in_id_title_community_and_compound_and_needs_every_word():
    frame = issues_frame(100)
    by_title = issue_page(frame, communities=COMMUNITIES, query="停车难", per_page=500)
    assert by_title.matches == 34 and all("停车难" in t for t in by_title.rows["title"])
    by_id = issue_page(frame, communities=COMMUNITIES, query="i00042")  # case does not matter
    assert list(by_id.rows["issue_id"]) == ["I00042"]
    by_community = issue_page(frame, communities=COMMUNITIES, query="保湾", per_page=500)
    assert set(by_community.rows["community_id"]) == {"C1"} and by_community.matches == 50
    by_compound = issue_page(frame, communities=COMMUNITIES, compounds=COMPOUNDS, query="烟厂", per_page=500)
    assert by_compound.matches == 20
    both = issue_page(frame, communities=COMMUNITIES, compounds=COMPOUNDS, query=" 烟厂  停车难 ", per_page=500)
    assert set(both.rows["issue_id"]) == {f"I{k:05d}" for k in range(0, 100, 15)}
    hidden = issue_page(frame, communities=COMMUNITIES, query="停\u200b车难", per_page=500)  # zero-width space
    assert hidden.matches == 34
    assert issue_page(frame, communities=COMMUNITIES, query="没有这个").matches == 0


def test_sort_by_stage_follows_the_procedure_and_missing_values_go_last_both_ways():
    frame = issues_frame(30)
    stages = list(issue_page(frame, communities=COMMUNITIES, sort_by="stage").rows["stage"])
    assert stages == ["collected"] * 10 + ["meeting"] * 10 + ["done"] * 10
    down = list(issue_page(frame, communities=COMMUNITIES, sort_by="stage", descending=True).rows["stage"])
    assert down == ["done"] * 10 + ["meeting"] * 10 + ["collected"] * 10
    for descending in (False, True):
        due = issue_page(frame, communities=COMMUNITIES, sort_by="due_on", descending=descending).rows["due_on"]
        assert due.iloc[-3:].isna().all() and due.iloc[:-3].notna().all()
        present = list(due.iloc[:-3])
        assert present == sorted(present, reverse=descending)
    # equal keys keep issue id order, also descending
    ids = issue_page(frame, communities=COMMUNITIES, sort_by="community", descending=True).rows
    assert list(ids["community_id"][:15]) == ["C2"] * 15  # 和谐 after 保湾 by name
    assert list(ids["issue_id"][:3]) == ["I00000", "I00002", "I00004"]


def test_sorting_by_an_unknown_column_is_refused():
    with pytest.raises(ValueError, match="cannot sort by 'reporter_phone'"):
        issue_page(issues_frame(3), communities=COMMUNITIES, sort_by="reporter_phone")


# ---------------------------------------------------------------------------- the overview's table


def table(at):
    return at.dataframe[-1].value


def caption_with_page(at) -> str:
    return next(c.value for c in at.caption if "页" in c.value or "Page" in c.value)


def test_overview_sends_one_page_and_keeps_the_total_in_the_heading(demo_store_path, snap):
    at = run_page("overview.py", USERS["leader"], "zh")
    total = len(snap.issues)
    assert total > PAGE_ROWS
    assert len(table(at)) == PAGE_ROWS
    assert any(h.value == f"{say('issues_table', 'zh')} ({total})" for h in at.subheader)
    pages = -(-total // PAGE_ROWS)
    assert caption_with_page(at) == f"第 1 / {pages} 页 · 共 {total} 条"
    assert not [b for b in at.button if b.key == "ov_issues_prev"]  # nowhere to go back to
    at.button(key="ov_issues_next").click().run()
    assert caption_with_page(at).startswith(f"第 2 / {pages} 页")
    assert at.button(key="ov_issues_prev").label == "上一页"
    second = table(at)
    expected = sorted(snap.issues["issue_id"])[PAGE_ROWS: 2 * PAGE_ROWS]
    assert list(second["议题编号"]) == expected
    assert any(h.value == f"{say('issues_table', 'zh')} ({total})" for h in at.subheader)


def test_search_and_sort_start_again_at_page_one(demo_store_path, snap):
    at = run_page("overview.py", USERS["leader"], "zh")
    at.button(key="ov_issues_next").click().run()
    at.text_input(key="ov_issues_q").set_value("保湾").run()
    rows = table(at)
    assert set(rows["社区名称"]) == {"保湾社区"}
    in_baowan = int((snap.issues["community_id"].map(tables.community_names(snap.communities)) == "保湾社区").sum())
    assert caption_with_page(at).startswith("第 1 / 1 页") and len(rows) == in_baowan
    at.text_input(key="ov_issues_q").set_value("").run()
    at.selectbox(key="_ov_issues_sort_zh").set_value("stage").run()
    at.toggle(key="ov_issues_desc").set_value(True).run()
    rows = table(at)
    assert caption_with_page(at).startswith("第 1 / ")
    last = max(snap.issues["stage"], key=STAGES.codes.index)  # the procedure's last stage first
    assert rows.iloc[0]["阶段"] == STAGES.label(last, "zh")
    assert list(rows["阶段"]).count(STAGES.label(last, "zh")) == min(PAGE_ROWS, int((snap.issues["stage"] == last).sum()))


def test_a_row_on_the_second_page_opens_that_issue(demo_store_path):
    at = run_page("overview.py", USERS["leader"], "zh")
    at.button(key="ov_issues_next").click().run()
    wanted = table(at).iloc[3]["议题编号"]
    at.session_state["ov_issues_0"] = {"selection": {"rows": [3], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["selected_issue"] == wanted


def test_search_with_no_match_says_so_in_english(demo_store_path):
    at = run_page("overview.py", USERS["leader"], "en")
    at.text_input(key="ov_issues_q").set_value("zzz-nothing").run()
    assert len(table(at)) == 0
    assert any(i.value == say("pg_no_match", "en") for i in at.info)
    assert caption_with_page(at) == "Page 1 of 1 · 0 rows"
    assert not [b for b in at.button if b.key in ("ov_issues_prev", "ov_issues_next")]


def test_csv_is_built_only_on_download_and_holds_every_filtered_issue(demo_store_path, snap, monkeypatch):
    built = []
    original = tables.csv_bytes
    monkeypatch.setattr(tables, "csv_bytes", lambda table: built.append(len(table)) or original(table))
    at = run_page("overview.py", USERS["leader"], "zh")
    at.button(key="ov_issues_next").click().run()
    assert built == []  # three runs, no CSV
    make = tables.lazy_csv_chunks(lambda: [snap.issues], snap.communities, "zh")
    assert make() == original(issue_table(snap.issues, snap.communities, "zh"))
    assert built == [len(snap.issues)]
