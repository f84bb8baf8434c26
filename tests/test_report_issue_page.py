"""The residents' report form 我要反映 (AppTest): a report saved with a tracking code, "already
reported nearby?" with a counted "me too", the 6th report from one address refused with nothing
written, the honeypot, a place preselected by a poster's link, and hostile text kept as text."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.schema import OPEN_STAGES
from yishi.services import limits, residents
from yishi.storage import open_store
from ui import resident_forms as rf
from tests.helpers import dump, rendered, run_page, run_path

#: A first line short enough to be the whole title, then more markdown tricks.
HOSTILE = "<script>1</script>**粗**[a](http://e)\n![x](http://evil.example/x.png) :red[红] <img src=x onerror=alert(1)>"


def venue_point(path, venue_id: str = "V001") -> tuple[float, float]:
    with open_store(path) as store:
        venues = store.load_layer("venues")
    geom = venues.loc[venues["venue_id"] == venue_id, "geometry"].iloc[0]
    return round(geom.x, 6), round(geom.y, 6)


def fill(at: AppTest, *, category: str = "environment", description: str = "垃圾桶满了没人清",
         name: str = "", phone: str = "", website: str = "", point: tuple[float, float] | None = None) -> AppTest:
    """Fill the form as a resident would (the place straight into the session when given) and send it."""
    if point is not None:
        at.session_state[rf.POINT] = point
    lang = at.session_state["lang"]
    at.selectbox(key=f"_{rf.CATEGORY}_{lang}").select(category).run()
    at.text_area(key="res_description").input(description)
    at.text_input(key="res_name").input(name)
    at.text_input(key="res_phone").input(phone)
    at.text_input(key=rf.HONEYPOT).input(website)
    at.button(key="res_submit").click().run()
    assert not at.exception, at.exception
    return at


def receipt_code(at: AppTest) -> str:
    codes = [c.value for c in at.code]
    assert len(codes) == 1, [e.value for e in at.error]
    return codes[0]


def count(path, layer: str) -> int:
    with open_store(path) as store:
        return len(store.load_layer(layer))


def open_issue(path) -> dict:
    """An open demo issue (one that may take a "me too"), with its point."""
    with open_store(path) as store:
        issues = store.load_layer("issues")
    row = issues[issues["stage"].isin(OPEN_STAGES)].iloc[0]
    return {"issue_id": row["issue_id"], "category": row["category"], "title": row["title"],
            "point": (round(row.geometry.x, 6), round(row.geometry.y, 6)), "me_too": 0 if pd.isna(row["me_too"]) else int(row["me_too"])}


# ------------------------------------------------------------------ a report, saved


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_resident_reports_and_gets_a_tracking_code(demo_store_path, lang, store_size):
    before = count(demo_store_path, "issues")
    at = run_page("report_issue.py", None, lang)
    assert at.text_area(key="res_description").max_chars == 500
    fill(at, point=venue_point(demo_store_path), description="路灯坏了三天，晚上很黑",
         name="王阿姨", phone="13900001111")

    code = receipt_code(at)
    assert at.success[0].value == ("已收到您的反映" if lang == "zh" else "Your report is in")
    with open_store(demo_store_path) as store:
        issue_id = residents.follow(store, code)
        row = store.get_row("issues", issue_id, include_private=True)
        tracking = store.load_layer("tracking")
    assert count(demo_store_path, "issues") == before + 1
    assert (row["stage"], row["source"], row["triage"], row["category"]) == (
        "collected", "resident", "pending", "environment")
    assert (row["description"], row["reporter_name"], row["reporter_phone"]) == (
        "路灯坏了三天，晚上很黑", "王阿姨", "13900001111")
    assert code not in set(tracking["code_hash"])  # kept hashed only
    # the receipt links to the tracking page with the code, and shows no personal data
    link = at.get("page_link")[0].proto
    assert link.page.endswith("track") or "track" in link.page, link
    assert "13900001111" not in rendered(at) and "王阿姨" not in rendered(at)
    # "report another" brings back an empty form
    at.button(key="res_another").click().run()
    assert at.text_area(key="res_description").value == ""
    assert at.session_state[rf.POINT] is None


def test_a_second_click_right_after_a_save_writes_nothing(demo_store_path):
    at = run_page("report_issue.py", None)
    fill(at, point=venue_point(demo_store_path))
    # a double click's second submission meets the receipt, which has no form to send
    assert len(at.code) == 1 and not [b for b in at.button if b.key == "res_submit"]
    before = dump(demo_store_path)
    at.button(key="res_another").click().run()
    at.button(key="res_submit").click().run()  # the emptied form sent again at once
    assert dump(demo_store_path) == before
    assert not at.code
    assert "已保存" in " ".join(i.value for i in at.info)


def test_every_problem_is_shown_beside_its_field_and_nothing_is_written(demo_store_path):
    before = dump(demo_store_path)
    at = run_page("report_issue.py", None)
    at.text_area(key="res_description").input("   ")
    at.button(key="res_submit").click().run()
    assert dump(demo_store_path) == before
    errors = " ".join(e.value for e in at.error)
    assert "请先选择位置" in errors
    assert "请填写类别" in errors
    assert "请填写描述" in errors
    assert "议题" not in errors.replace("议事", "")  # no word about a title the form does not ask for
    assert not at.code


def test_a_place_outside_the_subdistrict_is_refused_in_plain_words(demo_store_path):
    before = dump(demo_store_path)
    at = run_page("report_issue.py", None)
    fill(at, point=(116.5, 39.9))  # Beijing
    assert dump(demo_store_path) == before
    errors = " ".join(e.value for e in at.error)
    assert "不在本街道范围内" in errors
    assert "经度" not in errors  # no bounding box for a resident


# ------------------------------------------------------------------ where, from a poster's link


def test_a_posters_link_preselects_its_venue_and_the_report_goes_there(demo_store_path, store_size):
    at = run_path("report_issue", None, "zh", venue="V001")
    assert at.selectbox(key="_res_place_zh").value == "venue:V001"
    assert "平原街道协商议事室" in at.success[0].value
    fill(at)
    code = receipt_code(at)
    with open_store(demo_store_path) as store:
        row = store.get_row("issues", residents.follow(store, code))
    assert (round(row["geom"].x, 6), round(row["geom"].y, 6)) == venue_point(demo_store_path)


def test_a_compound_link_preselects_the_compound(demo_store_path):
    at = run_path("report_issue", None, "en", compound="C002")
    assert at.selectbox(key="_res_place_en").value == "compound:C002"
    assert "Compound · 清华园" in at.success[0].value


def test_a_citys_compounds_and_venues_are_drawn_only_near_the_chosen_place(demo_store_path, monkeypatch):
    """3,600 markers covered a phone's map: above MARKERS_MAX only those near the point."""
    from ui import maps
    from ui.maps import nearby

    drawn = []
    build = maps.build_map

    def spy(**kw):
        drawn.append((set(kw["compounds"]["compound_id"]), set(kw["venues"]["venue_id"])))
        return build(**kw)

    monkeypatch.setattr(maps, "build_map", spy)
    run_path("report_issue", None, "zh", venue="V001")
    every_compound, every_venue = drawn[-1]
    assert "V001" in every_venue and len(every_venue) > 5  # the demo: all of them
    monkeypatch.setattr(nearby, "MARKERS_MAX", 10)
    run_path("report_issue", None, "zh")
    assert drawn[-1] == (set(), set())  # no place yet: the outlines only
    run_path("report_issue", None, "zh", venue="V001")
    compounds, venues = drawn[-1]
    assert "V001" in venues and compounds and venues < every_venue and compounds < every_compound


