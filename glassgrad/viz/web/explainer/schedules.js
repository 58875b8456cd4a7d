/* Section 5 — learning-rate schedules and the loss each produced. For a recorded run: its own rate. */
(function () {
  "use strict";
  var GG = window.GG;
  GG.sections = GG.sections || {};

  GG.sections.schedules = function (stage, data, shared) {
    var view = data.schedules;
    if (!view) {
      var curves = data.curves;
      if (!curves || !curves.lr.length) return;
      view = { steps: curves.steps, runs: [{ name: "constant", label: "this run", code: "", lr: curves.lr[0],
        loss: curves.smoothed, test_loss: null, test_accuracy: null }] };
    }
    var controls = GG.el("div", { class: "gg-controls" }, stage);
    var comp = GG.components.schedules(stage, {});
    if (view.runs.length > 1) {
      GG.el("span", { class: "gg-control-name", text: "highlight" }, controls);
      GG.choices(controls, [{ value: "", label: "all" }].concat(view.runs.map(function (r) {
        return { value: r.name, label: r.label, color: comp.colors[r.name] };
      })), "", function (v) { comp.set({ focus: v || null }); });
    }
    var row = GG.el("div", { class: "gg-player-row" }, stage);
    GG.el("span", { class: "gg-control-name", text: "steps" }, row);
    var player = GG.player(row, { count: view.steps.length, fps: 30, name: "schedule step", loop: false,
      label: function (i) { return "step " + view.steps[i]; }, onFrame: function (i) { comp.update(view, i); } });
    player.set(view.steps.length - 1);
    shared.players.schedules = player;
  };
})();
