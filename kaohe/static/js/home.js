// The school card's chart: active departments by kind (ECharts, from static/vendor).
(function () {
  var holder = document.getElementById("department-kinds-chart");
  var source = document.getElementById("department-kinds");
  if (!holder || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { trigger: "item" },
    legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["45%", "70%"], label: { formatter: "{b}: {c}" }, data: data }],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
