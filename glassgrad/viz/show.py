"""The deep dive inline in a notebook: ``glassgrad.viz.show(run)``.

The page is the very file ``glassgrad explain`` writes, shown in an iframe (its styles and scripts stay
inside it, whatever the notebook's own), so it needs no server, no extension and no network.
"""
from __future__ import annotations

import html
import os


class ExplainerView:
    """The explainer page of a run, rendered by notebooks through ``_repr_html_``.

    >>> view = ExplainerView("<!doctype html><p>hi</p>", height=400)
    >>> view._repr_html_().startswith('<iframe srcdoc="&lt;!doctype html&gt;')
    True
    """

    def __init__(self, page: str, height: int = 860):
        self.html, self.height = page, height

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" style="width:100%;height:{self.height}px;'
                'border:1px solid #ddd;border-radius:8px" sandbox="allow-scripts" '
                'title="glassgrad explainer"></iframe>')

    def save(self, path) -> str:
        """Write the page as a standalone HTML file; returns its path."""
        from ..io import atomic_write
        path = os.fspath(path)
        with atomic_write(path, "wb", durable=False) as f:
            f.write(self.html.encode("utf-8"))
        return path

    def __repr__(self) -> str:
        return f"<ExplainerView: {len(self.html) / 1e6:.1f} MB of HTML>"


def show(run=None, height: int = 860, config=None):
    """Display the deep dive of ``run`` (a Run or its directory) inline in a notebook; with no run, train
    the default (or ``config``, an :class:`~glassgrad.viz.explainer.ExplainConfig`) first.

    In IPython/Jupyter the page is displayed and None returned; elsewhere the :class:`ExplainerView` is
    returned (``.save(path)`` writes it, ``.html`` is the page).
    """
    from .explainer import build_html, explainer_data, run_data
    data = explainer_data(config) if run is None else run_data(run)
    view = ExplainerView(build_html(data), height)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return view
    if get_ipython() is None:
        return view
    display(view)
    return None
