"""ui.maps (and its assets): nothing executable or private reaches the page, no CDN, offline-ready."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
from branca.colormap import ColorMap, LinearColormap
from shapely.geometry import Point, box

from geo.schema import FIVE_HAVES, LAYERS, VENUE_KINDS
from ui import maps
from ui.maps import assets

ROOT = Path(__file__).resolve().parent.parent
EVIL = "<img src=x onerror=alert(1)> ${alert(1)} `tick` </script><script>alert(2)</script> \\"
PHONE = "13912345678"
REPORTER = "王秘密反映人"
CDN_HOSTS = ("cdn.jsdelivr", "cdnjs", "code.jquery.com", "netdna", "bootstrapcdn", "unpkg.com",
             "d3js.org", "github.io", "googleapis")
X0, Y0 = 115.600, 34.420  # Pingyuan, Shangqiu


def _layers(*, evil: bool, n_issues: int = 6) -> dict[str, gpd.GeoDataFrame]:
    """One of every layer near Shangqiu; with evil=True every text field holds EVIL."""
    t = lambda clean: EVIL if evil else clean  # noqa: E731
    sub = gpd.GeoDataFrame({"name": [t("平原街道")]}, geometry=[box(X0, Y0, X0 + 0.04, Y0 + 0.03)], crs=4326)
    communities = gpd.GeoDataFrame(
        {"community_id": ["C1", "C2"], "name": [t("福逯社区"), t("西城社区")], "team_size": [12, 10]},
        geometry=[box(X0, Y0, X0 + 0.02, Y0 + 0.03), box(X0 + 0.02, Y0, X0 + 0.04, Y0 + 0.03)], crs=4326)
    compounds = gpd.GeoDataFrame(
        {"compound_id": ["K1"], "name": [t("烟厂家属院")], "households": [300], "built_year": [1988],
         "is_old_compound": [True], "property_management": [t("none")]},
        geometry=[box(X0 + 0.005, Y0 + 0.005, X0 + 0.008, Y0 + 0.008)], crs=4326)
    kinds = list(VENUE_KINDS.codes)
    venues = gpd.GeoDataFrame(
        {"venue_id": [f"V{i}" for i in range(4)], "name": [t(f"议事点{i}") for i in range(4)],
         "kind": kinds, **{c: [True, False, True, True] for c in FIVE_HAVES.codes},
         "opened_on": ["2021-05-01"] * 4},
        geometry=[Point(X0 + 0.005 * (i + 1), Y0 + 0.01) for i in range(4)], crs=4326)
    issues = gpd.GeoDataFrame(
        {"issue_id": [f"I{i}" for i in range(n_issues)],
         "title": [t(f"福荣街停车难{i}") for i in range(n_issues)],
         "description": [t("描述")] * n_issues, "category": ["parking"] * (n_issues - 1) + [t("parking")],
         "focus": ["livelihood"] * n_issues, "stage": ["meeting"] * (n_issues - 1) + [t("done")],
         "method": [t("meeting")] * n_issues, "responsible_unit": [t("城管")] * n_issues,
         "responsible_person": [t("李四")] * n_issues, "result_public": [t("已公示")] * n_issues,
         "stakeholders": [t("居民")] * n_issues, "consensus_text": [t("共识")] * n_issues,
         "reporter_name": [REPORTER] * n_issues, "reporter_phone": [PHONE] * n_issues,
         "community_id": ["C1"] * (n_issues - 1) + [t("C9")], "compound_id": [None] * n_issues,
         "venue_id": ["V0"] * n_issues, "venue_distance_m": [12.5] * n_issues,
         "member_ids": [["M1", "M2"]] + [None] * (n_issues - 1), "unassigned": [False] * n_issues},
        geometry=[Point(X0 + 0.001 + 0.003 * i, Y0 + 0.002 + 0.002 * i) for i in range(n_issues)], crs=4326)
    return {"subdistrict": sub, "communities": communities, "compounds": compounds, "venues": venues,
            "issues": issues}


def _render(**kw) -> str:
    return maps.build_map(**kw).get_root().render()


def _drawn(m: folium.Map, builder: str) -> list[dict]:
    """The data payloads of the map's layers drawn by YishiMap.<builder>."""
    return [e.data for e in assets.walk(m) if isinstance(e, (maps.YishiLayer, maps.MapControl))
            and e.builder == builder]


