"""The shipped corpus (checksum, cleanliness) and the character-level dataset built on it."""
import hashlib

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.data import CharDataset, DataLoader, Vocab, char_splits, default_collate, shakespeare
from glassgrad.data import text as text_module

CORPUS_SHA256 = "9cfcdba1cd78a8bd69c605068beead796f247af6ff882d5b3cdc0d043070bfda"


def test_corpus_checksum():
    raw = (text_module.CORPUS_DIR / "shakespeare.txt").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == CORPUS_SHA256 == text_module.SHAKESPEARE_SHA256
    assert CORPUS_SHA256 in (text_module.CORPUS_DIR / "README.txt").read_text()  # provenance beside it
    assert shakespeare(verify=True) == raw.decode("ascii")


def test_damaged_corpus_is_detected(tmp_path, monkeypatch):
    (tmp_path / "shakespeare.txt").write_bytes(b"To be, or not to be\n")
    monkeypatch.setattr(text_module, "CORPUS_DIR", tmp_path)
    with pytest.raises(RuntimeError, match="is damaged: its SHA-256 is"):
        shakespeare(verify=True)


def test_corpus_is_clean_plain_text():
    text = shakespeare()
    assert 900_000 < len(text) < 1_200_000 and text.isascii()
    assert "\r" not in text and "\t" not in text and "\n\n\n\n" not in text
    assert not any(line != line.rstrip() for line in text.split("\n"))
    assert "gutenberg" not in text.lower() and "<" not in text  # no boilerplate, no markup
    for title in ("HAMLET, PRINCE OF DENMARK", "MACBETH", "OTHELLO", "KING LEAR", "ROMEO AND JULIET",
                  "JULIUS CAESAR", "THE TEMPEST", "A MIDSUMMER NIGHT'S DREAM"):
        assert title in text.upper()
    assert "To be, or not to be" in text


def test_vocab_round_trips_the_corpus():
    text = shakespeare()
    vocab = Vocab.from_text(text)
    assert len(vocab) == 76 and vocab.itos == sorted(set(text))
    assert all(vocab.stoi[ch] == i for i, ch in enumerate(vocab.itos))
    ids = vocab.encode(text)
    assert ids.dtype == np.int64 and ids.shape == (len(text),)
    assert vocab.decode(ids) == text
    assert vocab.decode(gg.tensor(ids[:10])) == text[:10] and vocab.decode([]) == ""


def test_vocab_handles_any_unicode_and_reports_unknown_characters():
    vocab = Vocab.from_text("héllo wörld 🙂")
    assert vocab.decode(vocab.encode("🙂 öh")) == "🙂 öh"
    with pytest.raises(ValueError, match=r"character 'z' at position 3 is not in the vocabulary of 10"):
        vocab.encode("hélz")
    with pytest.raises(ValueError, match=r"ids must be in \[0, 10\), got values from 0 to 10"):
        vocab.decode([0, 10])


def test_char_dataset_windows():
    ds = CharDataset("hello world", block_size=4)
    assert len(ds) == 7 and len(ds.vocab) == 8
    x, y = ds[2]
    assert ds.vocab.decode(x) == "llo " and ds.vocab.decode(y) == "lo w"
    assert x.dtype == y.dtype == np.int64 and x.shape == (4,)
    assert ds.vocab.decode(ds[len(ds) - 1][1]) == "orld"
    windows = ds.tensors[0].data
    assert np.shares_memory(windows, ds.ids) and windows.shape == (7, 4)  # views, not copies


def test_char_dataset_loader_fast_path_equals_generic_path():
    ds = CharDataset(shakespeare()[:5000], block_size=16)
    fast = list(DataLoader(ds, batch_size=32, shuffle=True, generator=gg.Generator(0)))
    slow = list(DataLoader(ds, batch_size=32, shuffle=True, generator=gg.Generator(0),
                           collate_fn=default_collate))
    assert len(fast) == len(slow) == -(-len(ds) // 32)
    for (fx, fy), (sx, sy) in zip(fast, slow):
        assert fx.shape == (len(fx), 16) and fx.dtype == np.int64
        np.testing.assert_array_equal(fx.numpy(), sx.numpy())
        np.testing.assert_array_equal(fy.numpy(), sy.numpy())
        np.testing.assert_array_equal(fx.numpy()[:, 1:], fy.numpy()[:, :-1])  # y is x shifted by one


def test_char_splits_are_contiguous_and_share_the_vocabulary():
    text = shakespeare()
    train, val = char_splits(text, block_size=128, val_fraction=0.1)
    cut = int(len(text) * 0.9)
    assert train.vocab is val.vocab and len(train.vocab) == 76
    assert len(train) == cut - 128 and len(val) == len(text) - cut - 128
    assert train.vocab.decode(train.ids) + val.vocab.decode(val.ids) == text
    assert val.vocab.decode(val[0][0]) == text[cut:cut + 128]


@pytest.mark.parametrize("call, message", [
    (lambda: CharDataset("abc", block_size=0), "block_size must be a positive integer, got 0"),
    (lambda: CharDataset("abc", block_size=3), r"longer than block_size=3, got shape \(3,\)"),
    (lambda: CharDataset(np.zeros((2, 5)), block_size=2), r"needs a 1-D sequence.*shape \(2, 5\)"),
    (lambda: char_splits("abcdef", 2, val_fraction=1.0), r"val_fraction must be in \(0, 1\)"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()
