"""Whole models written once for both libraries: identical state_dict keys, identical outputs and
gradients with torch's weights loaded, and torch-like initial losses from the default initialisation."""
import math

import numpy as np
import pytest
import torch

import glassgrad as gg
from tests.nn.helpers import check_layer, copy_torch_weights
from tests.reference import assert_close


def small_cnn(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, stride=2, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(8, 10))


def mlp_with_batchnorm(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.0),
                         nn.Linear(16, 16), nn.BatchNorm1d(16, momentum=None), nn.Tanh(),
                         nn.Linear(16, 3))


def tiny_transformer_block(lib):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self, vocab=11, dim=8, heads=2):
            super().__init__()
            self.embed = nn.Embedding(vocab, dim)
            self.ln1 = nn.LayerNorm(dim)
            self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
            self.ln2 = nn.LayerNorm(dim)
            self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim),
                                     nn.Dropout(0.0))
            self.head = nn.Linear(dim, vocab, bias=False)
            self.head.weight = self.embed.weight           # tied, as in GPT-2
            self.register_buffer("mask", lib.tensor(np.triu(np.ones((5, 5), bool), 1)),
                                 persistent=False)

        def forward(self, ids):
            x = self.embed(ids)
            h = self.ln1(x)
            x = x + self.attn(h, h, h, attn_mask=self.mask, need_weights=False)[0]
            x = x + self.mlp(self.ln2(x))
            return self.head(x)
    return Block()


ARCHITECTURES = [(small_cnn, (4, 1, 8, 8)), (mlp_with_batchnorm, (8, 6)),
                 (tiny_transformer_block, np.random.default_rng(0).integers(0, 11, (3, 5)))]


@pytest.mark.parametrize("build,inputs", ARCHITECTURES, ids=lambda v: getattr(v, "__name__", ""))
def test_state_dict_keys_identical(build, inputs):
    g, t = build(gg), build(torch)
    assert list(g.state_dict()) == list(t.state_dict())
    assert [n for n, _ in g.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in g.named_modules()] == [n for n, _ in t.named_modules()]
    for (_, gv), (_, tv) in zip(g.state_dict().items(), t.state_dict().items()):
        assert gv.shape == tuple(tv.shape)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("build,inputs", ARCHITECTURES, ids=lambda v: getattr(v, "__name__", ""))
def test_forward_backward_match_torch(build, inputs, train, dtype):
    g, t = build(gg).train(train), build(torch).train(train)
    shapes = [inputs.astype(np.int64)] if isinstance(inputs, np.ndarray) else [inputs]
    check_layer(g, t, shapes, dtype=dtype, scale=20)


def test_initial_cross_entropy_is_near_log_classes_like_torch():
    # With default init a fresh classifier's outputs are small, so its loss starts near ln(C): the
    # sanity check every training run relies on. Compared with torch's own fresh models on the same data.
    classes, features = 10, 32
    rng = np.random.default_rng(0)
    x = rng.standard_normal((512, features)).astype(np.float32)
    y = rng.integers(0, classes, 512)

    def build(lib):
        nn = lib.nn
        return nn.Sequential(nn.Linear(features, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                             nn.Linear(64, classes))
    g_losses, t_losses = [], []
    for seed in range(8):
        gg.manual_seed(seed)
        torch.manual_seed(seed)
        g_losses.append(gg.nn.functional.cross_entropy(build(gg)(gg.tensor(x)), gg.tensor(y)).item())
        t_losses.append(torch.nn.functional.cross_entropy(build(torch)(torch.tensor(x)),
                                                          torch.tensor(y)).item())
    assert np.mean(g_losses) == pytest.approx(math.log(classes), abs=0.05)
    assert np.mean(g_losses) == pytest.approx(np.mean(t_losses), abs=0.02)
    assert np.std(g_losses) == pytest.approx(np.std(t_losses), abs=0.02)


@pytest.mark.parametrize("build,inputs", ARCHITECTURES, ids=lambda v: getattr(v, "__name__", ""))
def test_a_few_adam_steps_match_torch(build, inputs):
    # Module + loss + optimizer together: parameters and buffers agree after three training steps.
    g, t = build(gg).double(), build(torch).double()
    copy_torch_weights(g, t)
    g_opt = gg.optim.Adam(g.parameters(), lr=1e-2)
    t_opt = torch.optim.Adam(t.parameters(), lr=1e-2)
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = (inputs if isinstance(inputs, np.ndarray) else rng.standard_normal(inputs))
        g_out, t_out = g(gg.tensor(x)), t(torch.tensor(x))
        classes = g_out.shape[-1]
        y = rng.integers(0, classes, int(np.prod(g_out.shape[:-1])))
        g_loss = gg.nn.functional.cross_entropy(g_out.reshape(-1, classes), gg.tensor(y))
        t_loss = torch.nn.functional.cross_entropy(t_out.reshape(-1, classes), torch.tensor(y))
        assert_close(g_loss, t_loss, scale=100)
        for opt, loss in ((g_opt, g_loss), (t_opt, t_loss)):
            opt.zero_grad()
            loss.backward()
            opt.step()
    t_state = t.state_dict()
    for name, value in g.state_dict().items():
        assert_close(value, t_state[name], scale=1000, what=name)
