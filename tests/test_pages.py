"""Every page renders for every role that may see it, in zh-CN and English (Streamlit AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import words
from tests.helpers import USERS, rendered, run_page, run_path, too_big_to_read_whole
from ui.nav import PAGES, landing_page, pages_for

ROOT = Path(__file__).resolve().parent.parent


def cases():
    for role, user in USERS.items():
        for spec in pages_for(user):
            for lang in ("zh", "en"):
                yield pytest.param(spec.file, role, lang, id=f"{spec.file}-{role}-{lang}")


@pytest.mark.parametrize("file, role, lang", list(cases()))
def test_every_visible_page_renders(demo_store_path, file, role, lang):
    at = run_page(file, USERS[role], lang)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    title = at.title[0].value
    assert ("议事地图" in title) if lang == "zh" else ("Yishi Map" in title)


@pytest.mark.parametrize("role, landing", [(None, "board.py"), ("leader", "overview.py"),
                                           ("member", "community.py"), ("staff", "overview.py"),
                                           ("admin", "overview.py")])
def test_each_role_lands_on_its_page(role, landing):
    assert landing_page(USERS[role]).file == landing


def test_signed_out_sees_only_sign_in_and_public_pages():
    assert [p.file for p in pages_for(None)] == ["board.py", "report_issue.py", "track.py"]


def test_every_listed_page_exists():
    assert all((ROOT / "pages" / p.file).is_file() for p in PAGES)
    listed = {p.file for p in PAGES}
    assert listed == {p.name for p in (ROOT / "pages").glob("*.py")}


HIDDEN = [pytest.param(spec, role, lang, id=f"{spec.file}-{role}-{lang}")
          for role, user in USERS.items() for spec in PAGES if spec.needs and spec not in pages_for(user)
          for lang in ("zh", "en")]


@pytest.mark.parametrize("spec, role, lang", HIDDEN)
def test_a_page_typed_by_url_asks_to_sign_in_or_is_refused(demo_store_path, spec, role, lang):
    """Every page path exists for everyone (a shared link never meets "Page not found"): signed
    out, the page asks to sign in; signed in with a role that may not, it says so. Either way
    the page shows its title and nothing of its content."""
    at = run_path(spec.file.removesuffix(".py"), USERS[role], lang)
    title = f"{words.say(spec.title_key, lang)} · {words.say('app_title', lang)}"
    assert [t.value for t in at.title] == [title]
    if role is None:
        assert [i.value for i in at.info] == [words.say("sign_in_needed", lang)]
        assert ("登录" if lang == "zh" else "sign in") in at.info[0].value
        assert any("/auth/signin" in h.proto.body for h in at.get("html"))
        assert not at.error
    else:
        assert [e.value for e in at.error] == [words.say("refused", lang)]
        assert ("无权" if lang == "zh" else "may not") in at.error[0].value
        assert not at.info
    assert not at.dataframe and not at.metric and not at.get("form") and not at.get("file_uploader")


WHOLE_STORE = {"report.py", "board.py"}


def test_pages_that_read_the_whole_store_leave_the_navigation_of_a_store_too_big_for_them():
    assert {p.file for p in PAGES if p.whole_store} == WHOLE_STORE
    for user in USERS.values():
        assert {p.file for p in pages_for(user, whole_store_fits=False)} == \
            {p.file for p in pages_for(user)} - WHOLE_STORE
    # a member lands on the community page still; signed out, on the residents' report form
    # instead of the board
    assert landing_page(USERS["member"], whole_store_fits=False).file == "community.py"
    assert landing_page(None, whole_store_fits=False).file == "report_issue.py"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_on_a_city_store_such_a_page_says_why_and_never_reads_the_store_whole(demo_store_path, monkeypatch, lang):
    """The demo's 137 issues stand for a city's 10^6 with the limit set below them."""
    too_big_to_read_whole(monkeypatch)
    public = {"board.py"}
    for file in sorted(WHOLE_STORE):
        user = None if file in public else USERS["staff"] if file in ("new_issue.py", "upload.py") else USERS["leader"]
        at = run_path(file.removesuffix(".py"), user, lang)
        [notice] = [i.value for i in at.info]
        assert notice == words.say("nav_too_big", lang, n="100") and not at.error, file
        assert not at.dataframe and not at.metric and not at.get("form") and not at.get("file_uploader")
        [link] = at.get("page_link")
        assert link.proto.label == words.say("nav_overview", lang)
    # the overview still works, and signed out the front door asks to sign in
    at = run_path("overview", USERS["leader"], lang)
    assert at.metric and not at.exception
    # signed out, the front door is the residents' report form, and tracking a report works
    at = run_path("", None, lang)
    assert [t.value for t in at.title][0].startswith(words.say("res_nav_report", lang)) and not at.exception
    at = run_path("track", None, lang)
    assert at.text_input and not at.exception and not at.info


def issue_page(at: AppTest) -> dict[str, list]:
    """What the issue page shows of its issue: headings, lines, tables and actions."""
    return {"subheader": [h.value for h in at.subheader], "markdown": [m.value for m in at.markdown],
            "tables": [d.value.reset_index(drop=True).to_dict() for d in at.dataframe],
            "metric": [m.value for m in at.metric], "buttons": [b.label for b in at.button]}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_on_a_city_store_the_issue_page_shows_the_issue_asked_for_reading_only_it(demo_store_path, monkeypatch,
                                                                                   lang):
    """The overview's map, list and table link to the issue page: it must open at any size."""
    small = run_path("issue", USERS["staff"], lang, issue="I0010")
    too_big_to_read_whole(monkeypatch)
    big = run_path("issue", USERS["staff"], lang, issue="I0010")
    assert not big.exception and not big.error
    assert issue_page(big) == issue_page(small)  # record, place, timeline, notes, meetings, actions
    assert len(big.dataframe) == 4 and len(big.dataframe[3].value) == 6  # no notes yet; I0010's six meetings
    assert big.selectbox(key="_issue_pick").options == ["I0010 · 西城印象问题楼盘分房分歧"]  # the one asked for
    assert len(small.selectbox(key="_issue_pick").options) == 137
    assert words.say("iss_open_from_overview", lang) in [c.value for c in big.caption]
    assert words.say("iss_open_from_overview", lang) not in rendered(small)

    # nothing asked for: the way to find one, no issue; an unknown one: not found
    empty = run_path("issue", USERS["staff"], lang)
    assert not empty.exception and empty.selectbox(key="_issue_pick").options == [] and not empty.dataframe
    assert words.say("iss_open_from_overview", lang) in [c.value for c in empty.caption]
    missing = run_path("issue", USERS["staff"], lang, issue="I9999")
    assert [e.value for e in missing.error] == [words.say("iss_not_found", lang, issue_id="I9999")]

    # a note written there is on its timeline at once
    form = "act-comment-I0010-done"
    big.text_area(key=f"{form}-note").input("请尽快形成共识")
    big.button(key=f"{form}-submit").click().run()
    assert not big.exception and not big.error, [e.value for e in big.error]
    assert "请尽快形成共识" in big.dataframe[3].value.iloc[:, -1].tolist()


