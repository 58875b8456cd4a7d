"""glassgrad: a deep learning engine you can see through.

>>> import glassgrad as gg
>>> x = gg.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x ** 2).sum().backward()
>>> x.grad
tensor([2., 4., 6.])
"""
from . import backend
from .autograd import enable_grad, grad, graph, no_grad, set_grad_enabled, is_grad_enabled
from .backend import (bool_ as bool, float16, float32, float64, int32, int64, manual_seed, uint8,
                      Generator)
from .creation import *  # noqa: F401,F403
from .io import load, save
from .ops import *  # noqa: F401,F403
from .tensor import Tensor
from . import autograd  # noqa: E402
from . import data, optim, utils  # noqa: E402
from . import trace, train  # noqa: E402
from . import nn  # noqa: E402

float = float32
double = float64
half = float16
long = int64
int = int32

__version__ = "0.1.0"
