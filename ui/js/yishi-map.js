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
    var late = c.getAllChildMarkers().some(function (m) { return m.options.overdue; });
    if (late) { div.style.borderColor = OVERDUE_RING.color; }  /* a cluster holding an overdue issue */
    return L.divIcon({className: "yishi-cluster", iconSize: L.point(s, s), html: div});
  }

  /* A click on an issue, told to Streamlit at once. st_folium reports a click 250 ms after it
   * happens (a debounce fixed in its bundle) and only when its value changed since it last
   * sent one (window.__GLOBAL_DATA__.previous_data). When the map asks for nothing but
   * "last_object_clicked" (ui.maps.clicks.RETURNED_OBJECTS), this sends now the very value
   * st_folium would send, and records it as sent: st_folium's own report then finds nothing
   * new. Leaflet gives a small circle's own position as the click's (as st_folium reads it). */
  function reportClick(e) {
    var g = window.__GLOBAL_DATA__, asked = g && g.returned_objects;
    if (!asked || asked.length !== 1 || asked[0] !== "last_object_clicked" || g.wrap_longitude ||
        !e.latlng || window.parent === window) { return; }
    var value = {last_object_clicked: {lat: e.latlng.lat, lng: e.latlng.lng}};
    if (JSON.stringify(value) === JSON.stringify(g.previous_data)) { return; }
    g.previous_data = value;
    window.parent.postMessage({isStreamlitMessage: true, type: "streamlit:setComponentValue",
                               value: value, dataType: "json"}, "*");
  }

  /* The pane issues are drawn in: above the venue icons (markerPane, 600) and below tooltips
   * (650), so a click on an issue that overlaps a venue hits the issue. The pane itself lets
   * clicks through (only the drawn circles take them), so venues and clusters stay clickable. */
  var ISSUE_PANE = "yishiIssues";

  function issuePane(map) {
    if (!map.getPane(ISSUE_PANE)) {
      var pane = map.createPane(ISSUE_PANE);
      pane.style.zIndex = 620;
      pane.style.pointerEvents = "none";
    }
  }

  /* Overdue issues (D.od: positions in the drawing order) get a dark outline and a red ring
   * around it, drawn by a second, non-clickable circle that follows the issue layer. */
  var OVERDUE_RING = {color: "#d50000", weight: 3, opacity: 1, fill: false, interactive: false};

  /* Issues as SVG CircleMarkers in their own pane from columnar arrays (see
   * ui.maps.layers.issue_payload): positions in 1e-5 degrees, delta-encoded by latitude; `k`
   * packs community, category and stage. Tooltips are bound on first hover (one per marker up
   * front would cost 10^5). */
  function issues(D) {
    var group = D.cluster ? L.markerClusterGroup({
      chunkedLoading: true, maxClusterRadius: 45, disableClusteringAtZoom: 17,
      spiderfyOnMaxZoom: false, showCoverageOnHover: false, iconCreateFunction: clusterIcon
    }) : L.featureGroup();
    var renderer = L.svg({pane: ISSUE_PANE});
    var late = {}, od = D.od || [];
    for (var o = 0; o < od.length; o++) { late[od[o]] = true; }
    var n = D.k.length, markers = new Array(n), rings = [], y = D.y0;
    for (var i = 0; i < n; i++) {
      y += D.dy[i];
      var st = D.k[i] % D.ns, ca = Math.floor(D.k[i] / D.ns) % D.nc;
      var at = [y / 1e5, (D.x0 + D.x[i]) / 1e5];
      markers[i] = L.circleMarker(at, {
        radius: D.radius, weight: late[i] ? 2 : 1, color: late[i] ? "#212121" : "#ffffff", opacity: 0.9,
        fillColor: D.colors[D.byStage ? st : ca], fillOpacity: 0.9, ix: i, overdue: !!late[i],
        pane: ISSUE_PANE, renderer: renderer});
      if (late[i]) {
        rings.push(L.circleMarker(at, L.extend({radius: D.radius + 5, pane: ISSUE_PANE,
                                                renderer: renderer, overdueRing: true}, OVERDUE_RING)));
      }
    }
    var ringLayer = L.layerGroup(rings);
    var beforeAdd = group.beforeAdd;
    group.beforeAdd = function (map) {
      issuePane(map);
      return beforeAdd ? beforeAdd.call(this, map) : undefined;
    };
    /* The markers go in once, in one addLayers call after the cluster group is on the map: a
     * group off the map queues each insert and scans that queue for it (hasLayer), quadratic in
     * the number of issues (59% of the page's JavaScript at 10^5). Kept when the layer control
     * takes the layer off and puts it back. */
    var filled = false;
    group.on("add", function () {
      if (!filled) {
        filled = true;
        if (group.addLayers) { group.addLayers(markers); }
        else { for (var j = 0; j < n; j++) { group.addLayer(markers[j]); } }
      }
      ringLayer.addTo(group._map);
    });
    group.on("remove", function () { ringLayer.remove(); });
    function tip(i) {
      var k = D.k[i], st = k % D.ns, ca = Math.floor(k / D.ns) % D.nc,
          cm = Math.floor(k / (D.ns * D.nc));
      return (D.t ? "<b>" + D.t[i] + "</b><br>" : "") + D.w[0] + D.cats[ca] + "<br>" +
             D.w[1] + D.stages[st] + "<br>" + D.w[2] + D.comms[cm];
    }
    group.on("click", reportClick);
    group.on("mouseover click", function (e) {
      var m = e.propagatedFrom || e.layer;
      if (m && m.options && m.options.ix !== undefined && !m.getTooltip()) {
        m.bindTooltip(tip(m.options.ix));
        if (e.type === "mouseover") { m.openTooltip(); }
      }
    });
    return group;
  }

  /* A big view (ui.maps.viewport): below D.zoom one bubble per community, D.bubbles
   * [[lat, lon, issues, overdue]] with escaped tooltips D.tips (a click zooms in there), those
   * close on screen merged (drawBubbles; D.group, escaped, takes the numbers); from
   * D.zoom on, the issues inside the map's box, asked from D.url (+ &bbox=w,s,e,n) after each
   * pan or zoom settles (D.delay ms) and drawn as `issues` draws them. The answer's rows are
   * [id, lon, lat, stage, category, overdue, title]: codes are looked up in D.palette, D.stages
   * and D.cats (escaped labels); the title is set as text, never as HTML. The answer's
   * `places` (compounds and venues of the box, payloads as `shapes` and `venues` take) are
   * drawn under the issues and cleared with them. The issues sit in a
   * FeatureGroup that is on the map from the start, so st_folium reports a click on one as it
   * does for embedded issues (the marker's position); the bubbles sit in a plain LayerGroup,
   * which passes no click on: zooming in reruns nothing. */
  function viewport(map, D) {
    issuePane(map);
    var renderer = L.svg({pane: ISSUE_PANE});
    var group = L.featureGroup().on("click", reportClick).addTo(map);
    var rings = L.layerGroup().addTo(map);
    var bubbles = L.layerGroup();
    var places = L.layerGroup().addTo(map);
    function bubble(at, n, late, tipHtml, zoomTo) {
      var s = n < 100 ? 30 : n < 1000 ? 36 : n < 10000 ? 44 : n < 100000 ? 52 : 60;
      var div = document.createElement("div");
      div.className = "yishi-bubble";
      div.style.cssText = "width:" + s + "px;height:" + s + "px;border-radius:50%;" +
        "background:rgba(38,50,56,.78);color:#fff;font:bold 12px/1 sans-serif;box-sizing:border-box;" +
        "border:3px solid " + (late ? OVERDUE_RING.color : "rgba(255,255,255,.8)") + ";display:flex;" +
        "align-items:center;justify-content:center;cursor:zoom-in";
      div.textContent = String(n);
      var m = L.marker(at, {icon: L.divIcon({className: "yishi-bubble-icon", html: div, iconSize: L.point(s, s)}),
                            keyboard: false});
      m.bindTooltip(tipHtml);
      m.on("click", function () { map.setView(at, zoomTo()); });
      bubbles.addLayer(m);
    }
    /* One bubble per grid cell of D.cell pixels at this zoom: a lone community's own, or the
     * sums of several, placed on the busiest of them (where zooming in finds issues). */
    var bubbleZoom = null;
    function drawBubbles() {
      if (map.getZoom() === bubbleZoom) { return; }  /* a pan keeps the same cells */
      bubbleZoom = map.getZoom();
      bubbles.clearLayers();
      var cells = {}, order = [];
      D.bubbles.forEach(function (b, i) {
        var p = map.project([b[0], b[1]]);
        var key = Math.floor(p.x / D.cell) + ":" + Math.floor(p.y / D.cell);
        var c = cells[key];
        if (!c) { c = cells[key] = {n: 0, late: 0, k: 0, top: i}; order.push(key); }
        c.n += b[2];
        c.late += b[3];
        c.k += 1;
        if (b[2] > D.bubbles[c.top][2]) { c.top = i; }
      });
      order.forEach(function (key) {
        var c = cells[key], top = D.bubbles[c.top], at = [top[0], top[1]];
        if (c.k === 1) {
          bubble(at, c.n, c.late, D.tips[c.top], function () { return D.zoom; });
        } else {
          var tipHtml = D.group.replace("{c}", String(c.k)).replace("{n}", String(c.n)).replace("{o}", String(c.late));
          bubble(at, c.n, c.late, tipHtml, function () { return Math.min(map.getZoom() + 2, D.zoom); });
        }
      });
    }
    var note = L.control({position: "bottomleft"});
    var noteDiv = null;
    note.onAdd = function () {
      noteDiv = L.DomUtil.create("div", "yishi-viewport-note");
      noteDiv.style.cssText = "background:rgba(255,255,255,.92);padding:4px 8px;border-radius:6px;" +
        "box-shadow:0 1px 4px rgba(0,0,0,.35);font:12px/1.4 sans-serif;color:#212121;max-width:320px";
      return noteDiv;
    };
    note.addTo(map);
    function say(html) {
      noteDiv.innerHTML = html || "";
      noteDiv.style.display = html ? "" : "none";
    }
    function tip(r) {
      var box = document.createElement("div"), b = document.createElement("b");
      b.textContent = r[6];
      box.appendChild(b);
      var rest = document.createElement("span");
      rest.innerHTML = "<br>" + D.w[0] + (D.cats[r[4]] || "—") + "<br>" + D.w[1] + (D.stages[r[3]] || "—");
      box.appendChild(rest);
      return box;
    }
    var pending = null, timer = null, asked = 0;
    function draw(rows, more, around) {
      group.clearLayers();
      rings.clearLayers();
      places.clearLayers();
      if (around && around.compounds) { places.addLayer(shapes(around.compounds)); }
      if (around && around.venues) { places.addLayer(venues(around.venues)); }
      rows.forEach(function (r) {
        var late = r[5] === 1, at = [r[2], r[1]];
        var m = L.circleMarker(at, {
          radius: D.radius, weight: late ? 2 : 1, color: late ? "#212121" : "#ffffff", opacity: 0.9,
          fillColor: D.palette[D.byStage ? r[3] : r[4]] || D.grey, fillOpacity: 0.9, overdue: late,
          pane: ISSUE_PANE, renderer: renderer, issueId: r[0]});
        m.bindTooltip(tip(r));
        group.addLayer(m);
        if (late) {
          rings.addLayer(L.circleMarker(at, L.extend({radius: D.radius + 5, pane: ISSUE_PANE,
                                                      renderer: renderer, overdueRing: true}, OVERDUE_RING)));
        }
      });
      say(more ? D.more : "");
    }
    function ask() {
      var b = map.getBounds(), n = ++asked;
      var box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); });
      if (pending) { pending.abort(); }
      pending = window.AbortController ? new AbortController() : null;
      fetch(D.url + "&bbox=" + box.join(","), {credentials: "same-origin", headers: {Accept: "application/json"},
                                                signal: pending ? pending.signal : undefined})
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (j) { if (n === asked && map.getZoom() >= D.zoom) { draw(j.rows, j.more, j.places); } })
        .catch(function (e) { if (e.name !== "AbortError" && n === asked) { say(D.failed); } });
    }
    function update() {
      clearTimeout(timer);
      if (map.getZoom() >= D.zoom) {
        bubbles.remove();
        timer = setTimeout(ask, D.delay);
      } else {
        asked++;
        if (pending) { pending.abort(); pending = null; }
        group.clearLayers();
        rings.clearLayers();
        places.clearLayers();
        drawBubbles();
        bubbles.addTo(map);
        say(D.hint);
      }
    }
    map.on("zoomend moveend", update);
    map.whenReady(update);
    return group;
  }

  /* A map narrower than this is a phone's: the legend starts folded. */
  var NARROW_PX = 560;

  /* A corner box holding D.html (built from escaped labels by ui.maps.legend), folded under
   * its title D.title (escaped) and closed at first on a narrow map, where it would hide it. */
  function legend(map, D) {
    var control = L.control({position: D.position});
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "yishi-legend");
      div.style.cssText = "background:rgba(255,255,255,.92);padding:6px 9px;" +
        "border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.35);font:12px/1.45 sans-serif;" +
        "max-height:46vh;overflow:auto;color:#212121";
      if (D.title) {
        var box = L.DomUtil.create("details", "yishi-legend-box", div);
        var head = L.DomUtil.create("summary", "yishi-legend-title", box);
        head.style.cssText = "font-weight:bold;cursor:pointer";
        head.innerHTML = D.title;
        L.DomUtil.create("div", "yishi-legend-body", box).innerHTML = D.html;
        box.open = map.getSize().x >= NARROW_PX;
      } else {
        div.innerHTML = D.html;
      }
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    control.addTo(map);
    return control;
  }

  /* The map on a page, phones included.
   *
   * st_folium gives the map a fixed height in pixels inside its iframe, and the page's CSS
   * (ui/styles/phone.css) makes that iframe shorter on a phone: the map fills its frame
   * instead, so the frame never scrolls on its own. On a touch screen one finger scrolls the
   * page and two fingers move the map (the approach of Leaflet.GestureHandling): dragging is
   * off, so Leaflet's container lets a one-finger swipe through (touch-action: pan-x pan-y);
   * a one-finger swipe shows D.hint (escaped); two fingers pan and pinch. Controls get touch
   * sized (44 px). */
  function phone(map, D) {
    var style = document.createElement("style");
    style.textContent = "html,body{overflow:hidden}#map_div{height:100vh!important}" +
      ".yishi-touch .leaflet-bar a{width:44px;height:44px;line-height:44px}" +
      ".yishi-touch .leaflet-control-layers-toggle{width:44px;height:44px}" +
      ".yishi-legend summary{padding:2px 0}" +
      ".yishi-touch .yishi-legend summary{box-sizing:border-box;min-height:44px;padding:12px 0;line-height:20px}" +
      ".yishi-gesture-hint{position:absolute;inset:0;z-index:1100;display:flex;align-items:center;" +
      "justify-content:center;background:rgba(0,0,0,.45);color:#fff;font:bold 16px/1.4 sans-serif;" +
      "text-align:center;padding:1em;pointer-events:none;opacity:0;transition:opacity .3s}" +
      ".yishi-gesture-hint.yishi-shown{opacity:1}";
    document.head.appendChild(style);
    map.invalidateSize(false);  /* now, so fitting the bounds later sees the frame's real size */
    /* The frame may still be growing to its height when the bounds are fitted (st_folium sets
     * it after the script ran): fit them again on each resize until the person moves the map. */
    var fit = map.fitBounds, wanted = null, moved = false;
    map.fitBounds = function (bounds, options) {
      wanted = [bounds, options];
      return fit.call(map, bounds, options);
    };
    L.DomEvent.on(map.getContainer(), "pointerdown wheel keydown touchstart", function () { moved = true; });
    window.addEventListener("resize", function () {
      map.invalidateSize(false);
      if (wanted && !moved) { fit.apply(map, wanted); }
    });
    var touch = (navigator.maxTouchPoints || 0) > 0 || "ontouchstart" in window;
    if (!touch) { return null; }
    var box = map.getContainer();
    L.DomUtil.addClass(box, "yishi-touch");
    var hint = L.DomUtil.create("div", "yishi-gesture-hint", box);
    hint.innerHTML = D.hint;
    var hide = null;
    map.dragging.disable();
    function show(on) {
      clearTimeout(hide);
      if (on) { L.DomUtil.addClass(hint, "yishi-shown"); }
      else { hide = setTimeout(function () { L.DomUtil.removeClass(hint, "yishi-shown"); }, 900); }
    }
    function onTouch(e) {
      if (e.touches.length > 1) {
        if (e.type === "touchmove") { e.preventDefault(); }  /* the map's, not the page's */
        map.dragging.enable();
        show(false);
      } else if (e.type === "touchmove") {
        show(true);
      }
    }
    function onEnd(e) {
      if (e.touches.length === 0) {
        map.dragging.disable();  /* before the next gesture starts: one finger scrolls again */
        show(false);
      }
    }
    /* a mouse on a touch screen still drags, for that one press */
    box.addEventListener("pointerdown", function (e) {
      if (e.pointerType === "mouse") { map.dragging.enable(); }
    }, true);
    document.addEventListener("pointerup", function (e) {
      if (e.pointerType === "mouse") { setTimeout(function () { map.dragging.disable(); }, 0); }
    }, true);
    box.addEventListener("touchstart", onTouch, {passive: true});
    box.addEventListener("touchmove", onTouch, {passive: false});
    box.addEventListener("touchend", onEnd, {passive: true});
    box.addEventListener("touchcancel", onEnd, {passive: true});
    return null;
  }

  /* The tile-less (intranet) basemap: a plain light background. */
  function background(map, D) {
    map.getContainer().style.background = D.color;
    return null;
  }

  /* GCJ-02 offset (degrees) of a WGS84 position in China: geo/crs.py `_delta`, for the AMap
   * basemap, whose tiles are drawn in GCJ-02 (a phone's position is WGS84). */
  function gcjShift(x, y) {
    var A = 6378245.0, EE = 0.00669342162296594323, PI = Math.PI;
    if (x < 72.004 || x > 137.8347 || y < 0.8293 || y > 55.8271) { return [0, 0]; }
    var dx0 = x - 105.0, dy0 = y - 35.0, s = Math.sqrt(Math.abs(dx0));
    var common = (20 * Math.sin(6 * dx0 * PI) + 20 * Math.sin(2 * dx0 * PI)) * 2 / 3;
    var dlat = -100 + 2 * dx0 + 3 * dy0 + 0.2 * dy0 * dy0 + 0.1 * dx0 * dy0 + 0.2 * s + common +
      (20 * Math.sin(dy0 * PI) + 40 * Math.sin(dy0 / 3 * PI)) * 2 / 3 +
      (160 * Math.sin(dy0 / 12 * PI) + 320 * Math.sin(dy0 * PI / 30)) * 2 / 3;
    var dlon = 300 + dx0 + 2 * dy0 + 0.1 * dx0 * dx0 + 0.1 * dx0 * dy0 + 0.1 * s + common +
      (20 * Math.sin(dx0 * PI) + 40 * Math.sin(dx0 / 3 * PI)) * 2 / 3 +
      (150 * Math.sin(dx0 / 12 * PI) + 300 * Math.sin(dx0 / 30 * PI)) * 2 / 3;
    var rad = y / 180 * PI, magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sm = Math.sqrt(magic);
    return [(dlon * 180) / (A / sm * Math.cos(rad) * PI), (dlat * 180) / ((A * (1 - EE)) / (magic * sm) * PI)];
  }

  /* "My location" on a picking map (the residents' report form): the phone's position becomes a
   * click there, which st_folium reports like a tap. Only where the browser offers it (a secure
   * page: HTTPS or localhost). D.label and D.failed are set as text (title, alert), never as
   * HTML; D.gcj says the basemap is AMap's. */
  function locate(map, D) {
    if (!window.isSecureContext || !navigator.geolocation) { return null; }
    var control = L.control({position: "topleft"});
    control.onAdd = function () {
      var bar = L.DomUtil.create("div", "leaflet-bar yishi-locate");
      var a = L.DomUtil.create("a", "", bar);
      a.href = "#";
      a.setAttribute("role", "button");
      a.title = D.label;
      a.setAttribute("aria-label", D.label);
      /* a crosshair drawn inline: a glyph would need a font the phone may not have */
      a.innerHTML = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" ' +
        'style="vertical-align:middle" fill="none" stroke="#333" stroke-width="2">' +
        '<circle cx="12" cy="12" r="7"/><circle cx="12" cy="12" r="2" fill="#333"/>' +
        '<path d="M12 1v4M12 19v4M1 12h4M19 12h4"/></svg>';
      L.DomEvent.disableClickPropagation(bar);
      L.DomEvent.on(a, "click", function (e) {
        L.DomEvent.preventDefault(e);
        navigator.geolocation.getCurrentPosition(function (pos) {
          var lon = pos.coords.longitude, lat = pos.coords.latitude;
          if (D.gcj) { var d = gcjShift(lon, lat); lon += d[0]; lat += d[1]; }
          var here = L.latLng(lat, lon);
          map.setView(here, Math.max(map.getZoom(), 17));
          map.fire("click", {latlng: here});
        }, function () { a.title = D.failed; a.style.color = "#b71c1c"; window.alert(D.failed); },
        {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
      });
      return bar;
    };
    control.addTo(map);
    return control;
  }

  window.YishiMap = {shapes: shapes, venues: venues, issues: issues, viewport: viewport, legend: legend,
                     background: background, phone: phone, locate: locate};
})();
