"""The issue workflow: every allowed step, every refusal (which writes nothing), roles, audit, undo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point

from yishi.services import workflow
from yishi.accounts import PERMISSIONS, ROLES, VERBS, User
from geo.errors import InputError, PermissionDenied, WorkflowError
from geo.stats import published_figures
from yishi.storage import Store, create_store, open_store
from tests.helpers import add_accounts, dump

pytestmark = pytest.mark.backends("sqlite", "postgis")

AS_OF = "2022-06-17"
STAFF = User("staff1", "staff")
MEMBER = User("member1", "member", community_id="C1", member_id="M001")
LEADER = User("leader1", "leader")
ADMIN = User("admin1", "admin")

IN_K1 = (115.607, 34.407)  # in compound K1 of community C1, near venue V001
NOWHERE = (115.635, 34.42)  # inside the subdistrict's box, in no community
STAKEHOLDERS = "居民代表、物业公司"
MEETING = {"held_on": AS_OF, "venue_id": "V002", "method": "on_site", "participants": "12"}


def _issue(issue_id: str, stage: str, **fields) -> dict:
    return {"issue_id": issue_id, "title": f"议题{issue_id}", "category": "parking",
            "focus": "livelihood", "stage": stage, "reported_on": "2022-01-10",
            "geom": Point(*IN_K1), **fields}


def _meeting(meeting_id: str, issue_id: str, consensus: int = 0) -> dict:
    return {"meeting_id": meeting_id, "held_on": "2022-02-01", "venue_id": "V001",
            "issue_id": issue_id, "method": "meeting", "participants": 10, "consensus": consensus}


@pytest.fixture
def store_path(empty_store_location) -> Path | str:
    """A tiny hand-built store: two communities, one compound, two venues, one issue per stage."""
    path = empty_store_location
    with create_store(path) as s:
        s.set_meta("as_of", AS_OF, by="fixture")
        s.write_batch("subdistrict", [{"name": "测试街道",
                                       "geom": shapely.box(115.60, 34.40, 115.64, 34.44)}],
                      by="fixture")
        s.write_batch("communities", [
            {"community_id": "C1", "name": "甲社区", "team_size": 10,
             "geom": shapely.box(115.600, 34.40, 115.615, 34.44)},
            {"community_id": "C2", "name": "乙社区", "team_size": 12,
             "geom": shapely.box(115.615, 34.40, 115.630, 34.44)},
        ], by="fixture")
        s.write_batch("compounds", [{"compound_id": "K1", "name": "丙小区", "households": 300,
                                     "geom": shapely.box(115.605, 34.405, 115.610, 34.410)}],
                      by="fixture")
        s.write_batch("venues", [
            {"venue_id": "V001", "name": "丙小区议事亭", "kind": "pavilion",
             "geom": Point(115.606, 34.406)},
            {"venue_id": "V002", "name": "乙社区议事室", "kind": "room",
             "geom": Point(115.620, 34.420)},
        ], by="fixture")
        s.write_batch("members", [
            {"member_id": "M001", "name": "张委员", "role": "city_cppcc", "level": "subdistrict",
             "linked_community_id": "C1"},
            {"member_id": "M002", "name": "李代表", "role": "resident_rep", "level": "community",
             "team_community_id": "C2"},
        ], by="fixture")
        agreed = {"stakeholders": STAKEHOLDERS, "method": "meeting", "consensus_on": "2022-02-01",
                  "consensus_text": "划线停车"}
        s.write_batch("issues", [
            _issue("I0001", "collected", reporter_name="王某", reporter_phone="13800000000"),
            _issue("I0002", "selected"),
            _issue("I0003", "stakeholders", stakeholders=STAKEHOLDERS),
            _issue("I0004", "meeting", stakeholders=STAKEHOLDERS, method="meeting"),
            _issue("I0005", "consensus", **agreed),
            _issue("I0006", "implementing", **agreed, responsible_unit="街道城管办",
                   responsible_person="赵六", due_on="2022-07-31"),
            _issue("I0007", "done", **agreed, responsible_unit="街道城管办",
                   responsible_person="赵六", due_on="2022-03-31", done_on="2022-03-20",
                   result_public="施划车位106个"),
            _issue("I0008", "closed", closed_reason="不属于协商范围"),
            _issue("I0009", "meeting", stakeholders=STAKEHOLDERS),  # imported without a meeting
        ], by="fixture")
        s.write_batch("meetings", [_meeting("M0001", "I0004"), _meeting("M0002", "I0005", 1),
                                   _meeting("M0003", "I0006", 1), _meeting("M0004", "I0007", 1)],
                      by="fixture")
        s.write_batch("issue_events", [
            {"event_id": "E0001", "issue_id": "I0006", "at": "2022-01-10", "from_stage": None,
             "to_stage": "collected", "by": "网格员", "kind": "stage"},
        ], by="fixture")
        add_accounts(s, STAFF, MEMBER, LEADER, ADMIN)  # services read who acts from the store
    return path


@pytest.fixture
def store(store_path):
    with open_store(store_path) as s:
        yield s


def figures(store: Store) -> dict[str, int]:
    return published_figures(store.load_layer("issues"), store.load_layer("meetings"))


def last_audit(store: Store) -> dict:
    row = store.audit_trail(limit=1).iloc[0].to_dict()
    row["detail"] = json.loads(row["detail"])
    return row


def events_of(store: Store, issue_id: str) -> list[dict]:
    return workflow.timeline(store, issue_id).to_dict("records")


# --- the rules ------------------------------------------------------------------------------


def test_every_workflow_action_is_a_verb_of_the_one_permission_table():
    """Pages, buttons and the CLI ask one table: who may comment is who sees the note form."""
    assert set(workflow.ACTIONS) <= set(VERBS)
    roles_that_may = {a: {r for r in ROLES if a in PERMISSIONS[r]} for a in workflow.ACTIONS}
    assert roles_that_may == {"create": {"staff"}, "advance": {"staff"},
                              "record_meeting": {"staff"}, "close": {"staff"},
                              "comment": {"staff", "member"}, "evaluate": {"staff"}}


@pytest.mark.parametrize("stage, user, expected", [
    ("collected", STAFF, ["advance", "close", "comment"]),
    ("meeting", STAFF, ["advance", "record_meeting", "close", "comment"]),
    ("consensus", STAFF, ["advance", "comment"]),
    ("implementing", STAFF, ["advance", "comment"]),
    ("done", STAFF, ["comment", "evaluate"]),
    ("closed", STAFF, ["comment"]),
    ("meeting", MEMBER, ["comment"]),
    ("done", MEMBER, ["comment"]),
    ("meeting", LEADER, []),
    ("meeting", ADMIN, []),
    ("meeting", None, []),
])
def test_allowed_actions(stage, user, expected):
    assert workflow.allowed_actions({"issue_id": "I1", "stage": stage}, user) == expected


# --- allowed steps ------------------------------------------------------------------------


ALLOWED = [
    ("I0001", "selected", {}, {"stage": "selected"}),
    ("I0001", "selected", {"description": "夜间乱停", "residents_affected": "120", "note": "列为议题"},
     {"description": "夜间乱停", "residents_affected": 120}),
    ("I0002", "stakeholders", {"stakeholders": STAKEHOLDERS}, {"stakeholders": STAKEHOLDERS}),
    ("I0003", "meeting", MEETING, {"method": "on_site"}),
    ("I0004", "meeting", {**MEETING, "method": "expert"}, {"stage": "meeting", "method": "expert"}),
    ("I0004", "consensus", {"consensus_text": "统一施划车位"},
     {"consensus_text": "统一施划车位", "consensus_on": AS_OF}),
    ("I0005", "implementing", {"responsible_unit": "街道城管办", "responsible_person": "赵六",
                               "due_on": AS_OF},
     {"responsible_unit": "街道城管办", "responsible_person": "赵六", "due_on": AS_OF}),
    ("I0006", "done", {"result_public": "施划车位106个", "residents_affected": 800},
     {"result_public": "施划车位106个", "done_on": AS_OF, "residents_affected": 800}),
    ("I0002", "closed", {"closed_reason": "已由物业自行解决"}, {"closed_reason": "已由物业自行解决"}),
    ("I0009", "closed", {"closed_reason": "居民撤回诉求"}, {"closed_reason": "居民撤回诉求"}),
]


@pytest.mark.parametrize("issue_id, to, values, expected", ALLOWED,
                         ids=[f"{a[0]}-{a[1]}" for a in ALLOWED])
def test_allowed_step_is_one_audited_batch(store, issue_id, to, values, expected):
    before = store.get_row("issues", issue_id)
    assert workflow.check(before, to, values, store=store) == []
    n_meetings = len(store.load_layer("meetings"))
    n_batches = len(store.history())

    row = workflow.advance(store, issue_id, to, values, by="街道工作人员", user=STAFF)

    assert row["stage"] == to
    for name, value in expected.items():
        assert row[name] == value, name
    untouched = set(before) - {"stage", "geom", *expected}
    assert {k: row[k] for k in untouched} == {k: before[k] for k in untouched}
    # the timeline row: who, from, to, dated the store's today
    event = events_of(store, issue_id)[-1]
    assert (event["from_stage"], event["to_stage"], event["by"], event["at"], event["kind"]) == (
        before["stage"], to, "街道工作人员", AS_OF, "stage")
    assert event["event_id"] == f"{issue_id}-E{len(events_of(store, issue_id)):03d}"
    if values.get("note"):
        assert event["note"] == values["note"]
    # one batch, audited with who, from, to
    assert len(store.history()) == n_batches + 1
    audit = last_audit(store)
    assert audit["who"] == "街道工作人员"
    assert audit["action"] == ("record_meeting" if before["stage"] == to == "meeting" else "advance")
    assert {k: audit["detail"][k] for k in ("issue_id", "from", "to")} == {
        "issue_id": issue_id, "from": before["stage"], "to": to}
    # a meeting step appends exactly one meeting row
    meetings = store.load_layer("meetings")
    assert len(meetings) == n_meetings + (to == "meeting")
    if to == "meeting":
        new = meetings[meetings["meeting_id"] == audit["detail"]["meeting_id"]].iloc[0]
        assert new["meeting_id"] == "M0005"
        assert (new["issue_id"], new["held_on"], new["venue_id"], new["method"],
                int(new["participants"]), bool(new["consensus"])) == (
            issue_id, AS_OF, "V002", values["method"], 12, False)


def test_a_required_field_already_on_the_issue_counts(store):
    """An imported issue that already names its stakeholders moves on without retyping them."""
    store.write_batch("issues", [{"issue_id": "I0002", "stakeholders": STAKEHOLDERS}], by="t")
    row = workflow.advance(store, "I0002", "stakeholders", {}, by="t", user=STAFF)
    assert row["stakeholders"] == STAKEHOLDERS


def test_the_whole_procedure_from_a_new_issue_to_the_residents_verdict(store):
    issue_id = workflow.create_issue(store, lon=IN_K1[0], lat=IN_K1[1], title="福荣街停车乱",
                                     category="parking", by="网格员", user=STAFF)
    steps = [
        ("selected", {}),
        ("stakeholders", {"stakeholders": "居民代表、商户代表、交警中队、政协委员"}),
        ("meeting", {**MEETING, "method": "meeting"}),
        ("meeting", {**MEETING, "participants": 30}),  # another meeting: no stage change
        ("consensus", {"consensus_text": "施划停车位，设置潮汐车位"}),
        ("implementing", {"responsible_unit": "街道城管办", "responsible_person": "赵六",
                          "due_on": "2022-08-01"}),
        ("done", {"result_public": "施划停车位100余个"}),
    ]
    for to, values in steps:
        assert workflow.advance(store, issue_id, to, values, by="街道工作人员", user=STAFF)["stage"] == to
    row = workflow.evaluate(store, issue_id, 4.5, by="街道工作人员", user=STAFF)
    assert row["satisfaction"] == 4.5
    assert workflow.comment(store, issue_id, "请持续巡查", by="张委员", user=MEMBER) == \
        f"{issue_id}-E010"

    events = events_of(store, issue_id)
    assert [e["event_id"] for e in events] == [f"{issue_id}-E{n:03d}" for n in range(1, 11)]
    assert [(e["from_stage"], e["to_stage"]) for e in events[:8]] == [
        (None, "collected"), ("collected", "selected"), ("selected", "stakeholders"),
        ("stakeholders", "meeting"), ("meeting", "meeting"), ("meeting", "consensus"),
        ("consensus", "implementing"), ("implementing", "done")]
    assert [e["kind"] for e in events] == ["stage"] * 8 + ["evaluation", "comment"]
    meetings = store.load_layer("meetings")
    mine = meetings[meetings["issue_id"] == issue_id]
    assert mine["meeting_id"].tolist() == ["M0005", "M0006"]
    assert mine["consensus"].tolist() == [False, True]  # the meeting that reached consensus
    assert row["method"] == "on_site"  # the latest meeting's method
    assert (row["consensus_on"], row["done_on"]) == (AS_OF, AS_OF)


def test_event_numbers_count_the_issues_existing_events(store):
    """n = events of the issue + 1, whatever id style older rows use (demo: E0001…)."""
    workflow.advance(store, "I0006", "done", {"result_public": "完成"}, by="t", user=STAFF)
    assert [e["event_id"] for e in events_of(store, "I0006")] == ["E0001", "I0006-E002"]


def test_timeline_is_ordered_by_date_then_event_id(store):
    store.write_batch("issue_events", [
        {"event_id": "I0007-E003", "issue_id": "I0007", "at": "2022-03-20", "to_stage": "done",
         "from_stage": "implementing", "kind": "stage"},
        {"event_id": "I0007-E001", "issue_id": "I0007", "at": "2022-01-10", "to_stage": "collected",
         "kind": "stage"},
        {"event_id": "I0007-E002", "issue_id": "I0007", "at": "2022-03-20", "to_stage": "done",
         "from_stage": "done", "kind": "comment", "note": "已公示"},
    ], by="t")
    frame = workflow.timeline(store, "I0007")
    assert frame["event_id"].tolist() == ["I0007-E001", "I0007-E002", "I0007-E003"]
    assert list(frame.columns) == ["event_id", "issue_id", "at", "from_stage", "to_stage", "by",
                                   "note", "kind", "by_role"]


# --- refusals: every reason at once, nothing written ------------------------------------------


REFUSALS = [
    ("stakeholders missing", "I0002", "stakeholders", {},
     ["stakeholders (Stakeholders) is required to move to stakeholders (People chosen): name at "
      "least one"]),
    ("stakeholders blank", "I0002", "stakeholders", {"stakeholders": "  "},
     ["stakeholders (Stakeholders) is required"]),
    ("skip to meeting", "I0001", "meeting", {}, ["from collected (Collected) the next stage is selected (Issue selected)"]),
    ("skip to done", "I0001", "done", {"result_public": "x"},
     ["from collected (Collected) the next stage is selected (Issue selected), not done"]),
    ("backwards", "I0006", "consensus", {"consensus_text": "x"},
     ["from implementing (Implementing) the next stage is done (Done)"]),
    ("same stage", "I0002", "selected", {},
     ["from selected (Issue selected) the next stage is stakeholders (People chosen)"]),
    ("meeting: nothing given", "I0003", "meeting", {},
     ["held_on (Held on) is required", "venue_id (Venue) is required",
      "method (Method) is required", "participants (Participants) is required"]),
    ("meeting: everything wrong", "I0003", "meeting",
     {"held_on": "2022-07-01", "venue_id": "V999", "method": "phone", "participants": "1"},
     ["2022-07-01 is in the future", "there is no venue 'V999'", "unknown code 'phone'",
      "1 is too few"]),
    ("meeting: unreadable", "I0003", "meeting",
     {"held_on": "17/06/2022", "venue_id": "V001", "method": "meeting", "participants": "many"},
     ["'17/06/2022' is not a date", "'many' is not a whole number"]),
    ("meeting before the report", "I0003", "meeting",
     {"held_on": "2021-12-31", "venue_id": "V001", "method": "meeting", "participants": 5},
     ["before the issue was reported"]),
    ("another meeting, wrong", "I0004", "meeting", {"venue_id": "V001", "participants": 0},
     ["held_on (Held on) is required to record a meeting", "method (Method) is required",
      "0 is too few"]),
    ("consensus text missing", "I0004", "consensus", {}, ["consensus_text (Agreed text) is required"]),
    ("consensus without a meeting", "I0009", "consensus", {"consensus_text": "同意"},
     ["no meeting is recorded for I0009"]),
    ("implementing: nothing given", "I0005", "implementing", {},
     ["responsible_unit (Responsible unit) is required",
      "responsible_person (Responsible person) is required", "due_on (Due on) is required"]),
    ("implementing: deadline past", "I0005", "implementing",
     {"responsible_unit": "街道办", "responsible_person": "张三", "due_on": "2022-06-16"},
     ["2022-06-16 is before today (2022-06-17)"]),
    ("implementing: no such date", "I0005", "implementing",
     {"responsible_unit": "街道办", "responsible_person": "张三", "due_on": "2022-02-30"},
     ["'2022-02-30' is not a date"]),
    ("done: result missing", "I0006", "done", {}, ["result_public (Posted result) is required"]),
    ("closed without reason", "I0003", "closed", {}, ["closed_reason (Reason closed) is required"]),
    ("closed after consensus", "I0006", "closed", {"closed_reason": "x"},
     ["only an issue before consensus can be closed"]),
    ("done is final", "I0007", "closed", {"closed_reason": "x"}, ["I0007 is done"]),
    ("closed is final", "I0008", "selected", {}, ["I0008 is closed"]),
    ("unknown field", "I0002", "stakeholders", {"stakeholders": "居民代表", "due_on": "2022-07-01"},
     ["'due_on' cannot be set on the way to stakeholders"]),
    ("unknown stage", "I0002", "finished", {}, ["unknown stage 'finished'"]),
]


@pytest.mark.parametrize("issue_id, to, values, reasons", [r[1:] for r in REFUSALS],
                         ids=[r[0] for r in REFUSALS])
def test_refused_step_names_every_reason_and_writes_nothing(store, store_path, issue_id, to,
                                                            values, reasons):
    row = store.get_row("issues", issue_id)
    problems = workflow.check(row, to, values, store=store)
    texts = [str(p) for p in problems]
    assert len(texts) == len(reasons), texts
    for reason in reasons:
        assert any(reason in p for p in texts), (reason, texts)

    before = dump(store_path)
    with pytest.raises(WorkflowError) as refused:
        workflow.advance(store, issue_id, to, values, by="t", user=STAFF)
    assert isinstance(refused.value, WorkflowError)
    assert refused.value.problems == problems
    for reason in reasons:
        assert reason in str(refused.value)
    assert dump(store_path) == before


def test_a_refusal_is_said_in_the_readers_language(store):
    """The same refusal, whole, in Chinese for the Chinese pages and in English for the rest."""
    with pytest.raises(WorkflowError) as refused:
        workflow.advance(store, "I0003", "meeting", {"participants": "1"}, by="t", user=STAFF)
    assert refused.value.lines("zh") == [
        "进入“开好会”需要填写召开日期", "进入“开好会”需要填写议事点",
        "进入“开好会”需要填写协商方式（可选：书面协商、会议协商、实地协商、专家论证、网络协商、媒体监督）",
        "参会人数：1 人太少，协商至少需要 2 人"]
    assert refused.value.text("zh").startswith("I0003：挑好人 → 开好会未能完成，共 4 个问题：\n  - ")
    assert str(refused.value).startswith(
        "I0003: stakeholders (People chosen) -> meeting (Meeting held) refused, 4 problem(s):\n"
        "  - held_on (Held on) is required to move to meeting (Meeting held)")
    with pytest.raises(InputError) as missing:
        workflow.advance(store, "I9999", "selected", {}, by="t", user=STAFF)
    assert missing.value.text("zh") == "没有编号为 I9999 的议题"


def test_check_of_no_issue(store):
    assert [str(p) for p in workflow.check(None, "selected", {}, store=store)] == [
        "there is no such issue"]


def test_unknown_issue_is_refused_and_writes_nothing(store, store_path):
    before = dump(store_path)
    for call in (lambda: workflow.advance(store, "I9999", "selected", {}, by="t", user=STAFF),
                 lambda: workflow.comment(store, "I9999", "x", by="t", user=STAFF),
                 lambda: workflow.evaluate(store, "I9999", 4, by="t", user=STAFF),
                 lambda: workflow.timeline(store, "I9999"),
                 lambda: workflow.issue_record(store, "I9999")):
        with pytest.raises(InputError, match="no issue I9999"):
            call()
    assert dump(store_path) == before


@pytest.mark.parametrize("issue_id, satisfaction, reasons", [
    ("I0006", 4, ["only after the issue is done; I0006 is at implementing"]),
    ("I0001", 4, ["I0001 is at collected"]),
    ("I0007", 6, ["6.0 is above the maximum 5"]),
    ("I0007", 0.5, ["0.5 is below the minimum 1"]),
    ("I0007", "very", ["'very' is not a number"]),
    ("I0006", 9, ["only after the issue is done", "above the maximum 5"]),
])
def test_satisfaction_only_after_done_and_within_1_to_5(store, store_path, issue_id,
                                                         satisfaction, reasons):
    before = dump(store_path)
    with pytest.raises(WorkflowError) as refused:
        workflow.evaluate(store, issue_id, satisfaction, by="t", user=STAFF)
    assert len(refused.value.problems) == len(reasons)
    for reason in reasons:
        assert reason in str(refused.value)
    assert dump(store_path) == before


def test_evaluation_of_a_done_issue(store):
    before = figures(store)
    row = workflow.evaluate(store, "I0007", "4.5", by="居民评议", user=STAFF)
    assert row["satisfaction"] == 4.5 and row["stage"] == "done"
    event = events_of(store, "I0007")[-1]
    assert (event["kind"], event["from_stage"], event["to_stage"], event["by"]) == (
        "evaluation", "done", "done", "居民评议")
    assert last_audit(store)["action"] == "evaluate"
    assert figures(store) == before


def test_supervision_notes_on_any_issue(store, store_path):
    for issue_id, stage in (("I0006", "implementing"), ("I0008", "closed"), ("I0007", "done")):
        event_id = workflow.comment(store, issue_id, "逾期未办，请督促", by="张委员", user=MEMBER)
        event = events_of(store, issue_id)[-1]
        assert event["event_id"] == event_id
        assert (event["kind"], event["from_stage"], event["to_stage"], event["note"]) == (
            "comment", stage, stage, "逾期未办，请督促")
        assert store.get_row("issues", issue_id)["stage"] == stage
        audit = last_audit(store)
        assert (audit["who"], audit["action"], audit["detail"]["issue_id"]) == (
            "张委员", "comment", issue_id)
    before = dump(store_path)
    with pytest.raises(WorkflowError, match="the note is empty"):
        workflow.comment(store, "I0006", "  ", by="张委员", user=MEMBER)
    assert dump(store_path) == before


# --- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", [MEMBER, LEADER, ADMIN, None], ids=["member", "leader", "admin",
                                                                       "nobody"])
def test_only_staff_advance_evaluate_and_create(store, store_path, user):
    before = dump(store_path)
    calls = [
        lambda: workflow.advance(store, "I0006", "done", {"result_public": "完成"}, by="x", user=user),
        lambda: workflow.advance(store, "I0003", "closed", {"closed_reason": "x"}, by="x", user=user),
        lambda: workflow.advance(store, "I0004", "meeting", MEETING, by="x", user=user),
        lambda: workflow.advance(store, "I0001", "meeting", {}, by="x", user=user),  # invalid too
        lambda: workflow.evaluate(store, "I0007", 5, by="x", user=user),
        lambda: workflow.create_issue(store, lon=IN_K1[0], lat=IN_K1[1], title="t",
                                      category="parking", by="x", user=user),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert dump(store_path) == before


@pytest.mark.parametrize("user", [LEADER, ADMIN, None], ids=["leader", "admin", "nobody"])
def test_leaders_and_admins_write_no_notes(store, store_path, user):
    before = dump(store_path)
    with pytest.raises(PermissionDenied):
        workflow.comment(store, "I0006", "督办", by="x", user=user)
    assert dump(store_path) == before


@pytest.mark.parametrize("change, action", [({"disabled": 1}, "user_disable"),
                                            ({"role": "leader"}, "role_change")],
                         ids=["disabled", "demoted"])
def test_an_account_changed_a_moment_ago_counts_at_the_next_write(store, store_path, change,
                                                                  action):
    """The role in the caller's User is not trusted: the account as stored now decides."""
    for user in (STAFF, MEMBER):
        store.put_user({"username": user.username, **change}, by=ADMIN.username, action=action)
    before = dump(store_path)
    with pytest.raises(PermissionDenied):
        workflow.advance(store, "I0006", "done", {"result_public": "完成"}, by="x", user=STAFF)
    with pytest.raises(PermissionDenied):
        workflow.create_issue(store, lon=IN_K1[0], lat=IN_K1[1], title="t", category="parking",
                              by="x", user=STAFF)
    with pytest.raises(PermissionDenied):
        workflow.comment(store, "I0006", "督办", by="x", user=MEMBER)
    assert dump(store_path) == before


