/* The recorded computational graph of one training step, with the gradient flowing back node by node.
   Draws glassgrad.viz.views.graph_view (and the explainer's backprop_view, which adds top_elements).
   Laid out top to bottom (forward flows down, gradients flow up): a row per depth, side by side within it.
   frame 0: the forward pass only; frame k: the first k backward rules have run, in the engine's order.
   GG.components.graph(container, {detail: element}) -> {update(view, frame), destroy()} */
(function () {
  "use strict";
  var GG = window.GG;
  var COL = 142, ROW = 80, BOX_W = 134, BOX_H = 56, PAD = 4;

  function short(summary, n) {
    if (!summary) return "";
    n = n || 4;
    if (summary.values !== undefined) {
      var flat = GG.flat(summary.values);
      if (flat.length === 1) return GG.fmt(flat[0], 3);
      var head = flat.slice(0, n).map(function (v) { return GG.fmt(v, 3); });
      return "[" + head.join(", ") + (flat.length > n ? ", … " + flat.length + " values" : "") + "]";
    }
    return summary.shape.join("×") + ": mean " + GG.fmt(summary.mean, 3) + " ± " + GG.fmt(summary.std, 3);
  }
  GG.shortSummary = short;

  GG.components.graph = function (container, options) {
    options = options || {};
    var root = GG.el("div", { class: "gg-graph" }, container);
    var scroller = GG.el("div", { class: "gg-graph-scroll" }, root);
    var svg = GG.svg("svg", { class: "gg-graph-svg", role: "img", "aria-label": "computational graph" }, scroller);
    var detail = options.detail || GG.el("div", { class: "gg-graph-detail" }, root);
    var built = null;

    function build(view) {
      GG.clear(svg);
      var width = Math.max(1, view.rows) * COL + PAD, height = view.columns * ROW + PAD;
      GG.attrs(svg, { viewBox: "0 0 " + width + " " + height });
      svg.style.maxWidth = width + "px";
      var defs = GG.svg("defs", {}, svg);
      var marker = GG.svg("marker", { id: "gg-arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "9",
        markerHeight: "9", markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" }, defs);
      GG.svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#999" }, marker);
      var gEdges = GG.svg("g", {}, svg), gNodes = GG.svg("g", {}, svg);
      var at = function (n) { return [PAD + n.row * COL, PAD + n.depth * ROW]; };
      var byId = {};
      view.nodes.forEach(function (n) { byId[n.id] = n; });
      var order = {};
      view.backward.forEach(function (id, k) { order[id] = k; });
      var edges = view.edges.map(function (e) {
        var a = at(byId[e.source]), b = at(byId[e.target]);
        var x1 = a[0] + BOX_W / 2, y1 = a[1] + BOX_H, x2 = b[0] + BOX_W / 2, y2 = b[1], my = (y1 + y2) / 2;
        if (a[1] === b[1]) { x1 = a[0]; y1 = a[1] + BOX_H / 2; x2 = b[0] + BOX_W; y2 = b[1] + BOX_H / 2; my = y1; }
        var path = GG.svg("path",
            { d: "M" + x1 + "," + y1 + " C" + x1 + "," + my + " " + x2 + "," + my + " " + x2 + "," + y2,
          class: "gg-edge", "marker-end": "url(#gg-arrow)" }, gEdges);
        return { edge: e, path: path };
      });
      var nodes = view.nodes.map(function (n) {
        var p = at(n), g = GG.svg("g", { transform: "translate(" + p[0] + "," + p[1] + ")",
            class: "gg-gnode gg-" + n.kind,
          "data-node": n.id }, gNodes);
        var rect = GG.svg("rect", { width: BOX_W, height: BOX_H, rx: 7 }, g);
        GG.svg("text", { x: 8, y: 16, class: "gg-gnode-label", text: n.label + "  " + n.shape.join("×") }, g);
        var value = GG.svg("text", { x: 8, y: 33, class: "gg-gnode-value", text: "= " + n.value_text }, g);
        var grad = GG.svg("text", { x: 8, y: 49, class: "gg-gnode-grad" }, g);
        GG.svg("title",
            { text: n.label + (n.module ? " (module " + n.module + ")" : "") + (n.location ? "\n" + n.location : "") },
            g);
        return { node: n, g: g, rect: rect, value: value, grad: grad };
      });
      built = { view: view, edges: edges, nodes: nodes, order: order, byId: byId };
    }

    function doneAt(id, f) {
      return built.order[id] !== undefined && built.order[id] < f;
    }

    function draw(view, f) {
      if (!built || built.view !== view) build(view);
      f = Math.max(0, Math.min(view.backward.length, f | 0));
      var currentId = f > 0 ? view.backward[f - 1] : null;
      var hasGrad = {};
      built.edges.forEach(function (e) {
        var done = doneAt(e.edge.target, f), now = e.edge.target === currentId;
        if (done && e.edge.grad) hasGrad[e.edge.source] = true;
        e.path.setAttribute("class", "gg-edge" + (done ? " gg-done" : "") + (now ? " gg-now" : ""));
      });
      built.nodes.forEach(function (item) {
        var n = item.node;
        var known = n.kind === "op" ? doneAt(n.id, f) : !!hasGrad[n.id];
        var cls = "gg-gnode gg-" + n.kind + (known ? " gg-has-grad" : "") + (n.id === currentId ? " gg-now" : "") +
          (n.top_gradient && known ? " gg-top" : "");
        item.g.setAttribute("class", cls);
        item.grad.textContent = known && n.grad_text ? "∇ " + n.grad_text : (n.kind === "input" ? "" : "∇ ?");
      });
      root.setAttribute("data-frame", String(f));
      describe(view, f, currentId);
    }

    function describe(view, f, currentId) {
      GG.clear(detail);
      var head = GG.el("div", { class: "gg-detail-title" }, detail);
      if (currentId === null) {
        head.textContent = "Forward pass done: the loss of this sample is " + GG.fmt(view.loss, 4) + ".";
        GG.el("p", { class: "gg-note",
            text: "Each box is one operation the engine ran (or a weight it used), with its value (=). Press play " +
                "or step: " +
          "the backward pass fills in each gradient (∇, how the loss changes with that value), from the loss back " +
              "to the weights." }, detail);
        return;
      }
      var node = built.byId[currentId];
      head.textContent = "Backward step " + f + " of " + view.backward.length + ": the rule of " + node.op +
        (node.module ? " (module " + node.module + ")" : "");
      var table = GG.el("table", { class: "gg-numbers" }, detail);
      row(table, "forward value", short(node.value, 6));
      row(table, "upstream gradient ∂loss/∂output", short(node.grad, 6));
      view.edges.forEach(function (e) {
        if (e.target !== currentId) return;
        var src = built.byId[e.source];
        var name = src.label;
        if (!e.grad) { row(table, "→ " + name, "no gradient needed (not trained)"); return; }
        var text = "local derivative: " + (e.rule || "(this op's rule)");
        if (e.local) text += " = " + short(e.local, 4) + ", × upstream";
        row(table, "→ " + name, text + " ⇒ gradient " + short(e.grad, 4));
        if (src.kind === "param" && src.grad && src.grad.values !== undefined) heatmap(detail, src);
      });
      if (f === view.backward.length) {
        GG.el("p", { class: "gg-note",
            text: "Every weight now holds its gradient: the optimizer's step moves each one a little against it." },
            detail);
      }
    }

    function row(table, name, value) {
      var tr = GG.el("tr", {}, table);
      GG.el("th", { text: name }, tr);
      GG.el("td", { text: value }, tr);
    }

    /* The gradient of a weight tensor as a grid of cells, its largest entries outlined. */
    function heatmap(parent, src) {
      var values = GG.flat(src.grad.values), shape = src.shape.length === 2 ? src.shape : [1, values.length];
      var box = GG.el("div", { class: "gg-heat" }, parent);
      GG.el("div", { class: "gg-caption", text: "gradient of " + src.label + " (" + shape.join("×") +
        "); outlined: the " + (src.top_elements || []).length + " largest" }, box);
      var cell = Math.max(4, Math.min(16, Math.floor(300 / Math.max(shape[0], shape[1]))));
      var surface = GG.canvas(box, shape[0] * cell + 2);
      var s = surface.fit(), ctx = s.ctx;
      var scale = 1e-12;
      values.forEach(function (v) { if (v !== null) scale = Math.max(scale, Math.abs(v)); });
      for (var r = 0; r < shape[0]; r++) {
        for (var c = 0; c < shape[1]; c++) {
          ctx.fillStyle = GG.diverging(values[r * shape[1] + c] / scale);
          ctx.fillRect(1 + c * cell, 1 + r * cell, cell - 1, cell - 1);
        }
      }
      ctx.strokeStyle = "#f28e2b"; ctx.lineWidth = 2;
      (src.top_elements || []).forEach(function (k) {
        ctx.strokeRect(1 + (k % shape[1]) * cell, 1 + Math.floor(k / shape[1]) * cell, cell - 1, cell - 1);
      });
    }

    return {
      update: function (view, frame) { if (view) draw(view, frame); },
      destroy: function () { GG.clear(container); }
    };
  };
})();
