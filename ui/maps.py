"""folium builders for the issue map: stored text reaches the page only as escaped JSON data.

Why this module is careful:
- branca renders every element's macro and then parses the output again as a Jinja
  template, and folium writes every GeoJSON property into the page, places Tooltip text in
  a JavaScript template literal and GeoJsonTooltip values into innerHTML. So no stored text
  goes to a folium element. Every layer that carries data is a `YishiLayer` (or a
  `MapControl`): a fixed one-line script calling ui/js/yishi-map.js with one JSON payload
  (`_js_json`), rendered by `Inert`, which never re-parses its output. Only allow-listed
  fields (never a private one) are read, and every string is HTML-escaped (`escape`).
- 10^5 issues as one folium.Marker each make a page of ~50 MB. Issues are drawn instead from
  a few columnar integer arrays (coordinates in 1e-5 degrees, sorted by latitude and
  delta-encoded, plus one packed category/stage/community code per issue) and small label
  tables, turned into canvas CircleMarkers (clustered when many) in the browser.
- AMap tiles are in GCJ-02: with basemap="amap" every layer is shifted for display, and
  `issue_at` shifts the same way before matching a click.
- A layer that cannot be built is left out, logged and named in the legend and in
  `Map.failed_layers`, so one bad record never takes the whole page down.

Clicks: ask st_folium for `RETURNED_OBJECTS` (only "last_object_clicked") and pass its answer
to `clicked_issue_id`. An issue marker is a small CircleMarker, so Leaflet reports the
marker's own position (not the mouse's), which `issue_at` matches within a few metres.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.plugins import Fullscreen
from folium.template import Template

from geo.crs import transform_geometry, wgs84_to_gcj02
from geo.schema import (
    CATEGORIES,
    COMMUNITIES,
    COMPOUNDS,
    FIVE_HAVES,
    ISSUES,
    LAYERS,
    OPEN_STAGES,
    PROPERTY_MANAGEMENT,
    STAGES,
    SUBDISTRICT,
    VENUE_KINDS,
    VENUES,
    WGS84,
)
from ui.assets import MARKERCLUSTER_CSS, MARKERCLUSTER_JS, YISHI_JS, localize

log = logging.getLogger(__name__)

Basemap = Literal["osm", "amap", "none"]
ColorBy = Literal["stage", "category"]
Bounds = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat (WGS84)

BASEMAPS: tuple[str, ...] = ("osm", "amap", "none")
COLOR_BY: tuple[str, ...] = ("stage", "category")
#: What st_folium should report: a click on an object (reruns only then, not on pan/zoom).
RETURNED_OBJECTS: list[str] = ["last_object_clicked"]

AMAP_TILES = ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
              "&style=8&x={x}&y={y}&z={z}")
#: Pingyuan subdistrict, Shangqiu: the view when no layer has a geometry.
DEFAULT_CENTER = (34.4366, 115.6169)
MAX_ZOOM = 19

#: The only fields of each layer that may reach the page (display or lookup).
ALLOWED_FIELDS: dict[str, tuple[str, ...]] = {
    "subdistrict": ("name",),
    "communities": ("community_id", "name", "team_size"),
    "compounds": ("name", "households", "built_year", "is_old_compound", "property_management"),
    "venues": ("name", "kind", *FIVE_HAVES.codes),
    "issues": ("title", "category", "stage", "community_id"),
}
assert not any(set(fields) & set(LAYERS[name].private_fields) for name, fields in ALLOWED_FIELDS.items())

#: ~20 m in degrees: polygons are simplified this much for display, then snapped to 1e-5.
SIMPLIFY_DEG = 20 / 111_320
#: Above this many issues the points are clustered; at or below, each is drawn.
CLUSTER_ABOVE = 1000
#: Above this many issues titles stay out of the page (size): tooltips show the rest.
MAX_TITLES = 20_000
#: Stored text in a tooltip (titles, names, values) is cut to this many characters.
TIP_CHARS = 40

GREY = "#9e9e9e"
STAGE_COLORS: dict[str, str] = {
    "collected": "#c62828", "selected": "#ef6c00", "stakeholders": "#f9a825",
    "meeting": "#fdd835", "consensus": "#9ccc65", "implementing": "#43a047",
    "done": "#1b5e20", "closed": "#757575",
}
CATEGORY_COLORS: dict[str, str] = {
    "parking": "#1f77b4", "water": "#17becf", "renovation": "#8c564b", "property": "#9467bd",
    "housing": "#d62728", "environment": "#2ca02c", "development": "#ff7f0e", "other": "#7f7f7f",
}
#: Communities shaded by open issues (light to dark blue, apart from the issue colours).
OPEN_PALETTE = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")

#: Venue kinds: (colour, CSS shape, zh mark, en mark); shape and colour tell them apart.
VENUE_STYLE: dict[str, tuple[str, str, str, str]] = {
    "room": ("#1565c0", "square", "室", "R"),
    "pavilion": ("#2e7d32", "circle", "亭", "P"),
    "corner": ("#e65100", "diamond", "角", "C"),
    "corridor": ("#6a1b9a", "pill", "廊", "Co"),
}
_UNKNOWN_VENUE = (GREY, "circle", "?", "?")

#: The few map words that are not schema labels.
_WORDS: dict[str, tuple[str, str]] = {
    "osm": ("OpenStreetMap", "OpenStreetMap"),
    "amap": ("高德地图", "AMap"),
    "amap_attr": ("高德地图", "AMap (Gaode)"),
    "open": ("在办议题", "Open issues"),
    "outside": ("未划入社区", "Outside any community"),
    "five_haves": ("五有", "Five haves"),
    "fullscreen": ("全屏", "Full screen"),
    "exit_fullscreen": ("退出全屏", "Exit full screen"),
    "old": ("老旧小区", "Old compound"),
    "colon": ("：", ": "),
    "failed": ("未能显示：", "Could not draw: "),
    "preview": ("上传预览", "Upload preview"),
}


def _w(key: str, lang: str) -> str:
    zh, en = _WORDS[key]
    return zh if lang == "zh" else en


# ---------------------------------------------------------------------------- escaping


def escape(value: Any) -> str:
    """`value` as inert HTML text, also safe inside a JS template literal or a JSON string.

    html.escape covers tags and quotes; backticks, `$` (so no `${`) and backslashes are
    turned into entities too, because folium puts Tooltip text in a template literal.
    Missing values give "".
    """
    if value is None or (not isinstance(value, (str, bytes, list, tuple, dict)) and pd.isna(value)):
        return ""
    text = html.escape(str(value), quote=True)
    return (text.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")
            .replace("\u2028", "&#8232;").replace("\u2029", "&#8233;").replace("\x00", ""))


def _js_json(obj: Any) -> str:
    """JSON that can sit inside a <script> element, and inside a template, whatever it holds.

    `<`, `>`, `&` and U+2028/9 are escaped for the HTML parser; a `{` that would open a
    Jinja tag (`{{`, `{%`, `{#`) is written `\\u007b`, so even a renderer that parsed the
    page again as a template (branca does so with plain elements) would find no tag in it.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    # compact JSON never puts {, % or # right after a structural {: only strings can match
    return _JINJA_OPEN.sub(r"\\u007b", text)


