"""Indexing: ``x[...]``, ``x[...] = v`` (``index_put``), narrow and select; ``add_rows`` for the backwards
here and in gather.py.

Forward indexing is NumPy's, whose rules for basic and advanced indices are PyTorch's but for the three
spots ``convert_index`` mends. The backward of an index puts the upstream gradient back where the values
came from; integer-array indices may name a position twice, and then its gradients add up. ``add_rows``
does that by sorting: ``np.add.at`` is 3-6x slower on anything but tiny gradients (measured).
"""
from __future__ import annotations

import math
import re

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, _new_tensor

BASIC, MASK, ARRAY = 0, 2, 4   # index kinds: views only; boolean masks; integer arrays (may repeat)
_INT = 1
_SMALL = 2048                  # gradients this small go through np.add.at: faster than sorting (measured)
_ROUNDS, _ROUND_WORK = 32, 2000  # add_rows adds in rounds if <= 32 of them, each >= 2000 values on average
_EMPTY = np.empty(0, np.int64)


# ---- adding values at repeated positions --------------------------------------------------------

def add_rows(out: np.ndarray, idx: np.ndarray, rows: np.ndarray) -> None:
    """``out[idx] += rows`` with repeats in ``idx`` (1-D, non-negative) adding up; ``out`` may be a view.

    out: (M, *R), idx: (n,), rows: (n, *R). A 1-D ``out`` is one bincount. Otherwise sort by target: with
    few repeats per target, add in "rounds" (round k adds every target's k-th row: no target twice in a
    round, so one fancy add each); with many, sum each target's run with one reduceat, which costs per
    run and so loses when runs are many and short (measured: 2-3x slower on embedding-like gradients).
    """
    n = idx.size
    if n == 0:
        return
    if rows.size <= _SMALL:
        np.add.at(out, idx, rows)
        return
    if out.ndim == 1:
        out += np.bincount(idx, weights=rows, minlength=out.shape[0]).astype(out.dtype, copy=False)
        return
    # a stable sort of small integers is a radix sort: 3-4x faster than sorting int64 (measured)
    order = (idx.astype(np.uint16) if out.shape[0] <= 65536 else idx).argsort(kind="stable")
    ordered = idx[order]
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    if starts.size == n:  # no repeats: one fancy add
        out[idx] += rows
        return
    rank = np.arange(n) - starts[np.cumsum(first) - 1]  # k for a target's k-th row (in sorted order)
    per_round = np.bincount(rank)
    if per_round.size <= _ROUNDS and rows.size >= _ROUND_WORK * per_round.size:
        by_round = rank.astype(np.uint8).argsort(kind="stable")
        source, target = order[by_round], ordered[by_round]
        at = 0
        for count in per_round.tolist():  # rows[...] rather than take(): take is slow on broadcast rows
            out[target[at:at + count]] += rows[source[at:at + count]]
            at += count
    else:
        out[ordered[starts]] += np.add.reduceat(rows[order], starts, axis=0)


