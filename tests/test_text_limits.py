"""Text without limits, invisible characters, names as text (issue 12, items 6-8).

Every text field has a schema length that uploads, the workflow, the command line and the forms
all enforce; direction-control and zero-width characters are removed where text comes in and
neutralised where stored text is shown; a user name is shown as the text it is.
"""

from __future__ import annotations

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from geo.errors import InputError, ValidationError, WorkflowError
from geo.ingest import read_upload
from geo.schema import ISSUE_EVENTS, ISSUES, LAYERS, UPLOADABLE, get_layer
from geo.text import INVISIBLE, strip_invisible, too_long
from yishi.accounts import User
from yishi.services import accounts, uploads, workflow
from yishi.storage import open_store
from tests.helpers import USERS, add_accounts, dump, run_page, run_path
from tests.hostile import BIDI
from ui import maps
from ui.maps.payload import short
from ui.safe import max_chars, md
from yishi.accounts import USERNAME_CHARS
from web.html import refusal_page, signin_page

STAFF = USERS["staff"]
SHIYUAN = (115.6169, 34.4366)  # a point in 师院社区
AT_MEETING = "I0094"
MB_TITLE = "x" * 1_048_576
OVERRIDE = "Safe title \u202eexe.txt"
CLEAN = "Safe title exe.txt"


