"""The tracking page 进度查询 (AppTest): a code (typed however) finds its report, an unknown one
says only that, look-ups are limited per address, a done issue is rated once per code, the
printed evaluation link rates once per browser and refuses a bad key, and resident text stays text."""

from __future__ import annotations

import pytest

from yishi.accounts import User
from yishi.services import limits, residents
from yishi.storage import open_store
from ui import resident_forms as rf
from tests.helpers import drive_to_done, dump, rendered, run_path

STAFF = User("staff", "staff")
HOSTILE = "<script>alert(1)</script> **粗体** [点我](http://evil.example) ![x](http://evil.example/x.png) :red[红]"


def report(path, description: str = "路灯坏了", *, done: bool = False) -> residents.Receipt:
    """A resident's report at venue V001 (and, with `done`, accepted and worked through to done)."""
    with open_store(path) as store:
        venues = store.load_layer("venues")
        point = venues.loc[venues["venue_id"] == "V001", "geometry"].iloc[0]
        receipt = residents.report(store, lon=point.x, lat=point.y, category="environment",
                                   description=description, name="李师傅", phone="13800002222")
        if done:
            residents.accept(store, receipt.issue_id, user=STAFF)
            drive_to_done(store, receipt.issue_id, STAFF, result="已增设路灯两盏")
    return receipt


def ratings(path) -> list[tuple]:
    with open_store(path) as store:
        frame = store.load_layer("ratings")
    return sorted(zip(frame["issue_id"], frame["score"], frame["comment"], frame["via"]), key=repr)


def rate(at, score: int, comment: str = ""):
    at.radio(key="res_score").set_value(score)
    at.text_area(key="res_comment").input(comment)
    next(b for b in at.button if b.proto.form_id == "res_rate").click().run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    return " ".join(e.value for kind in ("error", "warning", "info", "success") for e in getattr(at, kind))


# ------------------------------------------------------------------ following a report


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "  {spaced}  "])
def test_a_code_typed_in_any_spelling_finds_the_report(demo_store_path, typed):
    receipt = report(demo_store_path)
    code = receipt.code
    given = typed.format(code=code, lower=code.lower(), spaced=code.replace("-", " - "))
    at = run_path("track", None, "zh")
    at.text_input(key="res_code_box").input(given)
    next(b for b in at.button if b.proto.form_id == "res_lookup").click().run()
    page = rendered(at)
    assert receipt.issue_id in page and "路灯坏了" in page
    assert "等待工作人员受理" in texts(at)
    assert "办结后可以在这里为结果打分" in texts(at)
    assert not [r for r in at.radio if r.key == "res_score"]  # nothing to rate before it is done
    assert "李师傅" not in page and "13800002222" not in page


def test_the_receipts_link_opens_the_report(demo_store_path, store_size):
    receipt = report(demo_store_path)
    at = run_path("track", None, "en", code=receipt.code)
    assert receipt.issue_id in rendered(at)
    assert at.text_input(key="res_code_box").value == receipt.code
    # the way back to the board, only where the board is listed
    assert ('class=\\"pub-back\\"' in rendered(at)) == (store_size == "small")


def test_an_unknown_code_says_only_that(demo_store_path):
    report(demo_store_path)
    at = run_path("track", None, "zh", code="ZZZZ-ZZZZ")
    assert texts(at) == "没有找到这个跟踪码。请核对后重试（不区分大小写，短横线可省略）。"
    at = run_path("track", None, "zh", code="<b>x</b>")
    assert texts(at) == "没有找到这个跟踪码。请核对后重试（不区分大小写，短横线可省略）。"


def test_look_ups_are_limited_per_address(demo_store_path, monkeypatch):
    monkeypatch.setattr(rf, "client_key", lambda: "ip:198.51.100.4")
    receipt = report(demo_store_path)
    at = run_path("track", None, "zh")
    for n in range(limits.LOOKUPS.limit):
        at.text_input(key="res_code_box").input(f"AAAA-{n:04d}")
        next(b for b in at.button if b.proto.form_id == "res_lookup").click().run()
        assert "查询过于频繁" not in texts(at)
    at.text_input(key="res_code_box").input(receipt.code)  # even a right code waits now
    next(b for b in at.button if b.proto.form_id == "res_lookup").click().run()
    assert "查询过于频繁" in texts(at) and "分钟后再试" in texts(at)
    assert receipt.issue_id not in rendered(at)


