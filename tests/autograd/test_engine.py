"""The backward walk: PyTorch's autograd semantics, checked against torch where it has an answer."""
import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad.autograd import Function
from tests.reference import assert_close


def test_gradients_accumulate_across_backward_calls():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    (t * 3).sum().backward()
    (t * t).sum().backward()
    assert_close(x.grad, t.grad)


def test_broadcast_gradient_is_reduced_to_input_shape():
    w = gg.ones(1, 3, requires_grad=True)
    b = gg.ones(3, requires_grad=True)
    x = gg.ones(4, 2, 3)
    (x * w + b).sum().backward()
    assert w.grad.shape == (1, 3) and b.grad.shape == (3,)
    np.testing.assert_array_equal(w.grad.data, np.full((1, 3), 8.0))
    np.testing.assert_array_equal(b.grad.data, np.full(3, 8.0))


def test_second_backward_through_freed_graph_raises():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [4.0, 8.0])


@pytest.mark.parametrize("retain", [False, True])
def test_a_nodes_saved_arrays_are_freed_as_soon_as_its_rule_has_run(retain):
    # As torch: the peak of a backward then holds only what the nodes still to run saved.
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    y = h.tanh().sum()
    seen = []

    class Watcher:
        def on_backward(self, event):  # after each rule: is the exp node's saved output still there?
            seen.append((event.node.name, h.grad_fn.saved is not None))

    with gg.autograd.events.listening(Watcher()):
        y.backward(retain_graph=retain)
    assert [name for name, _ in seen] == ["sum", "tanh", "exp"]
    assert [kept for _, kept in seen] == [True, True, retain]


def test_graph_without_saved_values_can_be_walked_twice_like_torch():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_grad_only_on_leaves_unless_retained():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    k = h * 3
    k.retain_grad()
    (k * k).sum().backward()
    assert h.grad is None
    np.testing.assert_array_equal(k.grad.data, 2 * k.data)
    assert not h.is_leaf and x.is_leaf


def test_backward_on_non_scalar_needs_gradient():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    (x * 2).backward(gg.tensor([1.0, -1.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, -2.0])
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(gg.tensor([1.0, 2.0, 3.0]))


def test_backward_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        gg.tensor([1.0]).sum().backward()


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        gg.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        gg.arange(3).requires_grad_()


def test_leaf_hooks_see_and_replace_the_gradient():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
    (x * x).sum().backward()
    assert seen == [[2.0, 4.0]]
    np.testing.assert_array_equal(x.grad.data, [20.0, 40.0])
    handle.remove()
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


def test_nonleaf_hook_changes_what_flows_upstream():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    for lib, leaf in ((gg, x), (torch, t)):
        h = leaf * 3
        h.register_hook(lambda g: g * 0.5)
        (h * h).sum().backward()
    assert_close(x.grad, t.grad)


def test_failing_hook_leaves_every_grad_unchanged():
    a = gg.tensor([1.0], requires_grad=True)
    b = gg.tensor([2.0], requires_grad=True)
    (a * b).sum().backward()

    def boom(g):
        raise ValueError("hook failed")

    b.register_hook(boom)
    with pytest.raises(ValueError):
        (a * b).sum().backward()
    assert a.grad.tolist() == [2.0] and b.grad.tolist() == [1.0]


def test_leaf_used_twice_gets_summed_gradient_once_through_its_hook():
    x = gg.tensor([3.0], requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append(g.item()))
    (x * x + x).sum().backward()
    assert calls == [7.0] and x.grad.item() == 7.0


def test_grads_of_two_leaves_never_share_memory():
    a = gg.ones(3, requires_grad=True)
    b = gg.ones(3, requires_grad=True)
    (a + b).sum().backward()
    a.grad.zero_()
    np.testing.assert_array_equal(b.grad.data, np.ones(3))
    root_grad = gg.ones(3)
    c = gg.ones(3, requires_grad=True)
    (c + 0).backward(root_grad)
    c.grad.zero_()
    np.testing.assert_array_equal(root_grad.data, np.ones(3))


def test_autograd_grad_returns_without_accumulating():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    y = (h * 3).sum()
    gx, gh = gg.autograd.grad(y, [x, h])
    np.testing.assert_array_equal(gx.data, [6.0, 12.0])
    np.testing.assert_array_equal(gh.data, [3.0, 3.0])
    assert x.grad is None


def test_autograd_grad_unused_input():
    x = gg.tensor([1.0], requires_grad=True)
    z = gg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        gg.autograd.grad((x * 2).sum(), [x, z])
    gx, gz = gg.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gz is None and gx.tolist() == [2.0]


def test_autograd_grad_with_grad_outputs():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    (g,) = gg.autograd.grad(x * x, x, grad_outputs=gg.tensor([1.0, 0.5]))
    np.testing.assert_array_equal(g.data, [2.0, 2.0])


def test_backward_inputs_limits_accumulation():
    a = gg.tensor([1.0], requires_grad=True)
    b = gg.tensor([2.0], requires_grad=True)
    (a * b).sum().backward(inputs=[a])
    assert a.grad.tolist() == [2.0] and b.grad is None


def test_deep_graph_needs_no_recursion():
    x = gg.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(20000):
        y = y * 1.0 + 0.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]