def scatter_index(shape: tuple, index: tuple, grad: np.ndarray) -> np.ndarray:
    """The gradient of ``a[index]`` (``a`` of ``shape``, ``index`` with integer arrays): ``grad`` added at
    every position it was read from.

    The arrays (a mask counts as its nonzero coordinates) pick positions along the "advanced" dims, slices
    cut the others. Moving the advanced dims to the front and merging them into one dim of size A makes it
    ``add_rows`` into an (A, *sliced dims) array, with the merged positions as row numbers.
    """
    first = index[0]
    if len(index) == 1 and type(first) is np.ndarray and first.dtype != bool:
        # x[idx], the embedding-style lookup: whole rows of dim 0
        out = np.zeros(shape, grad.dtype)
        flat = first.reshape(-1)
        if flat.size:
            add_rows(out, flat % shape[0], grad.reshape(flat.shape + shape[1:]))  # % wraps negatives
        return out
    if any(type(e) is np.ndarray and e.dtype == bool and e.ndim == 0 for e in index):
        out = np.zeros(shape, grad.dtype)  # x[True, arr]: too rare to deserve its own layout logic
        np.add.at(out, index, grad)
        return out
    arrays, adv_dims, slices = [], [], []   # slices: (input dim, slice)
    layout, runs, last = [], 0, -2          # grad's axes in order: "a" (the broadcast block), "s", "n"
    d = 0
    for pos, e in enumerate(index):
        if e is None:
            layout.append("n")
        elif type(e) is np.ndarray:
            coords = e.nonzero() if e.dtype == bool else (e,)
            arrays.extend(coords)
            adv_dims.extend(range(d, d + len(coords)))
            d += len(coords)
            runs += last != pos - 1  # NumPy and PyTorch put the block in place only if arrays are adjacent
            last = pos
            if "a" not in layout:
                layout.append("a")
        else:
            slices.append((d, e))
            layout.append("s")
            d += 1
    slices += [(k, slice(None)) for k in range(d, len(shape))]
    layout += ["s"] * (len(shape) - d)
    if runs > 1:
        layout.remove("a")
        layout.insert(0, "a")
    block = np.broadcast(*arrays).shape
    # grad -> (prod(block), *sliced sizes): the block first, the None axes (size 1) dropped
    axes = {"a": [], "s": [], "n": []}
    at = 0
    for kind in layout:
        width = len(block) if kind == "a" else 1
        axes[kind].extend(range(at, at + width))
        at += width
    rows = grad.transpose(axes["a"] + axes["s"] + axes["n"])
    rows = rows.reshape((math.prod(block),) + rows.shape[len(block):len(block) + len(slices)])
    adv_sizes = tuple(shape[k] for k in adv_dims)
    sliced = tuple(shape[k] for k, _ in slices)
    out = np.zeros((math.prod(adv_sizes),) + sliced, grad.dtype)
    if rows.size:
        flat = np.ravel_multi_index(arrays, adv_sizes, mode="wrap")  # wrap = negative indices count back
        add_rows(out[(slice(None),) + tuple(s for _, s in slices)], flat.reshape(-1), rows)
    inverse = [0] * len(shape)
    for i, k in enumerate(adv_dims + [k for k, _ in slices]):
        inverse[k] = i
    return out.reshape(adv_sizes + sliced).transpose(inverse)


# ---- x[index] -----------------------------------------------------------------------------------

def _entry(entry):
    """One entry of an index, as NumPy takes it, and its kind."""
    kind = type(entry)
    if kind is int:
        return entry, _INT
    if kind is slice:
        step = entry.step
        if step is not None and step <= 0:
            raise ValueError("step must be greater than zero" if step < 0 else "slice step cannot be zero")
        return entry, BASIC
    if entry is None or entry is Ellipsis:
        return entry, BASIC
    if kind is Tensor:
        array = entry.data
    elif kind is list and not entry:
        return _EMPTY, ARRAY
    elif kind in (list, np.ndarray, bool) or isinstance(entry, np.generic):
        array = np.asarray(entry)
    else:
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                         f"are valid indices (got {kind.__name__})")
    dtype = array.dtype
    if dtype == np.bool_ or dtype == np.uint8:  # PyTorch reads byte tensors as masks
        return array.astype(bool, copy=False), MASK
    if dtype.kind in "iu":
        if array.ndim == 0:  # a 0-d integer tensor indexes like an int in PyTorch
            return int(array), _INT
        return (array if dtype.kind == "i" else array.astype(np.int64)), ARRAY
    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")


def _list_is_tuple(index: list) -> bool:
    """PyTorch 2.13 still reads ``x[[[0, 1], [1, 2]]]`` as ``x[[0, 1], [1, 2]]`` (NumPy's old rule)."""
    return len(index) < 32 and any(isinstance(e, (Tensor, list, tuple, np.ndarray, slice)) or e is None
                                   or e is Ellipsis for e in index)