@pytest.fixture(scope="module")
def evil_pages() -> dict[tuple[str, str, str], tuple[str, str]]:
    """(evil html, clean html) per (basemap, color_by, lang)."""
    out = {}
    for basemap in maps.BASEMAPS:
        for color_by in maps.COLOR_BY:
            for lang in ("zh", "en"):
                kw = dict(basemap=basemap, color_by=color_by, lang=lang)
                out[basemap, color_by, lang] = (_render(**_layers(evil=True), **kw),
                                                _render(**_layers(evil=False), **kw))
    return out


# ---------------------------------------------------------------------------- escaping & privacy


def test_escape_neutralises_html_and_js_template_syntax():
    out = maps.escape(EVIL)
    for bad in ("<", ">", "`", "${", "\\", '"'):
        assert bad not in out
    assert maps.escape(None) == "" and maps.escape(float("nan")) == ""
    assert maps.escape("福荣街 & 停车") == "福荣街 &amp; 停车"


def test_allow_list_never_holds_private_fields():
    for layer, fields in maps.ALLOWED_FIELDS.items():
        assert not set(fields) & set(LAYERS[layer].private_fields)
    frame = maps.allowed(_layers(evil=False)["issues"], "issues")
    assert "reporter_phone" not in frame.columns and "reporter_name" not in frame.columns


def test_no_executable_data_in_page(evil_pages):
    for key, (page, clean) in evil_pages.items():
        low = page.lower()
        assert "<img" not in low, key
        assert "${alert" not in page, key
        assert "alert(2)</script>" not in page, key
        # folium's own templates use backticks and </script>; data must add none of either
        assert page.count("`") == clean.count("`"), key
        assert low.count("</script>") == clean.lower().count("</script>"), key
        assert low.count("<script") == clean.lower().count("<script"), key


def test_private_fields_never_reach_page(evil_pages):
    for key, (page, clean) in evil_pages.items():
        for text in (page, clean):
            assert PHONE not in text, key
            assert REPORTER not in text, key


def test_escaped_text_still_readable(evil_pages):
    page, _ = evil_pages["none", "stage", "zh"]
    # the title is in the page as inert text (JSON-escaped entity), not dropped
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page


def test_shape_features_hold_only_tooltip_and_style():
    m = maps.build_map(**_layers(evil=True))
    shapes = _drawn(m, "shapes")
    assert len(shapes) == 3  # communities, compounds, outline
    for data in shapes:
        for feature in data["fc"]["features"]:
            assert set(feature) == {"type", "properties", "geometry"}
            assert set(feature["properties"]) == {"tip", "s"}
            assert 0 <= feature["properties"]["s"] < len(data["styles"])


# ---------------------------------------------------------------------------- offline assets


def _vendor_module():
    spec = importlib.util.spec_from_file_location("vendor_assets", ROOT / "scripts" / "vendor_assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _vendor_manifest() -> set[str]:
    module = _vendor_module()
    return {dest for _, _, dest in module.MANIFEST} | {dest for _, dest in module.OWN}


def test_no_cdn_in_page(evil_pages):
    for key, (page, _) in evil_pages.items():
        for host in CDN_HOSTS:
            assert host not in page, (key, host)
        links = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="([^"]*)"', page)
        assert links, key
        assert all(link.startswith("/app/static/vendor/") for link in links), links