_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def _truncate(text: Any, limit: int) -> Any:
    if isinstance(text, str) and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def _short(value: Any) -> str:
    """Stored text as a tooltip shows it: cut to TIP_CHARS, then escaped."""
    return escape(_truncate(value, TIP_CHARS))


def _line(label: str, value: Any) -> str:
    """'label：value' with both escaped, the value cut short."""
    return f"{escape(label)}{_short(value)}"


# ---------------------------------------------------------------------------- elements


class Verbatim(Element):
    """Rendered text that goes into the page as it is, never parsed as a template again."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class Inert(MacroElement):
    """A MacroElement whose rendered macros reach the page verbatim.

    Why: branca's MacroElement.render wraps each rendered macro in `Element(text)`, which
    builds a new jinja2.Template from it, so any data in the output would be evaluated on
    the server (`{{ 7*7 }}` in a title became 49; `{%` broke the page). Here the output of
    our fixed templates is placed as it is.
    """

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                target.add_child(Verbatim(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class YishiLayer(JSCSSMixin, Layer, Inert):
    """A layer drawn by ui/js/yishi-map.js from one JSON payload: the only data in the page.

    `builder` names the function of `YishiMap` that draws it (shapes, venues, issues);
    `data` is kept for tests, `payload` is its `_js_json` text.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = YishiMap.{{ this.builder }}({{ this.payload }});
        {% endmacro %}
    """)

    def __init__(self, builder: str, data: dict[str, Any], *, name: str, cluster: bool = False) -> None:
        super().__init__(name=name, overlay=True)
        self._name = "YishiLayer"
        self.builder = builder
        self.data = data
        self.payload = _js_json(data)
        self.default_js = [*YISHI_JS, *(MARKERCLUSTER_JS if cluster else [])]
        self.default_css = list(MARKERCLUSTER_CSS) if cluster else []


class MapControl(JSCSSMixin, Inert):
    """A map-wide addition drawn by `YishiMap.<builder>(map, data)` (legend, background)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        YishiMap.{{ this.builder }}({{ this._parent.get_name() }}, {{ this.payload }});
        {% endmacro %}
    """)

    def __init__(self, builder: str, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "MapControl"
        self.builder = builder
        self.data = data
        self.payload = _js_json(data)
        self.default_js = list(YISHI_JS)


# ---------------------------------------------------------------------------- data preparation


def allowed(frame: gpd.GeoDataFrame | None, layer: str) -> gpd.GeoDataFrame:
    """Only the allow-listed columns of `layer` (missing ones as None) and the geometry, in WGS84.

    This is the gate: nothing outside ALLOWED_FIELDS is read by the builders below.
    """
    fields = list(ALLOWED_FIELDS[layer])
    if frame is None or len(frame) == 0:
        return gpd.GeoDataFrame({f: [] for f in fields}, geometry=[], crs=WGS84)
    geoms = frame.geometry
    if geoms.crs is not None and not geoms.crs.equals(WGS84):
        geoms = geoms.to_crs(WGS84)
    out = pd.DataFrame({f: frame[f] if f in frame.columns else pd.Series(None, index=frame.index, dtype=object)
                        for f in fields})
    return gpd.GeoDataFrame(out, geometry=geoms.rename("geometry"), crs=WGS84)


def _to_display(geoms: gpd.GeoSeries, basemap: str) -> gpd.GeoSeries:
    """WGS84 geometries as drawn on `basemap` (GCJ-02 for AMap tiles)."""
    return transform_geometry(geoms, wgs84_to_gcj02) if basemap == "amap" else geoms


def _display_xy(lon: np.ndarray, lat: np.ndarray, basemap: str) -> tuple[np.ndarray, np.ndarray]:
    if basemap == "amap":
        lon, lat = wgs84_to_gcj02(lon, lat)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _points(frame: gpd.GeoDataFrame, basemap: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions, lon, lat) of the drawable points of `frame` on `basemap`."""
    geoms = frame.geometry.to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    pts = geoms[ok]
    not_point = shapely.get_type_id(pts) != 0
    if not_point.any():  # a polygon or multipoint stands at a point inside it
        pts = pts.copy()
        pts[not_point] = shapely.point_on_surface(pts[not_point])
    lon, lat = _display_xy(shapely.get_x(pts), shapely.get_y(pts), basemap)
    return np.flatnonzero(ok), lon, lat


