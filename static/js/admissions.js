// The admissions funnel charts: data from the page's json_script block (no inline script, CSP).
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("funnel-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var palette = ["#1d5fbf", "#1f7a3a", "#b37400", "#6b2fa3", "#b3261e", "#555555"];
  var bySource = document.getElementById("funnel-by-source");
  if (bySource) {
    new Chart(bySource, {
      type: "bar",
      data: {
        labels: data.stages,
        datasets: data.sources.map(function (s, i) {
          return { label: s.label, data: s.stages, backgroundColor: palette[i % palette.length] };
        }),
      },
      options: { responsive: true, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }
  var byMonth = document.getElementById("funnel-by-month");
  if (byMonth) {
    var datasets = [];
    data.by_month.forEach(function (s, i) {
      datasets.push({ label: s.label, data: s.total, backgroundColor: palette[i % palette.length], stack: "inquiries" });
    });
    datasets.push({
      label: "Enrolled (all sources)",
      type: "line",
      data: data.months.map(function (_, m) {
        return data.by_month.reduce(function (sum, s) { return sum + s.enrolled[m]; }, 0);
      }),
      borderColor: "#111111",
      backgroundColor: "#111111",
    });
    new Chart(byMonth, {
      type: "bar",
      data: { labels: data.months, datasets: datasets },
      options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }
});
