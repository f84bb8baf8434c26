"""The four-step procedure 四步程序 as pure rules: which stage follows which, what each step
needs, and every reason a step with given values would be refused. No store: the facts a rule
needs (today, how many meetings the issue had, whether a venue exists, the area new issues
must fall in) are arguments, so the rules can be tested and reused by any service.

An issue moves one stage at a time along ``schema.STAGE_ORDER``::

    collected 收集 -> selected 选准事 -> stakeholders 挑好人 -> meeting 开好会
    -> consensus 达成共识 -> implementing 落实中 -> done 已落实

Before consensus it may instead be closed 已终止 with a reason; at stage meeting further
meetings may be recorded. Every problem is a `Message` (words in `geo.words.procedure`),
shown in the reader's language.

Text comes in as `geo.text` keeps it: direction-control and zero-width characters are dropped
silently (nobody can see them to remove them, and they mean nothing here; a refusal would name
something the writer cannot find), then each value must fit its field's length.

Examples
--------
>>> next_stage("meeting")
'consensus'
>>> requirements("implementing")
['responsible_unit', 'responsible_person', 'due_on']
>>> next_stage("done") is None
True
>>> [str(p) for p in transition_problems("I1", "collected", "done")][0][:55]
'from collected (Collected) the next stage is selected ('
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from geo.errors import InputError, Message, msg
from geo.schema import (CATEGORIES, FINAL_STAGES, FOCUS_AREAS, ISSUE_EVENTS, ISSUES, MEETINGS, METHODS,
                        STAGE_ORDER, STAGES, Field)
from geo.text import shorten, strip_invisible, too_long
from geo.values import choices, code_term, coerce, is_blank, parse_date
from geo.words import Term

__all__ = ["ACTIONS", "CLOSABLE_STAGES", "CORRECTABLE", "CREATE_FIELDS", "MEETING_FIELDS", "Plan",
           "REPAIRS", "STEP_BACK_CLEARS", "action_for", "correctable_fields", "correction",
           "correction_note", "default_focus", "evaluation", "field_value",
           "meeting_record_problems", "new_issue", "next_stage", "note_problems", "note_value",
           "plan", "possible_actions", "possible_repairs", "requirements", "step_back",
           "transition_problems"]

#: What can be done to an issue (the names pages use for buttons and permissions).
ACTIONS: tuple[str, ...] = ("create", "advance", "record_meeting", "close", "comment", "evaluate")

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
MEETING_FIELDS: tuple[str, ...] = ("held_on", "venue_id", "method", "participants")
_MIN_PARTICIPANTS = 2
#: Fields a new issue takes besides title, category and focus.
CREATE_FIELDS: tuple[str, ...] = ("description", "residents_affected", "reporter_name",
                                  "reporter_phone")
_DEFAULT_FOCUS: dict[str, str] = {"development": "development", "housing": "hard_case"}
_PHONE = re.compile(r"[0-9+\- ()]{5,20}")
#: The timeline note, which any step may carry besides its fields.
_NOTE = "note"


# --- stages -----------------------------------------------------------------------------


def stage_term(code: Any) -> Term | Any:
    """A stage as a message names it (an unknown code as given)."""
    return code_term(STAGES, code) if code in STAGES.codes else code


def _known_stage(stage: str) -> str:
    if stage not in STAGES.codes:
        raise InputError(msg("wf_unknown_stage", raw=stage, choices=choices(STAGES)))
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


def action_for(stage: str, to: str) -> str:
    """Which action a move from `stage` to `to` is (its permission and audit name)."""
    if to == "closed":
        return "close"
    if to == "meeting" and stage == "meeting":
        return "record_meeting"
    return "advance"


def possible_actions(stage: str) -> list[str]:
    """What may be done to an issue at `stage`, whoever asks, in `ACTIONS` order."""
    possible = {"comment"}
    if stage in STAGES.codes and next_stage(stage):
        possible.add("advance")
    if stage == "meeting":
        possible.add("record_meeting")
    if stage in CLOSABLE_STAGES:
        possible.add("close")
    if stage == "done":
        possible.add("evaluate")
    return [a for a in ACTIONS if a in possible]


def transition_problems(issue_id: str, stage: Any, to: str) -> list[Message]:
    """Why the move from `stage` to `to` is impossible whatever the values (empty: possible)."""
    if to not in STAGES.codes:
        return [msg("wf_unknown_stage", raw=to, choices=choices(STAGES))]
    if stage not in STAGES.codes:
        return [msg("wf_issue_unknown_stage", issue_id=issue_id, raw=stage)]
    if stage in FINAL_STAGES:
        return [msg("wf_final", issue_id=issue_id, stage=stage_term(stage))]
    if to == "closed":
        if stage in CLOSABLE_STAGES:
            return []
        return [msg("wf_close_after_consensus", issue_id=issue_id, stage=stage_term(stage))]
    if to == stage == "meeting":
        return []  # another meeting of an issue at stage meeting
    following = next_stage(stage)
    if to == following:
        return []
    return [msg("wf_no_skipping_same" if to == stage else "wf_no_skipping", issue_id=issue_id,
                stage=stage_term(stage), next=stage_term(following), to=stage_term(to))]


# --- one value --------------------------------------------------------------------------


def field_value(f: Field, raw: Any) -> tuple[Any, Message | None]:
    """`raw` (typed, or text from a form or the command line) as `f`'s plain value, or a problem.

    Text loses its invisible characters first (`geo.values.coerce` does the rest), and must
    then fit `f`'s length.
    """
    if isinstance(raw, str):
        raw = strip_invisible(raw)
    converted, problem = coerce(f, raw)
    if problem is None and isinstance(converted, str):
        problem = too_long(f, converted)
    return (None, problem) if problem else (converted, None)


def note_value(raw: Any) -> tuple[str | None, list[Message]]:
    """A timeline note as written (None when blank), and its problems (too long)."""
    note, problem = field_value(ISSUE_EVENTS.get(_NOTE), raw)
    return note, [problem] if problem else []


# --- one step ---------------------------------------------------------------------------


def _field(name: str) -> Field:
    return ISSUES.get(name) if name in ISSUES.field_names else MEETINGS.get(name)


def _cannot_set(values: Mapping[str, Any], allowed: tuple[str, ...], key: str,
                **params: Any) -> list[Message]:
    """One problem naming every key of `values` that is not among `allowed`."""
    extra = [k for k in values if k not in allowed]
    if not extra:
        return []
    named = [msg("wf_note_field") if n == _NOTE else _field(n) for n in allowed]
    return [msg(key, names=[shorten(repr(k)) for k in extra], allowed=named, **params)]


_HINTS: dict[str, Callable[[], Message]] = {
    "stakeholders": lambda: msg("wf_hint_stakeholders"),
    "participants": lambda: msg("wf_hint_participants", n=_MIN_PARTICIPANTS),
    "method": lambda: msg("wf_hint_method", choices=choices(METHODS)),
    "result_public": lambda: msg("wf_hint_result_public"),
    "closed_reason": lambda: msg("wf_hint_closed_reason"),
}


@dataclass(frozen=True)
class Plan:
    """What a step would write, or why it may not: `problems` empty means it may."""

    problems: list[Message]
    #: Issue fields to set (plain values), the stage excepted.
    update: dict[str, Any] = field(default_factory=dict)
    #: The new meeting's fields (a step to, or at, stage meeting), else None.
    meeting: dict[str, Any] | None = None


def plan(issue_row: Mapping[str, Any], to: str, values: Mapping[str, Any], *, today: date,
         meetings: int = 0, venue_exists: Callable[[str], bool] = lambda venue_id: True) -> Plan:
    """Every problem with moving `issue_row` to `to` with `values`, and what to write if none.

    A required issue field may already be on the issue (imported); values given here take
    precedence. Meeting fields always come from `values`: they describe a new meeting.

    Parameters
    ----------
    today
        The store's today: meetings are not in the future, deadlines not in the past.
    meetings
        How many meetings the issue has had (consensus comes out of one).
    venue_exists
        Whether a venue id names a venue.
    """
    issue_id = str(issue_row.get("issue_id"))
    stage = issue_row.get("stage")
    problems = transition_problems(issue_id, stage, to)
    if problems:
        return Plan(problems)
    problems += _cannot_set(values, (*_REQUIRED[to], *_OPTIONAL[to], _NOTE),
                            "wf_cannot_set_step", stage=stage_term(to))
    update: dict[str, Any] = {}
    malformed: set[str] = set()
    for name in (*_REQUIRED[to], *_OPTIONAL[to]):
        if name not in values:
            continue
        given, problem = field_value(_field(name), values[name])
        if problem:
            problems.append(problem)
            malformed.add(name)
        elif given is not None:
            update[name] = given
    problems += note_value(values.get(_NOTE))[1]

    def present(name: str) -> bool:
        """Given now, or (for an issue field) already on the issue."""
        if name in update:
            return True
        if name in MEETING_FIELDS or name in values:
            return False  # meeting facts are new; a blank value given here does not count
        return not is_blank(issue_row.get(name))

    goal = msg("wf_goal_meeting") if to == stage == "meeting" else msg("wf_goal_move",
                                                                        stage=stage_term(to))
    problems += [msg("wf_required", field=_field(n), goal=goal,
                     hint=_HINTS[n]() if n in _HINTS else "")
                 for n in _REQUIRED[to] if not present(n) and n not in malformed]

    meeting: dict[str, Any] | None = None
    if to == "meeting":
        problems += _meeting_problems(issue_row, update, today=today, venue_exists=venue_exists)
        meeting = {k: update.pop(k) for k in MEETING_FIELDS if k in update}
        if "method" in meeting:
            update["method"] = meeting["method"]  # the issue shows its latest method
    if to == "consensus":
        if not meetings:
            problems.append(msg("wf_no_meeting", issue_id=issue_id, meeting=stage_term("meeting")))
        update["consensus_on"] = today.isoformat()
    if to == "implementing":
        problems += _deadline_problems(issue_row, update, today=today,
                                       kept=present("due_on") and "due_on" not in update)
    if to == "done":
        update["done_on"] = today.isoformat()
    return Plan(problems, update, meeting)


def _deadline_problems(issue_row: Mapping[str, Any], update: Mapping[str, Any], *, today: date,
                       kept: bool) -> list[Message]:
    """The deadline given (or kept from the issue) is today or later."""
    due_on = ISSUES.get("due_on")
    if "due_on" in update:
        due = date.fromisoformat(update["due_on"])
        if due < today:
            return [msg("wf_due_past", field=due_on, due=due, today=today)]
    elif kept:
        due = parse_date(issue_row.get("due_on"))
        if due is None or due < today:
            return [msg("wf_due_kept_bad", field=due_on, due=issue_row.get("due_on"),
                        today=today)]
    return []


def _meeting_problems(issue_row: Mapping[str, Any], update: Mapping[str, Any], *, today: date,
                      venue_exists: Callable[[str], bool]) -> list[Message]:
    """The recorded meeting's date (not in the future), venue (exists), size (>= 2)."""
    problems = []
    if "held_on" in update:
        held = date.fromisoformat(update["held_on"])
        reported = parse_date(issue_row.get("reported_on"))
        name = MEETINGS.get("held_on")
        if held > today:
            problems.append(msg("wf_held_future", field=name, held=held, today=today))
        elif reported is not None and held < reported:
            problems.append(msg("wf_held_before_report", field=name, held=held, reported=reported))
    if "venue_id" in update and not venue_exists(update["venue_id"]):
        problems.append(msg("wf_no_venue", field=MEETINGS.get("venue_id"),
                            raw=update["venue_id"]))
    if "participants" in update and update["participants"] < _MIN_PARTICIPANTS:
        problems.append(msg("wf_too_few", field=MEETINGS.get("participants"),
                            n=update["participants"], minimum=_MIN_PARTICIPANTS))
    return problems


