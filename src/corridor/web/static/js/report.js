// Reports: the print button, the scope form's convenience and the summary chart (Apache
// ECharts, SVG renderer, no animation so print and PDF show the final chart). The report is
// complete without this script: every chart is also a table. No inline scripts (CSP).
"use strict";
(function () {
  const button = document.querySelector("[data-print]");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  // Choosing a country or a route picks that scope.
  document.querySelectorAll("select[data-scope]").forEach(function (select) {
    select.addEventListener("change", function () {
      const radio = select.form.querySelector('input[name="scope"][value="' + select.dataset.scope + '"]');
      if (radio && !radio.disabled) { radio.checked = true; }
    });
  });

  // The chart's SVG is drawn left to right (report.css); in a right-to-left report the bars
  // grow from the right, the themes sit on the right and the legend starts there.
  const rtl = document.documentElement.getAttribute("dir") === "rtl";
  const charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    if (!window.echarts) { return; }
    const spec = JSON.parse(el.dataset.chart);
    const chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      aria: { enabled: true },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        extraCssText: rtl ? "direction: rtl; text-align: right;" : "",
      },
      legend: rtl ? { top: 0, right: 0 } : { top: 0 },
      grid: { left: rtl ? 24 : 8, right: rtl ? 8 : 24, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, inverse: rtl },
      yAxis: { type: "category", data: spec.categories, inverse: true, position: rtl ? "right" : "left" },
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: "bar",
          stack: "severity",
          data: s.data,
          itemStyle: { color: s.colour },
          emphasis: { focus: "series" },
        };
      }),
    });
    charts.push(chart);
    el.dataset.state = "ready";
  });

  // The printed page is narrower than the screen: redraw at its width, and back afterwards.
  function resize() { charts.forEach(function (c) { c.resize(); }); }
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
  if (window.matchMedia) {
    const print = window.matchMedia("print");
    if (print.addEventListener) { print.addEventListener("change", resize); }
  }
})();
