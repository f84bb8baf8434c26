"""What every form of the app shares: it starts empty after a save, it writes one submission once,
and it shows each refusal in the reader's language beside the field the refusal is about.

Why this is needed: Streamlit keeps a widget's value in the browser, so popping its session key
after a save does not empty it (the browser sends the old value back on the next run); only a
value *set* through st.session_state before the widget is drawn reaches the browser. A double
click, or a second click on a form that still looks unsaved, sends the same submission again;
a token per drawing of the form (replaced after each write) and a short memory of what was just
written make the repeat a calm no-op.

One form, in order (`form` is its name, e.g. the st.form key)::

    forms.begin(form, defaults={"ni_title": "", ...})  # each run, before its widgets
    with st.form(form):
        forms.summary(form)                 # the list of every problem goes here
        st.text_input(..., key="ni_title")
        forms.under(form, "title")          # the problems about the field `title` go here
    # on submit: forms.repeated(form, content) -> forms.repeat_notice(lang);
    # a refusal -> forms.show(form, refusal, lang); a write -> forms.saved(form, content)

`write(run, lang, form=..., content=...)` does the last line for every form that writes.
Without `begin`/`summary`/`under`, `show` draws the whole refusal where it is called.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import streamlit as st

from geo.errors import InputError, Message, PermissionDenied, Problem, WorkflowError, YishiError
from yishi.storage import Store
from ui import data
from ui.i18n import t
from ui.safe import md

#: A second submission of the same content this soon after a write is taken as a repeat.
WINDOW_S = 10.0
_STATES = "_forms"
T = TypeVar("T")  # session: form name -> _Form

#: Refusals that name no schema field, by catalogue key: the form field they are about.
FIELD_OF_KEY: dict[str, str] = {
    "ni_need_point": "point",
    "res_need_place": "point",
    "wf_point_not_numbers": "point",
    "wf_point_not_finite": "point",
    "wf_point_outside": "point",
    "wf_note_empty": "note",
    "account_bad_name": "username",
    "account_exists": "username",
    "account_no_user": "username",
    "account_unknown_role": "role",
    "account_no_community": "community_id",
    "account_no_member": "member_id",
    "account_display_name_long": "display_name",
    "account_member_needs_community": "community_id",
    "account_no_region": "region_id",
    "account_member_region": "region_id",
    "pw_refused": "password",
    "pw_too_short": "password",
    "pw_common": "password",
    "pw_is_name": "password",
    "pw_demo": "password",
}


@dataclass
class _Form:
    """One form's memory in the session (under its name) and its error slots of this run."""

    token: str
    used: bool = False  # a write went through with this token: the next drawing replaces it
    fresh: bool = False  # this run drew the form anew after a write: its submit is the old one's
    saved_at: float | None = None
    last: str | None = None  # digest of the content last written
    result: Any = None  # what the last write returned (`last_result`)
    defaults: dict[str, Any] = field(default_factory=dict)  # the widgets of an empty form
    summary: Any = None  # st.empty() slots of this run
    slots: dict[str, Any] = field(default_factory=dict)


def _new_token() -> str:
    return uuid.uuid4().hex


def _state(form: str) -> _Form:
    states = st.session_state.setdefault(_STATES, {})
    if form not in states:
        states[form] = _Form(_new_token())
    return states[form]


def token(form: str) -> str:
    """The token of the form as drawn now (a new one after each write)."""
    return _state(form).token


def begin(form: str, *, defaults: Mapping[str, Any] | None = None) -> str:
    """Call on every run before drawing `form`'s widgets; returns its token.

    After a write with the current token: every widget key of `defaults` is set back to its
    value (so the browser shows the form empty too), the token is replaced, and a submit on this
    run is known to belong to the drawing before the write (`repeated` says so). Clears the
    error slots of the previous run.
    """
    state = _state(form)
    state.fresh, state.defaults = state.used, dict(defaults or {})
    if state.used:
        for key, value in (defaults or {}).items():
            st.session_state[key] = value
        state.token, state.used = _new_token(), False
    state.summary, state.slots = None, {}
    return state.token


def summary(form: str) -> None:
    """Reserve the place of the refusal's summary (every problem) here: the top of the form."""
    _state(form).summary = st.empty()


def under(form: str, field_name: str, where: Any = None) -> None:
    """Reserve the place of `field_name`'s problems here, right below its widget (in the column
    `where` when the widget was drawn in one)."""
    _state(form).slots[field_name] = (where if where is not None else st).empty()


# ------------------------------------------------------------------ submitting once


def _digest(form: str, content: Any) -> str:
    if content is None:  # the form's widgets, by the key prefix the issue page's forms use
        prefix = f"{form}-"
        content = sorted((k, repr(v)) for k, v in st.session_state.items()
                         if isinstance(k, str) and k.startswith(prefix))
    return hashlib.sha256(repr(content).encode()).hexdigest()


def repeated(form: str, content: Any = None) -> bool:
    """True when this submit repeats the last write of `form`: it belongs to the drawing before
    that write (a double click), or, within WINDOW_S seconds of it, it carries the same content
    (a second click on a form that still looked unsaved) or the form is as `begin` emptied it
    (the emptied form clicked again). `content` None: the session values of the widgets whose
    keys start with "`form`-"."""
    state = _state(form)
    if state.fresh:
        return True
    if not just_saved(form):
        return False
    untouched = bool(state.defaults) and all(st.session_state.get(k) == v for k, v in state.defaults.items())
    return untouched or state.last == _digest(form, content)