def test_diamond_graph_sums_paths():
    x = gg.tensor([2.0], requires_grad=True)
    t = torch.tensor([2.0], requires_grad=True)
    for leaf in (x, t):
        a = leaf * 3
        b = a.exp()
        c = a * a
        (b + c + a).sum().backward()
    assert_close(x.grad, t.grad)


def test_backward_rule_returning_wrong_count_is_reported():
    class Bad(Function):
        def forward(self, a, b):
            return a + b

        def backward(self, grad):
            return grad

    x = gg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="bad: backward returned 1 gradients for 2 inputs"):
        Bad.apply(x, x).sum().backward()
    assert x.grad is None


def test_detach_and_no_grad_cut_the_graph():
    x = gg.tensor([1.0], requires_grad=True)
    assert not x.detach().requires_grad
    with gg.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    z = (x * 2).detach() * x
    z.sum().backward()
    assert x.grad.tolist() == [2.0]


def test_requires_grad_cannot_be_dropped_on_a_non_leaf():
    x = gg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        (x * 2).requires_grad_(False)


def test_inplace_on_leaf_requiring_grad_raises_outside_no_grad():
    w = gg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w += 1
    with gg.no_grad():
        w -= 0.5
    np.testing.assert_array_equal(w.data, [0.5, 0.5])
    assert w.is_leaf and w.requires_grad


def test_inplace_on_non_leaf_records_like_torch():
    x = gg.tensor([1.0, 2.0], requires_grad=True)
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    for leaf in (x, t):
        h = leaf * leaf
        h += 1
        h *= 3
        h.sum().backward()
    assert_close(x.grad, t.grad)


def test_setitem_in_graph_and_outside():
    m = gg.zeros(3)
    m[1] = 5.0
    assert m.tolist() == [0.0, 5.0, 0.0]


# ---- reducing broadcast gradients: as accurate as torch over long batches -----------------------

