/* A loss-landscape slice (banded by loss, on a log scale) and the paths optimizers took across it.
   Draws glassgrad.viz.views.landscape_view (one path) or the explainer's race_view (runs: one path per
   optimizer and learning rate). frame: how far along the paths (an index into frameSteps(view)).
   GG.components.landscape(container, {rate, hidden}) -> {update(view, frame), set({rate, hidden}), destroy()} */
(function () {
  "use strict";
  var GG = window.GG;
  var PATH_COLORS = { sgd: "#4e79a7", momentum: "#f28e2b", adam: "#e15759", adamw: "#b07aa1", run: "#e15759" };
  var BANDS = 16;

  function runsOf(view) {
    if (view.runs) return view.runs;
    return [{ optimizer: "run", label: "this run", rate: "right", path: view.path, loss: view.path_loss,
      steps: view.path_steps }];
  }

  /* The step shown at each frame: the steps of the longest run. */
  GG.landscapeSteps = function (view) {
    var longest = [];
    runsOf(view).forEach(function (r) { if (r.steps.length > longest.length) longest = r.steps; });
    return longest;
  };

  GG.components.landscape = function (container, options) {
    options = options || {};
    var state = { rate: options.rate || "right", hidden: options.hidden || {} };
    var root = GG.el("div", { class: "gg-landscape" }, container);
    var surface = GG.canvas(root, function (w) { return Math.round(Math.min(w * 0.8, 420)); });
    var legendBox = GG.el("div", { class: "gg-path-legend", "data-role": "legend" }, root);
    var image = null, imageFor = null, current = { view: null, frame: 0 };

    function background(view) {
      var rows = view.surface.length, cols = view.surface[0].length;
      var off = document.createElement("canvas");
      off.width = cols; off.height = rows;
      var octx = off.getContext("2d"), img = octx.createImageData(cols, rows);
      var lo = Math.log(Math.max(view.min, 1e-8)), hi = Math.log(Math.max(view.max, view.min * 1.0001, 1e-8));
      for (var r = 0; r < rows; r++) {
        for (var c = 0; c < cols; c++) {
          var v = view.surface[r][c];
          var t = v === null ? 1 : (Math.log(Math.max(v, 1e-8)) - lo) / (hi - lo || 1);
          t = Math.floor(Math.max(0, Math.min(0.999, t)) * BANDS) / (BANDS - 1);
          var rgb = GG.sequential(t);
          var k = ((rows - 1 - r) * cols + c) * 4;   // rows go up the second direction: flip for the screen
          img.data[k] = rgb[0]; img.data[k + 1] = rgb[1]; img.data[k + 2] = rgb[2]; img.data[k + 3] = 255;
        }
      }
      octx.putImageData(img, 0, 0);
      return off;
    }

    function draw() {
      var view = current.view;
      if (!view) return;
      if (imageFor !== view) { image = background(view); imageFor = view; }
      var s = surface.fit(), ctx = s.ctx, w = s.w, h = s.h;
      var a0 = view.alphas[0], a1 = view.alphas[view.alphas.length - 1];
      var b0 = view.betas[0], b1 = view.betas[view.betas.length - 1];
      var sx = function (a) { return (a - a0) / (a1 - a0) * w; };
      var sy = function (b) { return h - (b - b0) / (b1 - b0) * h; };
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(image, 0, 0, w, h);
      var steps = GG.landscapeSteps(view);
      var step = steps[Math.max(0, Math.min(steps.length - 1, current.frame))];
      var shown = [];
      runsOf(view).forEach(function (run) {
        if (run.rate !== state.rate || state.hidden[run.optimizer]) return;
        var color = PATH_COLORS[run.optimizer] || "#fff";
        ctx.lineWidth = 5; ctx.strokeStyle = "rgba(255,255,255,0.65)"; ctx.lineJoin = "round";
        var upto = GG.bisect(run.steps, step);
        for (var pass = 0; pass < 2; pass++) {
          ctx.beginPath();
          var pen = false;
          for (var i = 0; i <= upto; i++) {
            var p = run.path[i];
            if (!p || p[0] === null || p[1] === null) { pen = false; continue; }
            var x = sx(p[0]), y = sy(p[1]);
            if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
            pen = true;
          }
          ctx.stroke();
          ctx.lineWidth = 2.5; ctx.strokeStyle = color;
        }
        var head = run.path[upto];
        if (head && head[0] !== null) {
          var hx = sx(head[0]), hy = sy(head[1]);
          var outside = hx < 0 || hx > w || hy < 0 || hy > h;
          hx = Math.max(6, Math.min(w - 6, hx)); hy = Math.max(6, Math.min(h - 6, hy));
          ctx.fillStyle = color; ctx.strokeStyle = "#fff"; ctx.lineWidth = 2;
          ctx.beginPath(); ctx.arc(hx, hy, outside ? 4 : 6, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
          if (outside) { ctx.beginPath(); ctx.arc(hx, hy, 9, 0, 2 * Math.PI); ctx.strokeStyle = color; ctx.stroke(); }
        }
        shown.push({ run: run, upto: upto, color: color });
      });
      var st = runsOf(view)[0].path[0];
      if (st) {
        ctx.fillStyle = "#fff"; ctx.strokeStyle = "#222"; ctx.lineWidth = 2;
        ctx.beginPath(); ctx.rect(sx(st[0]) - 5, sy(st[1]) - 5, 10, 10); ctx.fill(); ctx.stroke();
        var right = sx(st[0]) > w - 50;   // near the right edge: the label goes on the left
        ctx.fillStyle = "#fff"; ctx.font = "bold 12px system-ui, sans-serif"; ctx.textAlign = right ? "right" : "left";
        ctx.fillText("start", sx(st[0]) + (right ? -9 : 9), sy(st[1]) + 4);
      }
      GG.clear(legendBox);
      shown.forEach(function (item) {
        var run = item.run,
            diverged = run.diverged_at !== null && run.diverged_at !== undefined && item.upto === run.steps.length - 1;
        var entry = GG.el("span", { class: "gg-legend-item" }, legendBox);
        GG.el("span", { class: "gg-swatch", style: "background:" + item.color }, entry);
        GG.el("span", { text: run.label + ": loss " + GG.fmt(run.loss[item.upto],
            3) + (diverged ? " (diverged)" : "") }, entry);
      });
      root.setAttribute("data-step", String(step));
    }

    return {
      update: function (view, frame) { current.view = view; current.frame = frame || 0; draw(); },
      set: function (changes) {
        if (changes.rate !== undefined) state.rate = changes.rate;
        if (changes.hidden !== undefined) state.hidden = changes.hidden;
        draw();
      },
      colors: PATH_COLORS,
      destroy: function () { GG.clear(container); }
    };
  };
})();
