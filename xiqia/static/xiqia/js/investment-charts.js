// Render the investment dashboards' charts: every element with data-xchart, from the JSON
// block it names (Django's json_script), so the strict Content-Security-Policy holds. A chart
// is bars per label, one series or more, optionally horizontal, optionally with a target
// line. The table beside each chart holds the same figures for screen readers and export.
(function () {
  "use strict";

  var COLOURS = ["#9f1d20", "#c99a2e", "#2f6f8f", "#5b8c3a"];

  function option(data) {
    var category = { type: "category", data: data.labels, axisLabel: { interval: 0 } };
    var value = { type: "value", name: data.unit || "" };
    var series = data.series.map(function (s, index) {
      var item = {
        type: "bar",
        name: s.name,
        data: s.values,
        label: { show: true, position: data.horizontal ? "right" : "top" },
      };
      if (index === 0 && data.target) {
        item.markLine = {
          symbol: "none",
          lineStyle: { type: "dashed", color: "#333" },
          label: { formatter: (data.target_name || "") + " {c}" },
          data: [{ yAxis: data.target }],
        };
      }
      return item;
    });
    if (data.horizontal) {
      category.inverse = true;
      category.axisLabel = { width: 160, overflow: "truncate" };
    }
    return {
      color: COLOURS,
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: data.series.length > 1 ? { top: 0 } : undefined,
      xAxis: data.horizontal ? value : category,
      yAxis: data.horizontal ? category : value,
      series: series,
      aria: { enabled: true },
      animation: false,
    };
  }

  function render(element) {
    var source = document.getElementById(element.dataset.xchart);
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option(JSON.parse(source.textContent)));
    element.dataset.chartReady = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-xchart]").forEach(render);
  });
})();
