"""MNIST / Fashion-MNIST: samples as torchvision's ToTensor (and Normalize) make them, the loader fast
path, header validation; then the real Fashion-MNIST from Debian's dataset-fashion-mnist package."""
import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad.data import MNIST, DataLoader, FashionMNIST, default_collate, random_split
from glassgrad.data.idx import write_idx
from tests.data.conftest import small_mnist


@pytest.fixture
def local(isolated):
    made = small_mnist(isolated / "data" / "MNIST", n_train=24, n_test=10)
    return isolated / "data", made["arrays"]


def test_samples_are_torchvision_to_tensor(local):
    root, arrays = local
    ds = MNIST(root=root)
    raw = arrays["train-images-idx3-ubyte.gz"]
    expected = torch.from_numpy(raw).float().div(255)  # what ToTensor() does to a uint8 image
    image, label = ds[5]
    assert image.shape == (1, 28, 28) and image.dtype == np.float32 and type(label) is int
    np.testing.assert_array_equal(image.numpy()[0], expected[5].numpy())
    assert label == int(arrays["train-labels-idx1-ubyte.gz"][5])
    assert ds.data.dtype == np.uint8 and ds.targets.dtype == np.int64 and len(ds) == 24
    assert len(MNIST(root=root, train=False)) == 10
    assert ds.class_to_idx["3 - three"] == 3 and "Number of datapoints: 24" in repr(ds)


def test_normalize_and_flatten(local):
    root, arrays = local
    raw = torch.from_numpy(arrays["train-images-idx3-ubyte.gz"]).float().div(255)
    flat = MNIST(root=root, flatten=True)
    assert flat.tensors[0].shape == (24, 784) and flat[0][0].shape == (784,)
    np.testing.assert_array_equal(flat.tensors[0].numpy(), raw.reshape(24, 784).numpy())
    norm = MNIST(root=root, normalize=True)
    expected = ((raw - 0.1307) / 0.3081).numpy()  # torchvision's Normalize((0.1307,), (0.3081,))
    np.testing.assert_allclose(norm.tensors[0].numpy()[:, 0], expected, rtol=1e-6, atol=1e-6)
    custom = MNIST(root=root, normalize=(0.5, 0.5))
    np.testing.assert_allclose(custom.tensors[0].numpy()[:, 0], (raw * 2 - 1).numpy(), atol=1e-6)


def test_loader_fast_path_equals_per_sample_path(local):
    root, _ = local
    ds = MNIST(root=root)
    for data in (ds, random_split(ds, [0.5, 0.5], generator=gg.Generator(0))[0]):
        fast = list(DataLoader(data, batch_size=5, shuffle=True, generator=gg.Generator(2)))
        slow = list(DataLoader(data, batch_size=5, shuffle=True, generator=gg.Generator(2),
                               collate_fn=default_collate))
        for (fx, fy), (sx, sy) in zip(fast, slow):
            assert fx.shape == sx.shape and fx.dtype == sx.dtype == np.float32
            assert fy.dtype == sy.dtype == np.int64
            np.testing.assert_array_equal(fx.numpy(), sx.numpy())
            np.testing.assert_array_equal(fy.numpy(), sy.numpy())


def test_transforms_run_per_sample_and_disable_the_tensor_view(local):
    root, arrays = local
    ds = MNIST(root=root, transform=lambda img: img * 2, target_transform=lambda y: y + 100)
    assert ds.tensors is None
    x, y = next(iter(DataLoader(ds, batch_size=4)))
    raw = arrays["train-images-idx3-ubyte.gz"][:4].astype(np.float32) / np.float32(255)
    np.testing.assert_allclose(x.numpy()[:, 0], raw * 2, rtol=1e-7)
    assert y.tolist() == (arrays["train-labels-idx1-ubyte.gz"][:4].astype(int) + 100).tolist()


@pytest.mark.parametrize("images, labels, message", [
    (np.zeros((3, 28, 28), np.uint8), np.zeros(4, np.uint8), "3 images in .* but 4 labels"),
    (np.zeros((3, 28, 28), np.int32), np.zeros(3, np.uint8),
     r"expected MNIST images \(IDX uint8, 3-D\), found int32"),
    (np.zeros((3, 784), np.uint8), np.zeros(3, np.uint8), r"found uint8 of shape \(3, 784\)"),
    (np.zeros((3, 28, 28), np.uint8), np.zeros((3, 1), np.uint8),
     r"expected MNIST labels \(IDX uint8, 1-D\)"),
    (np.zeros((3, 28, 28), np.uint8), np.array([0, 10, 1], np.uint8),
     "label 10 is out of range for 10 classes"),
])
def test_foreign_contents_are_refused(isolated, images, labels, message):
    folder = isolated / "MNIST"
    folder.mkdir()
    write_idx(folder / "train-images-idx3-ubyte", images)
    write_idx(folder / "train-labels-idx1-ubyte", labels)
    with pytest.raises(ValueError, match=message):
        MNIST(root=isolated)


def test_truncated_file_names_the_file(isolated):
    small_mnist(isolated / "MNIST", gz=False)
    path = isolated / "MNIST" / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match=f"{path}: IDX data truncated"):
        MNIST(root=isolated)


# ---- the real Fashion-MNIST, from Debian's dataset-fashion-mnist (CI installs it in .ci/run) ----------
DEBIAN = Path("/usr/share/datasets/fashion-mnist")
RAW_SHA256 = {  # of the decompressed IDX files (Debian re-gzipped them, so the .gz MD5s differ upstream's)
    "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
debian = pytest.mark.skipif(not all((DEBIAN / name).is_file() for name in RAW_SHA256),
                            reason="Debian's dataset-fashion-mnist is not installed "
                                   "(apt-get install dataset-fashion-mnist; .ci/run does)")


@debian
@pytest.mark.parametrize("name", list(RAW_SHA256))
def test_debian_files_have_the_known_contents(name):
    assert hashlib.sha256(gzip.decompress((DEBIAN / name).read_bytes())).hexdigest() == RAW_SHA256[name]


@debian
@pytest.mark.parametrize("train, n", [(True, 60000), (False, 10000)])
def test_real_fashion_mnist(tmp_path, monkeypatch, train, n):
    monkeypatch.delenv("GLASSGRAD_DATA", raising=False)  # an empty cache: only Debian's folder holds it
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    ds = FashionMNIST(train=train)
    assert ds.files[0].parent == DEBIAN and len(ds) == n
    images, targets = ds.tensors
    assert images.shape == (n, 1, 28, 28) and images.dtype == np.float32
    assert float(images.numpy().min()) == 0.0 and float(images.numpy().max()) == 1.0
    assert targets.dtype == np.int64 and np.bincount(targets.numpy()).tolist() == [n // 10] * 10
    assert abs(float(images.numpy().mean()) - FashionMNIST.mean) < 0.002  # the documented statistics
    x, y = next(iter(DataLoader(ds, batch_size=128, shuffle=True)))
    assert x.shape == (128, 1, 28, 28) and y.shape == (128,) and y.dtype == np.int64
