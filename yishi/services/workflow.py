"""Issue workflow service: the four-step procedure 四步程序 applied to the store.

The rules (which stage follows, what each step needs, every reason a step is refused) are
`geo.procedure`, pure; this module gathers the facts they need from the store (today, the
issue's meetings, whether a venue exists, the area new issues must fall in) and writes what
they allow. Each step needs certain facts (`requirements`); `check` lists every missing or
wrong one at once, and `advance` refuses with the same list, as bilingual `Message`s. A
transition that passes is written as ONE store batch: the issue's changed fields, its
timeline event and (for a meeting) the meeting row, with the audit row (who, when, from, to)
and the undo log.

Besides stage changes: another meeting can be recorded while the issue is at ``meeting``
(`record_meeting`), members and staff add supervision notes 督办意见 (`comment`), and
residents' satisfaction 群众评价 is recorded once the issue is done (`evaluate`). Staff repair
a record: `correct` changes one recorded field (a typo), `step_back` returns the issue to the
stage before with a reason; both are audited and leave a timeline row. `place` says where a
point falls, from the store's layers near it.

A timeline row written by an account is signed by the person: `by` is the account's display
name as stored at that moment (the `by` given when it has none) and `by_role` its role; the
audit row names who acted as given (`by`). The command line's operator signs with `by`.

Text is taken as `geo.procedure` takes it: invisible direction and zero-width characters are
dropped silently, and every value (a timeline note too) must fit its field's length
(`geo.schema`), else the write is refused with the field named in the reader's language.

Who may do what is the one permission table, `yishi.accounts.PERMISSIONS` (these actions are
verbs in it), checked by `require` inside every writing function, so pages and the command
line share one rule. The `user` argument is the signed-in account;
``None`` (nobody signed in) may do nothing. The command line acts as staff through
`operator`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo import procedure
from geo.errors import InputError, Message, WorkflowError, msg
from geo.joins import place as place_points
from geo.procedure import ACTIONS, REPAIRS, STEP_BACK_CLEARS, next_stage, requirements, stage_term
from geo.schema import ISSUE_EVENTS, ISSUES, SHANGQIU_BBOX, WGS84, get_layer
from geo.values import is_missing
from yishi.accounts import User, can, require_within
from yishi.services import regions
from yishi.services.accounts import acting
from yishi.storage import Row, Store

__all__ = [
    "ACTIONS", "REPAIRS", "WorkflowError", "advance", "allowed_actions", "allowed_repairs",
    "check", "closed_from", "comment", "correct", "create_issue", "evaluate", "issue_record", "next_stage",
    "operator", "place", "record_meeting", "requirements", "step_back", "timeline",
]

#: The audit trail's action name for each workflow action (closing is a stage change).
AUDIT_ACTIONS: dict[str, str] = {
    "create": "create", "advance": "advance", "close": "advance",
    "record_meeting": "record_meeting", "comment": "comment", "evaluate": "evaluate",
    "correct": "correct", "step_back": "step_back",
    # the residents' channel (`yishi.services.residents`)
    "report": "report", "me_too": "me_too", "triage": "triage", "rate": "rate",
}


# --- permissions ----------------------------------------------------------------------


def operator(by: str, role: str = "staff") -> User:
    """The command line's user: the operator's own tool (staff, or admin for accounts), named
    `by` in the audit; not a store account, so `acting` keeps its role."""
    return User(username=by, role=role, operator=True)


# --- reading the facts the rules need ----------------------------------------------------


def allowed_actions(issue_row: Mapping[str, Any], user: User | None) -> list[str]:
    """What `user` may do to this issue now, in `ACTIONS` order (no buttons for nobody)."""
    return [a for a in procedure.possible_actions(issue_row["stage"]) if can(user, a)]


def allowed_repairs(issue_row: Mapping[str, Any], user: User | None) -> list[str]:
    """The repairs (`REPAIRS`: correct, step_back) `user` may make to this issue now."""
    return [r for r in procedure.possible_repairs(issue_row["stage"]) if can(user, r)]


def _issue(store: Store, issue_id: str, actor: User | None = None, verb: str = "view_issue") -> Row:
    """The stored issue; with `actor`, PermissionDenied unless it lies in the actor's region."""
    row = store.get_row("issues", str(issue_id))
    if row is None:
        raise InputError(msg("wf_no_issue", issue_id=issue_id))
    if actor is not None:
        require_within(actor, row.get("subdistrict_id"), verb)
    return row


