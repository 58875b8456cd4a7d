"""A text corpus shipped with glassgrad and the pieces of a character-level language-model dataset:
a vocabulary (encode/decode), block_size windows of (input, next-character target), a train/val split.

The corpus is eight Shakespeare plays (public domain, about 1 MB; provenance and checksum in
``corpus/README.txt``), so the character-level GPT trains with no download.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ..tensor import Tensor, _new_tensor
from .dataset import TensorDataset

CORPUS_DIR = Path(__file__).parent / "corpus"
SHAKESPEARE_SHA256 = "9cfcdba1cd78a8bd69c605068beead796f247af6ff882d5b3cdc0d043070bfda"


def shakespeare(verify: bool = False) -> str:
    """The shipped corpus: Hamlet, Macbeth, Othello, King Lear, Romeo and Juliet, Julius Caesar, The
    Tempest and A Midsummer Night's Dream, 1,036,004 ASCII characters.

    ``verify=True`` checks the file's SHA-256 against :data:`SHAKESPEARE_SHA256` first.

    >>> text = shakespeare()
    >>> len(text), text[:7]
    (1036004, 'HAMLET,')
    """
    raw = (CORPUS_DIR / "shakespeare.txt").read_bytes()
    if verify and hashlib.sha256(raw).hexdigest() != SHAKESPEARE_SHA256:
        raise RuntimeError(f"{CORPUS_DIR / 'shakespeare.txt'} is damaged: its SHA-256 is "
                           f"{hashlib.sha256(raw).hexdigest()}, expected {SHAKESPEARE_SHA256}")
    return raw.decode("ascii")


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


class Vocab:
    """The characters of a text, sorted; id ``i`` is the ``i``-th character (nanoGPT's ``stoi``/``itos``).

    Encoding and decoding are vectorised (one ``searchsorted`` over code points), never a loop per
    character.

    >>> vocab = Vocab.from_text("hello")
    >>> len(vocab), vocab.itos
    (4, ['e', 'h', 'l', 'o'])
    >>> vocab.encode("hole")
    array([1, 3, 2, 0])
    >>> vocab.decode([2, 0, 2])
    'lel'
    """

    def __init__(self, chars):
        self._codes = np.unique(_codepoints("".join(chars)))  # sorted code points, (V,)
        self.itos = [chr(c) for c in self._codes.tolist()]
        self.stoi = {ch: i for i, ch in enumerate(self.itos)}

    @classmethod
    def from_text(cls, text: str) -> "Vocab":
        return cls(text)

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text: str) -> np.ndarray:
        """The int64 ids of ``text``'s characters, shape ``(len(text),)``."""
        codes = _codepoints(text)
        ids = np.searchsorted(self._codes, codes)
        bad = (ids >= len(self._codes)) | (self._codes[np.minimum(ids, len(self._codes) - 1)] != codes)
        if bad.any():
            pos = int(np.argmax(bad))
            raise ValueError(f"Vocab.encode: character {text[pos]!r} at position {pos} is not in the "
                             f"vocabulary of {len(self)} characters")
        return ids.astype(np.int64)

    def decode(self, ids) -> str:
        """The text of a sequence of ids (list, NumPy array or Tensor)."""
        ids = np.asarray(ids.data if isinstance(ids, Tensor) else ids, dtype=np.int64).reshape(-1)
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"Vocab.decode: ids must be in [0, {len(self)}), got values from {ids.min()} "
                             f"to {ids.max()}")
        return self._codes[ids].astype("<u4").tobytes().decode("utf-32-le")

    def __repr__(self) -> str:
        return f"Vocab({len(self)} characters)"


class CharDataset(TensorDataset):
    """Every window of ``block_size`` characters and the same window shifted by one: sample ``i`` is
    ``(ids[i : i + block_size], ids[i + 1 : i + block_size + 1])``, two int64 tensors of shape
    ``(block_size,)``; there are ``len(ids) - block_size`` samples.

    ``data`` is a string (encoded with ``vocab``, built from it when None) or a sequence of ids. The
    windows are strided views of the one id array (no copy of ``block_size`` times the text), and the
    DataLoader gathers a batch ``(B, block_size)`` from them with one fancy index.

    >>> ds = CharDataset("abcabd", block_size=3)
    >>> len(ds), ds.vocab.decode(ds[0][0]), ds.vocab.decode(ds[0][1])
    (3, 'abc', 'bca')
    """

    def __init__(self, data, block_size: int, vocab: Vocab | None = None):
        if isinstance(data, str):
            vocab = vocab or Vocab.from_text(data)
            ids = vocab.encode(data)
        else:
            ids = np.asarray(data.data if isinstance(data, Tensor) else data, dtype=np.int64)
        if not isinstance(block_size, int) or block_size <= 0:
            raise ValueError(f"CharDataset: block_size must be a positive integer, got {block_size!r}")
        if ids.ndim != 1 or len(ids) <= block_size:
            raise ValueError(f"CharDataset: needs a 1-D sequence longer than block_size={block_size}, got "
                             f"shape {ids.shape}")
        windows = np.lib.stride_tricks.sliding_window_view(ids, block_size + 1)  # (N - T, T + 1), a view
        super().__init__(_new_tensor(windows[:, :-1], False), _new_tensor(windows[:, 1:], False))
        self.ids, self.block_size, self.vocab = ids, block_size, vocab


def char_splits(text: str, block_size: int, val_fraction: float = 0.1,
                vocab: Vocab | None = None) -> tuple[CharDataset, CharDataset]:
    """Train and validation CharDatasets: the first ``1 - val_fraction`` of the text and the rest (a
    contiguous split, as nanoGPT's, so no window straddles both), sharing one vocabulary of the whole text.

    >>> train, val = char_splits(shakespeare(), block_size=64)
    >>> len(train.vocab), train.block_size, len(train) > 8 * len(val)
    (76, 64, True)
    """
    if not 0 < val_fraction < 1:
        raise ValueError(f"char_splits: val_fraction must be in (0, 1), got {val_fraction!r}")
    vocab = vocab or Vocab.from_text(text)
    ids = vocab.encode(text)
    cut = int(len(ids) * (1 - val_fraction))
    return CharDataset(ids[:cut], block_size, vocab), CharDataset(ids[cut:], block_size, vocab)


__all__ = ["shakespeare", "Vocab", "CharDataset", "char_splits", "SHAKESPEARE_SHA256"]
