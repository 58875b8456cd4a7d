/* Cross-entropy, MSE and MAE side by side: how each loss grows as the prediction gets worse.
   Draws glassgrad.viz.explainer.losses.loss_shapes_view. frame: an index into view.error (a dot rides
   each curve there); mark(error, label, losses) puts the dot at a sample's own error and losses instead.
   GG.components.loss_shapes(container) -> {update(view, frame), mark(error, label, losses), destroy()} */
(function () {
  "use strict";
  var GG = window.GG;
  var NAMES = { cross_entropy: "cross-entropy  −log p", mse: "MSE  (1 − p)²", mae: "MAE  |1 − p|" };
  var COLORS = { cross_entropy: "#e15759", mse: "#4e79a7", mae: "#59a14f" };

  GG.components.loss_shapes = function (container) {
    var root = GG.el("div", { class: "gg-loss-shapes" }, container);
    var panels = {}, marked = null, current = { view: null, frame: 0 };
    ["cross_entropy", "mse", "mae"].forEach(function (key) {
      var box = GG.el("div", { class: "gg-loss-panel", "data-loss": key }, root);
      GG.el("div", { class: "gg-panel-title", text: NAMES[key] }, box);
      panels[key] = { chart: GG.chart(box, { height: 150, xLabel: "error: 1 − p" }),
        value: GG.el("div", { class: "gg-panel-value" }, box) };
    });

    function draw() {
      var view = current.view;
      if (!view) return;
      var i = Math.max(0, Math.min(view.error.length - 1, current.frame));
      var yMax = 0;
      for (var key in view.losses) yMax = Math.max(yMax, GG.extent([view.losses[key]])[1]);
      Object.keys(panels).forEach(function (key) {
        var ys = view.losses[key];
        var x = marked ? marked.error : view.error[i], y = marked ? marked.losses[key] : ys[i];
        var dots = [{ x: x, y: y, color: COLORS[key], r: 5 }];
        panels[key].chart.draw({ series: [{ x: view.error, y: ys, color: COLORS[key], width: 2.2 }],
          x: [0, 1], y: [0, Math.max(1, Math.ceil(yMax))], dots: dots });
        panels[key].value.textContent = (marked ? marked.label + ": " : "") + "error " + GG.fmt(x,
            3) + " → loss " + GG.fmt(y, 3);
      });
    }

    return {
      update: function (view, frame) { current.view = view; current.frame = frame || 0; draw(); },
      mark: function (error, label, losses) {
        marked = error === null || error === undefined ? null : { error: error, label: label || "sample",
            losses: losses };
        draw();
      },
      destroy: function () { GG.clear(container); }
    };
  };
})();
