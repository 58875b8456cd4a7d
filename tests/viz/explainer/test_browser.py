"""The explainer in headless Chromium: it opens with no error and no request, every section draws, play
animates, scrubbing moves, and the forward pass shows the recorded run's own numbers."""
import numpy as np
import pytest

import glassgrad as gg
from tests.viz.explainer.conftest import PHONE, record_run

SECTIONS = ("forward", "loss", "backprop", "descent", "schedules", "training")
# The element each section's scrubbing moves (its data-step / data-frame attribute).
SHOWN = {"forward": ".gg-network", "loss": "[data-role=sample-loss]", "backprop": ".gg-graph",
         "descent": ".gg-landscape", "schedules": ".gg-schedules", "training": ".gg-boundary"}


def scrub(page, section, value, player=0):
    page.evaluate("""([section, value, player]) => {
        const s = document.querySelectorAll('#' + section + ' .gg-player [data-role=scrub]')[player];
        s.value = String(value); s.dispatchEvent(new Event('input'));
    }""", [section, value, player])


def frames(page, section, player=0):
    return int(page.locator(f"#{section} .gg-player").nth(player).get_attribute("data-frame"))


def count(page, section, player=0):
    return int(page.locator(f"#{section} .gg-player [data-role=scrub]").nth(player).get_attribute("max")) + 1


