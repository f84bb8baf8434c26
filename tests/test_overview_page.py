"""The overview and community pages as a leader uses them (Streamlit AppTest): the clicked issue's
card, the overdue figure that filters to overdue issues, the community comparison sorted by open
issues, table rows that open an issue, the map's radios across a language switch, overdue issues
ringed on the map."""

from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from geo import stats
from geo.schema import STAGES
from geo.words import say
from tests.helpers import USERS, add_accounts, new_app, run_page
from tests.test_dashboard import CITY_ISSUES, build_city
from ui import maps
from ui.maps.card import card_facts, timing
from yishi.accounts import User
from yishi.services.snapshot import take_snapshot
from yishi.storage import Where, open_store

#: Demo issues (data as of 2022-06-17): overdue, in 保湾社区, with a responsible unit.
OVERDUE = "I0053"
#: At stage meeting, with neither a due date nor a responsible unit.
BLANK = "I0094"
TODAY = date(2022, 6, 17)


@pytest.fixture
def snap(demo_store_path):
    with open_store(demo_store_path) as store:
        return take_snapshot(store)


def title(key: str, lang: str) -> str:
    return f"{say(key, lang)} · {say('app_title', lang)}"


def card_text(at: AppTest) -> str:
    """Everything the clicked issue's card shows, as text."""
    return "\n".join(m.value for m in at.get("markdown") if m.value)


def clicked(monkeypatch, issue_id: str) -> None:
    """Make the map report a click on `issue_id` (AppTest cannot click inside the map's frame)."""
    monkeypatch.setattr(maps, "clicked_issue_id", lambda *args, **kwargs: issue_id)


def issue_rows(at: AppTest):
    """The overview's table of issues (the last one on the page)."""
    return at.dataframe[-1].value


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


# ------------------------------------------------------------------ the clicked issue's card


def test_clicked_overdue_issue_shows_a_card_with_its_days_overdue(demo_store_path, snap, monkeypatch):
    clicked(monkeypatch, OVERDUE)
    at = run_page("overview.py", USERS["leader"], "zh")
    issue = snap.issues.set_index("issue_id").loc[OVERDUE]
    late = int(stats.overdue(snap.issues, TODAY).set_index("issue_id").loc[OVERDUE, "days_overdue"])
    text = card_text(at)
    assert issue["title"] in text and "保湾社区" in text
    assert f"阶段：{STAGES.label(issue['stage'], 'zh')}" in text
    assert f"逾期 {late} 天" in text
    assert issue["responsible_unit"] in text
    assert "None" not in text and "nan" not in text
    # no transposed table with a "0" header any more: the only tables are the page's own
    assert all("0" not in [str(c) for c in frame.value.columns] for frame in at.dataframe)
    assert [b.label for b in at.button if b.key == "ov_open"] == [say("open_issue_page", "zh")]


def test_card_of_an_issue_with_blanks_shows_dashes_not_none(demo_store_path, monkeypatch):
    clicked(monkeypatch, BLANK)
    at = run_page("overview.py", USERS["leader"], "en")
    text = card_text(at)
    assert "No due date" in text and "Responsible unit" in text
    assert "Responsible unit: —" in text.replace("\\", "")
    assert "None" not in text and "nan" not in text


def test_card_button_opens_the_issue_page_on_that_issue(demo_store_path, monkeypatch):
    clicked(monkeypatch, OVERDUE)
    at = run_page("overview.py", USERS["leader"], "zh")
    at.button(key="ov_open").click().run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [title("nav_issue", "zh")]
    assert at.session_state["selected_issue"] == OVERDUE


@pytest.mark.parametrize("stage, due, done, expected, late", [
    ("meeting", "2022-06-10", None, "逾期 7 天", True),
    ("meeting", "2022-06-16", None, "逾期 1 天", True),
    ("meeting", "2022-06-17", None, "今天到期", False),
    ("meeting", "2022-06-20", None, "还剩 3 天（2022-06-20）", False),
    ("meeting", None, None, "未定期限", False),
    ("done", "2022-06-10", "2022-06-01", "已落实（2022-06-01）", False),
    ("closed", "2022-06-10", None, "已终止", False),
])
def test_timing_says_days_overdue_or_left_or_done(stage, due, done, expected, late):
    assert timing({"stage": stage, "due_on": due, "done_on": done}, TODAY, "zh") == (expected, late)