def _polygonal(geom: Any) -> Any:
    """The polygons of `geom` (collections crash st_folium), or None."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    polys = [p for g in parts for p in (g.geoms if g.geom_type == "MultiPolygon" else [g])]
    return shapely.MultiPolygon(polys) if polys else None


def _display_polygons(frame: gpd.GeoDataFrame, basemap: str) -> list[tuple[int, dict]]:
    """(position, GeoJSON geometry) for each polygon, shifted, simplified ~20 m, snapped to 1e-5."""
    geoms = gpd.GeoSeries([_polygonal(g) for g in frame.geometry], crs=WGS84)
    keep = ~geoms.isna().to_numpy()
    shown = _to_display(geoms[keep], basemap).to_numpy()
    shown = shapely.simplify(shown, SIMPLIFY_DEG, preserve_topology=True)
    shown = shapely.transform(shown, lambda c: np.round(c, 5))
    return [(int(i), shapely.geometry.mapping(g)) for i, g in zip(np.flatnonzero(keep), shown)
            if g is not None and not g.is_empty]


def _collection(items: list[tuple[int, dict]], tips: Sequence[str], styles: Sequence[int]) -> dict:
    """A FeatureCollection whose features hold only an escaped tooltip and a style index."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"tip": tips[i], "s": int(styles[i])}, "geometry": g}
        for i, g in items]}


def open_counts_by_community(issues: gpd.GeoDataFrame | None) -> dict[str, int]:
    """Open issues per community_id (the shading when the page passes no counts)."""
    if issues is None or len(issues) == 0 or not {"community_id", "stage"} <= set(issues.columns):
        return {}
    open_ = issues[issues["stage"].isin(OPEN_STAGES)]
    return {str(k): int(v) for k, v in open_["community_id"].dropna().value_counts().items()}