def unescape(markdown: str) -> str:
    """What a reader sees of escaped markdown (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", markdown)


# ------------------------------------------------------------------ the schema


def test_every_free_text_field_has_a_length_and_the_kinds_agree():
    for layer in LAYERS.values():
        for f in layer.fields:
            if f.type == "str" and f.enum is None:
                assert f.max_length is not None, f"{layer.name}.{f.name} has no max_length"
            if f.type != "str":
                assert f.max_length is None, f"{layer.name}.{f.name} is no text"
    assert ISSUES.get("title").max_length == 200
    for name in ("description", "stakeholders", "consensus_text", "result_public", "closed_reason"):
        assert ISSUES.get(name).max_length == 2_000, name
    assert ISSUE_EVENTS.get("note").max_length == 2_000
    for name in ("responsible_unit", "responsible_person", "reporter_name"):
        assert ISSUES.get(name).max_length == 100, name
    for layer in ("venues", "compounds", "communities", "members"):
        assert get_layer(layer).get("name").max_length == 100, layer
    assert ISSUES.get("issue_id").max_length == ISSUES.get("reporter_phone").max_length == 40


# ------------------------------------------------------------------ uploads


def issue_feature(n: int, **props: object) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [*SHIYUAN]},
            "properties": {"issue_id": f"IT{n:03d}", "title": f"议题{n}", "category": "parking",
                           "focus": "livelihood", "stage": "collected", "reported_on": "2022-01-10",
                           **props}}


def read_issues(*features: dict):
    data = json.dumps({"type": "FeatureCollection", "features": list(features)},
                      ensure_ascii=False).encode()
    return read_upload(data, filename="issues.geojson", layer="issues")


def test_an_upload_with_a_megabyte_title_is_refused_per_feature_with_a_short_message():
    up = read_issues(issue_feature(1), issue_feature(2, title=MB_TITLE), issue_feature(3))
    assert not up.ok and up.rejected == [2]
    [problem] = up.problems
    assert (problem.code, problem.feature, problem.field) == ("too_long", 2, "title")
    assert problem.message == "title (Title) is 1,048,576 characters long; at most 200"
    assert problem.message_zh == "title（议题）共 1,048,576 个字符，最多 200 个"
    assert "200" in problem.hint and "200" in problem.hint_zh
    assert len(json.dumps(problem.to_dict(), ensure_ascii=False)) < 600  # the title is not repeated


LIMITED = [f.name for f in ISSUES.input_fields if f.max_length is not None]


@pytest.mark.parametrize("name", LIMITED)
def test_an_uploaded_value_at_the_limit_passes_and_one_over_is_refused(name):
    limit = ISSUES.get(name).max_length
    at, over = "字" * limit, "字" * (limit + 1)  # counted in characters, not bytes
    if name == "issue_id":
        up = read_issues(issue_feature(1, issue_id=at), issue_feature(2, issue_id="B" * (limit + 1)))
    else:
        up = read_issues(issue_feature(1, **{name: at}), issue_feature(2, **{name: over}))
    assert [(p.code, p.feature, p.field) for p in up.problems] == [("too_long", 2, name)]
    assert f"is {limit + 1:,} characters long; at most {limit:,}" in up.problems[0].message
    assert up.frame[name].tolist() == [at]


@pytest.mark.parametrize("layer", UPLOADABLE)
def test_every_uploadable_layers_ids_and_names_are_limited(layer):
    lay = get_layer(layer)
    assert lay.get(lay.id_field).max_length == 40
    assert lay.get("title" if layer == "issues" else "name").max_length in (100, 200)


def test_a_refused_upload_leaves_the_store_unchanged(demo_store, demo_store_path):
    before = dump(demo_store_path, data_only=True)
    up = read_issues(issue_feature(1, title=MB_TITLE))
    with pytest.raises(ValidationError) as refused:
        uploads.commit(demo_store, up, source="big.geojson", user=STAFF)
    assert "1,048,576 characters long" in str(refused.value) and "x" * 300 not in str(refused.value)
    assert dump(demo_store_path, data_only=True) == before


def test_the_command_line_reports_a_megabyte_title_in_one_short_line(cli, tmp_path):
    path = tmp_path / "big.geojson"
    feature = issue_feature(1)
    del feature["properties"]["title"]
    with path.open("w", encoding="utf-8") as out:  # written piece by piece, as a big file would be
        out.write('{"type": "FeatureCollection", "features": [')
        out.write(json.dumps(feature)[:-2])  # open: the properties and the feature
        out.write(', "title": "')
        for _ in range(1024):
            out.write("x" * 1024)
        out.write('"}}]}')
    code, out, err = cli("validate", str(path), "--layer", "issues")
    assert code == 1
    assert "title (Title) is 1,048,576 characters long; at most 200" in out
    assert len(out + err) < 1_000


def test_invisible_characters_are_removed_from_an_upload_with_a_note():
    up = read_issues(issue_feature(1, title=OVERRIDE, description="zero\u200bwidth\u200d\ufeff"),
                     issue_feature(2, title="\u2066isolated\u2069", description="plain"),
                     issue_feature(3, title="\u200b\u202e"))  # nothing visible: no title
    assert up.frame["title"].tolist()[:2] == [CLEAN, "isolated"]
    assert up.frame["description"].tolist()[:2] == ["zerowidth", "plain"]
    assert [(p.code, p.feature, p.field) for p in up.problems] == [("missing_field", 3, "title")]
    notes = {n.field: n for n in up.notes if n.code == "invisible_removed"}
    assert set(notes) == {"title", "description"}
    assert notes["title"].message == ("5 invisible direction-control or zero-width character(s) "
                                      "were removed from title")
    assert "3 个" in notes["description"].message_zh and "description" in notes["description"].message_zh


def test_the_corpus_of_invisible_characters_comes_out_of_an_upload_clean():
    up = read_issues(*(issue_feature(n, title=text) for n, text in enumerate(BIDI, 1)))
    assert up.ok
    assert up.frame["title"].tolist() == [strip_invisible(t).strip() for t in BIDI]
    assert not any(INVISIBLE.search(t) for t in up.frame["title"])


# ------------------------------------------------------------------ the workflow


def test_the_limit_rule_names_the_length_not_the_text():
    problem = too_long(ISSUES.get("title"), MB_TITLE)
    assert problem.text("en") == "Title is 1,048,576 characters long; at most 200"
    assert problem.text("zh") == "议题：共 1,048,576 个字符，最多 200 个"
    assert too_long(ISSUES.get("title"), "x" * 200) is None


@pytest.mark.parametrize("lang, reason", [
    ("zh", "说明：共 2,001 个字符，最多 2,000 个"),
    ("en", "Note is 2,001 characters long; at most 2,000"),
])
def test_an_over_long_note_is_refused_with_the_label_in_the_readers_language(
        demo_store, demo_store_path, lang, reason):
    before = dump(demo_store_path)
    with pytest.raises(WorkflowError) as refused:
        workflow.comment(demo_store, AT_MEETING, "意" * 2_001, by="staff", user=STAFF)
    assert refused.value.lines(lang) == [reason]
    assert dump(demo_store_path) == before


def test_a_note_at_the_limit_is_kept(demo_store):
    event_id = workflow.comment(demo_store, AT_MEETING, "意" * 2_000, by="staff", user=STAFF)
    assert demo_store.get_row("issue_events", event_id)["note"] == "意" * 2_000


@pytest.mark.parametrize("lang, reason", [
    ("zh", "议题：共 201 个字符，最多 200 个"), ("en", "Title is 201 characters long; at most 200"),
])
def test_an_over_long_title_is_refused_with_the_label_in_the_readers_language(
        demo_store, demo_store_path, lang, reason):
    before = dump(demo_store_path)
    with pytest.raises(WorkflowError) as refused:
        workflow.create_issue(demo_store, lon=SHIYUAN[0], lat=SHIYUAN[1], title="t" * 201,
                              category="parking", by="staff", user=STAFF,
                              values={"description": "d" * 2_001, "note": "n" * 2_001})
    lines = refused.value.lines(lang)
    assert reason in lines and len(lines) == 3  # title, description and note, all at once
    assert dump(demo_store_path) == before


def test_every_step_checks_its_text_and_its_note(demo_store, demo_store_path):
    before = dump(demo_store_path)
    with pytest.raises(WorkflowError) as refused:
        workflow.advance(demo_store, AT_MEETING, "consensus",
                         {"consensus_text": "共" * 2_001, "note": "n" * 2_001}, by="staff", user=STAFF)
    assert refused.value.lines("en") == ["Agreed text is 2,001 characters long; at most 2,000",
                                         "Note is 2,001 characters long; at most 2,000"]
    with pytest.raises(WorkflowError) as refused:
        workflow.evaluate(demo_store, "I0001", 4, note="n" * 2_001, by="staff", user=STAFF)
    assert refused.value.lines("en") == ["Note is 2,001 characters long; at most 2,000"]
    assert dump(demo_store_path) == before


def test_a_long_value_of_the_wrong_kind_is_not_repeated_in_full(demo_store):
    with pytest.raises(WorkflowError) as refused:
        workflow.advance(demo_store, AT_MEETING, "meeting",
                         {"held_on": "9" * 100_000, "venue_id": "V001", "method": "m" * 100_000,
                          "participants": 5}, by="staff", user=STAFF)
    assert len(refused.value.text("en")) < 1_000


def test_invisible_characters_are_removed_silently_from_workflow_text(demo_store):
    event_id = workflow.comment(demo_store, AT_MEETING, "请\u202e尽快\u200b形成\u2066共识\u2069",
                                by="staff", user=STAFF)
    assert demo_store.get_row("issue_events", event_id)["note"] == "请尽快形成共识"
    issue_id = workflow.create_issue(demo_store, lon=SHIYUAN[0], lat=SHIYUAN[1], title=OVERRIDE,
                                     category="parking", by="staff", user=STAFF,
                                     values={"description": "\ufeff描述\u200d", "note": "\u202a记录\u202c"})
    row = demo_store.get_row("issues", issue_id)
    assert (row["title"], row["description"]) == (CLEAN, "描述")
    assert workflow.timeline(demo_store, issue_id)["note"].tolist() == ["记录"]
    with pytest.raises(WorkflowError) as refused:  # invisible only: nothing was written
        workflow.comment(demo_store, AT_MEETING, "\u200b\u202e", by="staff", user=STAFF)
    assert refused.value.lines("en") == ["the note is empty: write what to follow up"]


# ------------------------------------------------------------------ the command line


def test_the_command_line_refuses_an_over_long_note_with_exit_1_and_one_message(cli, demo_store_path):
    before = dump(demo_store_path)
    code, out, err = cli("comment", AT_MEETING, "--note", "n" * 5_000)
    assert (code, out) == (1, "")
    assert err.count("\n  - ") == 1
    assert "note (Note) is 5,000 characters long; at most 2,000" in err and "n" * 100 not in err
    code, out, err = cli("new", "--lon", str(SHIYUAN[0]), "--lat", str(SHIYUAN[1]),
                         "--title", "t" * 201, "--category", "parking")
    assert (code, out) == (1, "")
    assert err.count("\n  - ") == 1 and "title (Title) is 201 characters long; at most 200" in err
    assert dump(demo_store_path) == before


# ------------------------------------------------------------------ shown text


@pytest.mark.parametrize("text", BIDI, ids=range(len(BIDI)))
def test_md_and_the_map_and_server_pages_neutralise_invisible_characters(text):
    assert not INVISIBLE.search(md(text)) and md(text) == md(strip_invisible(text))
    assert not INVISIBLE.search(maps.escape(text))
    for page in (signin_page(lang="en", token="t", next_path="/", username=text, error=text),
                 refusal_page(text, lang="zh")):
        assert not INVISIBLE.search(page) and strip_invisible(text).split()[0] in page


def test_map_tooltips_isolate_each_stored_value():
    assert short(OVERRIDE) == f"<bdi>{CLEAN}</bdi>"
    assert short("<b>" + "x" * 100) == "<bdi>&lt;b&gt;" + "x" * 36 + "…</bdi>"


def _stored_before(store) -> None:
    """Text as it was stored before uploads removed invisible characters (written raw)."""
    store.write_batch("issues", [{"issue_id": AT_MEETING, "title": OVERRIDE,
                                  "stakeholders": "居民\u202e代表"}], by="before", source="test")
    store.write_batch("issue_events", [{"event_id": f"{AT_MEETING}-E900", "issue_id": AT_MEETING,
                                        "at": "2022-06-01", "from_stage": "meeting",
                                        "to_stage": "meeting", "by": "王\u200b科员",
                                        "note": "请\u202e尽快", "kind": "comment"}],
                      by="before", source="test", new_only=True)


def test_the_issue_page_shows_text_stored_before_cleaned(demo_store):
    _stored_before(demo_store)
    at = run_page("issue.py", STAFF, "en", selected_issue=AT_MEETING)
    heading = at.subheader[0].value
    assert unescape(heading) == f"{AT_MEETING} · {CLEAN}" and not INVISIBLE.search(heading)
    shown = [str(v) for table in at.dataframe for v in table.value.to_numpy().ravel()]
    shown += [m.value for m in at.markdown]
    assert not [s for s in shown if INVISIBLE.search(s)]
    assert CLEAN in shown and "请尽快" in shown and "王科员" in shown
    assert "居民代表" in unescape(" ".join(m.value for m in at.markdown))


def test_the_board_shows_stored_titles_cleaned(demo_store):
    demo_store.write_batch("issues", [{"issue_id": "I0001", "title": OVERRIDE}], by="before",
                           source="test")
    at = run_path("board", None, "en", q="I0001")  # the board's cards are escaped HTML
    titles = [t for h in at.get("html") for t in re.findall(r"<bdi>([^<]*Safe title[^<]*)</bdi>", h.proto.body)]
    assert titles == [CLEAN]


# ------------------------------------------------------------------ forms


#: The issue page's text widgets by key suffix: the field each one writes.
FORM_FIELDS = {"stakeholders": ("issues", "stakeholders"),
               "consensus_text": ("issues", "consensus_text"),
               "unit": ("issues", "responsible_unit"), "person": ("issues", "responsible_person"),
               "result": ("issues", "result_public"), "reason": ("issues", "closed_reason"),
               "note": ("issue_events", "note"),
               "title": ("issues", "title")}  # correcting a recorded field: the title first


def _text_widgets(at: AppTest) -> list:
    return [*at.text_input, *at.text_area]


def test_every_issue_form_field_is_limited_as_the_schema_says(demo_store):
    """Every text widget of every stage's forms (none without a limit), for every field."""
    seen = set()

    def check(issue_id: str) -> None:
        at = run_page("issue.py", STAFF, selected_issue=issue_id)
        for widget in _text_widgets(at):
            suffix = widget.key.rsplit("-", 1)[-1]
            assert suffix in FORM_FIELDS, widget.key
            assert widget.max_chars == max_chars(*FORM_FIELDS[suffix]), widget.key
            seen.add(suffix)

    for issue_id in ("I0095", "I0103", "I0101", AT_MEETING, "I0053", "I0001"):
        check(issue_id)
    workflow.advance(demo_store, AT_MEETING, "consensus", {"consensus_text": "同意"}, by="staff",
                     user=STAFF)
    check(AT_MEETING)  # consensus -> implementing: the unit, the person
    assert seen == set(FORM_FIELDS)


