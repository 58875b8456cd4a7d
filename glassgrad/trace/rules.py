"""The chain-rule step of each op, in words, for visuals: what ∂output/∂input is.

A recorded backward step shows ``gradient to input = local derivative × upstream gradient``; for ops whose
local derivative is a matrix (matmul, sums, softmax) the rule says how it is applied.
"""
from __future__ import annotations

RULES = {
    "add": ("1", "1"),
    "sub": ("1", "−1"),
    "mul": ("b (the other factor)", "a (the other factor)"),
    "div": ("1 / b", "−a / b²"),
    "pow": ("b · a^(b−1)", "a^b · ln a"),
    "neg": ("−1",),
    "abs": ("sign(x)",),
    "exp": ("exp(x)",),
    "log": ("1 / x",),
    "sqrt": ("1 / (2√x)",),
    "sin": ("cos(x)",),
    "cos": ("−sin(x)",),
    "tanh": ("1 − tanh²(x)",),
    "sigmoid": ("σ(x) · (1 − σ(x))",),
    "relu": ("1 if x > 0 else 0",),
    "leaky_relu": ("1 if x > 0 else slope",),
    "gelu": ("Φ(x) + x · φ(x)",),
    "silu": ("σ(x) · (1 + x · (1 − σ(x)))",),
    "softplus": ("σ(x)",),
    "maximum": ("1 where a wins", "1 where b wins"),
    "minimum": ("1 where a wins", "1 where b wins"),
    "clamp": ("1 inside the bounds, 0 outside",),
    "matmul": ("G · Bᵀ (upstream times the other matrix, transposed)",
               "Aᵀ · G (the other matrix, transposed, times upstream)"),
    "linear": ("G · W (upstream through the weights)", "Gᵀ · x (upstream times the input)",
               "Σ G over the batch (each bias adds to every sample)"),
    "conv2d": ("the upstream gradient convolved back through the flipped kernels",
               "each kernel's gradient: the input patches times upstream", "Σ G over batch and positions"),
    "max_pool2d": ("1 at each window's maximum, 0 elsewhere",),
    "avg_pool2d": ("1/k² for every element of each window",),
    "layer_norm": ("(γ/σ)(G − mean(G) − x̂ · mean(G · x̂)) (the normalisation's Jacobian)",
                   "Σ G · x̂", "Σ G"),
    "batch_norm": ("(γ/σ)(G − mean(G) − x̂ · mean(G · x̂)) over the batch", "Σ G · x̂", "Σ G"),
    "dropout": ("mask / (1 − p): 0 where dropped",),
    "embedding": (None, "the upstream rows added into the looked-up rows"),
    "scaled_dot_product_attention": ("through softmax(QKᵀ/√d): G·V'ᵀ paths to the queries",
                                     "… to the keys", "softmax weightsᵀ · G to the values"),
    "sum": ("1 for every element (the upstream gradient is copied back)",),
    "mean": ("1/n for every element",),
    "softmax": ("s · (g − Σ g·s) (the softmax Jacobian applied)",),
    "log_softmax": ("g − softmax(x) · Σ g",),
    "cross_entropy": ("(softmax(z) − onehot(y)) / batch", None),
    "nll_loss": ("−1/batch at the target class, 0 elsewhere", None),
    "mse_loss": ("2 (x − y) / n", "−2 (x − y) / n"),
    "reshape": ("the gradient reshaped back",),
    "transpose": ("the gradient transposed back",),
    "getitem": ("the gradient scattered back into the selected positions",),
    "cast": ("1 (cast back to the input's dtype)",),
}


# Ops whose local derivative is one number per element (∂out_i/∂in_i), so that gradient sent divided by
# upstream gradient IS the local derivative; for the others (matmul, linear, reductions, softmax …) that
# ratio means nothing, even when the shapes happen to agree.
ELEMENTWISE = {"add", "sub", "mul", "div", "pow", "neg", "abs", "exp", "log", "log1p", "expm1", "sqrt",
               "rsqrt", "sin", "cos", "tanh", "sigmoid", "relu", "leaky_relu", "gelu", "silu", "softplus",
               "maximum", "minimum", "clamp", "where", "cast", "dropout", "elu"}


def rule(op: str, input_index: int) -> str | None:
    """The local derivative of ``op`` with respect to input ``input_index``, in words (None if unknown).

    >>> rule("mul", 0)
    'b (the other factor)'
    """
    rules = RULES.get(op)
    if rules is None:
        return None
    return rules[min(input_index, len(rules) - 1)]
