"""``Module``: the base of every layer, with PyTorch's registration, traversal, modes, hooks and repr.

Assigning a ``Parameter``, a ``Module`` or (to a registered name) a buffer to an attribute registers it;
``named_parameters`` / ``named_modules`` walk the tree in PyTorch's order and with its deduplication, so
``state_dict`` keys and optimizer parameter order are the same as PyTorch's for the same architecture.
"""
from __future__ import annotations

from collections import OrderedDict

from .. import backend
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from . import hooks as _hooks
from . import state as _state
from . import summary as _summary
from .parameter import Parameter, module_to_dtype


def _typename(value) -> str:
    if isinstance(value, Tensor):
        return f"glassgrad.{type(value).__name__}"
    return type(value).__name__


def _check_name(kind: str, name) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got: {name}')


class Module:
    """Base class for all layers and models.

    >>> import glassgrad as gg
    >>> class MLP(gg.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = gg.nn.Linear(2, 4)
    ...         self.out = gg.nn.Linear(4, 1)
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).relu())
    >>> model = MLP()
    >>> [name for name, _ in model.named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    >>> model(gg.zeros(3, 2)).shape
    (3, 1)
    """

    _version = 1  # stored in state_dict metadata; bumped by layers whose state_dict layout changed
    training: bool

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments: {args} "
                            f"{kwargs}")
        # Straight into __dict__: __setattr__ needs these stores to exist.
        self.__dict__.update(
            training=True, _parameters={}, _buffers={}, _non_persistent_buffers_set=set(), _modules={},
            _forward_pre_hooks=OrderedDict(), _forward_pre_hooks_with_kwargs={},
            _forward_hooks=OrderedDict(), _forward_hooks_with_kwargs={}, _forward_hooks_always_called={},
            _backward_hooks=OrderedDict(), _backward_pre_hooks=OrderedDict())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" '
                                  "function")

    def __call__(self, *args, **kwargs):
        # The fast path (no hook anywhere) is one call: tiny models are dominated by this overhead.
        if (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks or _hooks._global_forward_pre_hooks
                or _hooks._global_forward_hooks):
            return _hooks.call_with_hooks(self, args, kwargs)
        return self.forward(*args, **kwargs)

    # ---- registration -----------------------------------------------------------------------
    def __getattr__(self, name: str):
        # Only called when ordinary lookup fails: parameters, buffers and submodules live in dicts.
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            members = d.get(store)
            if members is not None and name in members:
                return members[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep="_parameters")
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(glassgrad.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            if d.get("_modules") is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep="_modules")
            d["_modules"][name] = value
        elif d.get("_modules") is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(glassgrad.nn.Module or None expected)")
            d["_modules"][name] = value
        elif d.get("_buffers") is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                "(glassgrad.Tensor or None expected)")
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: str) -> None:
        """Remove ``name`` from every store but ``keep`` (an attribute changes kind)."""
        d = self.__dict__
        d.pop(name, None)
        for store in ("_parameters", "_buffers", "_modules"):
            if store != keep:
                d[store].pop(name, None)
        if keep != "_buffers":
            d["_non_persistent_buffers_set"].discard(name)

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        if name in d.get("_parameters", ()):
            del d["_parameters"][name]
        elif name in d.get("_buffers", ()):
            del d["_buffers"][name]
            d["_non_persistent_buffers_set"].discard(name)
        elif name in d.get("_modules", ()):
            del d["_modules"][name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or a None placeholder, e.g. a layer built with ``bias=False``)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name("parameter", name)
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(glassgrad.nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters "
                             "must be created explicitly. To express '{name}' as a function of another "
                             "Tensor, compute the value in the forward() method.")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add state that is not a parameter (running statistics); ``persistent`` puts it in the
        state_dict."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name("buffer", name)
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(glassgrad Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: "Module | None") -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        _check_name("module", name)
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> "Module":
        """The submodule at a dotted path (``'encoder.0.attn'``); '' is the module itself."""
        module = self
        for item in target.split(".") if target else ():
            if not isinstance(module, Module) or item not in module._modules:
                raise AttributeError(f"{type(module).__name__} has no attribute `{item}`")
            module = module._modules[item]
        return module

    def get_parameter(self, target: str) -> Parameter:
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._parameters:
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return module._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return module._buffers[name]

    # ---- traversal (PyTorch's order and deduplication) ------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True):
        """Every module in the tree, depth first, each once (by identity) unless told otherwise."""
        if memo is None:
            memo = set()
        stack = [(prefix, self)]  # iterative pre-order: deep models do not recurse
        while stack:
            name, module = stack.pop()
            if module in memo:
                continue
            if remove_duplicate:
                memo.add(module)
            yield name, module
            stack.extend((name + ("." if name else "") + key, child)
                         for key, child in reversed(module._modules.items()) if child is not None)

    def _unique_modules(self):
        """``modules()`` without building names (the path ``parameters()`` takes every step)."""
        seen = set()
        stack = [self]
        while stack:
            module = stack.pop()
            if module in seen:
                continue
            seen.add(module)
            yield module
            stack.extend(child for child in reversed(module._modules.values()) if child is not None)

    def modules(self):
        return self._unique_modules()

    def named_children(self):
        memo = set()
        for name, module in self._modules.items():
            if module is not None and module not in memo:
                memo.add(module)
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, store: str, prefix: str, recurse: bool, remove_duplicate: bool):
        memo = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse
                   else [(prefix, self)])
        for module_prefix, module in modules:
            for name, value in getattr(module, store).items():
                if value is None or id(value) in memo:
                    continue
                if remove_duplicate:
                    memo.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """``(name, Parameter)`` pairs; a parameter shared by two layers comes once, under its first
        name."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True):
        seen = set()
        for module in (self._unique_modules() if recurse else (self,)):
            for param in module._parameters.values():
                if param is not None and id(param) not in seen:
                    seen.add(id(param))
                    yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True):
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    # ---- modes and bulk changes --------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Training mode (dropout active, batch statistics) for this module and all below it."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.zero_()

    def apply(self, fn) -> "Module":
        """Call ``fn`` on every submodule (children first) and then on this module."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def _apply(self, fn) -> "Module":
        """Convert every parameter and buffer with ``fn``; parameters stay the same objects (so an
        optimizer built before ``.double()`` still holds them), as PyTorch does."""
        for module in self.children():
            module._apply(fn)
        with no_grad():
            for param in self._parameters.values():
                if param is None:
                    continue
                new = fn(param)
                if new is not param:
                    param.data = new.data
                    if param.grad is not None:
                        param.grad = fn(param.grad)
            for name, buf in self._buffers.items():
                if buf is not None:
                    self._buffers[name] = fn(buf)
        return self

    def to(self, *args, **kwargs) -> "Module":
        """Cast floating parameters and buffers (``model.to(glassgrad.float64)``); 'cpu' is accepted."""
        dtype = module_to_dtype(args, kwargs)
        if dtype is None:
            return self
        return self._apply(lambda t: t.type(dtype) if t.is_floating_point() else t)

    def float(self) -> "Module":
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self) -> "Module":
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self) -> "Module":
        return self._apply(lambda t: t.type(backend.float16) if t.is_floating_point() else t)

    def type(self, dst_type) -> "Module":
        return self._apply(lambda t: t.type(dst_type))

    def cpu(self) -> "Module":
        return self

    def cuda(self, device=None) -> "Module":
        raise RuntimeError("glassgrad runs on the CPU only")

    # ---- hooks -------------------------------------------------------------------------------
    def register_forward_pre_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False):
        """``hook(module, args)`` (or ``hook(module, args, kwargs)``) before forward; a returned value
        replaces the inputs."""
        flags = (self._forward_pre_hooks_with_kwargs,) if with_kwargs else ()
        return _hooks.add_hook(self._forward_pre_hooks, hook, prepend, flags)

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False):
        """``hook(module, args, output)`` (or ``hook(module, args, kwargs, output)``) after forward; a
        returned value replaces the output."""
        flags = ((self._forward_hooks_with_kwargs,) if with_kwargs else ()) + (
            (self._forward_hooks_always_called,) if always_call else ())
        return _hooks.add_hook(self._forward_hooks, hook, prepend, flags)

    def register_full_backward_hook(self, hook, prepend: bool = False):
        """``hook(module, grad_input, grad_output)`` once the gradients of the module's inputs are
        known; a returned tuple replaces ``grad_input``."""
        return _hooks.add_hook(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(self, hook, prepend: bool = False):
        """``hook(module, grad_output)`` once the gradients of the module's outputs are known; a
        returned tuple replaces ``grad_output``."""
        return _hooks.add_hook(self._backward_pre_hooks, hook, prepend)

    # ---- state dict ----------------------------------------------------------------------
    def state_dict(self, *, destination=None, prefix: str = "", keep_vars: bool = False):
        """Parameters and persistent buffers by dotted name (PyTorch's keys), sharing memory."""
        return _state.state_dict(self, destination, prefix, keep_vars)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy values in by name. Every key and shape is checked before anything is copied, so a
        failed load leaves the model as it was. Returns ``(missing_keys, unexpected_keys)``."""
        return _state.load_state_dict(self, state_dict, strict, assign)

    def _stage_state_dict(self, state_dict, prefix, metadata, staged, missing, unexpected, errors):
        """Check this module's own entries of ``state_dict`` (layers override to adapt old formats)."""
        _state.stage_module(self, state_dict, prefix, staged, missing, unexpected, errors)

    # ---- printing ------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The layer's settings inside its repr's parentheses (``in_features=2, out_features=3``)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def _repr_tree(self) -> str:
        """PyTorch's repr (containers override this to shorten their child lines)."""
        return _summary.repr_tree(self)

    def __repr__(self) -> str:
        # PyTorch's tree, plus a parameter count on the outermost module.
        text = self._repr_tree()
        total = sum(p.numel() for p in self.parameters())
        if not total:
            return text
        trainable = sum(p.numel() for p in self.parameters() if p.requires_grad)
        note = f"  # {total:,} parameters"
        return text + (note if trainable == total else note + f" ({trainable:,} trainable)")

    def summary(self):
        """A table of every submodule with its parameter count and shapes (also a plain data object).

        >>> import glassgrad as gg
        >>> print(gg.nn.Sequential(gg.nn.Linear(2, 3), gg.nn.ReLU()).summary())
        name  type        parameters  shapes
        ----  ----------  ----------  ------------
              Sequential           0
        0     Linear               9  (3, 2), (3,)
        1     ReLU                 0
        total: 9 parameters (9 trainable), 36 bytes
        """
        return _summary.summarize(self)
