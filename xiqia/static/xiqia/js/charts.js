// Render every element with data-chart as an ECharts chart. The figures come from a JSON
// <script type="application/json"> block named by data-chart (Django's json_script), so the
// page needs no inline script and the strict Content-Security-Policy holds. Each chart sits
// next to a table with the same figures, for screen readers and export.
(function () {
  "use strict";

  function render(element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      color: ["#9f1d20"],
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.labels, inverse: true },
      series: [{ type: "bar", name: data.name, data: data.values, label: { show: true, position: "right" } }],
      aria: { enabled: true },
      animation: false,
    });
    element.dataset.chartReady = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function renderAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(render);
  }

  document.addEventListener("DOMContentLoaded", function () { renderAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { renderAll(event.target); });
})();
