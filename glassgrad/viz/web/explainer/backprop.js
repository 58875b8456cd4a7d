/* Section 3 — backpropagation: the recorded graph of one training step for one sample, backward node by
   node. The sample follows the one chosen in section 1 (when its graph was captured). */
(function () {
  "use strict";
  var GG = window.GG;
  GG.sections = GG.sections || {};

  GG.sections.backprop = function (stage, data, shared) {
    var bp = data.backprop;
    if (!bp) return;
    var controls = GG.el("div", { class: "gg-controls" }, stage);
    var stepAt = bp.steps[0];
    if (bp.steps.length > 1) {
      GG.el("span", { class: "gg-control-name", text: "weights of" }, controls);
      GG.choices(controls, bp.steps.map(function (s, k) {
        return { value: s,
            label: k === 0 ? "step " + s + " (untrained)" : k === bp.steps.length - 1 ? "step " + s +
                " (trained)" : "step " + s };
      }), stepAt, function (s) { stepAt = s; show(); });
    }
    var sampleText = GG.el("span", { class: "gg-caption" }, controls);
    var body = GG.el("div", { class: "gg-split gg-backprop" }, stage);
    var main = GG.el("div", { class: "gg-main" }, body), side = GG.el("div", { class: "gg-side" }, body);
    var graph = GG.components.graph(main, { detail: side });
    var current = null;

    function key() {
      var idx = data.samples && data.samples.length ? data.samples[shared.sample] : 0;
      var k = stepAt + ":" + idx;
      if (!bp.graphs[k]) k = stepAt + ":" + bp.samples[0];
      return k;
    }
    function show() {
      current = bp.graphs[key()];
      sampleText.textContent = "sample #" + current.sample + ", loss " + GG.fmt(current.loss, 4) +
        (bp.source === "recorded" ? " (the graph the recorder kept)" : "");
      player.setCount(current.backward.length + 1);
      player.redraw();
    }
    var row = GG.el("div", { class: "gg-player-row" }, stage);
    GG.el("span", { class: "gg-control-name", text: "backward" }, row);
    var player = GG.player(row, { count: 1, fps: 1.2, name: "backward step",
      label: function (i) { return i === 0 ? "forward done" : "rule " + i + " of " + current.backward.length; },
      onFrame: function (i) { graph.update(current, i); } });
    shared.onSample(function () { show(); });
    current = bp.graphs[key()];
    player.setCount(current.backward.length + 1);
    show();
    player.set(0);
    shared.players.backprop = player;
  };
})();
