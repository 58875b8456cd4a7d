"""Training: the loop (fit / evaluate), callbacks, metrics, progress and checkpoints."""
from .callbacks import Callback, EarlyStopping, LambdaCallback
from .checkpoint import load_checkpoint, save_checkpoint
from .loop import History, TrainingDiverged, TrainState, evaluate, fit
from .metrics import accuracy

__all__ = ["fit", "evaluate", "History", "TrainState", "TrainingDiverged", "Callback", "EarlyStopping",
           "LambdaCallback", "save_checkpoint", "load_checkpoint", "accuracy"]
