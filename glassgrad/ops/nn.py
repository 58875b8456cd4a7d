"""Neural-network kernels, fused for speed and stability: softmax, cross-entropy, layer_norm, dropout …"""
from __future__ import annotations

__all__: list = []
TENSOR_METHODS: dict = {}
