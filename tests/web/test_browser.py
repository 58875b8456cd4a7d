"""The page in headless Chromium (Debian's, never a downloaded one) against a server the test starts.

Screenshots of every view go to $GLASSGRAD_SHOTS when it is set (to look at them), else to a temp dir
(``python -m tests.web.screens OUT_DIR`` takes them all, laptop and phone)."""
import os

import pytest

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium")

from glassgrad.web import running  # noqa: E402


@pytest.fixture(scope="module")
def browser(tmp_path_factory, chromium):
    with running(runs_dir=str(tmp_path_factory.mktemp("runs"))) as url:
        yield url, chromium


@pytest.fixture
def shots(tmp_path):
    folder = os.environ.get("GLASSGRAD_SHOTS") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    return folder


def watch(page) -> list:
    """Every page error and console error or warning of ``page``, as they come."""
    errors = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    return errors


def open_page(context, url):
    page = context.new_page()
    page.set_viewport_size({"width": 1400, "height": 1000})
    errors = watch(page)
    page.goto(url)
    page.wait_for_function("window.PG && PG.state.frames > 0")
    return page, errors


def open_explainer(context, path):
    """The downloaded explainer opened from disk, every request but the file itself refused."""
    page = context.new_page()
    errors, requests, url = watch(page), [], "file://" + os.path.abspath(path)

    def route(r):
        requests.append(r.request.url)
        r.continue_() if r.request.url == url else r.abort()
    page.route("**/*", route)
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=20_000)
    return page, errors, requests


def save_and_open_explainer(page, context, tmp_path):
    """Press save, download the explainer page, open it; (saved message, explainer page, errors)."""
    page.click("#save")
    page.wait_for_selector("#download-explainer", timeout=60_000)
    saved = page.evaluate("PG.state.saved")
    with page.expect_download() as download:
        page.click("#download-explainer")
    name = os.path.basename(saved["path"])
    assert download.value.suggested_filename == name + ".html"
    target = str(tmp_path / download.value.suggested_filename)
    download.value.save_as(target)
    explainer, errors, requests = open_explainer(context, target)
    assert requests == [explainer.url]                         # it makes no request at all
    return saved, explainer, errors


def test_play_learns_the_spiral_and_steps_through_one_iteration(browser, shots):
    url, context = browser
    page, errors = open_page(context, url)
    page.screenshot(path=f"{shots}/start.png", full_page=True)
    first = page.evaluate("[PG.state.last.trainLoss, PG.state.last.boundary.frames[0].classes.join()]")
    # the shared components draw the live views, with the playground's extras: test points, planned lr
    test_size = page.evaluate("PG.state.last.boundary.test_points.x.length")
    assert test_size > 0 and page.get_attribute("#boundary .gg-boundary", "data-test-points") == str(test_size)
    assert page.get_attribute("#curves .gg-curves", "data-lr-plan") == "shown"
    page.click("#play")
    page.wait_for_function("PG.state.last.step >= 1500", timeout=90_000)
    page.click("#play")                                    # pause
    later = page.evaluate("[PG.state.last.trainLoss, PG.state.last.boundary.frames[0].classes.join()]")
    assert later[0] < first[0] / 3 and later[1] != first[1]   # the loss fell, the boundary changed
    shown = page.evaluate("[PG.state.last.step, +document.querySelector('#curves .gg-curves').dataset.step, "
                          "+document.querySelector('#boundary .gg-boundary').dataset.step]")
    assert shown[0] == shown[1] == shown[2] >= 1500            # both draw the newest frame
    page.screenshot(path=f"{shots}/trained.png", full_page=True)
    page.check("#linkmode input[value=gradient]")
    assert page.get_attribute("#neurons", "data-links") == "gradient"
    page.locator("#neurons").screenshot(path=f"{shots}/neurons_gradient.png")
    step = page.evaluate("PG.state.last.step")
    page.click("#stepthrough")
    page.wait_for_selector("#steppanel:not([hidden])")
    for phase in ["forward", "loss", "backward", "update"]:
        page.click(f"#stepview button[data-phase={phase}]")
        assert page.get_attribute("#stepview", "data-phase") == phase
        page.wait_for_timeout(1800)                        # the layers appear one by one
        page.locator("#steppanel").screenshot(path=f"{shots}/step_{phase}.png")
        assert page.inner_text("#stepview .gg-step-text")
    page.wait_for_function(f"PG.state.last.step === {step + 1}")   # step-through was a real step
    assert errors == []


