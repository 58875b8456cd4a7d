"""MNIST and Fashion-MNIST as map-style datasets, read from IDX files found locally or downloaded.

A sample is ``(image, label)`` as torchvision gives it after ``ToTensor()``: a float32 tensor of shape
``(1, 28, 28)`` with values in [0, 1] (``normalize=True`` standardises with the training set's mean and
std; ``flatten=True`` gives shape ``(784,)``) and a Python int label in 0..9. Without transforms the
dataset also exposes ``tensors = (images, targets)`` -- ``(N, 1, 28, 28)`` or ``(N, 784)`` float32 and
``(N,)`` int64 -- so the DataLoader gathers each batch with one fancy index.

Files are looked for, in order, in ``root/<Name>``, ``$GLASSGRAD_DATA/<Name>``, the user cache
``~/.cache/glassgrad/<Name>`` (each also with torchvision's ``raw/`` subfolder), and system folders
(Debian's ``dataset-fashion-mnist`` package for Fashion-MNIST); with ``download=True`` and nothing
found, they are fetched from the canonical mirrors, MD5-checked (see ``glassgrad.data.download``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..tensor import _new_tensor
from . import download as dl
from .dataset import Dataset, _rows_of_tensors
from .idx import read_idx


class MNIST(Dataset):
    """The MNIST handwritten digits: 60000 training and 10000 test images of 28 x 28 pixels.

    Arguments follow torchvision (``root, train, transform, target_transform, download``); ``transform``
    receives the float32 image tensor (glassgrad has no PIL images), ``target_transform`` the int label.
    ``normalize`` is False, True (the class's ``mean``/``std``) or a ``(mean, std)`` pair.

    >>> train = MNIST(train=True, download=True)                       # doctest: +SKIP
    >>> len(train), train[0][0].shape, train.tensors[0].shape          # doctest: +SKIP
    (60000, (1, 28, 28), (60000, 1, 28, 28))
    """

    name = "MNIST"
    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/"]  # the mirror torchvision downloads from
    resources = [("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                 ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
                 ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                 ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c")]
    system_dirs: list = []
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
               "7 - seven", "8 - eight", "9 - nine"]
    mean, std = 0.1307, 0.3081  # of the training images in [0, 1], as in the usual Normalize

    def __init__(self, root=None, train: bool = True, transform=None, target_transform=None,
                 download: bool = False, *, normalize=False, flatten: bool = False):
        self.root, self.train = root, train
        self.transform, self.target_transform = transform, target_transform
        self.flatten = flatten
        self.normalize = (self.mean, self.std) if normalize is True else (normalize or None)
        images_path, labels_path = self._locate(download)
        self.files = (images_path, labels_path)
        images, labels = read_idx(images_path), read_idx(labels_path)
        self._check(images, labels)
        self.data = _new_tensor(images, False)  # uint8 (N, H, W), torchvision's .data
        self.targets = _new_tensor(labels.astype(np.int64), False)
        self._images = None

    @property
    def class_to_idx(self) -> dict:
        return {name: i for i, name in enumerate(self.classes)}

    def _locate(self, download: bool) -> list[Path]:
        names = [name for name, _ in (self.resources[:2] if self.train else self.resources[2:])]
        folders = [r / self.name / sub for r in dl.data_roots(self.root) for sub in ("", "raw")]
        folders += [Path(d) for d in self.system_dirs]
        found = dl.find_local(folders, names)
        if found:
            return found
        split = "train" if self.train else "test"
        if not download:
            raise RuntimeError(
                f"Dataset not found. You can use download=True to download it. ({self.name} {split} split: "
                f"looked for {' and '.join(names)} in " + ", ".join(map(str, folders)) + self._hint() + ")")
        target = dl.data_roots(self.root)[0] / self.name
        md5 = dict(self.resources)
        try:
            return [dl.local_name(target, n) or dl.download(self.mirrors, n, md5[n], target) for n in names]
        except RuntimeError as e:
            raise RuntimeError(f"{self.name} {split} split is not on this machine and could not be "
                               f"downloaded{self._hint()}: {e}") from None

    def _hint(self) -> str:
        return ""

    def _check(self, images: np.ndarray, labels: np.ndarray) -> None:
        """The IDX headers must be MNIST's: images 0x00000803 (uint8, 3-D), labels 0x00000801 (uint8, 1-D)."""
        images_path, labels_path = self.files
        if images.dtype != np.uint8 or images.ndim != 3:
            raise ValueError(f"{images_path}: expected {self.name} images (IDX uint8, 3-D), found "
                             f"{images.dtype} of shape {images.shape}")
        if labels.dtype != np.uint8 or labels.ndim != 1:
            raise ValueError(f"{labels_path}: expected {self.name} labels (IDX uint8, 1-D), found "
                             f"{labels.dtype} of shape {labels.shape}")
        if len(images) != len(labels):
            raise ValueError(f"{self.name}: {len(images)} images in {images_path} but {len(labels)} labels "
                             f"in {labels_path}")
        if labels.size and labels.max() >= len(self.classes):
            raise ValueError(f"{labels_path}: label {labels.max()} is out of range for "
                             f"{len(self.classes)} classes")

    def _float_images(self) -> np.ndarray:
        """All images as float32 in [0, 1] (then normalised), (N, 1, H, W) or (N, H*W); made once."""
        if self._images is None:
            raw = self.data.data
            images = np.divide(raw, np.float32(255), dtype=np.float32)  # torchvision's ToTensor: x / 255
            if self.normalize is not None:
                mean, std = self.normalize
                images -= np.float32(mean)
                images /= np.float32(std)
            self._images = images.reshape(len(raw), -1) if self.flatten else images[:, None]
        return self._images

    @property
    def tensors(self):
        """``(images, targets)`` whose rows are the samples, or None when a transform must run per sample."""
        if self.transform is not None or self.target_transform is not None:
            return None
        return (_new_tensor(self._float_images(), False), self.targets)

    @_rows_of_tensors
    def __getitem__(self, index: int):
        image = _new_tensor(self._float_images()[index], False)
        target = int(self.targets.data[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __len__(self) -> int:
        return len(self.targets.data)

    def __repr__(self) -> str:
        return (f"Dataset {self.name}\n    Number of datapoints: {len(self)}\n    Split: "
                f"{'Train' if self.train else 'Test'}\n    Files: {self.files[0]}, {self.files[1]}")


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: MNIST's format and sizes, ten kinds of clothing instead of digits.

    Debian's ``dataset-fashion-mnist`` package (``apt-get install dataset-fashion-mnist``) makes it
    available offline.
    """

    name = "FashionMNIST"
    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]  # Zalando Research's bucket
    resources = [("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                 ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
                 ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
                 ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310")]
    system_dirs = ["/usr/share/datasets/fashion-mnist"]  # Debian's dataset-fashion-mnist
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
    mean, std = 0.2860, 0.3530

    def _hint(self) -> str:
        return "; on Debian, `apt-get install dataset-fashion-mnist` installs it for offline use"


__all__ = ["MNIST", "FashionMNIST"]