def test_timing_speaks_english_in_the_singular_and_plural():
    assert timing({"stage": "meeting", "due_on": "2022-06-16"}, TODAY, "en") == ("1 day overdue", True)
    assert timing({"stage": "meeting", "due_on": "2022-06-07"}, TODAY, "en") == ("10 days overdue", True)


def test_card_facts_never_say_none():
    facts = card_facts({"stage": None, "community_id": None, "responsible_unit": float("nan")}, {},
                       TODAY, "zh")
    assert [value for _, value, _ in facts] == ["—", "已终止", "—", "—"]


def test_community_page_shows_the_same_card(demo_store_path, monkeypatch, store_size):
    clicked(monkeypatch, "I0067")  # 和谐社区, the member's own community
    at = run_page("community.py", USERS["member"], "zh")
    text = card_text(at)
    assert "审计局家属院冬季水表井冻裂" in text and "逾期" in text and "市水务公司" in text
    assert [b.label for b in at.button if b.key == "cm_open"] == [say("open_issue_page", "zh")]


# ------------------------------------------------------------------ overdue: the figure, the URL


def test_overdue_figure_filters_to_overdue_issues_and_back(demo_store_path):
    at = run_page("overview.py", USERS["leader"], "zh")
    everything = len(issue_rows(at))
    button = at.button(key="ov_overdue_kpi")
    assert button.label == say("ov_show_overdue", "zh")
    button.click().run()
    assert not at.exception, at.exception
    rows = issue_rows(at)
    assert len(rows) == 7 == int(metric(at, "逾期")) == int(metric(at, "在办议题"))
    assert at.query_params["overdue_only"] == "1"  # the URL keeps it: a shared link shows the same
    assert at.sidebar.toggle(key="f_overdue").value is True
    at.button(key="ov_overdue_kpi").click().run()
    assert len(issue_rows(at)) == everything
    assert at.button(key="ov_overdue_kpi").label == say("ov_show_overdue", "zh")


def test_a_link_with_overdue_only_opens_the_overdue_issues(demo_store_path):
    at = new_app(USERS["leader"])
    at.query_params["overdue_only"] = "1"
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [title("nav_overview", "zh")]
    assert len(issue_rows(at)) == 7
    assert at.button(key="ov_overdue_kpi").label == say("ov_show_all", "zh")


# ------------------------------------------------------------------ tables


def test_community_comparison_lists_most_open_issues_first(demo_store_path):
    at = run_page("overview.py", USERS["leader"], "zh")
    compare = next(frame.value for frame in at.dataframe if "在办" in frame.value.columns)
    open_ = [int(v) for v in compare["在办"]]
    assert open_ == sorted(open_, reverse=True)
    assert compare.iloc[0]["社区"] == "刘庄社区"  # 8 open issues, the most


