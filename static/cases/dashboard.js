/* Draws the dashboard's charts from the figures the server put in #dashboard-charts.
   The tables on the page hold the same numbers; without JavaScript they are all there is. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  var palette = ["#0b4f8a", "#1a7f37", "#9a6700", "#cf222e", "#8250df", "#4a5563"];

  // A share of 0% would draw no bar and look like a month without grants (null, no bar):
  // zero bars get a minimum length (minBarLength) and this "0%" label above them.
  var zeroLabels = {
    id: "zeroLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = "600 11px sans-serif";
      ctx.fillStyle = "#4a5563";
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      chart.data.datasets.forEach(function (dataset, i) {
        if (!chart.isDatasetVisible(i)) { return; }
        chart.getDatasetMeta(i).data.forEach(function (bar, j) {
          if (dataset.data[j] === 0) { ctx.fillText("0%", bar.x, bar.y - 2); }
        });
      });
      ctx.restore();
    }
  };

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    canvas.closest("figure").classList.add("dash-chart--ready");
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    new window.Chart(canvas, config);
  }

  ready(function () {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);

    draw("chart-funnel", {
      type: "bar",
      data: { labels: data.funnel.labels, datasets: [{ label: data.funnel.label, data: data.funnel.values, backgroundColor: palette[0], maxBarThickness: 36 }] },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    });

    draw("chart-weekly", {
      type: "line",
      data: {
        labels: data.weekly.labels,
        datasets: data.weekly.series.map(function (s, i) {
          return { label: s.label, data: s.data, borderColor: palette[i], backgroundColor: palette[i],
                   yAxisID: s.axis === "days" ? "days" : "cases", borderDash: s.axis === "days" ? [6, 4] : [],
                   pointRadius: 0, spanGaps: true, tension: 0.2 };
        })
      },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          cases: { position: "left", beginAtZero: true, title: { display: true, text: data.weekly.cases }, ticks: { precision: 0 } },
          days: { position: "right", beginAtZero: true, title: { display: true, text: data.weekly.days }, grid: { drawOnChartArea: false } }
        }
      }
    });

    draw("chart-benchmark", {
      type: "bar",
      data: {
        labels: data.benchmark.labels,
        datasets: data.benchmark.series.map(function (s, i) {
          return { label: s.label, data: s.data, backgroundColor: palette[i], maxBarThickness: 40, minBarLength: 3 };
        })
      },
      options: {
        layout: { padding: { top: 4 } },
        scales: { y: { min: 0, max: 100, title: { display: true, text: data.benchmark.axis } } }
      },
      plugins: [zeroLabels]
    });

    draw("chart-workload", {
      type: "bar",
      data: {
        labels: data.workload.labels,
        datasets: data.workload.series.map(function (s, i) {
          return { label: s.label, data: s.data, backgroundColor: [palette[0], palette[2], palette[3]][i], maxBarThickness: 48 };
        })
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  });
}());
