"""Residents' side of one issue on the staff issue page: where it came from, how many said
"me too", residents' own ratings (mean with count, comments as plain text) and, once done, the
evaluation link and QR code staff print on the result notice for walk-up residents."""

from __future__ import annotations

import io
from urllib.parse import quote

import pandas as pd
import streamlit as st

from geo import stats
from geo.schema import SOURCES, TRIAGE
from yishi.accounts import User
from yishi.services import residents
from yishi.services.posters import make_qr
from yishi.settings import public_url
from ui.i18n import enum_label, field_label, t
from ui.safe import md
from ui.tables import rating_text, text, whole


def rating_link(issue_id: str) -> str:
    """The walk-up evaluation link of an issue (`/track?issue=...&key=...`)."""
    return (f"{public_url()}/track?issue={quote(issue_id, safe='')}"
            f"&key={quote(residents.rating_key(issue_id), safe='')}")


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    make_qr(url).save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def residents_section(issue: pd.Series, ratings: pd.DataFrame, user: User, lang: str) -> None:
    issue_id = str(issue["issue_id"])
    source = issue.get("source") or "staff"
    facts = [f"{field_label('issues', 'source', lang)}: {enum_label(SOURCES, source, lang)}"]
    if isinstance(issue.get("triage"), str):
        facts.append(f"{field_label('issues', 'triage', lang)}: {enum_label(TRIAGE, issue['triage'], lang)}")
    facts.append(t("pub_me_too", lang, n=whole(issue.get("me_too"))))
    st.markdown(md(" · ".join(facts)))
    mine = ratings[ratings["issue_id"] == issue_id].sort_values(["at", "rating_id"], ascending=False)
    st.metric(t("tri_kpi_rating", lang), rating_text(*stats.overall_rating(mine), lang))
    commented = mine[mine["comment"].notna()]
    if len(commented):
        with st.expander(t("tri_comments", lang, n=len(commented))):
            for row in commented.itertuples():
                st.text(f"{text(row.at)} · {row.score}/5 · {row.comment}")
    if issue["stage"] == "done" and user.can("evaluate"):
        link = rating_link(issue_id)
        with st.expander(t("tri_rating_link", lang)):
            st.caption(t("tri_rating_link_hint", lang))
            st.code(link, language=None)
            png = qr_png(link)
            st.image(png, width=160)
            st.download_button(t("tri_rating_qr_download", lang), png, file_name=f"{issue_id}-rating-qr.png",
                               mime="image/png", key=f"rating-qr-{issue_id}")
