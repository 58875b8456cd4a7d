"""Visuals of recorded runs: views (plain data), static plots, animations, the HTML explainer, and
``show(run)`` for the explainer inline in a notebook."""
from .show import show

__all__ = ["show"]