# ---------------------------------------------------------------------------- polygons


def _bins(top: int) -> list[tuple[int, int]]:
    """Count classes for the shading: 0, then 1..top in up to four equal integer steps."""
    if top <= 0:
        return [(0, 0)]
    step = math.ceil(top / 4)
    return [(0, 0)] + [(lo, min(lo + step - 1, top)) for lo in range(1, top + 1, step)]


def _bin_color(count: int, bins: list[tuple[int, int]]) -> str:
    for k, (_, hi) in enumerate(bins):
        if count <= hi:
            return OPEN_PALETTE[min(k, len(OPEN_PALETTE) - 1)]
    return OPEN_PALETTE[-1]


def _shapes(frame: gpd.GeoDataFrame, tips: Sequence[str], styles: Sequence[int],
            style_table: list[dict[str, Any]], basemap: str, *, name: str, interactive: bool = True,
            hover: dict[str, Any] | None = None, sticky: bool = True) -> YishiLayer:
    """A polygon layer: each feature carries its escaped tooltip and an index into `style_table`."""
    data = {"fc": _collection(_display_polygons(frame, basemap), tips, styles), "styles": style_table,
            "interactive": interactive, "hover": hover, "sticky": sticky}
    return YishiLayer("shapes", data, name=name)


def _community_layer(frame: gpd.GeoDataFrame, counts: Mapping[str, int], bins: list[tuple[int, int]],
                     lang: str, basemap: str) -> YishiLayer:
    sep = _w("colon", lang)
    ids = [str(c) for c in frame["community_id"]]
    open_n = [int(counts.get(c, 0)) for c in ids]
    tips = [f"<b>{_short(name)}</b><br>{_line(_w('open', lang) + sep, n)}"
            f"<br>{_line(COMMUNITIES.get('team_size').label(lang) + sep, size)}"
            for name, n, size in zip(frame["name"], open_n, frame["team_size"])]
    fills = [_bin_color(n, bins) for n in open_n]
    table = [{"color": "#37474f", "weight": 1.5, "fillOpacity": 0.45, "fillColor": c} for c in OPEN_PALETTE]
    styles = [OPEN_PALETTE.index(c) for c in fills]
    return _shapes(frame, tips, styles, table, basemap, name=COMMUNITIES.label(lang),
                   hover={"weight": 3, "fillOpacity": 0.6})


def _is_old(value: Any) -> bool:
    return value is True or value == 1


def _compound_layer(frame: gpd.GeoDataFrame, lang: str, basemap: str) -> YishiLayer:
    sep = _w("colon", lang)
    field = COMPOUNDS.get

    def tip(row: pd.Series) -> str:
        parts = [f"<b>{_short(row['name'])}</b>",
                 _line(field("households").label(lang) + sep, row["households"]),
                 _line(field("built_year").label(lang) + sep, row["built_year"]),
                 _line(field("property_management").label(lang) + sep,
                       PROPERTY_MANAGEMENT.label(str(row["property_management"]), lang)
                       if pd.notna(row["property_management"]) else "")]
        if _is_old(row["is_old_compound"]):
            parts.append(escape(_w("old", lang)))
        return "<br>".join(parts)

    tips = [tip(row) for _, row in frame.iterrows()]
    table = [{"color": "#546e7a", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 0.25},
             {"color": "#8d6e63", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 0.25,
              "dashArray": "4 3"}]
    styles = [int(_is_old(v)) for v in frame["is_old_compound"]]
    return _shapes(frame, tips, styles, table, basemap, name=COMPOUNDS.label(lang))


def _subdistrict_layer(frame: gpd.GeoDataFrame, lang: str, basemap: str) -> YishiLayer:
    tips = [_short(n) for n in frame["name"]]
    table = [{"color": "#b71c1c", "weight": 3, "fill": False, "dashArray": "8 5"}]
    return _shapes(frame, tips, [0] * len(frame), table, basemap, name=SUBDISTRICT.label(lang),
                   interactive=False)


# ---------------------------------------------------------------------------- venues


