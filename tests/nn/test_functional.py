"""nn.functional: every public name exists in torch.nn.functional with the same parameter names and
defaults, so ``import glassgrad.nn.functional as F`` ports code unchanged."""
import ast
import inspect

import pytest
import torch.nn.functional as TF

import glassgrad.nn.functional as F


def _torch_parameters(fn) -> dict:
    """Parameter names and defaults of a torch function: from its signature, or for C builtins and
    dispatching wrappers from the signature line that opens its docstring."""
    try:
        params = inspect.signature(fn).parameters
        kinds = {p.kind for p in params.values()}
        if kinds != {inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD}:
            return {k: p.default for k, p in params.items()}
    except (TypeError, ValueError):
        pass
    head = fn.__doc__.strip().split(")")[0] + ")"
    args = ast.parse(f"def {head}: pass").body[0].args
    names = [a.arg for a in args.args + args.kwonlyargs]
    defaults = [inspect.Parameter.empty] * (len(args.args) - len(args.defaults)) + [
        ast.literal_eval(d) for d in args.defaults]
    defaults += [inspect.Parameter.empty if d is None else ast.literal_eval(d) for d in args.kw_defaults]
    return dict(zip(names, defaults))


@pytest.mark.parametrize("name", F.__all__)
def test_same_name_and_signature_as_torch(name):
    expected = _torch_parameters(getattr(TF, name))
    got = {k: p.default for k, p in inspect.signature(getattr(F, name)).parameters.items()}
    assert list(got) == list(expected), name
    for key, default in expected.items():
        if default is not inspect.Parameter.empty:
            assert got[key] == default, f"{name}({key}=...)"
