"""Losses as modules: each holds its options (and class weights as buffers, as PyTorch does) and calls
its ``nn.functional`` twin."""
from __future__ import annotations

from . import functional as F
from .functional_loss import _get_reduction
from .module import Module


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__()
        self.reduction = _get_reduction(reduction, size_average, reduce)


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error.

    >>> import glassgrad as gg
    >>> gg.nn.MSELoss(reduction="sum")(gg.tensor([1.0, 2.0]), gg.tensor([0.0, 0.0]))
    tensor(5.)
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error.

    >>> import glassgrad as gg
    >>> gg.nn.L1Loss()(gg.tensor([1.0, -1.0]), gg.tensor([0.0, 0.0]))
    tensor(1.)
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Squared below ``delta``, delta-scaled absolute above.

    >>> import glassgrad as gg
    >>> gg.nn.HuberLoss(delta=1.0)(gg.tensor([0.5, 3.0]), gg.tensor([0.0, 0.0]))
    tensor(1.3125)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """Squared / beta below ``beta``, absolute above (Huber divided by beta).

    >>> import glassgrad as gg
    >>> gg.nn.SmoothL1Loss(beta=2.0)(gg.tensor([1.0, 4.0]), gg.tensor([0.0, 0.0]))
    tensor(1.625)
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy on probabilities (apply ``Sigmoid`` first, or use ``BCEWithLogitsLoss``).

    >>> import glassgrad as gg
    >>> gg.nn.BCELoss()(gg.tensor([0.5]), gg.tensor([1.0]))
    tensor(0.6931)
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits, numerically stable; ``pos_weight`` weighs positives per class.

    >>> import glassgrad as gg
    >>> gg.nn.BCEWithLogitsLoss(pos_weight=gg.tensor([2.0]))(gg.tensor([0.0]), gg.tensor([1.0]))
    tensor(1.3863)
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean",
                 pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits (N, C, …) against class indices (N, …) or class probabilities.

    >>> import glassgrad as gg
    >>> loss = gg.nn.CrossEntropyLoss()(gg.zeros(4, 10), gg.tensor([1, 2, 3, 4]))
    >>> round(loss.item(), 4)                                  # ln(10): uniform logits
    2.3026
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (N, C, …) (e.g. from ``LogSoftmax``) at the target
    classes.

    >>> import glassgrad as gg
    >>> gg.nn.NLLLoss()(gg.tensor([[-0.5, -2.0]]), gg.tensor([1]))
    tensor(2.)
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)
