"""The playground's WebSocket protocol: every message the browser may send, checked field by field.

A message is a JSON object with a ``type``. Anything else -- text that is not JSON, an unknown type or
field, a value of the wrong kind or out of range -- raises :class:`MessageError` naming the field, which
the session answers with ``{"type": "error", "field": ..., "message": ...}`` and then carries on.

>>> parse('{"type": "config", "config": {"lr": 0.1, "hidden": [8, 8]}}')
{'type': 'config', 'config': {'lr': 0.1, 'hidden': [8, 8]}}
>>> parse('{"type": "config", "config": {"hidden": [8, 100]}}')
Traceback (most recent call last):
    ...
glassgrad.web.schema.MessageError: config.hidden[1]: must be an integer from 1 to 64, got 100
"""
from __future__ import annotations

import json
import math

MAX_MESSAGE_CHARS = 16_384
MAX_LAYERS = 8
MAX_NEURONS = 64

# The toy data sets (glassgrad.data.toy), their task and the noise each looks right with.
DATASETS = {"spiral": ("classification", 0.05), "moons": ("classification", 0.1),
            "circles": ("classification", 0.05), "xor": ("classification", 0.1),
            "blobs": ("classification", 0.5), "sine": ("regression", 0.1)}
LOSSES = {"classification": ("cross_entropy", "mse", "mae"), "regression": ("mse", "mae", "huber")}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu", "leaky_relu", "linear")
OPTIMIZERS = ("sgd", "momentum", "adam", "adamw")
SCHEDULES = ("constant", "step", "cosine", "warmup_cosine")


