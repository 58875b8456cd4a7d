"""Picking by index tensors and masks: gather, scatter, scatter_add, index_select, masked_fill, tril/triu,
one_hot. Repeated indices add up in every backward (``add_rows``)."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _new_tensor
from .indexing import add_rows
from .shape import Reshape, wrap_dim


def _index_array(index, op: str, dtypes=("int64",)) -> np.ndarray:
    data = index.data if isinstance(index, Tensor) else np.asarray(index)
    if data.dtype.name not in dtypes:
        raise RuntimeError(f"{op}(): Expected dtype {' or '.join(dtypes)} for index, got {data.dtype}")
    return data


def _check_bounds(index: np.ndarray, size: int, dim: int, op: str) -> None:
    if index.size and (index.min() < 0 or index.max() >= size):
        bad = index[(index < 0) | (index >= size)].flat[0]
        raise RuntimeError(f"{op}(): index {bad} is out of bounds for dimension {dim} with size {size}")


def _positions(shape: tuple, dim: int, index: np.ndarray) -> np.ndarray:
    """Flat positions, in a C-ordered array of ``shape``, of the elements ``index`` names along ``dim``:
    element i of ``index`` (same ndim) names ``i`` with its ``dim`` coordinate replaced by ``index[i]``."""
    strides = np.cumprod((1,) + shape[:0:-1])[::-1]  # C strides in elements
    flat = index * strides[dim]
    for d, n in enumerate(index.shape):
        if d != dim and n > 1:
            flat = flat + (np.arange(n) * strides[d]).reshape((n,) + (1,) * (index.ndim - d - 1))
    return flat


def _crop(index_shape: tuple, dim: int) -> tuple:
    """The part of a tensor that an index of ``index_shape`` along ``dim`` reaches (PyTorch lets the index
    be smaller than the tensor in the other dims)."""
    return tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(index_shape))


def _check_shapes(op: str, input_shape, index_shape, dim, src_shape=None) -> None:
    if len(index_shape) != len(input_shape):
        raise RuntimeError(f"{op}(): Index tensor must have the same number of dimensions as input tensor "
                           f"(index {list(index_shape)}, input {list(input_shape)})")
    if any(i > n for d, (i, n) in enumerate(zip(index_shape, input_shape)) if d != dim) or (
            src_shape is not None and any(i > n for i, n in zip(index_shape, src_shape))):
        extra = "" if src_shape is None else f" and to be no larger size than src {list(src_shape)}"
        raise RuntimeError(f"{op}(): Expected index {list(index_shape)} to be no larger than self "
                           f"{list(input_shape)} apart from dimension {dim}{extra}")


# ---- gather / scatter ---------------------------------------------------------------------------

class Gather(Function):
    def forward(self, a, dim, index):
        self.in_shape, self.dim, self.index = a.shape, dim, index
        return np.take_along_axis(a[_crop(index.shape, dim)], index, axis=dim)

    def backward(self, grad):
        out = np.zeros(self.in_shape, grad.dtype)
        add_rows(out.reshape(-1), _positions(self.in_shape, self.dim, self.index).reshape(-1),
                 grad.reshape(-1))
        return out


class Scatter(Function):
    def forward(self, a, src, dim, index, add):
        self.dim, self.index, self.add, self.src_shape = dim, index, add, src.shape
        out = a.copy()
        if src.ndim:
            src = src[_crop(index.shape, -1)]
        if add:
            add_rows(out.reshape(-1), _positions(a.shape, dim, index).reshape(-1),
                     np.broadcast_to(src, index.shape).reshape(-1))
        else:
            np.put_along_axis(out[_crop(index.shape, dim)], index, src, axis=dim)
        return out

    def backward(self, grad):
        need_input, need_src = self.needs_input_grad
        grad_input = grad_src = None
        crop = _crop(self.index.shape, self.dim)
        if need_input:
            grad_input = grad
            if not self.add:  # overwritten positions did not reach the output
                grad_input = grad.copy()
                np.put_along_axis(grad_input[crop], self.index, 0, axis=self.dim)
        if need_src:
            grad_src = np.zeros(self.src_shape, grad.dtype)
            grad_src[_crop(self.index.shape, -1)] = np.take_along_axis(grad[crop], self.index, self.dim)
        return grad_input, grad_src


class ScatterAdd(Scatter):  # its own name on the graph
    pass


def gather(input, dim: int, index, *, sparse_grad: bool = False):
    """``out[i][j] = input[i][index[i][j]]`` for ``dim=1`` (likewise for other dims); ``index`` has
    ``input``'s ndim and may be smaller in the other dims.

    >>> import glassgrad as gg
    >>> gg.tensor([[1, 2], [3, 4]]).gather(1, gg.tensor([[0, 0], [1, 0]]))
    tensor([[1, 1],
            [4, 3]])
    """
    index = _index_array(index, "gather", ("int32", "int64"))
    shape = input.data.shape
    if not shape:
        return Reshape.apply(gather(Reshape.apply(input, shape=(1,)), 0, index.reshape(1)), shape=())
    d = wrap_dim(dim, len(shape), "gather")
    _check_shapes("gather", shape, index.shape, d)
    _check_bounds(index, shape[d], d, "gather")
    return Gather.apply(input, dim=d, index=index)


def _scatter(op, input, dim, index, src, value, add):
    index = _index_array(index, op)
    shape = input.data.shape
    if src is None:
        if value is None:
            raise TypeError(f"{op}() missing 1 required argument: 'src' or 'value'")
        src = _new_tensor(np.asarray(value, dtype=input.data.dtype), False)
    elif not isinstance(src, Tensor):
        src = _new_tensor(np.asarray(src, dtype=input.data.dtype), False)
    elif src.data.dtype != input.data.dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype ({input.data.dtype} vs "
                           f"{src.data.dtype})")
    d = wrap_dim(dim, len(shape), op)
    _check_shapes(op, shape, index.shape, d, src.data.shape if src.data.ndim else None)
    _check_bounds(index, shape[d] if shape else 1, d, op)
    if not shape:
        index = index.reshape(())
    return (ScatterAdd if add else Scatter).apply(input, src, dim=d, index=index, add=add)


def scatter(input, dim: int, index, src=None, value=None):
    """A copy of ``input`` with ``src`` (a tensor, or a number ``value``) written where ``index`` points
    along ``dim`` (gather's inverse; of repeated targets one write wins).

    >>> import glassgrad as gg
    >>> gg.zeros(2, 3).scatter(1, gg.tensor([[2], [0]]), 1.0)
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    return _scatter("scatter", input, dim, index, src, value, add=False)


def scatter_add(input, dim: int, index, src):
    """A copy of ``input`` with ``src`` added where ``index`` points along ``dim``; repeats add up.

    >>> import glassgrad as gg
    >>> gg.zeros(4).scatter_add(0, gg.tensor([0, 0, 3]), gg.ones(3))
    tensor([2., 0., 0., 1.])
    """
    return _scatter("scatter_add", input, dim, index, src, None, add=True)


# ---- index_select -------------------------------------------------------------------------------

class IndexSelect(Function):
    def forward(self, a, dim, index):
        self.in_shape, self.dim, self.index = a.shape, dim, index
        return a.take(index, axis=dim)

    def backward(self, grad):
        out = np.zeros(self.in_shape, grad.dtype)
        add_rows(np.moveaxis(out, self.dim, 0), self.index, np.moveaxis(grad, self.dim, 0))
        return out


def index_select(input, dim: int, index):
    """The slices ``index`` (a vector) names along ``dim``, in that order; repeats allowed.

    >>> import glassgrad as gg
    >>> gg.tensor([[1, 2, 3]]).index_select(1, gg.tensor([2, 0, 2]))
    tensor([[3, 1, 3]])
    """
    index = _index_array(index, "index_select", ("int32", "int64"))
    if index.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got shape {list(index.shape)}")
    shape = input.data.shape
    d = wrap_dim(dim, len(shape), "index_select")
    if not shape:
        if index.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {index.size} "
                               "value(s)")
        _check_bounds(index, 1, d, "index_select")
        return Reshape.apply(input, shape=())
    index = index.reshape(-1)
    _check_bounds(index, shape[d], d, "index_select")
    return IndexSelect.apply(input, dim=d, index=index)


