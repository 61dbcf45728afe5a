// The commitments dashboard: draws each chart container's bar chart with Apache ECharts
// (vendored, loaded before this file) using the SVG renderer and no animation, so the charts
// print sharply and the page settles at once. No inline scripts or styles (CSP).
//
// Markup it expects:
//   <div class="cm-chart" data-chart='{"unit": "%", "max": 100, "categories": [...],
//        "series": [{"name": "...", "data": [...], "stack": "optional"}]}'></div>
// Labels arrive translated from the server; null values (nothing reported yet) draw no bar.
// After drawing, the container gets data-state="ready" ("error" if its data is unreadable).
"use strict";
(function () {
  const containers = document.querySelectorAll("[data-chart]");
  if (!containers.length || !window.echarts) { return; }

  const PALETTE = ["#1f5f8b", "#b8c2cc", "#1e7b4a", "#f0a500"];
  const STACKED = ["#1e7b4a", "#d8dee6"]; // done / not done yet
  const rtl = document.documentElement.getAttribute("dir") === "rtl";
  // ECharts measures label widths on a canvas with this font and draws the SVG text with it:
  // a plain generic family measures the same in both (a list with quoted names did not).
  const FONT = "sans-serif";
  const charts = [];

  function withUnit(unit) {
    return function (value) {
      return unit ? value + " " + unit : String(value);
    };
  }

  function option(spec) {
    const stacked = spec.series.some(function (s) { return Boolean(s.stack); });
    const format = withUnit(spec.unit);
    return {
      animation: false,
      color: stacked ? STACKED : PALETTE,
      textStyle: { fontFamily: FONT },
      // Labels inside the chart; ECharts 6 gives them at most 25 % of the width unless told.
      grid: {
        containLabel: true,
        outerBoundsClampWidth: "45%",
        left: rtl ? 24 : 8,
        right: rtl ? 8 : 24,
        top: stacked ? 32 : 8,
        bottom: 8,
      },
      legend: rtl ? { show: stacked, top: 0, right: 0 } : { show: stacked, top: 0 },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        extraCssText: rtl ? "direction: rtl; text-align: right;" : "",
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : format(v); },
      },
      // Horizontal bars: long theme and country names stay readable. In right-to-left pages
      // the bars grow from the right and the names sit on the right (the SVG itself is drawn
      // left to right, see commitments.css).
      xAxis: {
        type: "value",
        min: 0,
        max: spec.max || null,
        minInterval: spec.unit ? 0 : 1,
        inverse: rtl,
        axisLabel: { formatter: format },
      },
      yAxis: {
        type: "category",
        data: spec.categories,
        inverse: true,
        position: rtl ? "right" : "left",
        axisLabel: { width: 180, overflow: "truncate" },
      },
      series: spec.series.map(function (s) {
        return {
          type: "bar",
          name: s.name,
          data: s.data,
          stack: s.stack || undefined,
          barMaxWidth: 28,
          label: {
            show: true,
            position: s.stack ? "inside" : (rtl ? "left" : "right"),
            formatter: function (p) {
              if (p.value === null || p.value === undefined || (s.stack && !p.value)) { return ""; }
              return format(p.value);
            },
          },
        };
      }),
    };
  }

  containers.forEach(function (el) {
    let spec;
    try {
      spec = JSON.parse(el.dataset.chart);
    } catch (e) {
      el.dataset.state = "error";
      return;
    }
    // Room for every bar: a few members or a whole network.
    const legend = spec.series.some(function (s) { return Boolean(s.stack); }) ? 32 : 0;
    el.style.blockSize = Math.max(140, 44 * spec.categories.length + 48 + legend) + "px";
    const chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option(spec));
    charts.push(chart);
    el.dataset.state = "ready";
  });

  let pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(function () {
      charts.forEach(function (c) { c.resize(); });
    }, 150);
  });
  // Printing lays the page out at paper width: redraw before and after.
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("afterprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