def venue_icon_html(kind: str, lang: str = "zh", size: int = 22) -> str:
    """A small shape + mark for a venue kind (fixed HTML, no data in it)."""
    color, shape, zh, en = VENUE_STYLE.get(kind, _UNKNOWN_VENUE)
    mark = zh if lang == "zh" else en
    width = int(size * 1.6) if shape == "pill" else size
    radius = {"circle": "50%", "pill": f"{size // 2}px", "square": "3px", "diamond": "3px"}[shape]
    turn = "transform:rotate(45deg);" if shape == "diamond" else ""
    unturn = "transform:rotate(-45deg);" if shape == "diamond" else ""
    box = (f"width:{width}px;height:{size}px;background:{color};border:2px solid #fff;"
           f"border-radius:{radius};box-shadow:0 1px 3px rgba(0,0,0,.5);{turn}"
           "display:flex;align-items:center;justify-content:center;box-sizing:border-box;")
    text = (f"color:#fff;font:bold {int(size * 0.55)}px/1 sans-serif;{unturn}")
    return f'<div style="{box}"><span style="{text}">{escape(mark)}</span></div>'


def _venue_layer(frame: gpd.GeoDataFrame, lang: str, basemap: str) -> YishiLayer:
    """Venue markers: one fixed icon per kind, an escaped tooltip per venue."""
    sep = _w("colon", lang)
    pos, lon, lat = _points(frame, basemap)
    haves = frame[list(FIVE_HAVES.codes)].fillna(False).astype(bool).sum(axis=1).to_numpy()
    kinds = [str(k) for k in frame["kind"]]
    known = sorted(set(kinds[i] for i in pos))
    size = 22
    icons = [[venue_icon_html(k, lang, size),
              int(size * 1.6) if VENUE_STYLE.get(k, _UNKNOWN_VENUE)[1] == "pill" else size, size]
             for k in known]
    points, tips = [], []
    for i, x, y in zip(pos, lon, lat):
        kind = kinds[i]
        points.append([round(float(y), 6), round(float(x), 6), known.index(kind)])
        tips.append(f"<b>{_short(frame['name'].iloc[i])}</b><br>"
                    f"{_line(VENUES.get('kind').label(lang) + sep, VENUE_KINDS.label(kind, lang))}<br>"
                    f"{_line(_w('five_haves', lang) + sep, f'{int(haves[i])}/5')}")
    return YishiLayer("venues", {"icons": icons, "pts": points, "tips": tips}, name=VENUES.label(lang))


# ---------------------------------------------------------------------------- issues