def test_an_unknown_place_in_the_link_preselects_nothing(demo_store_path):
    at = run_path("report_issue", None, "zh", venue="V999<b>")
    assert at.selectbox(key="_res_place_zh").value is None
    assert rf.POINT not in at.session_state
    assert "还没有选择位置" in at.info[0].value


# ------------------------------------------------------------------ already reported nearby?


def test_a_nearby_report_of_the_same_kind_is_offered_and_me_too_is_counted(demo_store_path, store_size):
    target = open_issue(demo_store_path)
    before_issues = count(demo_store_path, "issues")
    at = run_page("report_issue.py", None, res_point=target["point"])
    at.selectbox(key=f"_{rf.CATEGORY}_zh").select(target["category"]).run()
    offer = " ".join(m.value for m in at.markdown)
    assert "可能已有人反映" in offer and target["title"][:6] in offer
    at.button(key=f"res_me_too_{target['issue_id']}").click().run()

    code = receipt_code(at)
    assert at.success[0].value == "已记下您的附议"
    assert f"共有 {target['me_too'] + 1} 人附议" in " ".join(m.value for m in at.markdown)
    with open_store(demo_store_path) as store:
        assert residents.follow(store, code) == target["issue_id"]
        assert store.get_row("issues", target["issue_id"])["me_too"] == target["me_too"] + 1
    assert count(demo_store_path, "issues") == before_issues  # a voice, not a new issue

    # one "me too" per issue per browser session: the offer now says so, with no button
    at.button(key="res_another").click().run()
    at.session_state[rf.POINT] = target["point"]
    at.selectbox(key=f"_{rf.CATEGORY}_zh").select(target["category"]).run()
    assert not [b for b in at.button if b.key == f"res_me_too_{target['issue_id']}"]
    assert "您已经为这件事附议过了" in " ".join(c.value for c in at.caption)
    assert f"· {target['me_too'] + 1} 人附议" in " ".join(m.value for m in at.markdown)  # counted, shown