def meeting_record_problems(issue_id: str, stage: str) -> list[Message]:
    """A further meeting is recorded only at stage meeting (the first moves the issue there)."""
    if stage == "meeting":
        return []
    return [msg("wf_meeting_only_at_meeting", issue_id=issue_id, stage=stage_term(stage),
                meeting=stage_term("meeting"))]


def note_problems(note: Any) -> list[Message]:
    """A supervision note says something (visibly), and fits its field."""
    text, problems = note_value(note)
    return problems if text is not None or problems else [msg("wf_note_empty")]


def evaluation(issue_id: str, stage: str, satisfaction: Any) -> tuple[list[Message], float | None]:
    """Residents' satisfaction (1-5), recorded once the issue is done: (problems, value)."""
    problems = []
    if stage != "done":
        problems.append(msg("wf_eval_not_done", issue_id=issue_id, stage=stage_term(stage)))
    f = ISSUES.get("satisfaction")
    score, problem = field_value(f, satisfaction)
    if problem or score is None:
        problems.append(problem or msg("wf_eval_required", field=f))
    return problems, score


# --- a new issue ----------------------------------------------------------------------------


def default_focus(category: str) -> str:
    """The focus area a category implies (development -> development, housing -> hard cases)."""
    return _DEFAULT_FOCUS.get(category, "livelihood")