def _meetings_of(store: Store, issue_id: str) -> pd.DataFrame:
    return store.load_layer("meetings", where={"issue_id": issue_id})


def _plan(issue_row: Mapping[str, Any], to: str, values: Mapping[str, Any], *,
          store: Store) -> procedure.Plan:
    """`geo.procedure.plan` with the store's facts: today, the issue's meetings, its venues."""
    return procedure.plan(
        issue_row, to, values, today=store.today(),
        meetings=len(_meetings_of(store, str(issue_row.get("issue_id")))),
        venue_exists=lambda venue_id: store.get_row("venues", venue_id) is not None)


def check(issue_row: Mapping[str, Any] | None, to: str, values: Mapping[str, Any] | None = None,
          *, store: Store) -> list[Message]:
    """Every reason the move of `issue_row` to stage `to` with `values` would be refused.

    An empty list means `advance` would accept it. ``to`` equal to ``"meeting"`` for an issue
    already at meeting checks another meeting record; ``"closed"`` needs ``closed_reason``.
    Values may be typed or text (as typed in a form or on the command line).
    """
    if issue_row is None:
        return [msg("wf_no_such_issue")]
    return _plan(issue_row, to, dict(values or {}), store=store).problems


def issue_area(store: Store) -> tuple[tuple[float, float, float, float], Message]:
    """The box new issues must fall in: the subdistrict's, else the communities', else Shangqiu's."""
    for name, key in (("subdistrict", "wf_area_subdistrict"),
                      ("communities", "wf_area_communities")):
        frame = store.load_layer(name)
        if len(frame):
            minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
            return (minx, miny, maxx, maxy), msg(key)
    return SHANGQIU_BBOX, msg("wf_area_city")


# --- writing ----------------------------------------------------------------------------


def next_event_id(store: Store, issue_id: str) -> str:
    """The id of the issue's next timeline row: ``{issue_id}-E{n:03d}``, n = its events + 1.

    Read BEFORE the issue itself: two writers that saw the same issue pick the same id, so
    the one that commits second is refused by the store (an id is never reused) instead of
    writing a step based on a stage that has moved on meanwhile.
    """
    n = len(store.load_layer("issue_events", where={"issue_id": issue_id})) + 1
    while store.get_row("issue_events", f"{issue_id}-E{n:03d}") is not None:
        n += 1
    return f"{issue_id}-E{n:03d}"


def timeline_row(store: Store, event_id: str, issue_id: str, *, from_stage: str | None,
           to_stage: str, by: str, note: str | None, kind: str, actor: User | None = None) -> Row:
    """A timeline row dated the store's today, signed by `actor` (see the module's notes)."""
    signer, role = by, None
    if actor is not None and not actor.operator:
        signer, role = actor.display_name or by, actor.role
    return {"event_id": event_id, "issue_id": issue_id, "at": store.today().isoformat(),
            "from_stage": from_stage, "to_stage": to_stage, "by": signer, "note": note,
            "kind": kind, "by_role": role}


