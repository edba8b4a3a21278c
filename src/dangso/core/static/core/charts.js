/* Draw every <canvas data-chart="ID"> from the JSON in <script id="ID"> with the vendored
   Chart.js; again after htmx swaps content in. A click on a bar or slice opens its link. */
(function () {
  "use strict";
  function draw(canvas) {
    if (canvas.dataset.drawn || typeof Chart === "undefined") return;
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var config = JSON.parse(source.textContent);
    canvas.dataset.drawn = "1";
    var kind = config.kind;
    var type = kind === "doughnut" ? "doughnut" : "bar";
    var horizontal = kind === "bar" || kind === "stacked";
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: type === "doughnut" || config.datasets.length > 1, position: "bottom" },
        tooltip: {
          callbacks: {
            label: function (item) {
              var value = horizontal ? item.parsed.x : (type === "doughnut" ? item.parsed : item.parsed.y);
              return (item.dataset.label ? item.dataset.label + ": " : "") +
                value.toLocaleString("vi-VN") + (config.unit ? " " + config.unit : "");
            }
          }
        }
      },
      onClick: function (event, elements) {
        if (!elements.length || !config.links || !config.links.length) return;
        var link = config.links[elements[0].index];
        if (link) window.location.href = link;
      }
    };
    if (type === "bar") {
      options.indexAxis = horizontal ? "y" : "x";
      var valueAxis = { beginAtZero: true, stacked: kind === "stacked" };
      if (config.unit === "%") valueAxis.max = 100;
      options.scales = horizontal
        ? { x: valueAxis, y: { stacked: kind === "stacked", ticks: { autoSkip: false } } }
        : { y: valueAxis, x: { ticks: { autoSkip: false } } };
    }
    new Chart(canvas, { type: type, data: { labels: config.labels, datasets: config.datasets }, options: options });
  }
  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:load", function (event) { drawAll(event.target); });
})();