def _point_problems(lon: Any, lat: Any, area: tuple[float, float, float, float],
                    area_name: Message) -> list[Message]:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        return [msg("wf_point_not_numbers", lon=lon, lat=lat)]
    if not (math.isfinite(x) and math.isfinite(y)):
        return [msg("wf_point_not_finite", lon=lon, lat=lat)]
    minx, miny, maxx, maxy = area
    if minx <= x <= maxx and miny <= y <= maxy:
        return []
    swapped = minx <= y <= maxx and miny <= x <= maxy
    return [msg("wf_point_outside", x=x, y=y, area=area_name, minx=minx, miny=miny, maxx=maxx,
                maxy=maxy, hint=msg("wf_point_swapped") if swapped else "")]


def new_issue(*, lon: Any, lat: Any, title: Any, category: Any, focus: Any,
              values: Mapping[str, Any], area: tuple[float, float, float, float],
              area_name: Message) -> tuple[list[Message], dict[str, Any]]:
    """Every problem with a new issue, and (when none) its fields as plain values.

    The point (WGS84) must lie in `area` (min lon, min lat, max lon, max lat), named
    `area_name`. `focus` defaults from the category. `values` may carry `CREATE_FIELDS` and a
    timeline ``note`` (not part of the returned fields).
    """
    problems = _point_problems(lon, lat, area, area_name)
    title, title_problem = field_value(ISSUES.get("title"), title)
    if title_problem:
        problems.append(title_problem)
    elif title is None:
        problems.append(msg("wf_required_plain", field=ISSUES.get("title")))
    if category not in CATEGORIES.codes:
        problems.append(msg("value_unknown_code", field=ISSUES.get("category"),
                            raw=shorten(category), choices=choices(CATEGORIES)))
    focus = default_focus(category) if is_blank(focus) else focus
    if focus not in FOCUS_AREAS.codes:
        problems.append(msg("value_unknown_code", field=ISSUES.get("focus"),
                            raw=shorten(focus), choices=choices(FOCUS_AREAS)))
    problems += _cannot_set(values, (*CREATE_FIELDS, _NOTE), "wf_cannot_set_new")
    problems += note_value(values.get(_NOTE))[1]
    row: dict[str, Any] = {}
    for name in CREATE_FIELDS:
        if name in values:
            given, problem = field_value(ISSUES.get(name), values[name])
            if problem:
                problems.append(problem)
            elif given is not None:
                row[name] = given
    if "reporter_phone" in row and not _PHONE.fullmatch(row["reporter_phone"]):
        problems.append(msg("wf_not_phone", field=ISSUES.get("reporter_phone"),
                            raw=row["reporter_phone"]))
    if title is not None:
        row["title"] = title
    row.update({"category": category, "focus": focus, "stage": "collected"})
    return problems, row


