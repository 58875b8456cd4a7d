import numpy as np
import pytest

import glassgrad as gg
from glassgrad.autograd import AnomalyError, Function


def test_forward_nan_names_op_shape_and_line():
    x = gg.tensor([-1.0, 1.0], requires_grad=True)
    with pytest.raises(AnomalyError) as info:
        with gg.autograd.detect_anomaly():
            x.log()  # the culprit
    message = str(info.value)
    assert message.startswith("log: forward produced NaN")
    assert "(2,)" in message and "the culprit" in message and __file__ in message


def test_backward_inf_names_the_op_that_made_it():
    x = gg.tensor([0.0, 1.0], requires_grad=True)
    with pytest.raises(AnomalyError) as info:
        with gg.autograd.detect_anomaly():
            y = x.sqrt()  # sqrt'(0) is infinite
            y.sum().backward()
    assert str(info.value).startswith("sqrt: backward produced Inf")
    assert "sqrt'(0) is infinite" in str(info.value)
    assert x.grad is None  # nothing half-written


def test_off_by_default_and_costs_nothing():
    x = gg.tensor([-1.0])
    assert np.isnan(x.log().item())


def test_gradcheck_catches_a_wrong_backward():
    class WrongSquare(Function):
        def forward(self, a):
            self.save_for_backward(a)
            return a * a

        def backward(self, grad):
            (a,) = self.saved
            return grad * a  # should be 2a

    x = gg.randn(3, dtype=gg.float64, requires_grad=True)
    with pytest.raises(gg.autograd.GradcheckError, match="Jacobian mismatch"):
        gg.autograd.gradcheck(lambda t: WrongSquare.apply(t), (x,))
    assert not gg.autograd.gradcheck(lambda t: WrongSquare.apply(t), (x,), raise_exception=False)
    assert gg.autograd.gradcheck(lambda t: t * t, (x,))


def test_gradcheck_refuses_float32():
    x = gg.randn(3, requires_grad=True)
    with pytest.raises(gg.autograd.GradcheckError, match="float64"):
        gg.autograd.gradcheck(lambda t: t * t, (x,))
