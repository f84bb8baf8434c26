"""Issue 13 items 3 and 4: named action buttons, closing asks first, correcting a recorded field
and stepping back a stage (services and the issue page), notes signed "name (role)"."""

from __future__ import annotations

import json
import re

import pytest

from geo.errors import PermissionDenied, WorkflowError
from geo.stats import published_figures
from yishi.accounts import User
from yishi.services import workflow
from yishi.storage import Store, open_store
from tests.helpers import USERS, dump, run_page

pytestmark = pytest.mark.backends("sqlite", "postgis")

STAFF, MEMBER = USERS["staff"], USERS["member"]
#: Demo issues: one per stage the tests need (each test works on its own copy of the store).
COLLECTED, AT_MEETING, IMPLEMENTING, DONE, CLOSED = "I0095", "I0094", "I0067", "I0001", "I0065"


def last_event(store: Store, issue_id: str) -> dict:
    return workflow.timeline(store, issue_id).iloc[-1].to_dict()


def last_audit(store: Store) -> dict:
    row = store.audit_trail(limit=1).iloc[0].to_dict()
    row["detail"] = json.loads(row["detail"])
    return row


def figures(store: Store) -> dict[str, int]:
    return published_figures(store.load_layer("issues"), store.load_layer("meetings"))


def refusal_lines(call) -> dict[str, list[str]]:
    with pytest.raises(WorkflowError) as refused:
        call()
    return {lang: refused.value.lines(lang) for lang in ("zh", "en")}


# ------------------------------------------------------------------ correcting a recorded field


def test_a_typo_is_corrected_in_one_audited_batch_that_undo_restores(demo_store):
    before = demo_store.get_row("issues", AT_MEETING)
    fixed = before["title"] + "（已更正）"
    row = workflow.correct(demo_store, AT_MEETING, "title", fixed, "错别字", user=STAFF)
    assert row["title"] == fixed and row["stage"] == "meeting"
    event = last_event(demo_store, AT_MEETING)
    assert (event["kind"], event["from_stage"], event["to_stage"]) == ("correction", "meeting", "meeting")
    assert event["note"] == f"议题 Title: {before['title']} → {fixed}（错别字）"
    assert (event["by"], event["by_role"]) == ("李晓燕", "staff")  # the person, not "staff"
    audit = last_audit(demo_store)
    assert (audit["who"], audit["action"]) == ("staff", "correct")
    assert audit["detail"]["field"] == "title" and audit["detail"]["reason"] == "错别字"
    assert (audit["detail"]["value_before"], audit["detail"]["value_after"]) == (before["title"], fixed)
    demo_store.undo(audit["detail"]["batch_id"], by="admin")
    assert demo_store.get_row("issues", AT_MEETING)["title"] == before["title"]
    assert last_event(demo_store, AT_MEETING)["kind"] != "correction"


def test_a_deadline_and_a_category_are_checked_as_when_first_recorded(demo_store):
    lines = refusal_lines(lambda: workflow.correct(demo_store, IMPLEMENTING, "due_on", "2022-06-01", "改期",
                                                   user=STAFF))
    assert any("早于今天（2022-06-17）" in line for line in lines["zh"]), lines
    lines = refusal_lines(lambda: workflow.correct(demo_store, IMPLEMENTING, "category", "bogus", "分错类",
                                                   user=STAFF))
    assert any("Parking" in line and "bogus" in line for line in lines["en"]), lines
    row = workflow.correct(demo_store, IMPLEMENTING, "due_on", "2022-09-30", "按会议纪要更正", user=STAFF)
    assert row["due_on"] == "2022-09-30"


def test_a_refused_correction_lists_every_problem_and_writes_nothing(demo_store_path):
    before = dump(demo_store_path, data_only=True)
    with open_store(demo_store_path) as store:
        # not recorded yet at meeting, and no reason: both said at once
        lines = refusal_lines(lambda: workflow.correct(store, AT_MEETING, "consensus_text", "x", "  ", user=STAFF))
        assert lines["zh"] == ["I0094 处于“开好会”，还没有记录“共识内容”，无需更正", "请写明原因"]
        assert lines["en"] == ["I0094 is at Meeting held: Agreed text is not recorded yet, so there is "
                               "nothing to correct", "a reason is required"]
        title = store.get_row("issues", AT_MEETING)["title"]
        assert refusal_lines(lambda: workflow.correct(store, AT_MEETING, "title", "", "清空", user=STAFF)
                             )["en"] == ["Title is required"]
        assert refusal_lines(lambda: workflow.correct(store, AT_MEETING, "title", title, "同上", user=STAFF)
                             )["zh"] == ["“议题”与原来的内容相同，没有需要更正的地方"]
        with pytest.raises(PermissionDenied):
            workflow.correct(store, AT_MEETING, "title", "x", "委员不能更正", user=MEMBER)
    assert dump(demo_store_path, data_only=True) == before


