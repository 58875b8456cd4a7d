"""Finding data sets on disk and downloading them from a mirror (a local HTTP server in a thread):
search order, MD5 verification, atomic writes, clear errors when offline."""
import socket

import numpy as np
import pytest

from glassgrad.data import MNIST, FashionMNIST
from glassgrad.data import download as dl
from tests.data.conftest import NAMES, small_mnist


def closed_port_url():
    with socket.socket() as s:  # bind then close: nothing listens there any more
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def serve_mnist(monkeypatch, mirror, cls=MNIST, **kwargs):
    url, www, log = mirror
    made = small_mnist(www, **kwargs)
    monkeypatch.setattr(cls, "mirrors", [url])
    monkeypatch.setattr(cls, "resources", [(name, made["md5"][name]) for name in NAMES])
    return made, log


def test_download_into_the_cache_then_found_offline(isolated, mirror, monkeypatch):
    made, log = serve_mnist(monkeypatch, mirror)
    train = MNIST(train=True, download=True)
    cache = isolated / "xdg-cache" / "glassgrad" / "MNIST"
    assert sorted(p.name for p in cache.iterdir()) == ["train-images-idx3-ubyte.gz",
                                                        "train-labels-idx1-ubyte.gz"]
    assert sorted(log) == ["/train-images-idx3-ubyte.gz", "/train-labels-idx1-ubyte.gz"]
    np.testing.assert_array_equal(train.data.numpy(), made["arrays"]["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(train.targets.numpy(), made["arrays"]["train-labels-idx1-ubyte.gz"])
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        assert dl.md5sum(cache / name) == made["md5"][name]
    monkeypatch.setattr(MNIST, "mirrors", [closed_port_url()])  # offline now: the cache is enough
    again = MNIST(train=True, download=True)
    assert len(log) == 2 and len(again) == 24
    with pytest.raises(RuntimeError, match="MNIST test split is not on this machine"):
        MNIST(train=False, download=True)  # only the split asked for was fetched


def test_download_goes_to_root_when_given(isolated, mirror, monkeypatch):
    serve_mnist(monkeypatch, mirror, cls=FashionMNIST)
    ds = FashionMNIST(root=isolated / "mine", train=False, download=True)
    assert ds.files[0].parent == isolated / "mine" / "FashionMNIST" and len(ds) == 10


def test_checksum_mismatch_leaves_nothing_behind(isolated, mirror, monkeypatch):
    made, _ = serve_mnist(monkeypatch, mirror)
    monkeypatch.setattr(MNIST, "resources", [(name, "0" * 32) for name in NAMES])
    with pytest.raises(RuntimeError, match=r"MD5 checksum mismatch: expected 0{32}, got "
                                           + made["md5"]["train-images-idx3-ubyte.gz"]):
        MNIST(train=True, download=True)
    cache = isolated / "xdg-cache" / "glassgrad" / "MNIST"
    assert list(cache.iterdir()) == []  # no half-written or unverified file, no .part left over


def test_next_mirror_is_tried_after_a_404_or_a_dead_host(isolated, mirror, monkeypatch):
    url, _, log = mirror
    serve_mnist(monkeypatch, mirror)
    monkeypatch.setattr(MNIST, "mirrors", [closed_port_url(), url + "missing/", url])
    assert len(MNIST(train=True, download=True)) == 24
    assert "/missing/train-images-idx3-ubyte.gz" in log


def test_offline_error_is_clear(isolated, monkeypatch):
    monkeypatch.setattr(FashionMNIST, "mirrors", [closed_port_url()])
    with pytest.raises(RuntimeError) as info:
        FashionMNIST(train=True, download=True)
    message = str(info.value)
    assert "FashionMNIST train split is not on this machine and could not be downloaded" in message
    assert "are you offline?" in message and "apt-get install dataset-fashion-mnist" in message


def test_not_found_without_download_lists_where_it_looked(isolated, monkeypatch):
    monkeypatch.setenv("GLASSGRAD_DATA", str(isolated / "env"))
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True") as info:
        MNIST(root=isolated / "root", train=False)
    message = str(info.value)
    for folder in (isolated / "root" / "MNIST", isolated / "env" / "MNIST",
                   isolated / "xdg-cache" / "glassgrad" / "MNIST"):
        assert str(folder) in message
    assert "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz" in message


def test_search_order_root_then_env_then_cache_then_system(isolated, monkeypatch):
    roots = {name: isolated / name for name in ("root", "env", "cache", "system")}
    small_mnist(roots["root"] / "MNIST", n_train=11)
    small_mnist(roots["env"] / "MNIST" / "raw", n_train=12, gz=False)  # torchvision's layout, unpacked
    small_mnist(isolated / "xdg-cache" / "glassgrad" / "MNIST", n_train=13)
    small_mnist(roots["system"], n_train=14)
    monkeypatch.setenv("GLASSGRAD_DATA", str(roots["env"]))
    monkeypatch.setattr(MNIST, "system_dirs", [str(roots["system"])])
    assert len(MNIST(root=roots["root"])) == 11
    assert len(MNIST()) == 12
    monkeypatch.delenv("GLASSGRAD_DATA")
    assert len(MNIST()) == 13
    monkeypatch.setenv("XDG_CACHE_HOME", str(isolated / "empty"))
    assert len(MNIST()) == 14


def test_cache_dir_defaults_to_home(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert dl.cache_dir() == tmp_path / ".cache" / "glassgrad"


def test_download_function_reports_every_mirror(tmp_path, mirror):
    url, www, _ = mirror
    (www / "f.bin").write_bytes(b"payload")
    path = dl.download([url], "f.bin", dl.md5sum(www / "f.bin"), tmp_path / "out")
    assert path.read_bytes() == b"payload"
    with pytest.raises(RuntimeError) as info:
        dl.download([url + "nope/", closed_port_url()], "f.bin", None, tmp_path / "out2")
    assert "HTTP 404" in str(info.value) and "unreachable" in str(info.value)
    assert list((tmp_path / "out2").iterdir()) == []
