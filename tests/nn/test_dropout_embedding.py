"""Dropout (modes, statistics, gradients) and Embedding (lookup, gradients, padding_idx) against torch."""
import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad import nn
from tests.nn.helpers import check_layer, repr_without_count
from tests.reference import assert_close

DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 1.0])
def test_dropout_eval_is_identity_and_repr(p):
    g, t = nn.Dropout(p).eval(), torch.nn.Dropout(p).eval()
    check_layer(g, t, [(3, 4)])
    assert repr(g) == repr(t)
    assert repr(nn.Dropout(0.1, inplace=True)) == repr(torch.nn.Dropout(0.1, inplace=True))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_train_statistics_and_gradient(p, dtype):
    gg.manual_seed(0)
    x = gg.ones(200, 500, dtype=dtype, requires_grad=True)
    out = nn.Dropout(p)(x)
    kept = out.numpy() != 0
    assert out.dtype == np.dtype(dtype)
    assert kept.mean() == pytest.approx(1 - p, abs=4 * np.sqrt(p * (1 - p) / kept.size))
    np.testing.assert_allclose(out.numpy()[kept], 1 / (1 - p), rtol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept / (1 - p), rtol=1e-6)   # the same mask


def test_dropout_edges_and_errors():
    x = gg.ones(3, 4, requires_grad=True)
    assert not nn.Dropout(1.0)(x).numpy().any()
    np.testing.assert_array_equal(nn.Dropout(0.0)(x).numpy(), x.numpy())
    gg.manual_seed(3)
    a = nn.Dropout(0.5)(x).numpy()
    gg.manual_seed(3)
    np.testing.assert_array_equal(nn.Dropout(0.5)(x).numpy(), a)   # seeded
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            nn.Dropout(p)
    assert nn.Dropout(0.5)(gg.zeros(0, 3)).shape == (0, 3)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("padding_idx", [None, 0, 3, -1])
def test_embedding_matches_torch(padding_idx, dtype):
    ids = np.array([[0, 3, 3, 9], [9, 1, 0, 3]], dtype=np.int64)    # repeats accumulate
    g, t = nn.Embedding(10, 4, padding_idx=padding_idx), torch.nn.Embedding(10, 4, padding_idx=padding_idx)
    g_out, _ = check_layer(g, t, [ids], dtype=dtype)
    if padding_idx is not None:
        row = padding_idx % 10
        assert not g.weight.grad.numpy()[row].any()
    assert repr_without_count(g) == repr(t)


def test_embedding_shapes_init_and_from_pretrained():
    for ids in [np.array(4), np.zeros((0,), np.int64), np.arange(6).reshape(2, 3, 1)]:
        check_layer(nn.Embedding(10, 3), torch.nn.Embedding(10, 3), [ids.astype(np.int64)])
    gg.manual_seed(0)
    big = nn.Embedding(1000, 64, padding_idx=2)
    w = big.weight.numpy()
    assert not w[2].any()
    assert w.mean() == pytest.approx(0, abs=0.01) and w.std() == pytest.approx(1, rel=0.01)
    pre = nn.Embedding.from_pretrained(gg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert not pre.weight.requires_grad and pre(gg.tensor([1])).tolist() == [[3.0, 4.0]]
    assert nn.Embedding.from_pretrained(gg.zeros(2, 2), freeze=False).weight.requires_grad
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(5, 2, padding_idx=5)


def test_embedding_bad_indices():
    emb = nn.Embedding(5, 2)
    with pytest.raises((IndexError, RuntimeError), match="out of range|index"):
        emb(gg.tensor([5]))
    with pytest.raises((TypeError, RuntimeError), match="Long|Int|integer|int64"):
        emb(gg.tensor([1.0]))


def test_embedding_padding_row_stays_put_under_training():
    t = torch.nn.Embedding(4, 2, padding_idx=1)
    g = nn.Embedding(4, 2, padding_idx=1)
    ids = gg.tensor([1, 1, 2])
    g(ids).sum().backward()
    assert not g.weight.grad.numpy()[1].any()
    t(torch.tensor([1, 1, 2])).sum().backward()
    assert_close(g.weight.grad, t.weight.grad)