@pytest.mark.parametrize("rows", [0, 7, 1024, 1025, 200_003])
def test_sum_rows_is_accurate_at_any_length(rows):
    from glassgrad.autograd.engine import sum_rows
    g = (np.random.default_rng(0).random((rows, 3)) + 0.5).astype(np.float32)  # all positive: most drift
    exact = g.astype(np.float64).sum(axis=0)
    out = sum_rows(g)
    assert out.dtype == np.float32 and out.shape == (3,)
    # NumPy's own g.sum(0) is 1e-5 off at 2e5 rows; torch's cascade sum ~2e-7.
    np.testing.assert_allclose(out, exact, rtol=1e-6, atol=0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_long_batch_broadcast_and_linear_bias_gradients_agree_with_torch(dtype):
    rng = np.random.default_rng(1)
    x = rng.random((150_000, 4)).astype(dtype)
    b = rng.standard_normal(4).astype(dtype)
    w = rng.standard_normal((2, 4)).astype(dtype)
    ours = [gg.from_numpy(a.copy()).requires_grad_() for a in (x, b, w, b[:2])]
    theirs = [torch.from_numpy(a.copy()).requires_grad_() for a in (x, b, w, b[:2])]
    for lib, (xt, bt, wt, lb) in ((gg, ours), (torch, theirs)):
        (lib.nn.functional.linear(xt + bt, wt, lb) ** 2).sum().backward()  # bias (4,) broadcast over rows
    for a, e, what in zip(ours, theirs, ("x", "broadcast bias", "weight", "linear bias")):
        assert_close(a.grad, e.grad, what=what)


def test_unbroadcast_leading_and_size_one_dims():
    from glassgrad.autograd.engine import unbroadcast
    g = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
    for shape in [(4,), (1, 4), (3, 4), (1, 1, 4), (2, 1, 4), (3, 1), (1,), ()]:
        np.testing.assert_array_equal(unbroadcast(g, shape), np.sum(g, axis=tuple(
            range(3 - len(shape))) + tuple(3 - len(shape) + i for i, n in enumerate(shape) if n == 1),
            keepdims=False).reshape(shape))
    with pytest.raises(RuntimeError, match=r"shape \(2, 3, 4\)"):
        unbroadcast(g, (5,), "mul")


# ---- rules that overwrite a spare upstream gradient (Function.spare) ------------------------------

def _relu_pair(lib, x):
    return (x.relu() + (0.5 - x).relu()) * 3  # Add sends one array to both relus (different masks)


def test_an_upstream_gradient_shared_by_two_rules_is_not_overwritten():
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    ours, theirs = gg.from_numpy(x.copy()).requires_grad_(), torch.from_numpy(x.copy()).requires_grad_()
    _relu_pair(gg, ours).sum().backward()
    _relu_pair(torch, theirs).sum().backward()
    assert_close(ours.grad, theirs.grad)


def test_gradients_the_caller_can_see_are_never_overwritten():
    x = gg.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    up = gg.tensor([1.0, 1.0, 1.0, 1.0])
    x.relu().backward(up)                                    # the caller's own gradient argument
    np.testing.assert_array_equal(up.data, [1.0, 1.0, 1.0, 1.0])
    seen = []
    y = x * 1.0
    z = y.relu()
    y.retain_grad()
    z.retain_grad()                                          # a retained gradient
    z.register_hook(lambda g: seen.append(g))                # a hook that keeps its tensor
    (z * 5).sum().backward()
    np.testing.assert_array_equal(z.grad.data, [5.0] * 4)
    np.testing.assert_array_equal(seen[0].data, [5.0] * 4)
    np.testing.assert_array_equal(y.grad.data, [0.0, 5.0, 0.0, 5.0])
    (g,) = gg.autograd.grad((x.relu() * 2).sum(), [x])     # a captured gradient
    np.testing.assert_array_equal(g.data, [0.0, 2.0, 0.0, 2.0])


def test_backward_listeners_see_the_upstream_gradient_as_it_was():
    from glassgrad.autograd import events

    class Listener:
        def __init__(self):
            self.upstream = {}

        def on_backward(self, event):
            self.upstream[event.op] = np.array(event.grad_output)

    listener = Listener()
    events.add_listener(listener)
    try:
        x = gg.tensor([-1.0, 2.0], requires_grad=True)
        (x.relu() * 3).sum().backward()
    finally:
        events.remove_listener(listener)
    np.testing.assert_array_equal(listener.upstream["relu"], [3.0, 3.0])
