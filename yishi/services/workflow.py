"""Issue workflow: the four-step procedure 四步程序 and what follows it, as checked transitions.

An issue moves one stage at a time along ``schema.STAGE_ORDER``::

    collected 收集 -> selected 选准事 -> stakeholders 挑好人 -> meeting 开好会
    -> consensus 达成共识 -> implementing 落实中 -> done 已落实

Before consensus it may instead be closed 已终止 with a reason. Each step needs certain
facts (`requirements`); `check` lists every missing or wrong one at once, so a page can show
them before the user submits, and `advance` refuses with the same list. A transition that
passes is written as ONE store batch: the issue's changed fields, its timeline event and
(for a meeting) the meeting row, with the audit row (who, when, from, to) and the undo log.

Besides stage changes: another meeting can be recorded while the issue is at ``meeting``
(`record_meeting`), members and staff add supervision notes 督办意见 (`comment`), and
residents' satisfaction 群众评价 is recorded once the issue is done (`evaluate`).

Who may do what is the table `ACTION_PERMISSIONS`, checked inside every writing function,
so pages and the command line share one rule. The `user` argument is the signed-in account;
``None`` (nobody signed in) may do nothing. The command line acts as staff through
`operator`.

Examples
--------
>>> next_stage("meeting")
'consensus'
>>> requirements("implementing")
['responsible_unit', 'responsible_person', 'due_on']
>>> next_stage("done") is None
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from yishi.accounts import User
from geo.errors import InputError, PermissionDenied, WorkflowError
from geo.joins import assign
from geo.schema import (CATEGORIES, FOCUS_AREAS, ISSUE_EVENTS, ISSUES, MEETINGS, METHODS,
                        SHANGQIU_BBOX, STAGE_ORDER, STAGES, WGS84, Field, get_layer)
from yishi.storage import Row, Store

__all__ = [
    "ACTIONS", "ACTION_PERMISSIONS", "CLOSABLE_STAGES", "TransitionRefused", "advance",
    "allowed_actions", "check", "comment", "create_issue", "evaluate", "issue_record",
    "next_stage", "operator", "permitted", "place", "record_meeting", "requirements", "timeline",
]

#: What can be done to an issue (the names pages use for buttons and permissions).
ACTIONS: tuple[str, ...] = ("create", "advance", "record_meeting", "close", "comment", "evaluate")

#: Roles allowed to do each action. Staff run the procedure; members supervise (notes only);
#: leaders and admins read. Kept in step with `yishi.accounts.PERMISSIONS` by a test.
ACTION_PERMISSIONS: dict[str, frozenset[str]] = {
    "create": frozenset({"staff"}),
    "advance": frozenset({"staff"}),
    "record_meeting": frozenset({"staff"}),
    "close": frozenset({"staff"}),
    "comment": frozenset({"staff", "member"}),
    "evaluate": frozenset({"staff"}),
}

#: The audit trail's action name for each workflow action (closing is a stage change).
AUDIT_ACTIONS: dict[str, str] = {
    "create": "create", "advance": "advance", "close": "advance",
    "record_meeting": "record_meeting", "comment": "comment", "evaluate": "evaluate",
}

#: Stages from which an issue may be closed without consensus (an agreed issue is followed up).
CLOSABLE_STAGES: tuple[str, ...] = STAGE_ORDER[:STAGE_ORDER.index("consensus")]

#: Fields each target stage needs (`requirements`). Meeting fields describe the meeting row.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "collected": (),
    "selected": (),
    "stakeholders": ("stakeholders",),
    "meeting": ("held_on", "venue_id", "method", "participants"),
    "consensus": ("consensus_text",),
    "implementing": ("responsible_unit", "responsible_person", "due_on"),
    "done": ("result_public",),
    "closed": ("closed_reason",),
}
#: Issue fields that may also be set on the way to a stage ("note" goes to the timeline).
_OPTIONAL: dict[str, tuple[str, ...]] = {
    "collected": (),
    "selected": ("description", "residents_affected"),
    "stakeholders": (),
    "meeting": (),
    "consensus": ("residents_affected",),
    "implementing": ("residents_affected",),
    "done": ("residents_affected",),
    "closed": (),
}
_MEETING_FIELDS: tuple[str, ...] = ("held_on", "venue_id", "method", "participants")
_MIN_PARTICIPANTS = 2
#: Fields create_issue takes through `values` besides its keyword arguments.
_CREATE_FIELDS: tuple[str, ...] = ("description", "residents_affected", "reporter_name",
                                   "reporter_phone")
_DEFAULT_FOCUS: dict[str, str] = {"development": "development", "housing": "hard_case"}
_EXAMPLE_GROUPS = "居民代表、物业公司、政府部门、专家"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PHONE = re.compile(r"[0-9+\- ()]{5,20}")


class TransitionRefused(WorkflowError):
    """A refused workflow write; `problems` lists every reason, and nothing was written."""

    def __init__(self, what: str, problems: list[str]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{what} refused, {len(self.problems)} problem(s):\n{lines}")


# --- permissions ----------------------------------------------------------------------


def operator(by: str) -> User:
    """The command line's user: the operator's own tool acts as staff, named `by` in the audit."""
    return User(username=by, role="staff")


def permitted(user: User | None, action: str) -> bool:
    """True when `user`'s role may do `action` (nobody signed in may do nothing)."""
    if action not in ACTION_PERMISSIONS:
        raise InputError(f"unknown action {action!r}; choose one of: {', '.join(ACTIONS)}")
    return user is not None and user.role in ACTION_PERMISSIONS[action]


