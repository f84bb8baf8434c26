"""The public board and an issue's public page (issue 14, item 1), signed out: filters, search and
pages kept in the URL, 20 issues a page, the issue page's public facts, never a private field,
stored text escaped, and a plain notice for an unknown issue."""

from __future__ import annotations

import re

import pytest
import shapely

from geo.schema import STAGES
from geo.words import say
from tests.helpers import rendered, run_path
from yishi.services import public
from yishi.services.public import BoardQuery

ISSUE = "I0067"  # implementing, in 和谐社区 (compound 审计局家属院), reporter 虚构居民067
HOSTILE = "<img src=x onerror=alert(1)>**bold**"
#: The demo's reporters are all "虚构居民NNN" with phones 199000000NN.
DEMO_NAME = "虚构居民"
DEMO_PHONE = re.compile(r"1990000\d{4}")
TAG = "分页样本"
CARD = re.compile(r'<a class="pub-card" href="board\?issue=([^&"]+)')


def cards(at) -> list[str]:
    """The issue ids of the board's cards, in order."""
    return [m for h in at.get("html") for m in CARD.findall(h.proto.body)]


def board_html(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html") if "pub-board" in h.proto.body)


def html_text(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def count_line(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**") and ("项" in m.value or "issues" in m.value))


def page_line(at) -> str | None:
    return next((m.group(1) for h in at.get("html")
                 for m in [re.search(r'class="pub-page-no">([^<]+)<', h.proto.body)] if m), None)


@pytest.fixture
def tagged(demo_store):
    """45 extra issues whose titles carry TAG, reported on 45 different days (newest: T045)."""
    rows = [{"issue_id": f"T{n:03d}", "title": f"{TAG} {n}", "category": "other", "focus": "livelihood",
             "stage": "collected", "reported_on": f"2022-0{1 + n // 28}-{1 + n % 28:02d}",
             "geom": shapely.Point(115.6169, 34.4366)} for n in range(1, 46)]
    demo_store.write_batch("issues", rows, by="fixture", source="test")
    return demo_store


# ------------------------------------------------------------------ the service


def test_a_url_query_keeps_only_known_values():
    query = BoardQuery.from_params({"q": "  水表\u200b   冻裂 ", "community": "nowhere", "category": "water",
                                    "stage": "declined", "page": "-3"}, {"411402001007"})
    assert query == BoardQuery(q="水表 冻裂", category="water", status="declined", page=1)
    assert query.to_params() == {"q": "水表 冻裂", "category": "water", "stage": "declined"}
    assert BoardQuery.from_params({"page": "2", "community": "411402001007"}, {"411402001007"}).page == 2


def test_stage_dates_forget_the_stages_after_a_step_back():
    steps = [("2022-01-01", None, "collected"), ("2022-01-02", "collected", "selected"),
             ("2022-01-03", "selected", "stakeholders"), ("2022-01-04", "stakeholders", "selected")]
    assert public.stage_dates(steps, "2022-01-01") == {"collected": "2022-01-01", "selected": "2022-01-04"}


def test_the_public_fields_hold_no_private_one():
    from geo.schema import ISSUES

    assert "reporter_name" in ISSUES.private_fields and "reporter_phone" in ISSUES.private_fields
    assert not set(public.BOARD_COLUMNS) & set(ISSUES.private_fields)


# ------------------------------------------------------------------ the board


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_signed_out_the_board_lists_every_stage_newest_first_20_a_page(demo_store, lang):
    issues = demo_store.load_layer("issues")
    at = run_path("", None, lang)  # "/" opens the board
    shown = cards(at)
    newest = issues.sort_values(["reported_on", "issue_id"], ascending=False)["issue_id"].tolist()
    assert shown == newest[:20]
    assert len({issues.set_index("issue_id").loc[i, "stage"] for i in shown}) > 2  # not only done ones
    assert count_line(at) == f"**{say('pub_count', lang, n=len(issues))}**"
    assert page_line(at) == say("pub_page", lang, n=1, m=-(-len(issues) // 20))


def test_45_issues_make_3_pages_and_next_and_previous_move_through_them(tagged):
    at = run_path("board", None, "zh", q=TAG)
    assert count_line(at) == "**共 45 项**" and page_line(at) == "第 1/3 页"
    assert cards(at) == [f"T{n:03d}" for n in range(45, 25, -1)]
    next_button = next(b for b in at.button if b.label == "下一页")
    next_button.click()
    at.run()
    assert at.query_params["page"] == "2" and at.query_params["q"] == TAG
    assert cards(at) == [f"T{n:03d}" for n in range(25, 5, -1)] and page_line(at) == "第 2/3 页"
    next(b for b in at.button if b.label == "下一页").click()
    at.run()
    assert cards(at) == [f"T{n:03d}" for n in range(5, 0, -1)] and page_line(at) == "第 3/3 页"
    assert next(b for b in at.button if b.label == "下一页").disabled
    next(b for b in at.button if b.label == "上一页").click()
    at.run()
    assert page_line(at) == "第 2/3 页"


def test_a_page_past_the_last_shows_the_last(tagged):
    at = run_path("board", None, "en", q=TAG, page="99")
    assert page_line(at) == "Page 3 of 3" and len(cards(at)) == 5


def test_each_card_links_to_the_issue_page_keeping_the_filters(demo_store):
    at = run_path("board", None, "zh", category="water")
    assert 'href="board?issue=I0067&amp;category=water&amp;lang=zh"' in board_html(at)


def test_filters_come_from_the_url_and_select_the_board(demo_store):
    snap_issues = demo_store.load_layer("issues")
    from yishi.services.snapshot import take_snapshot

    placed = take_snapshot(demo_store).issues
    community = "411402001007"
    expect = placed[(placed["community_id"] == community) & (placed["category"] == "water")]
    at = run_path("board", None, "zh", community=community, category="water")
    assert sorted(cards(at)) == sorted(expect["issue_id"]) and len(expect) > 0
    assert [s.value for s in at.selectbox][:2] == [community, "water"]
    assert count_line(at) == f"**共 {len(expect)} 项**"
    done = run_path("board", None, "zh", stage="done")
    assert at.toggle[0].value is False and done.toggle[0].value is True
    assert count_line(done) == f"**共 {int((snap_issues['stage'] == 'done').sum())} 项**"


def test_choosing_a_community_writes_it_to_the_url_and_goes_back_to_page_1(demo_store):
    at = run_path("board", None, "zh", page="3")
    box = at.selectbox[0]
    box.select("411402001007")
    at.run()
    assert at.query_params["community"] == "411402001007" and "page" not in at.query_params
    from yishi.services.snapshot import take_snapshot

    placed = take_snapshot(demo_store).issues.set_index("issue_id")
    assert cards(at) and all(placed.loc[i, "community_id"] == "411402001007" for i in cards(at))


def test_the_done_toggle_shows_the_old_result_board(demo_store):
    at = run_path("board", None, "zh")
    at.toggle[0].set_value(True)
    at.run()
    assert at.query_params["stage"] == "done"
    issues = demo_store.load_layer("issues").set_index("issue_id")
    assert cards(at) and all(issues.loc[i, "stage"] == "done" for i in cards(at))


@pytest.mark.parametrize("q", ["I0067", "i0067"])
def test_search_by_issue_number(demo_store, q):
    assert cards(run_path("board", None, "zh", q=q)) == [ISSUE]


def test_search_by_words_in_title_or_description(demo_store):
    issues = demo_store.load_layer("issues").set_index("issue_id")
    at = run_path("board", None, "zh", q="垃圾 清运")
    found = cards(at)
    assert found == ["I0128", "I0104", "I0046", "I0042"]
    by_description = cards(run_path("board", None, "zh", q="保温"))  # in I0067's description only
    assert ISSUE in by_description and "保温" not in issues.loc[ISSUE, "title"]
    nothing = run_path("board", None, "en", q="no such words at all")
    assert cards(nothing) == [] and say("pub_none", "en") in board_html(nothing)


def decide_two_reports(store) -> None:
    """I0131 becomes a declined resident's report, I0133 one merged into I0042."""
    store.write_batch("issues", [
        {"issue_id": "I0131", "source": "resident", "triage": "declined", "declined_reason": "不属于本街道"},
        {"issue_id": "I0133", "source": "resident", "triage": "merged", "merged_into": "I0042"},
    ], by="fixture", source="test")


def test_resident_report_states_show_and_filter(demo_store):
    decide_two_reports(demo_store)
    at = run_path("board", None, "zh", stage="declined")
    assert cards(at) == ["I0131"] and "不予受理" in board_html(at) and "群众反映" in board_html(at)
    assert cards(run_path("board", None, "zh", stage="merged")) == ["I0133"]


# ------------------------------------------------------------------ the issue page


def test_the_issue_page_shows_its_public_facts(demo_store):
    demo_store.write_batch("issues", [{"issue_id": ISSUE, "me_too": 3, "result_public": "已加装保温层"}],
                           by="fixture", source="test")
    demo_store.write_batch("ratings", [
        {"rating_id": "R1", "issue_id": ISSUE, "score": 5, "at": "2022-06-01", "via": "code"},
        {"rating_id": "R2", "issue_id": ISSUE, "score": 4, "at": "2022-06-02", "via": "link"}],
        by="fixture", source="test")
    at = run_path("board", None, "zh", issue=ISSUE, community="411402001007")
    assert [s.value for s in at.subheader] == [f"{ISSUE} · 审计局家属院冬季水表井冻裂"]
    page = html_text(at)
    for fact in ("供水/水压", "和谐社区 · 审计局家属院", "落实中", "市水务公司", "3 人附议",
                 "4.50 / 5（2 人评价）"):
        assert fact in page, fact
    stepper = next(h.proto.body for h in at.get("html") if "pub-stepper" in h.proto.body)
    reached = re.findall(r'<li class="pub-(\w+)"[^>]*><span class="pub-step-name">([^<]+)</span>'
                         r'(?:<span class="pub-step-date">([^<]+)</span>)?', stepper)
    assert reached == [("reached", "收集", "2021-11-15"), ("reached", "选准事", "2021-11-17"),
                       ("reached", "挑好人", "2021-11-21"), ("reached", "开好会", "2021-11-28"),
                       ("reached", "达成共识", "2021-11-28"), ("current", "落实中", "2021-11-29"),
                       ("ahead", "已落实", "")]
    assert "已加装保温层" in [m.value for m in at.markdown]
    timeline = next(h.proto.body for h in at.get("html") if "pub-timeline" in h.proto.body)
    assert "<time>2021-11-29</time> 达成共识 → 落实中" in timeline
    assert 'href="board?community=411402001007&amp;lang=zh"' in page  # back, with the filters
    assert 'href="report_issue?compound=C027&amp;lang=zh"' in page


def test_the_timeline_shows_no_names_and_no_notes(demo_store):
    demo_store.write_batch("issue_events", [
        {"event_id": f"{ISSUE}-X1", "issue_id": ISSUE, "at": "2021-12-01", "to_stage": "implementing",
         "by": "督办人乙", "note": "内部督办意见丙", "kind": "comment", "by_role": "staff"},
        {"event_id": f"{ISSUE}-X2", "issue_id": ISSUE, "at": "2021-12-02", "from_stage": "implementing",
         "to_stage": "consensus", "by": "签名人丁", "note": "退回说明戊", "kind": "stage", "by_role": "staff"}],
        by="fixture", source="test")
    demo_store.write_batch("issues", [{"issue_id": ISSUE, "stage": "consensus"}], by="fixture", source="test")
    events = demo_store.load_layer("issue_events", where={"issue_id": ISSUE})
    at = run_path("board", None, "zh", issue=ISSUE)
    page = rendered(at)
    timeline = next(h.proto.body for h in at.get("html") if "pub-timeline" in h.proto.body)
    assert "<time>2021-12-02</time> 落实中 → 达成共识" in timeline  # the step back is a public step
    assert "2021-12-01" not in timeline  # the note is no step
    for secret in ("督办人乙", "内部督办意见丙", "签名人丁", "退回说明戊", *events["by"].dropna()):
        assert secret not in page, secret


def test_no_private_field_reaches_the_board_or_the_issue_page(demo_store):
    demo_store.write_batch("issues", [{"issue_id": ISSUE, "reporter_name": "隐私人甲",
                                       "reporter_phone": "13912345678"}], by="fixture", source="test")
    for at in (run_path("board", None, "zh"), run_path("board", None, "zh", q=ISSUE),
               run_path("board", None, "en", issue=ISSUE)):
        page = rendered(at)  # every element, the map's HTML included
        assert ISSUE in page
        assert "隐私人甲" not in page and "13912345678" not in page
        assert DEMO_NAME not in page and not DEMO_PHONE.search(page)


def test_a_declined_report_shows_its_public_reason_and_a_merged_one_links_on(demo_store):
    decide_two_reports(demo_store)
    declined = run_path("board", None, "zh", issue="I0131")
    assert [w.value for w in declined.warning] == ["这条反映不予受理。  \n原因：不属于本街道"]
    merged = run_path("board", None, "zh", issue="I0133")
    assert [i.value for i in merged.info] == [say("pub_merged", "zh")]
    assert '<a class="pub-merged" href="board?issue=I0042&amp;lang=zh">I0042 · <bdi>物资局小区垃圾清运不及时</bdi>' \
        in html_text(merged)


def test_hostile_text_reaches_the_page_escaped(demo_store):
    demo_store.write_batch("issues", [{"issue_id": ISSUE, "title": HOSTILE, "description": HOSTILE,
                                       "result_public": HOSTILE}], by="fixture", source="test")
    board = run_path("board", None, "zh", q="onerror")
    html = board_html(board)
    assert cards(board) == [ISSUE]
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;**bold**" in html
    issue = run_path("board", None, "zh", issue=ISSUE)
    assert "<img" not in html_text(issue)
    escaped = r"\<img src\=x onerror\=alert\(1\)\>\*\*bold\*\*"
    assert [s.value for s in issue.subheader] == [f"I0067 · {escaped}"]
    assert [m.value for m in issue.markdown].count(escaped) == 2  # description and result


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unknown_issue_gets_a_plain_message(demo_store, lang):
    at = run_path("board", None, lang, issue="I9999")
    assert [w.value for w in at.warning] == [say("pub_no_issue", lang, id="I9999")]
    assert 'class="pub-back"' in html_text(at)
    odd = run_path("board", None, lang, issue="<script>x</script>" + "9" * 80)
    [notice] = [w.value for w in odd.warning]
    assert "<script>" not in notice and "script" in notice


def test_stage_labels_cover_every_status():
    from ui.public_view import status_label

    assert [status_label(s, "zh") for s in public.STATUSES][:len(STAGES.codes)] == \
        [STAGES.label(c, "zh") for c in STAGES.codes]
    assert [status_label(s, "zh") for s in public.TRIAGE_STATUSES] == ["待受理", "已合并", "不予受理"]