def test_a_residents_phone_is_corrected_without_repeating_it_in_the_public_timeline(demo_store):
    old = demo_store.get_row("issues", AT_MEETING)["reporter_phone"]
    workflow.correct(demo_store, AT_MEETING, "reporter_phone", "13900001111", "号码记错", user=STAFF)
    assert demo_store.get_row("issues", AT_MEETING)["reporter_phone"] == "13900001111"
    event = last_event(demo_store, AT_MEETING)
    assert "13900001111" not in event["note"] and old not in event["note"] and "***" in event["note"]
    detail = last_audit(demo_store)["detail"]
    assert "value_before" not in detail and "value_after" not in detail and detail["field"] == "reporter_phone"
    assert old not in json.dumps(detail)


# ------------------------------------------------------------------ stepping back one stage


def test_stepping_back_from_consensus_unmarks_the_consensus_and_its_meeting(demo_store):
    workflow.advance(demo_store, AT_MEETING, "consensus", {"consensus_text": "划线停车"}, by="staff", user=STAFF)
    agreed = figures(demo_store)["consensus"]
    row = workflow.step_back(demo_store, AT_MEETING, "共识未经全体确认", user=STAFF)
    assert row["stage"] == "meeting" and row["consensus_on"] is None
    assert row["consensus_text"] == "划线停车"  # typed facts are kept, to correct or take again
    meetings = demo_store.load_layer("meetings", where={"issue_id": AT_MEETING})
    assert not meetings["consensus"].any()
    assert figures(demo_store)["consensus"] == agreed - 1
    event = last_event(demo_store, AT_MEETING)
    assert (event["kind"], event["from_stage"], event["to_stage"], event["note"]) == (
        "stage", "consensus", "meeting", "共识未经全体确认")
    audit = last_audit(demo_store)
    assert audit["action"] == "step_back" and audit["detail"]["cleared"] == ["consensus_on"]


def test_stepping_back_from_done_reopens_the_result_and_its_evaluation(demo_store):
    before = demo_store.get_row("issues", DONE)
    assert before["done_on"] and before["satisfaction"]
    row = workflow.step_back(demo_store, DONE, "公示结果有误，重新落实", user=STAFF)
    assert (row["stage"], row["done_on"], row["satisfaction"]) == ("implementing", None, None)
    assert row["result_public"] == before["result_public"]


def test_a_closed_issue_steps_back_to_the_stage_it_was_closed_from(demo_store):
    assert last_event(demo_store, CLOSED)["from_stage"] == "meeting"
    row = workflow.step_back(demo_store, CLOSED, "误操作终止", user=STAFF)
    assert (row["stage"], row["closed_reason"]) == ("meeting", None)


def test_no_step_back_from_the_first_stage_nor_without_a_reason(demo_store_path):
    before = dump(demo_store_path, data_only=True)
    with open_store(demo_store_path) as store:
        assert refusal_lines(lambda: workflow.step_back(store, COLLECTED, "理由", user=STAFF))["en"] == [
            "I0095 is at the first stage, Collected: there is no stage to step back to"]
        assert refusal_lines(lambda: workflow.step_back(store, AT_MEETING, "", user=STAFF))["zh"] == ["请写明原因"]
        with pytest.raises(PermissionDenied):
            workflow.step_back(store, AT_MEETING, "委员不能退回", user=MEMBER)
    assert dump(demo_store_path, data_only=True) == before


# ------------------------------------------------------------------ signed notes


def test_a_note_is_signed_with_the_persons_name_and_role(demo_store):
    workflow.comment(demo_store, AT_MEETING, "请尽快开会", by="member", user=MEMBER)
    event = last_event(demo_store, AT_MEETING)
    assert (event["by"], event["by_role"]) == ("苏保国", "member")
    assert last_audit(demo_store)["who"] == "member"  # the audit names the account
    demo = workflow.timeline(demo_store, AT_MEETING).iloc[0]
    assert demo["by"] == "社区网格员" and demo["by_role"] is None  # demo rows keep their free text


@pytest.mark.parametrize("lang, signed", [("zh", "苏保国（政协委员）"), ("en", "苏保国 (CPPCC member)")])
def test_the_notes_table_shows_name_and_role(demo_store_path, lang, signed):
    at = run_page("issue.py", MEMBER, lang, selected_issue=AT_MEETING)
    form = f"act-comment-{AT_MEETING}-meeting"
    at.text_area(key=f"{form}-note").input("请尽快形成共识")
    at.button(key=f"{form}-submit").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    notes = at.dataframe[3].value
    mine = notes[notes.iloc[:, -1] == "请尽快形成共识"]
    assert list(mine.iloc[:, -2]) == [signed]
    assert "member" not in set(notes.iloc[:, -2])
    timeline = at.dataframe[2].value
    assert "社区网格员" in set(timeline.iloc[:, -2])  # a demo row: its free text, no role added


# ------------------------------------------------------------------ the issue page