def test_data_set_architecture_race_and_save(browser, shots):
    url, context = browser
    page, errors = open_page(context, url)
    page.select_option("#ctl-dataset", "moons")
    page.wait_for_function("PG.state.config.dataset === 'moons' && PG.state.last.boundary.points.x.length > 0")
    page.fill("#ctl-layers", "3"), page.press("#ctl-layers", "Enter")
    page.wait_for_function("PG.state.last.neurons.sizes.length === 5")
    page.fill("#ctl-neurons", "6"), page.press("#ctl-neurons", "Enter")
    page.wait_for_function("PG.state.last.neurons.sizes.join() === '2,6,6,6,2'")
    page.select_option("#ctl-activation", "relu")
    page.wait_for_function("PG.state.config.activation === 'relu'")
    page.click("#play")
    page.wait_for_function("PG.state.last.step >= 300", timeout=60_000)
    page.click("#play")
    page.screenshot(path=f"{shots}/moons.png", full_page=True)
    page.select_option("#ctl-dataset", "sine")
    page.wait_for_function("PG.state.last.boundary.kind === 'fit'")
    assert page.eval_on_selector("#ctl-loss", "el => el.value") == "mse"
    page.click("#play")
    page.wait_for_function("PG.state.last.step >= 300", timeout=60_000)
    page.click("#play")
    page.locator("main").screenshot(path=f"{shots}/sine.png")
    page.select_option("#ctl-schedule", "warmup_cosine")
    page.wait_for_function("PG.state.config.schedule === 'warmup_cosine'")
    page.locator("#curves").screenshot(path=f"{shots}/curves_warmup_cosine.png")
    page.fill("#race-steps", "120")
    page.click("#race-start")
    page.wait_for_function("document.querySelector('#raceview').dataset.done === '1'", timeout=90_000)
    page.locator("#racepanel").screenshot(path=f"{shots}/race.png")
    page.click("#save")
    page.wait_for_selector("#download-run", timeout=60_000)
    with page.expect_download() as download:
        page.click("#download-run")
    assert download.value.suggested_filename.endswith(".zip")
    page.locator("#savepanel").screenshot(path=f"{shots}/save.png")
    assert errors == []


def test_the_saved_sessions_explainer_opens_and_shows_its_run(browser, shots, tmp_path):
    url, context = browser
    page, errors = open_page(context, url)
    page.click("#play")
    page.wait_for_function("PG.state.last.step >= 400", timeout=60_000)
    page.click("#play")
    saved, explainer, explainer_errors = save_and_open_explainer(page, context, tmp_path)
    assert explainer.title().startswith("How this network learned")
    lede = explainer.inner_text(".gg-header")
    assert os.path.basename(saved["path"]) in lede               # this session's run, by its directory
    assert f"{saved['steps']:,} steps" in lede and "371 parameters" in lede
    accuracy = explainer.inner_text("[data-fill=final_accuracy]")
    assert accuracy.endswith("%") and float(accuracy[:-1]) > 50   # the test set's accuracy, as fit logs it
    for section in ("forward", "loss", "backprop", "descent", "schedules", "training"):
        assert explainer.get_attribute(f"#{section}", "data-ready") == "true"
    assert explainer.locator("#training .gg-boundary").count() == 1
    explainer.screenshot(path=f"{shots}/saved_explainer.png")
    explainer.locator("#training").screenshot(path=f"{shots}/saved_explainer_training.png")
    assert explainer_errors == [] and errors == []
    explainer.close()


def test_a_regression_sessions_explainer_opens_too(browser, tmp_path):
    url, context = browser
    page, errors = open_page(context, url)
    page.select_option("#ctl-dataset", "sine")
    page.wait_for_function("PG.state.last.boundary.kind === 'fit'")
    page.click("#step")
    page.wait_for_function("PG.state.last.step === 1")
    saved, explainer, explainer_errors = save_and_open_explainer(page, context, tmp_path)
    assert os.path.basename(saved["path"]) in explainer.inner_text(".gg-header")
    assert explainer_errors == [] and errors == []
    explainer.close()


def test_bad_values_come_back_as_errors_on_the_page(browser):
    url, context = browser
    page, errors = open_page(context, url)
    page.evaluate("PG.send({type: 'config', config: {hidden: [8, 99]}})")
    page.wait_for_function("PG.state.errors.some(e => e.startsWith('config.hidden[1]'))")
    page.click("#step")
    page.wait_for_function("PG.state.last.step === 1")
    assert errors == []


def test_phone_size(browser, shots):
    url, context = browser
    page, errors = open_page(context, url)
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("#play")
    page.wait_for_function("PG.state.last.step >= 200", timeout=60_000)
    page.click("#play")
    page.screenshot(path=f"{shots}/phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert errors == []
