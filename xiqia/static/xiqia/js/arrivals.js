// The live arrivals page: htmx swaps in fresh figures every 5 seconds (#arrivals-live); this
// draws the per-gate chart from the JSON block that comes with them and redraws it in place,
// so no chart instance is left behind at each refresh.
(function () {
  "use strict";

  var chart = null;

  function draw() {
    var element = document.getElementById("arrivals-chart");
    var source = document.getElementById("arrivals-chart-data");
    if (!element || !source || typeof echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    chart = chart || echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      color: ["#9f1d20"],
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.labels, inverse: true },
      series: [
        { type: "bar", name: data.name, data: data.values, label: { show: true, position: "right" } },
      ],
      aria: { enabled: true },
      animation: false,
    });
    element.dataset.chartReady = "true";
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "arrivals-live") {
      draw();
    }
  });
  window.addEventListener("resize", function () {
    if (chart) {
      chart.resize();
    }
  });
})();
