// One training iteration in four phases -- forward, loss, backward, update -- with the real numbers of
// that step for one sample (glassgrad.viz.views.step data). Forward reveals the layers from the input,
// backward reveals the gradients from the output back, in the order the engine delivered them.
window.GG = window.GG || {components: {}};
GG.components = GG.components || {};
GG.components.step_through = function (container, options) {
  const bar = document.createElement("div");
  bar.className = "gg-step-bar";
  bar.style.cssText = "display:flex;gap:6px;align-items:center;flex-wrap:wrap;margin:4px 0 8px";
  const canvas = document.createElement("canvas");
  const text = document.createElement("div");
  text.className = "gg-step-text";
  text.style.cssText = "font:13px/1.5 system-ui;white-space:pre-wrap;margin-top:6px;font-variant-numeric:tabular-nums";
  container.append(bar, canvas, text);
  const ctx = canvas.getContext("2d");
  const PHASES = ["forward", "loss", "backward", "update"];
  const buttons = {};
  let view = null, phase = 0, reveal = 0, timer = null;
  PHASES.forEach((p, i) => {
    const b = document.createElement("button");
    b.textContent = `${i + 1}. ${p}`; b.dataset.phase = p; b.className = "small";
    b.addEventListener("click", () => go(i));
    buttons[p] = b; bar.appendChild(b);
  });
  const next = document.createElement("button");
  next.textContent = "next phase ▸"; next.className = "small gg-step-next";
  next.addEventListener("click", () => go(Math.min(phase + 1, 3)));
  bar.appendChild(next);

  const n = v => v === null || v === undefined ? "nan" : Math.abs(v) >= 1e-3 || v === 0 ? (+v.toFixed(3)).toString() : v.toExponential(1);
  function colour(v, scale) {
    const t = Math.min(1, Math.abs(v) / (scale || 1)), c = v < 0 ? [245, 147, 34] : [8, 119, 189];
    return `rgb(${c.map(ch => Math.round(255 + (ch - 255) * t)).join(",")})`;
  }
  function maxAbs(list) { let m = 1e-12; list.forEach(v => { if (v !== null) m = Math.max(m, Math.abs(v)); }); return m; }
  function go(i) {
    phase = i; clearInterval(timer);
    const layers = view.forward.length + 1;
    reveal = 0;
    const total = phase === 0 ? layers : phase === 2 ? view.backward.length : 1;
    timer = setInterval(() => { reveal += 1; draw(); if (reveal >= total) clearInterval(timer); }, 350);
    reveal = phase === 0 || phase === 2 ? 1 : total;
    container.dataset.phase = PHASES[phase];
    Object.values(buttons).forEach(b => { b.style.fontWeight = b.dataset.phase === PHASES[phase] ? "700" : ""; });
    draw();
  }
  function nodeValues() {   // per column: {values, label} for what this phase shows
    const cols = [{values: view.input, kind: "x"}];
    view.forward.forEach(f => cols.push({values: f.a || f.z, kind: f.a ? "a" : "z", z: f.z}));
    const out = cols[cols.length - 1];
    if (view.output.probs) { out.values = view.output.probs; out.kind = "p"; }
    if (phase === 0) cols.forEach((c, k) => { if (k >= reveal) c.hidden = true; });
    if (phase === 2) {
      cols.forEach(c => { c.values = c.values.map(() => null); c.kind = "∂L/∂"; c.hidden = true; });
      view.backward.slice(0, reveal).forEach(b => {
        const c = cols[b.layer + 1]; c.values = b.grad; c.kind = "∂L/∂" + b.of; c.hidden = false;
      });
    }
    return cols;
  }
  function draw() {
    if (!view) return;
    const w = container.clientWidth, rows = Math.max(...view.shown.map(s => s.length));
    const h = Math.max(180, Math.min(520, rows * 30 + 40)), r = window.devicePixelRatio || 1;
    canvas.width = w * r; canvas.height = h * r; canvas.style.width = w + "px"; canvas.style.height = h + "px";
    ctx.setTransform(r, 0, 0, r, 0, 0); ctx.clearRect(0, 0, w, h);
    const cols = nodeValues(), L = cols.length, gap = (w - 120) / Math.max(1, L - 1);
    const pos = view.shown.map((keep, k) => keep.map((_, i) => [60 + k * gap, 30 + (h - 40) * (i + 0.5) / keep.length]));
    const upd = view.update.layers;
    const linkScale = maxAbs([].concat(...upd.map(u => [].concat(...(phase === 3 ? u.weight_delta : u.weight_after)))));
    for (let k = 0; k + 1 < L; k++) {
      const m = phase === 3 ? upd[k].weight_delta : phase === 2 ? upd[k].weight_grad : upd[k].weight_before;
      const mScale = phase === 3 ? linkScale : maxAbs([].concat(...m));
      m.forEach((row, o) => row.forEach((v, i) => {
        if (v === null) return;
        const a = pos[k][i], b = pos[k + 1][o], t = Math.abs(v) / mScale;
        if (phase === 0 && k + 1 >= reveal) return;
        ctx.strokeStyle = colour(v, mScale); ctx.globalAlpha = 0.2 + 0.8 * t; ctx.lineWidth = 0.5 + 2.5 * t;
        ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
      }));
    }
    ctx.globalAlpha = 1; ctx.font = "11px system-ui"; ctx.textAlign = "center";
    cols.forEach((c, k) => {
      const scale = maxAbs(c.values);
      ctx.fillStyle = "#555";
      ctx.fillText(k === 0 ? "input x" : k === L - 1 ? "output " + c.kind : `layer ${k} ${c.kind}`, pos[k][0][0], 14);
      view.shown[k].forEach((neuron, i) => {
        const [x, y] = pos[k][i], v = c.values[i], rad = Math.max(3, Math.min(11, (h - 40) / view.shown[k].length / 2 - 2));
        ctx.beginPath(); ctx.arc(x, y, rad, 0, 2 * Math.PI);
        ctx.fillStyle = c.hidden || v === null ? "#f0f0f0" : colour(v, scale); ctx.fill();
        const target = phase === 1 && k === L - 1 && view.output.target === neuron;
        ctx.strokeStyle = target ? "#222" : "#999"; ctx.lineWidth = target ? 2.5 : 1; ctx.stroke();
        const spacing = (h - 40) / view.shown[k].length;
        if (!c.hidden && v !== null && spacing >= 12) {   // the number beside its node, never on the next
          ctx.fillStyle = "#111"; ctx.textAlign = "left";
          ctx.fillText(n(v), x + rad + 3, y + 4);
          ctx.textAlign = "center";
        }
      });
    });
    text.textContent = explain(cols);
  }
  function explain(cols) {
    const v = view, o = v.output, first = v.forward[0];
    if (phase === 0) {
      const k = Math.min(reveal, v.forward.length);
      const shown = k ? v.forward[k - 1] : null;
      return `Step ${v.step}, sample ${v.sample} of a batch of ${v.batch_size}: x = [${v.input.map(n).join(", ")}]\n` +
        (shown ? `layer ${k}: z = W·(previous) + b = [${shown.z.slice(0, 6).map(n).join(", ")}${shown.z.length > 6 ? ", …" : ""}]` +
          (shown.a ? `\n        a = ${v.layers[k - 1].activation}(z) = [${shown.a.slice(0, 6).map(n).join(", ")}${shown.a.length > 6 ? ", …" : ""}]` : "")
          : "layer by layer…");
    }
    if (phase === 1) {
      return `loss (${v.loss.name}, mean over the batch of ${v.batch_size}) = ${n(v.loss.value)}\n` +
        (o.probs ? `this sample: scores [${o.scores.map(n).join(", ")}] → softmax [${o.probs.map(n).join(", ")}]\n` +
          `predicted class ${o.prediction}, true class ${o.target}, p(true class) = ${n(o.target_probability)}`
          : `this sample: prediction ${n(o.prediction)}, target ${n(o.target)}`);
    }
    if (phase === 2) {
      const b = v.backward.slice(0, reveal);
      return "the gradient of the loss flows back, output first (it carries the batch mean's 1/" + v.batch_size + "):\n" +
        b.map(e => `∂L/∂${e.of} of layer ${e.layer + 1}: [${e.grad.slice(0, 5).map(n).join(", ")}${e.grad.length > 5 ? ", …" : ""}]`).join("\n") +
        "\n" + v.update.layers.map((u, k) => `‖∂L/∂W${k + 1}‖ = ${n(u.grad_norm)}`).join("   ");
    }
    const u = v.update.layers[0];
    return `${v.update.optimizer} step with learning rate ${n(v.update.lr)}: W ← W − update\n` +
      v.update.layers.map((l, k) => `layer ${k + 1}: ‖ΔW‖ = ${n(l.delta_norm)}`).join("   ") +
      `\nfirst weight of layer 1: ${n(u.weight_before[0][0])} → ${n(u.weight_after[0][0])} (Δ ${n(u.weight_delta[0][0])}, ` +
      `gradient ${n(u.weight_grad[0][0])})`;
  }
  return {
    update(v) { view = v; go(0); },
    phase(i) { go(i); },
    destroy() { clearInterval(timer); container.innerHTML = ""; },
  };
};