def submit_labels(at) -> list[str]:
    return [b.label for b in at.button if b.proto.form_id]


@pytest.mark.parametrize("lang, expected", [
    ("zh", ["推进到“达成共识”", "记录会议", "发表督办意见", "保存更正", "退回到“挑好人”", "终止议题"]),
    ("en", ["Move to “Consensus”", "Record the meeting", "Post the note", "Save the correction",
            "Step back to “People chosen”", "Close the issue"]),
])
def test_every_button_names_its_action_and_closing_comes_last(demo_store_path, lang, expected):
    at = run_page("issue.py", STAFF, lang, selected_issue=AT_MEETING)
    assert submit_labels(at) == expected
    assert not any(label in ("提交", "Submit") for label in submit_labels(at))
    close = at.button(key=f"act-close-{AT_MEETING}-meeting-submit")
    assert close.proto.type == "secondary"  # not the everyday primary look (red: ui/styles/actions.css)
    done = run_page("issue.py", STAFF, lang, selected_issue=DONE)
    assert submit_labels(done)[1] == ("保存评价" if lang == "zh" else "Save the evaluation")


def test_closing_does_nothing_until_it_is_confirmed(demo_store_path):
    at = run_page("issue.py", STAFF, selected_issue=AT_MEETING)
    form = f"act-close-{AT_MEETING}-meeting"
    at.text_area(key=f"{form}-reason").input("当事双方已自行和解")
    before = dump(demo_store_path)
    at.button(key=f"{form}-submit").click()
    at.run()
    assert [e.value for e in at.error] == ["请先勾选“我确认终止此议题”：议题未终止。"]
    assert dump(demo_store_path) == before
    at.checkbox(key=f"{form}-confirm").check()
    at.button(key=f"{form}-submit").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    with open_store(demo_store_path) as store:
        row = store.get_row("issues", AT_MEETING)
    assert (row["stage"], row["closed_reason"]) == ("closed", "当事双方已自行和解")


def test_staff_correct_a_field_on_the_issue_page(demo_store_path):
    at = run_page("issue.py", STAFF, "en", selected_issue=IMPLEMENTING)
    form = f"act-correct-{IMPLEMENTING}-implementing"
    at.selectbox(key=f"{form}-field-en").set_value("responsible_person").run()
    person = at.text_input(key=f"{form}-responsible_person")
    with open_store(demo_store_path) as store:
        assert person.value == store.get_row("issues", IMPLEMENTING)["responsible_person"]  # prefilled
    person.input("王建国")
    at.button(key=f"{form}-submit").click()
    at.run()
    errors = " ".join(e.value for e in at.error)
    assert "a reason is required" in errors  # refused: no reason given
    at.text_input(key=f"{form}-note").input("责任人姓名写错")
    at.button(key=f"{form}-submit").click()
    at.run()
    assert [e.value for e in at.error] == ["Overdue by 21 days"]  # the issue's own notice, no refusal
    assert any("Responsible person" in s.value for s in at.success)
    with open_store(demo_store_path) as store:
        assert store.get_row("issues", IMPLEMENTING)["responsible_person"] == "王建国"
        assert last_event(store, IMPLEMENTING)["kind"] == "correction"
    notes = at.dataframe[3].value
    assert "Correction" in set(notes.iloc[:, 1]) and "李晓燕 (Staff)" in set(notes.iloc[:, -2])


def test_stepping_back_on_the_page_asks_first(demo_store_path):
    at = run_page("issue.py", STAFF, selected_issue=AT_MEETING)
    form = f"act-step_back-{AT_MEETING}-meeting"
    at.text_input(key=f"{form}-note").input("会议记录有误")
    at.button(key=f"{form}-submit").click()
    at.run()
    assert [e.value for e in at.error] == ["请先勾选确认：阶段未改变。"]
    with open_store(demo_store_path) as store:
        assert store.get_row("issues", AT_MEETING)["stage"] == "meeting"
    at.checkbox(key=f"{form}-confirm").check()
    at.button(key=f"{form}-submit").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert any("已退回到“挑好人”" in s.value for s in at.success)
    assert any(re.search("当前阶段 \\*\\*挑好人\\*\\*", m.value) for m in at.markdown)


def test_members_and_leaders_see_no_repairs(demo_store_path):
    for user in (MEMBER, USERS["leader"]):
        at = run_page("issue.py", user, selected_issue=AT_MEETING)
        assert not [b for b in at.button if "correct" in (b.key or "") or "step_back" in (b.key or "")]


def test_a_display_name_counts_from_the_moment_it_is_changed(demo_store):
    from yishi.services import accounts

    accounts.set_display_name(demo_store, "staff", "王建国", by=User("admin", "admin"))
    workflow.comment(demo_store, AT_MEETING, "已电话督促", by="staff", user=STAFF)
    assert last_event(demo_store, AT_MEETING)["by"] == "王建国"
