"""Optimizers, learning-rate schedules and gradient clipping, with PyTorch's API and numbers.

>>> import glassgrad as gg
>>> w = gg.tensor([3.0], requires_grad=True)
>>> opt = gg.optim.AdamW([w], lr=0.1)
>>> sched = gg.optim.lr_scheduler.warmup_cosine(opt, warmup_steps=2, total_steps=10)
>>> for _ in range(10):
...     opt.zero_grad()
...     (w * w).sum().backward()
...     opt.step()
...     sched.step()
>>> round(w.item(), 4) < 3.0
True
"""
from . import lr_scheduler, schedules
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from .optimizer import Optimizer, register_optimizer_step_post_hook, register_optimizer_step_pre_hook
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler", "schedules",
           "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
           "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]
