/* glassgrad browser components: shared helpers (DOM, SVG, canvas, colours, number formats).
   Plain script, no modules and no build step: the same file is inlined into the explainer's HTML and
   served by the playground. Components only draw view data computed in Python; nothing here computes a
   model number. */
(function () {
  "use strict";
  var GG = (window.GG = window.GG || {});
  GG.components = GG.components || {};
  GG.perf = GG.perf || { frames: 0, total: 0, max: 0, last: 0, by: {} };

  var SVG_NS = "http://www.w3.org/2000/svg";

  /* el("div", {class: "x", text: "hi"}, parent): an HTML element. */
  GG.el = function (tag, attrs, parent) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    if (parent) parent.appendChild(node);
    return node;
  };

  /* svg("circle", {cx: 1}, parent): an SVG element. */
  GG.svg = function (tag, attrs, parent) {
    var node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    if (parent) parent.appendChild(node);
    return node;
  };

  function setAttrs(node, attrs) {
    if (!attrs) return;
    for (var key in attrs) {
      var value = attrs[key];
      if (value === undefined || value === null) continue;
      if (key === "text") node.textContent = value;
      else if (key === "html") node.innerHTML = value;
      else if (key === "on") for (var ev in value) node.addEventListener(ev, value[ev]);
      else node.setAttribute(key, value);
    }
  }
  GG.attrs = setAttrs;

  GG.clear = function (node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  };

  /* A canvas filling its container's width (up to maxWidth) at the device's pixel ratio; {canvas, ctx, w, h}
     and re-sizes itself when the container's width changed (call fit() before each draw). */
  GG.canvas = function (container, height, className, maxWidth) {
    var canvas = GG.el("canvas", { class: className || "gg-canvas" }, container);
    var state = { canvas: canvas, ctx: canvas.getContext("2d"), w: 0, h: 0 };
    state.fit = function () {
      var w = Math.max(120, Math.floor(container.clientWidth || 300));
      if (maxWidth) w = Math.min(w, maxWidth);
      var h = typeof height === "function" ? height(w) : height;
      var ratio = window.devicePixelRatio || 1;
      if (w !== state.w || h !== state.h || canvas.width !== Math.round(w * ratio)) {
        canvas.width = Math.round(w * ratio);
        canvas.height = Math.round(h * ratio);
        canvas.style.width = w + "px";
        canvas.style.height = h + "px";
        state.w = w;
        state.h = h;
      }
      state.ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      return state;
    };
    return state;
  };

  /* Colours: classes (tab10), a diverging blue-white-red for signed values, a sequential map. */
  GG.CLASS_COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#bab0ac"];
  GG.classColor = function (c) {
    return GG.CLASS_COLORS[((c | 0) % 10 + 10) % 10];
  };
  GG.hexToRgb = function (hex) {
    var n = parseInt(hex.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  };
  GG.CLASS_RGB = GG.CLASS_COLORS.map(GG.hexToRgb);

  /* t in [-1, 1] -> blue (negative), pale grey (0), red (positive) */
  GG.diverging = function (t) {
    t = Math.max(-1, Math.min(1, t || 0));
    var base = [236, 236, 236];
    var end = t < 0 ? [33, 102, 172] : [178, 24, 43];
    var a = Math.abs(t);
    return "rgb(" + Math.round(base[0] + (end[0] - base[0]) * a) + "," +
      Math.round(base[1] + (end[1] - base[1]) * a) + "," + Math.round(base[2] + (end[2] - base[2]) * a) + ")";
  };

  /* t in [0, 1] -> a perceptually ordered colour (viridis, interpolated from 6 stops) as [r, g, b] */
  var VIRIDIS = [[68, 1, 84], [65, 68, 135], [42, 120, 142], [34, 168, 132], [122, 209, 81], [253, 231, 37]];
  GG.sequential = function (t) {
    t = Math.max(0, Math.min(1, t || 0)) * (VIRIDIS.length - 1);
    var i = Math.min(VIRIDIS.length - 2, Math.floor(t)), f = t - i, a = VIRIDIS[i], b = VIRIDIS[i + 1];
    return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
  };
  GG.rgb = function (c, alpha) {
    return alpha === undefined ? "rgb(" + (c[0] | 0) + "," + (c[1] | 0) + "," + (c[2] | 0) + ")" :
      "rgba(" + (c[0] | 0) + "," + (c[1] | 0) + "," + (c[2] | 0) + "," + alpha + ")";
  };

  /* Numbers as text: fixed decimals for ordinary sizes, exponent form for tiny and huge ones. */
  GG.fmt = function (v, digits) {
    if (v === null || v === undefined || (typeof v === "number" && !isFinite(v))) return "—";
    digits = digits === undefined ? 3 : digits;
    var a = Math.abs(v);
    if (a !== 0 && (a < Math.pow(10, -digits) || a >= 1e5)) return v.toExponential(Math.max(1, digits - 1));
    return v.toFixed(digits);
  };
  GG.fmtInt = function (n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  };
  GG.pct = function (v) {
    return v === null || v === undefined ? "—" : (100 * v).toFixed(1) + "%";
  };

  /* Nested lists of numbers (a summary's "values") flattened. */
  GG.flat = function (values) {
    if (!Array.isArray(values)) return [values];
    var out = [];
    (function walk(v) {
      if (Array.isArray(v)) for (var i = 0; i < v.length; i++) walk(v[i]);
      else out.push(v);
    })(values);
    return out;
  };

  GG.extent = function (arrays) {
    var lo = Infinity, hi = -Infinity;
    for (var k = 0; k < arrays.length; k++) {
      var a = arrays[k];
      for (var i = 0; i < a.length; i++) {
        var v = a[i];
        if (v === null || !isFinite(v)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (lo === Infinity) return [0, 1];
    if (lo === hi) return [lo - 0.5, hi + 0.5];
    return [lo, hi];
  };

  /* The largest finite value in a list of arrays (or fallback when there is none). */
  GG.max = function (arrays, fallback) {
    var hi = -Infinity;
    arrays.forEach(function (a) { for (var i = 0; i < a.length; i++) if (a[i] !== null && a[i] > hi) hi = a[i]; });
    return hi === -Infinity ? fallback : hi;
  };

  /* The last index i with sorted[i] <= value (0 if none). */
  GG.bisect = function (sorted, value) {
    var lo = 0, hi = sorted.length - 1;
    if (hi < 0 || value <= sorted[0]) return 0;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (sorted[mid] <= value) lo = mid; else hi = mid - 1;
    }
    return lo;
  };

  /* Time a drawing call: every frame's script time feeds GG.perf (the browser tests read it). */
  GG.timed = function (fn, name) {
    return function () {
      var start = performance.now();
      var result = fn.apply(this, arguments);
      var ms = performance.now() - start;
      GG.perf.frames += 1;
      GG.perf.total += ms;
      GG.perf.last = ms;
      if (ms > GG.perf.max) GG.perf.max = ms;
      if (name) GG.perf.by[name] = Math.max(GG.perf.by[name] || 0, ms);
      return result;
    };
  };

  /* A row of toggle buttons; onPick(value) when one is chosen. */
  GG.choices = function (container, items, selected, onPick, className) {
    var row = GG.el("div", { class: "gg-choices " + (className || "") }, container);
    var buttons = items.map(function (item) {
      var b = GG.el("button", { type: "button", class: "gg-choice", "data-value": String(item.value),
        "aria-pressed": String(item.value === selected) }, row);
      if (item.color) GG.el("span", { class: "gg-swatch", style: "background:" + item.color }, b);
      GG.el("span", { text: item.label }, b);
      b.addEventListener("click", function () {
        pick(item.value);
        onPick(item.value);
      });
      return b;
    });
    function pick(value) {
      buttons.forEach(function (b, i) {
        b.setAttribute("aria-pressed", String(items[i].value === value));
      });
    }
    return { node: row, pick: pick };
  };
})();
