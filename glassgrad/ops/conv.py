"""Convolution and pooling over (N, C, H, W) arrays: conv2d, max/avg/adaptive pooling."""
from __future__ import annotations

__all__: list = []
TENSOR_METHODS: dict = {}
