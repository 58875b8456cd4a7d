/* The decision boundary over the input plane with the data on top (or, for a 1-D regression run, the
   fitted curve). Draws glassgrad.viz.views.boundary_view; frame: a snapshot index. A view may also carry
   test_points ({x, y}, as points: the playground's held-out data), drawn as hollow rings.
   GG.components.boundary(container) -> {update(view, frame), destroy()} */
(function () {
  "use strict";
  var GG = window.GG;

  GG.components.boundary = function (container) {
    var root = GG.el("div", { class: "gg-boundary" }, container);
    var surface = GG.canvas(root, function (w) { return w; }, "gg-canvas gg-square", 420);
    var off = document.createElement("canvas"), offCtx = off.getContext("2d"), img = null;

    function paintGrid(view, frame) {
      var R = view.resolution, C = view.classes || 2;
      if (!img || off.width !== R) { off.width = R; off.height = R; img = offCtx.createImageData(R, R); }
      var data = img.data, classes = frame.classes, conf = frame.confidence, floor = 255 / C;
      for (var r = 0; r < R; r++) {
        for (var c = 0; c < R; c++) {
          var src = r * R + c, k = ((R - 1 - r) * R + c) * 4;   // rows go up the second feature
          var rgb = GG.CLASS_RGB[classes[src] % 10];
          var t = 0.18 + 0.6 * Math.max(0, (conf[src] - floor) / (255 - floor));
          data[k] = 255 - (255 - rgb[0]) * t; data[k + 1] = 255 - (255 - rgb[1]) * t;
          data[k + 2] = 255 - (255 - rgb[2]) * t; data[k + 3] = 255;
        }
      }
      offCtx.putImageData(img, 0, 0);
    }

    function update(view, index) {
      var s = surface.fit(), ctx = s.ctx, w = s.w, h = s.h;
      var frame = view.frames[Math.max(0, Math.min(view.frames.length - 1, index || 0))];
      var b = view.bounds;
      ctx.clearRect(0, 0, w, h);
      if (view.kind === "fit") return drawFit(ctx, view, frame, w, h);
      var sx = function (v) { return (v - b[0][0]) / (b[0][1] - b[0][0]) * w; };
      var sy = function (v) { return h - (v - b[1][0]) / (b[1][1] - b[1][0]) * h; };
      if (frame.classes) {
        paintGrid(view, frame);
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(off, 0, 0, w, h);
      }
      var xs = view.points.x, ys = view.points.y, r = w < 360 ? 2.6 : 3.4;
      ctx.lineWidth = 1;
      ctx.strokeStyle = "rgba(255,255,255,0.9)";
      for (var i = 0; i < xs.length; i++) {
        ctx.fillStyle = ys ? GG.classColor(ys[i]) : "#333";
        ctx.beginPath(); ctx.arc(sx(xs[i][0]), sy(xs[i][1]), r, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      }
      var test = view.test_points;
      if (test) rings(ctx, test.x.length, r, function (k) { return [sx(test.x[k][0]), sy(test.x[k][1])]; },
        function (k) { return test.y ? GG.classColor(test.y[k]) : "#333"; });
      root.setAttribute("data-step", String(frame.step));
      root.setAttribute("data-test-points", String(test ? test.x.length : 0));
    }

    /* Hollow points (the held-out data): a white halo under a ring of the class colour, readable on
       any shade of the plane. */
    function rings(ctx, n, r, at, color) {
      for (var pass = 0; pass < 2; pass++) {
        ctx.lineWidth = pass ? 1.6 : 3.4;
        for (var i = 0; i < n; i++) {
          var p = at(i);
          ctx.strokeStyle = pass ? color(i) : "rgba(255,255,255,0.85)";
          ctx.beginPath(); ctx.arc(p[0], p[1], r, 0, 2 * Math.PI); ctx.stroke();
        }
      }
    }

    function drawFit(ctx, view, frame, w, h) {
      var b = view.bounds, xs = view.points.x, ys = view.points.y, test = view.test_points;
      var yr = GG.extent([GG.flat(ys), test ? GG.flat(test.y) : []]);
      var sx = function (v) { return (v - b[0][0]) / (b[0][1] - b[0][0]) * w; };
      var sy = function (v) { return h - 10 - (v - yr[0]) / (yr[1] - yr[0]) * (h - 20); };
      ctx.fillStyle = "#888";
      for (var i = 0; i < xs.length; i++) { ctx.beginPath(); ctx.arc(sx(xs[i][0]), sy(GG.flat(ys[i])[0]), 3, 0,
          2 * Math.PI); ctx.fill(); }
      if (test) {
        rings(ctx, test.x.length, 3, function (k) { return [sx(test.x[k][0]), sy(GG.flat(test.y[k])[0])]; },
          function () { return "#555"; });
      }
      root.setAttribute("data-test-points", String(test ? test.x.length : 0));
      ctx.strokeStyle = "#e15759"; ctx.lineWidth = 2.5; ctx.beginPath();
      frame.fit.forEach(function (p, k) { if (k) ctx.lineTo(sx(p[0]), sy(p[1])); else ctx.moveTo(sx(p[0]),
          sy(p[1])); });
      ctx.stroke();
      root.setAttribute("data-step", String(frame.step));
    }

    return { update: update, destroy: function () { GG.clear(container); } };
  };
})();
