"""Forms (ui.forms, the new-issue page, the issue page's refusals): a saved form starts empty in
the browser too and says where the new record is; the same submission twice is written once;
every refusal is said in the page's language, labels not codes, each problem under its field."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from geo import procedure
from geo.errors import WorkflowError, msg
from geo.schema import METHODS
from ui import forms
from yishi.storage import open_store
from tests.helpers import USERS, run_page

MEMBER_COMMUNITY = "411402001007"
AT_MEETING = "I0094"  # stage meeting: a member may comment
AT_STAKEHOLDERS = "I0101"  # stage stakeholders: next is meeting (method, participants...)
LATIN = re.compile(r"[A-Za-z]")
CJK = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")
ISSUE_ID = re.compile(r"\bI\d{4}\b")


def flat(node, out: list | None = None) -> list:
    """Every element and block under `node`, in page order."""
    out = [] if out is None else out
    for child in getattr(node, "children", {}).values():
        out.append(child)
        flat(child, out)
    return out


def after(at: AppTest, key: str):
    """The element drawn right after the widget with `key` (its problems' place)."""
    nodes = flat(at.main)
    index = next(i for i, n in enumerate(nodes) if getattr(n, "key", None) == key)
    return nodes[index + 1]


def errors(at: AppTest) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]


def issue_count(path) -> int:
    with open_store(path) as store:
        return len(store.load_layer("issues"))


def comments_on(path, issue_id: str) -> list[str]:
    with open_store(path) as store:
        events = store.load_layer("issue_events")
    return list(events.loc[(events["issue_id"] == issue_id) & (events["kind"] == "comment"), "note"])


def point_in(path, community_id: str) -> tuple[float, float]:
    with open_store(path) as store:
        communities = store.load_layer("communities")
    p = communities.loc[communities["community_id"] == community_id, "geometry"].iloc[0].representative_point()
    return round(p.x, 6), round(p.y, 6)


def fill_new_issue(at: AppTest, point: tuple[float, float], title: str) -> None:
    at.session_state["new_issue_point"] = point
    at.run()
    at.text_input(key="ni_title").input(title)
    at.selectbox(key="ni_category").set_value("other")
    at.text_area(key="ni_description").input("晚上八点后整条路没有照明")
    at.text_input(key="ni_reporter_phone").input("19900008888")


# ------------------------------------------------------------------ a save empties the form


def test_a_saved_new_issue_empties_the_form_and_is_announced_below_it(demo_store_path):
    before = issue_count(demo_store_path)
    at = run_page("new_issue.py", USERS["staff"])
    fill_new_issue(at, point_in(demo_store_path, MEMBER_COMMUNITY), "和谐路路灯不亮")
    at.button(key="ni_save").click()
    at.run()
    assert not at.exception and not at.error, errors(at)
    assert issue_count(demo_store_path) == before + 1
    with open_store(demo_store_path) as store:
        new_id = store.load_layer("issues").iloc[-1]["issue_id"]
    # empty, and the browser is told so: a popped key leaves the old text in the browser
    for key in ("ni_title", "ni_reporter_phone"):
        widget = at.text_input(key=key)
        assert widget.value == "" and widget.proto.set_value and widget.proto.value == "", key
    description = at.text_area(key="ni_description")
    assert description.value == "" and description.proto.set_value
    assert at.number_input(key="_ni_lon").value is None
    # the announcement comes after the save button (where the click was), with the id and title
    nodes = flat(at.main)
    save_at = next(i for i, n in enumerate(nodes) if getattr(n, "key", None) == "ni_save")
    success = [(i, n.value) for i, n in enumerate(nodes) if type(n).__name__ == "Success"]
    assert [v for i, v in success if i > save_at and new_id in v and "和谐路路灯不亮" in v], success
    assert not [v for i, v in success if i < save_at]
    assert at.button(key="ni_open")


def test_the_same_new_issue_submitted_again_at_once_is_stored_once(demo_store_path):
    before = issue_count(demo_store_path)
    point = point_in(demo_store_path, MEMBER_COMMUNITY)
    at = run_page("new_issue.py", USERS["staff"])
    fill_new_issue(at, point, "和谐路路灯不亮")
    at.button(key="ni_save").click()
    at.run()
    fill_new_issue(at, point, "和谐路路灯不亮")  # the same issue again, as a second click sends it
    at.button(key="ni_save").click()
    at.run()
    assert issue_count(demo_store_path) == before + 1
    assert not at.error, errors(at)
    assert any("已保存，未重复提交" in i.value for i in at.info)
    # the emptied form clicked at once is the same repeat, not a list of errors
    at.button(key="ni_save").click()
    at.run()
    assert not at.error, errors(at)
    assert issue_count(demo_store_path) == before + 1
    # another issue is written as usual
    fill_new_issue(at, point, "和谐路井盖缺失")
    at.button(key="ni_save").click()
    at.run()
    assert not at.error, errors(at)
    assert issue_count(demo_store_path) == before + 2


def _form_script() -> None:
    """One form as a page draws it; a save that does not rerun, so the next click is on the
    drawing made before the save (as a double click's second half is)."""
    import streamlit as st

    from ui import forms

    forms.begin("f", defaults={"f-note": ""})
    with st.form("f"):
        st.text_input("note", key="f-note")
        clicked = st.form_submit_button("go", key="f-submit")
    st.session_state.setdefault("writes", [])
    if clicked:
        if forms.repeated("f"):
            forms.repeat_notice("en")
        else:
            st.session_state["writes"].append(st.session_state["f-note"])
            forms.saved("f")


