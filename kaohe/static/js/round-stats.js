// A round's statistics: completion by department as horizontal bars (ECharts, from static/vendor).
// One row per department, in the table's order from the top; its height grows with the number of
// departments (18 px a row) so that 35 or 150 names stay readable on a 1366 × 768 laptop.
(function () {
  var holder = document.getElementById("stats-department-chart");
  var source = document.getElementById("stats-department-data");
  if (!holder || !source || !window.echarts) return;
  var rows = JSON.parse(source.textContent);
  if (!rows.length) return;
  var ROW = 18;
  holder.style.height = Math.max(160, rows.length * ROW + 60) + "px";
  holder.style.width = "100%";
  var chart = echarts.init(holder, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    grid: { left: 8, right: 56, top: 8, bottom: 28, containLabel: true },
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: function (items) {
        var row = rows[items[0].dataIndex];
        return echarts.format.encodeHTML(row.name) + ": " + row.label + " (" + row.due + ")";
      },
    },
    xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    yAxis: {
      type: "category",
      inverse: true,
      data: rows.map(function (r) { return r.name; }),
      axisTick: { show: false },
      axisLabel: { interval: 0, fontSize: 12, width: 160, overflow: "truncate" },
    },
    series: [
      {
        type: "bar",
        barMaxWidth: 14,
        data: rows.map(function (r) {
          var value = r.value === null ? null : Number(r.value);
          var colour = value === null ? "#adb5bd" : value < 50 ? "#d63939" : value < 100 ? "#f59f00" : "#2fb344";
          return { value: value, itemStyle: { color: colour } };
        }),
        label: {
          show: true,
          position: "right",
          fontSize: 11,
          formatter: function (p) { return rows[p.dataIndex].label; },
        },
      },
    ],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
