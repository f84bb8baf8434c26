"""folium maps for the pages: stored text reaches the page only as escaped JSON data.

Why this package is careful: branca renders every element's macro and then parses the output
again as a Jinja template, and folium writes every GeoJSON property into the page, places
Tooltip text in a JavaScript template literal and GeoJsonTooltip values into innerHTML. So no
stored text goes to a folium element. Every layer that carries data is a `YishiLayer` (or a
`MapControl`): a fixed one-line call into ui/js/yishi-map.js (served from static/vendor like
Leaflet) with one JSON payload, rendered by `Inert`, which never re-parses its output.

The rooms, in the order they depend on each other:

- assets: folium's scripts and styles pointed at static/vendor/ instead of public CDNs
- payload: the allow-list of fields, escaping, the JSON writer
- elements: Verbatim, Inert, YishiLayer, MapControl
- style: colours, shading classes, swatches, venue icons
- display: positions and polygons as drawn on a basemap (GCJ-02 for AMap)
- layers: the data layers (communities, compounds, outline, venues, issues)
- legend: the corner box
- base: `build_map`, the issue map itself (basemaps, offline background, failed layers)
- preview: `preview_map`, the upload preview
- clicks: `clicked_issue_id`, which issue a click meant
- viewport: a big view's map (more than EMBED_MAX issues): counts per community, and the
  issues in view fetched at street zoom from /api/map/issues (web.map_api); `issue_near`
  finds a click on one in the store
- widget: `show_map`, the map on a page (imported from ui.maps.widget: it loads the
  streamlit-folium component, which the builders, tests and benches do not need)
- card: the clicked issue's card and table rows that open an issue (imported from
  ui.maps.card: it loads Streamlit and the issue page's helpers)

On a phone the map fills a shorter frame (ui/styles/phone.css), one finger scrolls the page
and two move the map, and the legend starts folded (`YishiMap.phone`, `YishiMap.legend`).
Issues are drawn in their own pane above the venue icons, so a click on an issue hits it;
overdue issues (with `today`) carry a red ring, listed in the legend.

Map words come from the catalogue (geo/words/maps.py) through `ui.i18n.t`.
"""

from ui.maps.base import BASEMAPS, COLOR_BY, build_map
from ui.maps.clicks import RETURNED_OBJECTS, clicked_issue_id, issue_at, issue_near
from ui.maps.elements import Inert, MapControl, Verbatim, YishiLayer
from ui.maps.layers import issue_payload, open_counts_by_community
from ui.maps.payload import ALLOWED_FIELDS, TIP_CHARS, allowed, escape, truncate
from ui.maps.preview import preview_map
from ui.maps.style import CATEGORY_COLORS, OPEN_PALETTE, STAGE_COLORS, bins, venue_icon_html

__all__ = [
    "ALLOWED_FIELDS", "BASEMAPS", "CATEGORY_COLORS", "COLOR_BY", "OPEN_PALETTE", "RETURNED_OBJECTS",
    "STAGE_COLORS", "TIP_CHARS", "Inert", "MapControl", "Verbatim", "YishiLayer", "allowed", "bins",
    "build_map", "clicked_issue_id", "escape", "issue_at", "issue_near", "issue_payload", "open_counts_by_community",
    "preview_map", "truncate", "venue_icon_html",
]
