// A project's schedule as a Gantt chart (ECharts `custom` series, from static/vendor): one row per
// stage, its planned bar above its actual bar, and a line at today. The data comes from the page
// (json_script) and again from the project-gantt URL when "Refresh" is pressed.
(function () {
  var holder = document.getElementById("project-gantt-chart");
  var source = document.getElementById("project-gantt-data");
  if (!holder || !source || !window.echarts) return;
  var ROW = 34;
  var DAY = 24 * 3600 * 1000;
  var COLOURS = { planned: "#c8d3e1", done: "#2fb344", running: "#206bc4", late: "#d63939" };
  var chart = null;

  function time(day) { return new Date(day + "T00:00:00").getTime(); }

  function bar(params, api, upper) {
    var row = api.value(0);
    var start = api.coord([api.value(1), row]);
    var end = api.coord([api.value(2) + DAY, row]);
    var height = api.size([0, 1])[1] * 0.34;
    var y = upper ? start[1] - height : start[1];
    var shape = echarts.graphic.clipRectByRect(
      { x: start[0], y: y, width: Math.max(end[0] - start[0], 2), height: height },
      { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height }
    );
    return shape && { type: "rect", transition: ["shape"], shape: shape, style: api.style() };
  }

  function draw(data) {
    var rows = data.rows || [];
    holder.dataset.bars = String(rows.length + rows.filter(function (r) { return r.actual; }).length);
    if (!rows.length) { holder.style.height = "0"; if (chart) chart.clear(); return; }
    holder.style.height = rows.length * ROW + 70 + "px";
    holder.style.width = "100%";
    if (!chart) chart = echarts.init(holder, null, { renderer: "canvas" });
    else chart.resize();
    var planned = rows.map(function (r, i) { return [i, time(r.planned[0]), time(r.planned[1])]; });
    var actual = [];
    rows.forEach(function (r, i) {
      if (!r.actual) return;
      var colour = r.delay ? COLOURS.late : r.state === "done" ? COLOURS.done : COLOURS.running;
      var span = r.drawn || r.actual;
      actual.push({ value: [i, time(span[0]), time(span[1])], itemStyle: { color: colour } });
    });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 30, bottom: 28, containLabel: true },
      legend: { top: 0, data: [data.labels.planned, data.labels.actual] },
      tooltip: {
        formatter: function (p) {
          var r = rows[p.value[0]];
          var span = p.seriesIndex === 0 ? r.planned : r.actual;
          return echarts.format.encodeHTML(r.name) + "<br>" + p.seriesName + ": " + span[0] + " — " + span[1];
        },
      },
      xAxis: {
        type: "time",
        max: data.until ? time(data.until) : null,
        axisLabel: { formatter: "{yyyy}-{MM}", hideOverlap: true },
        splitLine: { show: true },
      },
      yAxis: {
        type: "category",
        inverse: true,
        data: rows.map(function (r) { return r.name; }),
        axisTick: { show: false },
        axisLabel: { interval: 0, fontSize: 12, width: 180, overflow: "truncate" },
      },
      series: [
        {
          type: "custom",
          name: data.labels.planned,
          renderItem: function (params, api) { return bar(params, api, true); },
          itemStyle: { color: COLOURS.planned },
          encode: { x: [1, 2], y: 0 },
          data: planned,
          markLine: {
            silent: true,
            symbol: "none",
            lineStyle: { color: COLOURS.late, type: "dashed" },
            label: { formatter: data.labels.today },
            // Today is marked only while it lies within the plan's span.
            data: !data.until || data.today <= data.until ? [{ xAxis: time(data.today) }] : [],
          },
        },
        {
          type: "custom",
          name: data.labels.actual,
          renderItem: function (params, api) { return bar(params, api, false); },
          itemStyle: { color: COLOURS.running },
          encode: { x: [1, 2], y: 0 },
          data: actual,
        },
      ],
    }, true);
  }

  draw(JSON.parse(source.textContent));
  var refresh = document.getElementById("project-gantt-refresh");
  if (refresh) {
    refresh.addEventListener("click", function () {
      fetch(holder.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(draw);
    });
  }
  window.addEventListener("resize", function () { if (chart) chart.resize(); });
})();
