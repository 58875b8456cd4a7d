"""Shared fixtures: small MNIST-format files, an isolated data search path, a local HTTP mirror."""
import hashlib
import http.server
import threading
from pathlib import Path

import numpy as np
import pytest

from glassgrad.data import MNIST, FashionMNIST
from glassgrad.data.idx import write_idx

NAMES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz"]


def small_mnist(folder: Path, n_train: int = 24, n_test: int = 10, seed: int = 0, gz: bool = True) -> dict:
    """Write MNIST-format files of random 28 x 28 images and labels 0..9 into ``folder``; return the
    arrays and the MD5 of each file as written."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        arrays[f"{prefix}-images-idx3-ubyte.gz"] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        arrays[f"{prefix}-labels-idx1-ubyte.gz"] = (np.arange(n) % 10).astype(np.uint8)[rng.permutation(n)]
    md5 = {}
    for name, array in arrays.items():
        path = folder / (name if gz else name.removesuffix(".gz"))
        write_idx(path, array, compress=gz)
        md5[name] = hashlib.md5(path.read_bytes()).hexdigest()
    return {"arrays": arrays, "md5": md5}


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No GLASSGRAD_DATA, a private user cache, no system folders: only what a test puts there is found."""
    monkeypatch.delenv("GLASSGRAD_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setattr(MNIST, "system_dirs", [])
    monkeypatch.setattr(FashionMNIST, "system_dirs", [])
    return tmp_path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    requests: list

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).requests.append(self.path)
        super().do_GET()


@pytest.fixture
def mirror(tmp_path):
    """An HTTP server on 127.0.0.1 serving ``tmp_path / 'www'`` from a thread; yields (url, folder, log)."""
    folder = tmp_path / "www"
    folder.mkdir()
    log = []
    handler = type("Handler", (_QuietHandler,), {"requests": log})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a, **k: handler(*a, directory=str(folder), **k))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", folder, log
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
