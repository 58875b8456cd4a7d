"""The op library: one file per family, each op a Function with its backward under its forward."""
from . import adaptive_pool, conv, elementwise, linalg, nn, pool, reduce, shape

METHOD_MODULES = (elementwise, reduce, shape, linalg, conv, pool, adaptive_pool, nn)

from .conv import *  # noqa: E402,F401,F403
from .elementwise import *  # noqa: E402,F401,F403
from .linalg import *  # noqa: E402,F401,F403
from .nn import *  # noqa: E402,F401,F403
from .pool import *  # noqa: E402,F401,F403
from .reduce import *  # noqa: E402,F401,F403
from .shape import *  # noqa: E402,F401,F403
