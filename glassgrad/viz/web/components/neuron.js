/* One neuron up close, and the prediction: the selected neuron's weighted sum, bias and activation (on a
   small plot of its activation function, with every neuron of its layer), and the output probabilities
   against the true class. Draws glassgrad.viz.views.network_view ("mlp" kind).
   GG.components.neuron(container) -> {update(view, frame), select({sample, stage, layer, neuron}), destroy()} */
(function () {
  "use strict";
  var GG = window.GG;

  GG.components.neuron = function (container) {
    var root = GG.el("div", { class: "gg-neuron-detail" }, container);
    var title = GG.el("div", { class: "gg-detail-title" }, root);
    var formula = GG.el("div", { class: "gg-formula" }, root);
    var table = GG.el("table", { class: "gg-numbers" }, root);
    var rows = {};
    [["z", "weighted sum z"], ["b", "bias b"], ["a", "activation a"]].forEach(function (r) {
      var tr = GG.el("tr", {}, table);
      var name = GG.el("th", { text: r[1] }, tr);
      rows[r[0]] = { name: name, value: GG.el("td", { "data-field": r[0] }, tr) };
    });
    var plotBox = GG.el("div", { class: "gg-act-plot" }, root);
    var plot = GG.canvas(plotBox, 130);
    var readout = GG.el("div", { class: "gg-readout" }, container);
    var state = { sample: 0, stage: 0, layer: 1, neuron: 0 };
    var current = { view: null, frame: 0 };

    function drawPlot(view, layer, zs, as, j, lit) {
      var s = plot.fit(), ctx = s.ctx, w = s.w, h = s.h;
      ctx.clearRect(0, 0, w, h);
      var act = view.layers[layer - 1].activation;
      plotBox.style.display = act ? "" : "none";
      if (!act) return;
      var curve = view.activation_curves[act];
      var x0 = curve[0][0], x1 = curve[curve.length - 1][0];
      var ys = curve.map(function (p) { return p[1]; });
      var yr = GG.extent([ys]);
      var pad = 14;
      var sx = function (v) { return pad + (Math.max(x0, Math.min(x1, v)) - x0) / (x1 - x0) * (w - 2 * pad); };
      var sy = function (v) { return h - pad - (Math.max(yr[0], Math.min(yr[1],
          v)) - yr[0]) / (yr[1] - yr[0]) * (h - 2 * pad); };
      ctx.strokeStyle = "#ddd"; ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(sx(0), pad / 2); ctx.lineTo(sx(0), h - pad / 2);
      ctx.moveTo(pad / 2, sy(0)); ctx.lineTo(w - pad / 2, sy(0)); ctx.stroke();
      ctx.strokeStyle = "#555"; ctx.lineWidth = 2;
      ctx.beginPath();
      curve.forEach(function (p, i) { if (i) ctx.lineTo(sx(p[0]), sy(p[1])); else ctx.moveTo(sx(p[0]), sy(p[1])); });
      ctx.stroke();
      ctx.fillStyle = "#666"; ctx.font = "11px system-ui, sans-serif"; ctx.textAlign = "left";
      ctx.fillText(act + "(z)", pad + 2, pad);
      ctx.textAlign = "right"; ctx.fillText("z", w - 4, sy(0) - 4);
      if (!lit) return;
      for (var i = 0; i < zs.length; i++) {
        ctx.fillStyle = "rgba(80,80,80,0.35)";
        ctx.beginPath(); ctx.arc(sx(zs[i]), sy(as[i]), 3, 0, 2 * Math.PI); ctx.fill();
      }
      ctx.fillStyle = "#e15759"; ctx.strokeStyle = "#fff"; ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.arc(sx(zs[j]), sy(as[j]), 5.5, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    }

    function drawReadout(view, frame, sample) {
      GG.clear(readout);
      var last = view.sizes.length - 1;
      var head = GG.el("div", { class: "gg-detail-title" }, readout);
      if (!sample.probs) { head.textContent = "output: " + sample.a[last - 1].length + " numbers"; return; }
      var lit = state.stage >= last;
      var target = sample.target;
      head.textContent = lit ? "prediction at step " +
          frame.step : "the prediction appears when the signal reaches the output";
      var bars = GG.el("div", { class: "gg-bars" + (lit ? "" : " gg-dim") }, readout);
      sample.probs.forEach(function (p, c) {
        var row = GG.el("div", { class: "gg-bar-row" + (c === target ? " gg-true" : "") }, bars);
        GG.el("span", { class: "gg-bar-name", text: "class " + c + (c === target ? " (true)" : "") }, row);
        var track = GG.el("span", { class: "gg-bar-track" }, row);
        GG.el("span", { class: "gg-bar-fill", style: "width:" + (lit ? 100 * p : 0).toFixed(1) + "%;background:" +
          GG.classColor(c) }, track);
        GG.el("span", { class: "gg-bar-value", "data-field": "p", "data-class": String(c), text: lit ? GG.fmt(p,
            3) : "?" }, row);
      });
      if (lit && target !== undefined && target !== null) {
        var right = sample.prediction === target;
        GG.el("div", { class: "gg-verdict " + (right ? "gg-right" : "gg-wrong"), "data-field": "verdict",
          text: (right ? "right: " : "wrong: ") + "it gives the true class " + target + " probability " +
            GG.fmt(sample.probs[target], 3) + (right ? "" : ", and class " + sample.prediction + " more") }, readout);
      }
    }

    function draw() {
      var view = current.view;
      if (!view || view.kind !== "mlp") { root.style.display = "none"; return; }
      root.style.display = "";
      var frame = view.frames[Math.max(0, Math.min(view.frames.length - 1, current.frame))];
      var sample = frame.samples[Math.min(state.sample, frame.samples.length - 1)];
      var L = view.sizes.length - 1;
      var layer = Math.max(1, Math.min(L, state.layer));
      var j = Math.min(state.neuron, view.shown[layer].length - 1);
      var zs = sample.z[layer - 1], as = sample.a[layer - 1];
      var inputs = layer === 1 ? sample.x : sample.a[layer - 2];
      var w = frame.weights[layer - 1][j], b = frame.biases[layer - 1][j];
      var act = view.layers[layer - 1].activation;
      var lit = state.stage >= layer;
      var neuronName = "neuron " + view.shown[layer][j] + " of " +
          (layer === L ? "the output layer" : "hidden layer " + layer);
      title.textContent = neuronName + (lit ? "" : " — the signal has not reached it yet");
      GG.attrs(root, { "data-step": frame.step, "data-sample": sample.index, "data-layer": layer,
        "data-neuron": view.shown[layer][j], "data-lit": String(lit) });
      var terms = [];
      for (var i = 0; i < Math.min(3, w.length); i++) terms.push("(" + GG.fmt(w[i], 2) + ")·(" + GG.fmt(inputs[i],
          2) + ")");
      var more = w.length > 3 ? " + … " + (w.length - 3) + " more" : "";
      var partial = view.sizes[layer - 1] > w.length ? " (showing " + w.length + " of " + view.sizes[layer - 1] +
          " inputs)" : "";
      formula.textContent = "z = Σ weight · input + bias = " + terms.join(" + ") + more + " + (" + GG.fmt(b,
          2) + ")" + partial;
      rows.z.value.textContent = lit ? GG.fmt(zs[j], 3) : "?";
      rows.b.value.textContent = GG.fmt(b, 3);
      rows.a.name.textContent = act ? "activation a = " + act +
          "(z)" : "logit (no activation: softmax turns the logits into probabilities)";
      rows.a.value.textContent = lit ? GG.fmt(act ? as[j] : zs[j], 3) : "?";
      drawPlot(view, layer, zs, as, j, lit);
      drawReadout(view, frame, sample);
    }

    return {
      update: function (view, frame) { current.view = view; current.frame = frame || 0; draw(); },
      select: function (changes) {
        for (var key in changes) if (changes[key] !== undefined) state[key] = changes[key];
        draw();
      },
      destroy: function () { GG.clear(container); }
    };
  };
})();