def just_saved(form: str) -> bool:
    """True within WINDOW_S seconds of a write of `form` (an empty form clicked again is no error)."""
    saved_at = _state(form).saved_at
    return saved_at is not None and time.monotonic() - saved_at < WINDOW_S


def saved(form: str, content: Any = None) -> None:
    """Remember a write of `form` with `content`: its token is spent, its content is a repeat for
    a while."""
    _mark_saved(_state(form), _digest(form, content))


def _mark_saved(state: _Form, digest: str, result: Any = None) -> None:
    """Plain attributes only: no st.session_state access, which is where Streamlit stops a run
    for a newer one (a double click's second submit)."""
    state.used, state.last, state.saved_at, state.result = True, digest, time.monotonic(), result


def last_result(form: str) -> Any:
    """What the last write of `form` returned (None before any)."""
    return _state(form).result


def repeat_notice(lang: str) -> None:
    """The calm answer to a repeated submit: it was saved already, nothing was written twice."""
    st.info(t("form_not_repeated", lang), icon=":material/check_circle:")


def toast_later(text: str) -> None:
    """A toast for the next run (one raised just before st.rerun would be lost with the run)."""
    st.session_state[f"{_STATES}_toast"] = text


def show_toast() -> None:
    """Raise the toast left by `toast_later`, once."""
    text = st.session_state.pop(f"{_STATES}_toast", None)
    if text:
        st.toast(md(text), icon=":material/check_circle:")


# ------------------------------------------------------------------ refusals beside their fields

Refusal = YishiError | Message | Problem | str


def problems_of(refusal: Refusal | Iterable[Refusal]) -> list[Message | Problem | str]:
    """Every problem of a refusal: a WorkflowError's or ValidationError's list, an error's own
    message, or the given messages."""
    if isinstance(refusal, (Message, Problem, str)):
        return [refusal]
    if isinstance(refusal, YishiError):
        listed = getattr(refusal, "problems", None)
        if listed:
            return list(listed)
        return [refusal.message if refusal.message is not None else refusal.text("en")]
    return [p for r in refusal for p in problems_of(r)]


def field_of(problem: Message | Problem | str) -> str | None:
    """The form field a problem is about: the schema field given as its `field` parameter (or a
    Problem's field), else by its catalogue key (FIELD_OF_KEY); None for the form as a whole."""
    if isinstance(problem, Problem):
        return problem.field
    if not isinstance(problem, Message):
        return None
    named = problem.params.get("field")
    name = getattr(named, "name", None) or getattr(named, "code", None)
    if isinstance(name, str):
        return name
    return FIELD_OF_KEY.get(problem.key)


def text_of(problem: Message | Problem | str, lang: str) -> str:
    """A problem in `lang`: labels for fields and values, no codes (those are the command line's)."""
    if isinstance(problem, Message):
        return problem.text(lang)
    if isinstance(problem, Problem):
        if lang == "zh":
            return problem.message_zh + (f"（{problem.hint_zh}）" if problem.hint_zh else "")
        return problem.message + (f" ({problem.hint})" if problem.hint else "")
    return str(problem)


def field_errors(problems: Iterable[Message | Problem | str], field_name: str, lang: str) -> list[str]:
    """The texts, in `lang`, of the problems about `field_name`."""
    return [text_of(p, lang) for p in problems if field_of(p) == field_name]


def show(form: str | None, refusal: Refusal | Iterable[Refusal], lang: str) -> None:
    """Draw a refusal: each problem in the slot of its field (`under`), and every problem listed
    under the heading "not saved" in the summary slot (`summary`), or here when there is none.
    With the list at the top of the form, a short line here (below the button, where the eye is
    after the click; on a phone the top is out of view) says that nothing was saved and why."""
    problems = problems_of(refusal)
    state = _state(form) if form is not None else None
    for name, slot in (state.slots if state else {}).items():
        texts = field_errors(problems, name, lang)
        if texts:
            slot.error("\n\n".join(md(x) for x in texts))
    listed = t("act_refused", lang) + "\n\n" + "\n".join(f"- {md(text_of(p, lang))}" for p in problems)
    if state is None or state.summary is None:
        st.error(listed)
        return
    state.summary.error(listed)
    st.error(t("form_not_saved_see_above", lang, n=len(problems)))


# ------------------------------------------------------------------ writing

#: The refusals geo raises for a write; shown to the user with every reason, never as a crash.
REFUSALS = (WorkflowError, PermissionDenied, InputError)
#: Container-key prefix of a destructive or final action (red frame and button, ui/styles/actions.css).
DANGER = "yishi-danger"


def write(run: Callable[[Store], T], lang: str, *, form: str | None = None,
          content: Any = None) -> tuple[bool, T | None]:
    """Run `run(store)` on a fresh store connection: (True, its result), or (False, None) after
    drawing the refusal with every reason the service gave, in `lang` (escaped), each beside its
    field where the form reserved a place (`under`).

    With `form` (its name), a submit that repeats the form's last write (`repeated`: a
    double click, or the same `content` again within seconds) writes nothing and says so calmly.
    """
    if form is not None and repeated(form, content):
        repeat_notice(lang)
        return False, None
    # read before the write: between the write and its mark nothing may touch st.session_state,
    # where a double click's second submit would stop this run and write again
    state, digest = (_state(form), _digest(form, content)) if form is not None else (None, "")
    try:
        with data.open_store() as store:
            result = run(store)
    except REFUSALS as refused:
        show(form, refused, lang)
        return False, None
    if state is not None:
        _mark_saved(state, digest, result)
    return True, result
