"""The community page's parts: which community (directly or through its CPPCC member), its
figures next to the subdistrict average, the five-haves venue table and the supervision list
with its downloads. The list itself is computed by geo.stats.supervision_list (the CLI's too).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from yishi.accounts import User
from geo.export import to_geojson_text
from geo.schema import CATEGORIES, CPPCC_ROLES, FIVE_HAVES, MEMBER_ROLES, STAGES, VENUE_KINDS
from ui.i18n import enum_label, field_label, t
from ui.safe import md, token
from ui.tables import dashed, members_text, rating_text, tick_cells

SELECTED = "selected_community"  # plain key: survives page switches
_PICK_COMM, _PICK_MEMBER, _URL_SEEN = "_cm_community", "_cm_member", "_cm_url_seen"
#: An open issue whose last stage change is older than this is on the supervision list.
STUCK_DAYS = 30
#: The only issue fields the supervision GeoJSON carries (never a resident's data).
EXPORT_FIELDS = ("issue_id", "title", "category", "stage", "community_id", "reported_on", "due_on",
                 "responsible_unit", "days_overdue", "days_in_stage", "reasons")
#: (per_community column, label key, delta colour): for counts where fewer is better, "inverse".
_FIGURES = (("total", "total", "off"), ("open", "open", "inverse"), ("overdue", "overdue", "inverse"),
            ("done", "done", "normal"), ("satisfaction", "kpi_satisfaction", "normal"))


def cppcc_members(members: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """CPPCC members linked to one of the communities `names` knows, by member id."""
    return members[members["role"].isin(CPPCC_ROLES)
                   & members["linked_community_id"].isin(names)].sort_values("member_id")


def _members_of(cppcc: pd.DataFrame, community_id: str) -> list[str]:
    return list(cppcc.loc[cppcc["linked_community_id"] == community_id, "member_id"])


def choose_community(names: dict[str, str], cppcc: pd.DataFrame, user: User, lang: str) -> str:
    """Draw the member and community pickers; return the chosen community id.

    The choice lives in the plain key SELECTED; `?community=` in the URL chooses once per new
    value (an unknown id is named in a warning); a member account starts at its own linked
    community. Choosing a member switches to the community that member is linked to. The
    choice is written back to the URL so the view can be shared.
    """
    wanted = st.query_params.get("community")
    if wanted is not None and wanted != st.session_state.get(_URL_SEEN):
        st.session_state[_URL_SEEN] = wanted
        if wanted in names:
            st.session_state[SELECTED] = wanted
        else:
            st.warning(t("cm_not_found", lang, community_id=token(wanted)))
    member_names = dict(zip(cppcc["member_id"], cppcc["name"]))
    member_roles = dict(zip(cppcc["member_id"], cppcc["role"]))
    member_community = dict(zip(cppcc["member_id"], cppcc["linked_community_id"]))
    if st.session_state.get(SELECTED) not in names:
        own = user.community_id if user.role == "member" else None
        st.session_state[SELECTED] = own if own in names else next(iter(names))

    def community_picked() -> None:
        st.session_state[SELECTED] = st.session_state[_PICK_COMM]

    def member_picked() -> None:
        member = st.session_state.get(_PICK_MEMBER)
        if member in member_community:
            st.session_state[SELECTED] = member_community[member]

    cid = st.session_state[SELECTED]
    st.session_state[_PICK_COMM] = cid
    st.session_state[_PICK_MEMBER] = (_members_of(cppcc, cid) or [None])[0]
    left, right = st.columns(2)
    left.selectbox(t("cm_choose_member", lang), list(member_names), key=_PICK_MEMBER, index=None,
                   on_change=member_picked, placeholder=t("cm_member_none", lang),
                   format_func=lambda m: f"{member_names.get(m, m)} · "
                                         f"{enum_label(MEMBER_ROLES, member_roles.get(m), lang)} · "
                                         f"{names.get(member_community.get(m), '')}")
    right.selectbox(t("f_community", lang), list(names), key=_PICK_COMM, on_change=community_picked,
                    placeholder=t("bw_choose_option", lang),
                    format_func=lambda c: names.get(c, c))
    st.query_params["community"] = st.session_state[_URL_SEEN] = cid
    return cid


def heading(community_id: str, names: dict[str, str], cppcc: pd.DataFrame, lang: str) -> str:
    """Markdown: the community's name and its linked CPPCC members (stored text escaped)."""
    linked = members_text(_members_of(cppcc, community_id), cppcc, lang)
    return f"**{md(names[community_id])}** · {t('members_linked', lang)}: {md(linked)}"


