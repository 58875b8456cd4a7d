// The optimizer race (glassgrad.viz.views.race data): each optimizer's path across one slice of the
// loss landscape (left) and its loss over the steps (right), in one colour per optimizer.
window.GG = window.GG || {components: {}};
GG.components = GG.components || {};
GG.components.race = function (container, options) {
  const canvas = document.createElement("canvas");
  container.appendChild(canvas);
  const ctx = canvas.getContext("2d");
  const COLOURS = ["#d62728", "#2ca02c", "#1f77b4", "#9467bd"];

  // Side by side on a wide container; on a narrow one (a phone) the landscape above the curves.
  function layout(w) {
    if (w >= 560) {
      const h = Math.max(260, Math.min(380, w * 0.45)), s = Math.min(h - 24, w * 0.45);
      return {w, h, s, curves: [s + 16, 0, w - s - 16, h]};
    }
    const s = Math.min(w, 340), ch = 240;
    return {w, h: s + 28 + ch, s, curves: [0, s + 28, w, ch]};
  }
  function size() {
    const box = layout(container.clientWidth), r = window.devicePixelRatio || 1;
    canvas.width = box.w * r; canvas.height = box.h * r;
    canvas.style.width = box.w + "px"; canvas.style.height = box.h + "px";
    ctx.setTransform(r, 0, 0, r, 0, 0);
    return box;
  }
  function landscape(view, x0, y0, s) {
    const L = view.landscape, R = L.alphas.length;
    const lo = Math.log(L.min + 1e-9), hi = Math.log(L.max + 1e-9);
    const cell = s / R;
    for (let i = 0; i < R; i++) for (let j = 0; j < R; j++) {
      const v = L.surface[i][j];
      const t = v === null ? 1 : (Math.log(v + 1e-9) - lo) / (hi - lo || 1);   // log scale: valleys show
      const g = Math.round(250 - 190 * (1 - t));
      ctx.fillStyle = `rgb(${g},${Math.round(g * 0.97 + 6)},${Math.min(255, g + 20)})`;
      ctx.fillRect(x0 + j * cell, y0 + (R - 1 - i) * cell, cell + 0.5, cell + 0.5);
    }
    const [a0, a1] = [L.alphas[0], L.alphas[R - 1]], [b0, b1] = [L.betas[0], L.betas[R - 1]];
    const px = a => x0 + (a - a0) / (a1 - a0) * s, py = b => y0 + s - (b - b0) / (b1 - b0) * s;
    view.runners.forEach((r, k) => {
      if (!r.path) return;
      ctx.strokeStyle = COLOURS[k % 4]; ctx.lineWidth = 2; ctx.beginPath();
      r.path.forEach((p, i) => i ? ctx.lineTo(px(p[0]), py(p[1])) : ctx.moveTo(px(p[0]), py(p[1])));
      ctx.stroke();
      const end = r.path[r.path.length - 1];
      ctx.fillStyle = COLOURS[k % 4]; ctx.beginPath(); ctx.arc(px(end[0]), py(end[1]), 4, 0, 2 * Math.PI); ctx.fill();
    });
    ctx.fillStyle = "#000"; ctx.beginPath(); ctx.arc(px(0), py(0), 4, 0, 2 * Math.PI); ctx.fill();
    ctx.font = "11px system-ui"; ctx.textAlign = "left"; ctx.fillStyle = "#333";
    ctx.fillText("● start (the shared initial weights)", x0 + 4, y0 + s + 14);
    ctx.strokeStyle = "#bbb"; ctx.strokeRect(x0 + 0.5, y0 + 0.5, s, s);
  }
  function curves(view, x0, y0, w, h) {
    const all = [];
    view.runners.forEach(r => r.loss.forEach(v => { if (v !== null && isFinite(v)) all.push(v); }));
    const hi = all.length ? Math.max(...all) * 1.05 : 1, total = view.total_steps;
    const sx = s => x0 + 40 + s / total * (w - 50), sy = v => y0 + 10 + (1 - Math.min(v, hi) / hi) * (h - 30);
    ctx.strokeStyle = "#ddd"; ctx.fillStyle = "#777"; ctx.font = "11px system-ui"; ctx.lineWidth = 1;
    [0, 0.5, 1].forEach(f => {
      const y = sy(hi * f); ctx.beginPath(); ctx.moveTo(sx(0), y); ctx.lineTo(sx(total), y); ctx.stroke();
      ctx.textAlign = "right"; ctx.fillText((hi * f).toPrecision(2), x0 + 36, y + 4);
    });
    ctx.textAlign = "right"; ctx.fillText("step " + total, sx(total), y0 + h - 2);
    view.runners.forEach((r, k) => {
      ctx.strokeStyle = COLOURS[k % 4]; ctx.lineWidth = 1.5; ctx.beginPath();
      let open = false;
      r.steps.forEach((s, i) => {
        const v = r.loss[i];
        if (v === null || !isFinite(v)) { open = false; return; }
        open ? ctx.lineTo(sx(s), sy(v)) : ctx.moveTo(sx(s), sy(v)); open = true;
      });
      ctx.stroke();
    });
    view.runners.forEach((r, k) => {   // the key, top right on a white backing: over the curves, still readable
      const final = r.final_loss === null ? "–" : r.final_loss.toPrecision(3);
      const text = `${r.label} (lr ${r.lr}): ${r.diverged ? "diverged" : "train loss " + final}`;
      const tw = ctx.measureText(text).width, right = x0 + w - 4, y = y0 + 22 + 15 * k;
      ctx.fillStyle = "rgba(255,255,255,0.85)"; ctx.fillRect(right - tw - 4, y - 11, tw + 8, 15);
      ctx.fillStyle = COLOURS[k % 4]; ctx.textAlign = "right"; ctx.fillText(text, right, y);
    });
  }
  return {
    update(view) {
      const box = size(), s = box.s;
      ctx.clearRect(0, 0, box.w, box.h);
      if (view.landscape) landscape(view, 0, 0, s);
      else {
        ctx.fillStyle = "#777"; ctx.font = "13px system-ui"; ctx.textAlign = "left";
        ctx.fillText("racing… the landscape slice is laid", 8, 20);
        ctx.fillText("when the race ends", 8, 38);
      }
      curves(view, ...box.curves);
      container.dataset.done = view.done ? "1" : "";
    },
    destroy() { container.removeChild(canvas); },
  };
};
