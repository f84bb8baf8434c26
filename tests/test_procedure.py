"""geo.procedure: the four steps' rules with the facts handed in (no store), and their refusals
said in Chinese and English from the word catalogue."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from geo import procedure, words
from geo.errors import InputError, msg
from geo.schema import STAGE_ORDER

TODAY = date(2022, 6, 17)
#: English as the command line says it: fields and values named with their codes too.
CLI_EN = "en" + words.WITH_CODES
ISSUE = {"issue_id": "I1", "title": "停车难", "stage": "stakeholders", "reported_on": "2022-01-10",
         "stakeholders": "居民代表"}
MEETING = {"held_on": "2022-06-01", "venue_id": "V1", "method": "on_site", "participants": "12"}
AREA = (115.60, 34.40, 115.64, 34.44)


def plan(row: dict, to: str, values: dict, **facts) -> procedure.Plan:
    return procedure.plan(row, to, values, **{"today": TODAY, **facts})


def texts(problems, lang: str = CLI_EN) -> list[str]:
    return [p.text(lang) for p in problems]


# --- stages ---------------------------------------------------------------------------


def test_next_stage_follows_the_procedure():
    assert [procedure.next_stage(s) for s in STAGE_ORDER] == [*STAGE_ORDER[1:], None]
    assert procedure.next_stage("closed") is None


def test_an_unknown_stage_names_the_choices_in_both_languages():
    with pytest.raises(InputError) as refused:
        procedure.next_stage("finished")
    assert str(refused.value).startswith(
        "unknown stage 'finished'; choose one of: collected (Collected), selected (Issue selected)")
    assert refused.value.text("zh").startswith("未知阶段 'finished'，可选：收集、选准事、挑好人")


@pytest.mark.parametrize("stage, fields", [
    ("selected", []), ("stakeholders", ["stakeholders"]),
    ("meeting", ["held_on", "venue_id", "method", "participants"]),
    ("consensus", ["consensus_text"]),
    ("implementing", ["responsible_unit", "responsible_person", "due_on"]),
    ("done", ["result_public"]), ("closed", ["closed_reason"]),
])
def test_requirements(stage, fields):
    assert procedure.requirements(stage) == fields


@pytest.mark.parametrize("stage, expected", [
    ("collected", ["advance", "close", "comment"]),
    ("meeting", ["advance", "record_meeting", "close", "comment"]),
    ("consensus", ["advance", "comment"]),
    ("done", ["comment", "evaluate"]),
    ("closed", ["comment"]),
])
def test_possible_actions(stage, expected):
    assert procedure.possible_actions(stage) == expected


@pytest.mark.parametrize("stage, to, action", [
    ("collected", "selected", "advance"), ("meeting", "meeting", "record_meeting"),
    ("stakeholders", "meeting", "advance"), ("selected", "closed", "close"),
])
def test_action_for(stage, to, action):
    assert procedure.action_for(stage, to) == action


@pytest.mark.parametrize("stage, to, en, zh", [
    ("collected", "done", "from collected (Collected) the next stage is selected (Issue selected), "
     "not done (Done)", "下一阶段是“选准事”，不能直接到“已落实”"),
    ("selected", "selected", "I1 is already at selected (Issue selected)", "I1 已处于“选准事”"),
    ("done", "closed", "I1 is done (Done): no stage follows", "I1 已是“已落实”，没有下一阶段"),
    ("implementing", "closed", "only an issue before consensus can be closed", "只有达成共识前的议题可以终止"),
])
def test_impossible_moves_are_said_in_both_languages(stage, to, en, zh):
    problems = procedure.transition_problems("I1", stage, to)
    assert len(problems) == 1
    assert en in problems[0].text(CLI_EN)
    assert zh in problems[0].text("zh")


@pytest.mark.parametrize("stage, to", [("collected", "selected"), ("meeting", "meeting"),
                                       ("stakeholders", "closed"), ("meeting", "consensus")])
def test_possible_moves(stage, to):
    assert procedure.transition_problems("I1", stage, to) == []


# --- one step, with the facts handed in ---------------------------------------------------


def test_a_meeting_step_splits_the_meeting_row_from_the_issue_fields():
    planned = plan(ISSUE, "meeting", MEETING)
    assert planned.problems == []
    assert planned.meeting == {"held_on": "2022-06-01", "venue_id": "V1", "method": "on_site",
                               "participants": 12}
    assert planned.update == {"method": "on_site"}  # the issue shows its latest method


def test_every_problem_of_a_meeting_is_found_at_once_and_named_in_the_readers_language():
    planned = plan(ISSUE, "meeting", {"held_on": "2022-07-01", "venue_id": "V9", "method": "phone",
                                      "participants": "1"},
                   venue_exists=lambda venue_id: venue_id == "V1")
    en, zh = texts(planned.problems), texts(planned.problems, "zh")
    assert len(en) == 4
    assert en[0].startswith("method (Method): unknown code 'phone'; choose one of: written (Written)")
    assert en[1].startswith("held_on (Held on): 2022-07-01 is in the future (today is 2022-06-17)")
    assert en[2] == "venue_id (Venue): there is no venue 'V9'"
    assert "participants (Participants): 1 is too few" in en[3]
    assert zh[0].startswith("协商方式：未知代码 'phone'，可选：书面协商、会议协商")
    assert zh[1] == "召开日期：2022-07-01 还没到（今天是 2022-06-17），请在会议召开后再记录"
    assert not any(re.search(r"held_on|venue_id|participants|method", z) for z in zh), zh


def test_required_fields_say_what_the_step_needs():
    planned = plan({**ISSUE, "stage": "meeting"}, "meeting", {})
    assert texts(planned.problems, "zh") == [
        "记录协商会议需要填写召开日期", "记录协商会议需要填写议事点",
        "记录协商会议需要填写协商方式（可选：书面协商、会议协商、实地协商、专家论证、网络协商、媒体监督）",
        "记录协商会议需要填写参会人数（至少 2 人）"]
    assert texts(planned.problems)[0] == "held_on (Held on) is required to record a meeting"


def test_a_field_already_on_the_issue_counts_a_blank_one_given_does_not():
    assert plan({**ISSUE, "stage": "selected"}, "stakeholders", {}).problems == []
    refused = plan({**ISSUE, "stage": "selected"}, "stakeholders", {"stakeholders": " "})
    assert texts(refused.problems)[0].startswith(
        "stakeholders (Stakeholders) is required to move to stakeholders (People chosen)")


def test_consensus_comes_out_of_a_meeting():
    at_meeting = {**ISSUE, "stage": "meeting"}
    refused = plan(at_meeting, "consensus", {"consensus_text": "同意"}, meetings=0)
    assert texts(refused.problems) == [
        "no meeting is recorded for I1: consensus comes out of a meeting (record one at stage "
        "meeting (Meeting held))"]
    agreed = plan(at_meeting, "consensus", {"consensus_text": "同意"}, meetings=1)
    assert agreed.problems == []
    assert agreed.update == {"consensus_text": "同意", "consensus_on": "2022-06-17"}


@pytest.mark.parametrize("due_on, kept, expected", [
    ("2022-06-17", None, []),
    ("2022-06-16", None, ["due_on (Due on): 2022-06-16 is before today (2022-06-17)"]),
    (None, "2022-06-01", ["due_on (Due on) on the issue (2022-06-01) is not a date from today"]),
    (None, "2022-12-31", []),
])
def test_a_deadline_is_today_or_later(due_on, kept, expected):
    row = {**ISSUE, "stage": "consensus", "due_on": kept}
    values = {"responsible_unit": "街道办", "responsible_person": "张三"}
    if due_on:
        values["due_on"] = due_on
    got = texts(plan(row, "implementing", values).problems)
    assert len(got) == len(expected)
    for text, start in zip(got, expected):
        assert text.startswith(start)


def test_a_field_of_another_step_is_refused_with_the_allowed_ones():
    refused = plan({**ISSUE, "stage": "collected"}, "selected", {"due_on": "2022-07-01"})
    assert texts(refused.problems) == [
        "'due_on' cannot be set on the way to selected (Issue selected); fields: description "
        "(Description), residents_affected (Residents affected), note (Note)"]
    assert texts(refused.problems, "zh") == [
        "进入“选准事”时不能填写 'due_on'；可填写：描述、受益群众、说明"]


# --- the other writes -----------------------------------------------------------------------


def test_evaluation_only_when_done_and_within_1_to_5():
    assert procedure.evaluation("I1", "done", "4.5") == ([], 4.5)
    problems, value = procedure.evaluation("I1", "implementing", 9)
    assert value is None
    assert texts(problems, "zh") == ["议题落实后才能记录满意度；I1 当前为“落实中”",
                                     "满意度：9.0 大于最大值 5"]


def test_notes_and_further_meetings():
    assert texts(procedure.note_problems("  "), "zh") == ["督办意见是空的：请写明需要跟进的事项"]
    assert procedure.note_problems("请跟进") == []
    assert procedure.meeting_record_problems("I1", "meeting") == []
    assert "only at stage meeting (Meeting held)" in texts(
        procedure.meeting_record_problems("I1", "consensus"))[0]


def test_a_new_issue_lists_every_problem():
    problems, _ = procedure.new_issue(
        lon=34.42, lat=115.61, title=" ", category="noise", focus="peace",
        values={"owner": "x", "reporter_phone": "call me", "residents_affected": "-3"},
        area=AREA, area_name=msg("wf_area_subdistrict"))
    en, zh = texts(problems), texts(problems, "zh")
    assert len(en) == 7
    assert en[0].endswith("; lon and lat look swapped (give longitude first)")
    assert zh[0].startswith("位置 (34.42, 115.61) 不在街道范围内")
    assert "title (Title) is required" in en and "请填写议题" in zh
    assert any(z.startswith("类别：未知代码 'noise'，可选：停车、供水/水压") for z in zh)
    assert "新建议题时不能填写 'owner'；可填写：描述、受益群众、反映人、联系电话、说明" in zh
    assert "联系电话：'call me' 不是电话号码" in zh
    assert "受益群众：-3 小于最小值 0" in zh


@pytest.mark.parametrize("category, focus, expected", [
    ("development", None, "development"), ("housing", "", "hard_case"),
    ("water", None, "livelihood"), ("parking", "harmony", "harmony"),
])
def test_a_new_issue_gets_its_focus_from_the_category(category, focus, expected):
    problems, row = procedure.new_issue(lon=115.61, lat=34.42, title=" 路灯 ", category=category,
                                        focus=focus, values={"note": "电话反映"}, area=AREA,
                                        area_name=msg("wf_area_subdistrict"))
    assert problems == []
    assert row == {"title": "路灯", "category": category, "focus": expected, "stage": "collected"}


def test_every_word_the_rules_use_is_in_the_catalogue_in_both_languages():
    root = Path(__file__).resolve().parent.parent
    used = set()
    for module in ("geo/procedure.py", "geo/values.py", "yishi/services/workflow.py"):
        used |= set(re.findall(r'"((?:wf|value)_\w+)"', (root / module).read_text(encoding="utf-8")))
    assert used and used <= set(words.CATALOGUE), used - set(words.CATALOGUE)
    for key in used:
        zh, en = words.CATALOGUE[key]
        assert zh != en, key


def test_pages_name_fields_and_stages_by_their_labels_the_command_line_adds_codes():
    problem = procedure.plan(ISSUE, "meeting", {}, today=TODAY, meetings=0,
                             venue_exists=lambda _: True).problems[0]
    assert problem.text("en").startswith("Held on is required to move to Meeting held")
    assert problem.text(CLI_EN).startswith("held_on (Held on) is required to move to meeting (Meeting held)")
    assert problem.text("zh").startswith("进入“开好会”需要填写召开日期")
    assert "held_on" not in problem.text("en") + problem.text("zh")
