// The bar chart of the health records table (/health/reports/): the data comes from the page's
// json_script element, drawn with the vendored Chart.js (no inline script: CSP).
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("report-chart");
  const source = document.getElementById("report-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = ["#1f6feb", "#2da44e", "#d4a72c"];
  data.datasets.forEach((dataset, index) => {
    dataset.backgroundColor = colours[index % colours.length];
  });
  const numbers = new Intl.NumberFormat(document.documentElement.lang || "vi");
  canvas.chart = new Chart(canvas, {
    type: "bar",
    data,
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        y: { beginAtZero: true, ticks: { precision: 0, callback: (value) => numbers.format(value) } },
      },
      plugins: { legend: { position: "bottom" } },
    },
  });
  canvas.dataset.drawn = "true";
});
