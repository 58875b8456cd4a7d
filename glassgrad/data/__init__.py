"""Data: datasets, samplers and the DataLoader (``torch.utils.data``'s API).

>>> import glassgrad as gg
>>> from glassgrad.data import DataLoader, TensorDataset
>>> loader = DataLoader(TensorDataset(gg.zeros(100, 2)), batch_size=32, shuffle=True)
>>> [tuple(x.shape) for (x,) in loader]
[(32, 2), (32, 2), (32, 2), (4, 2)]
"""
from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset,
                      random_split)
from .samplers import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                       WeightedRandomSampler)

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
           "random_split", "DataLoader", "default_collate", "default_convert", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]
