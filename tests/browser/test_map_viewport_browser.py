"""The overview map of a big view (ui/maps/viewport.py) in Chromium: a store of more than
EMBED_MAX issues shows count bubbles at low zoom; zoomed in, the map fetches the issues in view
from /api/map/issues and draws them without rerunning the Streamlit script (the browser sends
no websocket message); a click on a fetched issue opens its card beside the map; a hostile
title shows as the text it is, in the tooltip and the card."""

from __future__ import annotations

import shutil
from datetime import timedelta

import numpy as np
import pytest
import shapely

from tests.browser.conftest import STALE_GONE, serve_app
from ui.maps import viewport
from yishi.services import assignment
from yishi.storage import open_store

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=__pwned=1>{{7*7}}楼道灯"  # under the tooltip's 40 characters
HOSTILE_ID = "I9999999"
#: The Leaflet map in the map's frame.
MAP = "Object.values(window).find(v => v instanceof L.Map)"
#: Issue circles drawn in the issue pane, and bubbles.
COUNT = """() => ({paths: document.querySelectorAll('.leaflet-yishiIssues-pane path').length,
                  bubbles: document.querySelectorAll('.yishi-bubble').length,
                  outlines: (() => { let n = 0;  // polygons (on a canvas): counted in Leaflet
                    Object.values(window).find(v => v instanceof L.Map).eachLayer(l => { if (l.feature) n++; });
                    return n; })(),
                  venues: document.querySelectorAll('.yishi-venue').length})"""

#: The issues the bubbles hold, added up.
SUM = "() => [...document.querySelectorAll('.yishi-bubble')].reduce((s, b) => s + Number(b.textContent), 0)"


@pytest.fixture(scope="module")
def big_app(demo_store_file, tmp_path_factory):
    """The app over the demo plus EMBED_MAX + 500 generated issues and one with a hostile title
    (nothing else within 40 m of it, so a click on it means it alone)."""
    folder = tmp_path_factory.mktemp("viewport")
    store_path = folder / "store.sqlite"
    shutil.copy(demo_store_file, store_path)
    rng = np.random.default_rng(15)
    with open_store(store_path) as store:
        communities = store.load_layer("communities")
        today = store.today()
        target = shapely.point_on_surface(communities.geometry.iloc[3])
        minx, miny, maxx, maxy = communities.total_bounds
        n = viewport.EMBED_MAX + 500
        xs, ys = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
        far = np.hypot((xs - target.x) * 0.82, ys - target.y) > 40 / 111_000
        rows = [{"issue_id": f"I{8_000_000 + k:07d}", "title": f"生成的议题 {k}", "category": "water",
                 "focus": "livelihood", "stage": "selected", "source": "staff", "subdistrict_id": "411402001",
                 "reported_on": (today - timedelta(days=int(k % 90))).isoformat(),
                 "geom": shapely.Point(float(x), float(y))}
                for k, (x, y) in enumerate(zip(xs[far], ys[far]))]
        rows.append({"issue_id": HOSTILE_ID, "title": HOSTILE, "category": "environment", "focus": "livelihood",
                     "stage": "meeting", "source": "staff", "reported_on": today.isoformat(),
                     "subdistrict_id": "411402001",
                     "due_on": (today - timedelta(days=3)).isoformat(), "geom": target})
        store.write_batch("issues", rows, by="test", action="import", source="test")
        assignment.reassign(store, by="test")  # their community, as an upload would store it
        per = store.summarise("issues", by=("community_id",))
        placed = int(per[per["community_id"].notna()]["n"].sum())
    with serve_app(store_path, folder / "streamlit.log") as url:
        yield url, (target.y, target.x), placed