def test_vendored_urls_exist_in_manifest_and_on_disk(evil_pages):
    manifest = _vendor_manifest()
    targets = {t for t in assets.CDN_TO_VENDOR.values() if t is not None}
    targets |= {path for _, path in assets.MARKERCLUSTER_JS + assets.MARKERCLUSTER_CSS + assets.YISHI_JS}
    assert targets <= manifest
    vendor = ROOT / "static" / "vendor"
    big = maps.build_map(**_layers(evil=False), cluster_above=0).get_root().render()
    for page in [p for p, _ in evil_pages.values()] + [big]:
        for link in re.findall(r'(?:src|href)="/app/static/vendor/([^"]*)"', page):
            assert link in manifest
            if vendor.is_dir():
                assert (vendor / link).is_file(), link
    if vendor.is_dir():  # our own script is copied, not linked: the copy must be current
        for source, dest in _vendor_module().OWN:
            assert (vendor / dest).read_bytes() == (ROOT / source).read_bytes(), "run `make assets`"


def test_streamlit_folium_links_are_local():
    """streamlit-folium loads default_js/default_css of every element itself: all must be local."""
    m = maps.build_map(**_layers(evil=False), cluster_above=0)
    links = []
    for element in assets.walk(m):
        assert not isinstance(element, ColorMap)  # streamlit-folium would add d3 from a CDN
        links += [u for _, u in getattr(element, "default_js", [])]
        links += [u for _, u in getattr(element, "default_css", [])]
    assert links and all(u.startswith("/app/static/vendor/") for u in links)
    assert "/app/static/vendor/markercluster/leaflet.markercluster.js" in links


def test_localize_refuses_unvendored_plugin_and_colormap():
    m = folium.Map(tiles=None)
    folium.plugins.MiniMap().add_to(m)
    with pytest.raises(assets.UnvendoredAssetError, match="leaflet-minimap"):
        assets.localize(m)
    m = folium.Map(tiles=None)
    folium.plugins.MiniMap().add_to(m)
    page = assets.localize(m, unknown="drop").get_root().render()
    assert "cdnjs" not in page and "jsdelivr" not in page
    m = folium.Map(tiles=None)
    LinearColormap(["#ffffff", "#000000"]).add_to(m)
    with pytest.raises(assets.UnvendoredAssetError, match="ColorMap"):
        assets.localize(m)


ICON_LIBRARIES = ("jquery", "bootstrap", "awesome-markers", "fontawesome")


def _linked(page: str) -> list[str]:
    return re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="([^"]*)"', page)


def test_map_page_loads_no_jquery_bootstrap_or_font_awesome_when_nothing_uses_them():
    """Nothing on our maps uses them (venue icons are plain HTML): each was a script or style the
    map's frame fetched one after another before drawing."""
    m = maps.build_map(**_layers(evil=False), cluster_above=0)
    loaded = _linked(m.get_root().render())
    loaded += [u for e in assets.walk(m) for _, u in [*getattr(e, "default_js", []), *getattr(e, "default_css", [])]]
    assert any("leaflet/leaflet.js" in u for u in loaded) and any("markercluster" in u for u in loaded)
    assert not [u for u in loaded if any(lib in u for lib in ICON_LIBRARIES)], loaded
    (venues,) = _drawn(m, "venues")  # the venue icons are still drawn, as plain HTML
    assert len(venues["pts"]) == 4 and all("<div" in icon[0] for icon in venues["icons"])


def test_a_map_with_a_folium_icon_keeps_what_the_icon_needs():
    m = folium.Map(tiles=None)
    folium.Marker([34.4, 115.6], icon=folium.Icon(icon="info-sign")).add_to(m)
    loaded = _linked(assets.localize(m).get_root().render())
    for lib in ICON_LIBRARIES:
        assert any(lib in u for u in loaded), (lib, loaded)


def test_asset_base_can_move():
    page = _render(**_layers(evil=False), asset_base="/proxy/app/static/vendor")
    assert '<script src="/proxy/app/static/vendor/leaflet/leaflet.js">' in page


# ---------------------------------------------------------------------------- drawing


def test_every_venue_kind_has_its_own_icon():
    icons = {kind: maps.venue_icon_html(kind) for kind in VENUE_KINDS.codes}
    assert len(set(icons.values())) == len(VENUE_KINDS.codes)
    (venues,) = _drawn(maps.build_map(**_layers(evil=False), basemap="none"), "venues")
    assert sorted(html for html, _, _ in venues["icons"]) == sorted(icons.values())
    kinds = list(_layers(evil=False)["venues"]["kind"])
    assert [venues["icons"][icon][0] for *_, icon in venues["pts"]] == [icons[k] for k in kinds]
    en = {maps.venue_icon_html(kind, "en") for kind in VENUE_KINDS.codes}
    assert len(en) == len(VENUE_KINDS.codes)