def test_selecting_a_row_of_the_issue_table_opens_that_issue(demo_store_path):
    at = run_page("overview.py", USERS["leader"], "zh")
    rows = issue_rows(at)
    wanted = rows.iloc[4]["议题编号"]
    at.session_state["ov_issues_0"] = {"selection": {"rows": [4], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [title("nav_issue", "zh")]
    assert at.session_state["selected_issue"] == wanted
    # back on the overview, no row is still selected (which would switch pages again at once)
    at.switch_page("pages/overview.py").run()
    assert [t.value for t in at.title] == [title("nav_overview", "zh")]


# ------------------------------------------------------------------ the map's radios


def shown(radio, before) -> str:
    """The option a browser shows selected: the value the server sets, a new radio's default,
    or else what the browser already showed for that radio (`before`: (id, label))."""
    if radio.proto.set_value:
        return radio.proto.raw_value
    if radio.id != before[0]:
        return radio.proto.options[radio.proto.default]
    return before[1]


def radio(at: AppTest, label: str):
    return next(r for r in at.radio if r.label == label)


@pytest.mark.parametrize("page, label, code, zh, en", [
    ("overview.py", "color_by", "category", "类别", "Category"),
    ("overview.py", "basemap", "none", "无底图（内网）", "No basemap (intranet)"),
    ("community.py", "basemap", "amap", "高德地图", "AMap (GCJ-02)"),
])
def test_map_radios_keep_their_choice_across_a_language_switch(demo_store_path, page, label, code, zh, en):
    at = run_page(page, USERS["leader"], "zh")
    radio(at, say(label, "zh")).set_value(code).run()
    before = radio(at, say(label, "zh"))
    assert before.value == code
    at.sidebar.radio(key="_lang_radio").set_value("en").run()
    assert not at.exception, at.exception
    after = radio(at, say(label, "en"))
    assert after.value == code
    assert shown(after, (before.id, zh)) == en
    at.sidebar.radio(key="_lang_radio").set_value("zh").run()
    back = radio(at, say(label, "zh"))
    assert back.value == code and shown(back, (after.id, en)) == zh


# ------------------------------------------------------------------ the map: overdue rings


def test_overdue_issues_are_ringed_and_in_the_legend(snap):
    fmap = maps.build_map(subdistrict=snap.subdistrict, communities=snap.communities, venues=snap.venues,
                          issues=snap.issues, lang="zh", today=TODAY)
    (data,) = [e.data for e in maps.assets.walk(fmap)
               if isinstance(e, maps.YishiLayer) and e.builder == "issues"]
    (legend,) = [e.data for e in maps.assets.walk(fmap)
                 if isinstance(e, maps.MapControl) and e.builder == "legend"]
    assert len(data["od"]) == 7
    # the ringed markers are the overdue issues: decode their positions as the browser does
    ys = [data["y0"] + sum(data["dy"][: i + 1]) for i in range(len(data["dy"]))]
    ringed = {maps.issue_at(snap.issues, ys[i] / 1e5, (data["x0"] + data["x"][i]) / 1e5) for i in data["od"]}
    assert ringed == set(stats.overdue(snap.issues, TODAY)["issue_id"])
    assert "逾期 (7)" in legend["html"] and legend["title"] == "图例"
    # without a date no ring, and no due date reaches the page
    plain = maps.build_map(subdistrict=snap.subdistrict, communities=snap.communities, issues=snap.issues)
    assert [e.data["od"] for e in maps.assets.walk(plain)
            if isinstance(e, maps.YishiLayer) and e.builder == "issues"] == [[]]
    assert "2022-" not in fmap.get_root().render().split("YishiMap.issues(")[1].split(");")[0]


# ------------------------------------------------------------------ many subdistricts: the region picker, the roll-up


#: A district leader of the generated city (its district holds one subdistrict, 411402001).
DISTRICT = User("qu", "leader", region_id="411402")


@pytest.fixture(scope="session")
def city_file(tmp_path_factory):
    return build_city(tmp_path_factory.mktemp("city") / "city.sqlite")


@pytest.fixture
def city_path(city_file, tmp_path, monkeypatch):
    """A copy of the generated city store, as the app's store, with a district leader."""
    import shutil

    copy = tmp_path / "city.sqlite"
    shutil.copy(city_file, copy)
    with open_store(copy) as store:
        add_accounts(store, DISTRICT)
    monkeypatch.setenv("YISHI_STORE", str(copy))
    return copy


def issues_in(path, region: str | None = None) -> int:
    with open_store(path) as store:
        where = Where(prefix={"subdistrict_id": (region,)}) if region else Where()
        return int(store.summarise("issues", where)["n"].iloc[0])


def table_count(at: AppTest) -> int:
    """The issue table's count, as its heading says it."""
    (heading,) = [h.value for h in at.subheader if h.value.startswith(say("issues_table", "zh"))]
    return int(heading.rsplit("(", 1)[1].rstrip(")"))


def rollup(at: AppTest):
    return next((f.value for f in at.dataframe if say("db_level", "zh") in f.value.columns), None)


def test_the_demo_has_no_region_picker_and_no_rollup(demo_store_path):
    at = run_page("overview.py", USERS["leader"], "zh")
    assert not [s for s in at.sidebar.selectbox if s.key == "f_region"]
    assert rollup(at) is None
    assert table_count(at) == 137


def test_a_city_shows_the_picker_and_a_rollup_that_sums_up(city_path):
    at = run_page("overview.py", USERS["leader"], "zh")
    picker = at.sidebar.selectbox(key="f_region")
    assert picker.value == ""
    assert [o.strip("\u3000") for o in picker.options[:3]] == ["全部区域", "商丘市", "梁园区"]
    assert len(picker.options) == 1 + 19  # every node of the tree
    table = rollup(at)
    assert table is not None
    assert int(table.iloc[0][say("total", "zh")]) == CITY_ISSUES == table_count(at)
    # its counts are drawn with the reader's thousands separators (a city's 1,000,000)
    [config] = [json.loads(f.proto.columns) for f in at.dataframe if say("db_level", "zh") in f.value.columns]
    assert {name: c["type_config"]["format"] for name, c in config.items() if "type_config" in c} == \
        {say(c, "zh"): "localized" for c in ("total", "open", "overdue", "done")}
    subs = table[table[say("db_level", "zh")] == say("db_level_subdistrict", "zh")]
    assert int(subs[say("total", "zh")].sum()) == CITY_ISSUES
    assert int(table.iloc[0][say("open", "zh")]) == int(metric(at, "在办议题"))
    # picking a district narrows everything to it, and the URL keeps it
    picker.set_value("411402").run()
    assert not at.exception, at.exception
    assert at.query_params["region"] == "411402"
    assert table_count(at) == issues_in(city_path, "411402") < CITY_ISSUES
    assert rollup(at) is None  # one subdistrict: nothing to roll up
    ids = issue_rows(at)["议题编号"].tolist()
    with open_store(city_path) as store:
        assert set(store.select("issues", Where(any_of={"issue_id": tuple(ids)}))["subdistrict_id"]) == {"411402001"}


def test_a_link_with_a_region_opens_that_region(city_path):
    at = new_app(USERS["leader"])
    at.query_params["region"] = "411403"
    at.run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="f_region").value == "411403"
    assert table_count(at) == issues_in(city_path, "411403")


def test_a_district_leader_sees_only_the_district(city_path):
    at = new_app(DISTRICT)
    at.query_params["region"] = "411403"  # another district: not theirs
    at.run()
    assert not at.exception, at.exception
    own = issues_in(city_path, "411402")
    assert table_count(at) == own
    assert at.sidebar.selectbox(key="f_region").value == "411402"
    assert [o.strip("\u3000") for o in at.sidebar.selectbox(key="f_region").options] == ["梁园区", "平原街道"]
    rows = issue_rows(at)
    with open_store(city_path) as store:
        theirs = store.select("issues", Where(any_of={"issue_id": tuple(rows["议题编号"])}))
    assert set(theirs["subdistrict_id"]) == {"411402001"}
    compare = next(frame.value for frame in at.dataframe if "在办" in frame.value.columns)
    assert int(compare["合计"].sum()) == own  # only the district's communities


def test_the_overview_never_loads_the_issue_layer(city_path, monkeypatch):
    """The point of the change: figures, charts, tables, the list and the map ask the store for
    counts and pages; a whole layer of issues is never read."""
    from streamlit import cache_resource

    from yishi.storage.sqlite import SQLiteStore

    cache_resource.clear()
    loaded = []
    original = SQLiteStore.load_layer
    monkeypatch.setattr(SQLiteStore, "load_layer",
                        lambda self, name, **kw: loaded.append(name) or original(self, name, **kw))
    at = run_page("overview.py", USERS["leader"], "zh")
    assert table_count(at) == CITY_ISSUES and loaded  # the small layers were read
    assert "issues" not in loaded and "meetings" not in loaded, loaded


def test_the_keyboard_list_is_capped_with_how_many_more(city_path):
    at = run_page("overview.py", USERS["leader"], "zh")
    (listing,) = [h.proto.body for h in at.get("html") if 'id="yishi-issue-list"' in h.proto.body]
    assert listing.count("<li>") == 200
    assert f"另有 {CITY_ISSUES - 200} 个议题未列出" in listing