def convert_index(index, ndim: int):
    """A Python index as ``(first, index, kind)``: NumPy applies ``first`` (a basic index, or None) and
    then ``index``. Three mends make NumPy's answer PyTorch's: ints are applied before integer arrays
    (NumPy counts them as arrays, which moves the result's dims), a zero-length ``...`` between arrays
    does not separate them, and a list holding sequences is a tuple."""
    if type(index) is not tuple:
        if type(index) is list and _list_is_tuple(index):
            index = tuple(index)
        else:
            item, kind = _entry(index)
            return None, item, kind & ~_INT
    items, kinds = [], 0
    for entry in index:
        item, kind = _entry(entry)
        items.append(item)
        kinds |= kind
    if kinds <= _INT:
        return None, tuple(items), BASIC
    at = next((i for i, e in enumerate(items) if e is Ellipsis), None)
    if at is not None:
        spans = [e.ndim if type(e) is np.ndarray and e.dtype == bool else 1 for e in items
                 if e is not None and e is not Ellipsis]
        items[at:at + 1] = [slice(None)] * max(ndim - sum(spans), 0)
    first = None
    if kinds & _INT:
        first = []
        for e in items:
            if type(e) is int:
                first.append(e)
            elif e is not None:
                first.extend([slice(None)] * (e.ndim if type(e) is np.ndarray and e.dtype == bool else 1))
        first = tuple(first)
        items = [e for e in items if type(e) is not int]
    return first, tuple(items), (ARRAY if kinds & ARRAY else MASK)


def _index_error(error: IndexError, shape: tuple) -> IndexError:
    message = str(error)
    if message.startswith("too many indices"):
        return IndexError(f"too many indices for tensor of dimension {len(shape)}")
    found = re.match(r"boolean index did not match indexed array along axis (\d+); size of axis is (\d+) "
                     r"but size of corresponding boolean axis is (\d+)", message)
    if found:
        axis, size, mask = found.groups()
        return IndexError(f"The shape of the mask does not match the shape of the indexed tensor "
                          f"{list(shape)} at dimension {axis}: the mask has {mask} elements there, the "
                          f"tensor {size}")
    return IndexError(message.replace("axis", "dimension").replace("array", "tensor"))


class Index(Function):
    def forward(self, a, index, kind):
        self.in_shape, self.index, self.kind = a.shape, index, kind
        try:
            out = a[index]
        except IndexError as error:
            raise _index_error(error, a.shape) from None
        if type(out) is not np.ndarray:  # a NumPy scalar: index again for a 0-d view, as PyTorch gives
            out = a[(index if type(index) is tuple else (index,)) + (Ellipsis,)]
        return out

    def backward(self, grad):
        if self.kind == ARRAY:
            index = self.index
            return scatter_index(self.in_shape, index if type(index) is tuple else (index,), grad)
        out = np.zeros(self.in_shape, grad.dtype)  # basic and mask indices never repeat a position
        out[self.index] = grad
        return out


def getitem(input, index):
    """``input[index]`` with PyTorch's rules: ints, slices (positive steps), None, ``...``, integer
    tensors, arrays and lists (advanced indexing), boolean masks. Basic indices give views.

    >>> import glassgrad as gg
    >>> x = gg.arange(12).reshape(3, 4)
    >>> x[1], x[:, 1::2].shape, x[[0, 0, 2], -1]
    (tensor([4, 5, 6, 7]), (3, 2), tensor([ 3,  3, 11]))
    """
    kind = type(index)
    if kind is int or kind is slice and index.step is None:
        return Index.apply(input, index=index, kind=BASIC)
    if kind is tuple:  # the common all-basic tuple, checked inline: this is a hot path
        for entry in index:
            kind = type(entry)
            if not (kind is int or entry is None or entry is Ellipsis or
                    kind is slice and (entry.step is None or entry.step > 0)):
                break
        else:
            return Index.apply(input, index=index, kind=BASIC)
    first, index, kind = convert_index(index, input.data.ndim)
    if first is not None:
        input = Index.apply(input, index=first, kind=BASIC)
    return Index.apply(input, index=index, kind=kind)


# ---- x[index] = value ---------------------------------------------------------------------------

