/* Learning-rate schedules and the loss curves they produced, swept step by step.
   Draws glassgrad.viz.explainer.schedules.schedules_view; frame: an index into view.steps.
   GG.components.schedules(container, {focus}) -> {update(view, frame), set({focus}), destroy()} */
(function () {
  "use strict";
  var GG = window.GG;
  var COLORS = { constant: "#777777", step: "#4e79a7", cosine: "#59a14f", warmup_cosine: "#f28e2b",
      one_cycle: "#e15759" };

  GG.components.schedules = function (container, options) {
    options = options || {};
    var state = { focus: options.focus || null };
    var root = GG.el("div", { class: "gg-schedules" }, container);
    GG.el("div", { class: "gg-panel-title", text: "learning rate at each step (what the optimizer used)" }, root);
    var lrChart = GG.chart(root, { height: 150, xLabel: "step" });
    GG.el("div", { class: "gg-panel-title", text: "training loss (smoothed) each schedule produced" }, root);
    var lossChart = GG.chart(root, { height: 170, xLabel: "step", logY: true });
    var table = GG.el("table", { class: "gg-numbers gg-schedule-table" }, root);
    var current = { view: null, frame: 0 };

    function draw() {
      var view = current.view;
      if (!view) return;
      var i = Math.max(0, Math.min(view.steps.length - 1, current.frame));
      var step = view.steps[i];
      var lrSeries = [], lossSeries = [], legend = [], dotsLr = [], dotsLoss = [];
      view.runs.forEach(function (run) {
        var color = COLORS[run.name] || "#333";
        var faded = state.focus && state.focus !== run.name;
        var alpha = faded ? 0.18 : 1, width = state.focus === run.name ? 3 : 2;
        lrSeries.push({ x: view.steps, y: run.lr, color: color, alpha: alpha, width: width });
        lossSeries.push({ x: view.steps, y: run.loss, color: color, alpha: alpha, width: width, upto: i });
        legend.push({ label: run.label, color: color });
        if (!faded) {
          dotsLr.push({ x: step, y: run.lr[i], color: color, r: 3.5 });
          dotsLoss.push({ x: step, y: run.loss[i], color: color, r: 3.5 });
        }
      });
      var lossRange = GG.extent(view.runs.map(function (r) { return r.loss; }));
      lrChart.draw({ series: lrSeries, x: [view.steps[0], view.steps[view.steps.length - 1]], marker: step,
          dots: dotsLr,
        y: [0, GG.max(view.runs.map(function (r) { return r.lr; }), 1) * 1.08 || 1] });
      lossChart.draw({ series: lossSeries, x: [view.steps[0], view.steps[view.steps.length - 1]], marker: step,
          dots: dotsLoss,
        y: [lossRange[0] * 0.8, lossRange[1] * 1.2] });
      GG.clear(table);
      var head = GG.el("tr", {}, table);
      ["schedule", "lr now", "loss now", "test loss after", "test accuracy after"].forEach(function (t) { GG.el("th",
          { text: t }, head); });
      view.runs.forEach(function (run) {
        var tr = GG.el("tr", { class: state.focus === run.name ? "gg-focus" : "", "data-schedule": run.name }, table);
        var name = GG.el("td", {}, tr);
        GG.el("span", { class: "gg-swatch", style: "background:" + (COLORS[run.name] || "#333") }, name);
        GG.el("span", { text: run.label, title: run.code }, name);
        GG.el("td", { text: GG.fmt(run.lr[i], 4) }, tr);
        GG.el("td", { text: GG.fmt(run.loss[i], 3) }, tr);
        GG.el("td", { text: GG.fmt(run.test_loss, 3) }, tr);
        GG.el("td", { text: GG.pct(run.test_accuracy) }, tr);
      });
      root.setAttribute("data-step", String(step));
    }

    return {
      update: function (view, frame) { current.view = view; current.frame = frame || 0; draw(); },
      set: function (changes) { if (changes.focus !== undefined) state.focus = changes.focus; draw(); },
      colors: COLORS,
      destroy: function () { GG.clear(container); }
    };
  };
})();