def test_a_user_without_an_account_is_refused_but_the_command_lines_operator_acts(store,
                                                                                  store_path):
    before = dump(store_path)
    with pytest.raises(PermissionDenied, match="Sign in first"):
        workflow.advance(store, "I0006", "done", {"result_public": "完成"}, by="x",
                         user=User("stranger", "staff"))
    assert dump(store_path) == before
    cli = workflow.operator("cli")
    assert store.get_user("cli") is None
    row = workflow.advance(store, "I0006", "done", {"result_public": "完成"}, by="cli", user=cli)
    assert row["stage"] == "done" and last_audit(store)["who"] == "cli"


def test_record_meeting_only_at_stage_meeting(store, store_path):
    before = dump(store_path)
    with pytest.raises(WorkflowError, match="only at stage meeting"):
        workflow.record_meeting(store, "I0005", MEETING, by="t", user=STAFF)
    assert dump(store_path) == before
    row = workflow.record_meeting(store, "I0004", MEETING, by="t", user=STAFF)
    assert row["stage"] == "meeting" and last_audit(store)["action"] == "record_meeting"


# --- the published figures, the audit trail, undo ----------------------------------------------


def test_published_figures_follow_the_steps(store):
    start = figures(store)
    assert start == {"meetings": 4, "consensus": 3, "implemented": 1, "in_progress": 1}

    workflow.advance(store, "I0006", "done", {"result_public": "完成"}, by="t", user=STAFF)
    after_done = figures(store)
    assert after_done == {**start, "implemented": 2, "in_progress": 0}

    workflow.advance(store, "I0003", "meeting", MEETING, by="t", user=STAFF)
    after_meeting = figures(store)
    assert after_meeting == {**after_done, "meetings": 5}

    workflow.advance(store, "I0004", "consensus", {"consensus_text": "同意"}, by="t", user=STAFF)
    after_consensus = figures(store)
    assert after_consensus == {**after_meeting, "consensus": 4}

    workflow.advance(store, "I0005", "implementing", {"responsible_unit": "u",
                                                      "responsible_person": "p",
                                                      "due_on": "2022-09-30"}, by="t", user=STAFF)
    assert figures(store) == {**after_consensus, "in_progress": 1}

    workflow.advance(store, "I0002", "closed", {"closed_reason": "撤回"}, by="t", user=STAFF)
    assert figures(store) == {**after_consensus, "in_progress": 1}