def _require(user: User | None, action: str) -> None:
    if permitted(user, action):
        return
    roles = ", ".join(sorted(ACTION_PERMISSIONS[action]))
    if user is None:
        raise PermissionDenied(f"nobody is signed in: {action} needs the role {roles}")
    raise PermissionDenied(f"role {user.role!r} may not {action} issues (allowed: {roles})")


# --- stages -----------------------------------------------------------------------------


def _known_stage(stage: str) -> str:
    if stage not in STAGES.codes:
        raise InputError(f"unknown stage {stage!r}; choose one of: {', '.join(STAGES.codes)}")
    return stage


def next_stage(stage: str) -> str | None:
    """The stage after `stage` on the procedure; None after done and for closed issues."""
    _known_stage(stage)
    if stage == "closed" or stage == STAGE_ORDER[-1]:
        return None
    return STAGE_ORDER[STAGE_ORDER.index(stage) + 1]


def requirements(stage_to: str) -> list[str]:
    """Names of the fields a move to `stage_to` needs (for a meeting: the meeting's fields)."""
    return list(_REQUIRED[_known_stage(stage_to)])


def _action_for(stage: str, to: str) -> str:
    """Which action a move from `stage` to `to` is (its permission and audit name)."""
    if to == "closed":
        return "close"
    if to == "meeting" and stage == "meeting":
        return "record_meeting"
    return "advance"


def allowed_actions(issue_row: Mapping[str, Any], user: User | None) -> list[str]:
    """What `user` may do to this issue now, in `ACTIONS` order (no buttons for nobody)."""
    stage = issue_row["stage"]
    possible = {"comment"}
    if stage in STAGES.codes and next_stage(stage):
        possible.add("advance")
    if stage == "meeting":
        possible.add("record_meeting")
    if stage in CLOSABLE_STAGES:
        possible.add("close")
    if stage == "done":
        possible.add("evaluate")
    return [a for a in ACTIONS if a in possible and permitted(user, a)]


# --- values -----------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _label(name: str) -> str:
    for layer in (ISSUES, MEETINGS):
        if name in layer.field_names:
            return f"{name} ({layer.get(name).zh})"
    return name


