"""Views: a run (or a live session) turned into plain JSON-able data, computed once in Python.

Renderers only draw this data: matplotlib for PNG/GIF/MP4 (glassgrad.viz.animate, glassgrad.viz.plots),
the browser components for the explainer and the playground.
"""
from .boundary import boundary_view
from .clean import clean
from .curves import curves_view, smooth
from .graph import graph_view
from .histograms import histogram_view
from .landscape import landscape_view
from .network import network_view

__all__ = ["boundary_view", "curves_view", "graph_view", "histogram_view", "landscape_view",
           "network_view", "clean", "smooth"]
