// The dashboard's charts (Chart.js, vendored): every <canvas data-chart="ID"> is drawn from the
// JSON of <script type="application/json" id="ID"> (json_script), when the page loads and
// each time htmx swaps a panel in. No inline script: the Content-Security-Policy allows none.
(function () {
  "use strict";
  var palette = ["#1c6b30", "#d9822b", "#a32020", "#2f6fb0", "#7a5ea8", "#5b6470"];

  function config(kind, data) {
    if (kind === "donut") {
      return {
        type: "doughnut",
        data: { labels: data.labels, datasets: [{ data: data.data, backgroundColor: palette }] },
        options: { responsive: true, maintainAspectRatio: false, animation: false },
      };
    }
    var series = data.series || [{ label: "", data: data.data }];
    return {
      type: kind === "line" ? "line" : "bar",
      data: {
        labels: data.labels,
        datasets: series.map(function (item, index) {
          return { label: item.label, data: item.data, backgroundColor: palette[index % palette.length], borderColor: palette[index % palette.length] };
        }),
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: kind === "stacked" }, y: { stacked: kind === "stacked", beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
  }

  function draw(root) {
    if (typeof window.Chart === "undefined") { return; }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) { return; }
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, config(canvas.dataset.kind, JSON.parse(source.textContent)));
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    draw(event.target);
    event.target.removeAttribute("aria-busy");
  });
  window.addEventListener("load", function () { draw(document); });
})();
