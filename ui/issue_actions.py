"""The issue page's forms: the procedure's next step, notes and evaluations, each button named
after what it does; the staff's repairs (correct a recorded field, step back one stage); and
closing the issue, which is final, so it stands apart in a warning colour and asks first.

yishi.services.workflow decides and checks every write (`ui.issue_view._submit` runs it and
shows a refusal with every reason); these functions only gather the inputs. Widget keys are
`act-{action}-{issue_id}-{stage}-{field}`, so a form starts empty after a stage change.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from geo import procedure
from geo.joins import venues_by_distance
from geo.schema import ISSUES, METHODS, STAGES, TEXT_CHARS
from geo.values import is_blank, parse_date
from yishi.accounts import User
from yishi.services import workflow
from yishi.services.snapshot import Snapshot
from ui import forms, issue_view
from ui.i18n import enum_label, field_label, t
from ui.safe import max_chars

_MEETING_FIELDS = ("held_on", "venue_id", "participants")


def _label(name: str, lang: str) -> str:
    return field_label("meetings" if name in _MEETING_FIELDS else "issues", name, lang)


def _stage_label(stage: str | None, lang: str) -> str:
    return enum_label(STAGES, stage, lang)


# ------------------------------------------------------------------ the inputs of a step


def _meeting_fields(issue: pd.Series, snap: Snapshot, key: str, lang: str) -> dict[str, Any]:
    metres = venues_by_distance(issue.geometry, snap.venues)  # nearest first: the default
    venue_ids = list(metres)
    venue_names = dict(zip(snap.venues["venue_id"], snap.venues["name"]))
    a, b = st.columns(2)
    held_on = a.date_input(_label("held_on", lang), value=snap.today, max_value=snap.today, format="YYYY-MM-DD",
                           key=f"{key}-held_on")
    venue = b.selectbox(_label("venue_id", lang), venue_ids, index=0 if venue_ids else None, key=f"{key}-venue",
                        placeholder=t("bw_choose_option", lang),
                        format_func=lambda v: venue_names.get(v, v) + (
                            f" ({metres[v]:,.0f} m)" if metres.get(v) == metres.get(v) else ""))
    method = a.selectbox(_label("method", lang), METHODS.codes, index=None, key=f"{key}-method",
                         format_func=lambda c: enum_label(METHODS, c, lang), placeholder=t("iss_choose_one", lang))
    participants = b.number_input(_label("participants", lang), min_value=0, value=None, step=1,
                                  key=f"{key}-participants")
    return {"held_on": held_on, "venue_id": venue, "method": method, "participants": participants}


def _stage_fields(to: str, issue: pd.Series, snap: Snapshot, key: str, lang: str) -> dict[str, Any]:
    """The inputs a move to `to` needs (see workflow.requirements)."""
    if to == "stakeholders":
        return {"stakeholders": st.text_area(_label("stakeholders", lang), key=f"{key}-stakeholders",
                                             placeholder=t("iss_stakeholders_hint", lang),
                                             max_chars=max_chars("issues", "stakeholders"))}
    if to == "meeting":
        return _meeting_fields(issue, snap, key, lang)
    if to == "consensus":
        return {"consensus_text": st.text_area(_label("consensus_text", lang), key=f"{key}-consensus_text",
                                               max_chars=max_chars("issues", "consensus_text"))}
    if to == "implementing":
        a, b, c = st.columns(3)
        return {"responsible_unit": a.text_input(_label("responsible_unit", lang), key=f"{key}-unit",
                                                 max_chars=max_chars("issues", "responsible_unit")),
                "responsible_person": b.text_input(_label("responsible_person", lang), key=f"{key}-person",
                                                   max_chars=max_chars("issues", "responsible_person")),
                "due_on": c.date_input(_label("due_on", lang), value=None, min_value=snap.today,
                                       format="YYYY-MM-DD", key=f"{key}-due")}
    if to == "done":
        return {"result_public": st.text_area(_label("result_public", lang), key=f"{key}-result",
                                              max_chars=max_chars("issues", "result_public"))}
    if to == "closed":
        return {"closed_reason": st.text_area(_label("closed_reason", lang), key=f"{key}-reason",
                                              max_chars=max_chars("issues", "closed_reason"))}
    return {}


def _needs(to: str, lang: str) -> None:
    needed = workflow.requirements(to)
    st.caption(t("iss_needs", lang) + "、".join(_label(n, lang) for n in needed) if needed
               else t("iss_needs_nothing", lang))


def _note(key: str, lang: str) -> str:
    return st.text_input(t("act_note", lang), key=f"{key}-note", max_chars=max_chars("issue_events", "note"))


# ------------------------------------------------------------------ the procedure's steps


def action_form(action: str, issue: pd.Series, user: User, snap: Snapshot, lang: str) -> None:
    """Draw the form for one of workflow.allowed_actions, its button named after the action, and
    write it through yishi.services.workflow (closing: `close_form`)."""
    if action == "close":
        close_form(issue, user, snap, lang)
        return
    issue_id, stage = str(issue["issue_id"]), str(issue["stage"])
    key = f"act-{action}-{issue_id}-{stage}"
    to: str | None = None
    if action == "advance":
        to = workflow.next_stage(stage)
        title = button = t("act_advance", lang, stage=_stage_label(to, lang))
    elif action == "record_meeting":
        to, title, button = "meeting", t("act_record_meeting", lang), t("act_btn_record_meeting", lang)
    else:
        title, button = t(f"act_{action}", lang), t(f"act_btn_{action}", lang)
    forms.begin(key, defaults={f"{key}-note": ""} if action == "comment" else None)
    with st.form(key, border=True):
        st.markdown(f"**{title}**")
        forms.summary(key)
        if to is not None:
            _needs(to, lang)
            values = _stage_fields(to, issue, snap, key, lang)
            values["note"] = _note(key, lang)
        elif action == "comment":
            st.caption(t("iss_needs", lang) + t("act_note_text", lang))
            values = {"note": st.text_area(t("act_note_text", lang), key=f"{key}-note",
                                           max_chars=max_chars("issue_events", "note"))}
        else:  # evaluate
            values = {"satisfaction": st.slider(field_label("issues", "satisfaction", lang), 1.0, 5.0, 4.0, 0.1,
                                                key=f"{key}-satisfaction")}
        if not st.form_submit_button(button, type="primary", key=f"{key}-submit"):
            return
    by = user.username
    if action == "comment":
        issue_view._submit(lambda s: workflow.comment(s, issue_id, values["note"], by=by, user=user), title, lang,
                           form=key)
    elif action == "evaluate":
        issue_view._submit(lambda s: workflow.evaluate(s, issue_id, values["satisfaction"], by=by, user=user),
                           title, lang, form=key)
    else:
        issue_view._submit(lambda s: workflow.advance(s, issue_id, to, values, by=by, user=user), title, lang,
                           form=key)


def close_form(issue: pd.Series, user: User, snap: Snapshot, lang: str) -> None:
    """Closing without consensus is final: its own red-bordered box, a secondary red button, and
    nothing is written until "I confirm" is ticked."""
    issue_id, stage = str(issue["issue_id"]), str(issue["stage"])
    key = f"act-close-{issue_id}-{stage}"
    forms.begin(key)
    with st.container(key=f"{forms.DANGER}-close-{issue_id}"):
        with st.form(key, border=True):
            st.markdown(f"**{t('act_final', lang)}**")
            forms.summary(key)
            _needs("closed", lang)
            values = _stage_fields("closed", issue, snap, key, lang)
            values["note"] = _note(key, lang)
            confirmed = st.checkbox(t("act_close_confirm", lang), key=f"{key}-confirm")
            submitted = st.form_submit_button(t("act_btn_close", lang), type="secondary", key=f"{key}-submit",
                                              icon=":material/block:")
        if not submitted:
            return
        if not confirmed:
            st.error(t("act_close_unconfirmed", lang))
            return
    issue_view._submit(lambda s: workflow.advance(s, issue_id, "closed", values, by=user.username, user=user),
                       t("act_close", lang), lang, form=key)


# ------------------------------------------------------------------ repairs (staff)


def _correction_input(name: str, issue: pd.Series, key: str, lang: str) -> Any:
    """An input for the corrected value of `name`, showing what is recorded now."""
    f = ISSUES.get(name)
    label = t("act_correct_value", lang, field=f.label(lang))
    now = issue.get(name)
    now = None if is_blank(now) else now
    widget_key = f"{key}-{name}"
    if f.enum is not None:
        codes = list(f.enum.codes)
        return st.selectbox(label, codes, index=codes.index(now) if now in codes else None, key=widget_key,
                            format_func=lambda c: enum_label(f.enum, c, lang), placeholder=t("iss_choose_one", lang))
    if f.type == "date":
        return st.date_input(label, value=parse_date(now), format="YYYY-MM-DD", key=widget_key)
    if f.type == "int":
        return st.number_input(label, min_value=0, value=None if now is None else int(now), step=1, key=widget_key)
    limit = max_chars("issues", name)
    widget = st.text_area if (limit or 0) >= TEXT_CHARS else st.text_input
    return widget(label, value="" if now is None else str(now), key=widget_key, max_chars=limit)


def correct_form(issue: pd.Series, user: User, lang: str) -> None:
    """Correct one recorded field (a typo): which field (outside the form, so the input fits
    it), the right value (prefilled with the recorded one), the reason."""
    issue_id, stage = str(issue["issue_id"]), str(issue["stage"])
    key = f"act-correct-{issue_id}-{stage}"
    names = [n for n in procedure.correctable_fields(stage)
             if not ISSUES.get(n).private or user.can("view_private")]
    forms.begin(key, defaults={f"{key}-note": ""})
    with st.container(border=True):
        st.markdown(f"**{t('act_correct', lang)}**")
        st.caption(t("act_correct_help", lang))
        # the language in the key: a switch draws the choice anew in the new language's labels
        name = st.selectbox(t("act_correct_field", lang), names, key=f"{key}-field-{lang}",
                            format_func=lambda n: field_label("issues", n, lang))
        with st.form(key, border=False):
            forms.summary(key)
            value = _correction_input(name, issue, key, lang)
            forms.under(key, name)
            reason = st.text_input(t("act_reason", lang), key=f"{key}-note",
                                   max_chars=max_chars("issue_events", "note"))
            submitted = st.form_submit_button(t("act_btn_correct", lang), type="primary", key=f"{key}-submit")
    if submitted:
        if isinstance(value, date):
            value = value.isoformat()
        done = f"{t('act_correct', lang)} · {field_label('issues', name, lang)}"
        issue_view._submit(lambda s: workflow.correct(s, issue_id, name, value, reason, user=user,
                                                      by=user.username), done, lang, form=key)


def _back_to(issue: pd.Series, events: pd.DataFrame) -> str | None:
    """The stage a step back leads to (for a closed issue, the one its timeline closed it from)."""
    stage = str(issue["stage"])
    closed = workflow.closed_from(events) if stage == "closed" else None
    return procedure.step_back(str(issue["issue_id"]), stage, "-", closed_from=closed)[1]


def step_back_form(issue: pd.Series, user: User, events: pd.DataFrame, lang: str) -> None:
    """Step back one stage, with a reason, after ticking "I confirm"; says what is cleared."""
    issue_id, stage = str(issue["issue_id"]), str(issue["stage"])
    key = f"act-step_back-{issue_id}-{stage}"
    to = _back_to(issue, events)
    to_label = _stage_label(to, lang) if to else "—"
    clears = [field_label("issues", n, lang) for n in procedure.STEP_BACK_CLEARS.get(stage, ())]
    if stage == "consensus":
        clears.append(t("act_back_consensus_meeting", lang))
    forms.begin(key)
    with st.form(key, border=True):
        st.markdown(f"**{t('act_step_back', lang)}**")
        forms.summary(key)
        st.caption(t("act_back_keeps", lang)
                   + (" " + t("act_back_clears", lang, fields="、".join(clears) if lang == "zh" else ", ".join(clears))
                      if clears else ""))
        reason = st.text_input(t("act_reason", lang), key=f"{key}-note", max_chars=max_chars("issue_events", "note"))
        confirmed = st.checkbox(t("act_back_confirm", lang, stage=to_label), key=f"{key}-confirm")
        submitted = st.form_submit_button(t("act_btn_step_back", lang, stage=to_label), key=f"{key}-submit",
                                          icon=":material/undo:")
    if not submitted:
        return
    if not confirmed:
        st.error(t("act_back_unconfirmed", lang))
        return
    issue_view._submit(lambda s: workflow.step_back(s, issue_id, reason, user=user, by=user.username),
                       t("act_stepped_back", lang, stage=to_label), lang, form=key)


# ------------------------------------------------------------------ the whole section


def draw(issue: pd.Series, user: User, snap: Snapshot, events: pd.DataFrame, lang: str) -> None:
    """Every form `user` may use on this issue: the steps first, then the repairs (folded), and
    closing last, apart."""
    actions = workflow.allowed_actions(issue.to_dict(), user)
    repairs = workflow.allowed_repairs(issue.to_dict(), user)
    if not actions and not repairs:
        st.caption(t("iss_no_actions", lang))
    for name in actions:
        if name != "close":
            action_form(name, issue, user, snap, lang)
    if repairs:
        with st.expander(t("act_repairs", lang), icon=":material/edit_note:"):
            if "correct" in repairs:
                correct_form(issue, user, lang)
            if "step_back" in repairs:
                step_back_form(issue, user, events, lang)
    if "close" in actions:
        close_form(issue, user, snap, lang)
