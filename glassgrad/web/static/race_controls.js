// The optimizer race's controls: which optimizers run (2 to 4), each one's learning rate, how many steps.
window.PG = window.PG || {};
PG.race = (function () {
  const defaults = {sgd: 0.3, momentum: 0.05, adam: 0.01, adamw: 0.01};
  const names = {sgd: "SGD", momentum: "SGD + momentum", adam: "Adam", adamw: "AdamW"};
  function build(schema, send) {
    const box = document.getElementById("race-controls");
    box.innerHTML = "";
    schema.race.runners.options.forEach(name => {
      const label = document.createElement("label");
      label.innerHTML = `<input type="checkbox" id="race-${name}" checked> ${names[name] || name}, lr ` +
        `<input type="number" id="race-lr-${name}" min="0.00001" max="10" step="any" value="${defaults[name] || 0.01}">`;
      box.appendChild(label);
    });
    const steps = document.createElement("label");
    steps.innerHTML = `steps <input type="number" id="race-steps" min="${schema.race.steps.min}" ` +
      `max="${schema.race.steps.max}" value="300">`;
    box.appendChild(steps);
    const go = document.createElement("button");
    go.id = "race-start"; go.textContent = "Start race";
    go.title = "the current data and network, trained from the same initial weights by each optimizer";
    go.addEventListener("click", () => {
      const runners = schema.race.runners.options
        .filter(n => document.getElementById("race-" + n).checked)
        .map(n => ({optimizer: n, lr: Number(document.getElementById("race-lr-" + n).value)}));
      send({type: "race", runners, steps: Number(document.getElementById("race-steps").value)});
    });
    box.appendChild(go);
  }
  return {build};
})();
