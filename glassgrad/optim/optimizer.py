"""``Optimizer``: everything an optimization algorithm shares, behind PyTorch's public API.

The base owns the parameter groups and their defaults, the per-parameter ``state``, ``zero_grad``, the step
driver (closure, hooks, which parameters have gradients, see _flat.py) and ``state_dict`` /
``load_state_dict`` in PyTorch's format. An algorithm file (sgd.py, adam.py, ...) holds only three things:
the checks on its options (``_check_options``), the state a parameter starts with (``_init_state``) and one
update of NumPy arrays in place (``_update``).

>>> import glassgrad as gg
>>> w = gg.tensor([1.0, -2.0], requires_grad=True)
>>> opt = gg.optim.SGD([w], lr=0.5)
>>> (w * w).sum().backward()
>>> opt.step()
>>> w
tensor([0., 0.], requires_grad=True)
"""
from __future__ import annotations

import copy
from collections import OrderedDict
from itertools import chain

import numpy as np

from ..autograd import enable_grad
from ..tensor import RemovableHandle, Tensor
from ._flat import Plan

_global_pre_hooks: OrderedDict = OrderedDict()
_global_post_hooks: OrderedDict = OrderedDict()


def register_optimizer_step_pre_hook(hook) -> RemovableHandle:
    """Call ``hook(optimizer, args, kwargs)`` before every optimizer's ``step`` (PyTorch's global hook)."""
    handle = RemovableHandle(_global_pre_hooks)
    _global_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook) -> RemovableHandle:
    """Call ``hook(optimizer, args, kwargs)`` after every optimizer's ``step``."""
    handle = RemovableHandle(_global_post_hooks)
    _global_post_hooks[handle.id] = hook
    return handle


class _ParamState(dict):
    """One parameter's state. Edits through it tell the optimizer to re-plan its flat buffers."""

    __slots__ = ("_owner",)

    def __init__(self, owner: "_State", *args):
        super().__init__(*args)
        self._owner = owner

    def _edited(self):
        self._owner.version += 1

    def __setitem__(self, key, value):
        self._edited()
        super().__setitem__(key, value)

    def __delitem__(self, key):
        self._edited()
        super().__delitem__(key)

    def __ior__(self, other):
        self._edited()
        return super().__ior__(other)

    def __reduce__(self):  # pickles and deep-copies as the plain dict it looks like
        return (dict, (dict(self),))

    def _mutator(name):
        method = getattr(dict, name)

        def edit(self, *args, **kwargs):
            self._edited()
            return method(self, *args, **kwargs)
        edit.__name__ = name
        return edit

    update = _mutator("update")
    setdefault = _mutator("setdefault")
    pop = _mutator("pop")
    popitem = _mutator("popitem")
    clear = _mutator("clear")
    del _mutator


class _State(dict):
    """``optimizer.state``: parameter -> its state dict, created empty on first access (a defaultdict)."""

    def __init__(self, *args):
        super().__init__()
        self.version = 0
        for key, value in dict(*args).items():
            self[key] = value

    def __missing__(self, key):
        value = _ParamState(self)
        dict.__setitem__(self, key, value)
        self.version += 1
        return value

    def __setitem__(self, key, value):
        if isinstance(value, dict) and not (isinstance(value, _ParamState) and value._owner is self):
            value = _ParamState(self, value)
        self.version += 1
        super().__setitem__(key, value)

    def __delitem__(self, key):
        self.version += 1
        super().__delitem__(key)

    def __reduce__(self):
        return (dict, (dict(self),))

    def pop(self, *args):
        self.version += 1
        return super().pop(*args)

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self):
        self.version += 1
        super().clear()


