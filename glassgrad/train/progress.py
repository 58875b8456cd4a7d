"""A progress bar over an epoch's batches with the running loss, through tqdm."""
from __future__ import annotations

import sys
import time

from tqdm.auto import tqdm


class Progress:
    """Iterate ``loader`` with a bar showing batches done, speed and the running mean loss.

    The loss shown is refreshed at most ten times a second, so the bar costs nothing measurable even
    for tiny models that take many thousand steps a second.
    """

    def __init__(self, loader, description: str, enabled: bool = True, file=None):
        self.loader = loader
        self.bar = None
        if enabled:
            total = len(loader) if hasattr(loader, "__len__") else None
            self.bar = tqdm(total=total, desc=description, unit="batch", leave=False,
                            file=file or sys.stderr, dynamic_ncols=True)
        self._last = 0.0

    def __iter__(self):
        try:
            for batch in self.loader:
                yield batch
                if self.bar is not None:
                    self.bar.update(1)
        finally:
            if self.bar is not None:
                self.bar.close()

    def show_loss(self, loss: float) -> None:
        if self.bar is None:
            return
        now = time.monotonic()
        if now - self._last >= 0.1:
            self._last = now
            self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
