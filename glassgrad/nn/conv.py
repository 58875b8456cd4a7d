"""``Conv2d``: 2-D convolution over (N, C, H, W) inputs, with PyTorch's options and initialisation."""
from __future__ import annotations

import math

import numpy as np

from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter, factory_kwargs

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _pair(value, name: str) -> tuple:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"Conv2d: {name} must be an int or a pair, got {value!r}")
        return tuple(int(v) for v in value)
    return (int(value), int(value))


class Conv2d(Module):
    """Cross-correlation of (N, C_in, H, W) with ``weight`` (C_out, C_in / groups, kH, kW), plus bias.

    ``padding`` is an int, a pair, 'valid' (none) or 'same' (output as large as the input; stride 1
    only). Weights start as PyTorch's: ``kaiming_uniform_(a=sqrt(5))`` and a bias in ±1/sqrt(fan_in).

    >>> import glassgrad as gg
    >>> conv = gg.nn.Conv2d(3, 8, kernel_size=3, padding="same")
    >>> conv
    Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=same)  # 224 parameters
    >>> conv(gg.zeros(2, 3, 5, 5)).shape
    (2, 8, 5, 5)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__()
        dtype = factory_kwargs(device, dtype)
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {list(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.dilation = _pair(dilation, "dilation")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "['valid', 'same']")
            if padding == "same" and self.stride != (1, 1):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding = padding
        else:
            self.padding = _pair(padding, "padding")
        self.output_padding = (0, 0)
        self.transposed = False
        self.groups = groups
        self.padding_mode = padding_mode
        # (left, right, top, bottom) amounts, F.pad's order: 'same' puts the odd pixel on the right.
        self._reversed_padding_repeated_twice = self._pad_amounts()
        self.weight = Parameter(np.empty((out_channels, in_channels // groups) + self.kernel_size,
                                         dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _pad_amounts(self) -> tuple:
        if self.padding == "valid":
            return (0, 0, 0, 0)
        if self.padding == "same":
            amounts = []
            for d, k in zip(reversed(self.dilation), reversed(self.kernel_size)):
                total = d * (k - 1)
                amounts += [total // 2, total - total // 2]
            return tuple(amounts)
        ph, pw = self.padding
        return (pw, pw, ph, ph)

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        left, right, top, bottom = self._reversed_padding_repeated_twice
        if self.padding_mode != "zeros":
            input = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            padding = (0, 0)
        elif left == right and top == bottom:
            padding = (top, left)
        else:  # an even kernel with 'same': pad one more pixel on the bottom/right first
            input = F.pad(input, self._reversed_padding_repeated_twice)
            padding = (0, 0)
        return F.conv2d(input, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s
