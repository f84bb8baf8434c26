"""The tracking page 进度查询 (pages/track.py): a resident follows a report by its tracking code
and, once the work is done, rates the result 1-5 with an optional comment.

Two ways in:
- `/track?code=K7QM-3XPA` (the receipt's link) or a code typed in the box: the issue the code
  follows now (a merged report's code follows the issue that carries the work), rated once per
  code (`residents.rate(code=...)`);
- `/track?issue=I0067&key=...`: the evaluation link staff print on the result notice for
  walk-up residents, checked by `residents.rating_key_ok`, rated once per voter.

The voter is a random id kept in this browser session's `st.session_state`. Streamlit cannot
set a cookie from a page, so a reload or a new tab is a new voter: the real brake on repeated
ratings from one phone is the limit per address (`yishi.services.limits.RATINGS`, counted per
`ui.resident_forms.client_key`), which every rating passes, by code or by link.

Guessing codes is slowed by a limit on look-ups per address (`limits.LOOKUPS`); an unknown code
gets one plain message that says nothing about which codes exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import streamlit as st

from geo.errors import msg
from geo.schema import RATING_CHARS
from yishi.services import limits, residents
from yishi.services.snapshot import Snapshot
from ui import data, forms, public_view, resident_forms
from ui.i18n import t
from ui.resident_forms import minutes
from ui.safe import md

RATE_FORM = "res_rate"
_LOOKED = "_res_looked"  # (normalised code, issue id or None) of the last look-up
_URL_CODE = "_res_url_code"  # the ?code= already looked up (a rerun does not count again)
_VOTER = "_res_voter"
_RATED = "_res_rated"  # issue ids rated in this session: the thanks replaces the form
RATE_DEFAULTS = {"res_score": None, "res_comment": ""}
SCORES = (5, 4, 3, 2, 1)


@dataclass(frozen=True)
class Following:
    """What the page shows: the issue, and who may rate it (a code, or a voter by the link)."""

    issue_id: str
    code: str | None = None
    voter: str | None = None


def voter() -> str:
    """This browser session's voter id for the printed evaluation link (see the docstring)."""
    if _VOTER not in st.session_state:
        st.session_state[_VOTER] = uuid.uuid4().hex
    return st.session_state[_VOTER]


def lookup(code: str, lang: str) -> None:
    """Look `code` up (counted per address), remembering the answer for the next runs."""
    normal = residents.normalise_code(code)
    if not normal:
        st.session_state.pop(_LOOKED, None)
        st.warning(t("res_code_empty", lang))
        return
    wait = limits.LOOKUPS.hit(resident_forms.client_key())
    if wait:
        st.error(t("res_lookup_too_often", lang, minutes=minutes(wait)), icon=":material/block:")
        return
    with data.open_store() as store:
        st.session_state[_LOOKED] = (normal, residents.follow(store, normal))


def by_code(lang: str) -> Following | None:
    """The code box (seeded from `?code=`), the look-up, and what it found."""
    url_code = st.query_params.get("code")
    if url_code and st.session_state.get(_URL_CODE) != url_code:
        st.session_state[_URL_CODE] = url_code
        st.session_state["res_code_box"] = residents.normalise_code(url_code)
        lookup(url_code, lang)
    st.caption(t("res_track_intro", lang))
    with st.form("res_lookup", border=False):
        typed = st.text_input(t("res_code_input", lang), key="res_code_box", max_chars=40,
                              placeholder=t("res_code_placeholder", lang), autocomplete="off")
        asked = st.form_submit_button(t("res_lookup", lang), type="primary", icon=":material/search:")
    if asked:
        looked = st.session_state.get(_LOOKED)
        if looked is None or looked[0] != residents.normalise_code(typed):
            lookup(typed or "", lang)
    looked = st.session_state.get(_LOOKED)
    if looked is None:
        return None
    code, issue_id = looked
    if issue_id is None:
        st.warning(t("res_code_unknown", lang))
        return None
    return Following(issue_id, code=code)


def by_link(issue_id: str, key: str | None, lang: str) -> Following | None:
    """The printed evaluation link: its issue when the key is right, else a refusal."""
    if not residents.rating_key_ok(issue_id, key):
        st.error(t("res_link_bad", lang), icon=":material/link_off:")
        return None
    st.caption(t("res_link_title", lang, id=md(issue_id)))
    return Following(issue_id, voter=voter())


def rating_section(snap: Snapshot, following: Following, lang: str) -> None:
    """The 1-5 rating with an optional comment, once the issue is done."""
    item = public_view.issue_facts(snap, following.issue_id)
    if item is None:
        return
    st.subheader(t("res_rate_title", lang))
    if item.fields.get("stage") != "done":
        st.info(t("res_rate_not_done", lang))
        return
    if following.issue_id in st.session_state.get(_RATED, set()):
        st.success(t("res_rate_thanks", lang), icon=":material/favorite:")
        return
    forms.begin(RATE_FORM, defaults=RATE_DEFAULTS)
    with st.form(RATE_FORM, border=True):
        forms.summary(RATE_FORM)
        score = st.radio(t("res_rate_score", lang), SCORES, index=None, key="res_score",
                         format_func=lambda s: t(f"res_score_{s}", lang))
        forms.under(RATE_FORM, "score")
        comment = st.text_area(t("res_rate_comment", lang), key="res_comment", max_chars=RATING_CHARS, height=90)
        forms.under(RATE_FORM, "comment")
        sent = st.form_submit_button(t("res_rate_submit", lang), type="primary", icon=":material/star:",
                                     width="stretch")
    if sent:
        send_rating(following, score, comment or None, lang)


def send_rating(following: Following, score: int | None, comment: str | None, lang: str) -> None:
    """Rate, within the limits per address and per code; one rating per code or voter is the
    service's rule (a second attempt is told it was rated already)."""
    content = (following, score, comment)
    if forms.repeated(RATE_FORM, content):
        forms.repeat_notice(lang)
        return
    if score is None:
        forms.show(RATE_FORM, [msg("res_rate_need_score")], lang)
        return
    address = resident_forms.client_key()
    wait = limits.RATINGS.hit(address)
    per_code = f"code:{residents.code_hash(following.code)}" if following.code else None
    if not wait and per_code:
        wait = limits.RATINGS_PER_CODE.hit(per_code)
        if wait:
            limits.RATINGS.release(address)
    if wait:
        st.error(t("res_rate_too_often", lang, minutes=minutes(wait)), icon=":material/block:")
        return
    ok, _ = forms.write(lambda store: residents.rate(store, following.issue_id, int(score), comment,
                                                     code=following.code, voter=following.voter),
                        lang, form=RATE_FORM, content=content)
    if not ok:
        return
    st.session_state.setdefault(_RATED, set()).add(following.issue_id)
    forms.toast_later(t("res_rate_thanks", lang))
    st.rerun()