def test_audit_and_batch_record_who_from_to(store):
    workflow.advance(store, "I0005", "implementing", {"responsible_unit": "u",
                                                      "responsible_person": "p",
                                                      "due_on": "2022-09-30"},
                     by="王科员", user=STAFF)
    audit = last_audit(store)
    assert (audit["who"], audit["action"], audit["layer"]) == ("王科员", "advance", "issues")
    assert audit["detail"]["issue_id"] == "I0005"
    assert (audit["detail"]["from"], audit["detail"]["to"]) == ("consensus", "implementing")
    batch = store.history().iloc[0]
    assert (batch["who"], batch["action"], batch["status"], batch["n_updated"]) == (
        "王科员", "advance", "committed", 1)


def test_undo_of_a_step_restores_the_issue(store, store_path):
    tables = ("issues", "issue_events", "meetings")
    before = {t: rows for t, rows in dump(store_path).items() if t in tables}
    row = workflow.advance(store, "I0003", "meeting", MEETING, by="t", user=STAFF)
    assert row["stage"] == "meeting"
    batch_id = int(store.history()["batch_id"].iloc[0])

    store.undo(batch_id, by="t")

    assert {t: rows for t, rows in dump(store_path).items() if t in tables} == before
    assert store.get_row("issues", "I0003")["stage"] == "stakeholders"
    assert figures(store)["meetings"] == 4


