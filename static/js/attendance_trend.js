// The profile's weekly attendance chart with program starts and meetings marked (#attendance-trend-data).
(function () {
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var source = document.getElementById("attendance-trend-data");
    if (!source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    var annotations = {};
    data.marks.forEach(function (mark, i) {
      var index = data.labels.indexOf(mark.week);
      if (index < 0) return;
      annotations["mark" + i] = {
        type: "line", xMin: index, xMax: index, borderWidth: 2,
        borderColor: mark.label === "Meeting" ? "#b45309" : "#7c3aed",
        label: { display: true, content: mark.label, position: i % 2 ? "end" : "start" },
      };
    });
    window.attendanceTrendChart = new Chart(document.getElementById("attendance-trend-chart"), {
      type: "bar",
      data: {
        labels: data.labels.map(function (l) {
          return new Date(l + "T00:00:00").toLocaleDateString(undefined, { day: "numeric", month: "short" });
        }),
        datasets: [{ label: "Attendance %", data: data.rates, backgroundColor: "#60a5fa" }],
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { y: { min: 0, max: 100 } },
        plugins: { annotation: { annotations: annotations }, legend: { display: false } },
      },
    });
  });
})();
