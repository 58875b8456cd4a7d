"""Recording training runs: the Recorder writes a run directory; load_run reads it back as arrays;
diagnose/report say what went right and wrong in it."""
from . import diagnostics
from .diagnostics import diagnose, report
from .graph_capture import GraphCapture, capture_step
from .recorder import Recorder
from .run import Run, RunError, Snapshot, load_run

__all__ = ["Recorder", "load_run", "Run", "RunError", "Snapshot", "capture_step", "GraphCapture",
           "diagnose", "report", "diagnostics"]