class IndexPut(Function):
    def forward(self, a, value, first, index, accumulate):
        self.first, self.index, self.accumulate, self.value_shape = first, index, accumulate, value.shape
        out = a.copy()
        target = out if first is None else out[first]
        try:
            if accumulate:
                np.add.at(target, index, value)
            else:
                target[index] = value
        except IndexError as error:
            raise _index_error(error, a.shape) from None
        except ValueError:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(value.shape)} cannot be "
                               f"broadcast to indexing result of shape {list(target[index].shape)}") from None
        return out

    def backward(self, grad):
        need_input, need_value = self.needs_input_grad
        grad_input = grad_value = None
        if need_input:
            grad_input = grad
            if not self.accumulate:  # overwritten positions did not reach the output
                grad_input = grad.copy()
                (grad_input if self.first is None else grad_input[self.first])[self.index] = 0
        if need_value:
            grad_value = (grad if self.first is None else grad[self.first])[self.index]
            extra = len(self.value_shape) - grad_value.ndim
            if extra > 0:  # NumPy lets a value carry extra leading 1s into the indexed region
                grad_value = grad_value.reshape((1,) * extra + grad_value.shape)
        return grad_input, grad_value


def put_plain(array: np.ndarray, index, value) -> None:
    """``array[index] = value`` in place by PyTorch's index rules: ``Tensor.__setitem__`` without a graph."""
    first, index, _ = convert_index(index, array.ndim)
    target = array if first is None else array[first]
    try:
        target[index] = value
    except IndexError as error:
        raise _index_error(error, array.shape) from None
    except ValueError as error:
        if "broadcast" not in str(error):
            raise
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(value))} cannot be "
                           f"broadcast to indexing result of shape {list(target[index].shape)}") from None


def index_put(input, indices, values, accumulate: bool = False):
    """A copy of ``input`` with ``values`` written (or, with ``accumulate``, added) at ``indices``; what
    ``x[indices] = values`` records under autograd. Gradients reach both tensors.

    >>> import glassgrad as gg
    >>> gg.index_put(gg.zeros(4), (gg.tensor([0, 0, 2]),), gg.tensor(1.0), accumulate=True)
    tensor([2., 0., 1., 0.])
    """
    data = input.data
    if isinstance(values, Tensor):
        if values.data.dtype != data.dtype:
            from .compare import cast
            values = cast(values, data.dtype)
    else:
        values = _new_tensor(np.asarray(values, dtype=data.dtype), False)
    first, index, _ = convert_index(indices, data.ndim)
    return IndexPut.apply(input, values, first=first, index=index, accumulate=accumulate)


# ---- narrow / select ----------------------------------------------------------------------------

def _dim(dim: int, ndim: int, op: str) -> int:
    from .shape import wrap_dim
    return wrap_dim(dim, ndim, op)


def narrow(input, dim: int, start: int, length: int):
    """The ``length`` elements from ``start`` along ``dim`` (a view).

    >>> import glassgrad as gg
    >>> gg.arange(6).narrow(0, 2, 3)
    tensor([2, 3, 4])
    """
    shape = input.data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _dim(dim, len(shape), "narrow")
    n = shape[d]
    start = int(start)
    if not -n <= start <= n:
        raise IndexError(f"narrow(): start ({start}) out of range for dimension {d} of size {n}")
    start = start + n if start < 0 else start
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return Index.apply(input, index=(slice(None),) * d + (slice(start, start + length),), kind=BASIC)


def select(input, dim: int, index: int):
    """The slice at ``index`` along ``dim``, that dim removed (a view): ``x.select(1, 0)`` is ``x[:, 0]``.

    >>> import glassgrad as gg
    >>> gg.arange(6).reshape(2, 3).select(1, -1)
    tensor([2, 5])
    """
    shape = input.data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _dim(dim, len(shape), "select")
    if not -shape[d] <= index < shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(shape)} at "
                         f"dimension {d}")
    return Index.apply(input, index=(slice(None),) * d + (int(index),), kind=BASIC)


__all__ = ["index_put", "narrow", "select"]

TENSOR_METHODS = {"__getitem__": getitem, "index_put": index_put, "narrow": narrow, "select": select,
                  "index_put_": lambda self, indices, values, accumulate=False: self._write(
                      index_put(self, indices, values, accumulate))}