def _commit(store: Store, issue_id: str, *, action: str, by: str, issue_rows: list[Row],
            extra: dict[str, list[Row]], detail: dict[str, Any],
            updates: dict[str, list[Row]] | None = None) -> int:
    """Write one batch; losing a race with another writer is a clean refusal (nothing written)."""
    layer, rows, more = "issues", issue_rows, dict(extra)
    if not issue_rows:  # a note: the batch is the timeline row itself
        layer, rows = "issue_events", more.pop("issue_events")
    try:
        result = store.write_batch(layer, rows, by=by, action=AUDIT_ACTIONS[action],
                                   source="workflow", detail=detail, extra={**more, **(updates or {})},
                                   extra_updatable=tuple(updates or ()),
                                   new_only=action in ("create", "report") or layer == "issue_events")
    except InputError:
        appended = [(name, row[get_layer(name).id_field])
                    for name, records in extra.items() for row in records]
        if action not in ("create", "report") and any(store.get_row(name, row_id) is not None
                                       for name, row_id in appended):
            raise WorkflowError(msg("wf_what_write", issue_id=issue_id),
                                    [msg("wf_race", issue_id=issue_id)]) from None
        raise
    return result.batch_id


def advance(store: Store, issue_id: str, to: str, values: Mapping[str, Any] | None = None, *,
            by: str, user: User | None = None) -> Row:
    """Move issue `issue_id` to stage `to` (or record another meeting, or close it).

    Parameters
    ----------
    values
        The facts the step needs (`requirements`), plus optional ``note`` for the timeline.
    by
        Who does it, as the audit trail and the timeline name them.
    user
        The signed-in account; its role must be allowed (`yishi.accounts.PERMISSIONS`).

    Returns
    -------
    dict
        The issue row as stored after the change.

    Raises
    ------
    PermissionDenied
        The role may not do this.
    InputError
        There is no such issue.
    WorkflowError
        Every reason the step is refused; nothing was written.
    """
    values = dict(values or {})
    event_id = next_event_id(store, issue_id)  # first: see next_event_id
    before = _issue(store, issue_id)
    stage = before["stage"]
    action = procedure.action_for(stage, to)
    actor = acting(store, user, action)
    require_within(actor, before.get("subdistrict_id"), action)
    planned = _plan(before, to, values, store=store)
    if planned.problems:
        raise WorkflowError(msg("wf_what_step", issue_id=issue_id, stage=stage_term(stage),
                                    to=stage_term(to)), planned.problems)
    note = procedure.note_value(values.get("note"))[0]
    extra: dict[str, list[Row]] = {}
    detail: dict[str, Any] = {"issue_id": issue_id, "from": stage, "to": to}
    meeting = planned.meeting
    if meeting is not None:
        meeting_id = store.next_id("meetings", "M")
        extra["meetings"] = [{"meeting_id": meeting_id, "issue_id": issue_id, "consensus": 0,
                              **meeting}]
        detail["meeting_id"] = meeting_id
        note = note or f"{meeting_id} {meeting['held_on']} {meeting['method']}"
    event = timeline_row(store, event_id, issue_id, from_stage=stage, to_stage=to, by=by, note=note,
                   kind="stage", actor=actor)
    updates = {"meetings": [_consensus_meeting(store, issue_id)]} if to == "consensus" else None
    _commit(store, issue_id, action=action, by=by,
            issue_rows=[{"issue_id": issue_id, "stage": to, **planned.update}],
            extra={"issue_events": [event], **extra}, detail=detail, updates=updates)
    return _issue(store, issue_id)


def _consensus_meeting(store: Store, issue_id: str) -> Row:
    """The issue's latest meeting, flagged as the one that reached consensus."""
    mine = _meetings_of(store, issue_id).sort_values(["held_on", "meeting_id"])
    return {"meeting_id": mine["meeting_id"].iloc[-1], "consensus": 1}


def record_meeting(store: Store, issue_id: str, values: Mapping[str, Any], *, by: str,
                   user: User | None = None) -> Row:
    """Record another meeting of an issue at stage meeting (the stage does not change)."""
    before = _issue(store, issue_id)
    problems = procedure.meeting_record_problems(issue_id, before["stage"])
    if problems:
        acting(store, user, "record_meeting")
        raise WorkflowError(msg("wf_what_meeting", issue_id=issue_id), problems)
    return advance(store, issue_id, "meeting", values, by=by, user=user)