def subdistrict_of(communities: pd.DataFrame, community_id: str) -> str | None:
    """The subdistrict a community lies in (None where the store does not say): its figures
    are set against that subdistrict's communities, as a member compares them."""
    if "subdistrict_id" not in communities.columns:
        return None
    found = communities.loc[communities["community_id"] == community_id, "subdistrict_id"]
    return str(found.iloc[0]) if len(found) and isinstance(found.iloc[0], str) else None


def figure_metrics(per: pd.DataFrame, community_id: str, lang: str) -> list[dict[str, Any]]:
    """Keyword arguments for one st.metric per figure: the community's value, its difference
    from the mean over the communities of `per` (`geo.stats.per_community` with ratings, of the
    community's subdistrict), and that mean; last, residents' rating with its count."""
    mine = per[per["community_id"] == community_id].iloc[0]
    average = per[["total", "open", "overdue", "done", "satisfaction"]].mean(numeric_only=True)
    metrics: list[dict[str, Any]] = []
    for field, key, colour in _FIGURES:
        value, avg = mine[field], average[field]
        if pd.isna(value):
            metrics.append({"label": t(key, lang), "value": "—"})
            continue
        digits = 2 if field == "satisfaction" else 0
        metrics.append({"label": t(key, lang), "value": f"{value:.{digits}f}",
                        "delta": f"{value - avg:+.{max(digits, 1)}f}", "delta_color": colour,
                        "delta_description": t("cm_vs_avg", lang, v=f"{avg:.{max(digits, 1)}f}")})
    mean = None if pd.isna(mine["rating_mean"]) else float(mine["rating_mean"])
    metrics.append({"label": t("tri_kpi_rating", lang),
                    "value": rating_text(mean, int(mine["rating_count"]), lang)})
    return metrics


def five_haves_table(venues: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Venues against the five-haves standard: a ✓/✗ column per item and the count met."""
    return pd.DataFrame({
        field_label("venues", "name", lang): venues["name"],
        field_label("venues", "kind", lang): venues["kind"].map(lambda k: enum_label(VENUE_KINDS, k, lang)),
        **{FIVE_HAVES.label(code, lang): tick_cells(venues[code]) for code in FIVE_HAVES.codes},
        t("cm_five_count", lang): venues[list(FIVE_HAVES.codes)].eq(True).sum(axis=1).map(lambda n: f"{n}/5"),
    })


def reason_label(codes: str, lang: str) -> str:
    """Comma-joined reason codes (geo.stats.supervision_list) as readable text."""
    return "；".join(t(f"cm_reason_{c}", lang, d=STUCK_DAYS) for c in codes.split(",") if c)


def supervision_table(todo: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The supervision list for display and CSV: labels, not codes; public fields only."""
    return dashed(pd.DataFrame({
        field_label("issues", "issue_id", lang): todo["issue_id"],
        field_label("issues", "title", lang): todo["title"],
        field_label("issues", "category", lang): todo["category"].map(lambda c: enum_label(CATEGORIES, c, lang)),
        field_label("issues", "stage", lang): todo["stage"].map(lambda c: enum_label(STAGES, c, lang)),
        field_label("issues", "due_on", lang): todo["due_on"].fillna(""),
        field_label("issues", "responsible_unit", lang): todo["responsible_unit"].fillna(""),
        t("days_overdue", lang): todo["days_overdue"],
        t("days_in_stage", lang): todo["days_in_stage"],
        t("cm_reason", lang): todo["reasons"].map(lambda r: reason_label(r, lang)),
    }))


def supervision_geojson(todo: pd.DataFrame) -> bytes:
    """The supervision list as GeoJSON, reduced to EXPORT_FIELDS (never a resident's data)."""
    return to_geojson_text(todo[[*EXPORT_FIELDS, "geometry"]]).encode("utf-8")
