// Each neuron's output over the input plane, as a small heatmap, laid out as the network (input on the
// left, output on the right) with links coloured by weight or, with options.links = "gradient", by the
// gradient of the loss with respect to the weight. Draws glassgrad.viz.views.neurons data (one frame).
window.GG = window.GG || {components: {}};
GG.components = GG.components || {};
GG.components.neuron_heatmaps = function (container, options) {
  options = Object.assign({links: "weight", tile: 34}, options || {});
  const canvas = document.createElement("canvas");
  container.appendChild(canvas);
  const ctx = canvas.getContext("2d");
  const tip = document.createElement("div");
  tip.className = "gg-tip"; tip.hidden = true; container.appendChild(tip);
  const NEG = [245, 147, 34], POS = [8, 119, 189];   // orange below zero, blue above (TF Playground's)
  let last = null, tiles = [];

  function size() {
    const w = container.clientWidth, h = container.clientHeight, r = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * r) || canvas.height !== Math.round(h * r)) {
      canvas.width = Math.round(w * r); canvas.height = Math.round(h * r);
      canvas.style.width = w + "px"; canvas.style.height = h + "px";
    }
    ctx.setTransform(r, 0, 0, r, 0, 0);
    return [w, h];
  }
  function colour(v, alpha) {   // v in -1..1
    const c = v < 0 ? NEG : POS, t = Math.min(1, Math.abs(v));
    const mix = c.map(ch => Math.round(255 + (ch - 255) * t));
    return alpha === undefined ? mix : `rgba(${mix[0]},${mix[1]},${mix[2]},${alpha})`;
  }
  function heatmap(grid, dims, R, x, y, s) {
    if (dims === 2) {
      const img = ctx.createImageData(R, R);
      for (let row = 0; row < R; row++) for (let col = 0; col < R; col++) {
        const c = colour(grid[row * R + col] / 100), at = ((R - 1 - row) * R + col) * 4;
        img.data[at] = c[0]; img.data[at + 1] = c[1]; img.data[at + 2] = c[2]; img.data[at + 3] = 255;
      }
      const off = heatmap.off || (heatmap.off = document.createElement("canvas"));
      off.width = R; off.height = R; off.getContext("2d").putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(off, x, y, s, s);
    } else {                      // 1-D input: the output along x as a small curve
      ctx.fillStyle = "#fafafa"; ctx.fillRect(x, y, s, s);
      ctx.strokeStyle = "#0877bd"; ctx.lineWidth = 1.5; ctx.beginPath();
      grid.forEach((v, i) => {
        const px = x + i / (grid.length - 1) * s, py = y + s / 2 - v / 100 * (s / 2 - 2);
        i ? ctx.lineTo(px, py) : ctx.moveTo(px, py);
      });
      ctx.stroke();
    }
    ctx.strokeStyle = "#999"; ctx.lineWidth = 1; ctx.strokeRect(x + 0.5, y + 0.5, s - 1, s - 1);
  }
  function layerName(view, k, narrow) {   // narrow: two short lines instead of one
    if (k === 0) return narrow ? ["input"] : "input";
    const layer = view.layers[k - 1], n = view.sizes[k];
    if (k === view.sizes.length - 1) return narrow ? ["output", `(${n})`] : `output (${n})`;
    const detail = `${n}${layer.activation ? ", " + layer.activation : ""}`;
    return narrow ? [`hidden ${k}`, `(${detail})`] : `hidden ${k} (${detail})`;
  }
  function draw() {
    const view = last; if (!view) return;
    const f = view.frames[view.frame || 0], [w, h] = size();
    ctx.clearRect(0, 0, w, h);
    const L = view.sizes.length, most = Math.max(...view.shown.map(s => s.length));
    const narrow = w / Math.max(1, L - 1) < 125;   // the one-line layer names would run together
    const top = narrow ? 40 : 26, s = Math.max(10, Math.min(options.tile, (h - top - 8) / most - 6));
    const gap = (w - s) / Math.max(1, L - 1);
    const pos = view.shown.map((keep, k) => keep.map((_, i) => {
      const colH = keep.length * (s + 6) - 6, y0 = top + (h - top - colH) / 2;
      return [k * gap, y0 + i * (s + 6)];
    }));
    const useGrad = options.links === "gradient" && f.grads;
    const mats = useGrad ? f.grads : f.weights;
    let biggest = 1e-12;
    mats.forEach(m => m && m.forEach(row => row.forEach(v => { if (v !== null) biggest = Math.max(biggest, Math.abs(v)); })));
    for (let k = 0; k + 1 < L; k++) {
      const m = mats[k]; if (!m) continue;
      for (let o = 0; o < m.length; o++) for (let i = 0; i < m[o].length; i++) {
        const v = m[o][i]; if (v === null) continue;
        const a = pos[k][i], b = pos[k + 1][o], t = Math.abs(v) / biggest;
        ctx.strokeStyle = colour(Math.sign(v) * Math.max(0.25, t), 0.25 + 0.75 * t);
        ctx.lineWidth = 0.4 + 3.2 * t;
        ctx.beginPath(); ctx.moveTo(a[0] + s, a[1] + s / 2);
        ctx.bezierCurveTo(a[0] + s + gap / 3, a[1] + s / 2, b[0] - gap / 3, b[1] + s / 2, b[0], b[1] + s / 2);
        ctx.stroke();
      }
    }
    tiles = [];
    ctx.font = "11px system-ui"; ctx.fillStyle = "#555";
    for (let k = 0; k < L; k++) {
      ctx.fillStyle = "#555";   // a 1-D tile's background fill must not leak into the labels
      ctx.textAlign = k === 0 ? "left" : k === L - 1 ? "right" : "center";
      const lx = k === 0 ? 0 : k === L - 1 ? w : pos[k][0][0] + s / 2;
      const lines = [].concat(layerName(view, k, narrow));
      if (view.sizes[k] > view.shown[k].length) lines.push(`${view.shown[k].length} shown`);
      lines.forEach((line, j) => ctx.fillText(line, lx, 12 + 12 * j));
      view.shown[k].forEach((neuron, i) => {
        const [x, y] = pos[k][i];
        heatmap(f.grids[k][i], view.dims, view.resolution, x, y, s);
        tiles.push({x, y, s, k, i, neuron});
      });
    }
    container.dataset.step = f.step;
    container.dataset.links = useGrad ? "gradient" : "weight";
  }
  canvas.addEventListener("mousemove", e => {
    const r = canvas.getBoundingClientRect(), mx = e.clientX - r.left, my = e.clientY - r.top;
    const t = tiles.find(t => mx >= t.x && mx <= t.x + t.s && my >= t.y && my <= t.y + t.s);
    if (!t || !last) { tip.hidden = true; return; }
    const f = last.frames[last.frame || 0];
    const bias = t.k > 0 ? f.biases[t.k - 1][t.i] : null;
    tip.textContent = `${layerName(last, t.k)}, neuron ${t.neuron}\nmax |output| ${f.scales[t.k]}` +
      (bias !== null ? `\nbias ${bias}` : "");
    tip.style.left = (t.x + t.s + 6) + "px"; tip.style.top = t.y + "px"; tip.hidden = false;
  });
  canvas.addEventListener("mouseleave", () => { tip.hidden = true; });
  return {
    update(view, frame) { last = Object.assign({}, view, {frame: frame || 0}); draw(); },
    setLinks(mode) { options.links = mode; draw(); },
    destroy() { container.removeChild(canvas); container.removeChild(tip); },
  };
};
