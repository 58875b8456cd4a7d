/* Section 4 — gradient descent: optimizers from one start across one landscape slice, at a small, a
   right and a large learning rate. For a recorded run: its own path across its own slice. */
(function () {
  "use strict";
  var GG = window.GG;
  GG.sections = GG.sections || {};

  GG.sections.descent = function (stage, data, shared) {
    var view = data.race || data.landscape;
    if (!view) return;
    var controls = GG.el("div", { class: "gg-controls" }, stage);
    var body = GG.el("div", { class: "gg-split" }, stage);
    var main = GG.el("div", { class: "gg-main" }, body), side = GG.el("div", { class: "gg-side" }, body);
    var land = GG.components.landscape(main, { rate: "right" });
    var hidden = {}, rate = "right";
    GG.el("div", { class: "gg-panel-title", text: "the real loss along each path" }, side);
    var chart = GG.chart(side, { height: 190, xLabel: "step", logY: true });
    var info = GG.el("div", { class: "gg-caption", "data-role": "rates" }, side);
    var steps = GG.landscapeSteps(view);
    var runs = view.runs || [{ optimizer: "run", label: "this run", rate: "right", steps: view.path_steps,
        loss: view.path_loss }];

    if (view.runs) {
      GG.el("span", { class: "gg-control-name", text: "learning rate" }, controls);
      GG.choices(controls, view.rates.map(function (r) {
        return { value: r, label: r === "small" ? "too small" : r === "large" ? "too large" : "about right" };
      }), rate, function (r) { rate = r; land.set({ rate: r }); player.redraw(); }, "gg-rate-picker");
      GG.el("span", { class: "gg-control-name", text: "show" }, controls);
      view.optimizers.forEach(function (o) {
        var label = GG.el("label", { class: "gg-check" }, controls);
        var box = GG.el("input", { type: "checkbox", checked: "checked", "data-optimizer": o.name }, label);
        GG.el("span", { class: "gg-swatch", style: "background:" + land.colors[o.name] }, label);
        GG.el("span", { text: o.label }, label);
        box.addEventListener("change",
            function () { hidden[o.name] = !box.checked; land.set({ hidden: hidden }); player.redraw(); });
      });
    }

    function draw(i) {
      land.update(view, i);
      var step = steps[i], series = [], dots = [], texts = [];
      runs.forEach(function (run) {
        if (run.rate !== rate || hidden[run.optimizer]) return;
        var color = land.colors[run.optimizer] || "#333", upto = GG.bisect(run.steps, step);
        series.push({ x: run.steps, y: run.loss, color: color, width: 2.2, upto: upto });
        dots.push({ x: run.steps[upto], y: run.loss[upto], color: color, r: 3.5 });
        if (run.lr !== undefined) texts.push(run.label + " lr " + run.lr +
            (run.diverged_at !== null && run.diverged_at !== undefined ? " (diverged at step " + run.diverged_at +
            ")" : ""));
      });
      chart.draw({ series: series, x: [0, steps[steps.length - 1]], marker: step, dots: dots });
      info.textContent = texts.join(" · ");
    }
    var row = GG.el("div", { class: "gg-player-row" }, stage);
    GG.el("span", { class: "gg-control-name", text: "steps" }, row);
    var player = GG.player(row, { count: steps.length, fps: 12, name: "optimizer step", loop: false,
      label: function (i) { return "step " + steps[i]; }, onFrame: draw });
    player.set(steps.length - 1);
    shared.players.descent = player;
  };
})();
