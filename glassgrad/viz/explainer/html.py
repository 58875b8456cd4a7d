"""One self-contained HTML file: the template with every style, script and number inlined.

The scripts are the package's own files under ``glassgrad/viz/web`` (the same components the playground
serves), concatenated in dependency order; the data is one JSON document in a non-executed script tag.
Nothing is loaded from anywhere at run time.
"""
from __future__ import annotations

import html
import json
import os
import re
from importlib import resources

# The shared components, in load order (helpers first): what the playground serves too.
COMPONENTS = ("lib/core.js", "lib/chart.js", "lib/player.js",
              "components/network.js", "components/neuron.js", "components/loss_shapes.js",
              "components/regression.js", "components/graph.js", "components/landscape.js",
              "components/schedules.js", "components/boundary.js", "components/curves.js",
              "components/histograms.js")
# The explainer page itself: one file per section, then the page's start-up.
PAGE = ("explainer/forward.js", "explainer/loss.js", "explainer/backprop.js", "explainer/descent.js",
        "explainer/schedules.js", "explainer/training.js", "explainer/main.js")
WEB = COMPONENTS + PAGE
STYLES = ("style.css", "explainer/explainer.css")


def web_file(name: str) -> str:
    """The text of a file of the shared browser components (``glassgrad/viz/web/<name>``)."""
    return resources.files("glassgrad.viz").joinpath("web", name).read_text(encoding="utf-8")


def _script(name: str) -> str:
    text = web_file(name)
    if "</script" in text.lower():
        raise ValueError(f"{name} contains '</script', which would end the inlined script early")
    return f"<script>/* {name} */\n{text}\n</script>"


def data_json(data: dict) -> str:
    """Strict JSON safe inside a script element: no NaN, and '<' escaped so no tag can close it."""
    text = json.dumps(data, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def build_html(data: dict, title: str = "How this network learned — glassgrad") -> str:
    """The explainer page for ``data`` (as :func:`glassgrad.viz.explainer.sections.run_sections` makes)."""
    template = resources.files("glassgrad.viz.explainer").joinpath("template.html").read_text("utf-8")
    style = "\n".join(web_file(name) for name in STYLES)
    scripts = "\n".join(_script(name) for name in WEB)
    parts = {"title": html.escape(title), "style": style, "data": data_json(data), "scripts": scripts}
    # One pass: text put in (the data, the scripts) is never scanned for placeholders again.
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m.group(1)], template)


def write_html(data: dict, out: str | os.PathLike) -> str:
    """Write the page atomically; returns its path."""
    from ...io import atomic_write
    out = os.fspath(out)
    directory = os.path.dirname(os.path.abspath(out))
    os.makedirs(directory, exist_ok=True)
    with atomic_write(out, "wb", durable=False) as f:
        f.write(build_html(data).encode("utf-8"))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(out, 0o666 & ~umask)  # a page to open and share, not a private temporary file
    return out