def _codes(values: pd.Series, known: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """(code list: known ones then any others found, index of each value in it)."""
    text = _as_text(values)
    codes = list(known) + sorted(set(text.unique()) - set(known))
    return codes, pd.Index(codes).get_indexer(text).astype(np.int64)


def _as_text(values: pd.Series) -> pd.Series:
    """Values as plain strings, missing ones as ""."""
    return values.astype(object).where(values.notna(), "").astype(str)


def issue_payload(issues: gpd.GeoDataFrame | None, *, community_names: Mapping[str, str],
                  lang: str = "zh", color_by: str = "stage", basemap: str = "osm",
                  max_titles: int = MAX_TITLES) -> dict[str, Any]:
    """The compact, escaped data `YishiMap.issues` draws (and the legend counts).

    Coordinates are integers in 1e-5 degrees, sorted by latitude; `dy` holds latitude steps
    from `y0`, `x` longitudes minus `x0`; `k` packs (community, category, stage) per issue.
    """
    frame = allowed(issues, "issues")
    pos, lon, lat = _points(frame, basemap)
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
    titles = None
    if len(frame) <= max_titles:
        raw = frame["title"].to_numpy()[order]
        titles = [_short(t) for t in raw]
    palette = STAGE_COLORS if color_by == "stage" else CATEGORY_COLORS
    keyed = stages if color_by == "stage" else cats
    sep = _w("colon", lang)
    return {
        "y0": y0, "x0": x0,
        "dy": np.diff(yi[order], prepend=y0).tolist(),
        "x": (xi[order] - x0).tolist(),
        "k": k.tolist(),
        "ns": len(stages), "nc": len(cats),
        "t": titles,
        "stages": [_short(STAGES.label(c, lang) if c else "—") for c in stages],
        "cats": [_short(CATEGORIES.label(c, lang) if c else "—") for c in cats],
        "comms": [_short(community_names[c]) for c in comm_ids] + [escape(_w("outside", lang))],
        "w": [escape(ISSUES.get("category").label(lang) + sep), escape(ISSUES.get("stage").label(lang) + sep),
              escape(COMMUNITIES.label(lang) + sep)],
        "byStage": color_by == "stage",
        "colors": [palette.get(c, GREY) for c in keyed],
        "counts": np.bincount(st if color_by == "stage" else ca, minlength=len(keyed)).tolist(),
    }


def _issue_layer(payload: dict[str, Any], *, name: str, cluster: bool, radius: int = 6) -> YishiLayer:
    """All issues as canvas CircleMarkers that yishi-map.js builds from `issue_payload` data."""
    data = {k: v for k, v in payload.items() if k != "counts"}
    data.update(cluster=cluster, radius=int(radius))
    return YishiLayer("issues", data, name=name, cluster=cluster)


# ---------------------------------------------------------------------------- legend, background


def _legend(html_text: str, position: str = "bottomright") -> MapControl:
    """A corner box showing `html_text` (built here from escaped labels)."""
    return MapControl("legend", {"html": html_text, "position": position})


def _background(color: str = "#eef1f4") -> MapControl:
    """A light background for the tile-less (intranet) basemap."""
    return MapControl("background", {"color": color})


def _swatch(color: str, round_: bool = True) -> str:
    radius = "50%" if round_ else "2px"
    return (f'<span style="display:inline-block;width:11px;height:11px;border-radius:{radius};'
            f'background:{color};border:1px solid #607d8b;margin-right:5px;vertical-align:-1px"></span>')


def _legend_html(payload: dict[str, Any], bins: list[tuple[int, int]], lang: str, color_by: str,
                 venue_kinds: Sequence[str], failed: Sequence[str] = ()) -> str:
    """Legend HTML; every label in it comes through `escape`."""
    def section(title: str, rows: list[str]) -> str:
        return (f'<details open><summary style="font-weight:bold;cursor:pointer">{escape(title)}'
                f'</summary>{"<br>".join(rows)}</details>')

    labels = payload["stages"] if color_by == "stage" else payload["cats"]
    field = ISSUES.get(color_by if color_by == "stage" else "category")
    issue_rows = [f"{_swatch(c)}{lab} ({n})" for c, lab, n in
                  zip(payload["colors"], labels, payload["counts"]) if n]
    parts = []
    if issue_rows:
        parts.append(section(f"{ISSUES.label(lang)} · {field.label(lang)}", issue_rows))
    kinds = [k for k in VENUE_KINDS.codes if k in venue_kinds] + sorted(set(venue_kinds) - set(VENUE_KINDS.codes))
    if kinds:
        rows = [f'<span style="display:inline-block;vertical-align:middle;margin:2px 5px 2px 0">'
                f'{venue_icon_html(k, lang, 16)}</span>{_short(VENUE_KINDS.label(k, lang))}' for k in kinds]
        parts.append(section(VENUES.label(lang), rows))
    rows = [f"{_swatch(OPEN_PALETTE[min(i, len(OPEN_PALETTE) - 1)], False)}"
            f"{lo if lo == hi else f'{lo}–{hi}'}" for i, (lo, hi) in enumerate(bins)]
    parts.append(section(f"{COMMUNITIES.label(lang)} · {_w('open', lang)}", rows))
    if failed:
        parts.append(f'<div style="color:#b71c1c;font-weight:bold">⚠ {escape(_w("failed", lang))}'
                     f'{escape("、".join(failed) if lang == "zh" else ", ".join(failed))}</div>')
    return "".join(parts)


# ---------------------------------------------------------------------------- the map


def _add_basemap(m: folium.Map, basemap: str, lang: str) -> None:
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name=_w("osm", lang), max_zoom=MAX_ZOOM).add_to(m)
    elif basemap == "amap":
        folium.TileLayer(tiles=AMAP_TILES, attr=_w("amap_attr", lang), name=_w("amap", lang),
                         subdomains="1234", max_native_zoom=18, max_zoom=MAX_ZOOM).add_to(m)
    else:
        _background().add_to(m)


def _bounds(focus: Bounds | None, layers: Sequence[gpd.GeoDataFrame], basemap: str) -> list[list[float]] | None:
    """[[south, west], [north, east]] on `basemap`: the focus box, else the first layer with shapes."""
    box: Sequence[float] | None = focus
    if box is None:
        for frame in layers:
            geoms = frame.geometry
            if len(frame) and not (geoms.isna() | geoms.is_empty).all():
                box = geoms.total_bounds
                break
    if box is None or not np.all(np.isfinite(box)):
        return None
    xs, ys = _display_xy(np.array([box[0], box[2]], float), np.array([box[1], box[3]], float), basemap)
    return [[float(ys[0]), float(xs[0])], [float(ys[1]), float(xs[1])]]


