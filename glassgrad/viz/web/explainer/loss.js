/* Section 2 — loss: the chosen sample's loss over training; MSE, cross-entropy and MAE side by side;
   a line fitted with MSE and with MAE to data with outliers. */
(function () {
  "use strict";
  var GG = window.GG;
  GG.sections = GG.sections || {};

  GG.sections.loss = function (stage, data, shared) {
    var sampleLoss = data.sample_loss;
    var chart = null, caption = null, snap = 0;
    if (sampleLoss) {
      GG.el("div", { class: "gg-panel-title",
          text: "the cross-entropy of the sample chosen in section 1 (red; the others grey) during training" }, stage);
      chart = GG.chart(stage, { height: 170, xLabel: "step", logY: true });
      caption = GG.el("div", { class: "gg-caption", "data-role": "sample-loss" }, stage);
    }
    var row = GG.el("div", { class: "gg-player-row" }, stage);
    GG.el("div", { class: "gg-panel-title",
        text: "three losses of one prediction, as the probability p it gives the true class falls (dots: the chosen " +
            "sample now)" }, stage);
    var shapes = GG.components.loss_shapes(stage);
    function errorOf(k, i) {
      return sampleLoss.error ? sampleLoss.error[k][i] : null;
    }
    function drawSample() {
      if (!sampleLoss) { shapes.update(data.loss_shapes, 0); return; }
      var k = shared.sample, i = Math.min(snap, sampleLoss.steps.length - 1);
      var series = sampleLoss.loss.map(function (ys, j) {
        return { x: sampleLoss.steps, y: ys, color: j === k ? "#e15759" : "#bbb", width: j === k ? 2.6 : 1,
            alpha: j === k ? 1 : 0.6 };
      });
      series.push(series.splice(k, 1)[0]);
      var loss = sampleLoss.loss[k][i];
      chart.draw({ series: series, marker: sampleLoss.steps[i], dots: [{ x: sampleLoss.steps[i], y: loss,
          color: "#e15759" }] });
      caption.textContent = "sample #" + sampleLoss.samples[k] + " at step " + sampleLoss.steps[i] + ": loss " +
          GG.fmt(loss, 3);
      var error = errorOf(k, i);
      shapes.mark(error, "sample #" + sampleLoss.samples[k],
        { cross_entropy: loss, mse: sampleLoss.mse[k][i], mae: sampleLoss.mae[k][i] });
      shapes.update(data.loss_shapes, 0);
    }
    var steps = sampleLoss ? sampleLoss.steps : [0];
    GG.el("span", { class: "gg-control-name", text: "training" }, row);
    var player = GG.player(row, { count: steps.length, fps: 6, name: "training step of the sample loss", loop: false,
      label: function (i) { return "step " + steps[i]; }, onFrame: function (i) { snap = i; drawSample(); } });
    shared.onSample(function () { drawSample(); });

    var reg = data.regression;
    var regBox = GG.el("div", { class: "gg-split gg-regression-row" }, stage);
    var regMain = GG.el("div", { class: "gg-main" }, regBox);
    var regSide = GG.el("div", { class: "gg-side gg-text-small" }, regBox);
    GG.el("p", { html: "The engine fits a straight line <code>nn.Linear(1, 1)</code> to these points twice, " +
      "from the same start, with plain SGD (lr " + reg.lr + "): once minimising <b>MSE</b>, once <b>MAE</b>. " +
      "Squaring makes a far-off point count hugely, so the outliers drag the MSE line up towards them; MAE " +
      "weighs every error by its size only, and its line stays with the bulk of the data." }, regSide);
    var regression = GG.components.regression(regMain);
    var regRow = GG.el("div", { class: "gg-player-row" }, stage);
    GG.el("span", { class: "gg-control-name", text: "fitting" }, regRow);
    var regPlayer = GG.player(regRow, { count: reg.fits.mse.steps.length, fps: 12, name: "fitting step", loop: false,
      label: function (i) { return "step " + reg.fits.mse.steps[i]; }, onFrame: function (i) { regression.update(reg,
          i); } });
    player.set(0);
    regPlayer.set(reg.fits.mse.steps.length - 1);
    shared.players.loss = { training: player, regression: regPlayer };
  };
})();
