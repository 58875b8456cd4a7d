"""One headless Chromium for the whole test session (Debian's, driven by Python Playwright; never a
downloaded browser). Playwright's sync API allows one instance per thread, so every browser test — the
explainer's and the playground's — shares this context; each test opens its own pages."""
import os
import tempfile

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                       args=ARGS, viewport={"width": 1366, "height": 900})
        yield context
        context.close()