def _field(name: str) -> Field:
    return ISSUES.get(name) if name in ISSUES.field_names else MEETINGS.get(name)


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    text = str(value).strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _coerce(f: Field, raw: Any) -> tuple[Any, str | None]:
    """`raw` (typed, or text from a form or the command line) as the store's SQL value.

    Returns (value, None), or (None, problem). Blank input is (None, None).
    """
    if _blank(raw):
        return None, None
    label = _label(f.name)
    value: Any
    if f.type == "date":
        parsed = _parse_date(raw)
        if parsed is None:
            return None, f"{label}: {raw!r} is not a date (use YYYY-MM-DD)"
        value = parsed.isoformat()
    elif f.type == "int":
        if isinstance(raw, bool):
            return None, f"{label}: {raw!r} is not a whole number"
        try:
            number = float(str(raw).strip()) if isinstance(raw, str) else float(raw)
        except (TypeError, ValueError):
            return None, f"{label}: {raw!r} is not a whole number"
        if not math.isfinite(number) or number != int(number):
            return None, f"{label}: {raw!r} is not a whole number"
        value = int(number)
    elif f.type == "float":
        try:
            value = float(str(raw).strip()) if isinstance(raw, str) else float(raw)
        except (TypeError, ValueError):
            return None, f"{label}: {raw!r} is not a number"
        if isinstance(raw, bool) or not math.isfinite(value):
            return None, f"{label}: {raw!r} is not a number"
    elif f.type == "bool":
        return None, f"{label}: cannot be set here"
    else:
        value = str(raw).strip()
    if f.enum is not None and value not in f.enum.codes:
        return None, f"{label}: unknown code {value!r}; choose one of: {', '.join(f.enum.codes)}"
    if f.minimum is not None and value < f.minimum:
        return None, f"{label}: {value} is below the minimum {f.minimum:g}"
    if f.maximum is not None and value > f.maximum:
        return None, f"{label}: {value} is above the maximum {f.maximum:g}"
    return value, None


