// The link graph view: draws the case graph with Cytoscape.js (vendored, loaded before this file),
// keeps it readable and reachable by keyboard, and wires the toolbar. No inline scripts or styles
// (CSP): data reaches the page only through textContent, Cytoscape's canvas and the server's own
// HTML fragment of an entity's facts.
//
// Readable: node names are drawn at LABEL_PX screen pixels whatever the zoom (the stylesheet is
// rebuilt for the zoom), and only where they fit: the most central nodes are named first, a
// name that would cover another name or node waits until the user zooms in, hovers or focuses
// it. Focusing a node (tap, or Enter in the list of nodes) dims all but its neighbourhood and
// shows its facts, its links and actions in the side panel. The legend says what shapes,
// colours, outlines and lines mean for the nodes shown.
//
// Markup it expects (templates/entities/graph.html):
//   <div id="graph" data-src="/api/v1/cases/ID/graph" data-save="/api/v1/cases/ID/charts"
//        data-facts="/cases/ID/graph/_node/" data-case-tlp="AMBER"> inside .graph-page, whose
//        custom properties (--graph-<group>, --graph-net-<n>, ...; css/graph.css) are the colours
//   buttons with data-graph-action="expand|pin|save|png|fit|layout"
//   <select data-graph-filter> (schema names; left with at most an "all" option, it is filled
//     with the groups on the graph)
//   <aside id="graph-details"> for the focused node or the selected link
//   [data-graph-legend] with entries [data-legend-schema], [data-legend-selector],
//     [data-legend-tlp], [data-legend-partner], [data-legend-cluster], [data-legend-other] (shown
//     with their count when such nodes are on the graph) and [data-legend-networks]
//   [data-graph-list]: filled with one button per node (one tab stop; arrow keys move)
//   optional [data-graph-status] (aria-live) for messages.
// Translations: data-t<key> on #graph (lower case, as corridor.js does), with {n}, {name} and
// {total} placeholders; see MESSAGES for the keys.
// The JSON at data-src is corridor.entities.analysis.graph.to_cytoscape's, plus "truncated"; a
// saved chart may add "positions" ({id: {x, y}}) and "pinned" ([id]), applied when present.
// Expanding asks data-src + "?seed=ID&hops=1" (selector nodes have ids like sel:phone:+92...); a
// cluster of leaves ("grp:HUB:GROUP") is opened with "?seed=HUB&hops=1&fold=false".
// Saving POSTs {"positions": {id: {x, y}}, "pinned": [id]} with the X-CSRF-Token header.
"use strict";
(function () {
  const container = document.getElementById("graph");
  if (!container || !window.cytoscape) { return; }
  const page = container.closest(".graph-page") || document.documentElement;

  const LABEL_PX = 12; // node names, in screen pixels at any zoom
  const EDGE_LABEL_PX = 11;
  const LABEL_MAX_PX = 160; // a longer name ends with an ellipsis
  const LINE = LABEL_PX + 8; // the height a written name takes, with its background
  const CENTRAL = 0.5; // PageRank relative to the highest: a node whose name matters most
  const BUSY_NODES = 150; // above this many nodes, names are placed when a pan or zoom pauses
  const EDGE_LABELS_MAX = 6; // a focused node's links are named when it has this many or fewer
  const NETWORK_COLOURS = 10;
  const TLP = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"];
  const GROUP_SHAPES = {
    person: "ellipse", organisation: "round-rectangle", account: "hexagon", phone: "round-tag",
    document: "rectangle", device: "round-diamond", vessel: "barrel", vehicle: "rhomboid",
    address: "triangle", event: "star", other: "octagon", cluster: "round-rectangle",
  };
  const GROUP_ORDER = Object.keys(GROUP_SHAPES);
  const MESSAGES = {
    loading: "Loading the graph…", failed: "The graph could not be loaded.",
    truncated: "Only part of the network is shown: expand a node to see more.",
    saved: "Chart saved.", savefailed: "The chart could not be saved.",
    expandfailed: "The neighbours could not be loaded.", select: "Select one or more nodes first.",
    all: "all types", network: "Network {n}", links: "Linked to", nolinks: "No link of it is shown.",
    hidden: "Links not shown yet: {n}", expand: "Expand", pin: "Pin / unpin", open: "Open the entity",
    cluster: "{n} nodes linked only to {name}, grouped.", clusteropen: "Show them",
    focused: "{name}: {n} linked nodes shown.", cleared: "All nodes shown again.",
    factsfailed: "The facts of this entity could not be loaded.",
    empty: "Nothing to draw yet: this case has no entities.",
  };
  function t(key, values) {
    let text = container.dataset["t" + key] || MESSAGES[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  const statusEl = document.querySelector("[data-graph-status]");
  function status(text) { if (statusEl) { statusEl.textContent = text || ""; } }

  // --- Colours and style ------------------------------------------------------------------------

  const pageStyle = window.getComputedStyle(page);
  function cssColour(name, fallback) {
    return pageStyle.getPropertyValue(name).trim() || fallback;
  }
  function colour(name, fallback) { return cssColour("--graph-" + name, fallback || "#8899aa"); }
  const FONT = window.getComputedStyle(document.body).fontFamily || "sans-serif";
  const INK = cssColour("--ink", "#1b2a3a");
  const MUTED = cssColour("--muted", "#5b6b7b");
  const ACCENT = cssColour("--accent", "#1f5f8b");
  const NETWORKS = [];
  for (let i = 0; i < NETWORK_COLOURS; i += 1) { NETWORKS.push(colour("net-" + i)); }

  function networkColour(ele) {
    const c = ele.data("community");
    return typeof c === "number" ? NETWORKS[c % NETWORKS.length] : colour("net-none", MUTED);
  }
  function nodeSize(ele) {
    const s = ele.data("size");
    return typeof s === "number" ? 18 + 46 * Math.sqrt(s) : 26;
  }
  function edgeWidth(ele) { return 1 + Math.min(6, Math.log2(ele.data("weight") || 1)); }
  function clusterWidth(ele) { return 30 + 8 * Math.sqrt(ele.data("count") || 1); }

  function stricterThanCase(tlp) {
    return TLP.indexOf(tlp) > TLP.indexOf(container.dataset.caseTlp || "CLEAR");
  }
  function tlpClass(tlp) { return "tlp-" + tlp.toLowerCase().replace("+", "-"); }

  // A name on the canvas keeps its own direction whatever the page's: isolated (FSI … PDI), an
  // account number cut short in a right-to-left page still ends with its ellipsis on the right
  // and an Arabic name in a left-to-right page with its ellipsis on the left.
  function isolated(ele) { return "\u2068" + (ele.data("label") || "") + "\u2069"; }

  // Sizes of text are given in model units divided by the zoom, so they stay the same on screen;
  // lines and outlines never get thinner on screen than at zoom 1.
  function buildStyle(zoom) {
    const k = 1 / zoom;
    const thick = Math.max(1, k);
    const text = {
      "font-family": FONT, "text-wrap": "ellipsis", "min-zoomed-font-size": 0,
      "text-background-color": "#ffffff", "text-background-opacity": 0.85,
      "text-background-shape": "round-rectangle", "text-background-padding": 1.5 * k,
    };
    const style = [
      { selector: "node", style: Object.assign({}, text, {
        "label": "", "font-size": LABEL_PX * k, "text-max-width": LABEL_MAX_PX * k,
        "text-valign": "bottom", "text-halign": "center", "text-margin-y": 3 * k, "color": INK,
        "width": nodeSize, "height": nodeSize, "shape": "octagon",
        "background-color": colour("other"), "border-width": 3 * thick,
        "border-color": networkColour,
      }) },
      { selector: "node.labelled, node.hover, node.focus", style: { "label": isolated } },
      // Where placeLabels found room when below the node was taken.
      { selector: "node.label-top", style: { "text-valign": "top", "text-margin-y": -3 * k } },
      { selector: "node.label-right", style: { "text-valign": "center", "text-halign": "right",
        "text-margin-x": 4 * k, "text-margin-y": 0 } },
      { selector: "node.label-left", style: { "text-valign": "center", "text-halign": "left",
        "text-margin-x": -4 * k, "text-margin-y": 0 } },
    ];
    GROUP_ORDER.forEach(function (group) {
      style.push({ selector: 'node[group = "' + group + '"]',
        style: { "shape": GROUP_SHAPES[group], "background-color": colour(group) } });
    });
    style.push({ selector: 'node[kind = "cluster"]', style: { "label": isolated,
      "text-valign": "center", "text-halign": "center", "text-margin-y": 0, "font-weight": 600,
      "text-background-opacity": 0, "border-style": "dashed", "border-width": 2 * k,
      "background-color": colour("cluster"), "border-color": colour("net-none", MUTED),
      // Never smaller on screen than its "+N".
      "width": function (ele) {
        return Math.max(clusterWidth(ele), (labelWidth(ele.data("label") || "") + 10) * k);
      },
      "height": Math.max(26, (LABEL_PX + 10) * k) } });
    GROUP_ORDER.forEach(function (group) {
      style.push({ selector: 'node[kind = "cluster"][of = "' + group + '"]',
        style: { "border-color": colour(group) } });
    });
    style.push(
      { selector: 'node[schema = "Selector"]', style: { "border-style": "dashed", "width": 20,
        "height": 20 } },
      { selector: "node.partner", style: { "underlay-color": colour("partner"),
        "underlay-opacity": 1, "underlay-padding": 8, "underlay-shape": "ellipse" } },
      { selector: "node.tlp-red", style: { "outline-width": 3, "outline-offset": 2,
        "outline-color": colour("tlp-red") } },
      { selector: "node.tlp-amber-strict", style: { "outline-width": 3, "outline-offset": 2,
        "outline-color": colour("tlp-amber-strict") } },
      { selector: "node.pinned", style: { "border-style": "double", "border-width": 6 * thick } },
      { selector: "node:selected", style: { "overlay-color": ACCENT, "overlay-opacity": 0.2,
        "overlay-padding": 5, "overlay-shape": "ellipse" } },
      { selector: "node.focus", style: { "overlay-color": ACCENT, "overlay-opacity": 0.3,
        "overlay-padding": 8, "overlay-shape": "ellipse", "font-weight": 700, "z-index": 20 } },
      { selector: "node.hover", style: { "z-index": 30 } },
      { selector: "edge", style: Object.assign({}, text, {
        "curve-style": "bezier", "line-color": colour("edge"), "target-arrow-color": colour("edge"),
        "width": function (ele) { return edgeWidth(ele) * thick; }, "label": "",
        "font-size": EDGE_LABEL_PX * k,
        "text-max-width": LABEL_MAX_PX * k, "text-rotation": "autorotate", "color": MUTED,
      }) },
      { selector: "edge[?directed]", style: { "target-arrow-shape": "triangle" } },
      { selector: "edge.focus-edge, edge:selected, edge.hover", style: {
        "line-color": ACCENT, "target-arrow-color": ACCENT } },
      { selector: "edge.edge-labelled, edge:selected, edge.hover", style: { "label": isolated } },
      { selector: ".faded", style: { "opacity": 0.18 } },
      { selector: ".filtered", style: { "display": "none" } },
    );
    return style;
  }

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
    container: container, style: buildStyle(1), elements: [], minZoom: 0.05, maxZoom: 4,
  });

  // --- Names that stay readable ---------------------------------------------------------------

  let styledZoom = 1;
  function restyle() {
    const zoom = cy.zoom();
    if (Math.abs(zoom - styledZoom) <= styledZoom * 0.01) { return; }
    styledZoom = zoom;
    cy.style().fromJson(buildStyle(zoom)).update();
  }

  const measure = document.createElement("canvas").getContext("2d");
  const widths = new Map();
  function labelWidth(text) {
    let width = widths.get(text);
    if (width === undefined) {
      measure.font = LABEL_PX + "px " + FONT;
      width = Math.min(LABEL_MAX_PX, measure.measureText(text).width) + 6;
      widths.set(text, width);
    }
    return width;
  }

  let focused = null;
  const SPOTS = ["label-top", "label-right", "label-left"];

  // Which names to write: the focused and hovered node's always; then the selected ones, the
  // focused node's neighbours, then the others by centrality, each where it covers no name or
  // node already there (screen boxes in a grid of cells).
  function placeLabels() {
    const width = cy.width();
    const height = cy.height();
    const CELL = 64;
    const grid = new Map();
    function cells(box, visit) {
      const x2 = Math.floor(box.x2 / CELL);
      const y2 = Math.floor(box.y2 / CELL);
      for (let x = Math.floor(box.x1 / CELL); x <= x2; x += 1) {
        for (let y = Math.floor(box.y1 / CELL); y <= y2; y += 1) {
          if (visit(x + ":" + y)) { return true; }
        }
      }
      return false;
    }
    function taken(box, bodies) {
      return cells(box, function (key) {
        return (grid.get(key) || []).some(function (o) {
          return o.owner !== box.owner && (bodies || !o.body || o.big) && o.x1 < box.x2 &&
            box.x1 < o.x2 && o.y1 < box.y2 && box.y1 < o.y2;
        });
      });
    }
    function put(box) {
      cells(box, function (key) {
        const list = grid.get(key);
        if (list) { list.push(box); } else { grid.set(key, [box]); }
        return false;
      });
    }
    const shown = cy.nodes().filter(function (n) { return n.visible(); });
    shown.forEach(function (n) {
      const p = n.renderedPosition();
      const cluster = n.data("kind") === "cluster";
      // A cluster's "+N" is written on it: its box is the larger of the two.
      const halfW = Math.max(n.renderedOuterWidth(), cluster ? labelWidth(n.data("label")) : 0) / 2;
      const halfH = Math.max(n.renderedOuterHeight(), cluster ? LINE : 0) / 2;
      put({ x1: p.x - halfW, y1: p.y - halfH, x2: p.x + halfW, y2: p.y + halfH, owner: n.id(),
            body: true, big: cluster || (n.data("size") || 0) >= CENTRAL });
    });
    const near = focused ? focused.neighborhood("node") : cy.collection();
    function rank(n) {
      if (n.hasClass("focus") || n.hasClass("hover")) { return 4; }
      if (n.hasClass("faded")) { return 0; }
      if (n.selected()) { return 3; }
      return near.has(n) ? 2 : 1;
    }
    const order = shown.toArray().filter(function (n) { return n.data("kind") !== "cluster"; })
      .map(function (n) { return { node: n, rank: rank(n) }; })
      .sort(function (a, b) {
        return b.rank - a.rank || (b.node.data("size") || 0) - (a.node.data("size") || 0) ||
          b.node.degree() - a.node.degree();
      });
    const on = [];
    const off = [];
    order.forEach(function (item) {
      const n = item.node;
      if (item.rank === 0) { off.push(n); return; }
      const p = n.renderedPosition();
      const halfW = n.renderedOuterWidth() / 2;
      const halfH = n.renderedOuterHeight() / 2;
      const w = labelWidth(n.data("label") || "");
      // Below the node first, then above, to the right, to the left.
      const spots = [
        { where: "", x1: p.x - w / 2, y1: p.y + halfH + 1 },
        { where: "label-top", x1: p.x - w / 2, y1: p.y - halfH - 1 - LINE },
        { where: "label-right", x1: p.x + halfW + 2, y1: p.y - LINE / 2 },
        { where: "label-left", x1: p.x - halfW - 2 - w, y1: p.y - LINE / 2 },
      ].map(function (spot) {
        return { where: spot.where, x1: spot.x1, y1: spot.y1, x2: spot.x1 + w,
                 y2: spot.y1 + LINE, owner: n.id() };
      });
      // A name is written whole inside the canvas or not at all (the node is off-screen, or at
      // the edge with no room on any side). The names of the most central nodes and of the
      // focused node's neighbours may cover a lesser node where no other place is free.
      const inside = spots.filter(function (box) {
        return box.x1 >= 0 && box.x2 <= width && box.y1 >= 0 && box.y2 <= height;
      });
      let spot = inside.find(function (box) { return !taken(box, true); });
      if (!spot && (item.rank >= 2 || (n.data("size") || 0) >= CENTRAL)) {
        spot = inside.find(function (box) { return !taken(box, false); });
      }
      if (!spot && item.rank === 4) { spot = spots[0]; }
      if (spot) {
        put(spot);
        on.push({ node: n, where: spot.where });
      } else {
        off.push(n);
      }
    });
    cy.batch(function () {
      on.forEach(function (item) {
        item.node.addClass("labelled");
        SPOTS.forEach(function (where) { item.node.toggleClass(where, where === item.where); });
      });
      off.forEach(function (n) { n.removeClass("labelled"); });
    });
    // For the browser tests: the zoom these names were placed for, and how many were written.
    container.dataset.zoom = String(cy.zoom());
    container.dataset.labelled = String(on.length);
  }

  let frame = 0;
  let timer = 0;
  function refresh() {
    window.clearTimeout(timer);
    if (frame) { return; }
    frame = window.requestAnimationFrame(function () {
      frame = 0;
      restyle();
      placeLabels();
    });
  }
  // While a large graph is panned or zoomed, its names are placed again once the gesture
  // pauses (each placement looks at every node); a small one follows every frame.
  function refreshSoon() {
    if (cy.nodes().length <= BUSY_NODES) { refresh(); return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 120);
  }
  cy.on("viewport", refreshSoon);
  cy.on("resize add remove layoutstop dragfree", refresh);

  // --- Loading and growing the graph ------------------------------------------------------------

  function runLayout(options) {
    const layout = cy.layout(Object.assign({
      name: "cose", animate: false, randomize: false, nodeDimensionsIncludeLabels: false,
      idealEdgeLength: function () { return 90; }, nodeRepulsion: function () { return 12000; },
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

  // Classes from data: a label stricter than the case, data from a partner.
  function decorate(nodes) {
    nodes.forEach(function (n) {
      const tlp = n.data("tlp");
      TLP.forEach(function (level) { n.removeClass(tlpClass(level)); });
      if (tlp && stricterThanCase(tlp)) { n.addClass(tlpClass(tlp)); }
      n.toggleClass("partner", (n.data("partners") || []).length > 0);
    });
  }

  const MEASURES = ["community", "size", "pagerank", "betweenness", "degree"];
  function addElements(elements) {
    const fresh = [];
    (elements.nodes || []).concat(elements.edges || []).forEach(function (el) {
      const existing = cy.getElementById(el.data.id);
      if (existing.empty()) { fresh.push(el); return; }
      // A node already drawn keeps the measures of the graph it came with (its network colour
      // and size), which an expansion computes on a smaller graph.
      const data = Object.assign({}, el.data);
      if (existing.isNode()) { MEASURES.forEach(function (m) { delete data[m]; }); }
      existing.data(data);
    });
    return cy.add(fresh);
  }

  // The page may list the types itself; when it gives none, the groups on the graph are offered
  // (and kept up to date as the graph grows).
  const filterSelect = document.querySelector("[data-graph-filter]");
  const ownFilter = Boolean(filterSelect) && filterSelect.options.length <= 1;
  function fillFilter() {
    if (!ownFilter) { return; }
    const present = {};
    cy.nodes().forEach(function (n) { present[n.data("group") || "other"] = true; });
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
        const show = !value || n.data("schema") === value || n.data("group") === value;
        n.toggleClass("filtered", !show);
      });
    });
    if (focused && focused.hasClass("filtered")) { setFocus(null); }
    updateLegend();
    filterList();
    refresh();
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

  function changed() {
    decorate(cy.nodes());
    fillFilter();
    applyFilter();
    fillList();
  }

  function load() {
    status(t("loading"));
    getJSON(container.dataset.src).then(function (data) {
      cy.add(data.nodes || []);
      cy.add(data.edges || []);
      if (applySaved(data)) { cy.fit(undefined, 30); } else { startPositions(); runLayout(); }
      changed();
      status(data.truncated ? t("truncated") : (cy.nodes().empty() ? t("empty") : ""));
      container.dataset.ready = "true";
    }).catch(function () { status(t("failed")); });
  }

  // The same graph is drawn the same way each time: the layout starts from the nodes on a
  // spiral, most central first, instead of random places.
  function startPositions() {
    const nodes = cy.nodes().toArray().sort(function (a, b) {
      return (b.data("size") || 0) - (a.data("size") || 0) || (a.id() < b.id() ? -1 : 1);
    });
    nodes.forEach(function (n, i) {
      const angle = i * 2.399963; // the golden angle
      const radius = 40 * Math.sqrt(i);
      n.position({ x: radius * Math.cos(angle), y: radius * Math.sin(angle) });
    });
  }

  function placeAround(nodes, origin) {
    // Start new neighbours around the node they came from, then let the layout settle.
    nodes.forEach(function (n, i) {
      const angle = i * 2.399963;
      n.position({ x: origin.x + 60 * Math.cos(angle), y: origin.y + 60 * Math.sin(angle) });
    });
  }

  function expand(nodes) {
    if (!nodes.length) { status(t("select")); return; }
    const clusters = nodes.filter(function (n) { return n.data("kind") === "cluster"; });
    const others = nodes.filter(function (n) { return n.data("kind") !== "cluster"; });
    const separator = container.dataset.src.indexOf("?") < 0 ? "?" : "&";
    function ask(n, cluster) {
      const seed = cluster ? n.data("hub") : n.id();
      return getJSON(container.dataset.src + separator + "seed=" + encodeURIComponent(seed) +
        "&hops=1" + (cluster ? "&fold=false" : ""));
    }
    const asked = others.map(function (n) { return ask(n, false); })
      .concat(clusters.map(function (n) { return ask(n, true); }));
    const origins = others.concat(clusters);
    const wasFocused = focused;
    Promise.all(asked).then(function (answers) {
      let truncated = false;
      cy.batch(function () {
        answers.forEach(function (data, i) {
          placeAround(addElements(data).nodes(), origins[i].position());
          truncated = truncated || Boolean(data.truncated);
        });
        // An opened cluster gives way to the nodes it stood for (all the hub's leaves come, so
        // its other clusters go too).
        clusters.forEach(function (n) {
          cy.nodes('[kind = "cluster"]').filter(function (c) {
            return c.data("hub") === n.data("hub");
          }).remove();
        });
      });
      runLayout({ fit: false });
      changed();
      // A focused node stays focused with its new neighbours; an opened cluster hands the focus
      // to its hub.
      if (wasFocused && wasFocused.removed() && wasFocused.data("kind") === "cluster") {
        setFocus(cy.getElementById(wasFocused.data("hub")), { quiet: true });
      } else if (wasFocused && !wasFocused.removed()) {
        setFocus(wasFocused, { quiet: true });
      }
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
    // Drawn at the graph's own scale (names sized for zoom 1, the ones written now), not for
    // the zoom on screen; bounded so a large chart still fits in one canvas.
    cy.style().fromJson(buildStyle(1)).update();
    const blob = cy.png({ full: true, output: "blob", bg: "#ffffff", scale: 2,
                          maxWidth: 8000, maxHeight: 8000 });
    cy.style().fromJson(buildStyle(styledZoom)).update();
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = (container.dataset.name || "graph") + ".png";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  // --- The legend -------------------------------------------------------------------------------

  const legend = document.querySelector("[data-graph-legend]");
  function legendEntry(selector) { return legend ? legend.querySelector(selector) : null; }
  function schemaEntry(schema) {
    return legendEntry('[data-legend-schema="' + CSS.escape(schema || "") + '"]');
  }
  function typeLabel(data) {
    const entry = data.schema === "Selector"
      ? legendEntry('[data-legend-selector="' + CSS.escape(data.kind || "") + '"]')
      : schemaEntry(data.schema);
    const text = entry && entry.querySelector("[data-legend-label]");
    return text ? text.textContent : (data.schema === "Selector" ? data.kind : data.schema) || "";
  }
  function swatch(group, extra) {
    const span = document.createElement("span");
    span.className = "graph-swatch" + (extra ? " " + extra : "");
    span.dataset.group = group || "other";
    span.setAttribute("aria-hidden", "true");
    return span;
  }
  function showEntry(entry, count) {
    if (!entry) { return; }
    entry.hidden = !count;
    const counter = entry.querySelector("[data-count]");
    if (counter) { counter.textContent = count ? String(count) : ""; }
  }

  function updateLegend() {
    if (!legend) { return; }
    const schemata = {};
    const selectors = {};
    const others = {};
    const tlps = {};
    const networks = {};
    let clusters = 0;
    let partners = 0;
    cy.nodes().not(".filtered").forEach(function (n) {
      const d = n.data();
      if (d.kind === "cluster") {
        clusters += 1;
      } else if (d.schema === "Selector") {
        selectors[d.kind] = (selectors[d.kind] || 0) + 1;
      } else if (schemaEntry(d.schema)) {
        schemata[d.schema] = (schemata[d.schema] || 0) + 1;
      } else {
        others[d.schema] = (others[d.schema] || 0) + 1;
      }
      if (d.tlp && stricterThanCase(d.tlp)) { tlps[d.tlp] = (tlps[d.tlp] || 0) + 1; }
      if ((d.partners || []).length) { partners += 1; }
      if (typeof d.community === "number") {
        // A cluster counts as the nodes it stands for, as the case's analysis counts them.
        networks[d.community] = (networks[d.community] || 0) + (d.count || 1);
      }
    });
    legend.querySelectorAll("[data-legend-schema]").forEach(function (entry) {
      showEntry(entry, schemata[entry.dataset.legendSchema]);
    });
    legend.querySelectorAll("[data-legend-selector]").forEach(function (entry) {
      showEntry(entry, selectors[entry.dataset.legendSelector]);
    });
    legend.querySelectorAll("[data-legend-tlp]").forEach(function (entry) {
      showEntry(entry, tlps[entry.dataset.legendTlp]);
    });
    showEntry(legendEntry("[data-legend-partner]"), partners);
    showEntry(legendEntry("[data-legend-cluster]"), clusters);
    const other = legendEntry("[data-legend-other]");
    if (other) {
      const names = Object.keys(others).sort();
      showEntry(other, names.reduce(function (sum, name) { return sum + others[name]; }, 0));
      const list = other.querySelector("[data-legend-names]");
      if (list) { list.textContent = names.join(", "); }
    }
    const netList = legendEntry("[data-legend-networks]");
    if (netList) {
      const ids = Object.keys(networks).map(Number).sort(function (a, b) { return a - b; });
      netList.replaceChildren.apply(netList, ids.slice(0, NETWORK_COLOURS).map(function (id) {
        const item = document.createElement("li");
        const ring = swatch("other", "graph-ring");
        ring.dataset.net = String(id % NETWORK_COLOURS);
        const count = document.createElement("bdi");
        count.className = "graph-count";
        count.textContent = "(" + networks[id] + ")";
        item.append(ring, document.createTextNode(t("network", { n: id + 1 }) + " "), count);
        return item;
      }));
      netList.parentElement.hidden = ids.length < 2;
    }
  }

  // --- Focus: a node and its neighbourhood ------------------------------------------------------

  const details = document.getElementById("graph-details");
  const initialDetails = details ? Array.from(details.childNodes) : [];

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined) { el.textContent = text; }
    return el;
  }
  function nameOf(n) {
    const bdi = element("bdi", "graph-name", n.data("label") || n.id());
    return bdi;
  }
  function button(text, action) {
    const b = element("button", "", text);
    b.type = "button";
    b.addEventListener("click", action);
    return b;
  }

  function reveal(n) {
    const p = n.renderedPosition();
    const margin = 40;
    if (p.x < margin || p.y < margin || p.x > cy.width() - margin || p.y > cy.height() - margin) {
      cy.center(n);
    }
  }

  let factsFor = null;
  function loadFacts(n, box) {
    const id = n.id();
    factsFor = id;
    fetch(container.dataset.facts + encodeURIComponent(id), {
      credentials: "same-origin", headers: { "Accept": "text/html" },
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      if (factsFor !== id) { return; }
      // The node's own HTML (escaped server-side, no scripts), moved into this document.
      const doc = new DOMParser().parseFromString(html, "text/html");
      box.replaceChildren.apply(box, Array.from(doc.body.childNodes).map(function (child) {
        return document.importNode(child, true);
      }));
    }).catch(function () {
      if (factsFor === id) { box.textContent = t("factsfailed"); }
    });
  }

  function hiddenLinks(n) {
    const links = n.data("links");
    return typeof links === "number" ? Math.max(0, links - n.neighborhood("node").length) : 0;
  }

  function showNode(n, fromKeyboard) {
    if (!details) { return; }
    const d = n.data();
    const title = element("h2");
    title.append(nameOf(n));
    title.tabIndex = -1;
    const parts = [title];
    if (d.kind === "cluster") {
      const hub = cy.getElementById(d.hub);
      const hubName = hub.nonempty() ? hub.data("label") : d.hub;
      parts.push(element("p", "", t("cluster", { n: d.count, name: hubName })));
      const kinds = element("ul", "graph-keys");
      (d.members || []).forEach(function (m) {
        const item = element("li");
        item.append(swatch(m.group), element("span", "", typeLabel(m)),
          element("bdi", "graph-count", String(m.count)));
        kinds.append(item);
      });
      parts.push(kinds);
    } else {
      const type = element("p", "graph-type");
      type.append(swatch(d.group, d.schema === "Selector" ? "graph-shared" : ""),
        element("span", "", typeLabel(d)));
      parts.push(type);
      if (d.kind === "entity" && container.dataset.facts) {
        const facts = element("div", "", "…");
        facts.dataset.graphFacts = "";
        parts.push(facts);
        loadFacts(n, facts);
      } else {
        factsFor = null;
      }
    }
    const hidden = hiddenLinks(n);
    if (hidden && d.kind !== "cluster") { parts.push(element("p", "muted", t("hidden", { n: hidden }))); }
    const actions = element("p", "actions");
    if (d.kind === "cluster") {
      actions.append(button(t("clusteropen"), function () { expand([n]); }));
    } else {
      actions.append(button(t("expand"), function () { expand([n]); }),
        button(t("pin"), function () { togglePin([n]); }));
    }
    if (d.kind === "entity") {
      const open = element("a", "", t("open"));
      open.href = "/entities/" + encodeURIComponent(d.id);
      actions.append(open);
    }
    parts.push(actions);
    const neighbours = n.neighborhood("node").not(".filtered").toArray().sort(byTypeThenName);
    parts.push(element("h3", "", t("links") + " (" + neighbours.length + ")"));
    if (!neighbours.length) {
      parts.push(element("p", "muted", t("nolinks")));
    } else {
      const list = element("ul", "graph-links");
      neighbours.forEach(function (m) {
        const edge = n.edgesWith(m);
        const item = element("li");
        const b = button("", function () { setFocus(m, { keyboard: true }); });
        b.dataset.node = m.id();
        b.append(swatch(m.data("group")), nameOf(m),
          element("span", "graph-via", edge.nonempty() ? edge.data("label") : ""));
        item.append(b);
        list.append(item);
      });
      parts.push(list);
    }
    details.replaceChildren.apply(details, parts);
    if (fromKeyboard) { title.focus(); }
  }

  function showEdge(e) {
    if (!details) { return; }
    const title = element("h2");
    title.append(nameOf(e.source()), document.createTextNode(" – "), nameOf(e.target()));
    const list = element("ul");
    (e.data("relations") || []).forEach(function (r) {
      const item = element("li");
      const when = [r.start, r.end].filter(Boolean).join(" – ");
      const text = r.label + (when ? " (" + when + ")" : "");
      if (r.entity) {
        const a = element("a", "", text);
        a.href = "/entities/" + encodeURIComponent(r.entity);
        item.append(a);
      } else {
        item.append(document.createTextNode(text));
      }
      list.appendChild(item);
    });
    details.replaceChildren(title, list);
  }

  // Focus a node (null: none): dim all but it and its neighbours, name its links, show it in
  // the panel and mark it in the list. `how.keyboard`: the panel's heading takes the keyboard
  // focus (the button that asked is gone); `how.quiet`: no announcement.
  function setFocus(n, how) {
    const options = how || {};
    const node = n && n.nonempty && n.nonempty() ? n : null;
    cy.batch(function () {
      cy.elements().removeClass("faded focus focus-edge edge-labelled");
      if (node) {
        cy.elements().not(node.closedNeighborhood()).addClass("faded");
        node.addClass("focus");
        const edges = node.connectedEdges().addClass("focus-edge");
        if (edges.length <= EDGE_LABELS_MAX) { edges.addClass("edge-labelled"); }
      }
    });
    focused = node;
    markInList(node);
    if (node) {
      if (!node.selected()) { cy.nodes(":selected").unselect(); node.select(); }
      reveal(node);
      showNode(node, options.keyboard);
      if (!options.quiet) {
        status(t("focused", { name: node.data("label"), n: node.neighborhood("node").length }));
      }
    } else if (details) {
      factsFor = null;
      details.replaceChildren.apply(details, initialDetails);
    }
    refresh();
  }

  // --- The list of nodes (the keyboard's way in) -------------------------------------------------

  const list = document.querySelector("[data-graph-list]");
  function byTypeThenName(a, b) {
    const ga = GROUP_ORDER.indexOf(a.data("group"));
    const gb = GROUP_ORDER.indexOf(b.data("group"));
    return ga - gb || String(a.data("label")).localeCompare(String(b.data("label")));
  }
  function listButtons(visibleOnly) {
    if (!list) { return []; }
    return Array.from(list.querySelectorAll(visibleOnly ? "li:not([hidden]) > button" : "button"));
  }
  function rove(target) {
    listButtons(false).forEach(function (b) { b.tabIndex = b === target ? 0 : -1; });
  }
  function markInList(node) {
    let current = null;
    listButtons(false).forEach(function (b) {
      const on = Boolean(node) && b.dataset.node === node.id();
      b.setAttribute("aria-pressed", on ? "true" : "false");
      if (on) { current = b; }
    });
    if (current) { rove(current); }
  }
  function fillList() {
    if (!list) { return; }
    const items = cy.nodes().toArray().sort(byTypeThenName).map(function (n) {
      const item = element("li");
      const b = element("button");
      b.type = "button";
      b.dataset.node = n.id();
      b.tabIndex = -1;
      b.setAttribute("aria-pressed", "false");
      const d = n.data();
      const type = typeLabel(d.kind === "cluster" ? (d.members || [])[0] || {} : d);
      b.append(swatch(d.group, d.schema === "Selector" ? "graph-shared" : ""), nameOf(n),
        element("span", "graph-via", type));
      item.append(b);
      return item;
    });
    list.replaceChildren.apply(list, items);
    filterList();
    markInList(focused);
    const buttons = listButtons(true);
    if (buttons.length && !buttons.some(function (b) { return b.tabIndex === 0; })) {
      rove(buttons[0]);
    }
  }
  function filterList() {
    listButtons(false).forEach(function (b) {
      const n = cy.getElementById(b.dataset.node);
      b.parentElement.hidden = n.empty() || n.hasClass("filtered");
    });
  }
  if (list) {
    list.addEventListener("click", function (event) {
      const b = event.target.closest("button[data-node]");
      const n = b && cy.getElementById(b.dataset.node);
      if (n && n.nonempty()) { rove(b); setFocus(n); }
    });
    list.addEventListener("keydown", function (event) {
      const buttons = listButtons(true);
      const at = buttons.indexOf(document.activeElement);
      if (at < 0) { return; }
      const rtl = window.getComputedStyle(list).direction === "rtl";
      const next = { ArrowDown: 1, ArrowUp: -1, ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1 };
      let to = null;
      if (event.key in next) { to = at + next[event.key]; }
      if (event.key === "Home") { to = 0; }
      if (event.key === "End") { to = buttons.length - 1; }
      if (to === null) { return; }
      event.preventDefault();
      const target = buttons[Math.max(0, Math.min(buttons.length - 1, to))];
      rove(target);
      target.focus();
    });
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !focused) { return; }
    const active = document.activeElement;
    if (active && active !== document.body && !page.contains(active)) { return; }
    setFocus(null);
    status(t("cleared"));
  });

  // --- Pointer and toolbar ----------------------------------------------------------------------

  cy.on("tap", "node", function (event) { setFocus(event.target); });
  cy.on("tap", "edge", function (event) { showEdge(event.target); });
  cy.on("tap", function (event) { if (event.target === cy) { setFocus(null, { quiet: true }); } });
  cy.on("dbltap", "node", function (event) { expand([event.target]); });
  cy.on("mouseover", "node, edge", function (event) { event.target.addClass("hover"); refresh(); });
  cy.on("mouseout", "node, edge", function (event) { event.target.removeClass("hover"); refresh(); });

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
    const b = event.target.closest("[data-graph-action]");
    const action = b && actions[b.dataset.graphAction];
    if (action) { event.preventDefault(); action(); }
  });
  if (filterSelect) { filterSelect.addEventListener("change", applyFilter); }

  // For the browser tests and the console: the Cytoscape instance of this page.
  container.cy = cy;
  load();
})();
