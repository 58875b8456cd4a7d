/* A small line chart on canvas: axes with a few ticks, any number of series, a vertical marker and dots.
   GG.chart(container, {height, xLabel, yLabel, logY}).draw({series, x, y, marker, dots, bands}) */
(function () {
  "use strict";
  var GG = window.GG;

  function ticks(lo, hi, count) {
    var span = hi - lo;
    if (!(span > 0)) return [lo];
    var step = Math.pow(10, Math.floor(Math.log10(span / count)));
    var err = span / count / step;
    if (err >= 7.5) step *= 10; else if (err >= 3.5) step *= 5; else if (err >= 1.5) step *= 2;
    var out = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi +
        step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
    return out;
  }
  GG.ticks = ticks;

  /* Ticks (as log10 values) for a log axis spanning log10 values lo..hi: decades, or 1-2-5 steps when the
     axis spans less than two decades. */
  function logTicks(lo, hi) {
    var out = [], mantissas = hi - lo < 2 ? [1, 2, 5] : [1];
    if (hi - lo < 0.7) mantissas = [1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9];
    for (var e = Math.floor(lo); e <= Math.ceil(hi); e++) {
      mantissas.forEach(function (m) {
        var t = e + Math.log10(m);
        if (t >= lo - 1e-9 && t <= hi + 1e-9) out.push(t);
      });
    }
    if (out.length > 7) out = out.filter(function (t, i) { return i % 2 === 0; });
    return out;
  }

  function tickText(v) {
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(0);
    return String(parseFloat(v.toPrecision(4)));
  }

  GG.chart = function (container, options) {
    options = options || {};
    var surface = GG.canvas(container, options.height || 180, "gg-chart");
    var pad = { left: 46, right: 10, top: 10, bottom: options.xLabel ? 34 : 22 };
    var last = null;

    function draw(spec) {
      last = spec;
      var s = surface.fit(), ctx = s.ctx, w = s.w, h = s.h;
      var logY = spec.logY !== undefined ? spec.logY : options.logY;
      var fy = logY ? function (v) { return v > 0 ? Math.log10(v) : NaN; } : function (v) { return v; };
      var xr = spec.x || GG.extent(spec.series.map(function (d) { return d.x; }));
      var yr = spec.y || GG.extent(spec.series.map(function (d) { return d.y.map(fy); }));
      if (spec.y && logY) yr = [fy(spec.y[0]), fy(spec.y[1])];
      var x0 = pad.left, x1 = w - pad.right, y0 = h - pad.bottom, y1 = pad.top;
      var sx = function (v) { return x0 + (v - xr[0]) / (xr[1] - xr[0] || 1) * (x1 - x0); };
      var sy = function (v) { return y0 - (fy(v) - yr[0]) / (yr[1] - yr[0] || 1) * (y0 - y1); };
      ctx.clearRect(0, 0, w, h);
      ctx.font = "11px system-ui, sans-serif";
      ctx.fillStyle = "#666";
      ctx.strokeStyle = "#e4e4e4";
      ctx.lineWidth = 1;
      var yt = logY ? logTicks(yr[0], yr[1]) : ticks(yr[0], yr[1], 4);
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      yt.forEach(function (t) {
        var py = logY ? y0 - (t - yr[0]) / (yr[1] - yr[0] || 1) * (y0 - y1) : sy(t);
        if (logY) t = parseFloat(Math.pow(10, t).toPrecision(3));
        if (py < y1 - 1 || py > y0 + 1) return;
        ctx.beginPath(); ctx.moveTo(x0, py); ctx.lineTo(x1, py); ctx.stroke();
        ctx.fillText(tickText(t), x0 - 4, py);
      });
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      ticks(xr[0], xr[1], Math.max(2, Math.floor((x1 - x0) / 70))).forEach(function (t) {
        var text = tickText(t), half = ctx.measureText(text).width / 2;   // a label at the end stays whole
        ctx.fillText(text, Math.max(half, Math.min(w - half - 1, sx(t))), y0 + 4);
      });
      ctx.strokeStyle = "#999";
      ctx.beginPath(); ctx.moveTo(x0, y1); ctx.lineTo(x0, y0); ctx.lineTo(x1, y0); ctx.stroke();
      if (options.xLabel) ctx.fillText(options.xLabel, (x0 + x1) / 2, y0 + 18);
      if (options.yLabel) {
        ctx.save(); ctx.translate(10, (y0 + y1) / 2); ctx.rotate(-Math.PI / 2);
        ctx.textBaseline = "middle"; ctx.fillText(options.yLabel, 0, 0); ctx.restore();
      }
      ctx.save();
      ctx.beginPath(); ctx.rect(x0, y1 - 2, x1 - x0, y0 - y1 + 4); ctx.clip();
      (spec.bands || []).forEach(function (b) {
        ctx.fillStyle = b.color;
        ctx.fillRect(sx(b.from), y1, sx(b.to) - sx(b.from), y0 - y1);
      });
      spec.series.forEach(function (d) {
        ctx.strokeStyle = d.color || "#333";
        ctx.globalAlpha = d.alpha === undefined ? 1 : d.alpha;
        ctx.lineWidth = d.width || 1.6;
        ctx.setLineDash(d.dash || []);
        ctx.beginPath();
        var pen = false, n = d.upto === undefined ? d.x.length : Math.min(d.x.length, d.upto + 1);
        for (var i = 0; i < n; i++) {
          var v = d.y[i], px = sx(d.x[i]), py = sy(v);
          if (v === null || !isFinite(py)) { pen = false; continue; }
          if (pen) ctx.lineTo(px, py); else ctx.moveTo(px, py);
          pen = true;
        }
        ctx.stroke();
      });
      ctx.setLineDash([]);
      ctx.globalAlpha = 1;
      (spec.dots || []).forEach(function (p) {
        if (p.y === null || !isFinite(sy(p.y))) return;
        ctx.fillStyle = p.color || "#222";
        ctx.beginPath(); ctx.arc(sx(p.x), sy(p.y), p.r || 4, 0, 2 * Math.PI); ctx.fill();
        ctx.strokeStyle = "#fff"; ctx.lineWidth = 1.5; ctx.stroke();
      });
      ctx.restore();
      if (spec.marker !== undefined && spec.marker !== null) {
        ctx.strokeStyle = "rgba(0,0,0,0.45)";
        ctx.setLineDash([3, 3]);
        ctx.beginPath(); ctx.moveTo(sx(spec.marker), y1); ctx.lineTo(sx(spec.marker), y0); ctx.stroke();
        ctx.setLineDash([]);
      }
      if (spec.legend) legend(ctx, spec.legend, x0 + 8, spec.legendBottom ? y0 - 22 : y1 + 4, x1);
    }

    function legend(ctx, items, x, y, right) {
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      ctx.font = "11px system-ui, sans-serif";
      var px = x, py = y + 6;
      items.forEach(function (item) {
        var width = ctx.measureText(item.label).width + 26;
        if (px + width > right && px > x) { px = x; py += 15; }
        ctx.fillStyle = "rgba(255,255,255,0.8)";
        ctx.fillRect(px - 2, py - 7, width, 14);
        ctx.strokeStyle = item.color; ctx.lineWidth = 2.5; ctx.setLineDash(item.dash || []);
        ctx.beginPath(); ctx.moveTo(px, py); ctx.lineTo(px + 16, py); ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = "#333";
        ctx.fillText(item.label, px + 20, py);
        px += width + 6;
      });
    }

    return {
      draw: draw,
      redraw: function () { if (last) draw(last); },
      node: surface.canvas
    };
  };
})();
