/* Per-layer histograms of weights (or gradients) at one snapshot, over the first snapshot's outline.
   Draws glassgrad.viz.views.histogram_view; frame: a snapshot index.
   GG.components.histograms(container) -> {update(view, frame), destroy()} */
(function () {
  "use strict";
  var GG = window.GG;

  GG.components.histograms = function (container) {
    var root = GG.el("div", { class: "gg-histograms" }, container);
    var panels = {}, builtFor = null;

    function build(view) {
      GG.clear(root);
      panels = {};
      Object.keys(view.tensors).forEach(function (name) {
        var box = GG.el("div", { class: "gg-hist" }, root);
        GG.el("div", { class: "gg-panel-title", text: name }, box);
        panels[name] = { surface: GG.canvas(box, 86), range: GG.el("div", { class: "gg-caption" }, box) };
      });
      builtFor = view;
    }

    function update(view, frame) {
      if (builtFor !== view) build(view);
      Object.keys(view.tensors).forEach(function (name) {
        var t = view.tensors[name], panel = panels[name];
        var i = Math.max(0, Math.min(t.counts.length - 1, frame || 0));
        var s = panel.surface.fit(), ctx = s.ctx, w = s.w, h = s.h;
        var counts = t.counts[i], first = t.counts[0], bins = counts.length;
        var top = 1;
        for (var k = 0; k < t.counts.length; k++) for (var j = 0; j < bins; j++) top = Math.max(top, t.counts[k][j]);
        top = Math.sqrt(top);
        ctx.clearRect(0, 0, w, h);
        var bw = w / bins;
        ctx.fillStyle = view.kind === "grad" ? "#e15759" : "#4e79a7";
        for (var b = 0; b < bins; b++) {
          var bh = Math.sqrt(counts[b]) / top * (h - 4);
          ctx.fillRect(b * bw + 0.5, h - bh, Math.max(1, bw - 1), bh);
        }
        ctx.strokeStyle = "rgba(0,0,0,0.45)"; ctx.lineWidth = 1; ctx.beginPath();
        for (var c = 0; c < bins; c++) {
          var fh = h - Math.sqrt(first[c]) / top * (h - 4);
          if (c) ctx.lineTo(c * bw, fh); else ctx.moveTo(0, fh);
          ctx.lineTo((c + 1) * bw, fh);
        }
        ctx.stroke();
        panel.range.textContent = GG.fmt(t.edges[0], 2) + " … " + GG.fmt(t.edges[t.edges.length - 1],
            2) + " (step " + t.steps[i] + ")";
      });
    }

    return { update: update, destroy: function () { GG.clear(container); } };
  };
})();
