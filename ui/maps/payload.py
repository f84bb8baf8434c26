"""What of the stored data may reach the map page, and how it is written there.

Only ALLOWED_FIELDS of each layer are read (`allowed` is the gate; no private field is ever
listed), every string is HTML-escaped with its invisible direction and zero-width characters
removed (`escape`), stored text is cut to TIP_CHARS and isolated in a <bdi> (`short`), so a
right-to-left run cannot reorder the words around it, and the payload of a layer is written by
`js_json`, which no HTML or template parser can break out of.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.schema import FIVE_HAVES, LAYERS, WGS84
from geo.text import strip_invisible

#: The only fields of each layer that may reach the page (display or lookup).
ALLOWED_FIELDS: dict[str, tuple[str, ...]] = {
    "subdistrict": ("name",),
    "communities": ("community_id", "name", "team_size"),
    "compounds": ("name", "households", "built_year", "is_old_compound", "property_management"),
    "venues": ("name", "kind", *FIVE_HAVES.codes),
    "issues": ("title", "category", "stage", "community_id"),
}
assert not any(set(fields) & set(LAYERS[name].private_fields) for name, fields in ALLOWED_FIELDS.items())

#: Stored text in a tooltip (titles, names, values) is cut to this many characters.
TIP_CHARS = 40

_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def escape(value: Any) -> str:
    """`value` as inert HTML text, also safe inside a JS template literal or a JSON string.

    html.escape covers tags and quotes; backticks, `$` (so no `${`) and backslashes are
    turned into entities too, because folium puts Tooltip text in a template literal.
    Direction-control and zero-width characters are removed (`geo.text`), also from text
    stored before uploads removed them. Missing values give "".
    """
    if value is None or (not isinstance(value, (str, bytes, list, tuple, dict)) and pd.isna(value)):
        return ""
    text = html.escape(strip_invisible(str(value)), quote=True)
    return (text.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")
            .replace("\u2028", "&#8232;").replace("\u2029", "&#8233;").replace("\x00", ""))


def js_json(obj: Any) -> str:
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


def truncate(text: Any, limit: int) -> Any:
    """`text` cut to `limit` characters with an ellipsis (non-strings as they are)."""
    if isinstance(text, str) and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def short(value: Any) -> str:
    """Stored text as a tooltip shows it: cut to TIP_CHARS, escaped, isolated (<bdi>)."""
    if isinstance(value, str):
        value = strip_invisible(value)  # before the cut: the tooltip keeps TIP_CHARS one can see
    return f"<bdi>{escape(truncate(value, TIP_CHARS))}</bdi>"


def line(label: str, value: Any) -> str:
    """'label：value' with both escaped, the value cut short (`label` ends with its colon)."""
    return f"{escape(label)}{short(value)}"


def allowed(frame: gpd.GeoDataFrame | None, layer: str) -> gpd.GeoDataFrame:
    """Only the allow-listed columns of `layer` (missing ones as None) and the geometry, in WGS84.

    This is the gate: nothing outside ALLOWED_FIELDS is read by the map builders.
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
