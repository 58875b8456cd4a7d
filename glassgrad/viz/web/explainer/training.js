/* Section 6 — the training loop: the decision boundary epoch by epoch, loss and accuracy, weight and
   gradient histograms per layer. */
(function () {
  "use strict";
  var GG = window.GG;
  GG.sections = GG.sections || {};

  GG.sections.training = function (stage, data, shared) {
    var boundary = data.boundary, curves = data.curves, hist = data.histograms;
    var body = GG.el("div", { class: "gg-split" }, stage);
    var main = GG.el("div", { class: "gg-main" }, body), side = GG.el("div", { class: "gg-side" }, body);
    var b = boundary ? GG.components.boundary(main) : null;
    var c = GG.components.curves(side);
    var kind = "weight", names = Object.keys(hist.weight.tensors), h = null;
    if (names.length) {
      var controls = GG.el("div", { class: "gg-controls" }, stage);
      GG.el("span", { class: "gg-control-name", text: "histograms of" }, controls);
      GG.choices(controls, [{ value: "weight", label: "weights" }, { value: "grad", label: "gradients" }], kind,
        function (k) { kind = k; player.redraw(); });
      h = GG.components.histograms(stage);
    }
    // The frames: the snapshots; for a run that kept none, its recorded steps.
    var snapSteps = boundary ? boundary.frames.map(function (f) { return f.step; }) :
      names.length ? hist.weight.tensors[names[0]].steps : curves.steps.length ? curves.steps : [0];
    var epochSteps = (curves.epochs && curves.epochs.step) || [];
    function epochOf(step) {
      var k = GG.bisect(epochSteps, step);
      return epochSteps.length && epochSteps[0] <= step ? curves.epochs.epoch[k] : 0;
    }
    function draw(i) {
      var step = snapSteps[i];
      if (b) b.update(boundary, i);
      c.update(curves, GG.bisect(curves.steps, step));
      if (h && Object.keys(hist[kind].tensors).length) h.update(hist[kind], i);
    }
    var row = GG.el("div", { class: "gg-player-row" }, stage);
    GG.el("span", { class: "gg-control-name", text: "training" }, row);
    var player = GG.player(row, { count: snapSteps.length, fps: 8, name: "training step of the training loop",
        loop: false,
      label: function (i) {
        var f = boundary ? boundary.frames[i] : null;
        return "step " + snapSteps[i] + " · epoch " + epochOf(snapSteps[i]) +
            (f && f.accuracy !== null && f.accuracy !== undefined ? " · train accuracy " + GG.pct(f.accuracy) : "");
      }, onFrame: draw });
    player.set(snapSteps.length - 1);
    shared.players.training = player;
  };
})();
