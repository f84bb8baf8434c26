"""公示栏 Result board: implemented issues, their posted results and satisfaction. Public."""

from __future__ import annotations

import streamlit as st

from geo.schema import CATEGORIES
from ui import data
from ui.i18n import choice, enum_label, field_label, t
from ui.safe import md
from ui.shell import header

snap = data.snapshot()  # never includes residents' personal fields
lang = header("nav_board", as_of=snap.today.isoformat())
st.caption(t("board_intro"))
names = dict(zip(snap.communities["community_id"], snap.communities["name"]))

done = snap.issues[snap.issues["stage"] == "done"].sort_values(["done_on", "issue_id"], ascending=False)
left, right = st.columns(2)
chosen_comm = left.multiselect(t("f_community"), list(names), format_func=names.get,
                               placeholder=t("all"), key="board_comm")
with right:
    chosen_cat = choice(st.multiselect, t("f_category"), CATEGORIES.codes, key="board_cat", lang=lang,
                        placeholder=t("all"), format_func=lambda c: enum_label(CATEGORIES, c, lang))
if chosen_comm:
    done = done[done["community_id"].isin(chosen_comm)]
if chosen_cat:
    done = done[done["category"].isin(chosen_cat)]
st.markdown(t("board_count", n=len(done)))

for row in done.itertuples():
    with st.container(border=True):
        st.markdown(f"**{md(row.title)}**")
        facts = [names.get(row.community_id, t("unassigned")), enum_label(CATEGORIES, row.category),
                 f"{field_label('issues', 'done_on')} {row.done_on}",
                 f"{field_label('issues', 'responsible_unit')} {row.responsible_unit or '—'}"]
        if row.satisfaction == row.satisfaction and row.satisfaction is not None:
            facts.append(f"{field_label('issues', 'satisfaction')} {row.satisfaction:.1f} / 5")
        st.caption(md(" · ".join(str(f) for f in facts)))
        st.markdown(f"{t('posted_result')}: {md(row.result_public)}")
