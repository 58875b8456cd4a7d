"""``torch.nn.utils``'s gradient clipping, at PyTorch's import path (implemented in
``glassgrad.optim.clip_grad``).

>>> import glassgrad as gg
>>> layer = gg.nn.Linear(3, 1)
>>> layer(gg.ones(4, 3)).sum().backward()
>>> norm = gg.nn.utils.clip_grad_norm_(layer.parameters(), max_norm=0.5)
>>> bool(gg.nn.utils.get_total_norm([p.grad for p in layer.parameters()]).item() <= 0.5 + 1e-6)
True
"""
from ...optim.clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]