def test_undo_waits_for_later_steps_of_the_same_issue(store):
    workflow.advance(store, "I0006", "done", {"result_public": "完成"}, by="t", user=STAFF)
    first = int(store.history()["batch_id"].iloc[0])
    workflow.evaluate(store, "I0006", 5, by="t", user=STAFF)
    with pytest.raises(InputError, match="later batch"):
        store.undo(first, by="t")
    store.undo(first + 1, by="t")
    store.undo(first, by="t")
    assert store.get_row("issues", "I0006")["stage"] == "implementing"
    # the next step after an undo reuses no id
    workflow.comment(store, "I0006", "n", by="t", user=STAFF)
    assert [e["event_id"] for e in events_of(store, "I0006")] == ["E0001", "I0006-E002"]


def test_a_step_that_lost_a_race_writes_nothing(store, store_path, monkeypatch):
    """Two staff advance the same issue at once: the second commit is refused, not doubled."""
    real_plan = workflow._plan

    def plan_while_someone_else_commits(issue_row, to, values, *, store):
        monkeypatch.setattr(workflow, "_plan", real_plan)
        with open_store(store_path) as other:
            workflow.advance(other, "I0006", "done", {"result_public": "先到"}, by="甲", user=STAFF)
        return real_plan(issue_row, to, values, store=store)

    monkeypatch.setattr(workflow, "_plan", plan_while_someone_else_commits)
    with pytest.raises(WorkflowError, match="meanwhile"):
        workflow.advance(store, "I0006", "done", {"result_public": "后到"}, by="乙", user=STAFF)
    row = store.get_row("issues", "I0006")
    assert (row["stage"], row["result_public"]) == ("done", "先到")
    assert len(events_of(store, "I0006")) == 2


