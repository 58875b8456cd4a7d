"""The op library: one file per family, each op a Function with its backward under its forward."""
from . import (activations, adaptive_pool, compare, conv, elementwise, gather, indexing, join, linalg, moments,
               nn, pool, reduce, shape, sort)

METHOD_MODULES = (elementwise, activations, compare, reduce, moments, sort, shape, indexing, gather, join,
                  linalg, conv, pool, adaptive_pool, nn)

from .activations import *  # noqa: E402,F401,F403
from .compare import *  # noqa: E402,F401,F403
from .conv import *  # noqa: E402,F401,F403
from .elementwise import *  # noqa: E402,F401,F403
from .gather import *  # noqa: E402,F401,F403
from .indexing import *  # noqa: E402,F401,F403
from .join import *  # noqa: E402,F401,F403
from .linalg import *  # noqa: E402,F401,F403
from .moments import *  # noqa: E402,F401,F403
from .nn import *  # noqa: E402,F401,F403
from .pool import *  # noqa: E402,F401,F403
from .reduce import *  # noqa: E402,F401,F403
from .shape import *  # noqa: E402,F401,F403
from .sort import *  # noqa: E402,F401,F403

# Only the ops' public names reach `glassgrad.*`, not these submodules (gg.nn is the layers package).
__all__ = sorted({name for module in METHOD_MODULES + (adaptive_pool, pool) for name in module.__all__})
