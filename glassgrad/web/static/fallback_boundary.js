// The decision boundary (or 1-D regression fit) over the data: draws boundary_view data. Registered only
// when the shared component (glassgrad/viz/web/components/boundary.js) is not there.
window.GG = window.GG || {components: {}};
GG.components = GG.components || {};
GG.palette = GG.palette || ["#f59322", "#0877bd", "#3aa757", "#c2185b", "#7e57c2", "#6d4c41", "#00897b",
                            "#546e7a"];
if (!GG.components.boundary) GG.components.boundary = function (container, options) {
  const canvas = document.createElement("canvas");
  container.appendChild(canvas);
  const ctx = canvas.getContext("2d");
  const image = document.createElement("canvas");

  function rgb(hex) { return [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16)); }
  function size() {
    const w = container.clientWidth, h = container.clientHeight || w, r = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * r) || canvas.height !== Math.round(h * r)) {
      canvas.width = Math.round(w * r); canvas.height = Math.round(h * r);
      canvas.style.width = w + "px"; canvas.style.height = h + "px";
    }
    ctx.setTransform(r, 0, 0, r, 0, 0);
    return [w, h];
  }
  function points(view, sx, sy, set, hollow) {
    if (!set || !set.x) return;
    for (let i = 0; i < set.x.length; i++) {
      const p = set.x[i], label = set.y ? set.y[i] : 0;
      const px = sx(p[0]), py = p.length > 1 ? sy(p[1]) : sy(Array.isArray(label) ? label[0] : label);
      ctx.beginPath(); ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
      const colour = view.kind === "fit" ? "#555" : GG.palette[label % GG.palette.length];
      if (hollow) { ctx.strokeStyle = colour; ctx.lineWidth = 1.5; ctx.stroke(); }
      else { ctx.fillStyle = colour; ctx.fill(); ctx.strokeStyle = "#fff"; ctx.lineWidth = 1; ctx.stroke(); }
    }
  }
  function plane(view, f, w, h) {
    const R = view.resolution, C = view.classes || 2;
    image.width = R; image.height = R;
    const ictx = image.getContext("2d"), data = ictx.createImageData(R, R), colours = GG.palette.map(rgb);
    for (let row = 0; row < R; row++) for (let col = 0; col < R; col++) {
      const k = row * R + col, at = ((R - 1 - row) * R + col) * 4;   // row 0 is the bottom of the plane
      const c = colours[f.classes[k] % colours.length];
      const strength = Math.max(0, (f.confidence[k] / 255 - 1 / C) / (1 - 1 / C));
      const t = 0.15 + 0.6 * strength;
      for (let j = 0; j < 3; j++) data.data[at + j] = Math.round(255 * (1 - t) + c[j] * t);
      data.data[at + 3] = 255;
    }
    ictx.putImageData(data, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(image, 0, 0, w, h);
  }
  function fit(view, f, sx, sy) {
    ctx.strokeStyle = GG.palette[1]; ctx.lineWidth = 2.5; ctx.beginPath();
    f.fit.forEach((p, i) => i ? ctx.lineTo(sx(p[0]), sy(p[1])) : ctx.moveTo(sx(p[0]), sy(p[1])));
    ctx.stroke();
  }
  return {
    update(view, frame) {
      const f = view.frames[frame || 0];
      const [w, h] = size();
      ctx.clearRect(0, 0, w, h);
      const [bx, by] = view.bounds;
      let yr = by;
      if (view.kind === "fit") {   // y range from the targets and the fit
        const ys = view.points.y.map(v => Array.isArray(v) ? v[0] : v).concat(f.fit.map(p => p[1]));
        const lo = Math.min(...ys), hi = Math.max(...ys), pad = (hi - lo) * 0.1 + 1e-6;
        yr = [lo - pad, hi + pad];
      }
      const sx = x => (x - bx[0]) / (bx[1] - bx[0]) * w;
      const sy = y => h - (y - yr[0]) / (yr[1] - yr[0]) * h;
      if (view.kind === "fit") { ctx.fillStyle = "#fafafa"; ctx.fillRect(0, 0, w, h); }
      else if (f.classes) plane(view, f, w, h);
      points(view, sx, sy, view.points, false);
      points(view, sx, sy, view.test_points, true);
      if (view.kind === "fit" && f.fit) fit(view, f, sx, sy);
      ctx.strokeStyle = "#ccc"; ctx.lineWidth = 1; ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
      container.dataset.step = f.step;
    },
    destroy() { container.removeChild(canvas); },
  };
};