def comment(store: Store, issue_id: str, note: str, *, by: str,
            user: User | None = None) -> str:
    """Add a supervision note 督办意见 to any issue's timeline; returns the event id."""
    actor = acting(store, user, "comment")
    event_id = next_event_id(store, issue_id)
    before = _issue(store, issue_id, actor, "comment")
    problems = procedure.note_problems(note)
    if problems:
        raise WorkflowError(msg("wf_what_note", issue_id=issue_id), problems)
    stage = before["stage"]
    event = timeline_row(store, event_id, issue_id, from_stage=stage, to_stage=stage, by=by,
                   note=procedure.note_value(note)[0], kind="comment", actor=actor)
    _commit(store, issue_id, action="comment", by=by, issue_rows=[],
            extra={"issue_events": [event]},
            detail={"issue_id": issue_id, "from": stage, "to": stage, "event_id": event["event_id"]})
    return event["event_id"]


def evaluate(store: Store, issue_id: str, satisfaction: float, *, by: str,
             user: User | None = None, note: str | None = None) -> Row:
    """Record residents' satisfaction 群众评价 (1-5) with a done issue; returns the issue row."""
    actor = acting(store, user, "evaluate")
    event_id = next_event_id(store, issue_id)
    before = _issue(store, issue_id, actor, "evaluate")
    stage = before["stage"]
    problems, value = procedure.evaluation(issue_id, stage, satisfaction)
    written, note_problems = procedure.note_value(note)
    problems += note_problems
    if problems:
        raise WorkflowError(msg("wf_what_evaluation", issue_id=issue_id), problems)
    event = timeline_row(store, event_id, issue_id, from_stage=stage, to_stage=stage, by=by,
                   note=written or f"满意度 satisfaction {value:g}", kind="evaluation", actor=actor)
    _commit(store, issue_id, action="evaluate", by=by,
            issue_rows=[{"issue_id": issue_id, "satisfaction": value}],
            extra={"issue_events": [event]},
            detail={"issue_id": issue_id, "from": stage, "to": stage, "satisfaction": value})
    return _issue(store, issue_id)


def create_issue(store: Store, *, lon: float, lat: float, title: str, category: str,
                 focus: str | None = None, values: Mapping[str, Any] | None = None,
                 by: str, user: User | None = None) -> str:
    """Record a resident's problem as a new issue at stage collected; returns its id.

    The id is ``I%04d`` after the highest one; ``reported_on`` is the store's today. The point
    (WGS84) must lie in the subdistrict's bounding box; a point in no community is kept and
    shows as unassigned (see `place`). `focus` defaults from the category (development ->
    development, housing -> hard_case, else livelihood). `values` may carry description,
    residents_affected, reporter_name, reporter_phone and a timeline ``note``.
    """
    actor = acting(store, user, "create")
    values = dict(values or {})
    area, area_name = issue_area(store)
    problems, row = procedure.new_issue(lon=lon, lat=lat, title=title, category=category,
                                        focus=focus, values=values, area=area,
                                        area_name=area_name)
    if problems:
        raise WorkflowError(msg("wf_what_new"), problems)
    note = procedure.note_value(values.get("note"))[0]
    return insert_issue(store, row, shapely.Point(float(lon), float(lat)), by=by, actor=actor,
                        note=note)


