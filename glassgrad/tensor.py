"""``Tensor``: an array, its gradient, and the graph node that created it.

Math lives in ``ops/``; each ops module lists the Tensor methods it provides in ``TENSOR_METHODS`` and they
are bound here, so a method call and the module function are one and the same code.
"""
from __future__ import annotations

import weakref

import numpy as np

from . import backend
from .autograd import engine, function, grad_mode

_ndarray = np.ndarray
_grad_state = grad_mode.state


class RemovableHandle:
    """Returned by ``register_hook``; ``.remove()`` takes the hook off."""

    _next_id = 0

    def __init__(self, hooks: dict):
        self.hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        self.hooks.pop(self.id, None)


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    >>> import glassgrad as gg
    >>> x = gg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([[2., 4.],
            [6., 8.]])
    """

    __slots__ = ("data", "requires_grad", "grad", "grad_fn", "_hooks", "__weakref__")
    __array_priority__ = 1000  # ndarray <op> Tensor defers to Tensor's reflected operator

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        if isinstance(data, Tensor):
            data = data.data
        dtype = backend.as_dtype(dtype)
        if isinstance(data, (_ndarray, np.generic)):
            array = np.asarray(data)
            array = array if dtype is None or array.dtype == dtype else array.astype(dtype)
        else:
            array = np.asarray(data)
            array = array.astype(dtype or backend.infer_dtype(array), copy=False)
        self.data = array
        self.grad = None
        self.grad_fn = None
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ---- what it is -------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def device(self) -> str:
        return "cpu"

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    def size(self, dim: int | None = None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return self.data.size

    def element_size(self) -> int:
        return self.data.itemsize

    # ---- leaving the graph ------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied, as in PyTorch)."""
        return self.data

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def item(self):
        if self.data.size != 1:
            raise RuntimeError(f"a Tensor with {self.data.size} elements cannot be converted to Scalar")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def detach(self) -> "Tensor":
        """The same data, cut off from the graph."""
        return _new_tensor(self.data, False)

    def detach_(self) -> "Tensor":
        self.grad_fn = None
        self.requires_grad = False
        return self

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self.data.size} values is ambiguous")
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.data.item())

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4,
                               floatmode="maxprec_equal" if self.data.dtype.kind == "f" else "maxprec")
        extras = []
        if self.data.dtype not in (backend.float32, backend.int64, backend.bool_):
            extras.append(f"dtype=glassgrad.{self.data.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # ---- autograd ---------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if requires_grad and self.data.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients "
                               f"(this one is {self.data.dtype})")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want "
                               "to use a computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach().")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn.retained = weakref.ref(self)

    def register_hook(self, hook) -> RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            if self.grad_fn.hooks is None:
                self.grad_fn.hooks = {}
            hooks = self.grad_fn.hooks
        else:
            if self._hooks is None:
                self._hooks = {}
            hooks = self._hooks
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def backward(self, gradient=None, retain_graph: bool | None = None, create_graph: bool = False,
                 inputs=None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``."""
        if create_graph:
            raise NotImplementedError("glassgrad does not build graphs of gradients (create_graph=True)")
        if not self.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        grads = _root_grads([self], None if gradient is None else [gradient])
        if inputs is not None:
            _backward_into(self, grads[0], bool(retain_graph), inputs)
            return
        engine.run_backward([self], grads, retain_graph=bool(retain_graph))

    # ---- in place ---------------------------------------------------------------------------
    def _write(self, result) -> "Tensor":
        """Make ``self`` hold ``result`` (an in-place op): into the array when no graph is involved."""
        if _grad_state[0] and (self.requires_grad or (isinstance(result, Tensor) and result.requires_grad)):
            if self.grad_fn is None and self.requires_grad:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                                   "operation.")
            result = result if isinstance(result, Tensor) else Tensor(result, dtype=self.data.dtype)
            self.data = result.data.astype(self.data.dtype, copy=False)
            self.grad_fn = result.grad_fn
            self.requires_grad = result.requires_grad
            return self
        value = result.data if isinstance(result, Tensor) else result
        if self.data.flags.writeable:
            self.data[...] = value
        else:
            self.data = np.array(np.broadcast_to(value, self.data.shape), dtype=self.data.dtype)
        return self

    def zero_(self) -> "Tensor":
        return self._write(0)

    def fill_(self, value) -> "Tensor":
        return self._write(value.data if isinstance(value, Tensor) else value)

    def copy_(self, src) -> "Tensor":
        return self._write(src if isinstance(src, Tensor) else Tensor(src))

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator=None) -> "Tensor":
        return self._write(backend.rng(generator).uniform(a, b, self.data.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator=None) -> "Tensor":
        return self._write(backend.rng(generator).normal(mean, std, self.data.shape))

    def add_(self, other, alpha=1) -> "Tensor":
        return self._write(self + (other * alpha if alpha != 1 else other))

    def sub_(self, other, alpha=1) -> "Tensor":
        return self._write(self - (other * alpha if alpha != 1 else other))

    def mul_(self, other) -> "Tensor":
        return self._write(self * other)

    def div_(self, other) -> "Tensor":
        return self._write(self / other)

    def clamp_(self, min=None, max=None) -> "Tensor":
        return self._write(self.clamp(min, max))

    def masked_fill_(self, mask, value) -> "Tensor":
        return self._write(self.masked_fill(mask, value))

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def __setitem__(self, index, value) -> None:
        if _grad_state[0] and (self.requires_grad or (isinstance(value, Tensor) and value.requires_grad)):
            from .ops.shape import index_put
            self._write(index_put(self, index, value))
            return
        from .ops.indexing import put_plain  # PyTorch's index rules, as under autograd
        put_plain(self.data, index, value.data if isinstance(value, Tensor) else value)

    # ---- conversions ------------------------------------------------------------------------
    def to(self, *args, dtype=None, **kwargs) -> "Tensor":
        """Cast (``t.to(glassgrad.float64)``); devices other than 'cpu' are refused."""
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, str) and arg.split(":")[0] in ("cpu",):
                continue
            elif isinstance(arg, str) and arg.split(":")[0] in ("cuda", "mps", "xla"):
                raise RuntimeError(f"glassgrad runs on the CPU only; cannot move a tensor to {arg!r}")
            else:
                dtype = arg
        device = kwargs.get("device")
        if device is not None and str(device).split(":")[0] != "cpu":
            raise RuntimeError(f"glassgrad runs on the CPU only; cannot move a tensor to {device!r}")
        return self if dtype is None else self.type(dtype)

    def type(self, dtype=None):
        if dtype is None:
            return f"glassgrad.{self.data.dtype}"
        dtype = backend.as_dtype(dtype)
        if dtype == self.data.dtype:
            return self
        from .ops.compare import cast
        return cast(self, dtype)

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.type(other.dtype)

    def float(self) -> "Tensor":
        return self.type(backend.float32)

    def double(self) -> "Tensor":
        return self.type(backend.float64)

    def long(self) -> "Tensor":
        return self.type(backend.int64)

    def int(self) -> "Tensor":
        return self.type(backend.int32)

    def bool(self) -> "Tensor":
        return self.type(backend.bool_)

    def cpu(self) -> "Tensor":
        return self

    def cuda(self, *args, **kwargs):
        raise RuntimeError("glassgrad runs on the CPU only")


def _new_tensor(data: np.ndarray, requires_grad: bool) -> Tensor:
    """The fast constructor for arrays the engine made (no conversion, no checks)."""
    t = _tensor_new(Tensor)
    t.data = data
    t.requires_grad = requires_grad
    t.grad = None
    t.grad_fn = None
    t._hooks = None
    return t


def _graph_tensor(fn, data: np.ndarray) -> Tensor:
    """The output of graph node ``fn``: requires grad, and ``fn`` learns its shape and dtype."""
    t = _tensor_new(Tensor)
    t.data = data
    t.requires_grad = True
    t.grad = None
    t.grad_fn = fn
    t._hooks = None
    fn.shape = data.shape
    fn.dtype = data.dtype
    return t


_tensor_new = object.__new__
function.set_tensor_factory(_new_tensor, _graph_tensor)


def _plain_index(index):
    """An index with Tensors replaced by their arrays, for NumPy."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def _root_grads(outputs, grad_outputs) -> list:
    """The gradient each output starts backward with: given, or 1 for scalars (PyTorch's rule)."""
    if grad_outputs is not None and not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    grads = []
    for i, out in enumerate(outputs):
        g = None if grad_outputs is None else grad_outputs[i]
        if g is None:
            if out.data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grads.append(np.ones(out.data.shape, dtype=out.data.dtype))
            continue
        g = g.data if isinstance(g, Tensor) else np.asarray(g, dtype=out.data.dtype)
        if g.shape != out.data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                               f"output[{i}] has a shape of {out.data.shape}.")
        grads.append(g.astype(out.data.dtype, copy=False))
    return grads


def _backward_into(root, grad, retain_graph, inputs) -> None:
    """``backward(inputs=...)``: accumulate only into the given tensors."""
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    captured = engine.run_backward([root], [grad], retain_graph=retain_graph, capture=inputs)
    for t, g in zip(inputs, captured):
        if g is None:
            continue
        if t.grad is None:
            t.grad = Tensor(np.array(g))
        else:
            t.grad.data = t.grad.data + g


def _bind_methods() -> None:
    from .ops import METHOD_MODULES
    for module in METHOD_MODULES:
        for name, func in module.TENSOR_METHODS.items():
            setattr(Tensor, name, func)


_bind_methods()
