/* Loss and accuracy over training: per step (faint), and per epoch on the training and test sets.
   Draws glassgrad.viz.views.curves_view; frame: an index into view.steps (the marker's step).
   GG.components.curves(container) -> {update(view, frame), destroy()} */
(function () {
  "use strict";
  var GG = window.GG;

  GG.components.curves = function (container) {
    var root = GG.el("div", { class: "gg-curves" }, container);
    var lossBox = GG.el("div", { class: "gg-curve-box" }, root);
    GG.el("div", { class: "gg-panel-title", text: "loss" }, lossBox);
    var lossChart = GG.chart(lossBox, { height: 150, xLabel: "step", logY: true });
    var accBox = GG.el("div", { class: "gg-curve-box" }, root);
    GG.el("div", { class: "gg-panel-title", text: "accuracy" }, accBox);
    var accChart = GG.chart(accBox, { height: 150, xLabel: "step" });

    function update(view, frame) {
      var i = Math.max(0, Math.min(view.steps.length - 1, frame || 0));
      var step = view.steps[i], ep = view.epochs, x = [0, view.steps[view.steps.length - 1]];
      var epSteps = ep.step || [];
      var upto = GG.bisect(epSteps, step);
      if (epSteps.length && epSteps[0] > step) upto = -1;
      var loss = [{ x: view.steps, y: view.loss, color: "#4e79a7", alpha: 0.25, width: 1, upto: i }];
      var legend = [{ label: "each step", color: "rgba(78,121,167,0.4)" }];
      if (ep.loss) { loss.push({ x: epSteps, y: ep.loss, color: "#4e79a7", width: 2.2,
          upto: upto }); legend.push({ label: "train", color: "#4e79a7" }); }
      if (ep.val_loss) { loss.push({ x: epSteps, y: ep.val_loss, color: "#f28e2b", width: 2.2,
          upto: upto }); legend.push({ label: "test", color: "#f28e2b" }); }
      var lossRange = GG.extent([view.loss, ep.loss || [], ep.val_loss || []]);
      lossChart.draw({ series: loss, x: x, y: [Math.max(lossRange[0] * 0.8, 1e-4), lossRange[1] * 1.2], marker: step,
          legend: legend });
      var acc = [], accLegend = [];
      if (ep.accuracy) { acc.push({ x: epSteps, y: ep.accuracy, color: "#4e79a7", width: 2.2,
          upto: upto }); accLegend.push({ label: "train", color: "#4e79a7" }); }
      if (ep.val_accuracy) { acc.push({ x: epSteps, y: ep.val_accuracy, color: "#f28e2b", width: 2.2,
          upto: upto }); accLegend.push({ label: "test", color: "#f28e2b" }); }
      accBox.style.display = acc.length ? "" : "none";
      if (acc.length) accChart.draw({ series: acc, x: x, y: [0, 1], marker: step, legend: accLegend,
          legendBottom: true });
      root.setAttribute("data-step", String(step));
    }

    return { update: update, destroy: function () { GG.clear(container); } };
  };
})();
