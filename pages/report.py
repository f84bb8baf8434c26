"""打印报告 Print report: the overview or one community on paper, for the monthly meeting: the
figures, a map that prints (SVG from the geometries, no tiles), and the full tables, every row.

The URL chooses the scope: `?community=<id>` one community (the community page's print link),
otherwise the whole subdistrict under the overview's filters (its print link carries them).
The print stylesheet (ui/styles/print.css) hides the sidebar, the header and the controls.
"""

from __future__ import annotations

import streamlit as st

from geo import stats
from ui import auth, community_view, data, report_view
from ui.i18n import t
from ui.report_map import svg_map
from ui.safe import md
from ui.shell import header
from ui.tables import dashed, issue_table
from yishi.services import dashboard

auth.require("view_map")
snap = data.snapshot()  # public fields only
lang = header("nav_report", as_of=snap.today.isoformat())
names = dict(zip(snap.communities["community_id"], snap.communities["name"]))

with st.container(key="yishi_no_print"):
    cid = report_view.choose_scope(names, lang)
    report_view.print_button(lang)

if cid is None:
    chosen = report_view.url_filter(names)
    issues = chosen.apply(snap.issues, snap.today)
    meetings = snap.meetings[snap.meetings["issue_id"].isin(issues["issue_id"])]
    st.subheader(f"{t('rp_all', lang)} · {snap.today.isoformat()}")
    st.markdown(f"**{t('rp_filters', lang)}**: {md(report_view.filter_text(chosen, names, lang))}")
    st.html(report_view.figures_html(report_view.overview_figures(issues, meetings, snap.ratings, snap.today, lang)))
else:
    issues = snap.issues[snap.issues["community_id"] == cid]
    st.subheader(f"{md(names[cid])} · {snap.today.isoformat()}")
    st.markdown(community_view.heading(cid, names, community_view.cppcc_members(snap.members, names), lang))
    neighbours = dashboard.communities_in(snap.communities, community_view.subdistrict_of(snap.communities, cid))
    per = stats.per_community(snap.issues, neighbours, snap.today, snap.ratings)
    metrics = community_view.figure_metrics(per, cid, lang)
    st.html(report_view.figures_html([(m["label"], m["value"]) for m in metrics],
                                     [m.get("delta_description", "") for m in metrics]))

st.markdown(f"**{t('rp_map', lang)}**")
st.image(svg_map(subdistrict=snap.subdistrict, communities=snap.communities, issues=issues,
                 today=snap.today, lang=lang, focus=cid),
         alt=t("rp_map_alt", lang), width="stretch")

if cid is None:
    st.markdown(f"**{t('community_compare', lang)}**")
    compare = report_view.compare_table(issues, snap.communities, snap.ratings, snap.today, lang)
    st.html(report_view.html_table(dashed(compare), name="yishi-compare"))
else:
    todo = stats.supervision_list(issues, snap.events, snap.today, days=community_view.STUCK_DAYS)
    st.markdown(f"**{t('cm_supervision', lang)} ({len(todo)})**")
    st.html(report_view.html_table(community_view.supervision_table(todo, lang), name="yishi-supervision"))
    venues = snap.venues[snap.venues["community_id"] == cid]
    st.markdown(f"**{t('cm_venues', lang)}**")
    st.html(report_view.html_table(community_view.five_haves_table(venues, lang), name="yishi-venues"))

st.markdown(f"**{t('rp_all_issues', lang, n=len(issues))}**")
st.html(report_view.html_table(issue_table(issues, snap.communities, lang), name="yishi-issues"))