def _unknown_keys(values: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> list[str]:
    extra = [k for k in values if k not in allowed]
    if not extra:
        return []
    return [f"{', '.join(map(repr, extra))} cannot be set {where}; "
            f"fields: {', '.join(allowed) or '(none)'}"]


# --- checking a transition ----------------------------------------------------------------


def _transition_problems(issue_id: str, stage: Any, to: str) -> list[str]:
    """Why the move from `stage` to `to` is impossible whatever the values (empty: possible)."""
    if to not in STAGES.codes:
        return [f"unknown stage {to!r}; choose one of: {', '.join(STAGES.codes)}"]
    if stage not in STAGES.codes:
        return [f"{issue_id} has an unknown stage {stage!r}"]
    if stage in ("done", "closed"):
        return [f"{issue_id} is {stage} ({STAGES.label(stage)}): no stage follows"]
    if to == "closed":
        if stage in CLOSABLE_STAGES:
            return []
        return [f"{issue_id} reached consensus (it is at {stage}): only an issue before "
                f"consensus can be closed; follow it up instead"]
    if to == stage == "meeting":
        return []  # another meeting of an issue at stage meeting
    following = next_stage(stage)
    if to == following:
        return []
    where = "is already at" if to == stage else "is at"
    return [f"from {stage} the next stage is {following} ({STAGES.label(following)}), not {to}: "
            f"{issue_id} {where} {stage} and stages cannot be skipped or undone"]


def _meetings_of(store: Store, issue_id: str) -> pd.DataFrame:
    meetings = store.load_layer("meetings")
    return meetings[meetings["issue_id"] == issue_id]


def _plan(issue_row: Mapping[str, Any], to: str, values: Mapping[str, Any], *,
          store: Store) -> tuple[list[str], Row, Row | None]:
    """Every problem with this transition, and (when there is none) what to write.

    Returns (problems, issue fields to update, meeting row or None). A required issue field
    may already be on the issue (imported); values given here take precedence. Meeting
    fields always come from `values`: they describe a new meeting.
    """
    issue_id = str(issue_row.get("issue_id"))
    stage = issue_row.get("stage")
    problems = _transition_problems(issue_id, stage, to)
    if problems:
        return problems, {}, None
    allowed = (*_REQUIRED[to], *_OPTIONAL[to], "note")
    problems += _unknown_keys(values, allowed, f"on the way to {to}")
    today = store.today()
    update: Row = {}
    malformed: set[str] = set()
    for name in (*_REQUIRED[to], *_OPTIONAL[to]):
        if name not in values:
            continue
        value, problem = _coerce(_field(name), values[name])
        if problem:
            problems.append(problem)
            malformed.add(name)
        elif value is not None:
            update[name] = value

    def present(name: str) -> bool:
        """Given now, or (for an issue field) already on the issue."""
        if name in update:
            return True
        if name in _MEETING_FIELDS or name in values:
            return False  # meeting facts are new; a blank value given here does not count
        return not _blank(issue_row.get(name))

    missing = [n for n in _REQUIRED[to] if not present(n) and n not in malformed]
    goal = "to record a meeting" if to == stage == "meeting" else f"to move to {to}"
    hints = {"stakeholders": f": name at least one participant group, e.g. {_EXAMPLE_GROUPS}",
             "participants": f" (at least {_MIN_PARTICIPANTS} people)",
             "method": f" (one of: {', '.join(METHODS.codes)})",
             "result_public": ": the result to post publicly 公示",
             "closed_reason": ": say why the issue ends without consensus"}
    problems += [f"{_label(n)} is required {goal}{hints.get(n, '')}" for n in missing]

    meeting: Row | None = None
    if to == "meeting":
        problems += _meeting_problems(issue_row, update, store=store, today=today)
        meeting = {k: update.pop(k) for k in _MEETING_FIELDS if k in update}
        if "method" in meeting:
            update["method"] = meeting["method"]  # the issue shows its latest method
    if to == "consensus":
        if not len(_meetings_of(store, issue_id)):
            problems.append(f"no meeting is recorded for {issue_id}: consensus comes out of a "
                            f"meeting (record one at stage meeting)")
        update["consensus_on"] = today.isoformat()
    if to == "implementing" and "due_on" in update:
        due = date.fromisoformat(update["due_on"])
        if due < today:
            problems.append(f"{_label('due_on')}: {due} is before today ({today}); "
                            f"give a deadline still ahead")
    elif to == "implementing" and present("due_on"):  # kept from the issue: check it too
        due = _parse_date(issue_row.get("due_on"))
        if due is None or due < today:
            problems.append(f"{_label('due_on')} on the issue ({issue_row.get('due_on')}) is not a "
                            f"date from today ({today}) on; give a new deadline")
    if to == "done":
        update["done_on"] = today.isoformat()
    return problems, update, meeting


def _meeting_problems(issue_row: Mapping[str, Any], update: Row, *, store: Store,
                      today: date) -> list[str]:
    """The recorded meeting's date (not in the future), venue (exists), size (>= 2)."""
    problems = []
    if "held_on" in update:
        held = date.fromisoformat(update["held_on"])
        reported = _parse_date(issue_row.get("reported_on")) if not _blank(
            issue_row.get("reported_on")) else None
        if held > today:
            problems.append(f"{_label('held_on')}: {held} is in the future (today is {today}); "
                            f"record a meeting once it has been held")
        elif reported is not None and held < reported:
            problems.append(f"{_label('held_on')}: {held} is before the issue was reported "
                            f"({reported})")
    if "venue_id" in update and store.get_row("venues", update["venue_id"]) is None:
        problems.append(f"{_label('venue_id')}: there is no venue {update['venue_id']!r}")
    if "participants" in update and update["participants"] < _MIN_PARTICIPANTS:
        problems.append(f"{_label('participants')}: {update['participants']} is too few; a "
                        f"consultation needs at least {_MIN_PARTICIPANTS} people")
    return problems


def check(issue_row: Mapping[str, Any] | None, to: str, values: Mapping[str, Any] | None = None,
          *, store: Store) -> list[str]:
    """Every reason the move of `issue_row` to stage `to` with `values` would be refused.

    An empty list means `advance` would accept it. ``to`` equal to ``"meeting"`` for an issue
    already at meeting checks another meeting record; ``"closed"`` needs ``closed_reason``.
    Values may be typed or text (as typed in a form or on the command line).
    """
    if issue_row is None:
        return ["there is no such issue"]
    problems, _, _ = _plan(issue_row, to, dict(values or {}), store=store)
    return problems


# --- writing ----------------------------------------------------------------------------


def _issue(store: Store, issue_id: str) -> Row:
    row = store.get_row("issues", str(issue_id))
    if row is None:
        raise InputError(f"no issue {issue_id}")
    return row


def _next_number_id(ids: pd.Series | list, default_prefix: str, width: int = 4) -> str:
    """The id after the highest numbered one, keeping its prefix (demo meetings are MT0001…)."""
    best_prefix, best = default_prefix, 0
    for value in ids:
        m = re.fullmatch(r"([A-Za-z]*)(\d+)", str(value))
        if m and int(m.group(2)) >= best:
            best_prefix, best = m.group(1) or default_prefix, int(m.group(2))
    return f"{best_prefix}{best + 1:0{width}d}"


def _next_event_id(store: Store, issue_id: str) -> str:
    """The id of the issue's next timeline row: ``{issue_id}-E{n:03d}``, n = its events + 1.

    Read BEFORE the issue itself: two writers that saw the same issue pick the same id, so
    the one that commits second is refused by the store (an id is never reused) instead of
    writing a step based on a stage that has moved on meanwhile.
    """
    events = store.load_layer("issue_events")
    taken = set(events["event_id"])
    n = int((events["issue_id"] == issue_id).sum()) + 1
    while f"{issue_id}-E{n:03d}" in taken:
        n += 1
    return f"{issue_id}-E{n:03d}"


def _event(store: Store, event_id: str, issue_id: str, *, from_stage: str | None,
           to_stage: str, by: str, note: str | None, kind: str) -> Row:
    """A timeline row dated the store's today."""
    return {"event_id": event_id, "issue_id": issue_id, "at": store.today().isoformat(),
            "from_stage": from_stage, "to_stage": to_stage, "by": by, "note": note, "kind": kind}


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
                                   new_only=action == "create" or layer == "issue_events")
    except InputError:
        appended = [(name, row[get_layer(name).id_field])
                    for name, records in extra.items() for row in records]
        if action != "create" and any(store.get_row(name, row_id) is not None
                                       for name, row_id in appended):
            raise TransitionRefused(f"{action} of {issue_id}", [
                f"another writer changed {issue_id} (or took the new record's id) meanwhile; "
                f"nothing was written: reload the issue and try again"]) from None
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
        The signed-in account; its role must be allowed (`ACTION_PERMISSIONS`).

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
    TransitionRefused
        Every reason the step is refused; nothing was written.
    """
    values = dict(values or {})
    event_id = _next_event_id(store, issue_id)  # first: see _next_event_id
    before = _issue(store, issue_id)
    stage = before["stage"]
    action = _action_for(stage, to)
    _require(user, action)
    problems, update, meeting = _plan(before, to, values, store=store)
    if problems:
        raise TransitionRefused(f"{issue_id}: {stage} -> {to}", problems)
    note = None if _blank(values.get("note")) else str(values["note"]).strip()
    extra: dict[str, list[Row]] = {}
    detail: dict[str, Any] = {"issue_id": issue_id, "from": stage, "to": to}
    if meeting is not None:
        meeting_id = _next_number_id(store.load_layer("meetings")["meeting_id"], "M")
        extra["meetings"] = [{"meeting_id": meeting_id, "issue_id": issue_id, "consensus": 0,
                              **meeting}]
        detail["meeting_id"] = meeting_id
        note = note or f"{meeting_id} {meeting['held_on']} {meeting['method']}"
    event = _event(store, event_id, issue_id, from_stage=stage, to_stage=to, by=by, note=note,
                   kind="stage")
    updates = {"meetings": [_consensus_meeting(store, issue_id)]} if to == "consensus" else None
    _commit(store, issue_id, action=action, by=by,
            issue_rows=[{"issue_id": issue_id, "stage": to, **update}],
            extra={"issue_events": [event], **extra}, detail=detail, updates=updates)
    return _issue(store, issue_id)


def _consensus_meeting(store: Store, issue_id: str) -> Row:
    """The issue's latest meeting, flagged as the one that reached consensus."""
    meetings = store.load_layer("meetings")
    mine = meetings[meetings["issue_id"] == issue_id].sort_values(["held_on", "meeting_id"])
    return {"meeting_id": mine["meeting_id"].iloc[-1], "consensus": 1}


