// The playground page: one WebSocket to this tab's session. Views arrive as the Python view data (a
// setup with each view's fixed part, then frames with the changing part); the page lays one over the
// other and hands the result to the shared components (glassgrad/viz/web, the explainer's too), drawing
// the newest frame. It acknowledges each streamed message once the browser has painted it, and the
// server computes the next one only then.
(function () {
  const $ = id => document.getElementById(id);
  const state = {ws: null, schema: null, config: null, statics: {}, counters: {}, frames: 0,
                 playing: false, errors: [], last: {}};
  window.PG = window.PG || {};
  PG.state = state;   // read by the browser tests
  const views = {};

  function component(name, id, options) {
    if (views[id]) return views[id];
    const make = GG.components[name];
    if (!make) { $(id).textContent = `(no ${name} component)`; return null; }
    views[id] = make($(id), options || {});
    return views[id];
  }
  function send(message) {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
  }
  function ack(frame) {   // after the next paint: the pace of the browser is the pace of the server
    requestAnimationFrame(() => setTimeout(() => send({type: "ack", frame}), 0));
  }
  function fmt(v, digits) { return v === null || v === undefined ? "–" : Number(v).toPrecision(digits || 4); }
  function showError(text) {
    state.errors.push(text);
    const box = document.createElement("div"); box.textContent = text;
    $("errors").appendChild(box);
    setTimeout(() => box.remove(), 6000);
  }
  function setPlaying(on) {
    state.playing = on;
    $("play").textContent = on ? "❚❚ Pause" : "▶ Play";
  }
  function counters(c) {
    state.counters = c;
    $("epoch").textContent = c.epoch; $("stepcount").textContent = c.step; $("lr").textContent = fmt(c.lr, 3);
    const banner = $("banner");
    if (c.diverged) {
      banner.hidden = false; banner.textContent = "Training diverged: " + c.diverged;
      $("status").textContent = "diverged"; $("status").className = "status diverged"; setPlaying(false);
    } else {
      banner.hidden = true; $("status").textContent = state.playing ? "training" : "paused";
      $("status").className = "status";
    }
  }
  function onSetup(msg) {
    state.statics = msg.views; state.config = msg.config;
    PG.controls.set(msg.config);
    const h = msg.config.hidden;
    $("arch").textContent = `${msg.counters.parameters} parameters`;
    $("outputnote").textContent = msg.views.boundary.kind === "fit" ? "(the fit over the data)"
      : "(decision boundary; hollow points are test data)";
    counters(msg.counters);
    setPlaying(false);
  }
  function onFrame(msg) {
    state.frames += 1;
    counters(msg.counters);
    const curves = msg.views.curves, ev = curves.epochs || {};   // epoch logs as fit writes them
    const lastOf = a => a && a.length ? a[a.length - 1] : null;
    $("trainloss").textContent = fmt(lastOf(ev.loss)); $("testloss").textContent = fmt(lastOf(ev.val_loss));
    const boundary = Object.assign({}, state.statics.boundary, msg.views.boundary);
    const neurons = Object.assign({}, state.statics.neurons, msg.views.neurons);
    state.last = {boundary, neurons, curves, trainLoss: lastOf(ev.loss), testLoss: lastOf(ev.val_loss),
                  step: msg.counters.step};
    draw();
    ack(msg.frame);
  }
  function draw() {   // the newest frame of each view (a live view's frames hold one frame; the curves, every step)
    const l = state.last;
    if (!l.boundary) return;
    const b = component("boundary", "boundary"); if (b) b.update(l.boundary, l.boundary.frames.length - 1);
    const n = component("neuron_heatmaps", "neurons"); if (n) n.update(l.neurons, l.neurons.frames.length - 1);
    const c = component("curves", "curves"); if (c) c.update(l.curves, Math.max(0, l.curves.steps.length - 1));
  }
  function onSaved(msg) {
    state.saved = msg;
    const box = $("saved"); box.innerHTML = "";
    const p = document.createElement("p");
    p.innerHTML = "Saved <code></code> (" + msg.steps + " steps). ";
    p.querySelector("code").textContent = msg.path;
    for (const [kind, url] of Object.entries(msg.downloads)) {
      const a = document.createElement("a"); a.href = url; a.download = "";
      a.textContent = kind === "run" ? "download the run directory (.zip)" : "download the explainer (.html)";
      a.id = "download-" + kind; p.appendChild(a);
    }
    box.appendChild(p);
    if (msg.explainer) {
      const q = document.createElement("p");
      q.innerHTML = "Its explainer page, written beside it: <code></code>";
      q.querySelector("code").textContent = msg.explainer;
      box.appendChild(q);
    }
    if (msg.explainer_error) showError("the explainer page could not be built: " + msg.explainer_error);
  }
  function connect() {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
    state.ws = ws;
    ws.onopen = () => { $("status").textContent = "connected"; };
    ws.onclose = () => { $("status").textContent = "disconnected: reload the page"; setPlaying(false); };
    ws.onmessage = event => {
      const msg = JSON.parse(event.data);
      if (msg.type === "hello") { state.schema = msg.schema; PG.controls.build(msg.schema, send); PG.race.build(msg.schema, send); }
      else if (msg.type === "setup") onSetup(msg);
      else if (msg.type === "config") { state.config = msg.config; PG.controls.set(msg.config); }
      else if (msg.type === "frame") onFrame(msg);
      else if (msg.type === "stepthrough") {
        $("steppanel").hidden = false;
        component("step_through", "stepview").update(msg.view, 0);
      }
      else if (msg.type === "race") { component("race", "raceview").update(msg.view, 0); ack(msg.frame); }
      else if (msg.type === "saved") onSaved(msg);
      else if (msg.type === "error") {
        showError((msg.field ? msg.field + ": " : "") + msg.message);
        if (state.config) PG.controls.set(state.config);   // put the control back
      }
    };
  }
  $("play").addEventListener("click", () => {
    setPlaying(!state.playing);
    send({type: state.playing ? "play" : "pause"});
    $("status").textContent = state.playing ? "training" : "paused";
  });
  $("step").addEventListener("click", () => { setPlaying(false); send({type: "step"}); });
  $("reset").addEventListener("click", () => { setPlaying(false); send({type: "reset"}); });
  $("stepthrough").addEventListener("click", () => { setPlaying(false); send({type: "stepthrough"}); });
  $("closestep").addEventListener("click", () => { $("steppanel").hidden = true; });
  $("save").addEventListener("click", () => { $("saved").textContent = "saving…"; send({type: "save"}); });
  document.querySelectorAll("#linkmode input").forEach(el => el.addEventListener("change", () => {
    const n = views.neurons; if (n && n.setLinks) n.setLinks(el.value);
  }));
  document.addEventListener("keydown", e => {
    if (e.code === "Space" && e.target === document.body) { e.preventDefault(); $("play").click(); }
  });
  window.addEventListener("resize", draw);
  PG.send = send;
  connect();
})();
