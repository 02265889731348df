// reports.js: draws 统计报表's two charts with Chart.js from the numbers the page carries in
// data-chart (JSON; CSP allows no inline script): income vs refunds by month, check-in rate by camp.
(function () {
  "use strict";
  var box = document.getElementById("report-charts");
  if (!box || typeof Chart === "undefined") return;
  var data = JSON.parse(box.getAttribute("data-chart") || "{}");
  function nums(list) { return (list || []).map(function (s) { return parseFloat(s); }); }
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  var common = { animation: false, responsive: true, maintainAspectRatio: false };
  window.campCharts = {
    money: new Chart(document.getElementById("chart-money"), {
      type: "bar",
      data: {
        labels: data.months || [],
        datasets: [
          { label: "押金收入（元）", data: nums(data.income), backgroundColor: "#0d6efd" },
          { label: "退款（元）", data: nums(data.refunds), backgroundColor: "#fd7e14" }
        ]
      },
      options: Object.assign({ scales: { y: { beginAtZero: true } } }, common)
    }),
    rates: new Chart(document.getElementById("chart-rates"), {
      type: "bar",
      data: {
        labels: data.camps || [],
        datasets: [{ label: "平均打卡率（%）", data: nums(data.rates), backgroundColor: "#198754" }]
      },
      options: Object.assign({ indexAxis: "y", scales: { x: { beginAtZero: true, suggestedMax: 100 } } }, common)
    })
  };
})();
