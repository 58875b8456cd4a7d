"""Animations of a recorded run: GIF through Pillow, MP4 through ffmpeg (when installed).

    glassgrad animate runs/spiral --view boundary --out boundary.gif
"""
from __future__ import annotations

import os
import shutil
import tempfile

from tqdm.auto import tqdm

from . import views

VIEWS = ("boundary", "forward", "backward", "landscape", "curves")
DEFAULT_FPS = {"boundary": 8, "forward": 4, "backward": 3, "landscape": 8, "curves": 12}


class ViewUnavailable(ValueError):
    """The run has no data for this view (e.g. a boundary of 784-dimensional inputs)."""


def renderer_for(run, view: str, **options):
    """The matplotlib renderer of ``view`` for ``run`` (its frames are ``range(len(renderer))``)."""
    from .mpl.backward import BackwardRenderer
    from .mpl.boundary import BoundaryRenderer
    from .mpl.curves import CurvesRenderer
    from .mpl.forward import ForwardRenderer
    from .mpl.landscape import LandscapeRenderer

    if view == "boundary":
        data = views.boundary_view(run)
        if data is None or not data["frames"]:
            raise ViewUnavailable("the boundary view needs a run with 1-D or 2-D inputs and a probe batch "
                                  f"(this run's probe: {run.manifest.get('probe')})")
        return BoundaryRenderer(data)
    if view == "forward":
        data = views.network_view(run, samples=[options.get("sample", 0)])
        if data["kind"] != "mlp":
            raise ViewUnavailable("the forward view draws neurons of Linear layers; this model has other "
                                  "layers (try --view curves or the explainer's layer view)")
        return ForwardRenderer(data)
    if view == "backward":
        data = views.graph_view(run.graph(options.get("step")))
        if data is None:
            raise ViewUnavailable("this run recorded no computational graph (record with probe=(x, y) "
                                  "and loss_fn= to capture one)")
        return BackwardRenderer(data)
    if view == "landscape":
        data = views.landscape_view(run)
        if data is None:
            raise ViewUnavailable("this run recorded no loss landscape (record with probe=(x, y) and "
                                  "loss_fn=, and let the recorder close normally)")
        return LandscapeRenderer(data)
    if view == "curves":
        if len(run.scalars["step"]) == 0:
            raise ViewUnavailable("this run recorded no steps yet")
        return CurvesRenderer(views.curves_view(run))
    raise ValueError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")


def animate(run, view: str, out: str | os.PathLike, fps: int | None = None, progress: bool = True,
            dpi: int = 100, **options) -> str:
    """Render ``view`` of ``run`` to ``out`` (.gif or .mp4), atomically; returns the path written."""
    import matplotlib.animation as animation

    from .mpl.style import close

    out = os.fspath(out)
    extension = os.path.splitext(out)[1].lower()
    if extension not in (".gif", ".mp4"):
        raise ValueError(f"animate: the output must end in .gif or .mp4, got {out!r}")
    if extension == ".mp4" and shutil.which("ffmpeg") is None:
        raise RuntimeError("MP4 needs ffmpeg, which is not installed (Debian/Ubuntu: apt install ffmpeg); "
                           "or write a .gif, which needs nothing more")
    renderer = renderer_for(run, view, **options)
    fps = fps or DEFAULT_FPS[view]
    frames = len(renderer)
    movie = animation.FuncAnimation(renderer.fig, renderer.draw, frames=frames, blit=False, repeat=False)
    if extension == ".gif":
        writer = animation.PillowWriter(fps=fps)
    else:
        writer = animation.FFMpegWriter(fps=fps, codec="libx264", extra_args=["-pix_fmt", "yuv420p"])
    directory = os.path.dirname(os.path.abspath(out))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=extension)
    os.close(fd)
    bar = tqdm(total=frames, desc=f"rendering {view}", unit="frame", disable=not progress, leave=False)
    try:
        movie.save(tmp, writer=writer, dpi=dpi, progress_callback=lambda i, n: bar.update(1))
        os.replace(tmp, out)
    finally:
        bar.close()
        close(renderer.fig)
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out
