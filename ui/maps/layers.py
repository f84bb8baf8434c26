"""The data layers of the issue map: communities, compounds, the subdistrict outline, venues, issues.

Each builder reads only `payload.allowed` frames and returns a `YishiLayer`: escaped tooltips
and style indexes as JSON, drawn by ui/js/yishi-map.js.

10^5 issues as one folium.Marker each make a page of ~50 MB. Issues are drawn instead from
a few columnar integer arrays (coordinates in 1e-5 degrees, sorted by latitude and
delta-encoded, plus one packed category/stage/community code per issue) and small label
tables, turned into CircleMarkers (clustered when many) in the browser, in a pane above the
venue icons so a click on an issue reaches the issue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.schema import (
    CATEGORIES,
    COMMUNITIES,
    COMPOUNDS,
    FIVE_HAVES,
    ISSUES,
    OPEN_STAGES,
    PROPERTY_MANAGEMENT,
    STAGES,
    SUBDISTRICT,
    VENUE_KINDS,
    VENUES,
)
from geo.stats import is_overdue
from ui.i18n import t
from ui.maps.display import collection, display_polygons, points
from ui.maps.elements import YishiLayer
from ui.maps.payload import allowed, escape, line, short
from ui.maps.style import (
    CATEGORY_COLORS,
    GREY,
    OPEN_PALETTE,
    STAGE_COLORS,
    bin_color,
    venue_icon_html,
    venue_icon_size,
)

#: Above this many issues the points are clustered; at or below, each is drawn.
CLUSTER_ABOVE = 1000
#: Above this many issues titles stay out of the page (size): tooltips show the rest.
MAX_TITLES = 20_000


def open_counts_by_community(issues: gpd.GeoDataFrame | None) -> dict[str, int]:
    """Open issues per community_id (the shading when the page passes no counts)."""
    if issues is None or len(issues) == 0 or not {"community_id", "stage"} <= set(issues.columns):
        return {}
    open_ = issues[issues["stage"].isin(OPEN_STAGES)]
    return {str(k): int(v) for k, v in open_["community_id"].dropna().value_counts().items()}


# ---------------------------------------------------------------------------- polygons


def shapes(frame: gpd.GeoDataFrame, tips: Sequence[str], styles: Sequence[int],
           style_table: list[dict[str, Any]], basemap: str, *, name: str, interactive: bool = True,
           hover: dict[str, Any] | None = None, sticky: bool = True) -> YishiLayer:
    """A polygon layer: each feature carries its escaped tooltip and an index into `style_table`."""
    data = {"fc": collection(display_polygons(frame, basemap), tips, styles), "styles": style_table,
            "interactive": interactive, "hover": hover, "sticky": sticky}
    return YishiLayer("shapes", data, name=name)


def community_layer(frame: gpd.GeoDataFrame, counts: Mapping[str, int], classes: list[tuple[int, int]],
                    lang: str, basemap: str) -> YishiLayer:
    """Communities shaded by their open issues; the tooltip names the count and team size."""
    sep = t("map_colon", lang)
    open_label = t("map_open", lang) + sep
    size_label = COMMUNITIES.get("team_size").label(lang) + sep
    ids = [str(c) for c in frame["community_id"]]
    open_n = [int(counts.get(c, 0)) for c in ids]
    tips = [f"<b>{short(name)}</b><br>{line(open_label, n)}<br>{line(size_label, size)}"
            for name, n, size in zip(frame["name"], open_n, frame["team_size"])]
    table = [{"color": "#37474f", "weight": 1.5, "fillOpacity": 0.45, "fillColor": c} for c in OPEN_PALETTE]
    styles = [OPEN_PALETTE.index(bin_color(n, classes)) for n in open_n]
    return shapes(frame, tips, styles, table, basemap, name=COMMUNITIES.label(lang),
                  hover={"weight": 3, "fillOpacity": 0.6})


def _is_old(value: Any) -> bool:
    return value is True or value == 1


def compound_layer(frame: gpd.GeoDataFrame, lang: str, basemap: str) -> YishiLayer:
    """Compounds, old ones dashed; the tooltip lists households, year and management."""
    sep = t("map_colon", lang)
    label = {f: COMPOUNDS.get(f).label(lang) + sep
             for f in ("households", "built_year", "property_management")}
    old = escape(t("map_old", lang))

    def tip(row: pd.Series) -> str:
        management = row["property_management"]
        parts = [f"<b>{short(row['name'])}</b>",
                 line(label["households"], row["households"]),
                 line(label["built_year"], row["built_year"]),
                 line(label["property_management"],
                      PROPERTY_MANAGEMENT.label(str(management), lang) if pd.notna(management) else "")]
        if _is_old(row["is_old_compound"]):
            parts.append(old)
        return "<br>".join(parts)

    tips = [tip(row) for _, row in frame.iterrows()]
    table = [{"color": "#546e7a", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 0.25},
             {"color": "#8d6e63", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 0.25,
              "dashArray": "4 3"}]
    styles = [int(_is_old(v)) for v in frame["is_old_compound"]]
    return shapes(frame, tips, styles, table, basemap, name=COMPOUNDS.label(lang))


def subdistrict_layer(frame: gpd.GeoDataFrame, lang: str, basemap: str) -> YishiLayer:
    """The subdistrict's outline, dashed red, not clickable."""
    tips = [short(n) for n in frame["name"]]
    table = [{"color": "#b71c1c", "weight": 3, "fill": False, "dashArray": "8 5"}]
    return shapes(frame, tips, [0] * len(frame), table, basemap, name=SUBDISTRICT.label(lang),
                  interactive=False)


