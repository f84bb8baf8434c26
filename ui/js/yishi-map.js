/* Yishi Map layers, drawn in the browser from JSON that ui/maps/ builds.
 *
 * Why a static file: the code is fixed and the page only carries data. Each function
 * takes one JSON payload (json.dumps'ed, never pasted into a template), and every string
 * in it arrived HTML-escaped by ui.maps.payload.escape, so tooltips and the legend may use them as
 * HTML. Nothing here evaluates data: no eval, no template literals, no Function().
 * scripts/vendor_assets.py copies this file to static/vendor/yishi/ beside Leaflet.
 */
(function () {
  "use strict";

  /* Polygons and points of a FeatureCollection. Feature properties hold only `tip` (escaped
   * HTML) and `s` (an index into D.styles). D.hover: style while the pointer is over one. */
  function shapes(D) {
    var layer = L.geoJSON(D.fc, {
      interactive: D.interactive,
      style: function (f) { return D.styles[f.properties.s]; },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, L.extend({radius: D.radius || 6}, D.styles[f.properties.s]));
      },
      onEachFeature: function (f, l) {
        if (f.properties.tip) { l.bindTooltip(f.properties.tip, {sticky: !!D.sticky}); }
        if (D.hover) {
          l.on("mouseover", function () { l.setStyle(D.hover); });
          l.on("mouseout", function () { layer.resetStyle(l); });
        }
      }
    });
    return layer;
  }

  /* Venues: D.icons [[html, width, height]] per kind (fixed markup), D.pts [[lat, lon, icon]],
   * D.tips one escaped tooltip per point. */
  function venues(D) {
    var group = L.featureGroup();
    var icons = D.icons.map(function (ic) {
      return L.divIcon({html: ic[0], iconSize: [ic[1], ic[2]],
                        iconAnchor: [Math.floor(ic[1] / 2), Math.floor(ic[2] / 2)],
                        className: "yishi-venue"});
    });
    for (var i = 0; i < D.pts.length; i++) {
      var p = D.pts[i];
      L.marker([p[0], p[1]], {icon: icons[p[2]]}).bindTooltip(D.tips[i]).addTo(group);
    }
    return group;
  }

  function clusterIcon(c) {
    var n = c.getChildCount(), s = n < 100 ? 30 : n < 1000 ? 36 : 44;
    var div = document.createElement("div");
    div.style.cssText = "width:" + s + "px;height:" + s + "px;border-radius:50%;" +
      "background:rgba(38,50,56,.78);color:#fff;font:bold 12px/1 sans-serif;" +
      "border:3px solid rgba(255,255,255,.8);box-sizing:border-box;display:flex;" +
      "align-items:center;justify-content:center";
    div.textContent = String(n);
    return L.divIcon({className: "yishi-cluster", iconSize: L.point(s, s), html: div});
  }

  /* Issues as canvas CircleMarkers from columnar arrays (see ui.maps.layers.issue_payload):
   * positions in 1e-5 degrees, delta-encoded by latitude; `k` packs community, category and
   * stage. Tooltips are bound on first hover (one per marker up front would cost 10^5). */
  function issues(D) {
    var group = D.cluster ? L.markerClusterGroup({
      chunkedLoading: true, maxClusterRadius: 45, disableClusteringAtZoom: 17,
      spiderfyOnMaxZoom: false, showCoverageOnHover: false, iconCreateFunction: clusterIcon
    }) : L.featureGroup();
    var n = D.k.length, markers = new Array(n), y = D.y0;
    for (var i = 0; i < n; i++) {
      y += D.dy[i];
      var st = D.k[i] % D.ns, ca = Math.floor(D.k[i] / D.ns) % D.nc;
      markers[i] = L.circleMarker([y / 1e5, (D.x0 + D.x[i]) / 1e5], {
        radius: D.radius, weight: 1, color: "#ffffff", opacity: 0.9,
        fillColor: D.colors[D.byStage ? st : ca], fillOpacity: 0.9, ix: i});
    }
    if (group.addLayers) { group.addLayers(markers); }
    else { for (var j = 0; j < n; j++) { group.addLayer(markers[j]); } }
    function tip(i) {
      var k = D.k[i], st = k % D.ns, ca = Math.floor(k / D.ns) % D.nc,
          cm = Math.floor(k / (D.ns * D.nc));
      return (D.t ? "<b>" + D.t[i] + "</b><br>" : "") + D.w[0] + D.cats[ca] + "<br>" +
             D.w[1] + D.stages[st] + "<br>" + D.w[2] + D.comms[cm];
    }
    group.on("mouseover click", function (e) {
      var m = e.propagatedFrom || e.layer;
      if (m && m.options && m.options.ix !== undefined && !m.getTooltip()) {
        m.bindTooltip(tip(m.options.ix));
        if (e.type === "mouseover") { m.openTooltip(); }
      }
    });
    return group;
  }

  /* A corner box holding D.html (built from escaped labels by ui.maps.legend). */
  function legend(map, D) {
    var control = L.control({position: D.position});
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "yishi-legend");
      div.style.cssText = "background:rgba(255,255,255,.92);padding:6px 9px;" +
        "border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.35);font:12px/1.45 sans-serif;" +
        "max-height:46vh;overflow:auto;color:#212121";
      div.innerHTML = D.html;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    control.addTo(map);
    return control;
  }

  /* The tile-less (intranet) basemap: a plain light background. */
  function background(map, D) {
    map.getContainer().style.background = D.color;
    return null;
  }

  window.YishiMap = {shapes: shapes, venues: venues, issues: issues, legend: legend,
                     background: background};
})();
