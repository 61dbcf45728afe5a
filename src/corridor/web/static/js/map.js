// The map page (/map): challenges by country, routes and drawn locations, with Leaflet (SVG
// renderer, no tile layer: it works offline) over the vendored Natural Earth TopoJSON.
//
// No inline scripts or styles (CSP): everything reaches the page through data-* attributes on
// #map, textContent and element.style. Markup it expects (templates/mapping/map.html):
//   <div id="map" data-topo="TopoJSON URL" data-api="/api/v1/map" data-topo-ids="{id: CC}"
//        data-labels="{themes, severities, statuses, modes, origins, countries}"
//        data-i18n="{key: translated text}">
//   <form id="map-filters"> with checkboxes theme/severity/status, selects route/origin,
//   dates since/until, radios scale (count|severity, possibly outside the form with form=);
//   #map-legend, #map-details (aria-live), #map-status, #map-disclaimer, #map-count and
//   #map-table tbody; links [data-export=csv|geojson]; buttons [data-map-action=png|print].
// For tests and benchmarks, #map gets data-state="ready" after the first drawing, data-renders
// counts every drawing, and the performance mark "corridor-map-ready" is set once.
"use strict";
(function () {
  const el = document.getElementById("map");
  if (!el || !window.L || !window.topojson) { return; }
  const L = window.L;
  const form = document.getElementById("map-filters");
  const legendEl = document.getElementById("map-legend");
  const detailsEl = document.getElementById("map-details");
  const statusEl = document.getElementById("map-status");
  const countEl = document.getElementById("map-count");
  const tableBody = document.querySelector("#map-table tbody");
  const disclaimerEl = document.getElementById("map-disclaimer");

  function parse(json) {
    try { return JSON.parse(json || "{}"); } catch (e) { return {}; }
  }
  const T = parse(el.dataset.i18n);
  const LABELS = parse(el.dataset.labels);
  const TOPO_IDS = parse(el.dataset.topoIds);
  const MULTI = ["theme", "severity", "status"];
  const SINGLE = ["route", "origin", "since", "until"];

  function t(key, values) {
    let text = T[key] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  }
  function label(kind, key) { return ((LABELS[kind] || {})[key]) || key || ""; }
  function countText(n) {
    return t(n === 1 ? "count_one" : "count_other", { n: n.toLocaleString(document.documentElement.lang || undefined) });
  }
  function countryName(cc) { return label("countries", cc); }
  // Names typed by people (a route, a hub, a location, a partner node) keep their own direction
  // in a page of either direction: each in a <bdi>, also inside a translated sentence.
  const rtl = document.documentElement.getAttribute("dir") === "rtl";
  function isolate(text) {
    const bdi = document.createElement("bdi");
    bdi.textContent = text;
    return bdi;
  }
  function withName(key, name) {
    const frag = document.createDocumentFragment();
    (T[key] || key).split("{name}").forEach(function (part, i) {
      if (i) { frag.appendChild(isolate(name)); }
      frag.appendChild(document.createTextNode(part));
    });
    return frag;
  }
  function originName(id) { return label("origins", id); }
  function status(text) { if (statusEl) { statusEl.textContent = text || ""; } }

  // Colours. Countries without challenges stay neutral; the count ramp starts saturated
  // enough to stand apart from it. Severity uses its own four steps.
  const NEUTRAL = "#e2dfd6";
  const COUNT_RAMP = ["#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"];
  const SEVERITY_ORDER = ["low", "medium", "high", "critical"];
  const SEVERITY_COLOURS = { low: "#f2d047", medium: "#f0932b", high: "#d6452a", critical: "#6e0b14" };
  const ROUTE_COLOURS = ["#1f5f8b", "#6a4c93", "#127a5a", "#8c564b", "#b5175e", "#3d5a80"];
  // Sea legs dashed, air dotted (the brief only requires sea to stand out).
  const MODE_DASH = { sea: "8 6", air: "2 6", mixed: "12 4 2 4" };

  // --- the scales -----------------------------------------------------------------------------

  function countBounds(max) {
    // Lower bounds of at most five classes. Above five they grow geometrically, so one country
    // with hundreds of challenges does not squash every other into the first class.
    const bounds = [];
    if (max <= 5) {
      for (let i = 1; i <= max; i += 1) { bounds.push(i); }
      return bounds;
    }
    for (let i = 0; i < 5; i += 1) {
      const b = Math.max(1, Math.round(Math.pow(max, i / 5)));
      if (!bounds.length || b > bounds[bounds.length - 1]) { bounds.push(b); }
    }
    return bounds;
  }

  function buildScale(data, kind) {
    const countries = data.countries || {};
    let items;
    let fill;
    if (kind === "severity") {
      items = SEVERITY_ORDER.map(function (s) { return { colour: SEVERITY_COLOURS[s], label: label("severities", s) }; });
      fill = function (cc) {
        const c = countries[cc];
        return c && c.count ? (SEVERITY_COLOURS[c.max_severity] || NEUTRAL) : NEUTRAL;
      };
    } else {
      let max = 0;
      Object.keys(countries).forEach(function (cc) { max = Math.max(max, countries[cc].count || 0); });
      const bounds = countBounds(max);
      const n = bounds.length;
      const colours = bounds.map(function (_, i) {
        return COUNT_RAMP[n === 1 ? 2 : Math.round(i * (COUNT_RAMP.length - 1) / (n - 1))];
      });
      items = bounds.map(function (lo, i) {
        const hi = i + 1 < n ? bounds[i + 1] - 1 : max;
        return { colour: colours[i], label: lo === hi ? String(lo) : lo + "–" + hi };
      });
      fill = function (cc) {
        const c = countries[cc];
        if (!c || !c.count) { return NEUTRAL; }
        let i = n - 1;
        while (i > 0 && c.count < bounds[i]) { i -= 1; }
        return colours[i];
      };
    }
    items.push({ colour: NEUTRAL, label: t("none") });
    return { kind: kind, title: t(kind === "severity" ? "scale_severity" : "scale_count"), items: items, fill: fill };
  }

  // --- the map --------------------------------------------------------------------------------

  const map = L.map(el, {
    renderer: L.svg({ padding: 0.3 }),
    minZoom: 1,
    maxZoom: 9,
    zoomSnap: 0.5,
    worldCopyJump: false,
    maxBounds: [[-85, -220], [85, 220]],
    maxBoundsViscosity: 0.7,
    attributionControl: false,
  });
  L.control.attribution({ prefix: false }).addAttribution("Natural Earth · Leaflet").addTo(map);
  map.setView([30, 30], 2);

  let countriesLayer = null;
  let routesLayer = null;
  let locationsLayer = null;
  let current = null;
  let selection = null;
  let renders = 0;

  function unwrapRing(ring) {
    // Natural Earth runs eastern Chukotka and Fiji across 180°: consecutive positions jump
    // from 179.9 to -180. Leaflet would draw that as a band around the world, so such a ring
    // is made continuous (beyond 180°). A ring with a single jump closes around a pole
    // (Antarctica) and is left alone.
    let jumps = 0;
    for (let i = 1; i < ring.length; i += 1) {
      if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) { jumps += 1; }
    }
    if (!jumps || jumps % 2) { return ring; }
    let shift = 0;
    return ring.map(function (p, i) {
      if (i > 0) {
        const d = p[0] - ring[i - 1][0];
        if (d > 180) { shift -= 360; } else if (d < -180) { shift += 360; }
      }
      return [p[0] + shift, p[1]];
    });
  }

  function unwrapGeometry(g) {
    if (g.type === "Polygon") {
      g.coordinates = g.coordinates.map(unwrapRing);
    } else if (g.type === "MultiPolygon") {
      g.coordinates = g.coordinates.map(function (poly) { return poly.map(unwrapRing); });
    }
    return g;
  }

  function drawCountries(topo) {
    const fc = window.topojson.feature(topo, topo.objects.countries);
    fc.features.forEach(function (feature) { if (feature.geometry) { unwrapGeometry(feature.geometry); } });
    countriesLayer = L.geoJSON(fc, {
      style: { className: "map-country", weight: 0.6, color: "#ffffff", opacity: 1, fillColor: NEUTRAL, fillOpacity: 1 },
      onEachFeature: function (feature, layer) {
        const key = feature.id !== undefined && feature.id !== null ? feature.id : (feature.properties || {}).name;
        layer.cc = TOPO_IDS[key] || null;
        layer.on("click", function () { if (layer.cc) { select({ kind: "country", key: layer.cc }); } });
      },
    }).addTo(map);
    countriesLayer.eachLayer(function (layer) {
      const path = layer.getElement && layer.getElement();
      if (path && layer.cc) { path.setAttribute("data-cc", layer.cc); }
    });
  }

  function textTooltip(lines) {
    // Leaflet puts string content in with innerHTML; names come from users, so an element.
    const box = document.createElement("div");
    lines.forEach(function (line, i) {
      const part = document.createElement(i === 0 ? "strong" : "div");
      part.textContent = line;
      part.dir = "auto"; // a name in its own direction
      box.appendChild(part);
    });
    return box;
  }

  function lonLat(point) { return [point[1], point[0]]; }

  function drawRoutes(data) {
    const group = L.featureGroup();
    const hubs = {};
    (data.routes || []).forEach(function (route, i) {
      const colour = ROUTE_COLOURS[i % ROUTE_COLOURS.length];
      const lines = route.legs.map(function (leg) {
        return L.polyline([lonLat(leg.from.point), lonLat(leg.to.point)], {
          className: "map-route", color: colour, weight: 3.5, opacity: 0.95,
          dashArray: MODE_DASH[leg.mode] || null, lineCap: "round",
        });
      });
      const line = L.featureGroup(lines);
      line.bindTooltip(textTooltip([route.name, countText(route.challenges || 0)]), { sticky: true });
      line.on("click", function () { select({ kind: "route", key: route.id }); });
      line.addTo(group);
      route.legs.forEach(function (leg) {
        [leg.from, leg.to].forEach(function (place) {
          if (!place.hub) { return; }
          const key = place.point.join(",");
          if (!hubs[key]) { hubs[key] = { place: place, colour: colour, route: route.id }; }
        });
      });
    });
    Object.keys(hubs).forEach(function (key) {
      const hub = hubs[key];
      L.circleMarker(lonLat(hub.place.point), {
        className: "map-hub", radius: 4, color: hub.colour, weight: 2, fillColor: "#ffffff", fillOpacity: 1,
      })
        .bindTooltip(textTooltip([hub.place.hub, countryName(hub.place.country)]))
        .on("click", function () { select({ kind: "route", key: hub.route }); })
        .addTo(group);
    });
    return group;
  }

  function drawLocations(data) {
    const features = [];
    (data.challenges || []).forEach(function (c) {
      (c.locations || []).forEach(function (loc, i) {
        features.push({ type: "Feature", geometry: loc.geometry, properties: { challenge: c, name: loc.name, index: i } });
      });
    });
    return L.geoJSON(features, {
      style: function (feature) {
        const colour = SEVERITY_COLOURS[feature.properties.challenge.severity] || "#333333";
        return { className: "map-location", color: colour, weight: 3, opacity: 1, fillColor: colour, fillOpacity: 0.35 };
      },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 6 });
      },
      onEachFeature: function (feature, layer) {
        const p = feature.properties;
        layer.bindTooltip(textTooltip([p.name || t("unnamed"), p.challenge.title]), { sticky: true });
        layer.on("click", function () {
          select({ kind: "location", key: p.challenge.id, index: p.index });
        });
      },
    });
  }

  // --- legend, details, table -----------------------------------------------------------------

  let scale = null;

  function drawLegend() {
    legendEl.replaceChildren();
    const title = document.createElement("p");
    title.className = "map-legend-title";
    title.textContent = scale.title;
    const list = document.createElement("ul");
    scale.items.forEach(function (item) {
      const li = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "map-swatch";
      swatch.style.backgroundColor = item.colour;
      li.append(swatch, document.createTextNode(item.label));
      list.appendChild(li);
    });
    legendEl.append(title, list);
  }

  function severityBadge(severity) {
    const span = document.createElement("span");
    span.className = "map-severity map-severity-" + severity;
    span.textContent = label("severities", severity);
    return span;
  }

  function challengeLink(c) {
    const a = document.createElement("a");
    a.href = "/challenges/" + encodeURIComponent(c.id);
    a.textContent = c.title;
    a.dir = "auto"; // a title keeps its own direction (and its end punctuation) in any page
    return a;
  }

  function challengeList(challenges) {
    if (!challenges.length) {
      const p = document.createElement("p");
      p.className = "muted";
      p.textContent = t("nomatch");
      return p;
    }
    const ul = document.createElement("ul");
    ul.className = "map-challenges";
    challenges.forEach(function (c) {
      const li = document.createElement("li");
      const meta = document.createElement("div");
      meta.className = "map-meta";
      meta.append(
        document.createTextNode(label("themes", c.theme) + " · "),
        severityBadge(c.severity),
        document.createTextNode(" · " + label("statuses", c.status) + " · "),
        isolate(originName(c.origin)),
      );
      li.append(challengeLink(c), meta);
      ul.appendChild(li);
    });
    return ul;
  }

  function heading(content) {
    const h = document.createElement("h2");
    h.append(content);
    return h;
  }

  function clearButton() {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "link map-clear";
    b.textContent = "×";
    b.setAttribute("aria-label", t("clear"));
    b.title = t("clear");
    b.addEventListener("click", function () { select(null); });
    return b;
  }

  function showOverview(data) {
    const hint = document.createElement("p");
    hint.className = "muted";
    hint.textContent = t("hint");
    detailsEl.replaceChildren(hint);
    const countries = Object.keys(data.countries || {}).sort(function (a, b) {
      return data.countries[b].count - data.countries[a].count || countryName(a).localeCompare(countryName(b));
    });
    if (!countries.length) { return; }
    const h = document.createElement("h3");
    h.textContent = t("countries");
    const ul = document.createElement("ul");
    ul.className = "map-country-list";
    countries.slice(0, 30).forEach(function (cc) {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "link";
      b.textContent = countryName(cc) + " (" + data.countries[cc].count + ")";
      b.addEventListener("click", function () { select({ kind: "country", key: cc }); });
      li.appendChild(b);
      ul.appendChild(li);
    });
    detailsEl.append(h, ul);
  }

  function showDetails() {
    const data = current;
    if (!data) { return; }
    if (!selection) { showOverview(data); return; }
    const all = data.challenges || [];
    let title;
    let list;
    let extra = null;
    if (selection.kind === "country") {
      title = t("country", { name: countryName(selection.key) });
      list = all.filter(function (c) { return c.countries.indexOf(selection.key) >= 0; });
    } else if (selection.kind === "route") {
      const route = (data.routes || []).find(function (r) { return r.id === selection.key; });
      if (!route) { selection = null; showOverview(data); return; }
      title = withName("route", route.name);
      list = all.filter(function (c) {
        return (c.routes || []).some(function (ref) { return ref.route === route.id; });
      });
      extra = document.createElement("ol");
      extra.className = "map-legs";
      route.legs.forEach(function (leg) {
        const li = document.createElement("li");
        // Each end isolated (a hub is typed by whoever recorded the route); the arrow points
        // the way the page reads.
        const end = function (p) { return isolate((p.hub ? p.hub + ", " : "") + countryName(p.country)); };
        li.append(end(leg.from), rtl ? " ← " : " → ", end(leg.to), " · " + label("modes", leg.mode));
        extra.appendChild(li);
      });
    } else {
      const c = all.find(function (x) { return x.id === selection.key; });
      if (!c) { selection = null; showOverview(data); return; }
      const loc = (c.locations || [])[selection.index] || {};
      title = loc.name ? withName("location", loc.name) : t("location", { name: t("unnamed") });
      list = [c];
    }
    const head = document.createElement("div");
    head.className = "map-details-head";
    head.append(heading(title), clearButton());
    const count = document.createElement("p");
    count.className = "muted";
    count.textContent = countText(list.length);
    detailsEl.replaceChildren(head, count);
    if (extra) { detailsEl.appendChild(extra); }
    detailsEl.appendChild(challengeList(list));
  }

  function select(what) {
    selection = what;
    showDetails();
  }

  function cell(content) {
    const td = document.createElement("td");
    if (typeof content === "string") { td.textContent = content; } else { td.appendChild(content); }
    return td;
  }

  function drawTable(data) {
    const frag = document.createDocumentFragment();
    (data.challenges || []).forEach(function (c) {
      const tr = document.createElement("tr");
      tr.append(
        cell(challengeLink(c)),
        cell(label("themes", c.theme)),
        cell(severityBadge(c.severity)),
        cell(label("statuses", c.status)),
        cell(c.countries.map(countryName).join(", ")),
        cell(isolate(originName(c.origin))),
        cell(c.identified || ""),
      );
      frag.appendChild(tr);
    });
    tableBody.replaceChildren(frag);
    countEl.textContent = countText((data.challenges || []).length);
  }

  // --- filters and data -----------------------------------------------------------------------

  function boxes(name) { return form.querySelectorAll("input[type=checkbox][name=" + name + "]"); }

  function nonePicked() {
    return MULTI.some(function (name) {
      const all = boxes(name);
      return all.length > 0 && !Array.prototype.some.call(all, function (b) { return b.checked; });
    });
  }

  function apiQuery() {
    // Everything ticked is the same as no filter: the query stays short and bookmarkable.
    // The page preloads the first answer from mapping/map/pages.py _api_query's URL: keep both in step.
    const fd = new FormData(form);
    const q = new URLSearchParams();
    MULTI.forEach(function (name) {
      const picked = fd.getAll(name);
      if (picked.length && picked.length < boxes(name).length) {
        picked.forEach(function (v) { q.append(name, v); });
      }
    });
    SINGLE.forEach(function (name) {
      const v = fd.get(name);
      if (v) { q.append(name, v); }
    });
    return q;
  }

  function scaleKind() {
    const picked = document.querySelector("input[name=scale]:checked");
    return picked ? picked.value : "count";
  }

  function pageQuery() {
    const q = apiQuery();
    MULTI.forEach(function (name) {
      // Nothing ticked shows nothing; written as an empty value so a bookmark keeps it.
      if (boxes(name).length && !form.querySelector("input[name=" + name + "]:checked")) { q.append(name, ""); }
    });
    if (scaleKind() !== "count") { q.append("scale", scaleKind()); }
    return q;
  }

  function withQuery(base, q) {
    const s = q.toString();
    return s ? base + "?" + s : base;
  }

  function syncUrl() {
    history.replaceState(history.state, "", withQuery(window.location.pathname, pageQuery()));
    const q = apiQuery();
    document.querySelectorAll("a[data-export]").forEach(function (a) {
      a.href = withQuery(a.dataset.base || a.getAttribute("href").split("?")[0], q);
    });
  }

  let seq = 0;
  function fetchData() {
    const mine = ++seq;
    status(t("loading"));
    return fetch(withQuery(el.dataset.api, apiQuery()), {
      headers: { Accept: "application/json" }, credentials: "same-origin",
    }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (data) {
      // A slower answer to an earlier filter must not overwrite a newer one.
      return mine === seq ? data : null;
    });
  }

  function emptied(data) {
    // A filter with nothing ticked: the routes stay, no challenge can match.
    return {
      generated_at: data.generated_at, filters: data.filters, countries: {}, challenges: [],
      routes: (data.routes || []).map(function (r) { return Object.assign({}, r, { challenges: 0 }); }),
    };
  }

  function render(data) {
    current = nonePicked() ? emptied(data) : data;
    scale = buildScale(current, scaleKind());
    countriesLayer.eachLayer(function (layer) {
      layer.setStyle({ fillColor: layer.cc ? scale.fill(layer.cc) : NEUTRAL });
    });
    // Routes and locations are redrawn above the countries (SVG paints in document order).
    if (routesLayer) { map.removeLayer(routesLayer); }
    if (locationsLayer) { map.removeLayer(locationsLayer); }
    locationsLayer = drawLocations(current).addTo(map);
    routesLayer = drawRoutes(current).addTo(map);
    drawLegend();
    drawTable(current);
    showDetails();
    status("");
    renders += 1;
    el.dataset.renders = String(renders);
    if (el.dataset.state !== "ready") {
      focusOn(current);
      el.dataset.state = "ready";
      if (window.performance && performance.mark) { performance.mark("corridor-map-ready"); }
    }
  }

  function focusOn(data) {
    // The first view frames what there is to see: the countries with challenges and the
    // routes (the whole world when the network spans it), never closer than a region.
    const bounds = L.latLngBounds([]);
    countriesLayer.eachLayer(function (layer) {
      if (layer.cc && (data.countries || {})[layer.cc]) { bounds.extend(layer.getBounds()); }
    });
    const routes = routesLayer && routesLayer.getLayers().length ? routesLayer.getBounds() : null;
    if (routes && routes.isValid()) { bounds.extend(routes); }
    // Framing means drawing every outline again at the new zoom (a tenth of a second with
    // 1:50m outlines), so a network spread over half the world keeps the world view it has.
    if (bounds.isValid() && bounds.getEast() - bounds.getWest() < 180) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 5, animate: false });
    }
  }

  function failed() {
    status(t("failed"));
  }

  let pending = null;
  function show(data) {
    // An answer that arrives before the outlines waits for them.
    if (!data) { return; }
    if (countriesLayer) { render(data); } else { pending = data; }
  }

  function reload() {
    return fetchData().then(show, failed);
  }

  let timer = null;
  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(function () { syncUrl(); reload(); }, delay);
  }

  form.addEventListener("change", function () { schedule(150); });
  form.addEventListener("submit", function (event) { event.preventDefault(); schedule(0); });
  document.querySelectorAll("input[name=scale]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      syncUrl();
      if (current && countriesLayer) { render(current); }
    });
  });

  // Real time: corridor.js re-announces each server-sent record event on <body>; a new or
  // withdrawn challenge or route (or a reconnect, which has no type) refreshes the map.
  document.body.addEventListener("corridor-record", function (event) {
    const d = event.detail || {};
    if (!d.type || d.type === "challenge" || d.type === "route") { schedule(500); }
  });

  // --- PNG, print -----------------------------------------------------------------------------

  const STYLE_PROPS = ["fill", "fill-opacity", "fill-rule", "stroke", "stroke-opacity", "stroke-width",
    "stroke-dasharray", "stroke-linecap", "stroke-linejoin"];

  function svgImageUrl(svg) {
    // The SVG as a data: URL (the CSP allows data: images, not blob:), with each path's
    // computed paint written out so it does not depend on the page's style sheets.
    const clone = svg.cloneNode(true);
    const from = svg.querySelectorAll("path");
    const to = clone.querySelectorAll("path");
    from.forEach(function (path, i) {
      const cs = window.getComputedStyle(path);
      STYLE_PROPS.forEach(function (prop) { to[i].setAttribute(prop, cs.getPropertyValue(prop)); });
      to[i].removeAttribute("class");
    });
    clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    clone.removeAttribute("style"); // Leaflet's translate3d: the canvas places the image itself
    return "data:image/svg+xml;charset=utf-8," + encodeURIComponent(new XMLSerializer().serializeToString(clone));
  }

  function wrap(ctx, text, width) {
    const words = text.split(/\s+/);
    const lines = [];
    let line = "";
    words.forEach(function (w) {
      const next = line ? line + " " + w : w;
      if (ctx.measureText(next).width > width && line) { lines.push(line); line = w; } else { line = next; }
    });
    if (line) { lines.push(line); }
    return lines;
  }

  function filtersText() {
    const parts = [];
    const fd = new FormData(form);
    const kinds = { theme: "themes", severity: "severities", status: "statuses" };
    MULTI.forEach(function (name) {
      const picked = fd.getAll(name);
      if (picked.length < boxes(name).length) {
        parts.push(t(name) + ": " + picked.map(function (v) { return label(kinds[name], v); }).join(", "));
      }
    });
    const route = form.querySelector("select[name=route]");
    if (route && route.value) { parts.push(route.options[route.selectedIndex].text); }
    const origin = form.querySelector("select[name=origin]");
    if (origin && origin.value) { parts.push(t("member") + ": " + origin.options[origin.selectedIndex].text); }
    if (fd.get("since")) { parts.push(t("from") + " " + fd.get("since")); }
    if (fd.get("until")) { parts.push(t("until") + " " + fd.get("until")); }
    return t("filters", { filters: parts.length ? parts.join("; ") : t("allfilters") });
  }

  function exportPng() {
    const svg = el.querySelector(".leaflet-overlay-pane svg");
    if (!svg || !scale) { return; }
    const box = el.getBoundingClientRect();
    const r = svg.getBoundingClientRect();
    const width = Math.round(box.width);
    const mapHeight = Math.round(box.height);
    const pad = 12;
    const font = window.getComputedStyle(document.body).fontFamily || "sans-serif";
    const measure = document.createElement("canvas").getContext("2d");
    measure.font = "12px " + font;
    const notes = [].concat(
      wrap(measure, filtersText(), width - 2 * pad),
      wrap(measure, (disclaimerEl ? disclaimerEl.textContent.trim() : ""), width - 2 * pad),
      [t("generated", { when: ((current && current.generated_at) || new Date().toISOString()).slice(0, 16).replace("T", " ") + " UTC" })],
    );
    const top = 36;
    const bottom = pad + notes.length * 16 + pad;
    const ratio = Math.min(2, window.devicePixelRatio || 1) || 1;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round((top + mapHeight + bottom) * ratio);
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, width, top + mapHeight + bottom);
    ctx.fillStyle = "#1b2a3a";
    ctx.font = "bold 16px " + font;
    ctx.textBaseline = "middle";
    ctx.fillText(t("title") + " · " + countText((current.challenges || []).length), pad, top / 2);
    ctx.fillStyle = window.getComputedStyle(el).backgroundColor || "#c9dcec";
    ctx.fillRect(0, top, width, mapHeight);
    const img = new Image();
    img.onload = function () {
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, top, width, mapHeight);
      ctx.clip();
      ctx.drawImage(img, r.left - box.left, top + r.top - box.top, r.width, r.height);
      ctx.restore();
      drawCanvasLegend(ctx, font, pad, top + mapHeight);
      ctx.fillStyle = "#1b2a3a";
      ctx.font = "12px " + font;
      ctx.textBaseline = "top";
      notes.forEach(function (line, i) { ctx.fillText(line, pad, top + mapHeight + pad + i * 16); });
      const a = document.createElement("a");
      a.href = canvas.toDataURL("image/png");
      a.download = "corridor-map.png";
      document.body.appendChild(a);
      a.click();
      a.remove();
    };
    img.onerror = function () { status(t("png_failed")); };
    img.src = svgImageUrl(svg);
  }

  function drawCanvasLegend(ctx, font, pad, bottomEdge) {
    ctx.font = "12px " + font;
    const rowH = 16;
    const widths = scale.items.map(function (item) { return ctx.measureText(item.label).width; });
    ctx.font = "bold 12px " + font;
    const titleW = ctx.measureText(scale.title).width;
    const w = Math.max(titleW, 18 + Math.max.apply(null, widths)) + 2 * 8;
    const h = 8 + rowH + scale.items.length * rowH + 8;
    const x = pad;
    const y = bottomEdge - pad - h;
    ctx.fillStyle = "rgba(255, 255, 255, 0.9)";
    ctx.fillRect(x, y, w, h);
    ctx.strokeStyle = "#b8c2cc";
    ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
    ctx.textBaseline = "middle";
    ctx.fillStyle = "#1b2a3a";
    ctx.fillText(scale.title, x + 8, y + 8 + rowH / 2);
    ctx.font = "12px " + font;
    scale.items.forEach(function (item, i) {
      const cy = y + 8 + rowH * (i + 1) + rowH / 2;
      ctx.fillStyle = item.colour;
      ctx.fillRect(x + 8, cy - 5, 12, 10);
      ctx.strokeStyle = "#8a96a3";
      ctx.strokeRect(x + 8.5, cy - 4.5, 11, 9);
      ctx.fillStyle = "#1b2a3a";
      ctx.fillText(item.label, x + 8 + 18, cy);
    });
  }

  document.querySelectorAll("[data-map-action]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (button.dataset.mapAction === "png") { exportPng(); }
      if (button.dataset.mapAction === "print") { window.print(); }
    });
  });

  // --- start: outlines and data in parallel ---------------------------------------------------

  const topo = fetch(el.dataset.topo, { credentials: "same-origin" }).then(function (r) {
    if (!r.ok) { throw new Error("HTTP " + r.status); }
    return r.json();
  });
  // The outlines are drawn while the data is still on its way (it is the slower of the two);
  // an answer that comes first waits in `pending`.
  syncUrl();
  const outlines = topo.then(drawCountries);
  const first = fetchData();
  Promise.all([outlines, first]).then(function (results) {
    // null: the filters changed meanwhile, and the newer answer is shown (or pending) instead.
    const data = results[1] || pending;
    pending = null;
    if (data) { render(data); }
  }, failed);
})();
