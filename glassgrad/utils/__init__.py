"""``torch.utils``'s place: ``glassgrad.utils.data`` is ``glassgrad.data`` under PyTorch's import path."""
from . import data

__all__ = ["data"]
