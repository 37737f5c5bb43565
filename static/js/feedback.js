// Feedback analytics charts: data from the page's json_script block (no inline script, CSP).
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("feedback-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var byProgram = document.getElementById("feedback-by-program");
  if (byProgram) {
    new Chart(byProgram, {
      type: "bar",
      data: {
        labels: data.programs,
        datasets: [
          { label: "Positive", data: data.program_split.positive, backgroundColor: "#1f7a3a", stack: "s" },
          { label: "Neutral", data: data.program_split.neutral, backgroundColor: "#8a8a8a", stack: "s" },
          { label: "Negative", data: data.program_split.negative, backgroundColor: "#b3261e", stack: "s" },
        ],
      },
      options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }
  var byMonth = document.getElementById("feedback-by-month");
  if (byMonth) {
    new Chart(byMonth, {
      type: "line",
      data: {
        labels: data.months,
        datasets: [
          { label: "Mean rating", data: data.month_rating, borderColor: "#1d5fbf", backgroundColor: "#1d5fbf", yAxisID: "rating" },
          { label: "Negative answers", data: data.month_negative, type: "bar", backgroundColor: "#f2b8b5", yAxisID: "count" },
        ],
      },
      options: {
        responsive: true,
        scales: {
          rating: { position: "left", min: 1, max: 5 },
          count: { position: "right", beginAtZero: true, ticks: { precision: 0 }, grid: { drawOnChartArea: false } },
        },
      },
    });
  }
});
