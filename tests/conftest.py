"""Fixtures shared across test packages."""
from tests.recorded import recorded_run, spiral_data  # noqa: F401  (session-scoped: recorded once)
