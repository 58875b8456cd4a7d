"""``from glassgrad.utils.data import DataLoader, TensorDataset, random_split`` -- the same objects as
``glassgrad.data``, at the import path a PyTorch user already types.

>>> import glassgrad.data, glassgrad.utils.data
>>> glassgrad.utils.data.DataLoader is glassgrad.data.DataLoader
True
"""
from ..data import *  # noqa: F401,F403
from ..data import __all__  # noqa: F401