# ---- masks --------------------------------------------------------------------------------------

class MaskedFill(Function):
    def forward(self, a, value, mask):
        self.mask = mask
        try:
            out = np.where(mask, value, a)
        except ValueError:
            raise RuntimeError(f"masked_fill: mask of shape {list(mask.shape)} cannot be broadcast to the "
                               f"input of shape {list(a.shape)}") from None
        return out if out.dtype == a.dtype else out.astype(a.dtype)

    def backward(self, grad):
        need_input, need_value = self.needs_input_grad
        grad_input = np.where(self.mask, 0, grad) if need_input else None
        grad_value = np.sum(grad, where=np.broadcast_to(self.mask, grad.shape)) if need_value else None
        return grad_input, grad_value


def masked_fill(input, mask, value):
    """``value`` (a number or a 0-d tensor) where the boolean ``mask`` (broadcast) is True, else ``input``.

    >>> import glassgrad as gg
    >>> gg.zeros(3).masked_fill(gg.tensor([True, False, True]), -1.0)
    tensor([-1.,  0., -1.])
    """
    mask = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if mask.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype}")
    if isinstance(value, Tensor):
        if value.data.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor "
                               f"with {value.data.ndim} dimension(s).")
        if value.data.dtype != input.data.dtype:
            from .compare import cast
            value = cast(value, input.data.dtype)
    else:
        value = _new_tensor(np.asarray(value, dtype=input.data.dtype), False)
    return MaskedFill.apply(input, value, mask=mask)