# --- repairs: correcting a recorded field, stepping back one stage ----------------------------

#: Repairs of a recorded issue (staff), apart from the procedure's steps (`ACTIONS`).
REPAIRS: tuple[str, ...] = ("correct", "step_back")

#: The fields a correction may change, by the stage at which each is recorded.
CORRECTABLE: dict[str, str] = {
    "title": "collected", "description": "collected", "category": "collected",
    "focus": "collected", "residents_affected": "collected", "reporter_name": "collected",
    "reporter_phone": "collected", "stakeholders": "stakeholders",
    "consensus_text": "consensus", "responsible_unit": "implementing",
    "responsible_person": "implementing", "due_on": "implementing", "result_public": "done",
    "closed_reason": "closed",
}

#: What stepping back from a stage clears: the marks that it was reached (the date of
#: consensus, of completion, the evaluation of a result now reopened, the reason for closing).
#: Typed facts (stakeholders, agreed text, unit, person, deadline, posted result) are kept, to
#: be corrected or taken again when the issue moves on; recorded meetings stay (they were held).
STEP_BACK_CLEARS: dict[str, tuple[str, ...]] = {
    "consensus": ("consensus_on",),
    "done": ("done_on", "satisfaction"),
    "closed": ("closed_reason",),
}


def _reached(stage: Any) -> set[str]:
    """The stages an issue at `stage` has passed through (a closed one: at most meeting)."""
    if stage == "closed":
        return {*CLOSABLE_STAGES, "closed"}
    if stage not in STAGE_ORDER:
        return set()
    return set(STAGE_ORDER[:STAGE_ORDER.index(stage) + 1])