def _new_map() -> folium.Map:
    m = folium.Map(location=DEFAULT_CENTER, zoom_start=14, tiles=None, prefer_canvas=True,
                   control_scale=True)
    m.options["maxZoom"] = MAX_ZOOM  # clustering needs it when there is no tile layer
    return m


def _guarded(failed: list[str], label: str, make: Callable[[], Any]) -> Any:
    """What `make` returns, or None when it raises: one bad layer must not take the page down.

    The trace goes to the server log; `label` joins `failed`, which the legend and the page
    show as a notice.
    """
    try:
        return make()
    except Exception:
        log.exception("map layer %r left out: it could not be drawn", label)
        failed.append(label)
        return None


def _add(m: folium.Map, layer: Element | None) -> None:
    if layer is not None:
        layer.add_to(m)


def _check(value: str, choices: Sequence[str], what: str) -> None:
    if value not in choices:
        raise ValueError(f"unknown {what} {value!r}; choose one of: {', '.join(choices)}")


def build_map(*, subdistrict: gpd.GeoDataFrame | None, communities: gpd.GeoDataFrame | None,
              compounds: gpd.GeoDataFrame | None = None, venues: gpd.GeoDataFrame | None = None,
              issues: gpd.GeoDataFrame | None = None, lang: str = "zh", basemap: Basemap = "osm",
              color_by: ColorBy = "stage", open_counts: Mapping[str, int] | None = None,
              focus_bounds: Bounds | None = None, asset_base: str | None = None,
              cluster_above: int = CLUSTER_ABOVE, max_titles: int = MAX_TITLES) -> folium.Map:
    """The issue map: communities shaded by open issues, compounds, venues, issues, outline.

    Layers arrive in EPSG:4326 with the schema's column names; only ALLOWED_FIELDS are read.
    `focus_bounds` is (min lon, min lat, max lon, max lat) in WGS84; default the subdistrict.
    Scripts load from static/vendor (`asset_base`, default /app/static/vendor).
    """
    _check(basemap, BASEMAPS, "basemap")
    _check(color_by, COLOR_BY, "color_by")
    frames = {name: allowed(frame, name) for name, frame in (
        ("subdistrict", subdistrict), ("communities", communities), ("compounds", compounds),
        ("venues", venues), ("issues", issues))}
    comm = frames["communities"]
    names = {str(c): n for c, n in zip(comm["community_id"], comm["name"])}
    counts = {str(k): int(v) for k, v in (open_counts if open_counts is not None
                                          else open_counts_by_community(issues)).items()}
    bins = _bins(max((counts.get(c, 0) for c in names), default=0))

    m = _new_map()
    m.options["zoomSnap"] = 0.25  # fit the subdistrict snugly, not to the next whole zoom level
    _add_basemap(m, basemap, lang)
    failed: list[str] = []
    layers: list[tuple[str, Callable[[], YishiLayer | None]]] = [
        (COMMUNITIES.label(lang), lambda: _community_layer(comm, counts, bins, lang, basemap) if len(comm) else None),
        (COMPOUNDS.label(lang), lambda: _compound_layer(frames["compounds"], lang, basemap)
         if len(frames["compounds"]) else None),
        (SUBDISTRICT.label(lang), lambda: _subdistrict_layer(frames["subdistrict"], lang, basemap)
         if len(frames["subdistrict"]) else None),
    ]
    for label, make in layers:
        _add(m, _guarded(failed, label, make))
    payload = _guarded(failed, ISSUES.label(lang), lambda: issue_payload(
        frames["issues"], community_names=names, lang=lang, color_by=color_by, basemap=basemap,
        max_titles=max_titles)) or issue_payload(None, community_names=names, lang=lang, color_by=color_by)
    if payload["k"]:
        _add(m, _issue_layer(payload, name=ISSUES.label(lang), cluster=len(payload["k"]) > cluster_above))
    _add(m, _guarded(failed, VENUES.label(lang), lambda: _venue_layer(frames["venues"], lang, basemap)
                     if len(frames["venues"]) else None))
    kinds = sorted({str(k) for k in frames["venues"]["kind"]})
    _legend(_legend_html(payload, bins, lang, color_by, kinds, failed)).add_to(m)
    m.failed_layers = failed
    Fullscreen(position="topleft", title=_w("fullscreen", lang),
               title_cancel=_w("exit_fullscreen", lang)).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    bounds = _bounds(focus_bounds, [frames["subdistrict"], comm, frames["issues"]], basemap)
    if bounds:
        m.fit_bounds(bounds)
    return localize(m, base=asset_base)


# ---------------------------------------------------------------------------- clicks