class Tril(Function):
    def forward(self, a, diagonal):
        self.diagonal = diagonal
        return np.tril(a, diagonal)

    def backward(self, grad):
        return np.tril(grad, self.diagonal)


class Triu(Function):
    def forward(self, a, diagonal):
        self.diagonal = diagonal
        return np.triu(a, diagonal)

    def backward(self, grad):
        return np.triu(grad, self.diagonal)


def tril(input, diagonal: int = 0):
    """The lower triangle of the last two dims (on and below ``diagonal``); the rest zero.

    >>> import glassgrad as gg
    >>> gg.ones(2, 2).tril()
    tensor([[1., 0.],
            [1., 1.]])
    """
    if input.data.ndim < 2:
        raise RuntimeError(f"tril: input tensor must have at least 2 dimensions, got {input.data.ndim}")
    return Tril.apply(input, diagonal=int(diagonal))


def triu(input, diagonal: int = 0):
    """The upper triangle of the last two dims (on and above ``diagonal``); the rest zero.

    >>> import glassgrad as gg
    >>> gg.ones(2, 3).triu(1)
    tensor([[0., 1., 1.],
            [0., 0., 1.]])
    """
    if input.data.ndim < 2:
        raise RuntimeError(f"triu: input tensor must have at least 2 dimensions, got {input.data.ndim}")
    return Triu.apply(input, diagonal=int(diagonal))


def one_hot(tensor, num_classes: int = -1):
    """int64 class indices as one-hot rows of ``num_classes`` (-1: one more than the largest); no gradient
    (``torch.nn.functional.one_hot``).

    >>> import glassgrad as gg
    >>> one_hot(gg.tensor([0, 2]))
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    data = tensor.data
    if data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if not data.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(data.max()) + 1
    elif num_classes < -1:
        raise RuntimeError(f"one_hot: num_classes must be -1 or non-negative, got {num_classes}")
    if data.size and data.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if data.size and data.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return _new_tensor((data[..., None] == np.arange(num_classes)).astype(np.int64), False)


__all__ = ["gather", "scatter", "scatter_add", "index_select", "masked_fill", "tril", "triu"]

TENSOR_METHODS = {name: globals()[name] for name in __all__}
TENSOR_METHODS.update({  # in place: the result replaces the tensor's value (and graph node), as in tensor.py
    "scatter_": lambda self, *args, **kwargs: self._write(scatter(self, *args, **kwargs)),
    "scatter_add_": lambda self, *args, **kwargs: self._write(scatter_add(self, *args, **kwargs)),
})
