"""The overview map of a big view: counts per community, and the issues of the viewport at street zoom.

Why: a view of 10^5 issues embedded in the page was 19 MB over the websocket and 15-26 s to
draw. A view of more than EMBED_MAX issues embeds instead the community outlines (shaded by
open issues, as before) and one count bubble per community, from `Store.summarise`; from
STREET_ZOOM on, ui/js/yishi-map.js (`YishiMap.viewport`) asks /api/map/issues (web.map_api)
for the issues inside the box it shows, as the view's filter and region select them, and
draws them as the small map does. Pan and zoom never rerun the Streamlit script; a click on a
fetched issue reports its position as any issue marker does, and `clicks.issue_near` finds it
in the store. A view of at most EMBED_MAX issues is drawn as it always was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import geopandas as gpd
import shapely

from geo.schema import CATEGORIES, ISSUES, OPEN_STAGES, STAGES
from ui.i18n import t
from ui.maps import layers
from ui.maps.display import display_xy
from ui.maps.elements import MapControl
from ui.maps.payload import allowed, escape, line, short
from ui.maps.style import CATEGORY_COLORS, GREY, STAGE_COLORS
from yishi.services import dashboard
from yishi.storage import Store, Where

#: A view of more issues than this gets counts and the viewport instead of every issue.
EMBED_MAX = 3000
#: From this zoom on, the map shows the viewport's issues instead of the count bubbles.
STREET_ZOOM = 15
#: The route the map's script asks (web.map_api.PATH), under the server's base path.
API_PATH = "/api/map/issues"
#: Bubbles of communities closer than this on screen (pixels, a grid) are drawn as one bubble
#: holding their sums: a city's 800 bubbles covered each other at its zoom.
BUBBLE_CELL_PX = 64
#: Milliseconds the map waits after the last pan or zoom before it asks.
DEBOUNCE_MS = 250


@dataclass(frozen=True)
class Summary:
    """What the map of a big view draws instead of its issues: counts from the store."""

    total: int
    by_community: Mapping[str, int] = field(default_factory=dict)
    open_by_community: Mapping[str, int] = field(default_factory=dict)
    overdue_by_community: Mapping[str, int] = field(default_factory=dict)
    #: issues per stage or category code (the legend's colours)
    by_color: Mapping[str, int] = field(default_factory=dict)

    @property
    def overdue(self) -> int:
        return sum(self.overdue_by_community.values())


def summarise(store: Store, where: Where, today: date, color_by: str = "stage") -> Summary:
    """The counts of a big view: per community (all, open, overdue) and per colour."""
    per = store.summarise("issues", where, by=("community_id", "stage"))
    late = store.summarise("issues", dashboard.overdue_where(where, today), by=("community_id",))

    def totals(frame: Any, key: str) -> dict[str, int]:
        frame = frame[frame[key].notna()]
        return {str(k): int(v) for k, v in frame.groupby(key)["n"].sum().items()}

    colours = (per.groupby("stage")["n"].sum() if color_by == "stage"
               else store.summarise("issues", where, by=("category",)).set_index("category")["n"])
    return Summary(total=int(per["n"].sum()) if len(per) else 0, by_community=totals(per, "community_id"),
                   open_by_community=totals(per[per["stage"].isin(OPEN_STAGES)], "community_id"),
                   overdue_by_community=totals(late, "community_id"),
                   by_color={str(k): int(v) for k, v in colours.items() if k is not None})


def api_url(base_path: str, query: Mapping[str, str]) -> str:
    """The route with the view's query (the filter as the page's URL writes it, region, basemap,
    language); the map adds `bbox`."""
    base = "/" + base_path.strip("/") if base_path.strip("/") else ""
    return f"{base}{API_PATH}?{urlencode(dict(query))}"


def legend_payload(summary: Summary, lang: str, color_by: str) -> dict[str, Any]:
    """The part of `layers.issue_payload` the legend reads, from the counts."""
    enum, palette = (STAGES, STAGE_COLORS) if color_by == "stage" else (CATEGORIES, CATEGORY_COLORS)
    codes = list(enum.codes) + sorted(set(summary.by_color) - set(enum.codes))
    labels = [short(enum.label(c, lang) if c else "—") for c in codes]
    return {"stages": labels if color_by == "stage" else [], "cats": labels if color_by != "stage" else [],
            "colors": [palette.get(c, GREY) for c in codes],
            "counts": [int(summary.by_color.get(c, 0)) for c in codes], "n_od": summary.overdue}


def viewport_control(summary: Summary, communities: gpd.GeoDataFrame, *, url: str, lang: str,
                     color_by: str = "stage", basemap: str = "osm", radius: int = 6) -> MapControl:
    """`YishiMap.viewport`: one bubble per community holding issues of the view (its count,
    ringed red when any is overdue; those within BUBBLE_CELL_PX of each other on screen as one)
    below STREET_ZOOM, the viewport's issues from `url` above."""
    frame = allowed(communities, "communities")
    sep = t("map_colon", lang)
    bubbles, tips = [], []
    for cid, name, geom in zip(frame["community_id"], frame["name"], frame.geometry):
        n = int(summary.by_community.get(str(cid), 0))
        if n == 0 or geom is None or geom.is_empty:
            continue
        at = shapely.point_on_surface(geom)
        xs, ys = display_xy([at.x], [at.y], basemap)
        late = int(summary.overdue_by_community.get(str(cid), 0))
        bubbles.append([round(float(ys[0]), 5), round(float(xs[0]), 5), n, late])
        parts = [f"<b>{short(name)}</b>", line(ISSUES.label(lang) + sep, n),
                 escape(t("vp_bubble_open", lang, n=int(summary.open_by_community.get(str(cid), 0))))]
        if late:
            parts.append(escape(t("vp_bubble_overdue", lang, n=late)))
        tips.append("<br>".join(parts))
    by_stage = color_by == "stage"
    palette = STAGE_COLORS if by_stage else CATEGORY_COLORS
    return MapControl("viewport", {
        "url": url, "zoom": STREET_ZOOM, "delay": DEBOUNCE_MS, "radius": int(radius),
        "bubbles": bubbles, "tips": tips, "byStage": by_stage, "palette": dict(palette), "grey": GREY,
        "stages": {c: short(STAGES.label(c, lang)) for c in STAGES.codes},
        "cats": {c: short(CATEGORIES.label(c, lang)) for c in CATEGORIES.codes},
        "w": [escape(ISSUES.get("category").label(lang) + sep), escape(ISSUES.get("stage").label(lang) + sep)],
        "group": escape(t("vp_group_tip", lang, c="{c}", n="{n}", o="{o}")), "cell": BUBBLE_CELL_PX,
        "hint": escape(t("vp_zoom_hint", lang, n=summary.total)), "more": escape(t("vp_more", lang)),
        "failed": escape(t("vp_failed", lang)),
    })


