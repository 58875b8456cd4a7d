/* The network as layers of neurons and links (colour and width by weight), lit layer by layer as one
   sample flows through it. Draws glassgrad.viz.views.network_view ("mlp" kind; "layers" kind as a list).
   GG.components.network(container, {onSelect(layer, neuron)}) ->
     {update(view, frame), select({sample, stage, layer, neuron}), destroy()}
   frame: the snapshot index; sample: index into frame.samples; stage: layers lit (0 = the input only). */
(function () {
  "use strict";
  var GG = window.GG;
  var W = 640, H = 360, PAD_X = 46, PAD_TOP = 18, PAD_BOTTOM = 40;
  var NARROW = 520;   // below this container width the drawing uses a narrower canvas (larger text)

  GG.components.network = function (container, options) {
    options = options || {};
    var root = GG.el("div", { class: "gg-network" }, container);
    var svg = GG.svg("svg", { class: "gg-network-svg", role: "img",
      "aria-label": "the network: neurons and the weights linking them" }, root);
    var gLinks = GG.svg("g", {}, svg), gNodes = GG.svg("g", {}, svg), gText = GG.svg("g", {}, svg);
    var built = null, state = { sample: 0, stage: 0, layer: 1, neuron: 0 };
    var current = { view: null, frame: 0 };

    function positions(view) {
      var shown = view.shown.map(function (s) { return s.length; });
      var L = shown.length - 1, span = H - PAD_TOP - PAD_BOTTOM;
      return shown.map(function (n, k) {
        var x = PAD_X + (W - 2 * PAD_X) * (L ? k / L : 0.5);
        var gap = Math.min(span / Math.max(n, 1), 34);
        var top = PAD_TOP + (span - gap * (n - 1)) / 2;
        var out = [];
        for (var i = 0; i < n; i++) out.push([x, n === 1 ? PAD_TOP + span / 2 : top + gap * i]);
        return out;
      });
    }

    function build(view) {
      GG.clear(gLinks); GG.clear(gNodes); GG.clear(gText);
      W = (root.clientWidth || 640) < NARROW ? 420 : 640;
      H = W < 640 ? 400 : 360;
      svg.setAttribute("viewBox", "0 0 " + W + " " + H);
      var pos = positions(view);
      var maxShown = Math.max.apply(null, pos.map(function (p) { return p.length; }));
      var r = Math.max(4, Math.min(11, (H - PAD_TOP - PAD_BOTTOM) / maxShown / 2.6));
      var links = [], nodes = [], labels = [];
      for (var k = 0; k + 1 < pos.length; k++) {
        var layer = [];
        for (var j = 0; j < pos[k + 1].length; j++) {
          for (var i = 0; i < pos[k].length; i++) {
            layer.push(GG.svg("line", { x1: pos[k][i][0], y1: pos[k][i][1], x2: pos[k + 1][j][0],
              y2: pos[k + 1][j][1], class: "gg-link" }, gLinks));
          }
        }
        links.push(layer);
      }
      pos.forEach(function (column, k) {
        var layerNodes = [], layerLabels = [];
        column.forEach(function (p, i) {
          var c = GG.svg("circle", { cx: p[0], cy: p[1], r: r, class: "gg-neuron", "data-layer": k,
            "data-neuron": i }, gNodes);
          c.addEventListener("click", function () {
            if (k === 0) return;
            select({ layer: k, neuron: i });
            if (options.onSelect) options.onSelect(k, i);
          });
          layerNodes.push(c);
          var anchor = k === pos.length - 1 ? "start" : "end";
          var dx = k === pos.length - 1 ? r + 4 : -(r + 3);
          layerLabels.push(GG.svg("text", { x: p[0] + dx, y: p[1] + 3, "text-anchor": anchor,
            class: "gg-neuron-value" }, gText));
        });
        nodes.push(layerNodes);
        labels.push(layerLabels);
        var name = k === 0 ? "input" : k === pos.length - 1 ? "output" :
          "hidden " + k + (view.layers[k - 1].activation ? " · " + view.layers[k - 1].activation : "");
        var size = view.sizes[k] > column.length ? " (" + column.length + " of " + view.sizes[k] + ")" : "";
        GG.svg("text", { x: column[0][0], y: H - 14, "text-anchor": "middle", class: "gg-layer-name",
          text: name + size }, gText);
      });
      built = { view: view, links: links, nodes: nodes, labels: labels, r: r };
    }

    function draw() {
      var view = current.view;
      if (!view || view.kind !== "mlp") return;
      if (!built || built.view !== view) build(view);
      var frame = view.frames[Math.max(0, Math.min(view.frames.length - 1, current.frame))];
      var sample = frame.samples[Math.min(state.sample, frame.samples.length - 1)];
      var scale = 1e-9;
      frame.weights.forEach(function (w) {
        for (var j = 0; j < w.length; j++) for (var i = 0; i < w[j].length; i++) scale = Math.max(scale,
            Math.abs(w[j][i]));
      });
      for (var k = 0; k < built.links.length; k++) {
        var w = frame.weights[k], lit = k < state.stage, n = 0, cols = w[0] ? w[0].length : 0;
        for (var j = 0; j < w.length; j++) {
          for (var i = 0; i < cols; i++) {
            var v = w[j][i] / scale, line = built.links[k][n++];
            line.setAttribute("stroke", GG.diverging(v));
            line.setAttribute("stroke-width", (0.4 + 3.2 * Math.abs(v)).toFixed(2));
            line.setAttribute("stroke-opacity", lit ? (0.35 + 0.6 * Math.abs(v)).toFixed(2) : "0.13");
          }
        }
      }
      var values = [sample.x].concat(sample.a);
      var last = built.nodes.length - 1;
      built.nodes.forEach(function (layer, k) {
        var lit = k <= state.stage, vals = values[k] || [];
        var vmax = 1e-9;
        for (var i = 0; i < vals.length; i++) vmax = Math.max(vmax, Math.abs(vals[i]));
        layer.forEach(function (node, i) {
          var fill = "#f3f3f3", txt = "";
          if (lit) {
            if (k === last && sample.probs) {
              var p = sample.probs[view.shown[k][i]];
              var rgb = GG.CLASS_RGB[view.shown[k][i] % 10];
              fill = GG.rgb([255 - (255 - rgb[0]) * p, 255 - (255 - rgb[1]) * p, 255 - (255 - rgb[2]) * p]);
              txt = "p=" + GG.fmt(p, 2);
            } else {
              fill = GG.diverging(vals[i] / vmax);
              txt = GG.fmt(vals[i], 2);
            }
          }
          node.setAttribute("fill", fill);
          node.setAttribute("stroke", lit ? "#333" : "#bbb");
          var selected = k === state.layer && i === state.neuron;
          node.setAttribute("class",
              "gg-neuron" + (selected ? " gg-selected" : "") + (k === state.stage ? " gg-front" : ""));
          node.setAttribute("r", selected ? built.r * 1.35 : built.r);
          built.labels[k][i].textContent = lit && layer.length <= 16 ? txt : "";
        });
      });
      root.setAttribute("data-step", String(frame.step));
      root.setAttribute("data-stage", String(state.stage));
    }

    function select(changes) {
      for (var key in changes) if (changes[key] !== undefined) state[key] = changes[key];
      draw();
    }

    /* Any other model: its layers, with the mean and spread of each one's output on the probe batch. */
    function listLayers(view, index) {
      GG.clear(root);
      var frame = view.frames[Math.max(0, Math.min(view.frames.length - 1, index))] || { outputs: {}, step: 0 };
      var table = GG.el("table", { class: "gg-numbers gg-layer-list" }, root);
      var head = GG.el("tr", {}, table);
      ["layer", "parameters", "output", "mean", "std"].forEach(function (t) { GG.el("th", { text: t }, head); });
      view.modules.forEach(function (m) {
        var out = frame.outputs[m.name];
        var tr = GG.el("tr", {}, table);
        GG.el("td", { text: m.name + " · " + m.class }, tr);
        GG.el("td", { text: m.parameters ? GG.fmtInt(m.parameters) : "" }, tr);
        GG.el("td", { text: out ? out.shape.join("×") : "" }, tr);
        GG.el("td", { text: out ? GG.fmt(out.mean, 3) : "" }, tr);
        GG.el("td", { text: out ? GG.fmt(out.std, 3) : "" }, tr);
      });
      root.setAttribute("data-step", String(frame.step));
    }

    return {
      update: function (view, frame) {
        current.view = view;
        current.frame = frame || 0;
        if (view.kind !== "mlp") { listLayers(view, current.frame); return; }
        draw();
      },
      select: select,
      get state() { return state; },
      destroy: function () { GG.clear(container); }
    };
  };
})();
