// Loss and learning-rate curves: draws curves_view data (per-step loss raw and smoothed, per-epoch
// evaluations, lr). Registered only when the shared component (components/curves.js) is not there.
window.GG = window.GG || {components: {}};
GG.components = GG.components || {};
if (!GG.components.curves) GG.components.curves = function (container, options) {
  const canvas = document.createElement("canvas");
  container.appendChild(canvas);
  const ctx = canvas.getContext("2d");
  const pad = {l: 44, r: 10, t: 8, b: 20};

  function size() {
    const w = container.clientWidth, h = container.clientHeight, r = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * r) || canvas.height !== Math.round(h * r)) {
      canvas.width = Math.round(w * r); canvas.height = Math.round(h * r);
      canvas.style.width = w + "px"; canvas.style.height = h + "px";
    }
    ctx.setTransform(r, 0, 0, r, 0, 0);
    return [w, h];
  }
  function finite(values) { return values.filter(v => v !== null && isFinite(v)); }
  function fmt(v) { return Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : v.toPrecision(2); }
  function chart(box, series, xmax, title) {
    const [x0, y0, w, h] = box;
    const all = [].concat(...series.map(s => finite(s.y)));
    let hi = all.length ? Math.max(...all) : 1;
    hi = hi > 0 ? hi * 1.05 : 1;
    const sx = x => x0 + pad.l + x / (xmax || 1) * (w - pad.l - pad.r);
    const sy = y => y0 + pad.t + (1 - Math.min(y, hi) / hi) * (h - pad.t - pad.b);
    ctx.strokeStyle = "#ddd"; ctx.fillStyle = "#777"; ctx.lineWidth = 1; ctx.font = "11px system-ui";
    for (let i = 0; i <= 2; i++) {
      const v = hi * i / 2, y = sy(v);
      ctx.beginPath(); ctx.moveTo(sx(0), y); ctx.lineTo(sx(xmax), y); ctx.stroke();
      ctx.textAlign = "right"; ctx.fillText(fmt(v), x0 + pad.l - 4, y + 4);
    }
    ctx.textAlign = "left"; ctx.fillText(title, x0 + pad.l + 4, y0 + pad.t + 10);
    ctx.textAlign = "right"; ctx.fillText("step " + xmax, x0 + w - pad.r, y0 + h - 4);
    let lx = x0 + w - pad.r;
    for (const s of series) {
      ctx.strokeStyle = s.colour; ctx.lineWidth = s.width || 1.5; ctx.setLineDash(s.dash || []);
      ctx.beginPath();
      let open = false;
      s.x.forEach((x, i) => {
        const y = s.y[i];
        if (y === null || !isFinite(y)) { open = false; return; }
        if (open) ctx.lineTo(sx(x), sy(y)); else { ctx.moveTo(sx(x), sy(y)); open = true; }
      });
      ctx.stroke(); ctx.setLineDash([]);
      if (s.label) {
        ctx.fillStyle = s.colour; ctx.textAlign = "right";
        ctx.fillText(s.label, lx, y0 + pad.t + 10);
        lx -= ctx.measureText(s.label).width + 12;
      }
    }
  }
  return {
    update(view) {
      const [w, h] = size();
      ctx.clearRect(0, 0, w, h);
      const steps = view.steps, ev = view.epochs || {};
      const plan = view.lr_plan;
      const xmax = Math.max(steps.length ? steps[steps.length - 1] : 0, 1);
      const loss = [{x: steps, y: view.loss, colour: "#c8d6e5", width: 1},
                    {x: steps, y: view.smoothed, colour: "#5b7a99", width: 1.5, label: "batch"}];
      if (ev.train_loss) loss.push({x: ev.step, y: ev.train_loss, colour: "#0877bd", width: 2, label: "train"});
      if (ev.test_loss) loss.push({x: ev.step, y: ev.test_loss, colour: "#f59322", width: 2, label: "test"});
      const top = Math.round(h * 0.66);
      chart([0, 0, w, top], loss, xmax, "loss");
      const lr = [];
      const xlr = plan ? Math.max(plan.steps[plan.steps.length - 1], xmax) : xmax;
      if (plan) lr.push({x: plan.steps, y: plan.lr, colour: "#bbb", dash: [4, 3], label: "schedule"});
      lr.push({x: steps, y: view.lr[0] || [], colour: "#3aa757", width: 2, label: "lr used"});
      chart([0, top, w, h - top], lr, xlr, "learning rate");
      const mx = pad.l + xmax / xlr * (w - pad.l - pad.r);   // where training is now
      ctx.strokeStyle = "#3aa757"; ctx.lineWidth = 1; ctx.setLineDash([2, 2]);
      ctx.beginPath(); ctx.moveTo(mx, top + pad.t); ctx.lineTo(mx, h - pad.b); ctx.stroke(); ctx.setLineDash([]);
    },
    destroy() { container.removeChild(canvas); },
  };
};