def insert_issue(store: Store, row: Row, point: shapely.Point, *, by: str, actor: User | None,
                 note: str | None, action: str = "create",
                 more: Callable[[str], dict[str, list[Row]]] | None = None,
                 detail: Mapping[str, Any] | None = None) -> str:
    """Write a checked new issue (`row`, at stage collected) with its first timeline row and
    `more(issue_id)` rows of other layers in one batch; returns the id it got (the next free
    one: a writer that loses the id to another takes the one after)."""
    hit = place(store, point)
    community = hit["community_id"]
    # where it falls is stored with it (`yishi.services.assignment`): the same join's answer
    row.update({"community_id": community, "compound_id": hit["compound_id"]})
    row.setdefault("subdistrict_id", regions.subdistrict_of(store, point))
    if actor is not None:
        require_within(actor, row["subdistrict_id"], action)
    for attempt in range(3):
        issue_id = store.next_id("issues", "I")
        row.update({"issue_id": issue_id, "reported_on": store.today().isoformat(),
                    "geom": point})
        event = timeline_row(store, f"{issue_id}-E001", issue_id, from_stage=None,
                       to_stage="collected", by=by, note=note, kind="stage", actor=actor)
        try:
            _commit(store, issue_id, action=action, by=by, issue_rows=[row],
                    extra={"issue_events": [event], **(more(issue_id) if more else {})},
                    detail={"issue_id": issue_id, "from": None, "to": "collected",
                            "community_id": community, **(detail or {})})
        except InputError:
            if attempt < 2 and store.get_row("issues", issue_id) is not None:
                continue  # another writer took this id meanwhile: take the next one
            raise
        return issue_id
    raise AssertionError("unreachable")


# --- repairs: a typo corrected, a stage stepped back -------------------------------------


def correct(store: Store, issue_id: str, field: str, value: Any, reason: str, *,
            user: User | None, by: str | None = None) -> Row:
    """Correct one recorded field of an issue (a typo), with a reason; returns the issue row.

    The field must be recorded at the issue's stage or before (`geo.procedure.CORRECTABLE`)
    and the value passes the checks it passed when first recorded. One batch writes the field
    and a timeline row (kind correction: the field, old -> new, the reason; a resident's
    private value is not repeated there), with the audit row; the batch log keeps both values.
    """
    actor = acting(store, user, "correct")
    event_id = next_event_id(store, issue_id)  # first: see next_event_id
    before = _issue(store, issue_id, actor, "correct")
    stage = before["stage"]
    problems, new = procedure.correction(before, field, value, reason, today=store.today())
    if problems:
        named = ISSUES.get(field) if field in ISSUES.field_names else field
        raise WorkflowError(msg("fix_what", issue_id=issue_id, field=named), problems)
    written = procedure.note_value(reason)[0]
    old = before.get(field)
    note = procedure.correction_note(field, old, new, written or "")
    event = timeline_row(store, event_id, issue_id, from_stage=stage, to_stage=stage, by=by or actor.username,
                   note=note, kind="correction", actor=actor)
    detail: dict[str, Any] = {"issue_id": issue_id, "from": stage, "to": stage, "field": field,
                              "reason": written}
    if not ISSUES.get(field).private:
        detail.update(value_before=old, value_after=new)  # "new" is the batch's count of new rows
    _commit(store, issue_id, action="correct", by=by or actor.username,
            issue_rows=[{"issue_id": issue_id, field: new}], extra={"issue_events": [event]},
            detail=detail)
    return _issue(store, issue_id)


def closed_from(events: pd.DataFrame) -> str | None:
    """The stage a closed issue was closed from, as its timeline `events` say (None: they do
    not); the issue page reads it from the timeline it shows, a step back from the store's."""
    closing = events[(events["to_stage"] == "closed") & (events["from_stage"] != "closed")]
    return None if closing.empty else closing["from_stage"].iloc[-1]


