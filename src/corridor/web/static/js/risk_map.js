// The workbench's map of flows and incidents (/risk): Leaflet (SVG renderer, no tile layer: it
// works offline) over the vendored Natural Earth TopoJSON. Each route is drawn along its lines
// as wide as its figures of the window; the dead and missing of the same months are red circles
// where the source places them. The data comes from data-src (JSON, with the page's session):
//   {"window_text": {"from", "to"}, "routes": [{"route", "value", "previous", "change",
//    "lines": [[[lat, lon], ...], ...]}], "incidents": {"total", "count",
//    "points": [[lat, lon, value, route], ...]} | null}
// No inline scripts or styles (CSP); names go in as text (textContent), never as HTML.
// After drawing, #risk-map gets data-state="ready" (or "error"), data-routes and
// data-incidents (how many were drawn).
"use strict";
(function () {
  const el = document.getElementById("risk-map");
  if (!el || !window.L || !window.topojson) { return; }
  const L = window.L;
  const statusEl = document.getElementById("risk-map-status");
  let T = {};
  try { T = JSON.parse(el.dataset.i18n || "{}"); } catch (e) { T = {}; }
  const lang = document.documentElement.getAttribute("lang") || "en";
  const numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0, signDisplay: "exceptZero" });

  const map = L.map(el, {
    renderer: L.svg({ padding: 0.3 }),
    minZoom: 2,
    maxZoom: 9,
    zoomSnap: 0.5,
    attributionControl: false,
  });
  L.control.attribution({ prefix: false }).addAttribution("Natural Earth · Leaflet").addTo(map);
  map.setView([38, 20], 4);

  function tooltip(lines) {
    const box = document.createElement("div");
    lines.forEach(function (line, i) {
      const part = document.createElement(i === 0 ? "strong" : "div");
      const bdi = document.createElement("bdi");
      bdi.textContent = line;
      part.appendChild(bdi);
      box.appendChild(part);
    });
    return box;
  }

  function drawRoutes(routes) {
    const drawn = routes.filter(function (r) { return r.lines && r.lines.length; });
    const peak = Math.max.apply(null, drawn.map(function (r) { return r.value; }).concat([1]));
    const bounds = [];
    drawn.forEach(function (r) {
      const weight = 2 + 14 * Math.sqrt(r.value / peak);
      const lines = [r.route, numbers.format(r.value)];
      if (r.change !== null && r.change !== undefined) {
        lines.push(percent.format(r.change) + " · " + (T.previous || ""));
      }
      r.lines.forEach(function (line) {
        const path = L.polyline(line, { color: "#1f5f8b", weight: weight, opacity: 0.75, lineCap: "round" });
        path.bindTooltip(tooltip(lines), { sticky: true });
        path.addTo(map);
        line.forEach(function (p) { bounds.push(p); });
      });
      const end = r.lines[0][r.lines[0].length - 1];
      L.circleMarker(end, { radius: 3 + weight / 3, color: "#1f5f8b", weight: 1, fillOpacity: 0.9 })
        .bindTooltip(tooltip(lines)).addTo(map);
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 5 }); }
    return drawn.length;
  }

  function drawIncidents(incidents) {
    if (!incidents) { return 0; }
    incidents.points.forEach(function (p) {
      L.circleMarker([p[0], p[1]], {
        radius: 2 + 1.5 * Math.sqrt(p[2]),
        color: "#9b1c1c",
        weight: 1,
        fillColor: "#d64545",
        fillOpacity: 0.45,
      }).bindTooltip(tooltip([(T.incidents || "") + ": " + numbers.format(p[2])].concat(p[3] ? [p[3]] : [])))
        .addTo(map);
    });
    return incidents.points.length;
  }

  fetch(el.dataset.topo).then(function (r) { return r.json(); }).then(function (topo) {
    L.geoJSON(window.topojson.feature(topo, topo.objects.countries), {
      style: { className: "map-country", weight: 0.6, color: "#ffffff", opacity: 1, fillColor: "#e9ecef", fillOpacity: 1 },
      interactive: false,
    }).addTo(map);
    return fetch(el.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } });
  }).then(function (r) {
    if (!r.ok) { throw new Error(String(r.status)); }
    return r.json();
  }).then(function (data) {
    const routes = drawRoutes(data.routes || []);
    const incidents = drawIncidents(data.incidents);
    const notes = [];
    if (!routes) { notes.push(T.none || ""); }
    if (data.incidents && !incidents) { notes.push(T.no_incidents || ""); }
    if (statusEl) { statusEl.textContent = notes.join(" "); }
    el.dataset.routes = String(routes);
    el.dataset.incidents = String(incidents);
    el.dataset.state = "ready";
  }).catch(function () {
    el.dataset.state = "error";
  });
})();
