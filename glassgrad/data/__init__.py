"""Data: datasets, samplers and the DataLoader (``torch.utils.data``'s API, also importable as
``glassgrad.utils.data``), seeded toy sets, MNIST / Fashion-MNIST and a shipped text corpus.

>>> import glassgrad as gg
>>> from glassgrad.data import DataLoader, moons
>>> loader = DataLoader(moons(n_samples=100), batch_size=32, shuffle=True)
>>> [tuple(x.shape) for x, y in loader]
[(32, 2), (32, 2), (32, 2), (4, 2)]
"""
from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset,
                      random_split)
from .idx import read_idx, write_idx
from .samplers import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                       WeightedRandomSampler)
from .text import CharDataset, Vocab, char_splits, shakespeare
from .toy import ToyDataset, blobs, circles, moons, sine, spiral, xor
from .vision import MNIST, FashionMNIST

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
           "random_split", "DataLoader", "default_collate", "default_convert", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler", "ToyDataset", "spiral", "moons", "circles", "xor", "blobs", "sine", "MNIST",
           "FashionMNIST", "read_idx", "write_idx", "shakespeare", "Vocab", "CharDataset", "char_splits"]