def step_back(store: Store, issue_id: str, reason: str, *, user: User | None,
              by: str | None = None) -> Row:
    """Return an issue to the stage before its own, with a reason; returns the issue row.

    Not from collected; a closed issue returns to the stage it was closed from. What the
    undone stage marked is cleared (`geo.procedure.STEP_BACK_CLEARS`: the consensus date and
    the meeting's consensus flag, the completion date and the evaluation, the reason for
    closing); typed facts are kept. One batch with a timeline row (kind stage, from -> to,
    the reason as its note) and the audit row.
    """
    actor = acting(store, user, "step_back")
    event_id = next_event_id(store, issue_id)  # first: see next_event_id
    before = _issue(store, issue_id, actor, "step_back")
    stage = before["stage"]
    closed = closed_from(timeline(store, issue_id)) if stage == "closed" else None
    problems, to = procedure.step_back(issue_id, stage, reason, closed_from=closed)
    if problems or to is None:
        raise WorkflowError(msg("back_what", issue_id=issue_id), problems)
    cleared = {name: None for name in STEP_BACK_CLEARS.get(stage, ())}
    updates = None
    if stage == "consensus":
        held = _meetings_of(store, issue_id)
        flagged = held[held["consensus"].fillna(False).astype(bool)]["meeting_id"]
        updates = {"meetings": [{"meeting_id": m, "consensus": 0} for m in flagged]} if len(flagged) else None
    written = procedure.note_value(reason)[0]
    event = timeline_row(store, event_id, issue_id, from_stage=stage, to_stage=to, by=by or actor.username,
                   note=written, kind="stage", actor=actor)
    _commit(store, issue_id, action="step_back", by=by or actor.username,
            issue_rows=[{"issue_id": issue_id, "stage": to, **cleared}],
            extra={"issue_events": [event]}, updates=updates,
            detail={"issue_id": issue_id, "from": stage, "to": to, "reason": written,
                    "cleared": sorted(cleared)})
    return _issue(store, issue_id)


# --- reading ----------------------------------------------------------------------------


def timeline(store: Store, issue_id: str) -> pd.DataFrame:
    """The issue's events (stage changes, notes, evaluations), oldest first (date, event id)."""
    _issue(store, issue_id)
    events = store.load_layer("issue_events", where={"issue_id": issue_id})
    return events.sort_values(["at", "event_id"], kind="stable").reset_index(drop=True)[
        list(ISSUE_EVENTS.field_names)]


def plain_value(value: Any) -> Any:
    """A frame value as plain JSON-able Python (None for missing)."""
    if isinstance(value, (list, tuple)):
        return [plain_value(v) for v in value]
    if is_missing(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def place(store: Store, point: shapely.Point) -> dict[str, Any]:
    """Where a point falls: community, compound, nearest venue and distance, linked members.

    Derived by `geo.joins.place` from only the rows it needs (an issue stores its community
    and compound when written, `yishi.services.assignment`; this answers for any point): the communities
    and compounds whose bounding box holds the point, the venues, and the members linked to
    the community found. Members are ``{member_id, name, role}``, by id.
    """
    box = (point.x, point.y, point.x, point.y)
    hit = place_points(gpd.GeoSeries([point], crs=WGS84),
                       communities=store.load_layer("communities", bbox=box),
                       compounds=store.load_layer("compounds", bbox=box),
                       venues=store.load_layer("venues")).iloc[0]
    out = {name: plain_value(hit[name]) for name in (
        "community_id", "community_name", "compound_id", "compound_name", "venue_id",
        "venue_name", "venue_distance_m")}
    if out["venue_distance_m"] is not None:
        out["venue_distance_m"] = round(float(out["venue_distance_m"]), 1)
    members = (store.load_layer("members", where={"linked_community_id": out["community_id"]})
               if out["community_id"] is not None else pd.DataFrame())
    out["members"] = [{"member_id": m["member_id"], "name": plain_value(m["name"]),
                       "role": plain_value(m["role"])} for m in members.to_dict("records")]
    out["unassigned"] = bool(hit["unassigned"])
    return out


def issue_record(store: Store, issue_id: str, *, include_private: bool = False) -> dict[str, Any]:
    """One issue as plain data: its fields (public ones unless asked), lon/lat, where it falls
    (`place`) and its timeline. Residents' personal fields only with `include_private`."""
    row = store.get_row("issues", str(issue_id), include_private=include_private)
    if row is None:
        raise InputError(msg("wf_no_issue", issue_id=issue_id))
    geom = row.pop("geom")
    fields = ISSUES.field_names if include_private else ISSUES.public_fields
    record: dict[str, Any] = {name: row.get(name) for name in fields}
    record["lon"], record["lat"] = round(geom.x, 6), round(geom.y, 6)
    record.update(place(store, geom))
    events = timeline(store, issue_id)
    record["timeline"] = [{k: plain_value(v) for k, v in e.items()} for e in events.to_dict("records")]
    return record
