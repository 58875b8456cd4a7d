"""The default explainer, built once per session (trained, recorded, written), and one headless Chromium
(Debian's, driven by Playwright) that every browser test shares."""
import json
import os

import pytest

from glassgrad.viz import explainer

CHROMIUM = "/usr/bin/chromium"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(view data, HTML path, run directory) of the embedded default, exactly as ``make demo`` makes it."""
    root = tmp_path_factory.mktemp("explainer")
    run_dir = root / "run"
    data = explainer.explainer_data(run_dir=run_dir)
    path = explainer.write_html(data, root / "explainer.html")
    return data, path, run_dir


@pytest.fixture(scope="session")
def browser_context(chromium):
    return chromium  # the session's one Chromium (tests/browser.py)


class Page:
    """A page opened on the explainer, with every console error, page error and request recorded
    (requests other than the file itself are aborted, so none can leave)."""

    def __init__(self, context, path, viewport=LAPTOP):
        self.errors, self.requests = [], []
        self.page = context.new_page()
        self.page.set_viewport_size(viewport)
        self.page.on("pageerror", lambda err: self.errors.append(f"pageerror: {err}"))
        self.page.on("console", lambda msg: self.errors.append(f"console.{msg.type}: {msg.text}")
                     if msg.type in ("error", "warning") else None)
        self.url = "file://" + os.path.abspath(path)

        def route(r):
            self.requests.append(r.request.url)
            if r.request.url == self.url:
                r.continue_()
            else:
                r.abort()
        self.page.route("**/*", route)
        self.page.goto(self.url)
        self.page.wait_for_selector("body[data-ready=true]", timeout=15000)

    def close(self):
        self.page.close()


@pytest.fixture
def open_page(browser_context, built):
    pages = []

    def opener(viewport=LAPTOP):
        page = Page(browser_context, built[1], viewport)
        pages.append(page)
        return page
    yield opener
    for page in pages:
        page.close()


def read_data(path) -> dict:
    """The view data inlined in an explainer file."""
    text = open(path, encoding="utf-8").read()
    start = text.index('<script type="application/json" id="gg-data">') + len(
        '<script type="application/json" id="gg-data">')
    return json.loads(text[start:text.index("</script>", start)])


def record_run(folder, model, x, y, loss_fn, name):
    """``folder / name``: six SGD steps of ``model`` on (x, y), recorded with that batch as the probe and a
    snapshot every two steps (a recorded run of the user's own model, for ``explain --run``)."""
    import glassgrad as gg
    opt = gg.optim.SGD(model.parameters(), lr=0.05)
    with gg.trace.Recorder(model, folder / name, optimizer=opt, probe=(x, y), loss_fn=loss_fn,
                           snapshots=2) as rec:
        for _ in range(6):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            rec.log_epoch(1, loss=float(loss.item()))
    return folder / name