def test_opens_with_no_error_and_no_request(open_page):
    page = open_page()
    assert page.errors == []
    assert page.requests == [page.url]
    assert page.page.title().startswith("How this network learned")
    text = page.page.locator(".gg-count").inner_text()
    assert "371 parameters" in text and "billions of parameters" in text


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_renders(open_page, section):
    page = open_page()
    root = page.page.locator(f"#{section}")
    assert root.get_attribute("data-ready") == "true"
    assert root.locator(".gg-text h2").inner_text().startswith(str(SECTIONS.index(section) + 1))
    assert root.locator(".gg-player").count() >= 1
    assert root.locator(".gg-not-applicable").count() == 0
    assert root.locator("canvas, svg").count() >= 1
    shot = root.locator(".gg-stage").screenshot()
    assert len(set(shot[len(shot) // 3: len(shot) // 3 + 4000])) > 20   # not a blank box
    assert page.errors == []


@pytest.mark.parametrize("section", SECTIONS)
def test_play_advances_the_animation(open_page, section):
    page = open_page()
    scrub(page.page, section, 0)
    stage = page.page.locator(f"#{section} .gg-stage")
    before = stage.screenshot()
    page.page.locator(f"#{section} [data-role=play]").first.click()
    page.page.wait_for_function("(s) => +document.querySelector('#' + s + ' .gg-player').dataset.frame >= 2",
                                arg=section, timeout=8000)
    page.page.locator(f"#{section} [data-role=play]").first.click()   # pause
    assert frames(page.page, section) >= 2
    assert stage.screenshot() != before                                  # pixels changed
    assert page.errors == []


@pytest.mark.parametrize("section", SECTIONS)
def test_scrubbing_changes_the_shown_step(open_page, section):
    page = open_page()
    player = 1 if section == "forward" else 0   # the forward pass's second player scrubs training
    shown = page.page.locator(f"#{section} {SHOWN[section]}").first

    def state():
        return (shown.get_attribute("data-step"), shown.get_attribute("data-frame"), shown.inner_text(),
                page.page.locator(f"#{section} .gg-player [data-role=label]").nth(player).inner_text())
    scrub(page.page, section, 0, player)
    first = state()
    scrub(page.page, section, count(page.page, section, player) // 2, player)
    middle = state()
    assert first != middle and first[3] != middle[3]
    assert frames(page.page, section, player) == count(page.page, section, player) // 2


def shown_number(page, field):
    return float(page.locator(f"#forward [data-field={field}]").first.inner_text())


@pytest.mark.parametrize("which", ["first", "last"])
def test_forward_pass_shows_the_recorded_numbers(open_page, built, which):
    data, _, run_dir = built
    run = gg.trace.load_run(run_dir)
    page = open_page().page
    frames_count = len(data["network"]["frames"])
    scrub(page, "forward", 0 if which == "first" else frames_count - 1, player=1)
    step = run.snapshot_steps[0 if which == "first" else -1]
    snap = run.snapshot(step)
    k = 2
    page.locator(f"#forward .gg-sample-picker [data-value='{k}']").click()
    sample = data["samples"][k]
    x = run.probe["x"][sample].astype(np.float64)
    w, b = snap.weights["0.weight"], snap.weights["0.bias"]
    z = w @ x + b
    for neuron in (0, 5, 11):
        page.locator(f"#forward circle[data-layer='1'][data-neuron='{neuron}']").click()
        detail = page.locator("#forward .gg-neuron-detail")
        assert detail.get_attribute("data-step") == str(step)
        assert detail.get_attribute("data-sample") == str(sample)
        assert abs(shown_number(page, "z") - z[neuron]) < 6e-4
        assert abs(shown_number(page, "b") - b[neuron]) < 6e-4
        assert abs(shown_number(page, "a") - max(z[neuron], 0.0)) < 6e-4
    logits = snap.output[sample].astype(np.float64)
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    page.locator("#forward circle[data-layer='3'][data-neuron='1']").click()
    assert abs(shown_number(page, "z") - logits[1]) < 6e-4
    shown = [float(t) for t in page.locator("#forward [data-field=p]").all_inner_texts()]
    np.testing.assert_allclose(shown, probs, atol=6e-4)
    verdict = page.locator("#forward [data-field=verdict]").inner_text()
    right = int(np.argmax(probs)) == int(run.probe["y"][sample])
    assert verdict.startswith("right" if right else "wrong")


def test_picking_a_sample_follows_into_loss_and_backprop(open_page, built):
    data = built[0]
    page = open_page().page
    page.locator("#forward .gg-sample-picker [data-value='1']").click()
    sample = data["samples"][1]
    assert f"sample #{sample}" in page.locator("#loss [data-role=sample-loss]").inner_text()
    assert f"sample #{sample}" in page.locator("#backprop .gg-controls").inner_text()


def test_descent_learning_rate_control_switches_runs(open_page):
    page = open_page().page
    legend = page.locator("#descent [data-role=legend]")
    right = legend.inner_text()
    page.locator("#descent .gg-rate-picker [data-value=large]").click()
    large = legend.inner_text()
    page.locator("#descent .gg-rate-picker [data-value=small]").click()
    assert len({right, large, legend.inner_text()}) == 3
    page.locator("#descent input[data-optimizer=sgd]").uncheck()
    assert "SGD:" not in legend.inner_text()


def test_backprop_steps_fill_in_gradients(open_page):
    page = open_page().page
    scrub(page, "backprop", 0)
    assert page.locator("#backprop .gg-gnode.gg-has-grad").count() == 0
    page.locator("#backprop [data-role=next]").click()
    assert "cross_entropy" in page.locator("#backprop .gg-side .gg-detail-title").inner_text()
    scrub(page, "backprop", count(page, "backprop") - 1)
    assert page.locator("#backprop .gg-gnode.gg-top").count() == 3
    assert page.locator("#backprop .gg-gnode.gg-param.gg-has-grad").count() == 6


def test_reads_on_a_phone(open_page):
    page = open_page(PHONE)
    width = page.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1          # nothing pushes the page sideways
    for section in SECTIONS:
        box = page.page.locator(f"#{section} .gg-stage").bounding_box()
        assert box["width"] <= PHONE["width"] and box["height"] > 150
    assert page.errors == []


@pytest.fixture(scope="module")
def other_run_page(tmp_path_factory):
    """The explainer of a recorded run that is neither an MLP nor on 2-D inputs."""
    from glassgrad import nn
    from glassgrad.viz.explainer import explain_run
    root = tmp_path_factory.mktemp("other")
    gg.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.LayerNorm(8), nn.ReLU(), nn.Linear(8, 3))
    x, y = gg.randn(32, 5), gg.randint(0, 3, (32,))
    return explain_run(record_run(root, model, x, y, nn.CrossEntropyLoss(), "run"), root / "other.html")


def test_a_run_the_sections_do_not_fit_still_renders_and_says_why(browser_context, other_run_page):
    from tests.viz.explainer.conftest import Page
    page = Page(browser_context, other_run_page)
    try:
        assert page.errors == [] and page.requests == [page.url]
        notes = {s: page.page.locator(f"#{s} .gg-not-applicable").count() for s in SECTIONS}
        assert notes == {"forward": 1, "loss": 0, "backprop": 0, "descent": 1, "schedules": 1, "training": 1}
        for section in SECTIONS:
            assert page.page.locator(f"#{section} .gg-player").count() >= 1, section
        assert page.page.locator("#forward .gg-layer-list tr").count() == 5   # a header and 4 layers
        scrub(page.page, "forward", 1)
        assert page.page.locator("#forward .gg-network").get_attribute("data-step") == "2"
        assert "sample #" in page.page.locator("#loss [data-role=sample-loss]").inner_text()
    finally:
        page.close()


def test_a_run_recorded_without_a_probe_still_renders(browser_context, tmp_path):
    from glassgrad import nn
    from glassgrad.viz.explainer import explain_run
    from tests.viz.explainer.conftest import Page
    gg.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))
    x, y = gg.randn(32, 5), gg.randint(0, 3, (32,))
    opt, loss_fn = gg.optim.SGD(model.parameters(), lr=0.05), nn.CrossEntropyLoss()
    with gg.trace.Recorder(model, tmp_path / "run", optimizer=opt):
        for _ in range(6):
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
    page = Page(browser_context, explain_run(tmp_path / "run", tmp_path / "page.html"))
    try:
        assert page.errors == [] and page.requests == [page.url]
        assert page.page.locator(".gg-not-applicable").count() == len(SECTIONS)
        assert "without a probe batch" in page.page.locator("#forward .gg-not-applicable").inner_text()
        assert count(page.page, "training") == 6            # the training loop plays over its 6 steps
        assert count(page.page, "schedules") == 6
    finally:
        page.close()