def record_meeting(store: Store, issue_id: str, values: Mapping[str, Any], *, by: str,
                   user: User | None = None) -> Row:
    """Record another meeting of an issue at stage meeting (the stage does not change)."""
    before = _issue(store, issue_id)
    if before["stage"] != "meeting":
        _require(user, "record_meeting")
        raise TransitionRefused(f"meeting record of {issue_id}", [
            f"{issue_id} is at {before['stage']}: a further meeting is recorded only at stage "
            f"meeting (the first one moves the issue to meeting)"])
    return advance(store, issue_id, "meeting", values, by=by, user=user)


def comment(store: Store, issue_id: str, note: str, *, by: str,
            user: User | None = None) -> str:
    """Add a supervision note 督办意见 to any issue's timeline; returns the event id."""
    _require(user, "comment")
    event_id = _next_event_id(store, issue_id)
    before = _issue(store, issue_id)
    if _blank(note):
        raise TransitionRefused(f"note on {issue_id}", ["the note is empty: write what to follow up"])
    stage = before["stage"]
    event = _event(store, event_id, issue_id, from_stage=stage, to_stage=stage, by=by,
                   note=str(note).strip(), kind="comment")
    _commit(store, issue_id, action="comment", by=by, issue_rows=[],
            extra={"issue_events": [event]},
            detail={"issue_id": issue_id, "from": stage, "to": stage, "event_id": event["event_id"]})
    return event["event_id"]


