"""The op library: one file per family, each op a Function with its backward under its forward."""
from . import conv, elementwise, gather, indexing, join, linalg, nn, reduce, shape

METHOD_MODULES = (elementwise, reduce, shape, indexing, gather, join, linalg, conv, nn)

from .conv import *  # noqa: E402,F401,F403
from .elementwise import *  # noqa: E402,F401,F403
from .gather import *  # noqa: E402,F401,F403
from .indexing import *  # noqa: E402,F401,F403
from .join import *  # noqa: E402,F401,F403
from .linalg import *  # noqa: E402,F401,F403
from .nn import *  # noqa: E402,F401,F403
from .reduce import *  # noqa: E402,F401,F403
from .shape import *  # noqa: E402,F401,F403