def test_rerunning_the_page_does_not_count_as_another_look_up(demo_store_path, monkeypatch):
    monkeypatch.setattr(rf, "client_key", lambda: "ip:198.51.100.5")
    receipt = report(demo_store_path, done=True)
    at = run_path("track", None, "zh", code=receipt.code)
    for _ in range(limits.LOOKUPS.limit + 2):  # choosing a score, typing: reruns, not look-ups
        at.radio(key="res_score").set_value(3).run()
    assert "查询过于频繁" not in texts(at)


# ------------------------------------------------------------------ rating by code


def test_a_done_issue_is_rated_once_per_code(demo_store_path, store_size):
    receipt = report(demo_store_path, done=True)
    at = run_path("track", None, "zh", code=receipt.code)
    assert "已增设路灯两盏" in rendered(at)
    assert [at.radio(key="res_score").format_func(s) for s in (5, 1)] == ["★★★★★ 很满意", "★ 很不满意"]
    assert at.text_area(key="res_comment").max_chars == 300
    rate(at, 4, "灯亮了，谢谢")
    assert ratings(demo_store_path) == [(receipt.issue_id, 4, "灯亮了，谢谢", "code")]
    assert "谢谢您的评价" in texts(at)
    assert "1 人" in rendered(at) or "(1" in rendered(at)  # the rating shows with its count

    # the same code in another browser: told it was rated already, nothing more written
    before = dump(demo_store_path)
    again = run_path("track", None, "zh", code=receipt.code.lower())
    rate(again, 1, "再来一次")
    assert dump(demo_store_path) == before
    assert "已经评价过" in texts(again)


def test_a_score_is_required(demo_store_path):
    receipt = report(demo_store_path, done=True)
    at = run_path("track", None, "zh", code=receipt.code)
    before = dump(demo_store_path)
    next(b for b in at.button if b.proto.form_id == "res_rate").click().run()
    assert dump(demo_store_path) == before
    assert "请选择评分" in texts(at)


def test_ratings_are_limited_per_address(demo_store_path, monkeypatch):
    monkeypatch.setattr(rf, "client_key", lambda: "ip:198.51.100.6")
    for _ in range(limits.RATINGS.limit):
        limits.RATINGS.hit("ip:198.51.100.6")
    receipt = report(demo_store_path, done=True)
    at = run_path("track", None, "zh", code=receipt.code)
    rate(at, 5)
    assert ratings(demo_store_path) == []
    assert "评价过于频繁" in texts(at)


# ------------------------------------------------------------------ the printed evaluation link


def test_the_printed_link_rates_once_per_browser(demo_store_path):
    receipt = report(demo_store_path, done=True)
    key = residents.rating_key(receipt.issue_id)
    at = run_path("track", None, "zh", issue=receipt.issue_id, key=key)
    assert not [b for b in at.button if b.proto.form_id == "res_lookup"]  # no code needed
    rate(at, 5, "好")
    assert ratings(demo_store_path) == [(receipt.issue_id, 5, "好", "link")]
    # another walk-up resident, another browser: a second rating
    other = run_path("track", None, "zh", issue=receipt.issue_id, key=key)
    rate(other, 3)
    assert len(ratings(demo_store_path)) == 2
    # the first browser, once more (past the thanks): refused by the store's one-per-voter rule
    at.session_state["_res_rated"] = set()
    at.run()
    rate(at, 1)
    assert len(ratings(demo_store_path)) == 2
    assert "已经评价过" in texts(at)


@pytest.mark.parametrize("key", ["", "not-the-key", "{other}"])
def test_a_bad_evaluation_key_is_refused(demo_store_path, key):
    receipt = report(demo_store_path, done=True)
    given = key.format(other=residents.rating_key("I0001"))
    at = run_path("track", None, "zh", issue=receipt.issue_id, key=given)
    assert [e.value for e in at.error] == ["这个评价链接无效。请扫描工作人员张贴的二维码，或核对链接是否完整。"]
    assert not [r for r in at.radio if r.key == "res_score"]
    assert receipt.issue_id not in " ".join(m.value for m in at.markdown)


# ------------------------------------------------------------------ resident text stays text


def test_hostile_text_is_shown_as_text(demo_store_path):
    receipt = report(demo_store_path, HOSTILE, done=True)
    at = run_path("track", None, "zh", code=receipt.code)
    shown = [m.value for m in at.markdown if "alert" in m.value]
    assert shown, "the description is on the page"
    for value in shown:
        for raw in ("<script>", "](http", "![x]", "**粗体**", ":red["):
            assert raw not in value, (raw, value)
    rate(at, 2, HOSTILE[:300])
    assert ratings(demo_store_path)[0][2] == HOSTILE[:300]