def issue_at(issues: gpd.GeoDataFrame | None, lat: float, lng: float, *, basemap: Basemap = "osm",
             tolerance_m: float = 3.0) -> str | None:
    """The issue_id drawn at (lat, lng) on `basemap`, if one lies within `tolerance_m`.

    A click on an issue reports the marker's position (rounded to 1e-5 degrees, ~1 m), so a
    few metres suffice; a click elsewhere matches nothing. Ties go to the first issue.
    """
    if issues is None or len(issues) == 0 or lat is None or lng is None:
        return None
    pos, lon, la = _points(allowed(issues, "issues"), basemap)
    if len(pos) == 0:
        return None
    dx = (lon - float(lng)) * 111_320.0 * math.cos(math.radians(float(lat)))
    dy = (la - float(lat)) * 110_574.0
    dist2 = dx * dx + dy * dy
    best = int(np.argmin(dist2))
    if dist2[best] > tolerance_m ** 2:
        return None
    return str(issues["issue_id"].iloc[pos[best]])


def clicked_issue_id(returned: Mapping[str, Any] | None, issues: gpd.GeoDataFrame | None, *,
                     basemap: Basemap = "osm") -> str | None:
    """The issue clicked on the map, from st_folium's answer (ask for RETURNED_OBJECTS)."""
    point = (returned or {}).get("last_object_clicked")
    if not isinstance(point, Mapping):
        return None
    return issue_at(issues, point.get("lat"), point.get("lng"), basemap=basemap)


# ---------------------------------------------------------------------------- upload preview

PREVIEW_COLORS: dict[str, str] = {"new": "#2e7d32", "updated": "#ef6c00", "unchanged": GREY}
_PREVIEW_WORDS: dict[str, tuple[str, str]] = {
    "new": ("新增", "New"), "updated": ("更新", "Updated"), "unchanged": ("不变", "Unchanged")}
#: The preview draws at most this many features (the counts above it cover all of them).
PREVIEW_LIMIT = 5000


def preview_map(frame: gpd.GeoDataFrame, *, statuses: Sequence[str], label_field: str,
                outline: gpd.GeoDataFrame | None = None, lang: str = "zh") -> folium.Map:
    """The valid features of an upload coloured by what importing would do (new/updated/unchanged).

    Only `label_field` reaches the page, escaped, with the status word; nothing else of the file.
    """
    shown = frame.iloc[:PREVIEW_LIMIT]
    words = {k: (zh if lang == "zh" else en) for k, (zh, en) in _PREVIEW_WORDS.items()}
    labels = shown[label_field] if label_field in shown.columns else pd.Series("", index=shown.index)
    tips = [f"<b>{_short(label)}</b><br>{escape(words.get(s, s))}" for label, s in zip(labels, statuses)]
    order = list(PREVIEW_COLORS)
    styles = [order.index(s) if s in PREVIEW_COLORS else len(order) for s in statuses[:len(shown)]]
    table = [{"color": c, "fillColor": c, "weight": 2, "fillOpacity": 0.5}
             for c in (*PREVIEW_COLORS.values(), GREY)]
    m = _new_map()
    _background().add_to(m)
    if outline is not None and len(outline):
        _subdistrict_layer(allowed(outline, "subdistrict"), lang, "none").add_to(m)
    plain = gpd.GeoDataFrame(geometry=shown.geometry.reset_index(drop=True), crs=WGS84)
    is_point = plain.geometry.geom_type.eq("Point").to_numpy()
    point_pos, poly_pos = np.flatnonzero(is_point), np.flatnonzero(~is_point)
    snapped = shapely.transform(plain.geometry.to_numpy()[is_point], lambda c: np.round(c, 6))
    items = [(int(i), shapely.geometry.mapping(g)) for i, g in zip(point_pos, snapped)]
    items += [(int(poly_pos[i]), g) for i, g in _display_polygons(plain[~is_point], "none")]
    data = {"fc": _collection(sorted(items), tips, styles), "styles": table, "interactive": True,
            "hover": None, "sticky": False, "radius": 6}
    YishiLayer("shapes", data, name=_w("preview", lang)).add_to(m)
    _legend("".join(f"<div>{_swatch(PREVIEW_COLORS[k])} {escape(words[k])}</div>"
                    for k in PREVIEW_COLORS)).add_to(m)
    if len(shown):
        minx, miny, maxx, maxy = shown.total_bounds
        m.fit_bounds([[miny, minx], [maxy, maxx]])
    return localize(m)