def test_the_new_issue_form_is_limited_as_the_schema_says(demo_store_path):
    at = run_page("new_issue.py", STAFF)
    limits = {w.key: w.max_chars for w in _text_widgets(at)}
    assert limits == {"ni_title": 200, "ni_description": 2_000, "ni_reporter_name": 100,
                      "ni_reporter_phone": 40}


def test_a_forged_over_long_form_value_is_cut_to_the_schemas_limit(demo_store_path):
    """A browser keeps to max_chars; a forged message past it is cut by Streamlit to the same
    limit (the service would refuse anything longer: see the workflow tests above)."""
    at = run_page("issue.py", STAFF, selected_issue=AT_MEETING)
    form = f"act-comment-{AT_MEETING}-meeting"
    at.text_area(key=f"{form}-note").set_value("意" * 2_001)
    at.button(key=f"{form}-submit").click()
    at.run()
    assert not at.error and at.success
    with open_store(demo_store_path) as store:
        notes = workflow.timeline(store, AT_MEETING)["note"]
    assert notes.iloc[-1] == "意" * 2_000


def test_the_username_input_allows_what_the_account_check_allows(demo_store):
    at = run_page("accounts.py", USERS["admin"])
    assert at.text_input(key="acc_new_name").max_chars == USERNAME_CHARS
    admin = USERS["admin"]
    accounts.add_user(demo_store, "u" * USERNAME_CHARS, "a long enough passphrase 1", role="leader",
                      by=admin)
    with pytest.raises(InputError):
        accounts.add_user(demo_store, "v" * (USERNAME_CHARS + 1), "a long enough passphrase 1",
                          role="leader", by=admin)


# ------------------------------------------------------------------ names as text


MARKDOWN_NAME = "[x](https://evil.example)**x**"


def test_a_markdown_user_name_shows_literally_in_the_sidebar_and_the_notes(demo_store):
    user = User(MARKDOWN_NAME, "staff")
    add_accounts(demo_store, user)
    workflow.comment(demo_store, AT_MEETING, "请尽快", by=user.username, user=user)
    at = run_page("issue.py", user, "en", selected_issue=AT_MEETING)
    [caption] = [c.value for c in at.sidebar.caption]
    assert unescape(caption.split(" · ")[0]) == MARKDOWN_NAME
    assert "](" not in caption and "**" not in caption  # every bracket and star escaped
    notes = at.dataframe[3].value
    assert f"{MARKDOWN_NAME} (Staff)" in set(notes.iloc[:, -2])  # "by": name (role), a plain text cell
    admin = run_page("accounts.py", USERS["admin"])
    assert MARKDOWN_NAME in set(admin.dataframe[0].value.iloc[:, 0])