def evaluate(store: Store, issue_id: str, satisfaction: float, *, by: str,
             user: User | None = None, note: str | None = None) -> Row:
    """Record residents' satisfaction 群众评价 (1-5) with a done issue; returns the issue row."""
    _require(user, "evaluate")
    event_id = _next_event_id(store, issue_id)
    before = _issue(store, issue_id)
    stage = before["stage"]
    problems = []
    if stage != "done":
        problems.append(f"satisfaction is recorded only after the issue is done; {issue_id} is "
                        f"at {stage} ({STAGES.label(stage)})")
    value, problem = _coerce(ISSUES.get("satisfaction"), satisfaction)
    if problem or value is None:
        problems.append(problem or f"{_label('satisfaction')} is required (1-5)")
    if problems:
        raise TransitionRefused(f"evaluation of {issue_id}", problems)
    text = None if _blank(note) else str(note).strip()
    event = _event(store, event_id, issue_id, from_stage=stage, to_stage=stage, by=by,
                   note=text or f"满意度 satisfaction {value:g}", kind="evaluation")
    _commit(store, issue_id, action="evaluate", by=by,
            issue_rows=[{"issue_id": issue_id, "satisfaction": value}],
            extra={"issue_events": [event]},
            detail={"issue_id": issue_id, "from": stage, "to": stage, "satisfaction": value})
    return _issue(store, issue_id)


def _area(store: Store) -> tuple[tuple[float, float, float, float], str]:
    """The box new issues must fall in: the subdistrict's, else the communities', else Shangqiu's."""
    for name, label in (("subdistrict", "the subdistrict"), ("communities", "the communities")):
        frame = store.load_layer(name)
        if len(frame):
            minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
            return (minx, miny, maxx, maxy), label
    return SHANGQIU_BBOX, "Shangqiu"


def _point_problems(store: Store, lon: Any, lat: Any) -> list[str]:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        return [f"lon/lat ({lon!r}, {lat!r}) are not numbers"]
    if not (math.isfinite(x) and math.isfinite(y)):
        return [f"lon/lat ({lon!r}, {lat!r}) are not finite numbers"]
    (minx, miny, maxx, maxy), label = _area(store)
    if minx <= x <= maxx and miny <= y <= maxy:
        return []
    hint = ""
    if minx <= y <= maxx and miny <= x <= maxy:
        hint = "; lon and lat look swapped (give longitude first)"
    return [f"the point ({x}, {y}) lies outside {label} (lon {minx:.4f} to {maxx:.4f}, "
            f"lat {miny:.4f} to {maxy:.4f}){hint}"]


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
    _require(user, "create")
    values = dict(values or {})
    problems = _point_problems(store, lon, lat)
    if _blank(title):
        problems.append(f"{_label('title')} is required")
    if category not in CATEGORIES.codes:
        problems.append(f"{_label('category')}: unknown code {category!r}; choose one of: "
                        f"{', '.join(CATEGORIES.codes)}")
    focus = _DEFAULT_FOCUS.get(category, "livelihood") if _blank(focus) else focus
    if focus not in FOCUS_AREAS.codes:
        problems.append(f"{_label('focus')}: unknown code {focus!r}; choose one of: "
                        f"{', '.join(FOCUS_AREAS.codes)}")
    problems += _unknown_keys(values, (*_CREATE_FIELDS, "note"), "on a new issue")
    row: Row = {}
    for name in _CREATE_FIELDS:
        if name in values:
            value, problem = _coerce(ISSUES.get(name), values[name])
            if problem:
                problems.append(problem)
            elif value is not None:
                row[name] = value
    if "reporter_phone" in row and not _PHONE.fullmatch(row["reporter_phone"]):
        problems.append(f"{_label('reporter_phone')}: {row['reporter_phone']!r} is not a phone "
                        f"number")
    if problems:
        raise TransitionRefused("new issue", problems)
    point = shapely.Point(float(lon), float(lat))
    note = None if _blank(values.get("note")) else str(values["note"]).strip()
    community = place(store, point)["community_id"]
    for attempt in range(3):
        issue_id = _next_number_id(store.load_layer("issues")["issue_id"], "I")
        row.update({"issue_id": issue_id, "title": str(title).strip(), "category": category,
                    "focus": focus, "stage": "collected",
                    "reported_on": store.today().isoformat(), "geom": point})
        event = _event(store, f"{issue_id}-E001", issue_id, from_stage=None,
                       to_stage="collected", by=by, note=note, kind="stage")
        try:
            _commit(store, issue_id, action="create", by=by, issue_rows=[row],
                    extra={"issue_events": [event]},
                    detail={"issue_id": issue_id, "from": None, "to": "collected",
                            "community_id": community})
        except InputError:
            if attempt < 2 and store.get_row("issues", issue_id) is not None:
                continue  # another writer took this id meanwhile: take the next one
            raise
        return issue_id
    raise AssertionError("unreachable")