def _marker_positions(m: folium.Map) -> list[tuple[float, float]]:
    (venues,) = _drawn(m, "venues")
    return [(lat, lon) for lat, lon, _ in venues["pts"]]


def test_amap_shifts_every_layer_to_gcj02():
    layers = _layers(evil=False)
    osm, amap = _render(**layers, basemap="osm"), _render(**layers, basemap="amap")
    shifted = zip(_marker_positions(maps.build_map(**layers, basemap="osm")),
                  _marker_positions(maps.build_map(**layers, basemap="amap")), strict=True)
    for (lat0, lon0), (lat1, lon1) in shifted:
        assert lon1 - lon0 == pytest.approx(0.0055, abs=3e-4)
        assert lat1 - lat0 == pytest.approx(-0.0014, abs=3e-4)
    names = {"C1": "a", "C2": "b"}
    p0 = maps.issue_payload(layers["issues"], community_names=names, basemap="osm")
    p1 = maps.issue_payload(layers["issues"], community_names=names, basemap="amap")
    assert (p1["x0"] - p0["x0"]) / 1e5 == pytest.approx(0.0055, abs=3e-4)
    assert (p1["y0"] - p0["y0"]) / 1e5 == pytest.approx(-0.0014, abs=3e-4)
    bounds = lambda page: [float(v) for v in re.search(r"fitBounds\(\s*\[\[([\d.]+), ([\d.]+)\]", page).groups()]  # noqa: E731
    (s0, w0), (s1, w1) = bounds(osm), bounds(amap)
    assert w1 - w0 == pytest.approx(0.0055, abs=3e-4) and s1 - s0 == pytest.approx(-0.0014, abs=3e-4)
    community = _drawn(maps.build_map(**layers, basemap="amap"), "shapes")[0]
    assert community["fc"]["features"][0]["geometry"]["coordinates"][0][0][0] > X0 + 0.005
    assert "webrd0{s}.is.autonavi.com" in amap and json.dumps("高德地图")[1:-1] in amap


def test_basemaps():
    layers = _layers(evil=False)
    none = _render(**layers, basemap="none")
    assert "L.tileLayer" not in none and "YishiMap.background(" in none
    assert _render(**layers, basemap="osm").count("L.tileLayer") == 1
    m = maps.build_map(**layers, basemap="none")
    assert m.options["maxZoom"] == 19 and m.options["prefer_canvas"] is True
    assert "L.control.scale" in none and "L.control.fullscreen" in none and "L.control.layers" in none
    with pytest.raises(ValueError, match="basemap"):
        maps.build_map(**layers, basemap="google")


@pytest.mark.parametrize("lang, words", [
    ("zh", {"legend": "在办议题", "tip": "五有：", "mark": ">室<", "fullscreen": "全屏"}),
    ("en", {"legend": "Open issues", "tip": "Five haves: ", "mark": ">R<", "fullscreen": "Full screen"}),
])
def test_map_words_follow_the_language(lang, words):
    m = maps.build_map(**_layers(evil=False), lang=lang)
    (legend,) = _drawn(m, "legend")
    (venues,) = _drawn(m, "venues")
    assert words["legend"] in legend["html"]
    assert all(words["tip"] in tip for tip in venues["tips"])
    assert any(words["mark"] in icon for icon, _, _ in venues["icons"])
    page = m.get_root().render()
    assert json.dumps(words["fullscreen"])[1:-1] in page or words["fullscreen"] in page


