// The risk analysis workbench: draws the series of #risk-chart with Apache ECharts (vendored,
// loaded before this file): the values as a line, surges and drops as marked points, the
// forecast as a dashed line in its interval band. Canvas renderer, so that the toolbox saves a
// PNG. Labels and period names arrive translated and formatted from the server; numbers are
// formatted here in the page's language. The forecast arrives later (#risk-forecast, loaded by
// htmx with its `data-forecast`) and is added to the chart then. No inline scripts or styles
// (CSP).
//
// Markup it expects:
//   <div id="risk-chart" data-chart='{"labels": [...], "values": [...], "names": {...},
//        "anomalies": [{"i": 3, "value": 120, "expected": 80, "up": true}]}'>
//   <section id="risk-forecast" data-forecast='{"labels": [...], "median": [...],
//        "lower": [...], "upper": [...]}'>
// After drawing, the container gets data-state="ready" ("error" if its data is unreadable).
"use strict";
(function () {
  const el = document.getElementById("risk-chart");
  if (!el || !window.echarts) { return; }
  let spec;
  try {
    spec = JSON.parse(el.dataset.chart);
  } catch (e) {
    el.dataset.state = "error";
    return;
  }
  const lang = document.documentElement.getAttribute("lang") || "en";
  const rtl = document.documentElement.getAttribute("dir") === "rtl";
  const numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  function format(v) { return v === null || v === undefined ? "—" : numbers.format(v); }

  const n = spec.labels.length;
  const chart = window.echarts.init(el, null, { renderer: "canvas" });

  function draw(fc) {
  const labels = spec.labels.concat(fc ? fc.labels : []);
  const pad = function (values, before) {
    return new Array(before).fill(null).concat(values);
  };
  const series = [
    {
      name: spec.names.value,
      type: "line",
      data: spec.values,
      showSymbol: false,
      lineStyle: { width: 2 },
      itemStyle: { color: "#1f5f8b" },
      z: 3,
    },
    {
      name: spec.names.up,
      type: "scatter",
      symbolSize: 9,
      itemStyle: { color: "#b42318" },
      data: spec.anomalies.filter(function (a) { return a.up; }).map(function (a) { return [a.i, a.value]; }),
      z: 4,
    },
    {
      name: spec.names.down,
      type: "scatter",
      symbol: "diamond",
      symbolSize: 9,
      itemStyle: { color: "#175cd3" },
      data: spec.anomalies.filter(function (a) { return !a.up; }).map(function (a) { return [a.i, a.value]; }),
      z: 4,
    },
  ];
  if (fc) {
    // The band: the lower bound (invisible) with the interval's width stacked on it.
    series.push({
      name: spec.names.interval,
      type: "line",
      stack: "band",
      data: pad(fc.lower, n),
      lineStyle: { opacity: 0 },
      showSymbol: false,
      tooltip: { show: false },
    });
    series.push({
      name: spec.names.interval,
      type: "line",
      stack: "band",
      data: pad(fc.upper.map(function (u, i) { return u - fc.lower[i]; }), n),
      lineStyle: { opacity: 0 },
      areaStyle: { color: "rgba(240, 165, 0, 0.25)" },
      showSymbol: false,
      tooltip: { show: false },
    });
    series.push({
      name: spec.names.forecast,
      type: "line",
      data: pad([spec.values[n - 1]].concat(fc.median), n - 1),
      lineStyle: { type: "dashed", width: 2 },
      itemStyle: { color: "#b26b00" },
      showSymbol: false,
    });
  }
  const long = labels.length > 60;
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: "sans-serif" },
    grid: { containLabel: true, left: 8, right: 16, top: 40, bottom: long ? 56 : 16 },
    legend: {
      top: 0,
      data: [spec.names.value, spec.names.up, spec.names.down].concat(fc ? [spec.names.forecast] : []),
      right: rtl ? 40 : undefined,
      left: rtl ? undefined : 0,
    },
    tooltip: {
      trigger: "axis",
      extraCssText: rtl ? "direction: rtl; text-align: right;" : "",
      valueFormatter: format,
    },
    toolbox: {
      right: rtl ? undefined : 0,
      left: rtl ? 0 : undefined,
      feature: { saveAsImage: { title: spec.names.save, name: spec.title, pixelRatio: 2 } },
    },
    xAxis: { type: "category", data: labels, inverse: rtl, boundaryGap: false },
    yAxis: {
      type: "value",
      min: 0,
      position: rtl ? "right" : "left",
      axisLabel: { formatter: format },
    },
    dataZoom: long
      ? [{ type: "inside" }, { type: "slider", bottom: 8, height: 24 }]
      : [],
    series: series,
  }, true);
  }

  draw(null);
  el.dataset.state = "ready";
  document.body.addEventListener("htmx:afterSwap", function () {
    const slot = document.getElementById("risk-forecast");
    if (!slot || !slot.dataset.forecast || el.dataset.forecast === "drawn") { return; }
    try {
      draw(JSON.parse(slot.dataset.forecast));
      el.dataset.forecast = "drawn";
    } catch (e) {
      el.dataset.forecast = "error";
    }
  });
  let pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(function () { chart.resize(); }, 150);
  });
  window.addEventListener("beforeprint", function () { chart.resize(); });
  window.addEventListener("afterprint", function () { chart.resize(); });
})();
