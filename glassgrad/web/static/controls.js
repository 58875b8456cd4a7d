// The playground's controls, built from the schema the server sends in its hello message. Each change
// sends {"type": "config", "config": {field: value}}; the server checks it and answers with a frame (or
// an error naming the field). The controls never decide what is valid: the server does.
window.PG = window.PG || {};
PG.controls = (function () {
  const labels = {
    dataset: "Data set", noise: "Noise", test_fraction: "Test share", batch_size: "Batch size",
    samples: "Points", layers: "Hidden layers", neurons: "Neurons per layer", activation: "Activation",
    loss: "Loss", optimizer: "Optimizer", lr: "Learning rate", weight_decay: "Weight decay",
    schedule: "Schedule", total_steps: "Schedule length (steps)", steps_per_frame: "Steps per frame",
  };
  const names = {
    cross_entropy: "cross-entropy", mse: "MSE", mae: "MAE", huber: "Huber", sgd: "SGD",
    momentum: "SGD + momentum", adam: "Adam", adamw: "AdamW", constant: "constant", step: "step decay",
    cosine: "cosine", warmup_cosine: "warm-up then cosine", sine: "noisy sine (regression)",
    leaky_relu: "leaky ReLU", relu: "ReLU", gelu: "GELU",
  };
  const groups = {
    "data-controls": ["dataset", "noise", "test_fraction", "batch_size"],
    "network-controls": ["layers", "neurons", "activation"],
    "training-controls": ["loss", "optimizer", "lr", "weight_decay", "schedule", "total_steps",
                          "steps_per_frame"],
  };
  let schema = null, send = null, inputs = {}, config = null;

  function field(name, element, outputText) {
    const label = document.createElement("label");
    label.className = "field";
    const head = document.createElement("span");
    head.textContent = labels[name] || name;
    if (outputText !== undefined) {
      const out = document.createElement("output"); out.id = "out-" + name; head.appendChild(out);
    }
    label.appendChild(head); label.appendChild(element);
    element.id = "ctl-" + name; element.name = name;
    return label;
  }
  function select(name, options) {
    const el = document.createElement("select");
    options.forEach(o => { const opt = new Option(names[o] || o, o); el.appendChild(opt); });
    el.addEventListener("change", () => change(name, el.value));
    return field(name, el);
  }
  function number(name, min, max) {
    const el = document.createElement("input");
    el.type = "number"; el.min = min; el.max = max; el.step = 1;
    el.addEventListener("change", () => change(name, Number(el.value)));
    return field(name, el);
  }
  function slider(name, min, max, step, log) {
    const el = document.createElement("input");
    el.type = "range";
    if (log) { el.min = Math.log10(min); el.max = Math.log10(max); el.step = 0.01; }
    else { el.min = min; el.max = max; el.step = step; }
    el.dataset.log = log ? "1" : "";
    const show = () => { document.getElementById("out-" + name).textContent = fmt(value(el)); };
    el.addEventListener("input", show);
    el.addEventListener("change", () => change(name, value(el)));
    return field(name, el, "");
  }
  function value(el) {
    const v = Number(el.value);
    return el.dataset.log ? Number(Math.pow(10, v).toPrecision(2)) : v;
  }
  function fmt(v) { return v === 0 ? "0" : Math.abs(v) < 0.01 ? v.toExponential(1) : String(+v.toPrecision(3)); }

  function change(name, v) {
    if (!config) return;
    let update = {};
    if (name === "layers") {
      const width = config.hidden.length ? config.hidden[0] : 8;
      update.hidden = Array.from({length: v}, () => width);
    } else if (name === "neurons") {
      update.hidden = config.hidden.map(() => v);
    } else update[name] = v;
    send({type: "config", config: update});
  }
  function build(s, sender) {
    schema = s; send = sender;
    const c = schema.config;
    const made = {
      dataset: () => select("dataset", c.dataset.options),
      noise: () => slider("noise", c.noise.min, c.noise.max, 0.01),
      test_fraction: () => slider("test_fraction", c.test_fraction.min, c.test_fraction.max, 0.05),
      batch_size: () => number("batch_size", c.batch_size.min, c.batch_size.max),
      layers: () => number("layers", 0, c.hidden.max_layers),
      neurons: () => number("neurons", 1, c.hidden.max_neurons),
      activation: () => select("activation", c.activation.options),
      loss: () => select("loss", c.loss.options),
      optimizer: () => select("optimizer", c.optimizer.options),
      lr: () => slider("lr", 1e-4, 3, 0, true),
      weight_decay: () => slider("weight_decay", 0, 0.1, 0.001),
      schedule: () => select("schedule", c.schedule.options),
      total_steps: () => number("total_steps", c.total_steps.min, c.total_steps.max),
      steps_per_frame: () => number("steps_per_frame", c.steps_per_frame.min, c.steps_per_frame.max),
    };
    for (const [id, list] of Object.entries(groups)) {
      const box = document.getElementById(id);
      box.innerHTML = "";
      list.forEach(name => { const el = made[name](); box.appendChild(el); inputs[name] = el.querySelector("select, input"); });
    }
  }
  function set(cfg) {
    config = cfg;
    const values = Object.assign({}, cfg, {layers: cfg.hidden.length, neurons: cfg.hidden.length ? cfg.hidden[0] : 8});
    for (const [name, el] of Object.entries(inputs)) {
      const v = values[name];
      if (el.type === "range") {
        el.value = el.dataset.log ? Math.log10(v) : v;
        document.getElementById("out-" + name).textContent = fmt(v);
      } else el.value = v;
    }
    inputs.neurons.disabled = cfg.hidden.length === 0;
    const task = schema.datasets[cfg.dataset].task;   // only the losses that fit the task
    Array.from(inputs.loss.options).forEach(o => { o.hidden = !schema.losses[task].includes(o.value); });
  }
  return {build, set};
})();
