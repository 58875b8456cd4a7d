"""Screenshots of every section (laptop and phone) and the script time of animation frames, for a person
to look at: ``python -m tests.viz.explainer.screens OUT_DIR [PAGE.html]`` (builds the default page when
none is given). Not a test: timings never go into tests."""
import json
import os
import sys
import tempfile

from playwright.sync_api import sync_playwright

from tests.viz.explainer.conftest import CHROMIUM, LAPTOP, PHONE

SECTIONS = ("forward", "loss", "backprop", "descent", "schedules", "training")


def measure(page, seconds: float = 4.0) -> dict:
    """Play every player of every section at once for ``seconds``; the worst frame per player (ms)."""
    page.evaluate("GG.perf.max = 0; GG.perf.by = {}; GG.perf.frames = 0; GG.perf.total = 0")
    page.evaluate("""() => document.querySelectorAll('.gg-player').forEach(p => {
        const s = p.querySelector('[data-role=scrub]'); s.value = '0'; s.dispatchEvent(new Event('input'));
        p.querySelector('[data-role=play]').click(); })""")
    page.wait_for_timeout(seconds * 1000)
    perf = page.evaluate("JSON.parse(JSON.stringify(GG.perf))")
    page.evaluate("() => document.querySelectorAll('.gg-player.gg-playing [data-role=play]').forEach(b => b.click())")
    return perf


def main(out_dir: str, html: str | None = None) -> None:
    os.makedirs(out_dir, exist_ok=True)
    if html is None:
        from glassgrad.viz import explainer
        html = explainer.explain(out=os.path.join(out_dir, "explainer.html"))
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for name, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
            page = context.new_page()
            page.set_viewport_size(viewport)
            page.goto("file://" + os.path.abspath(html))
            page.wait_for_selector("body[data-ready=true]")
            for section in SECTIONS:
                page.locator(f"#{section}").screenshot(path=os.path.join(out_dir, f"{name}-{section}.png"))
            perf = measure(page)
            for section in SECTIONS:
                page.locator(f"#{section}").screenshot(path=os.path.join(out_dir, f"{name}-{section}-playing.png"))
            print(name, json.dumps({"frames": perf["frames"], "worst_ms": round(perf["max"], 1),
                                    "mean_ms": round(perf["total"] / max(perf["frames"], 1), 2),
                                    "worst_by_player": {k: round(v, 1) for k, v in perf["by"].items()}}))
            page.close()
        context.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