# --- reading ----------------------------------------------------------------------------


def timeline(store: Store, issue_id: str) -> pd.DataFrame:
    """The issue's events (stage changes, notes, evaluations), oldest first (date, event id)."""
    _issue(store, issue_id)
    events = store.load_layer("issue_events")
    mine = events[events["issue_id"] == issue_id]
    return mine.sort_values(["at", "event_id"], kind="stable").reset_index(drop=True)[
        list(ISSUE_EVENTS.field_names)]


def _plain(value: Any) -> Any:
    """A frame value as plain JSON-able Python (None for missing)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if _blank(value) and not isinstance(value, str):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def place(store: Store, point: shapely.Point) -> dict[str, Any]:
    """Where a point falls: community, compound, nearest venue and distance, linked members.

    Derived by `geo.joins.assign` from the store's layers, never stored.
    """
    communities = store.load_layer("communities")
    compounds = store.load_layer("compounds")
    venues = store.load_layer("venues")
    members = store.load_layer("members")
    out: dict[str, Any] = {"community_id": None, "community_name": None, "compound_id": None,
                           "compound_name": None, "venue_id": None, "venue_name": None,
                           "venue_distance_m": None, "members": [], "unassigned": True}
    if not len(communities):
        return out
    points = gpd.GeoDataFrame(geometry=[point], crs=WGS84)
    got = assign(points, communities=communities,
                 compounds=compounds if len(compounds) else None,
                 venues=venues if len(venues) else None, members=members)
    hit = {k: _plain(v) for k, v in got.iloc[0].drop("geometry").items()}

    def name_of(frame: pd.DataFrame, id_field: str, value: Any) -> str | None:
        if value is None:
            return None
        match = frame.loc[frame[id_field] == value, "name"]
        return str(match.iloc[0]) if len(match) else None

    names = dict(zip(members["member_id"], members["name"]))
    distance = hit["venue_distance_m"]
    out.update({
        "community_id": hit["community_id"],
        "community_name": name_of(communities, "community_id", hit["community_id"]),
        "compound_id": hit["compound_id"],
        "compound_name": name_of(compounds, "compound_id", hit["compound_id"]),
        "venue_id": hit["venue_id"],
        "venue_name": name_of(venues, "venue_id", hit["venue_id"]),
        "venue_distance_m": None if distance is None else round(float(distance), 1),
        "members": [{"member_id": m, "name": names.get(m)} for m in (hit["member_ids"] or [])],
        "unassigned": bool(hit["unassigned"]),
    })
    return out


def issue_record(store: Store, issue_id: str, *, include_private: bool = False) -> dict[str, Any]:
    """One issue as plain data: its fields (public ones unless asked), lon/lat, where it falls
    (`place`) and its timeline. Residents' personal fields only with `include_private`."""
    row = store.get_row("issues", str(issue_id), include_private=include_private)
    if row is None:
        raise InputError(f"no issue {issue_id}")
    geom = row.pop("geom")
    fields = ISSUES.field_names if include_private else ISSUES.public_fields
    record: dict[str, Any] = {name: row.get(name) for name in fields}
    record["lon"], record["lat"] = round(geom.x, 6), round(geom.y, 6)
    record.update(place(store, geom))
    events = timeline(store, issue_id)
    record["timeline"] = [{k: _plain(v) for k, v in e.items()} for e in events.to_dict("records")]
    return record
