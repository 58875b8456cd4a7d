/* Section 1 — the forward pass: pick a sample, watch it flow layer by layer, at any training step. */
(function () {
  "use strict";
  var GG = window.GG;
  GG.sections = GG.sections || {};

  GG.sections.forward = function (stage, data, shared) {
    var view = data.network;
    if (!view) return;
    var controls = GG.el("div", { class: "gg-controls" }, stage);
    var body = GG.el("div", { class: "gg-split" }, stage);
    var left = GG.el("div", { class: "gg-main" }, body), right = GG.el("div", { class: "gg-side" }, body);
    var net = GG.components.network(left, { onSelect: function (layer,
        neuron) { picked = true; detail.select({ layer: layer, neuron: neuron }); } });
    if (view.kind !== "mlp") {
      var row = GG.el("div", { class: "gg-player-row" }, stage);
      GG.el("span", { class: "gg-control-name", text: "training" }, row);
      var layers = GG.player(row, { count: view.frames.length, fps: 4, name: "training step of the layer list",
          loop: false,
        label: function (i) { return "step " + view.frames[i].step; }, onFrame: function (i) { net.update(view,
            i); } });
      layers.set(0);
      shared.players.forward = layers;
      return;
    }
    var detail = GG.components.neuron(right);
    var L = view.sizes.length - 1, picked = false, snap = 0, flowAt = L;

    var samples = view.frames[0].samples;
    GG.el("span", { class: "gg-control-name", text: "sample" }, controls);
    var picker = GG.choices(controls, samples.map(function (s, k) {
      return { value: k, label: "#" + s.index, color: s.target !== undefined ? GG.classColor(s.target) : null };
    }), 0, function (k) { shared.setSample(k, "forward"); }, "gg-sample-picker");

    function mostActive(layer) {
      var a = view.frames[snap].samples[shared.sample].a[layer - 1], best = 0;
      for (var i = 1; i < a.length; i++) if (Math.abs(a[i]) > Math.abs(a[best])) best = i;
      return best;
    }
    function refresh() {
      var s = { sample: shared.sample, stage: flowAt };
      if (!picked) { s.layer = Math.max(1, Math.min(L, flowAt)); s.neuron = mostActive(s.layer); }
      net.select(s); detail.select(s);
      net.update(view, snap); detail.update(view, snap);
    }

    var flowBox = GG.el("div", { class: "gg-player-row" }, stage);
    GG.el("span", { class: "gg-control-name", text: "signal" }, flowBox);
    var flow = GG.player(flowBox, { count: L + 1, fps: 1.5, name: "layer of the forward pass", start: L,
      label: function (i) { return i === 0 ? "at the input" : i === L ? "reached the output" : "through hidden " +
          "layer " + i; },
      onFrame: function (i) { flowAt = i; picked = false; refresh(); } });
    var trainBox = GG.el("div", { class: "gg-player-row" }, stage);
    GG.el("span", { class: "gg-control-name", text: "training" }, trainBox);
    var training = GG.player(trainBox, { count: view.frames.length, fps: 6, name: "training step of the forward pass",
        loop: false,
      label: function (i) { return "step " + view.frames[i].step +
          (i === 0 ? " (untrained)" : i === view.frames.length - 1 ? " (trained)" : ""); },
      onFrame: function (i) { snap = i; refresh(); } });
    shared.onSample(function (k) { picker.pick(k); refresh(); });
    training.set(0);
    flow.set(L);
    shared.players.forward = { flow: flow, training: training };
  };
})();