class Optimizer:
    """Base class of all optimizers: ``Optimizer(params, defaults)``.

    ``params`` is an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts (parameter groups) whose
    ``'params'`` entry holds the tensors and whose other entries override ``defaults`` for that group.
    """

    _has_step = True  # keeps a per-parameter state['step'] (a float32 0-d tensor, as PyTorch does)

    def __init__(self, params, defaults: dict):
        self._check_options(defaults)
        self.defaults = defaults
        self._step_pre_hooks: OrderedDict = OrderedDict()
        self._step_post_hooks: OrderedDict = OrderedDict()
        self._plans: dict = {}
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or "
                            f"dicts, but got {_typename(params)}")
        self.state = _State()
        self.param_groups: list = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __getstate__(self) -> dict:  # pickling and deep copies carry what PyTorch's do
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._step_pre_hooks, self._step_post_hooks, self._plans = OrderedDict(), OrderedDict(), {}

    # ---- what an algorithm provides ---------------------------------------------------------------
    def _check_options(self, options: dict) -> None:
        """Raise ValueError for a bad option (constructor defaults and every group's overrides)."""
        _check_flags(type(self).__name__, options)

    def _init_state(self, group: dict, param: np.ndarray) -> dict:
        """The state arrays a parameter starts with, besides 'step' (the base adds it)."""
        return {}

    def _update(self, group: dict, param: np.ndarray, grad: np.ndarray, state: dict, step) -> None:
        """Update ``param`` (and the arrays in ``state``) in place from ``grad``; ``step`` counts from 1.

        The arrays are one parameter's, or several small parameters' laid end to end: elementwise only.
        ``grad`` must not be written to. New state arrays may be added to ``state`` (SGD's momentum).
        """
        raise NotImplementedError

    # ---- parameter groups -------------------------------------------------------------------------
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters (``{'params': [...], 'lr': ...}``); unset options take ``defaults``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {_typename(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs. Please use a list "
                            "instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names and len(names) != len(params):
            raise ValueError("all optimizer params should be with/without names. Some param names are "
                             "missing")
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                f"{_typename(p)}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
            if p.data.dtype.kind != "f":
                raise TypeError(f"optimizer can only optimize floating-point Tensors, but one of the params "
                                f"has dtype {p.data.dtype}")
        if len({id(p) for p in params}) != len(params):
            raise ValueError("optimizer contains a parameter group with duplicate parameters")
        group = {**self.defaults, **param_group, "params": params}
        if names:
            group["param_names"] = names
        self._check_options(group)
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        for g in self.param_groups:
            if ("param_names" in g) != ("param_names" in group):
                which = "with names" if "param_names" in group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if any(id(p) in taken for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        param_group.update(group)  # the caller's dict becomes the group, as in PyTorch
        self.param_groups.append(param_group)

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {key}: {group[key]}\n" for key in sorted(group) if key != "params")
        return text + ")"

    # ---- stepping ---------------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad``: to None (the default), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    grad = p.grad
                    grad.grad_fn, grad.requires_grad = None, False
                    if grad.data.flags.writeable:
                        grad.data[...] = 0
                    else:
                        grad.data = np.zeros_like(grad.data)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; ``closure`` re-evaluates the loss first."""
        args, kwargs = ((closure,) if closure is not None else ()), {}
        for hook in chain(_global_pre_hooks.values(), self._step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                args, kwargs = result
        closure = (args[0] if args else kwargs.get("closure"))
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        if type(self.state) is not _State:  # someone assigned a plain dict: track its edits again
            self.state = _State(self.state)
        with np.errstate(all="ignore"):  # NaN and inf go through silently, as in PyTorch
            for group in self.param_groups:
                plan = self._plans.get(id(group))
                if plan is None or not plan.valid(self, group):
                    plan = self._plans[id(group)] = Plan(self, group)
                if not plan.run(self._update, group):  # a gradient vanished since the plan was made
                    plan = self._plans[id(group)] = Plan(self, group)
                    plan.run(self._update, group)
        self._opt_called = True  # lets a scheduler warn about being stepped before its optimizer
        for hook in chain(self._step_post_hooks.values(), _global_post_hooks.values()):
            hook(self, args, kwargs)
        return loss

    def _fresh_state(self, group: dict, p: Tensor, state: dict) -> None:
        if self._has_step:
            state["step"] = Tensor(np.zeros((), dtype=np.float32))
        for key, array in self._init_state(group, p.data).items():
            state[key] = Tensor(array)

    def register_step_pre_hook(self, hook) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs before ``step``; it may return new ``(args, kwargs)``."""
        handle = RemovableHandle(self._step_pre_hooks)
        self._step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook) -> RemovableHandle:
        """``hook(optimizer, args, kwargs)`` runs after ``step``."""
        handle = RemovableHandle(self._step_post_hooks)
        self._step_post_hooks[handle.id] = hook
        return handle

    # ---- saving and loading -----------------------------------------------------------------------
    def state_dict(self) -> dict:
        """PyTorch's format: ``{'state': {index: {...}}, 'param_groups': [{..., 'params': [index, ...]}]}``.

        Parameters are numbered in group order; the state tensors are the live ones (not copies).
        """
        index: dict = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): dict(v) for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Load what ``state_dict()`` returned (ours or PyTorch's); a mismatch raises and changes nothing."""
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            raise ValueError("an optimizer state dict needs the keys 'state' and 'param_groups'")
        saved_groups = copy.deepcopy(list(state_dict["param_groups"]))
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map, group_of = {}, {}
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            for name, default in self.defaults.items():
                saved.setdefault(name, default)
        for saved_group, saved in zip(state_dict["param_groups"], saved_groups):
            for index, p in zip(saved_group["params"], saved["params"]):
                id_map[index] = p
                group_of[index] = saved
        state = _State()
        for key, value in state_dict["state"].items():
            if key in id_map:
                state[id_map[key]] = self._loaded_state(key, id_map[key], group_of[key], value)
            else:
                state[key] = value
        self.state = state
        self.param_groups = saved_groups
        self._plans = {}

    def _loaded_state(self, index, p: Tensor, group: dict, saved: dict) -> dict:
        """Copies of one parameter's saved state, cast to its dtype, checked against what the update needs."""
        out = {}
        for key, value in saved.items():
            if key == "step" and self._has_step:
                out[key] = Tensor(np.asarray(_array(value), dtype=np.float32).reshape(()).copy())
                continue
            if not (isinstance(value, (Tensor, np.ndarray)) or hasattr(value, "__array__")):
                out[key] = copy.deepcopy(value)  # numbers and other plain values, as they are
                continue
            array = np.asarray(_array(value)).copy()  # asarray: torch tensors' __array__ takes no copy=
            if array.dtype.kind == "f":
                array = array.astype(p.data.dtype, copy=False)
            if array.ndim and array.shape != p.data.shape:
                raise ValueError(f"loaded state dict has state[{key!r}] of shape {array.shape} for parameter "
                                 f"{index}, whose shape is {p.data.shape}")
            out[key] = Tensor(array)
        needed = set(self._init_state(group, np.empty(0, p.data.dtype)))
        if self._has_step:
            needed.add("step")
        missing = sorted(needed - out.keys())
        if out and missing:
            raise ValueError(f"loaded state dict lacks {missing} in the state of parameter {index}, which "
                             f"{type(self).__name__} needs (is it another optimizer's state?)")
        return out


def _array(value):
    return value.data if isinstance(value, Tensor) else value


def _typename(obj) -> str:
    if isinstance(obj, Tensor):
        return "glassgrad.Tensor"
    return type(obj).__qualname__ if type(obj).__module__ == "builtins" else \
        f"{type(obj).__module__}.{type(obj).__qualname__}"


def _check_flags(name: str, options: dict) -> None:
    """PyTorch's implementation switches. glassgrad honours foreach and fused (its flat update is both);
    capturable (CUDA graphs) and differentiable (autograd through the step) it cannot."""
    if options.get("capturable"):
        raise RuntimeError(f"{name}: capturable=True is for CUDA graph capture; glassgrad runs on the CPU "
                           "and cannot honour it")
    if options.get("differentiable"):
        raise RuntimeError(f"{name}: differentiable=True (autograd through the optimizer step) is not "
                           "supported by glassgrad")
    if options.get("fused") and options.get("foreach"):
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