#: The layers drawn under the issues (outline, communities, compounds, venues).
PLACES = ("subdistrict", "communities", "compounds", "venues")
#: What a big view leaves out of the page and sends with the issues of the box at street zoom:
#: a city's 2,389 compounds and 1,264 venues were 1.3 MB of the page's 2.5 MB and drawn unseen.
STREET_PLACES = ("compounds", "venues")


def places(store: Store, region_id: str | None) -> dict[str, gpd.GeoDataFrame]:
    """The layers under the issues, only those of the region node (every row carries its
    subdistrict, whose NBS code starts with the node's), public fields only."""
    where = Where(prefix={"subdistrict_id": (region_id,)}) if region_id else Where()
    return {name: store.select(name, where) for name in PLACES}


def street_places(store: Store, region_id: str | None, box: tuple[float, float, float, float], *,
                  lang: str, basemap: str) -> dict[str, Any]:
    """The drawing payloads (as the small map embeds them) of the compounds and venues of the
    region node whose bounding box meets `box` (store degrees); None for a layer with none."""
    where = Where(prefix={"subdistrict_id": (region_id,)} if region_id else {}, bbox=box)
    compounds, venues = (store.select(name, where) for name in STREET_PLACES)
    return {"compounds": layers.compound_layer(compounds, lang, basemap).data if len(compounds) else None,
            "venues": layers.venue_layer(venues, lang, basemap).data if len(venues) else None}