def test_another_category_offers_nothing(demo_store_path):
    target = open_issue(demo_store_path)
    other = "other" if target["category"] != "other" else "parking"
    at = run_page("report_issue.py", None, res_point=target["point"])
    at.selectbox(key=f"_{rf.CATEGORY}_zh").select(other).run()
    assert not [b for b in at.button if (b.key or "").startswith("res_me_too_")
                and b.key == f"res_me_too_{target['issue_id']}"]


# ------------------------------------------------------------------ abuse


def test_the_sixth_report_from_one_address_is_refused_and_nothing_is_written(demo_store_path, monkeypatch):
    monkeypatch.setattr(rf, "client_key", lambda: "ip:203.0.113.7")
    point = venue_point(demo_store_path)
    at = run_page("report_issue.py", None)
    for n in range(5):
        fill(at, point=point, description=f"第{n + 1}个问题")
        receipt_code(at)
        at.button(key="res_another").click().run()
    # the same address from another browser session: still the 6th
    other = run_page("report_issue.py", None)
    before_issues, before = count(demo_store_path, "issues"), dump(demo_store_path)
    fill(other, point=point, description="第6个问题")
    assert count(demo_store_path, "issues") == before_issues
    assert dump(demo_store_path) == before
    assert not other.code
    refusal = " ".join(e.value for e in other.error)
    assert "提交过于频繁" in refusal and "分钟后再试" in refusal


def test_a_refused_report_does_not_use_up_the_limit(demo_store_path, monkeypatch):
    monkeypatch.setattr(rf, "client_key", lambda: "ip:203.0.113.8")
    at = run_page("report_issue.py", None)
    for n in range(6):  # six attempts without a place: each refused for that, not for the limit
        fill(at, description=f"没选位置{n}")
        assert "提交过于频繁" not in " ".join(e.value for e in at.error)
    fill(at, point=venue_point(demo_store_path), description="这次选了位置")
    receipt_code(at)


def test_without_an_address_each_browser_session_is_counted_on_its_own(demo_store_path):
    at = run_page("report_issue.py", None)
    assert rf._CLIENT not in at.session_state or at.session_state[rf._CLIENT]
    for n in range(5):
        fill(at, point=venue_point(demo_store_path), description=f"问题{n}")
        receipt_code(at)
        at.button(key="res_another").click().run()
    fill(at, point=venue_point(demo_store_path), description="问题6")
    assert "提交过于频繁" in " ".join(e.value for e in at.error)


def test_me_too_is_limited_per_address(demo_store_path, monkeypatch):
    monkeypatch.setattr(rf, "client_key", lambda: "ip:203.0.113.9")
    for _ in range(limits.ME_TOO.limit):
        limits.ME_TOO.hit("ip:203.0.113.9")
    target = open_issue(demo_store_path)
    at = run_page("report_issue.py", None, res_point=target["point"])
    at.selectbox(key=f"_{rf.CATEGORY}_zh").select(target["category"]).run()
    before = dump(demo_store_path)
    at.button(key=f"res_me_too_{target['issue_id']}").click().run()
    assert dump(demo_store_path) == before
    assert "提交过于频繁" in " ".join(e.value for e in at.error)


def test_a_filled_honeypot_writes_nothing_and_says_only_that_it_failed(demo_store_path):
    at = run_page("report_issue.py", None)
    assert at.text_input(key=rf.HONEYPOT).label == "个人网站"  # named like a real field
    before = dump(demo_store_path)
    fill(at, point=venue_point(demo_store_path), website="http://spam.example")
    assert dump(demo_store_path) == before
    assert not at.code
    assert [e.value for e in at.error] == ["提交未成功，请刷新页面后重试。"]


def test_the_honeypot_is_hidden_from_people_and_screen_readers():
    from pathlib import Path

    css = (Path(rf.__file__).parent / "styles" / "residents.css").read_text()
    assert ".st-key-res_website" in css and "-10000px" in css
    assert 'setAttribute("aria-hidden", "true")' in rf._HIDE_HONEYPOT


# ------------------------------------------------------------------ hostile text


def test_hostile_text_is_stored_as_typed_and_shown_as_text_in_the_nearby_offer(demo_store_path):
    point = venue_point(demo_store_path)
    at = run_page("report_issue.py", None)
    fill(at, point=point, category="parking", description=HOSTILE)
    code = receipt_code(at)
    with open_store(demo_store_path) as store:
        row = store.get_row("issues", residents.follow(store, code))
    assert row["description"] == HOSTILE
    # the next resident there sees it offered, as text
    at2 = run_page("report_issue.py", None, res_point=point)
    at2.selectbox(key=f"_{rf.CATEGORY}_zh").select("parking").run()
    offered = [m.value for m in at2.markdown if "约" in m.value and "米" in m.value]
    assert len(offered) == 1, offered
    for raw in ("<script>", "](http", "**粗**"):
        assert raw not in offered[0], raw
    assert "\\<script\\>" in offered[0]
