"""Serve folium's scripts and styles from our own static/vendor/ instead of public CDNs.

Why: folium's Map and plugins load Leaflet, jQuery, Bootstrap, Font Awesome and the plugin
scripts from jsdelivr, cdnjs, code.jquery.com and netdna. On a government intranet (or a
mainland-China network where those CDNs are blocked or slow) "leaflet.js" never arrives and
the map is blank. `make assets` installs the pinned npm packages and copies them into
static/vendor/ (scripts/vendor_assets.py); Streamlit serves static/ at /app/static/, and the
st_folium iframe is same-origin, so /app/static/vendor/... resolves inside it.

`localize(m)` rewrites the `default_js` / `default_css` of the map and of every element in
it, so the page holds no CDN link at all. Call it after the last element is added.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import folium
from branca.colormap import ColorMap
from branca.element import CssLink, Element, JavascriptLink

#: Where Streamlit serves static/vendor/ (with no server.baseUrlPath).
VENDOR_URL = "/app/static/vendor"

#: folium's CDN URL -> file under static/vendor/ (see scripts/vendor_assets.py MANIFEST),
#: or None for a file we deliberately leave out because nothing we draw uses it.
CDN_TO_VENDOR: dict[str, str | None] = {
    # folium.Map
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js":
        "bootstrap/bootstrap.bundle.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js":
        "awesome-markers/leaflet.awesome-markers.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css":
        "awesome-markers/leaflet.awesome-markers.css",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css":
        "fontawesome/css/all.min.css",
    # Bootstrap 3 glyphicons (only for Icon(prefix="glyphicon")) and the rotation helper for
    # Icon(angle=...): neither is used; dropped rather than left pointing at a CDN.
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": None,
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css":
        None,
    # folium.plugins.MarkerCluster / FastMarkerCluster (folium asks for 1.1.0; 1.5.3 is vendored)
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js":
        "markercluster/leaflet.markercluster.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css":
        "markercluster/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css":
        "markercluster/MarkerCluster.Default.css",
    # folium.plugins.Fullscreen (jsdelivr minifies on the fly; npm ships the plain file)
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js":
        "fullscreen/Control.FullScreen.js",
    "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css":
        "fullscreen/Control.FullScreen.css",
}

#: Our own elements ask for these (vendored files, named without a CDN). yishi-map.js is
#: ours (ui/js/), copied into static/vendor/ by scripts/vendor_assets.py.
YISHI_JS = [("yishimapjs", "yishi/yishi-map.js")]
MARKERCLUSTER_JS = [("markerclusterjs", "markercluster/leaflet.markercluster.js")]
MARKERCLUSTER_CSS = [
    ("markerclustercss", "markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", "markercluster/MarkerCluster.Default.css"),
]

#: What folium.Map asks for on behalf of folium.Icon (awesome-markers draws Font Awesome and
#: Bootstrap glyphicon marks; jQuery and Bootstrap's script come along): by name in the Map's
#: default_js / default_css. A map with no Icon loads none of them (our venue icons are plain
#: HTML, ui.maps.style), which spares the page four scripts and styles loaded one after another.
ICON_ONLY = frozenset({"jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
                       "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css"})

Unknown = Literal["raise", "drop"]


class UnvendoredAssetError(ValueError):
    """A map element asks for a remote script or style that static/vendor/ does not hold."""


def vendor_url() -> str:
    """Base URL of static/vendor/, honouring Streamlit's server.baseUrlPath behind a proxy."""
    try:
        from streamlit import config

        prefix = str(config.get_option("server.baseUrlPath") or "").strip("/")
    except Exception:  # streamlit missing or not configured: the plain default
        prefix = ""
    return f"/{prefix}{VENDOR_URL}" if prefix else VENDOR_URL


def _is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def local_url(url: str, base: str = VENDOR_URL) -> str | None:
    """The vendored URL for a folium asset URL (None: drop it); relative paths join `base`."""
    if url in CDN_TO_VENDOR:
        target = CDN_TO_VENDOR[url]
        return None if target is None else f"{base.rstrip('/')}/{target}"
    if _is_remote(url):
        raise UnvendoredAssetError(url)
    if url.startswith("/"):
        return url
    return f"{base.rstrip('/')}/{url}"


def walk(element: Element) -> Iterator[Element]:
    """`element` and everything under it, depth first."""
    yield element
    for child in list(element._children.values()):
        yield from walk(child)


def _rewrite(links: list[tuple[str, str]], base: str, missing: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, url in links:
        try:
            new = local_url(url, base)
        except UnvendoredAssetError:
            missing.append(url)
            continue
        if new is not None:
            out.append((name, new))
    return out


def localize(m: folium.Map, *, base: str | None = None, unknown: Unknown = "raise") -> folium.Map:
    """Point every script and style of `m` at static/vendor/; returns `m`.

    An element whose asset is not vendored raises UnvendoredAssetError (unknown="raise"),
    because dropping a plugin's script silently breaks the whole map script; with
    unknown="drop" the link is removed instead. jQuery, Bootstrap, awesome-markers and Font
    Awesome stay out unless the map holds a folium.Icon (`ICON_ONLY`). A branca ColorMap is refused: branca adds d3
    from a CDN when it renders and streamlit-folium adds two more for any ColorMap.
    """
    base = vendor_url() if base is None else base
    missing: list[str] = []
    elements = [*walk(m), *walk(m.get_root().header)]
    if not any(isinstance(element, folium.Icon) for element in elements):
        for element in elements:
            if isinstance(element, folium.Map):
                element.default_js = [(n, u) for n, u in element.default_js if n not in ICON_ONLY]
                element.default_css = [(n, u) for n, u in element.default_css if n not in ICON_ONLY]
    for element in elements:
        if isinstance(element, ColorMap):
            raise UnvendoredAssetError(
                "branca ColorMap pulls d3 from a CDN; draw the legend with ui.maps.legend instead")
        if isinstance(element, (JavascriptLink, CssLink)) and _is_remote(element.url):
            new = local_url(element.url, base) if element.url in CDN_TO_VENDOR else None
            if new is None and element.url not in CDN_TO_VENDOR:
                missing.append(element.url)
            element.url = new or ""
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if links:
                setattr(element, attr, _rewrite(list(links), base, missing))
    if missing and unknown == "raise":
        raise UnvendoredAssetError("not vendored (add to package.json and scripts/vendor_assets.py): "
                                   + ", ".join(sorted(set(missing))))
    _drop_empty_links(m)
    return m


def _drop_empty_links(m: folium.Map) -> None:
    """Remove header links blanked by localize (a <script src=""> would reload the page)."""
    header = m.get_root().header
    for key, child in list(header._children.items()):
        if isinstance(child, (JavascriptLink, CssLink)) and not child.url:
            del header._children[key]
