"""Fixtures shared across test packages."""
from tests.browser import chromium  # noqa: F401  (one headless Chromium per session)
from tests.recorded import recorded_run, spiral_data  # noqa: F401  (session-scoped: recorded once)
