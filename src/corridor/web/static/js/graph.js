// The link graph view: draws the case graph with Cytoscape.js (vendored, loaded before this file)
// and wires the toolbar. No inline scripts or styles (CSP): data reaches the page only through
// textContent and Cytoscape's canvas.
//
// Markup it expects:
//   <div id="graph" data-src="/api/v1/cases/ID/graph" data-save="/api/v1/cases/ID/charts"></div>
//   buttons with data-graph-action="expand|filter|pin|save|png|fit|layout"
//   <select data-graph-filter> (values: schema names or the groups below; left with at most an
//     "all" option, it is filled with the groups on the graph)
//   <aside id="graph-details"> for the selected node or link
//   optional [data-graph-status] (aria-live) for messages.
// Translations: data-t<key> on #graph (lower case, as corridor.js does), e.g. data-tsaved,
// data-tloading, data-tgroupperson for the filter's "person"; see MESSAGES for the keys.
// The JSON at data-src is corridor.entities.graph.to_cytoscape's, plus "truncated"; a saved chart
// may add "positions" ({id: {x, y}}) and "pinned" ([id]), which are applied when present.
// Expanding asks data-src + "?seed=ID&hops=1" (selector nodes have ids like sel:phone:+92...).
// Saving POSTs {"positions": {id: {x, y}}, "pinned": [id]} with the X-CSRF-Token header.
"use strict";
(function () {
  const container = document.getElementById("graph");
  if (!container || !window.cytoscape) { return; }

  const SCHEMA_GROUPS = {
    Person: "person", Organization: "organisation", Company: "organisation",
    LegalEntity: "organisation", PublicBody: "organisation",
    BankAccount: "account", CryptoWallet: "account",
    Vessel: "vessel", Vehicle: "vehicle", Airplane: "vehicle",
    Passport: "document", Identification: "document", Document: "document",
    MobileDevice: "device", UserAccount: "device",
    Address: "address", Event: "event", Trip: "event",
  };
  const SELECTOR_GROUPS = { phone: "phone", account: "account", document: "document",
    imei: "device", imsi: "device", iccid: "device", handle: "device", email: "device",
    imo: "vessel", mmsi: "vessel", plate: "vehicle", address: "address" };
  const COMMUNITY_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
    "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"];
  const MESSAGES = {
    loading: "Loading the graph…", failed: "The graph could not be loaded.",
    truncated: "Only part of the network is shown: expand a node to see more.",
    saved: "Chart saved.", savefailed: "The chart could not be saved.",
    expandfailed: "The neighbours could not be loaded.", select: "Select one or more nodes first.",
    schema: "Type", community: "Network", pagerank: "PageRank", betweenness: "Betweenness",
    degree: "Degree", open: "Open entity", links: "Links", all: "All types",
  };
  function t(key) { return container.dataset["t" + key] || MESSAGES[key]; }

  const statusEl = document.querySelector("[data-graph-status]");
  function status(text) { if (statusEl) { statusEl.textContent = text || ""; } }

  function groupOf(data) {
    if (data.schema === "Selector") { return SELECTOR_GROUPS[data.kind] || "selector"; }
    return SCHEMA_GROUPS[data.schema] || "other";
  }

  function withGroups(elements) {
    (elements.nodes || []).forEach(function (n) {
      n.classes = groupOf(n.data) + (n.data.schema === "Selector" ? " selector" : "");
    });
    return elements;
  }

  function communityColour(ele) {
    const c = ele.data("community");
    return typeof c === "number" ? COMMUNITY_COLOURS[c % COMMUNITY_COLOURS.length] : "#5b6b7b";
  }

  function nodeSize(ele) {
    const s = ele.data("size");
    return typeof s === "number" ? 18 + 46 * Math.sqrt(s) : 26;
  }

  const style = [
    { selector: "node", style: {
      "label": "data(label)", "font-size": 10, "text-valign": "bottom", "text-margin-y": 3,
      "text-wrap": "ellipsis", "text-max-width": 120, "color": "#1b2a3a",
      "width": nodeSize, "height": nodeSize, "background-color": "#8899aa",
      "border-width": 3, "border-color": communityColour } },
    { selector: ".person", style: { "shape": "ellipse", "background-color": "#3b7dd8" } },
    { selector: ".organisation", style: { "shape": "round-rectangle", "background-color": "#6a4c93" } },
    { selector: ".phone", style: { "shape": "round-tag", "background-color": "#e07a1f" } },
    { selector: ".account", style: { "shape": "hexagon", "background-color": "#1e7b4a" } },
    { selector: ".vessel", style: { "shape": "barrel", "background-color": "#0f6e7a" } },
    { selector: ".vehicle", style: { "shape": "rhomboid", "background-color": "#6b8e23" } },
    { selector: ".document", style: { "shape": "rectangle", "background-color": "#a4262c" } },
    { selector: ".device", style: { "shape": "round-diamond", "background-color": "#c2185b" } },
    { selector: ".address", style: { "shape": "triangle", "background-color": "#7f6a3b" } },
    { selector: ".event", style: { "shape": "star", "background-color": "#b8860b" } },
    { selector: ".selector", style: { "border-style": "dashed", "width": 20, "height": 20,
      "font-size": 9 } },
    { selector: ".pinned", style: { "border-style": "double", "border-width": 6 } },
    { selector: "node:selected", style: { "overlay-color": "#1f5f8b", "overlay-opacity": 0.25 } },
    { selector: "edge", style: {
      "curve-style": "bezier", "line-color": "#b0bac5", "target-arrow-color": "#b0bac5",
      "width": function (ele) { return 1 + Math.min(6, Math.log2(ele.data("weight") || 1)); },
      "font-size": 9, "text-rotation": "autorotate", "color": "#5b6b7b" } },
    { selector: "edge[?directed]", style: { "target-arrow-shape": "triangle" } },
    { selector: "edge:selected, edge.hover", style: { "label": "data(label)",
      "line-color": "#1f5f8b", "target-arrow-color": "#1f5f8b" } },
    { selector: ".filtered", style: { "display": "none" } },
  ];

  // Cytoscape adds a <style> element for `position: relative` on its container unless one with
  // this id exists; the CSP would block it, so the rule is set through the CSSOM instead.
  if (!document.getElementById("__________cytoscape_stylesheet")) {
    const marker = document.createElement("meta");
    marker.id = "__________cytoscape_stylesheet";
    document.head.appendChild(marker);
  }
  if (window.getComputedStyle(container).position === "static") {
    container.style.position = "relative";
  }
  // Cytoscape draws into the container's box: one without a height would show nothing.
  if (!container.clientHeight) { container.style.height = "70vh"; }

  const cy = window.cytoscape({
    container: container, style: style, elements: [], minZoom: 0.05, maxZoom: 4,
  });

  function runLayout(options) {
    const layout = cy.layout(Object.assign({
      name: "cose", animate: false, randomize: false, nodeDimensionsIncludeLabels: true,
      idealEdgeLength: function () { return 80; }, nodeRepulsion: function () { return 9000; },
      numIter: 1500, fit: true, padding: 30,
    }, options || {}));
    layout.run();
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status + " " + url); }
        return response.json();
      });
  }

  function addElements(elements) {
    const fresh = [];
    (elements.nodes || []).concat(elements.edges || []).forEach(function (el) {
      const existing = cy.getElementById(el.data.id);
      if (existing.empty()) { fresh.push(el); } else { existing.data(el.data); }
    });
    return cy.add(fresh);
  }

  // The page may list the types itself; when it gives none, the types on the graph are offered
  // (and kept up to date as the graph grows).
  const filterSelect = document.querySelector("[data-graph-filter]");
  const ownFilter = Boolean(filterSelect) && filterSelect.options.length <= 1;
  function fillFilter() {
    if (!ownFilter) { return; }
    const present = {};
    cy.nodes().forEach(function (n) { present[groupOf(n.data())] = true; });
    const current = filterSelect.value;
    const all = document.createElement("option");
    all.value = ""; all.textContent = t("all");
    const options = [all].concat(Object.keys(present).sort().map(function (group) {
      const option = document.createElement("option");
      option.value = group;
      option.textContent = container.dataset["tgroup" + group] || group;
      return option;
    }));
    filterSelect.replaceChildren.apply(filterSelect, options);
    filterSelect.value = current;
  }

  function applyFilter() {
    const value = filterSelect ? filterSelect.value : "";
    cy.batch(function () {
      cy.nodes().forEach(function (n) {
        const show = !value || n.data("schema") === value || groupOf(n.data()) === value;
        n.toggleClass("filtered", !show);
      });
    });
  }

  function applySaved(data) {
    // A saved chart comes back with the positions and pins it was saved with.
    const positions = data.positions || {};
    let placed = 0;
    cy.nodes().forEach(function (n) {
      const p = positions[n.id()];
      if (p && typeof p.x === "number" && typeof p.y === "number") {
        n.position({ x: p.x, y: p.y });
        placed += 1;
      }
    });
    (data.pinned || []).forEach(function (id) {
      const n = cy.getElementById(id);
      if (n.nonempty()) { n.lock(); n.addClass("pinned"); }
    });
    return placed === cy.nodes().length && placed > 0;
  }

  function load() {
    status(t("loading"));
    getJSON(container.dataset.src).then(function (data) {
      cy.add(withGroups(data).nodes || []);
      cy.add(data.edges || []);
      if (applySaved(data)) { cy.fit(undefined, 30); } else { runLayout({ randomize: true }); }
      fillFilter();
      applyFilter();
      status(data.truncated ? t("truncated") : "");
    }).catch(function () { status(t("failed")); });
  }

  function expand(nodes) {
    if (!nodes.length) { status(t("select")); return; }
    const separator = container.dataset.src.indexOf("?") < 0 ? "?" : "&";
    const requests = nodes.map(function (n) {
      return getJSON(container.dataset.src + separator + "seed=" + encodeURIComponent(n.id()) +
        "&hops=1");
    });
    Promise.all(requests).then(function (answers) {
      let truncated = false;
      cy.batch(function () {
        answers.forEach(function (data, i) {
          const origin = nodes[i].position();
          addElements(withGroups(data)).nodes().forEach(function (n) {
            // Start new neighbours around the node they came from, then let the layout settle.
            n.position({ x: origin.x + (Math.random() - 0.5) * 80,
                         y: origin.y + (Math.random() - 0.5) * 80 });
          });
          truncated = truncated || Boolean(data.truncated);
        });
      });
      runLayout({ fit: false });
      fillFilter();
      applyFilter();
      status(truncated ? t("truncated") : "");
    }).catch(function () { status(t("expandfailed")); });
  }

  function togglePin(nodes) {
    if (!nodes.length) { status(t("select")); return; }
    nodes.forEach(function (n) {
      if (n.locked()) { n.unlock(); n.removeClass("pinned"); } else { n.lock(); n.addClass("pinned"); }
    });
  }

  function save() {
    const positions = {};
    cy.nodes().forEach(function (n) {
      const p = n.position();
      positions[n.id()] = { x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 };
    });
    const pinned = cy.nodes(".pinned").map(function (n) { return n.id(); });
    const token = document.querySelector('meta[name="csrf-token"]');
    fetch(container.dataset.save, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRF-Token": token ? token.content : "" },
      body: JSON.stringify({ positions: positions, pinned: pinned }),
    }).then(function (response) {
      status(response.ok ? t("saved") : t("savefailed"));
    }).catch(function () { status(t("savefailed")); });
  }

  function exportPng() {
    // Bounded so a large chart still fits in one canvas.
    const blob = cy.png({ full: true, output: "blob", bg: "#ffffff", scale: 2,
                          maxWidth: 8000, maxHeight: 8000 });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = (container.dataset.name || "graph") + ".png";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  const details = document.getElementById("graph-details");
  function row(list, term, value) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    list.append(dt, dd);
  }
  function entityLink(id, text) {
    const a = document.createElement("a");
    a.href = "/entities/" + encodeURIComponent(id);
    a.textContent = text;
    return a;
  }
  function showNode(n) {
    if (!details) { return; }
    const data = n.data();
    const title = document.createElement("h3");
    title.textContent = data.label;
    const list = document.createElement("dl");
    row(list, t("schema"), data.schema === "Selector" ? data.kind : data.schema);
    if (typeof data.community === "number") { row(list, t("community"), String(data.community + 1)); }
    ["pagerank", "betweenness", "degree"].forEach(function (measure) {
      if (typeof data[measure] === "number") { row(list, t(measure), data[measure].toFixed(4)); }
    });
    const parts = [title, list];
    if (data.kind === "entity") { parts.push(entityLink(data.id, t("open"))); }
    details.replaceChildren.apply(details, parts);
  }
  function showEdge(e) {
    if (!details) { return; }
    const title = document.createElement("h3");
    title.textContent = e.source().data("label") + " – " + e.target().data("label");
    const list = document.createElement("ul");
    (e.data("relations") || []).forEach(function (r) {
      const item = document.createElement("li");
      const when = [r.start, r.end].filter(Boolean).join(" – ");
      const text = r.label + (when ? " (" + when + ")" : "");
      item.append(r.entity ? entityLink(r.entity, text) : document.createTextNode(text));
      list.appendChild(item);
    });
    details.replaceChildren(title, list);
  }

  cy.on("tap", "node", function (event) { showNode(event.target); });
  cy.on("tap", "edge", function (event) { showEdge(event.target); });
  cy.on("dbltap", "node", function (event) { expand([event.target]); });
  cy.on("mouseover", "edge", function (event) { event.target.addClass("hover"); });
  cy.on("mouseout", "edge", function (event) { event.target.removeClass("hover"); });

  const actions = {
    expand: function () { expand(cy.nodes(":selected").toArray()); },
    filter: applyFilter,
    pin: function () { togglePin(cy.nodes(":selected").toArray()); },
    save: save,
    png: exportPng,
    fit: function () { cy.fit(cy.elements(":visible"), 30); },
    layout: function () { runLayout(); },
  };
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-graph-action]");
    const action = button && actions[button.dataset.graphAction];
    if (action) { event.preventDefault(); action(); }
  });
  if (filterSelect) { filterSelect.addEventListener("change", applyFilter); }

  // For the browser tests and the console: the Cytoscape instance of this page.
  container.cy = cy;
  load();
})();
