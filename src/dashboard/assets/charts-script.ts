/**
 * The browser side of the dashboard's charts: each `<div data-chart="ID">` is drawn with uPlot from the JSON in
 * `<script id="ID">` ({ x: epoch seconds, series: [{ label, values }], stacked, marks: epoch seconds, unit }).
 * A stacked chart draws running sums with the band between each series and the one below filled. Marks (plan
 * changes) are vertical dashed lines. Once drawn, the div gets data-drawn="<points>" (what the browser test reads).
 */
export const CHARTS_SCRIPT = `"use strict";
(function () {
  var COLOURS = ["#3366cc","#dc3912","#ff9900","#109618","#990099","#0099c6","#dd4477","#66aa00","#b82e2e","#316395","#994499","#22aa99"];
  function draw(div) {
    var data = JSON.parse(document.getElementById(div.dataset.chart).textContent);
    var n = data.series.length;
    var columns = [data.x];
    var sums = data.x.map(function () { return 0; });
    data.series.forEach(function (s) {
      columns.push(data.stacked ? s.values.map(function (v, i) { return (sums[i] += v); }) : s.values);
    });
    var series = [{}];
    var bands = [];
    data.series.forEach(function (s, i) {
      var colour = COLOURS[i % COLOURS.length];
      series.push({
        label: s.label, stroke: colour, width: 1,
        fill: data.stacked ? colour + "99" : undefined,
        value: function (u, v, si, di) {
          if (v == null) return "—";
          var own = data.stacked && di != null ? data.series[si - 1].values[di] : v;
          return own.toFixed(own < 10 ? 2 : 0) + " " + (data.unit || "");
        }
      });
      if (data.stacked && i > 0) bands.push({ series: [i + 1, i] });
    });
    var marks = data.marks || [];
    var opts = {
      width: Math.max(300, div.clientWidth - 16), height: 260, series: series, bands: bands,
      scales: { x: { time: true } },
      axes: [{}, { label: data.unit || "", size: 60 }],
      legend: { live: true },
      hooks: { draw: [function (u) {
        var ctx = u.ctx; ctx.save(); ctx.strokeStyle = "#a4330b"; ctx.setLineDash([5, 4]); ctx.lineWidth = 2;
        marks.forEach(function (t) {
          var x = Math.round(u.valToPos(t, "x", true));
          ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        });
        ctx.restore();
      }] }
    };
    new uPlot(opts, columns, div);
    div.dataset.drawn = String(data.x.length * n);
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
`;
