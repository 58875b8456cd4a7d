"""Screenshots of every playground view, laptop and phone, for a person to look at:
``python -m tests.web.screens OUT_DIR``. It serves the playground, trains the spiral, steps through one
iteration, races, saves, and switches to the moons and the noisy sine. Not a test: it asserts nothing
but that no page error or console error happened."""
import os
import sys
import tempfile

from playwright.sync_api import sync_playwright

from glassgrad.web import running
from tests.browser import ARGS, CHROMIUM

VIEWPORTS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def shoot(page, out: str, name: str, selector: str | None = None) -> None:
    # An element shot scrolls it to the top, under the sticky header: let the header scroll away for it.
    page.evaluate("(sticky) => document.querySelector('header').style.position = sticky ? '' : 'static'",
                  selector is None)
    target = page.locator(selector) if selector else page
    kwargs = {} if selector else {"full_page": True}
    target.screenshot(path=os.path.join(out, f"{name}.png"), **kwargs)


def play_until(page, step: int) -> None:
    page.click("#play")
    page.wait_for_function(f"PG.state.last.step >= {step}", timeout=120_000)
    page.click("#play")
    page.wait_for_timeout(300)


def views(context, url: str, out: str, kind: str, viewport: dict) -> list:
    page = context.new_page()
    page.set_viewport_size(viewport)
    errors = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.goto(url)
    page.wait_for_function("window.PG && PG.state.frames > 0")
    shoot(page, out, f"{kind}_start")
    play_until(page, 1500)
    shoot(page, out, f"{kind}_trained")
    for name, selector in (("neurons", ".panel.network"), ("output", ".panel.output"), ("boundary", "#boundary"),
                           ("curves", "#curves")):
        shoot(page, out, f"{kind}_{name}", selector)
    page.check("#linkmode input[value=gradient]")
    shoot(page, out, f"{kind}_neurons_gradient", ".panel.network")
    page.check("#linkmode input[value=weight]")
    page.click("#stepthrough")
    page.wait_for_selector("#steppanel:not([hidden])")
    for phase in ("forward", "loss", "backward", "update"):
        page.click(f"#stepview button[data-phase={phase}]")
        page.wait_for_timeout(1800)                           # the layers appear one by one
        shoot(page, out, f"{kind}_step_{phase}", "#steppanel")
    page.click("#closestep")
    page.fill("#race-steps", "150")
    page.click("#race-start")
    page.wait_for_function("document.querySelector('#raceview').dataset.done === '1'", timeout=120_000)
    shoot(page, out, f"{kind}_race", "#racepanel")
    page.click("#save")
    page.wait_for_selector("#download-explainer", timeout=60_000)
    shoot(page, out, f"{kind}_save", "#savepanel")
    page.select_option("#ctl-dataset", "moons")
    page.wait_for_function("PG.state.config.dataset === 'moons'")
    play_until(page, 400)
    shoot(page, out, f"{kind}_moons", "main")
    page.select_option("#ctl-dataset", "sine")
    page.wait_for_function("PG.state.last.boundary.kind === 'fit'")
    page.select_option("#ctl-schedule", "warmup_cosine")
    page.wait_for_function("PG.state.config.schedule === 'warmup_cosine'")
    play_until(page, 600)
    shoot(page, out, f"{kind}_sine", "main")
    shoot(page, out, f"{kind}_end")
    page.close()
    return errors


def main(out: str) -> None:
    os.makedirs(out, exist_ok=True)
    with running(runs_dir=tempfile.mkdtemp(prefix="glassgrad-screens-")) as url, sync_playwright() as p, \
            tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                       args=ARGS)
        for kind, viewport in VIEWPORTS.items():
            errors = views(context, url, out, kind, viewport)
            print(f"{kind}: {len(errors)} page/console errors" + "".join(f"\n  {e}" for e in errors), flush=True)
        context.close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "playground-screens")
