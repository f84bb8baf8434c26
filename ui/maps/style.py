"""How the map looks: colours, the open-issue shading classes, swatches and venue icons.

Everything here is our own constant markup; the only text in it (venue marks) comes from the
word catalogue and goes through `escape` all the same.
"""

from __future__ import annotations

import math

from ui.i18n import has_text, t
from ui.maps.payload import escape

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
#: What importing a feature would do -> its colour in the upload preview.
PREVIEW_COLORS: dict[str, str] = {"new": "#2e7d32", "updated": "#ef6c00", "unchanged": GREY}

#: Venue kinds: (colour, CSS shape); shape and colour tell them apart, the mark is the
#: catalogue's "map_mark_<kind>".
VENUE_STYLE: dict[str, tuple[str, str]] = {
    "room": ("#1565c0", "square"),
    "pavilion": ("#2e7d32", "circle"),
    "corner": ("#e65100", "diamond"),
    "corridor": ("#6a1b9a", "pill"),
}
_UNKNOWN_VENUE = (GREY, "circle")
#: Size in pixels of a venue icon on the map.
VENUE_ICON_PX = 22


def bins(top: int) -> list[tuple[int, int]]:
    """Count classes for the shading: 0, then 1..top in up to four equal integer steps."""
    if top <= 0:
        return [(0, 0)]
    step = math.ceil(top / 4)
    return [(0, 0)] + [(lo, min(lo + step - 1, top)) for lo in range(1, top + 1, step)]


def bin_color(count: int, classes: list[tuple[int, int]]) -> str:
    """The shade of a community with `count` open issues."""
    for k, (_, hi) in enumerate(classes):
        if count <= hi:
            return OPEN_PALETTE[min(k, len(OPEN_PALETTE) - 1)]
    return OPEN_PALETTE[-1]


def swatch(color: str, round_: bool = True) -> str:
    """A small coloured dot (or square) for a legend row."""
    radius = "50%" if round_ else "2px"
    return (f'<span style="display:inline-block;width:11px;height:11px;border-radius:{radius};'
            f'background:{color};border:1px solid #607d8b;margin-right:5px;vertical-align:-1px"></span>')


def venue_icon_size(kind: str, size: int = VENUE_ICON_PX) -> tuple[int, int]:
    """(width, height) in pixels of the icon of `kind` (a pill is wider)."""
    shape = VENUE_STYLE.get(kind, _UNKNOWN_VENUE)[1]
    return (int(size * 1.6) if shape == "pill" else size), size


def venue_icon_html(kind: str, lang: str = "zh", size: int = VENUE_ICON_PX) -> str:
    """A small shape + mark for a venue kind (fixed HTML, no data in it)."""
    color, shape = VENUE_STYLE.get(kind, _UNKNOWN_VENUE)
    key = f"map_mark_{kind}"
    mark = t(key, lang) if kind in VENUE_STYLE and has_text(key) else "?"
    width, _ = venue_icon_size(kind, size)
    radius = {"circle": "50%", "pill": f"{size // 2}px", "square": "3px", "diamond": "3px"}[shape]
    turn = "transform:rotate(45deg);" if shape == "diamond" else ""
    unturn = "transform:rotate(-45deg);" if shape == "diamond" else ""
    box = (f"width:{width}px;height:{size}px;background:{color};border:2px solid #fff;"
           f"border-radius:{radius};box-shadow:0 1px 3px rgba(0,0,0,.5);{turn}"
           "display:flex;align-items:center;justify-content:center;box-sizing:border-box;")
    text = (f"color:#fff;font:bold {int(size * 0.55)}px/1 sans-serif;{unturn}")
    return f'<div style="{box}"><span style="{text}">{escape(mark)}</span></div>'
