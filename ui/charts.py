"""Altair charts of issues, labelled in the current language.

A colour belongs to a code, not to a word: each scale lists every label in code order against the
map's colour for that code (ui.maps.style), so a chart looks the same in Chinese and English and
matches the map. English labels are long: legends sit below the plot and labels are capped, so the
bars keep the column's width."""

from __future__ import annotations

import altair as alt
import pandas as pd

from geo import stats
from geo.schema import CATEGORIES, STAGES
from ui.i18n import enum_label, t
from ui.maps.style import CATEGORY_COLORS, GREY

#: The monthly chart's two series, by code -> colour.
SERIES_COLORS: dict[str, str] = {"reported": "#90caf9", "done": "#1565c0"}
#: Widest a label may be drawn, in pixels (longer ones end in "…", the tooltip has them whole).
LABEL_LIMIT = 120
#: Height of one community's bar row, of one legend row, and of the x axis with its title, in
#: pixels. Streamlit fits the whole chart (legend included) into the spec's height, so the height
#: asked for is all three: the bars keep ROW_PX each, so every community's label shows.
ROW_PX, LEGEND_ROW_PX, AXIS_PX = 24, 20, 70


def code_scale(codes: tuple[str, ...] | list[str], labels: dict[str, str], colors: dict[str, str]) -> alt.Scale:
    """A colour scale keyed by code: every code's label in code order, each with the code's colour."""
    return alt.Scale(domain=[labels[c] for c in codes], range=[colors.get(c, GREY) for c in codes])


#: Text colour of axes and legends: Streamlit's chart theme draws them in a grey under 4.5:1.
TEXT = "#31333f"


def _readable(chart: alt.Chart) -> alt.Chart:
    """Axis and legend text in TEXT (4.5:1 and more on white), not the theme's light grey."""
    return (chart.configure_axis(labelColor=TEXT, titleColor=TEXT)
            .configure_legend(labelColor=TEXT, titleColor=TEXT))


def _legend(title: str | None, columns: int = 2) -> alt.Legend:
    """A legend below the plot, labels capped: it never takes the bars' width."""
    return alt.Legend(title=title, orient="bottom", columns=columns, labelLimit=2 * LABEL_LIMIT // columns,
                      symbolType="square")


def funnel_chart(issues: pd.DataFrame, lang: str) -> alt.Chart:
    """The four-step funnel: issues that reached each stage, in procedure order."""
    return funnel_chart_from(stats.funnel(issues), lang)


def funnel_chart_from(funnel: pd.DataFrame, lang: str) -> alt.Chart:
    """The funnel chart of `geo.stats.funnel`'s frame (the overview asks the store for it)."""
    funnel = funnel.copy()
    funnel["label"] = funnel["stage"].map(lambda c: enum_label(STAGES, c, lang))
    return _readable(alt.Chart(funnel).mark_bar(color="#b71c1c").encode(
        x=alt.X("reached:Q", title=t("reached", lang)),
        y=alt.Y("label:N", sort=list(funnel["label"]), title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        tooltip=[alt.Tooltip("label:N", title=t("f_stage", lang)),
                 alt.Tooltip("reached:Q", title=t("reached", lang)),
                 alt.Tooltip("current:Q", title=t("current", lang))]))


def category_chart(issues: pd.DataFrame, names: dict[str, str], lang: str) -> alt.Chart:
    """Issues by category per community, stacked; one bar row per community, colour by category
    code."""
    counts = issues.groupby(["community_id", "category"], dropna=False).size().rename("n").reset_index()
    return category_chart_from(counts, names, lang)


def category_chart_from(counts: pd.DataFrame, names: dict[str, str], lang: str) -> alt.Chart:
    """The stacked chart from issues per (community_id, category): columns community_id,
    category, n (the overview asks the store for them)."""
    labels = {c: enum_label(CATEGORIES, c, lang) for c in CATEGORIES.codes}
    frame = (counts.assign(community=counts["community_id"].map(names).fillna(t("unassigned", lang)),
                           label=counts["category"].map(lambda c: enum_label(CATEGORIES, c, lang)))
             .groupby(["community", "label"])["n"].sum().reset_index())
    plot = max(ROW_PX * frame["community"].nunique(), 120)
    height = plot + AXIS_PX + LEGEND_ROW_PX * (len(CATEGORIES.codes) + 1)
    return _readable(alt.Chart(frame, height=height).mark_bar().encode(
        x=alt.X("n:Q", title=t("count", lang)),
        y=alt.Y("community:N", title=None, sort="-x", axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        color=alt.Color("label:N", scale=code_scale(CATEGORIES.codes, labels, CATEGORY_COLORS),
                        legend=_legend(t("f_category", lang), columns=1)),
        tooltip=[alt.Tooltip("community:N", title=t("f_community", lang)),
                 alt.Tooltip("label:N", title=t("f_category", lang)),
                 alt.Tooltip("n:Q", title=t("count", lang))]))


def monthly_chart(issues: pd.DataFrame, lang: str) -> alt.Chart:
    """Issues reported and done per month."""
    return monthly_chart_from(stats.monthly(issues), lang)


def monthly_chart_from(monthly: pd.DataFrame, lang: str) -> alt.Chart:
    """The monthly chart of `geo.stats.monthly`'s frame."""
    labels = {code: t(code, lang) for code in SERIES_COLORS}
    frame = monthly.melt("month", var_name="series", value_name="n")
    frame["series"] = frame["series"].map(labels)
    return _readable(alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("month:O", title=t("month", lang)), y=alt.Y("n:Q", title=t("count", lang)),
        color=alt.Color("series:N", scale=code_scale(tuple(SERIES_COLORS), labels, SERIES_COLORS),
                        legend=_legend(None))))