class MessageError(ValueError):
    """A message the playground will not act on; ``field`` is the dotted path of the culprit (or None)."""

    def __init__(self, field: str | None, message: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.field, self.reason = field, message


# ---- field kinds: each checks one value and returns it normalised ------------------------------------
class Int:
    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def __call__(self, field: str, value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not self.low <= value <= self.high:
            raise MessageError(field, f"must be an integer from {self.low} to {self.high}, got {value!r}")
        return value

    def describe(self) -> dict:
        return {"kind": "int", "min": self.low, "max": self.high}


class Float:
    def __init__(self, low: float, high: float):
        self.low, self.high = low, high

    def __call__(self, field: str, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise MessageError(field, f"must be a finite number, got {value!r}")
        if not self.low <= value <= self.high:
            raise MessageError(field, f"must be between {self.low:g} and {self.high:g}, got {value!r}")
        return float(value)

    def describe(self) -> dict:
        return {"kind": "float", "min": self.low, "max": self.high}


class Choice:
    def __init__(self, options):
        self.options = tuple(options)

    def __call__(self, field: str, value):
        if not isinstance(value, str) or value not in self.options:
            raise MessageError(field, f"must be one of {', '.join(self.options)}; got {value!r}")
        return value

    def describe(self) -> dict:
        return {"kind": "choice", "options": list(self.options)}


class Layers:
    """The hidden layers: a list of at most MAX_LAYERS widths, each 1..MAX_NEURONS."""

    def __call__(self, field: str, value):
        if not isinstance(value, list):
            raise MessageError(field, f"must be a list of layer widths, got {type(value).__name__}")
        if len(value) > MAX_LAYERS:
            raise MessageError(field, f"at most {MAX_LAYERS} hidden layers, got {len(value)}")
        width = Int(1, MAX_NEURONS)
        return [width(f"{field}[{i}]", v) for i, v in enumerate(value)]

    def describe(self) -> dict:
        return {"kind": "layers", "max_layers": MAX_LAYERS, "max_neurons": MAX_NEURONS}


CONFIG_FIELDS = {
    "dataset": Choice(DATASETS), "noise": Float(0.0, 1.0), "samples": Int(50, 2000),
    "test_fraction": Float(0.05, 0.9), "batch_size": Int(1, 1024),
    "hidden": Layers(), "activation": Choice(ACTIVATIONS),
    "loss": Choice(("cross_entropy", "mse", "mae", "huber")),
    "optimizer": Choice(OPTIMIZERS), "lr": Float(1e-5, 10.0), "weight_decay": Float(0.0, 1.0),
    "schedule": Choice(SCHEDULES), "total_steps": Int(10, 100_000), "steps_per_frame": Int(1, 200),
    "seed": Int(0, 2**31 - 1),
}
DEFAULT_CONFIG = {
    "dataset": "spiral", "noise": 0.05, "samples": 400, "test_fraction": 0.25, "batch_size": 32,
    "hidden": [16, 16], "activation": "tanh", "loss": "cross_entropy",
    "optimizer": "adam", "lr": 0.02, "weight_decay": 0.0, "schedule": "constant", "total_steps": 3000,
    "steps_per_frame": 10, "seed": 0,
}
# Changing these rebuilds the data and the network (training restarts); the others apply on the fly.
REBUILD_FIELDS = frozenset({"dataset", "noise", "samples", "test_fraction", "hidden", "activation",
                            "loss", "optimizer", "seed"})

RUNNER_FIELDS = {"optimizer": Choice(OPTIMIZERS), "lr": Float(1e-5, 10.0), "weight_decay": Float(0.0, 1.0)}
RUNNER_REQUIRED = ("optimizer", "lr")
MESSAGES = {  # type -> {field: checker}; "config" and "runners" are nested and checked below
    "config": {"config": None},
    "play": {}, "pause": {}, "reset": {}, "step": {}, "save": {},
    "stepthrough": {"sample": Int(0, 1023)},
    "race": {"runners": None, "steps": Int(10, 2000)},
    "ack": {"frame": Int(0, 2**53)},
}
REQUIRED = {"config": ("config",), "ack": ("frame",), "race": ("runners",)}


def _object(field: str, value) -> dict:
    if not isinstance(value, dict):
        raise MessageError(field, f"must be a JSON object, got {type(value).__name__}")
    return value


def _fields(prefix: str, value: dict, spec: dict) -> dict:
    out = {}
    for key, item in value.items():
        if key not in spec:
            raise MessageError(prefix + key, f"unknown field; expected one of {', '.join(spec)}")
        out[key] = spec[key](prefix + key, item)
    return out


def check_config(config, field: str = "config") -> dict:
    """A partial configuration, each field checked (cross-field rules: see :func:`merge_config`)."""
    return _fields(field + ".", _object(field, config), CONFIG_FIELDS)


def check_runners(runners) -> list[dict]:
    if not isinstance(runners, list) or not 2 <= len(runners) <= 4:
        raise MessageError("runners", f"must be a list of 2 to 4 optimizers, got {runners!r}"[:200])
    out = []
    for i, runner in enumerate(runners):
        runner = _fields(f"runners[{i}].", _object(f"runners[{i}]", runner), RUNNER_FIELDS)
        for key in RUNNER_REQUIRED:
            if key not in runner:
                raise MessageError(f"runners[{i}].{key}", "is required")
        out.append(runner)
    return out


def parse(text) -> dict:
    """One message from the browser, checked; raises :class:`MessageError` naming the field at fault."""
    if not isinstance(text, str):
        raise MessageError(None, "messages must be JSON text, not binary")
    if len(text) > MAX_MESSAGE_CHARS:
        raise MessageError(None, f"message too long ({len(text)} characters; at most {MAX_MESSAGE_CHARS})")
    try:
        message = json.loads(text, parse_constant=_no_constant)
    except (json.JSONDecodeError, RecursionError) as err:
        raise MessageError(None, f"not valid JSON: {err}"[:200]) from None
    message = _object("message", message)
    kind = message.get("type")
    if kind not in MESSAGES:
        raise MessageError("type", f"must be one of {', '.join(MESSAGES)}; got {kind!r}"[:200])
    spec = MESSAGES[kind]
    out = {"type": kind}
    for key, value in message.items():
        if key == "type":
            continue
        if key not in spec:
            raise MessageError(key, f"unknown field for a {kind!r} message")
        if key == "config":
            out[key] = check_config(value)
        elif key == "runners":
            out[key] = check_runners(value)
        else:
            out[key] = spec[key](key, value)
    for key in REQUIRED.get(kind, ()):
        if key not in out:
            raise MessageError(key, f"is required in a {kind!r} message")
    return out


def _no_constant(name: str):
    raise MessageError(None, f"not valid JSON: {name} is not a number JSON allows")


def task_of(dataset: str) -> str:
    return DATASETS[dataset][0]


def merge_config(current: dict, update: dict) -> dict:
    """``current`` with a checked partial ``update`` applied, cross-field rules enforced.

    A new data set brings its own noise unless the update sets one, and a loss that does not fit the new
    task is replaced by the task's first; a loss the update names itself must fit, or the field is named.

    >>> merge_config(DEFAULT_CONFIG, {"dataset": "sine"})["loss"]
    'mse'
    """
    merged = dict(current, **update)
    if "dataset" in update and update["dataset"] != current["dataset"]:
        if "noise" not in update:
            merged["noise"] = DATASETS[merged["dataset"]][1]
    allowed = LOSSES[task_of(merged["dataset"])]
    if merged["loss"] not in allowed:
        if "loss" in update:
            raise MessageError("config.loss", f"{merged['loss']!r} does not fit the {merged['dataset']} data "
                                              f"({task_of(merged['dataset'])}): choose {', '.join(allowed)}")
        merged["loss"] = allowed[0]
    return merged


def describe() -> dict:
    """The schema as plain data, for the page to build its controls from (sent in the hello message)."""
    return {"config": {k: v.describe() for k, v in CONFIG_FIELDS.items()}, "defaults": DEFAULT_CONFIG,
            "datasets": {k: {"task": t, "noise": n} for k, (t, n) in DATASETS.items()},
            "losses": {k: list(v) for k, v in LOSSES.items()},
            "race": {"runners": RUNNER_FIELDS["optimizer"].describe(), "steps": MESSAGES["race"]["steps"]
                     .describe()}}