def test_a_submit_of_the_drawing_made_before_a_save_writes_nothing():
    at = AppTest.from_function(_form_script)
    at.run()
    token = at.session_state[forms._STATES]["f"].token
    at.text_input(key="f-note").input("first")
    at.button(key="f-submit").click()
    at.run()
    assert at.session_state["writes"] == ["first"]
    at.button(key="f-submit").click()  # the second click of a double click
    at.run()
    assert at.session_state["writes"] == ["first"]
    assert [i.value for i in at.info] == ["Saved already: not submitted twice."]
    assert at.session_state[forms._STATES]["f"].token != token
    assert at.text_input(key="f-note").value == ""  # the defaults of the new drawing
    at.text_input(key="f-note").input("second")
    at.button(key="f-submit").click()
    at.run()
    assert at.session_state["writes"] == ["first", "second"]


def test_a_supervision_note_submitted_twice_is_stored_once(demo_store_path):
    form = f"act-comment-{AT_MEETING}-meeting"
    before = comments_on(demo_store_path, AT_MEETING)
    at = run_page("issue.py", USERS["member"], selected_issue=AT_MEETING)
    at.text_area(key=f"{form}-note").input("请尽快形成共识")
    at.button(key=f"{form}-submit").click()
    at.run()
    assert at.success and not at.error
    at.button(key=f"{form}-submit").click()  # the form still shows the note: clicked again
    at.run()
    assert not at.error, errors(at)
    assert comments_on(demo_store_path, AT_MEETING) == [*before, "请尽快形成共识"]
    assert any("已保存，未重复提交" in i.value for i in at.info)


# ------------------------------------------------------------------ refusals beside their fields


@pytest.mark.parametrize("lang, title, point, foreign", [
    ("zh", "请填写议题", "请先在地图上点击或输入经纬度", LATIN),
    ("en", "Title is required", "Pick the place first", CJK),
])
def test_a_new_issue_refusal_is_said_in_the_page_language_under_each_field(demo_store_path, lang, title,
                                                                           point, foreign):
    before = issue_count(demo_store_path)
    at = run_page("new_issue.py", USERS["staff"], lang)
    at.button(key="ni_save").click()
    at.run()
    shown = errors(at)
    assert shown and not any(foreign.search(e) for e in shown), shown
    assert title in after(at, "ni_title").value
    assert point in after(at, "_ni_lat").value
    form = next(n for n in flat(at.main) if getattr(n, "type", None) == "form")
    summary = flat(form)[0]  # the top of the form lists every problem
    assert title in summary.value and point in summary.value
    below = after(at, "ni_save").value  # where the eye is after the click (a phone shows no top)
    assert ("2 个问题" if lang == "zh" else "2 problem(s)") in below
    assert issue_count(demo_store_path) == before


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_new_issue_with_a_bad_phone_is_refused_beside_the_phone(demo_store_path, lang):
    before = issue_count(demo_store_path)
    at = run_page("new_issue.py", USERS["staff"], lang,
                  new_issue_point=point_in(demo_store_path, MEMBER_COMMUNITY))
    at.text_input(key="ni_title").input("路灯")
    at.text_input(key="ni_reporter_phone").input("12")
    at.button(key="ni_save").click()
    at.run()
    under_phone = after(at, "ni_reporter_phone").value
    assert ("不是电话号码" if lang == "zh" else "is not a phone number") in under_phone
    assert "reporter_phone" not in " ".join(errors(at))  # a label, not the field's code
    assert type(after(at, "ni_title")).__name__ != "Error"  # the title was fine
    assert issue_count(demo_store_path) == before


@pytest.mark.parametrize("lang, foreign", [("zh", LATIN), ("en", CJK)])
def test_an_action_refusal_names_values_by_label_in_the_page_language(demo_store_path, lang, foreign):
    at = run_page("issue.py", USERS["staff"], lang, selected_issue=AT_STAKEHOLDERS)
    at.button(key=f"act-advance-{AT_STAKEHOLDERS}-stakeholders-submit").click()
    at.run()
    shown = " ".join(errors(at))
    assert METHODS.label("on_site", lang) in shown, shown  # the allowed methods, as labels
    assert "on_site" not in shown
    assert not foreign.search(ISSUE_ID.sub("", shown)), shown


# ------------------------------------------------------------------ which field a problem is about


def test_each_problem_knows_its_field_and_the_command_line_keeps_its_codes():
    problems, _ = procedure.new_issue(lon=None, lat=None, title=" ", category="nope", focus=None,
                                      values={"reporter_phone": "12"}, area=(0.0, 0.0, 1.0, 1.0),
                                      area_name=msg("wf_area_city"))
    assert [forms.field_of(p) for p in problems] == ["point", "title", "category", "reporter_phone"]
    refused = WorkflowError(msg("wf_what_new"), problems)
    assert forms.problems_of(refused) == problems
    assert forms.field_errors(problems, "title", "zh") == ["请填写议题"]
    zh = forms.field_errors(problems, "category", "zh")[0]
    assert "类别" in zh and "category" not in zh and "其他" in zh
    assert "category (Category)" in str(refused)  # the command line: field codes stay
    assert forms.field_of(msg("account_exists", name="member")) == "username"
    assert forms.field_errors([msg("account_exists", name="member")], "username", "zh") == ["用户“member”已存在。"]