# ---------------------------------------------------------------------------- venues


def venue_layer(frame: gpd.GeoDataFrame, lang: str, basemap: str) -> YishiLayer:
    """Venue markers: one fixed icon per kind, an escaped tooltip per venue."""
    sep = t("map_colon", lang)
    kind_label = VENUES.get("kind").label(lang) + sep
    haves_label = t("map_five_haves", lang) + sep
    pos, lon, lat = points(frame, basemap)
    haves = frame[list(FIVE_HAVES.codes)].fillna(False).astype(bool).sum(axis=1).to_numpy()
    kinds = [str(k) for k in frame["kind"]]
    known = sorted(set(kinds[i] for i in pos))
    icons = [[venue_icon_html(k, lang), *venue_icon_size(k)] for k in known]
    pts, tips = [], []
    for i, x, y in zip(pos, lon, lat):
        kind = kinds[i]
        pts.append([round(float(y), 6), round(float(x), 6), known.index(kind)])
        tips.append(f"<b>{short(frame['name'].iloc[i])}</b><br>"
                    f"{line(kind_label, VENUE_KINDS.label(kind, lang))}<br>"
                    f"{line(haves_label, f'{int(haves[i])}/5')}")
    return YishiLayer("venues", {"icons": icons, "pts": pts, "tips": tips}, name=VENUES.label(lang))


# ---------------------------------------------------------------------------- issues


def _as_text(values: pd.Series) -> pd.Series:
    """Values as plain strings, missing ones as ""."""
    return values.astype(object).where(values.notna(), "").astype(str)


def _codes(values: pd.Series, known: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """(code list: known ones then any others found, index of each value in it)."""
    text = _as_text(values)
    codes = list(known) + sorted(set(text.unique()) - set(known))
    return codes, pd.Index(codes).get_indexer(text).astype(np.int64)


def overdue_mask(issues: gpd.GeoDataFrame | None, today: date | None) -> np.ndarray | None:
    """True per row of `issues` for an open issue past its due date (None without `today`)."""
    if today is None or issues is None or not {"stage", "due_on"} <= set(issues.columns):
        return None
    return is_overdue(issues, today).to_numpy(dtype=bool)


def issue_payload(issues: gpd.GeoDataFrame | None, *, community_names: Mapping[str, str],
                  lang: str = "zh", color_by: str = "stage", basemap: str = "osm",
                  max_titles: int = MAX_TITLES, overdue: np.ndarray | None = None) -> dict[str, Any]:
    """The compact, escaped data `YishiMap.issues` draws (and the legend counts).

    Coordinates are integers in 1e-5 degrees, sorted by latitude; `dy` holds latitude steps
    from `y0`, `x` longitudes minus `x0`; `k` packs (community, category, stage) per issue;
    `od` lists the drawn positions of the overdue issues (`overdue`: one flag per row of
    `issues`), which get a ring.
    """
    frame = allowed(issues, "issues")
    pos, lon, lat = points(frame, basemap)
    frame = frame.iloc[pos]
    stages, st = _codes(frame["stage"], STAGES.codes)
    cats, ca = _codes(frame["category"], CATEGORIES.codes)
    comm_ids = [str(c) for c in community_names]
    cm = pd.Index(comm_ids).get_indexer(_as_text(frame["community_id"])).astype(np.int64)
    cm[cm < 0] = len(comm_ids)  # outside every community
    yi = np.round(lat * 1e5).astype(np.int64)
    xi = np.round(lon * 1e5).astype(np.int64)
    order = np.lexsort((xi, yi))
    y0 = int(yi.min()) if len(yi) else 0
    x0 = int(xi.min()) if len(xi) else 0
    k = ((cm * len(cats) + ca) * len(stages) + st)[order]
    late = np.zeros(len(pos), bool) if overdue is None else np.asarray(overdue, bool)[pos][order]
    titles = None
    if len(frame) <= max_titles:
        raw = frame["title"].to_numpy()[order]
        titles = [short(title) for title in raw]
    palette = STAGE_COLORS if color_by == "stage" else CATEGORY_COLORS
    keyed = stages if color_by == "stage" else cats
    sep = t("map_colon", lang)
    return {
        "y0": y0, "x0": x0,
        "dy": np.diff(yi[order], prepend=y0).tolist(),
        "x": (xi[order] - x0).tolist(),
        "k": k.tolist(),
        "ns": len(stages), "nc": len(cats),
        "t": titles,
        "stages": [short(STAGES.label(c, lang) if c else "—") for c in stages],
        "cats": [short(CATEGORIES.label(c, lang) if c else "—") for c in cats],
        "comms": [short(community_names[c]) for c in comm_ids] + [escape(t("map_outside", lang))],
        "w": [escape(ISSUES.get("category").label(lang) + sep), escape(ISSUES.get("stage").label(lang) + sep),
              escape(COMMUNITIES.label(lang) + sep)],
        "byStage": color_by == "stage",
        "colors": [palette.get(c, GREY) for c in keyed],
        "counts": np.bincount(st if color_by == "stage" else ca, minlength=len(keyed)).tolist(),
        "od": np.flatnonzero(late).tolist(),
    }


def issue_layer(payload: dict[str, Any], *, name: str, cluster: bool, radius: int = 6) -> YishiLayer:
    """All issues as canvas CircleMarkers that yishi-map.js builds from `issue_payload` data."""
    data = {k: v for k, v in payload.items() if k != "counts"}
    data.update(cluster=cluster, radius=int(radius))
    return YishiLayer("issues", data, name=name, cluster=cluster)
