// Alerts pages: the live map of active alerts (/alerts), the area of one alert (/alerts/<id>)
// and the visible notification of a new alert arriving from a partner node.
//
// No inline scripts or styles (CSP): data reach the script through data-* attributes and JSON
// endpoints, text through textContent. The map is Leaflet without a tile layer over the vendored
// Natural Earth TopoJSON (like static/js/map.js), so it works offline.
// Markup it expects: #alert-map[data-topo, data-api, data-i18n] with #alert-map-status and
// #alert-notices (index), or #alert-area-map[data-topo, data-area, data-severity] (detail).
// For tests, #alert-map gets data-state="ready" and data-count after each drawing.
"use strict";
(function () {
  const SEVERITY_COLOURS = { urgent: "#a4262c", high: "#d6452a", medium: "#f0932b", low: "#c9a800" };
  const NEUTRAL = "#e2dfd6";

  function parse(json) {
    try { return JSON.parse(json || "{}"); } catch (e) { return {}; }
  }

  function baseMap(el) {
    const L = window.L;
    const map = L.map(el, {
      renderer: L.svg({ padding: 0.3 }), minZoom: 1, maxZoom: 10, zoomSnap: 0.5,
      maxBounds: [[-85, -220], [85, 220]], attributionControl: false,
    });
    L.control.attribution({ prefix: false }).addAttribution("Natural Earth · Leaflet").addTo(map);
    map.setView([35, 25], 3);
    fetch(el.dataset.topo, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (topo) {
      const fc = window.topojson.feature(topo, topo.objects.countries);
      const layer = L.geoJSON(fc, {
        interactive: false,
        style: { className: "alert-country", weight: 0.6, color: "#ffffff", opacity: 1, fillColor: NEUTRAL, fillOpacity: 1 },
      }).addTo(map);
      layer.bringToBack();
    }).catch(function () { /* outlines are decoration; the areas still show */ });
    return map;
  }

  function areaLayer(geometry, severity, onEach) {
    const L = window.L;
    const colour = SEVERITY_COLOURS[severity] || SEVERITY_COLOURS.medium;
    return L.geoJSON({ type: "Feature", geometry: geometry, properties: {} }, {
      style: { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.25, className: "alert-area sev-" + severity },
      pointToLayer: function (_f, latlng) {
        return L.circleMarker(latlng, { radius: 8, color: colour, weight: 2, fillColor: colour, fillOpacity: 0.6, className: "alert-area sev-" + severity });
      },
      onEachFeature: onEach || null,
    });
  }

  // --- one alert's area (detail page) ------------------------------------------------------
  const small = document.getElementById("alert-area-map");
  if (small && window.L && window.topojson) {
    const map = baseMap(small);
    const layer = areaLayer(parse(small.dataset.area), small.dataset.severity).addTo(map);
    const bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds.pad(0.8), { maxZoom: 8 }); }
    small.dataset.state = "ready";
  }

  // --- the live map and notifications (index) ----------------------------------------------
  const el = document.getElementById("alert-map");
  const notices = document.getElementById("alert-notices");
  const T = parse(el ? el.dataset.i18n : "{}");
  function t(key, values) {
    let text = T[key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  }
  function label(kind, key) { return (T[kind] || {})[key] || key || ""; }

  let map = null;
  let areas = null;
  const statusEl = document.getElementById("alert-map-status");
  if (el && window.L && window.topojson) {
    map = baseMap(el);
    areas = window.L.featureGroup().addTo(map);
  }

  function popup(item) {
    const box = document.createElement("div");
    const sev = document.createElement("strong");
    sev.textContent = label("severities", item.severity) + " · " + label("types", item.type);
    const link = document.createElement("a");
    link.href = "/alerts/" + item.id;
    link.textContent = item.title || "";
    box.appendChild(sev);
    box.appendChild(document.createElement("br"));
    box.appendChild(link);
    return box;
  }

  function draw(items) {
    if (!areas) { return; }
    areas.clearLayers();
    let drawn = 0;
    items.forEach(function (item) {
      if (!item.area || item.state !== "active") { return; }
      areaLayer(item.area, item.severity, function (_f, layer) {
        layer.bindPopup(popup(item));
      }).addTo(areas);
      drawn += 1;
    });
    el.dataset.state = "ready";
    el.dataset.count = String(drawn);
    if (statusEl) {
      statusEl.textContent = drawn === 1 ? t("count_one") : t("count_other", { n: drawn });
    }
    return drawn;
  }

  let latest = 0;
  function load() {
    const ticket = ++latest;
    return fetch(el.dataset.api, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (data) {
        if (ticket !== latest) { return null; }  // a newer answer is on its way
        const items = data.items || [];
        const firstDraw = el.dataset.state !== "ready";
        const drawn = draw(items);
        if (firstDraw && drawn && map) { map.fitBounds(areas.getBounds().pad(0.5), { maxZoom: 7 }); }
        return items;
      })
      .catch(function () {
        if (statusEl) { statusEl.textContent = t("failed"); }
        return null;
      });
  }

  function notify(item) {
    if (!notices) { return; }
    const urgent = item.severity === "urgent";
    const box = document.createElement("div");
    box.className = "alert-notice" + (urgent ? " alert-notice--urgent" : "");
    box.setAttribute("data-alert", item.id);
    const head = document.createElement("strong");
    head.textContent = (urgent ? t("urgent") : t("new")) + " · " + label("types", item.type);
    const link = document.createElement("a");
    link.href = "/alerts/" + item.id;
    link.textContent = item.title || t("open");
    const close = document.createElement("button");
    close.type = "button";
    close.className = "link alert-notice-close";
    close.textContent = t("dismiss");
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(head);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(link);
    box.appendChild(close);
    notices.prepend(box);
  }

  if (el) {
    if (map) { load(); }
    // corridor.js re-dispatches every server-sent `record` event on <body>.
    document.body.addEventListener("corridor-record", function (e) {
      const data = e.detail || {};
      if (data.type !== "alert") { return; }
      load().then(function (items) {
        if (!items || data.state !== "active") { return; }
        const item = items.find(function (i) { return i.id === data.id; });
        if (item && !document.querySelector('.alert-notice[data-alert="' + item.id + '"]')) { notify(item); }
      });
    });
  }
})();
