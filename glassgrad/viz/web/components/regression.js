/* A line fitted by the engine with MSE and with MAE to data with outliers, step by step.
   Draws glassgrad.viz.explainer.losses.regression_view; frame: an index into the recorded steps.
   GG.components.regression(container) -> {update(view, frame), destroy()} */
(function () {
  "use strict";
  var GG = window.GG;
  var COLORS = { mse: "#4e79a7", mae: "#59a14f" };

  GG.components.regression = function (container) {
    var root = GG.el("div", { class: "gg-regression" }, container);
    var surface = GG.canvas(root, function (w) { return Math.round(Math.min(300, w * 0.62)); });
    var caption = GG.el("div", { class: "gg-caption" }, root);

    function update(view, frame) {
      var s = surface.fit(), ctx = s.ctx, w = s.w, h = s.h, pad = 28;
      var xr = [-1.1, 1.1], yr = GG.extent([view.y]);
      yr = [yr[0] - 0.3, yr[1] + 0.3];
      var sx = function (v) { return pad + (v - xr[0]) / (xr[1] - xr[0]) * (w - 2 * pad); };
      var sy = function (v) { return h - pad - (v - yr[0]) / (yr[1] - yr[0]) * (h - 2 * pad); };
      ctx.clearRect(0, 0, w, h);
      ctx.strokeStyle = "#ccc"; ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(pad, h - pad); ctx.lineTo(w - pad, h - pad); ctx.moveTo(pad, pad); ctx.lineTo(pad,
          h - pad); ctx.stroke();
      for (var i = 0; i < view.x.length; i++) {
        var out = view.outlier[i] === 1;
        ctx.fillStyle = out ? "#e15759" : "#555";
        ctx.beginPath();
        if (out) { ctx.rect(sx(view.x[i]) - 4, sy(view.y[i]) - 4, 8, 8); } else { ctx.arc(sx(view.x[i]), sy(view.y[i]),
            3.2, 0, 2 * Math.PI); }
        ctx.fill();
      }
      var texts = [];
      ["mse", "mae"].forEach(function (key) {
        var fit = view.fits[key], k = Math.max(0, Math.min(fit.steps.length - 1, frame || 0));
        var wv = fit.w[k], bv = fit.b[k];
        ctx.strokeStyle = COLORS[key]; ctx.lineWidth = 3;
        ctx.beginPath(); ctx.moveTo(sx(xr[0]), sy(wv * xr[0] + bv)); ctx.lineTo(sx(xr[1]),
            sy(wv * xr[1] + bv)); ctx.stroke();
        texts.push(key.toUpperCase() + ": y = " + GG.fmt(wv, 2) + "·x + " + GG.fmt(bv,
            2) + " (loss " + GG.fmt(fit.loss[k], 3) + ")");
      });
      ctx.font = "12px system-ui, sans-serif"; ctx.textAlign = "left";
      ctx.fillStyle = COLORS.mse; ctx.fillText("— fitted with MSE", pad + 8, pad + 2);
      ctx.fillStyle = COLORS.mae; ctx.fillText("— fitted with MAE", pad + 8, pad + 18);
      ctx.fillStyle = "#e15759"; ctx.fillText("■ outliers", pad + 8, pad + 34);
      var step = view.fits.mse.steps[Math.max(0, Math.min(view.fits.mse.steps.length - 1, frame || 0))];
      caption.textContent = "step " + step + " of " + view.steps + " · " + texts.join(" · ");
      root.setAttribute("data-step", String(step));
    }

    return { update: update, destroy: function () { GG.clear(container); } };
  };
})();
