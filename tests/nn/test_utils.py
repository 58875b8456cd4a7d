"""nn.utils: PyTorch's clipping functions at torch.nn.utils' path, on a model's parameters."""
import numpy as np
import torch

import glassgrad as gg
from glassgrad import nn
from tests.nn.helpers import copy_torch_weights
from tests.reference import assert_close


def test_clipping_at_torchs_path_matches_torch():
    assert nn.utils.clip_grad_norm_ is gg.optim.clip_grad.clip_grad_norm_
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    for clip in ("norm", "value"):
        g, t = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)), torch.nn.Sequential(
            torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
        copy_torch_weights(g, t)
        (g(gg.tensor(x)) ** 2).sum().backward()
        (t(torch.tensor(x)) ** 2).sum().backward()
        if clip == "norm":
            assert_close(nn.utils.clip_grad_norm_(g.parameters(), 0.3),
                         torch.nn.utils.clip_grad_norm_(t.parameters(), 0.3))
        else:
            nn.utils.clip_grad_value_(g.parameters(), 0.05)
            torch.nn.utils.clip_grad_value_(t.parameters(), 0.05)
        for (name, gp), (_, tp) in zip(g.named_parameters(), t.named_parameters()):
            assert_close(gp.grad, tp.grad, what=name)
