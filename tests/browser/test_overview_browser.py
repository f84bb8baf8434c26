"""The leaders' overview in a real browser: Leaflet loads offline, layers draw, no errors."""

from __future__ import annotations

import base64
import re

import pytest

pytestmark = pytest.mark.browser

# A 1x1 transparent PNG: tile servers are out of reach here, and the test must not depend on them.
BLANK_TILE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
TILES = re.compile(r"tile\.openstreetmap\.org|autonavi\.com")

COUNT_LAYERS = """() => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  const out = {polygons: 0, circles: 0, markers: 0, clusters: document.querySelectorAll('.marker-cluster').length};
  map.eachLayer(l => {
    if (l instanceof L.Polygon) out.polygons += 1;
    else if (l instanceof L.CircleMarker) out.circles += 1;
    else if (l instanceof L.Marker) out.markers += 1;
  });
  return out;
}"""


def map_frame(page):
    """The st_folium iframe once Leaflet has drawn in it."""
    page.wait_for_selector("iframe", state="attached", timeout=60_000)
    for _ in range(120):
        for frame in page.frames:
            try:
                if frame.evaluate("() => !!(window.L && document.querySelector('.leaflet-container'))"):
                    return frame
            except Exception:  # a frame still navigating
                pass
        page.wait_for_timeout(500)
    raise AssertionError("no Leaflet map appeared")


@pytest.mark.parametrize("size", [(1400, 1000), (390, 844)], ids=["desktop", "phone"])
def test_overview_draws_communities_and_issues_offline(app_url, make_page, size):
    p = make_page(*size)
    p.page.route(TILES, lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_TILE))
    p.sign_in(app_url, "leader", "leader-demo-2022")
    p.page.get_by_text("协商会议").first.wait_for()
    frame = map_frame(p.page)
    frame.wait_for_function("() => document.querySelectorAll('.marker-cluster, .leaflet-marker-icon').length > 0",
                            timeout=30_000)
    counts = frame.evaluate(COUNT_LAYERS)
    shot = p.screenshot(f"overview-{size[0]}x{size[1]}")
    assert counts["polygons"] >= 16 + 1, counts  # 16 communities, the outline, compounds
    assert counts["clusters"] + counts["circles"] > 0, counts
    assert counts["markers"] >= 1, counts  # venues
    scripts = frame.evaluate("() => [...document.scripts].map(s => s.src).filter(Boolean)")
    assert scripts and not [s for s in scripts if not s.startswith(app_url)], scripts
    assert p.errors == [], p.errors
    assert shot.stat().st_size > 10_000