# --- new issues ---------------------------------------------------------------------------------


def test_create_issue(store):
    issue_id = workflow.create_issue(
        store, lon=IN_K1[0], lat=IN_K1[1], title=" 楼道堆物 ", category="property",
        values={"description": "楼道堆满杂物", "residents_affected": "60",
                "reporter_name": "王某", "reporter_phone": "138 0000 0000", "note": "电话反映"},
        by="网格员", user=STAFF)
    assert issue_id == "I0010"
    row = store.get_row("issues", issue_id)
    assert (row["title"], row["category"], row["focus"], row["stage"], row["reported_on"]) == (
        "楼道堆物", "property", "livelihood", "collected", AS_OF)
    assert (row["residents_affected"], row["reporter_name"]) == (60, "王某")
    assert row["geom"].equals(Point(*IN_K1))
    event = events_of(store, issue_id)[0]
    assert (event["event_id"], event["from_stage"], event["to_stage"], event["by"],
            event["note"]) == ("I0010-E001", None, "collected", "网格员", "电话反映")
    audit = last_audit(store)
    assert (audit["action"], audit["detail"]["to"], audit["detail"]["community_id"]) == (
        "create", "collected", "C1")


@pytest.mark.parametrize("category, focus, expected", [
    ("development", None, "development"), ("housing", None, "hard_case"),
    ("water", None, "livelihood"), ("parking", "harmony", "harmony"),
])
def test_default_focus_follows_the_category(store, category, focus, expected):
    issue_id = workflow.create_issue(store, lon=IN_K1[0], lat=IN_K1[1], title="t",
                                     category=category, focus=focus, by="t", user=STAFF)
    assert store.get_row("issues", issue_id)["focus"] == expected