def test_polygons_simplified_snapped_and_never_collections():
    layers = _layers(evil=False)
    circle = Point(X0 + 0.01, Y0 + 0.015).buffer(0.005, quad_segs=256)  # ~1000 vertices
    layers["communities"].loc[0, "geometry"] = shapely.GeometryCollection([circle, Point(X0, Y0)])
    geometry = _drawn(maps.build_map(**layers), "shapes")[0]["fc"]["features"][0]["geometry"]
    assert geometry["type"] in ("Polygon", "MultiPolygon")
    coords = np.array(shapely.get_coordinates(shapely.geometry.shape(geometry)))
    assert len(coords) < 120
    assert np.allclose(coords, np.round(coords, 5), atol=1e-9)


def test_choropleth_bins_and_open_counts():
    assert maps.bins(0) == [(0, 0)]
    assert maps.bins(12) == [(0, 0), (1, 3), (4, 6), (7, 9), (10, 12)]
    assert maps.bins(2) == [(0, 0), (1, 1), (2, 2)]
    layers = _layers(evil=False)
    assert maps.open_counts_by_community(layers["issues"]) == {"C1": 5}
    m = maps.build_map(**layers, open_counts={"C1": 7, "C2": 0})
    page = m.get_root().render()
    assert "1–2" in page and "5–6" in page
    community = _drawn(m, "shapes")[0]
    fill = [community["styles"][f["properties"]["s"]]["fillColor"] for f in community["fc"]["features"]]
    assert fill == [maps.OPEN_PALETTE[-1], maps.OPEN_PALETTE[0]]


def test_clustering_only_when_dense():
    layers = _layers(evil=False)
    assert [d["cluster"] for d in _drawn(maps.build_map(**layers), "issues")] == [False]
    assert "markercluster" not in _render(**layers)
    assert [d["cluster"] for d in _drawn(maps.build_map(**layers, cluster_above=3), "issues")] == [True]
    assert "/markercluster/leaflet.markercluster.js" in _render(**layers, cluster_above=3)


# ---------------------------------------------------------------------------- clicks


@pytest.mark.parametrize("basemap", maps.BASEMAPS)
def test_issue_at_finds_the_drawn_issue(basemap):
    issues = _layers(evil=False)["issues"]
    names = {"C1": "a", "C2": "b"}
    payload = maps.issue_payload(issues, community_names=names, basemap=basemap)
    # decode the first drawn marker as the browser does, then click it
    lat = (payload["y0"] + payload["dy"][0]) / 1e5
    lng = (payload["x0"] + payload["x"][0]) / 1e5
    assert maps.issue_at(issues, lat, lng, basemap=basemap) == "I0"
    assert maps.clicked_issue_id({"last_object_clicked": {"lat": lat, "lng": lng}}, issues,
                                 basemap=basemap) == "I0"
    assert maps.issue_at(issues, lat + 0.001, lng, basemap=basemap) is None
    assert maps.clicked_issue_id({"last_object_clicked": None}, issues, basemap=basemap) is None
    assert maps.clicked_issue_id(None, issues, basemap=basemap) is None
    assert maps.RETURNED_OBJECTS == ["last_object_clicked"]


# ---------------------------------------------------------------------------- scale


def _synthetic_issues(n: int, seed: int = 7) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    stages, cats = ["collected", "meeting", "consensus", "done"], ["parking", "water", "other"]
    return gpd.GeoDataFrame(
        {"issue_id": [f"I{i:06d}" for i in range(n)],
         "title": [f"盐业局小区供水水压低问题第{i}号" for i in range(n)],
         "category": rng.choice(cats, n), "stage": rng.choice(stages, n),
         "community_id": rng.choice(["C1", "C2"], n), "reporter_phone": PHONE},
        geometry=gpd.points_from_xy(rng.uniform(X0, X0 + 0.04, n), rng.uniform(Y0, Y0 + 0.03, n)),
        crs=4326)


def test_payload_for_100k_issues_under_3_mb():
    layers = _layers(evil=False)
    layers["issues"] = _synthetic_issues(100_000)
    m = maps.build_map(**layers)
    page = m.get_root().render()  # bench/map_payload.py prints the time it takes
    assert len(page.encode()) < 3_000_000
    assert [d["cluster"] for d in _drawn(m, "issues")] == [True] and PHONE not in page
