"""Altair charts of issues, labelled in the current language."""

from __future__ import annotations

import altair as alt
import pandas as pd

from geo import stats
from geo.schema import CATEGORIES, STAGES
from ui.i18n import enum_label, t


def funnel_chart(issues: pd.DataFrame, lang: str) -> alt.Chart:
    """The four-step funnel: issues that reached each stage, in procedure order."""
    funnel = stats.funnel(issues)
    funnel["label"] = funnel["stage"].map(lambda c: enum_label(STAGES, c, lang))
    return alt.Chart(funnel).mark_bar(color="#b71c1c").encode(
        x=alt.X("reached:Q", title=t("reached", lang)),
        y=alt.Y("label:N", sort=list(funnel["label"]), title=None),
        tooltip=[alt.Tooltip("label:N", title=t("f_stage", lang)),
                 alt.Tooltip("reached:Q", title=t("reached", lang)),
                 alt.Tooltip("current:Q", title=t("current", lang))])


def category_chart(issues: pd.DataFrame, names: dict[str, str], lang: str) -> alt.Chart:
    """Issues by category per community, stacked."""
    frame = (issues.assign(community=issues["community_id"].map(names).fillna(t("unassigned", lang)),
                           label=issues["category"].map(lambda c: enum_label(CATEGORIES, c, lang)))
             .groupby(["community", "label"]).size().rename("n").reset_index())
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("n:Q", title=t("count", lang)), y=alt.Y("community:N", title=None, sort="-x"),
        color=alt.Color("label:N", title=t("f_category", lang)),
        tooltip=[alt.Tooltip("community:N", title=t("f_community", lang)),
                 alt.Tooltip("label:N", title=t("f_category", lang)),
                 alt.Tooltip("n:Q", title=t("count", lang))])


def monthly_chart(issues: pd.DataFrame, lang: str) -> alt.Chart:
    """Issues reported and done per month."""
    frame = stats.monthly(issues).melt("month", var_name="series", value_name="n")
    frame["series"] = frame["series"].map({"reported": t("reported", lang), "done": t("done", lang)})
    return alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("month:O", title=t("month", lang)), y=alt.Y("n:Q", title=t("count", lang)),
        color=alt.Color("series:N", title=None))
