"""YishiMap.issues (ui/js/yishi-map.js) in Chromium on a bare page with the vendored Leaflet and
markercluster: the markers go into the cluster group in one addLayers call once the group is on
the map (each insert into a group off the map scanned the queue: quadratic), and what is drawn
(colours, overdue rings, tooltips on click) is as before."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bench.map_payload import synthetic_layers
from tests.browser.conftest import new_page
from ui import maps
from ui.maps import assets

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor"
TODAY = date(2022, 6, 17)

#: Load the group, watching addLayers and how many queued markers hasLayer scans.
DRAW = """async (D) => {
  const proto = L.MarkerClusterGroup.prototype, calls = [];
  let scanned = 0;
  const addLayers = proto.addLayers, hasLayer = proto.hasLayer;
  proto.addLayers = function (layers, skip) {
    calls.push({onMap: !!this._map, n: layers.length});
    return addLayers.call(this, layers, skip);
  };
  proto.hasLayer = function (layer) { scanned += this._needsClustering.length; return hasLayer.call(this, layer); };
  const map = L.map("m", {maxZoom: 19, preferCanvas: true}).setView([34.435, 115.62], 13);
  const group = YishiMap.issues(D);
  group.addTo(map);
  window.yishiTest = {map: map, group: group, calls: calls, scanned: () => scanned};
  return true;
}"""

#: What is on the map once the chunked loading is done.
DRAWN = """(D) => {
  const T = window.yishiTest, markers = T.group.getLayers ? T.group.getLayers() : [];
  const fills = {};
  markers.forEach(m => { fills[m.options.fillColor] = (fills[m.options.fillColor] || 0) + 1; });
  let rings = 0;
  T.map.eachLayer(l => { if (l.options && l.options.overdueRing) rings += 1; });
  const late = markers.filter(m => m.options.overdue).length;
  return {n: markers.length, fills: fills, rings: rings, late: late, calls: T.calls, scanned: T.scanned()};
}"""


def payload(n: int) -> dict:
    """The issues payload build_map puts in the page for `n` synthetic issues, a tenth overdue."""
    layers = synthetic_layers(n)
    issues = layers["issues"]
    issues["due_on"] = ["2022-06-01" if k % 10 == 0 else "2022-12-31" for k in range(n)]
    issues["stage"] = ["meeting" if k % 10 == 0 else s for k, s in enumerate(issues["stage"])]
    fmap = maps.build_map(**layers, today=TODAY, cluster_above=0)
    (data,) = [e.data for e in assets.walk(fmap) if isinstance(e, maps.YishiLayer) and e.builder == "issues"]
    return data


def test_issue_markers_go_into_the_cluster_group_once_it_is_on_the_map(browser):
    n = 3000
    data = payload(n)
    p = new_page(browser, 900, 700)
    try:
        page = p.page
        page.set_content('<html><body style="margin:0"><div id="m" style="width:900px;height:700px"></div></body></html>')
        page.add_style_tag(path=str(VENDOR / "leaflet" / "leaflet.css"))
        page.add_script_tag(path=str(VENDOR / "leaflet" / "leaflet.js"))
        page.add_script_tag(path=str(VENDOR / "markercluster" / "leaflet.markercluster.js"))
        page.add_script_tag(path=str(ROOT / "ui" / "js" / "yishi-map.js"))
        page.evaluate(DRAW, data)
        page.wait_for_function(f"() => window.yishiTest.group.getLayers().length === {n}", timeout=60_000)
        drawn = page.evaluate(DRAWN, data)
        # (markercluster's own onAdd passes its empty queue)
        assert [c for c in drawn["calls"] if c["n"]] == [{"onMap": True, "n": n}], drawn["calls"]
        assert drawn["scanned"] == 0  # no marker waited in the queue another marker's insert scanned
        # the same colours, one per stage, counted as the legend counts them
        expected = {}
        for color, count in zip(data["colors"], payload_counts(data)):
            if count:
                expected[color] = expected.get(color, 0) + count
        assert drawn["fills"] == expected
        assert drawn["late"] == drawn["rings"] == len(data["od"]) == n // 10
        # the layer control takes the layer off and puts it back: nothing is added twice
        again = page.evaluate("""() => { const T = window.yishiTest; T.group.remove(); T.group.addTo(T.map);
                                         return {n: T.group.getLayers().length, added: T.calls.reduce((a, c) => a + c.n, 0)}; }""")
        assert again == {"n": n, "added": n}
        # a click on an issue binds its tooltip: title, category, stage, community
        tip = page.evaluate("""() => { const T = window.yishiTest, m = T.group.getLayers()[0];
                                       T.group.fire("click", {layer: m, propagatedFrom: m});
                                       return m.getTooltip() ? m.getTooltip().getContent() : null; }""")
        assert tip and "盐业局小区供水水压低问题" in tip and "社区" in tip
        assert p.errors == [], p.errors
    finally:
        p.page.context.close()


def payload_counts(data: dict) -> list[int]:
    """Markers per colour index as the page decodes `k` (stage or category)."""
    counts = [0] * len(data["colors"])
    for k in data["k"]:
        stage, category = k % data["ns"], (k // data["ns"]) % data["nc"]
        counts[stage if data["byStage"] else category] += 1
    return counts