def overview(at_filter: dict | None = None, lang: str = "zh") -> AppTest:
    at = run_page("overview.py", USERS["leader"], lang)
    for key, value in (at_filter or {}).items():
        at.multiselect(key=f"_{key}_{lang}").set_value(value)  # ui.i18n.choice: the language's widget
    if at_filter:
        at.run()
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_overview_shows_the_published_figures(demo_store_path):
    at = overview()
    assert [metric(at, k) for k in ("协商会议", "达成共识", "成果落实", "正在推进")] == \
        ["230", "108", "85", "23"]
    assert metric(at, "逾期") == "7"


def test_changing_a_filter_changes_the_kpis_and_the_table(demo_store_path):
    before = overview()
    rows_before = len(before.dataframe[-1].value)
    at = overview({"f_cat": ["water"]})
    assert int(metric(at, "成果落实")) < 85
    table = at.dataframe[-1].value
    assert 0 < len(table) < rows_before
    assert set(table["类别"]) == {"供水/水压"}


def test_english_switch_translates_kpis_and_headers(demo_store_path):
    at = run_page("overview.py", USERS["leader"], "en")
    assert metric(at, "Meetings held") == "230"
    assert "Category" in at.dataframe[-1].value.columns


def test_a_map_layer_that_fails_leaves_the_rest_of_the_page(demo_store_path, monkeypatch):
    from ui.maps import layers

    def broken(*args, **kwargs):
        raise ValueError("a venue record this code did not foresee")

    monkeypatch.setattr(layers, "venue_layer", broken)
    at = run_page("overview.py", USERS["leader"], "zh")
    assert not at.exception, at.exception
    assert any("部分图层未能显示：议事点" in w.value for w in at.warning)
    assert at.metric and at.dataframe  # the figures and the table are still there
