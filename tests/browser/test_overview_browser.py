"""The leaders' overview in a real browser: Leaflet loads offline, layers draw, no errors."""

from __future__ import annotations


import pytest

pytestmark = pytest.mark.browser


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


@pytest.mark.parametrize("size", [(1400, 1000), (390, 844)], ids=["desktop", "phone"])
def test_overview_draws_communities_and_issues_offline(app_url, make_page, size):
    p = make_page(*size)
    p.sign_in(app_url, "leader", "leader-demo-2022")
    p.page.get_by_text("协商会议").first.wait_for()
    frame = p.map_frame()
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


#: Records, in the page, whether a map had drawn in its frame when the first chart or data grid
#: appeared below it (ui/lazy.py).
MAP_FIRST = """
if (window.top === window) {
  window.__firstBelow = null;
  new MutationObserver(() => {
    if (window.__firstBelow === null && document.querySelector('.vega-embed, [data-testid="stDataFrame"]')) {
      window.__firstBelow = [...document.querySelectorAll('iframe')].some(f => {
        try { return !!f.contentDocument.querySelector('.leaflet-container'); } catch (e) { return false; } });
    }
  }).observe(document, {subtree: true, childList: true});
}
"""


def test_the_map_draws_before_the_charts_and_tables_which_follow_by_themselves(app_url, make_page):
    """The charts and tables render in the browser thread the map's frame needs: they are sent
    once the map has drawn, and then arrive with nobody clicking anything."""
    p = make_page()
    p.sign_in(app_url, "leader", "leader-demo-2022")
    p.page.context.add_init_script(MAP_FIRST)
    p.page.goto(f"{app_url}/overview")
    p.map_frame()
    p.page.get_by_text("议题列表").first.wait_for(timeout=60_000)
    p.page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
    p.page.locator(".vega-embed").first.wait_for(timeout=60_000)
    assert p.page.evaluate("window.__firstBelow") is True
    assert p.page.get_by_text("地图画好后显示").count() == 0  # the placeholder has gone
    assert p.errors == [], p.errors
