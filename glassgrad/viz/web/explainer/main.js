/* The explainer page: read the inlined view data, fill in the run's numbers, build every section. */
(function () {
  "use strict";
  var GG = window.GG;

  function start() {
    var started = performance.now();
    var data = JSON.parse(document.getElementById("gg-data").textContent);
    GG.data = data;
    var meta = data.meta || {};
    var fills = {
      parameter_count: GG.fmtInt(meta.parameter_count || 0),
      description: meta.description || meta.model_class || "",
      final_accuracy: meta.final && meta.final.val_accuracy !== undefined ? GG.pct(meta.final.val_accuracy) :
        meta.final && meta.final.accuracy !== undefined ? GG.pct(meta.final.accuracy) : "—",
      steps: GG.fmtInt(meta.steps || 0),
      epochs: GG.fmtInt(meta.epochs || 0)
    };
    Array.prototype.forEach.call(document.querySelectorAll("[data-fill]"), function (node) {
      var key = node.getAttribute("data-fill");
      if (fills[key] !== undefined) node.textContent = fills[key];
    });
    var model = document.querySelector("[data-fill-model]");
    if (model) model.textContent = meta.model || "";

    var listeners = [];
    var shared = {
      sample: 0,
      players: {},
      setSample: function (k) {
        shared.sample = k;
        listeners.forEach(function (fn) { fn(k); });
      },
      onSample: function (fn) { listeners.push(fn); }
    };
    GG.shared = shared;
    ["forward", "loss", "backprop", "descent", "schedules", "training"].forEach(function (name) {
      var section = document.getElementById(name);
      var stage = section.querySelector(".gg-stage");
      var note = data.notes && data.notes[name];
      if (note) GG.el("div", { class: "gg-note gg-not-applicable", "data-role": "note", text: note }, stage);
      GG.sections[name](stage, data, shared);
      section.setAttribute("data-ready", "true");
    });
    var redraw = null;
    window.addEventListener("resize", function () {
      clearTimeout(redraw);
      redraw = setTimeout(function () {
        Object.keys(shared.players).forEach(function (k) {
          var p = shared.players[k];
          (p.redraw ? [p] : Object.keys(p).map(function (j) { return p[j]; })).forEach(function (q) { q.redraw(); });
        });
      }, 120);
    });
    GG.perf.load = performance.now() - started;   // parsing the data and building every section
    document.body.setAttribute("data-ready", "true");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
