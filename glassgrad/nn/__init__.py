"""Neural-network layers, losses and initialisation, with PyTorch's names (``torch.nn``).

>>> import glassgrad as gg
>>> from glassgrad import nn
>>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
>>> loss = nn.MSELoss()(model(gg.randn(16, 4)), gg.zeros(16, 1))
>>> loss.backward()
>>> model[0].weight.grad.shape
(8, 4)
"""
from . import functional, init, utils
from .activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh
from .attention import MultiheadAttention
from .conv import Conv2d
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .dropout import Dropout
from .flatten import Flatten, Unflatten
from .hooks import RemovableHandle, register_module_forward_hook, register_module_forward_pre_hook
from .linear import Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss,
                   SmoothL1Loss)
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .parameter import Parameter
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .sparse import Embedding
from .summary import ModuleSummary

__all__ = ["Module", "Parameter", "functional", "init", "utils", "Sequential", "ModuleList", "ModuleDict",
           "ParameterList", "ParameterDict", "Identity", "Linear", "Flatten", "Unflatten", "ReLU",
           "LeakyReLU", "Sigmoid", "Tanh", "GELU", "SiLU", "Softplus", "ELU", "MSELoss", "L1Loss",
           "HuberLoss", "SmoothL1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss",
           "Softmax", "LogSoftmax", "Dropout", "Embedding", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
           "MultiheadAttention", "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "RemovableHandle",
           "register_module_forward_hook", "register_module_forward_pre_hook", "ModuleSummary"]
