import glassgrad as gg


def test_no_grad_context_and_decorator():
    x = gg.ones(2, requires_grad=True)
    with gg.no_grad():
        assert not (x * 2).requires_grad
        assert not gg.is_grad_enabled()
    assert gg.is_grad_enabled()

    @gg.no_grad()
    def evaluate(t):
        return t * 2

    assert not evaluate(x).requires_grad and (x * 2).requires_grad


def test_enable_grad_inside_no_grad():
    x = gg.ones(2, requires_grad=True)
    with gg.no_grad():
        with gg.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad


def test_set_grad_enabled_restores_on_exit():
    with gg.set_grad_enabled(False):
        assert not gg.is_grad_enabled()
    assert gg.is_grad_enabled()


def test_grad_mode_restored_after_exception():
    try:
        with gg.no_grad():
            raise KeyError
    except KeyError:
        pass
    assert gg.is_grad_enabled()
