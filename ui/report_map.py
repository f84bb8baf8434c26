"""A map that prints: the issues over the community outlines as one SVG drawn from the geometries.

The live map is Leaflet in an iframe over web tiles, which a printer does not reliably get; this
one is plain vector graphics (no tiles, no script), shown as an image, so it prints at any size
and lands in a saved PDF. Colours are the live map's (`ui.maps.style`), keyed by stage code; an
overdue issue gets a thick black ring. Stored names are XML-escaped: inside an <img> nothing in
an SVG runs, and the escape keeps a name from breaking the drawing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date
from xml.sax.saxutils import escape

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo import stats
from geo.crs import distance_m
from geo.schema import STAGES
from geo.text import strip_invisible
from ui.i18n import enum_label, t
from ui.maps.style import GREY, STAGE_COLORS

#: Drawing width in SVG units (the image scales to the page).
WIDTH = 1000
#: Space around the drawn area, as a share of its size.
PAD = 0.04
#: Tallest and flattest drawn area, height over width: a tall community is widened (its neighbours
#: show as context) so the map fits on a printed page beside its legend.
ASPECT, ASPECT_MIN = 0.85, 0.45
#: Height of one legend row, in SVG units.
LEGEND_ROW = 26
_NICE_METRES = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000)
#: Characters XML does not allow: one of them in a stored name would break the whole drawing.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(value: object) -> str:
    """Stored or catalogue text as SVG text content: escaped, invisible and non-XML characters out."""
    return escape(_NOT_XML.sub("", strip_invisible(str(value))))


class _Frame:
    """Longitude/latitude to SVG units: equirectangular around the middle latitude (a few km
    across, the distortion is far below a printed line's width), north up."""

    def __init__(self, bounds: tuple[float, float, float, float], width: float = WIDTH):
        minx, miny, maxx, maxy = bounds
        self.kx = math.cos(math.radians((miny + maxy) / 2))
        dx, dy = max(maxx - minx, 1e-6), max(maxy - miny, 1e-6)
        dx, dy = max(dx, dy / ASPECT / self.kx), max(dy, dx * self.kx * ASPECT_MIN)  # fits a page
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        minx, maxx = cx - dx * (0.5 + PAD), cx + dx * (0.5 + PAD)
        miny, maxy = cy - dy * (0.5 + PAD), cy + dy * (0.5 + PAD)
        self.minx, self.maxy = minx, maxy
        self.scale = width / ((maxx - minx) * self.kx)
        self.width, self.height = width, (maxy - miny) * self.scale
        self.bounds = (minx, miny, maxx, maxy)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.minx) * self.kx * self.scale, (self.maxy - lat) * self.scale


def _ring(frame: _Frame, coords: Iterable[tuple[float, ...]]) -> str:
    points = [frame.xy(c[0], c[1]) for c in coords]
    return "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points) + "Z"


def _path(frame: _Frame, geom: BaseGeometry | None) -> str:
    """SVG path data of a polygon or multipolygon (holes kept with even-odd filling)."""
    if geom is None or geom.is_empty:
        return ""
    polygons = getattr(geom, "geoms", [geom])
    return "".join(_ring(frame, p.exterior.coords) + "".join(_ring(frame, i.coords) for i in p.interiors)
                   for p in polygons if p.geom_type == "Polygon")


def _scale_bar(frame: _Frame, y: float) -> str:
    """A bar of a round length near a fifth of the width, measured in metres (pyproj)."""
    minx, miny, maxx, maxy = frame.bounds
    lat = (miny + maxy) / 2
    across = float(distance_m(minx, lat, maxx, lat))
    metres = max((m for m in _NICE_METRES if m <= across / 5), default=_NICE_METRES[0])
    length = frame.width * metres / across
    label = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres} m"
    return (f'<g font-size="16" fill="#212121"><rect x="20" y="{y:.1f}" width="{length:.1f}" height="6" '
            f'fill="#212121"/><text x="{28 + length:.1f}" y="{y + 7:.1f}">{label}</text></g>')


