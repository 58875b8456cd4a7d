"""The live playground: ``glassgrad playground`` serves a page on 127.0.0.1 where networks train live,
every number computed by glassgrad in Python (the page only draws).

- :mod:`.schema` the WebSocket messages and their checks; :mod:`.build` data, model, loss, optimizer;
- :mod:`.trainer` the training driver and its live views; :mod:`.stepthrough` one step in four phases;
  :mod:`.race` optimizers side by side; :mod:`.save` the session as a run directory;
- :mod:`.session` one tab's protocol; :mod:`.server` the Starlette app (``create_app``, ``serve``).
"""
from .server import create_app, running, serve

__all__ = ["create_app", "serve", "running"]
