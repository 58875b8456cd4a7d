/* Loss and accuracy over training: per step (faint), and per epoch on the training and test sets.
   Draws glassgrad.viz.views.curves_view; frame: an index into view.steps (the marker's step). A view that
   also carries lr_plan ({steps, lr}: the schedule planned over the whole run, as the playground's live
   curves do) gets a third chart: that plan and the learning rate each step used (view.lr[0]).
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
    var lrBox = null, lrChart = null;   // made the first time a view brings a plan

    function update(view, frame) {
      var n = view.steps.length, i = Math.max(0, Math.min(n - 1, frame || 0));
      var ep = view.epochs, epSteps = ep.step || [];
      // A live session at step 0 has no step yet, only its first evaluation.
      var step = n ? view.steps[i] : (epSteps.length ? epSteps[epSteps.length - 1] : 0);
      var x = [0, Math.max(n ? view.steps[n - 1] : step, 1)];
      var upto = GG.bisect(epSteps, step);
      if (epSteps.length && epSteps[0] > step) upto = -1;
      var loss = [{ x: view.steps, y: view.loss, color: "#4e79a7", alpha: 0.25, width: 1, upto: i }];
      var legend = [{ label: "each step", color: "rgba(78,121,167,0.4)" }];
      if (ep.loss) { loss.push({ x: epSteps, y: ep.loss, color: "#4e79a7", width: 2.2,
          upto: upto }); legend.push({ label: "train", color: "#4e79a7" }); }
      if (ep.val_loss) { loss.push({ x: epSteps, y: ep.val_loss, color: "#f28e2b", width: 2.2,
          upto: upto }); legend.push({ label: "test", color: "#f28e2b" }); }
      var lossRange = GG.extent([view.loss, ep.loss || [], ep.val_loss || []]);
      // The legend goes bottom left, where a falling loss never is (top left is where it starts).
      lossChart.draw({ series: loss, x: x, y: [Math.max(lossRange[0] * 0.8, 1e-4), lossRange[1] * 1.2],
          marker: step, legend: legend, legendBottom: true });
      var acc = [], accLegend = [];
      if (ep.accuracy) { acc.push({ x: epSteps, y: ep.accuracy, color: "#4e79a7", width: 2.2,
          upto: upto }); accLegend.push({ label: "train", color: "#4e79a7" }); }
      if (ep.val_accuracy) { acc.push({ x: epSteps, y: ep.val_accuracy, color: "#f28e2b", width: 2.2,
          upto: upto }); accLegend.push({ label: "test", color: "#f28e2b" }); }
      accBox.style.display = acc.length ? "" : "none";
      if (acc.length) accChart.draw({ series: acc, x: x, y: [0, 1], marker: step, legend: accLegend,
          legendBottom: true });
      drawPlan(view, i, step);
      root.setAttribute("data-step", String(step));
    }

    /* The planned schedule (dashed, over the whole plan) and the rate each step used, up to the marker. */
    function drawPlan(view, i, step) {
      var plan = view.lr_plan;
      if (lrBox) lrBox.style.display = plan ? "" : "none";
      root.setAttribute("data-lr-plan", plan ? "shown" : "");
      if (!plan) return;
      if (!lrBox) {
        lrBox = GG.el("div", { class: "gg-curve-box" }, root);
        GG.el("div", { class: "gg-panel-title", text: "learning rate" }, lrBox);
        lrChart = GG.chart(lrBox, { height: 120, xLabel: "step" });
      }
      var used = view.lr.length ? view.lr[0] : [];
      var end = Math.max(plan.steps.length ? plan.steps[plan.steps.length - 1] : 0, step, 1);
      var top = GG.max([plan.lr, used], 0);
      lrChart.draw({ series: [
        { x: plan.steps, y: plan.lr, color: "#9a9a9a", width: 1.6, dash: [5, 4] },
        { x: view.steps, y: used, color: "#59a14f", width: 2.2, upto: i }],
        x: [0, end], y: [0, top > 0 ? top * 1.4 : 1], marker: step,   // headroom: the legend sits on top
        legend: [{ label: "planned", color: "#9a9a9a", dash: [5, 4] }, { label: "used", color: "#59a14f" }] });
    }

    return { update: update, destroy: function () { GG.clear(container); } };
  };
})();