def test_new_issue_is_placed_by_the_spatial_join(store):
    issue_id = workflow.create_issue(store, lon=IN_K1[0], lat=IN_K1[1], title="t",
                                     category="water", by="t", user=STAFF)
    record = workflow.issue_record(store, issue_id)
    assert (record["community_id"], record["community_name"]) == ("C1", "甲社区")
    assert (record["compound_id"], record["compound_name"]) == ("K1", "丙小区")
    assert (record["venue_id"], record["venue_name"]) == ("V001", "丙小区议事亭")
    assert 100 < record["venue_distance_m"] < 200
    assert record["members"] == [{"member_id": "M001", "name": "张委员", "role": "city_cppcc"}]
    assert record["unassigned"] is False
    assert (record["lon"], record["lat"]) == IN_K1


def test_a_point_in_no_community_is_kept_and_reported_unassigned(store):
    issue_id = workflow.create_issue(store, lon=NOWHERE[0], lat=NOWHERE[1], title="t",
                                     category="water", by="t", user=STAFF)
    record = workflow.issue_record(store, issue_id)
    assert record["unassigned"] is True
    assert record["community_id"] is None and record["members"] == []
    assert record["venue_id"] == "V002"
    assert last_audit(store)["detail"]["community_id"] is None


def test_a_bad_new_issue_lists_every_problem_and_writes_nothing(store, store_path):
    before = dump(store_path)
    with pytest.raises(WorkflowError) as refused:
        workflow.create_issue(store, lon=116.5, lat=34.42, title="  ", category="noise",
                              focus="peace", values={"residents_affected": "-3", "owner": "x",
                                                     "reporter_phone": "call me"},
                              by="t", user=STAFF)
    problems = refused.value.problems
    problems = [str(p) for p in problems]
    for reason in ("lies outside the subdistrict", "title (Title) is required",
                   "unknown code 'noise'", "unknown code 'peace'", "'owner' cannot be set",
                   "-3 is below the minimum 0", "'call me' is not a phone number"):
        assert any(reason in p for p in problems), (reason, problems)
    assert len(problems) == 7
    assert dump(store_path) == before


