// The progress page's charts, drawn from the JSON the page carries (#progress-data; no inline script).
(function () {
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function dateOf(start, days) {
    var d = new Date(start + "T00:00:00");
    d.setDate(d.getDate() + days);
    return d.toLocaleDateString(undefined, { day: "numeric", month: "short" });
  }

  ready(function () {
    var source = document.getElementById("progress-data");
    if (!source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    var verdictColour = data.verdict === "on track" ? "#1b7f3b" : data.verdict === "off track" ? "#b42318" : "#6b7280";

    var datasets = [
      { label: "Ratings", data: data.points, showLine: true, borderColor: "#1d4ed8", backgroundColor: "#1d4ed8", pointRadius: 4 },
    ];
    if (data.aim.length) {
      datasets.push({ label: "Aim line", data: data.aim, showLine: true, borderDash: [6, 4], borderColor: "#7c3aed", pointRadius: 0 });
    }
    if (data.trend.length) {
      datasets.push({ label: "Trend (" + data.verdict + ")", data: data.trend, showLine: true, borderColor: verdictColour, pointRadius: 0, borderWidth: 2 });
    }
    var annotations = {};
    if (data.baseline !== null) {
      annotations.baseline = { type: "line", yMin: data.baseline, yMax: data.baseline, borderColor: "#9ca3af", borderDash: [2, 2],
        label: { display: true, content: "Baseline " + data.baseline, position: "start" } };
    }
    if (data.goal_x !== null) {
      annotations.goalDate = { type: "line", xMin: data.goal_x, xMax: data.goal_x, borderColor: "#7c3aed",
        label: { display: true, content: "Goal date", position: "start" } };
    }
    var max = data.scale === "percent" ? 100 : 5;
    var min = data.scale === "percent" ? 0 : 1;
    window.progressChart = new Chart(document.getElementById("progress-chart"), {
      type: "scatter",
      data: { datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { type: "linear", min: 0, ticks: { callback: function (v) { return dateOf(data.start_date, v); } } },
          y: { min: min, max: max },
        },
        plugins: { annotation: { annotations: annotations }, legend: { position: "bottom" } },
      },
    });

    var labels = data.attendance.labels;
    var startIndex = labels.indexOf(data.attendance.start_label);
    var marks = {};
    if (startIndex >= 0) {
      marks.start = { type: "line", xMin: startIndex, xMax: startIndex, borderColor: "#7c3aed", borderWidth: 2,
        label: { display: true, content: "Program starts", position: "start" } };
    }
    window.attendanceChart = new Chart(document.getElementById("attendance-chart"), {
      type: "bar",
      data: {
        labels: labels.map(function (l) { return dateOf(l, 0); }),
        datasets: [{ label: "Attendance %", data: data.attendance.rates, backgroundColor: "#60a5fa" }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { min: 0, max: 100 } },
        plugins: { annotation: { annotations: marks }, legend: { display: false } },
      },
    });
  });
})();