def test_bubbles_then_fetched_issues_without_a_rerun_and_a_click_opens_the_card(big_app, make_page):
    url, (lat, lon), placed = big_app
    p = make_page()
    p.sign_in(url, "leader", "leader-demo-2022", next_path="/overview")
    p.page.wait_for_function(STALE_GONE, timeout=60_000)
    frame = p.map_frame()
    frame.wait_for_function("() => document.querySelectorAll('.yishi-bubble').length > 0", timeout=60_000)
    drawn = frame.evaluate(COUNT)
    assert drawn["paths"] == 0 and drawn["bubbles"] > 5  # counts, not 3,600 issues
    assert drawn["venues"] == 0  # compounds and venues come with the issues of the box
    total = frame.evaluate(SUM)
    assert total == placed > viewport.EMBED_MAX  # every issue of a community, in its bubble
    assert "放大地图即可看到每个议题" in frame.inner_text(".yishi-viewport-note")

    # from here on the browser must send Streamlit nothing while the map moves
    p.page.wait_for_timeout(1500)
    socket_frames: list[int] = []
    cdp = p.page.context.new_cdp_session(p.page)
    cdp.send("Network.enable")
    cdp.on("Network.webSocketFrameSent", lambda event: socket_frames.append(1))
    asked: list[str] = []
    frame.page.on("request", lambda r: asked.append(r.url) if "/api/map/issues" in r.url else None)

    frame.evaluate(f"() => {{ {MAP}.setView([{lat}, {lon}], 17, {{animate: false}}); }}")
    frame.wait_for_function("() => document.querySelectorAll('.leaflet-yishiIssues-pane path').length > 0",
                            timeout=30_000)
    near = frame.evaluate(COUNT)
    assert near["bubbles"] == 0
    assert near["outlines"] > drawn["outlines"] and near["venues"] > 0, (drawn, near)  # the box's places
    frame.evaluate(f"() => {{ {MAP}.panBy([120, 40], {{animate: false}}); }}")
    p.page.wait_for_timeout(800)
    frame.evaluate(f"() => {{ {MAP}.setView([{lat}, {lon}], 18, {{animate: false}}); }}")
    p.page.wait_for_timeout(800)
    assert len(asked) >= 2 and all("bbox=" in a for a in asked)
    assert socket_frames == [], "moving the map sent Streamlit a message (a rerun)"

    # the hostile title: a tooltip of text, nothing run
    at = frame.evaluate(f"""() => {{ const map = {MAP};
        const pt = map.latLngToContainerPoint([{lat}, {lon}]); return {{x: pt.x, y: pt.y}}; }}""")
    container = frame.locator(".leaflet-container").first
    # Leaflet focuses the map on a press, which scrolls a map partly out of view between the
    # press and the release (the click then lands beside the issue): bring it in view first
    container.scroll_into_view_if_needed()
    frame.evaluate(f"() => {{ {MAP}.getContainer().focus(); }}")
    p.page.wait_for_timeout(300)
    container.hover(position=at)
    tip = frame.locator(".leaflet-tooltip").last
    tip.wait_for(timeout=10_000)
    assert HOSTILE in tip.inner_text()
    assert frame.locator(".leaflet-tooltip img").count() == 0

    # a click opens the card of that issue beside the map
    container.click(position=at)
    card = p.page.locator(".st-key-yishi-card-ov").first
    card.get_by_text(HOSTILE_ID).first.wait_for(timeout=30_000)  # the card's lines stream in after it
    assert HOSTILE in card.inner_text()
    assert p.page.locator(".st-key-yishi-card-ov img").count() == 0
    # reported at once by the map's script, and only once: st_folium's own report, 250 ms later,
    # finds nothing new (ui/js/yishi-map.js reportClick)
    p.page.wait_for_timeout(800)
    assert len(socket_frames) == 1, "the click should rerun the map once, and did reach Streamlit"
    assert frame.evaluate("() => window.__pwned === undefined")
    assert p.page.evaluate("() => window.__pwned === undefined")

    # back to the city: the bubbles again, the fetched issues gone
    frame.evaluate(f"() => {{ {MAP}.setZoom(13, {{animate: false}}); }}")
    frame.wait_for_function("() => document.querySelectorAll('.yishi-bubble').length > 0", timeout=10_000)
    back = frame.evaluate(COUNT)
    assert back["paths"] == 0 and back["venues"] == 0 and back["outlines"] == drawn["outlines"]

    # zoomed out, communities close together on screen share a bubble holding their sums
    frame.evaluate(f"() => {{ {MAP}.setZoom(11, {{animate: false}}); }}")
    frame.wait_for_function(f"() => document.querySelectorAll('.yishi-bubble').length < {back['bubbles']}",
                            timeout=10_000)
    assert frame.evaluate(SUM) == placed
    shared = frame.locator(".yishi-bubble").first
    shared.hover()
    tip = frame.locator(".leaflet-tooltip").last
    tip.wait_for(timeout=10_000)
    assert "个社区" in tip.inner_text() and "点击放大" in tip.inner_text(), tip.inner_text()
    assert not [e for e in p.errors if "api/map" in e], p.errors