def _issue_marks(frame: _Frame, issues: gpd.GeoDataFrame, late: pd.Series) -> list[str]:
    """Closed and done first, open above them, overdue (`late`) on top with its ring."""
    order = pd.Series(stats.is_open(issues).astype(int) + late.astype(int), index=issues.index)
    marks: list[str] = []
    for index in order.sort_values(kind="stable").index:
        point = issues.geometry.loc[index]
        if point is None or point.is_empty or point.geom_type != "Point":
            continue
        x, y = frame.xy(point.x, point.y)
        if late.loc[index]:
            marks.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="11" fill="none" stroke="#000" stroke-width="3.5"/>')
        color = STAGE_COLORS.get(issues.at[index, "stage"], GREY)
        marks.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6.5" fill="{color}" stroke="#fff" stroke-width="1.5"/>')
    return marks


def _legend(issues: pd.DataFrame, late: pd.Series, lang: str, top: float) -> tuple[str, float]:
    """Stage colours with counts (stages that occur), then the overdue ring; returns the markup
    and its height."""
    counts = issues["stage"].value_counts()
    entries = [(STAGE_COLORS.get(c, GREY), f"{enum_label(STAGES, c, lang)} ({int(counts[c])})")
               for c in STAGES.codes if c in counts]
    per_row = 4
    parts = []
    for i, (color, label) in enumerate(entries):
        x, y = 20 + (i % per_row) * (WIDTH - 40) / per_row, top + (i // per_row) * LEGEND_ROW
        parts.append(f'<circle cx="{x + 8:.1f}" cy="{y:.1f}" r="7" fill="{color}" stroke="#fff"/>'
                     f'<text x="{x + 22:.1f}" y="{y + 6:.1f}">{_xml(label)}</text>')
    rows = math.ceil(len(entries) / per_row)
    y = top + rows * LEGEND_ROW
    parts.append(f'<circle cx="28" cy="{y:.1f}" r="9" fill="none" stroke="#000" stroke-width="3.5"/>'
                 f'<text x="42" y="{y + 6:.1f}">{_xml(t("rp_overdue_ring", lang))} ({int(late.sum())})</text>')
    return f'<g font-size="17" fill="#212121">{"".join(parts)}</g>', (rows + 1) * LEGEND_ROW


def svg_map(*, subdistrict: gpd.GeoDataFrame, communities: gpd.GeoDataFrame, issues: gpd.GeoDataFrame,
            today: date, lang: str, focus: str | None = None) -> str:
    """The issues over the community outlines as SVG text; `focus` (a community id) zooms to
    that community and shades it, the others stay as context."""
    chosen = communities[communities["community_id"] == focus] if focus else communities
    outline = chosen if not chosen.empty else (subdistrict if not subdistrict.empty else communities)
    frame = _Frame(tuple(float(v) for v in outline.total_bounds))
    parts = [f'<rect width="{WIDTH}" height="{frame.height:.1f}" fill="#f5f7f9"/>']
    for _, row in communities.iterrows():
        fill = "#fff3c4" if row["community_id"] == focus else "#e3e9ee"
        parts.append(f'<path d="{_path(frame, row.geometry)}" fill="{fill}" fill-rule="evenodd" '
                     f'stroke="#546e7a" stroke-width="1.2"/>')
    for geom in subdistrict.geometry:
        parts.append(f'<path d="{_path(frame, geom)}" fill="none" stroke="#b71c1c" stroke-width="3" '
                     f'stroke-dasharray="10 6"/>')
    late = stats.is_overdue(issues, today)  # one pass: the rings and the legend's count
    parts += _issue_marks(frame, issues, late)
    labels = []
    for _, row in communities.iterrows():
        if row.geometry is None or row.geometry.is_empty:
            continue
        spot = row.geometry.representative_point()
        x, y = frame.xy(spot.x, spot.y)
        if 0 <= x <= WIDTH and 0 <= y <= frame.height:
            labels.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle">{_xml(row["name"])}</text>')
    parts.append('<g font-size="17" font-weight="bold" fill="#263238" stroke="#fff" stroke-width="4" '
                 f'paint-order="stroke">{"".join(labels)}</g>')
    parts.append(_scale_bar(frame, frame.height - 24))
    legend, legend_height = _legend(issues, late, lang, frame.height + LEGEND_ROW)
    height = frame.height + legend_height + LEGEND_ROW
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
            f'width="{WIDTH}" height="{height:.0f}" font-family="sans-serif">'
            f'<title>{_xml(t("rp_map_alt", lang))}</title>'
            f'<clipPath id="area"><rect width="{WIDTH}" height="{frame.height:.1f}"/></clipPath>'
            f'<rect width="{WIDTH}" height="{height:.0f}" fill="#fff"/>'
            f'<g clip-path="url(#area)">{"".join(parts)}</g>{legend}</svg>')
