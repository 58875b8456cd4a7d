"""Visuals of recorded runs: views (plain data), static plots, animations, the HTML explainer."""
