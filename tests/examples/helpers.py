"""Running the scripts in examples/ inside the test process, as either library.

Each example picks its library at import time (``"--torch" in sys.argv``), so a test loads a fresh copy of
the script with the argv it will run with, then calls its ``main(argv)``, which returns what it measured.
"""
import importlib.util
import itertools
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_fresh = itertools.count()


def load_example(name: str, torch: bool = False):
    """A new module object of ``examples/<name>.py`` bound to PyTorch (``torch=True``) or glassgrad."""
    path = EXAMPLES / f"{name}.py"
    module_name = f"_example_{name}_{next(_fresh)}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    saved_argv = sys.argv
    sys.argv = [str(path)] + (["--torch"] if torch else [])
    sys.modules[module_name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
    finally:
        sys.argv = saved_argv
        del sys.modules[module_name]
    return module


def run_example(name: str, args: list, torch: bool = False) -> dict:
    """Run the example's ``main`` with ``args`` (plus ``--torch``) and return its results."""
    module = load_example(name, torch)
    return module.main(args + (["--torch"] if torch else []))


def fashion_mnist_available() -> bool:
    from glassgrad.data import FashionMNIST
    try:
        FashionMNIST(train=False)
    except RuntimeError:
        return False
    return True


needs_fashion_mnist = pytest.mark.skipif(
    not fashion_mnist_available(),
    reason="Fashion-MNIST is not on this machine (Debian: apt-get install dataset-fashion-mnist)")
