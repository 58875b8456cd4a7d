"""What went wrong (or right) in a recorded run, in words a newcomer understands.

Each check reads the run's scalars and snapshots and returns :class:`Finding` s: dead ReLUs, vanishing or
exploding gradients, updates too small or too large for the weights, a loss that diverged or never fell.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

# Healthy update/weight ratios: about 1e-3 per step is the classic rule of thumb (Karpathy, CS231n).
UPDATE_RATIO_LOW, UPDATE_RATIO_HIGH = 1e-5, 1e-1
DEAD_FRACTION = 0.5
VANISHING_RATIO, EXPLODING_NORM = 1e-3, 1e3


@dataclass
class Finding:
    severity: str   # "ok", "warning" or "problem"
    check: str      # which check: "loss", "dead_relu", "gradients", "updates"
    message: str
    hint: str = ""

    def to_dict(self) -> dict:
        return {"severity": self.severity, "check": self.check, "message": self.message, "hint": self.hint}


def _lr_text(run) -> str:
    lr = run.scalars["lr"]
    return f"{lr[-1, 0]:.3g}" if lr.size else "unknown"


def check_loss(run) -> list[Finding]:
    loss = run.scalars["loss"]
    steps = run.scalars["step"]
    known = np.isfinite(loss)
    if not known.any():
        if loss.size and np.isinf(loss).any():
            known = np.isinf(loss)
        else:
            return [Finding("warning", "loss", "no loss was recorded (backward was never called on a scalar)")]
    first = int(np.argmax(known))
    bad = ~np.isfinite(loss[first:])  # NaN or Inf after the loss was first known
    if bad.any():
        at = first + int(np.argmax(bad))
        return [Finding("problem", "loss", f"the loss diverged: it became {loss[at]} at step {int(steps[at])}",
                        f"the learning rate ({_lr_text(run)}) is the likely cause: try it 3-10x smaller, or "
                        "clip gradients; detect_anomaly() names the op that made the first NaN")]
    finite = loss[np.isfinite(loss)]
    window = max(1, finite.size // 10)
    start, end = float(finite[0]), float(np.mean(finite[-window:]))
    peak = int(np.argmax(finite))
    if end > start * 1.5:
        return [Finding("problem", "loss", f"the loss is diverging: from {start:.4g} at the first step to "
                        f"{end:.4g} at the end (peak {finite[peak]:.4g})",
                        f"the learning rate ({_lr_text(run)}) is probably too high: try it 3-10x smaller")]
    if finite[peak] > start * 10:
        return [Finding("warning", "loss", f"the loss spiked to {finite[peak]:.4g} (from {start:.4g}) at step "
                        f"{int(steps[np.isfinite(loss)][peak])} before coming down to {end:.4g}",
                        f"a learning rate ({_lr_text(run)}) this high makes training unstable: try it "
                        "smaller, or warm it up")]
    if end > start * 0.95:
        return [Finding("warning", "loss", f"the loss barely moved: {start:.4g} → {end:.4g}",
                        "train longer, raise the learning rate, or check that the data and labels match")]
    return [Finding("ok", "loss", f"the loss fell from {start:.4g} to {end:.4g}")]


def check_dead_relus(run) -> list[Finding]:
    steps = run.snapshot_steps
    if not steps:
        return []
    last = run.snapshot(steps[-1]).meta.get("activation_ops", [])
    findings = []
    for index, stats in enumerate(last):
        dead = stats.get("dead_fraction")
        if dead is None:
            continue
        where = f"{stats.get('module') or 'model'} ({stats['op']} #{index + 1})"
        if dead >= DEAD_FRACTION:
            findings.append(Finding("problem", "dead_relu", f"{where}: {dead:.0%} of its units are dead "
                                    "(never positive on the probe batch, so they pass no gradient)",
                                    f"a learning rate ({_lr_text(run)}) too high often kills ReLUs; try "
                                    "it smaller, LeakyReLU/GELU, or check the initialisation"))
        elif dead > 0.1:
            findings.append(Finding("warning", "dead_relu", f"{where}: {dead:.0%} of its units are dead"))
    if not findings and any(s.get("dead_fraction") is not None for s in last):
        findings.append(Finding("ok", "dead_relu", "no layer has many dead ReLU units"))
    for stats in last:
        saturated = stats.get("saturated_fraction")
        if saturated is not None and saturated >= DEAD_FRACTION:
            findings.append(Finding("warning", "saturation", f"{stats.get('module') or 'model'} "
                                    f"({stats['op']}): {saturated:.0%} of its units are saturated "
                                    "(their gradient is nearly zero)",
                                    "normalise the inputs, scale the initial weights down, or use ReLU/GELU"))
    return findings


def _weight_columns(run) -> list[int]:
    """Parameters that are matrices or filters (weights, not biases or norm scales), in model order."""
    params = run.manifest["model"]["parameters"]
    return [i for i, p in enumerate(params) if len(p["shape"]) >= 2]


def _late_median(values: np.ndarray) -> np.ndarray:
    """Per column, the median over the last tenth of the steps: where training ended up (NaN for a
    column with no finite value, e.g. after divergence)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "All-NaN slice": NaN is the answer
        return np.nanmedian(values[-max(1, len(values) // 10):], axis=0)


def check_gradients(run) -> list[Finding]:
    norms = run.scalars["grad_norms"]
    total = run.scalars["grad_norm"]
    if norms.size == 0:
        return []
    names = run.param_names
    median = _late_median(norms)
    findings = []
    peak = float(np.nanmax(total)) if np.isfinite(total).any() else float("inf")
    if peak > EXPLODING_NORM:
        step = int(run.scalars["step"][np.nanargmax(np.where(np.isfinite(total), total, np.inf))])
        findings.append(Finding("problem", "gradients", f"exploding gradients: the gradient norm reached "
                                f"{peak:.3g} (step {step})",
                                "clip gradients (clip_grad_norm_), lower the learning rate, or add "
                                "normalisation layers"))
    columns = _weight_columns(run)
    if len(columns) >= 2:
        first, last = median[columns[0]], median[columns[-1]]
        if last > 0 and first / last < VANISHING_RATIO:
            findings.append(Finding("problem", "gradients", f"vanishing gradients: the first layer "
                                    f"({names[columns[0]]}) gets {first / last:.1e} times the gradient of the "
                                    f"last ({names[columns[-1]]})",
                                    "use ReLU/GELU instead of sigmoid/tanh, residual connections, "
                                    "normalisation, or a better initialisation"))
    zero = [names[i] for i in columns if median[i] == 0]
    if zero:
        findings.append(Finding("problem", "gradients", "no gradient reaches " + ", ".join(zero),
                                "these weights are not used by the loss, or dead units block them"))
    if not findings:
        findings.append(Finding("ok", "gradients", "gradients flow to every layer, neither vanishing "
                                "nor exploding"))
    return findings


def check_updates(run) -> list[Finding]:
    ratios = run.scalars["update_ratios"]
    if ratios.size == 0:
        return []
    names = run.param_names
    median = _late_median(ratios)
    findings = []
    for i in _weight_columns(run) or range(len(names)):
        r = median[i]
        if not np.isfinite(r) or r == 0:
            continue
        if r < UPDATE_RATIO_LOW:
            findings.append(Finding("warning", "updates", f"{names[i]}: each step changes the weights by "
                                    f"only {r:.1e} of their size (healthy: about 1e-3)",
                                    "this layer learns very slowly: raise the learning rate"))
        elif r > UPDATE_RATIO_HIGH:
            findings.append(Finding("problem", "updates", f"{names[i]}: each step changes the weights by "
                                    f"{r:.1e} of their size (healthy: about 1e-3)",
                                    "steps this large overshoot: lower the learning rate"))
    if not findings:
        findings.append(Finding("ok", "updates", "update/weight ratios are in the healthy band "
                                f"({UPDATE_RATIO_LOW:g} to {UPDATE_RATIO_HIGH:g})"))
    return findings


def diagnose(run) -> list[Finding]:
    """Every check on ``run``, problems first."""
    findings = check_loss(run) + check_gradients(run) + check_updates(run) + check_dead_relus(run)
    order = {"problem": 0, "warning": 1, "ok": 2}
    return sorted(findings, key=lambda f: order[f.severity])


def report(run) -> str:
    """A short plain-text report: what was trained, how the loss went, and each finding."""
    m = run.manifest
    model = m["model"]
    status = run.status if run.status != "running" else \
        "still running, or stopped without closing (killed?): showing what it flushed"
    lines = [f"run {run.path} ({status})",
             f"  model: {model['class']} with {model['parameter_count']:,} parameters",
             f"  optimizer: {(m.get('optimizer') or {}).get('class', 'unknown')}, "
             f"{len(run.scalars['step'])} steps, {len(run.snapshot_steps)} snapshots"]
    if m.get("error"):
        lines.append(f"  stopped by: {m['error']}")
    marks = {"problem": "✗", "warning": "!", "ok": "✓"}
    for finding in diagnose(run):
        lines.append(f"{marks[finding.severity]} {finding.message}")
        if finding.hint and finding.severity != "ok":
            lines.append(f"    → {finding.hint}")
    return "\n".join(lines)