def test_swapped_coordinates_get_a_hint(store):
    with pytest.raises(WorkflowError, match="lon and lat look swapped"):
        workflow.create_issue(store, lon=34.42, lat=115.61, title="t", category="water",
                              by="t", user=STAFF)


def test_issue_record_leaves_residents_personal_data_out(store):
    record = workflow.issue_record(store, "I0001")
    assert "reporter_name" not in record and "reporter_phone" not in record
    assert "13800000000" not in json.dumps(record, ensure_ascii=False)
    private = workflow.issue_record(store, "I0001", include_private=True)
    assert private["reporter_phone"] == "13800000000"


# --- the demo store -----------------------------------------------------------------------------


def test_steps_on_the_demo_store_move_the_published_figures(demo_store):
    add_accounts(demo_store, STAFF)
    start = figures(demo_store)
    assert start == {"meetings": 230, "consensus": 108, "implemented": 85, "in_progress": 23}
    issues = demo_store.load_layer("issues")
    implementing = issues[issues["stage"] == "implementing"]["issue_id"].iloc[0]
    at_meeting = issues[issues["stage"] == "meeting"]["issue_id"].iloc[0]

    workflow.advance(demo_store, implementing, "done", {"result_public": "已完成并公示"},
                     by="t", user=STAFF)
    workflow.advance(demo_store, at_meeting, "meeting", {**MEETING, "venue_id": "V001"},
                     by="t", user=STAFF)
    workflow.advance(demo_store, at_meeting, "consensus", {"consensus_text": "同意"},
                     by="t", user=STAFF)

    assert figures(demo_store) == {"meetings": 231, "consensus": 109, "implemented": 86,
                                   "in_progress": 22}
    meetings = demo_store.load_layer("meetings")
    assert "MT0231" in set(meetings["meeting_id"])  # numbering continues the demo's ids
    events = events_of(demo_store, implementing)
    assert events[-1]["to_stage"] == "done"
    assert events[-1]["event_id"] == f"{implementing}-E{len(events):03d}"
    new = workflow.create_issue(demo_store, lon=115.6169, lat=34.4366, title="师院周边停车",
                                category="parking", by="t", user=STAFF)
    assert new == "I0138"
    assert workflow.issue_record(demo_store, new)["community_name"] == "师院社区"