def correctable_fields(stage: Any) -> list[str]:
    """The fields recorded at `stage` or before it, which a correction may change."""
    reached = _reached(stage)
    return [name for name, at in CORRECTABLE.items() if at in reached]


def possible_repairs(stage: Any) -> list[str]:
    """The repairs possible at `stage`, whoever asks (no stepping back from the first one)."""
    return [r for r in REPAIRS if r != "step_back" or (stage in STAGES.codes and stage != "collected")]


def _reason(reason: Any) -> tuple[str | None, list[Message]]:
    """A repair's reason: required, visible, and fits a timeline note."""
    text, problems = note_value(reason)
    return text, problems if text is not None or problems else [msg("fix_reason_required")]


def correction(issue_row: Mapping[str, Any], name: str, value: Any, reason: Any, *,
               today: date) -> tuple[list[Message], Any]:
    """Every problem with setting the recorded field `name` of `issue_row` to `value`
    (checked as when it was first recorded), and the plain value to write."""
    issue_id, stage = str(issue_row.get("issue_id")), issue_row.get("stage")
    problems = _reason(reason)[1]
    if name not in CORRECTABLE or name not in correctable_fields(stage):
        target = ISSUES.get(name) if name in ISSUES.field_names else shorten(name)
        return [msg("fix_not_recorded", issue_id=issue_id, field=target,
                    stage=stage_term(stage)), *problems], None
    f = ISSUES.get(name)
    new, problem = field_value(f, value)
    if problem:
        problems.append(problem)
    elif new is None and (f.required or name in _REQUIRED[CORRECTABLE[name]]):
        problems.append(msg("wf_required_plain", field=f))
    elif new is not None and new == issue_row.get(name):
        problems.append(msg("fix_unchanged", field=f))
    elif name == "due_on" and new is not None and date.fromisoformat(new) < today:
        problems.append(msg("wf_due_past", field=f, due=new, today=today))
    elif name == "reporter_phone" and new is not None and not _PHONE.fullmatch(new):
        problems.append(msg("wf_not_phone", field=f, raw=new))
    return problems, new


#: How much of an old and a new value a correction's timeline note repeats.
_NOTE_QUOTE = 60


def correction_note(name: str, old: Any, new: Any, reason: str) -> str:
    """The timeline note of a correction: the field (both labels), old -> new, the reason
    (values cut to a few words: the batch log keeps them whole), within a note's length."""
    f = ISSUES.get(name)

    def said(value: Any) -> str:
        if is_blank(value):
            return "—"
        if f.private:  # the timeline is public: a resident's data is not repeated there
            return "***"
        if f.enum is not None:
            return f.enum.label(value, "zh")
        text = str(value)
        return text if len(text) <= _NOTE_QUOTE else text[:_NOTE_QUOTE] + "…"

    note = f"{f.zh} {f.en}: {said(old)} → {said(new)}（{reason}）"
    limit = ISSUE_EVENTS.get(_NOTE).max_length or len(note)
    return note if len(note) <= limit else note[:limit - 2] + "…）"


def step_back(issue_id: str, stage: Any, reason: Any, *,
              closed_from: Any = None) -> tuple[list[Message], str | None]:
    """Every problem with stepping issue `issue_id` back from `stage`, and the stage it goes
    back to: the one before it; for a closed issue the stage it was closed from."""
    problems = _reason(reason)[1]
    if stage not in STAGES.codes:
        return [msg("wf_issue_unknown_stage", issue_id=issue_id, raw=stage), *problems], None
    if stage == "collected":
        return [msg("back_first", issue_id=issue_id, stage=stage_term(stage)), *problems], None
    if stage == "closed":
        if closed_from not in CLOSABLE_STAGES:
            return [msg("back_closed_unknown", issue_id=issue_id), *problems], None
        return problems, str(closed_from)
    return problems, STAGE_ORDER[STAGE_ORDER.index(stage) - 1]
