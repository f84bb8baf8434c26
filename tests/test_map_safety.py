"""The guard at the map boundary: every builder, every text field set to hostile text.

branca parses each rendered element again as a Jinja template, so text that reached a folium
template was evaluated on the server (`{{ 7*7 }}` became 49, `{%` broke the page). These
tests render every map the app draws with all text fields taken from tests/hostile.py, the
way Figure.render and streamlit-folium both do, and check that rendering never raises, that
each string arrives in the page's data exactly as stored (HTML-escaped), and that no element
able to re-parse data is left in the map.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import folium
import geopandas as gpd
import pytest
from branca.element import Element
from folium.plugins import Fullscreen
from shapely.geometry import Point, box
from streamlit_folium import _get_header, _get_html, _get_map_string

from geo.schema import COMPOUNDS, FIVE_HAVES, VENUE_KINDS, VENUES
from geo.text import INVISIBLE, strip_invisible
from tests.hostile import HOSTILE
from ui import maps
from ui.maps import assets, layers

X0, Y0 = 115.600, 34.420

#: Every length at which the UI cuts stored text before it reaches the map.
TRUNCATIONS = (maps.TIP_CHARS,)


def _cut_inside(limit: int) -> list[str]:
    """Titles that the cut at `limit` splits inside each short hostile string, at every point."""
    out = []
    for text in HOSTILE:
        if len(text) < 40:
            for keep in range(1, len(text)):
                out.append("a" * (limit - 1 - keep) + text)
    return out


TITLES = [*HOSTILE, *(t for limit in TRUNCATIONS for t in _cut_inside(limit))]


def _hostile_layers() -> dict[str, gpd.GeoDataFrame]:
    """Every layer with every text field hostile: one feature per corpus string."""
    n = len(HOSTILE)
    cells = [box(X0 + 0.001 * i, Y0, X0 + 0.001 * (i + 1), Y0 + 0.03) for i in range(n)]
    ids = [f"C{i}" for i in range(n)]
    communities = gpd.GeoDataFrame({"community_id": ids, "name": list(HOSTILE), "team_size": list(HOSTILE)},
                                   geometry=cells, crs=4326)
    compounds = gpd.GeoDataFrame(
        {"compound_id": ids, "name": list(HOSTILE), "households": list(HOSTILE), "built_year": list(HOSTILE),
         "is_old_compound": [True] * n, "property_management": list(HOSTILE)},
        geometry=[c.buffer(-0.0002) for c in cells], crs=4326)
    venues = gpd.GeoDataFrame(
        {"venue_id": ids, "name": list(HOSTILE), "kind": [*VENUE_KINDS.codes, *HOSTILE][:n],
         **{c: [True] * n for c in FIVE_HAVES.codes}},
        geometry=[c.centroid for c in cells], crs=4326)
    m = len(TITLES)
    issues = gpd.GeoDataFrame(
        {"issue_id": [f"I{i}" for i in range(m)], "title": TITLES,
         "category": [HOSTILE[i % n] if i % 3 == 0 else "parking" for i in range(m)],
         "stage": [HOSTILE[i % n] if i % 5 == 0 else "meeting" for i in range(m)],
         "community_id": [HOSTILE[i % n] if i % 2 else ids[i % n] for i in range(m)]},
        geometry=[Point(X0 + 0.0005 + 0.00002 * i, Y0 + 0.01) for i in range(m)], crs=4326)
    subdistrict = gpd.GeoDataFrame({"name": [HOSTILE[0]]}, geometry=[box(X0, Y0, X0 + 0.03, Y0 + 0.03)],
                                   crs=4326)
    return {"subdistrict": subdistrict, "communities": communities, "compounds": compounds,
            "venues": venues, "issues": issues}


def _maps() -> Iterator[tuple[str, folium.Map]]:
    """Every map the pages draw: overview (each basemap, colouring, language, clustered or not),
    community (focused), new issue (with the picked point) and the upload preview."""
    layers = _hostile_layers()
    for basemap in maps.BASEMAPS:
        for color_by in maps.COLOR_BY:
            for lang in ("zh", "en"):
                yield f"overview-{basemap}-{color_by}-{lang}", maps.build_map(
                    **layers, basemap=basemap, color_by=color_by, lang=lang)
    yield "clustered", maps.build_map(**layers, cluster_above=0)
    yield "no-titles", maps.build_map(**layers, max_titles=0)
    yield "community", maps.build_map(**layers, focus_bounds=(X0, Y0, X0 + 0.01, Y0 + 0.01))
    for layer, label in (("venues", "name"), ("compounds", "name"), ("issues", "title")):
        frame = layers[layer]
        statuses = (["new", "updated", "unchanged"] * len(frame))[:len(frame)]
        yield f"preview-{layer}", maps.preview_map(frame, statuses=statuses, label_field=label,
                                                   outline=layers["subdistrict"])


@pytest.fixture(scope="module")
def rendered() -> list[tuple[str, folium.Map, str]]:
    """(name, map, page) with the page as Figure.render and as streamlit-folium build it."""
    out = []
    for name, m in _maps():
        page = m.get_root().render()
        out.append((name, m, page))
        out.append((name + "-st_folium", m, _get_header(m) + _get_html(m) + _get_map_string(m)))
    return out


_CALL = re.compile(r"YishiMap\.(\w+)\((?:[\w]+, )?(.*)\);\s*$", re.M)


def _strings(obj: object) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _strings(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _strings(value)


def _page_strings(page: str) -> list[str]:
    """Every string of every YishiMap payload in the page, decoded as the browser does."""
    payloads = [json.loads(text) for _, text in _CALL.findall(page)]
    assert payloads
    return [s for p in payloads for s in _strings(p)]


def test_rendering_never_raises_and_no_layer_is_lost(rendered):
    for name, m, _ in rendered:
        assert getattr(m, "failed_layers", []) == [], name


def test_no_template_tag_survives_in_any_page(rendered):
    """With no `{{`, `{%` or `{#` in the page, even a second template pass finds nothing."""
    for name, _, page in rendered:
        for tag in ("{{", "{%", "{#"):
            assert tag not in page, (name, tag)


def test_every_hostile_string_arrives_exactly_as_stored(rendered):
    """Exactly as stored, HTML-escaped; text longer than a tooltip holds is cut, never dropped;
    only the characters nobody sees (direction controls, zero-width) are gone."""
    for name, _, page in rendered:
        strings = "\n".join(_page_strings(page))
        for text in HOSTILE:
            shown = maps.escape(maps.truncate(strip_invisible(text), maps.TIP_CHARS))
            assert f"<bdi>{shown}</bdi>" in strings, (name, text[:30])
        assert "x" * maps.TIP_CHARS not in strings, name  # the 10,000-character name is cut
        assert "49" not in strings.replace("I49", "")  # {{ 7*7 }} never evaluated


def test_cut_titles_arrive_cut_not_evaluated(rendered):
    name, _, page = rendered[0]
    strings = set(_page_strings(page))
    for title in TITLES:  # each one whole, isolated so it cannot reorder the tooltip around it
        shown = maps.escape(maps.truncate(strip_invisible(title), maps.TIP_CHARS))
        assert f"<bdi>{shown}</bdi>" in strings, title[:50]


def test_nothing_executable_reaches_the_page(rendered):
    for name, _, page in rendered:
        low = page.lower()
        assert "<img" not in low and "alert(1)</script>" not in low, name
        assert "${alert" not in page and "`" not in page, name
        assert "\u2028" not in page and "\u2029" not in page, name
        assert not INVISIBLE.search(page), name  # stored direction overrides are neutralised


#: folium elements that may stay in a map: they carry only our own constants (labels from
#: the catalogue, numbers, colours), never stored text.
CONSTANT_ONLY = (folium.Map, folium.TileLayer, folium.LayerControl, Fullscreen,
                 folium.map.FitBounds, folium.elements.ElementAddToElement)


def test_every_element_that_could_carry_data_is_inert():
    """A later folium.GeoJson, Marker or Tooltip with data would be re-parsed: refuse it here."""
    for name, m in _maps():
        m.get_root().render()
        for element in assets.walk(m):
            assert isinstance(element, (maps.Inert, *CONSTANT_ONLY)), (name, type(element).__name__)


def test_verbatim_elements_are_not_parsed():
    figure = folium.Figure()
    figure.script.add_child(maps.Verbatim("{{ 7*7 }} {% if %}"))
    assert "{{ 7*7 }} {% if %}" in figure.render()
    figure.script.add_child(Element("{{ 7*7 }}"))  # what branca does with plain text
    assert "49" in figure.render()


def test_our_elements_hold_one_call_into_the_static_script_and_no_program():
    """The browser code lives in ui/js/yishi-map.js; an element renders one `YishiMap.f(json)` line."""
    call = re.compile(r"(var \w+ = )?YishiMap\.\w+\((\w+, )?[\[{].*[\]}]\);")
    for name, m in _maps():
        m.get_root().render()
        for element in assets.walk(m):
            if isinstance(element, maps.Inert):
                script = element._template.module.script(element, {}).strip()
                assert "\n" not in script and call.fullmatch(script), (name, script[:80])


def test_a_layer_that_fails_is_left_out_and_named(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ValueError("a record this code did not foresee")

    monkeypatch.setattr(layers, "venue_layer", broken)
    m = maps.build_map(**_hostile_layers(), lang="en")
    page = m.get_root().render()
    assert m.failed_layers == [VENUES.label("en")]
    assert "Could not draw: " in page and "YishiMap.venues(" not in page
    assert "YishiMap.issues(" in page and "YishiMap.shapes(" in page
    assert "left out" in caplog.text and "Traceback" in caplog.text


def test_the_layers_that_failed_are_listed_as_the_language_lists(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a record this code did not foresee")

    monkeypatch.setattr(layers, "venue_layer", broken)
    monkeypatch.setattr(layers, "compound_layer", broken)
    for lang, text in (("zh", "未能显示：小区、议事点"), ("en", "Could not draw: Compounds, Venues")):
        m = maps.build_map(**_hostile_layers(), lang=lang)
        assert m.failed_layers == [COMPOUNDS.label(lang), VENUES.label(lang)]
        assert text in "".join(_page_strings(m.get_root().render()))
