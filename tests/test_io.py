"""Saving and loading: safetensors round trips, PyTorch interoperability, atomic writes, refusal of pickles."""
import os

import numpy as np
import pytest
import safetensors.torch
import torch

import glassgrad as gg
from glassgrad.io import CheckpointError, atomic_write


def test_round_trip_keeps_dtypes_shapes_values_and_order(tmp_path):
    state = {"z.weight": gg.randn(3, 2), "a.bias": gg.zeros(2, dtype=gg.float64),
             "m.num_batches_tracked": gg.tensor(5), "flag": gg.tensor([True, False]),
             "empty": gg.zeros(0, 4)}
    path = tmp_path / "s.safetensors"
    gg.save(state, path)
    loaded = gg.load(path)
    assert list(loaded) == list(state)
    for name, value in state.items():
        assert loaded[name].dtype == value.dtype and loaded[name].shape == value.shape
        np.testing.assert_array_equal(loaded[name].data, value.data)


def test_glassgrad_file_loads_in_torch_and_back(tmp_path):
    path = tmp_path / "g.safetensors"
    gg.save({"w": gg.arange(6).reshape(2, 3).float(), "i": gg.tensor([1, 2])}, path)
    theirs = safetensors.torch.load_file(str(path))
    assert theirs["w"].dtype == torch.float32 and theirs["i"].dtype == torch.int64
    np.testing.assert_array_equal(theirs["w"].numpy(), np.arange(6).reshape(2, 3))
    back = tmp_path / "t.safetensors"
    safetensors.torch.save_file({"w": theirs["w"] * 2, "h": torch.ones(2, dtype=torch.float64)}, str(back))
    ours = gg.load(back)
    np.testing.assert_array_equal(ours["w"].data, 2 * np.arange(6).reshape(2, 3))
    assert ours["h"].dtype == gg.float64


def test_non_contiguous_views_are_saved_by_value(tmp_path):
    t = gg.arange(12).reshape(3, 4).float()
    view = gg.Tensor(t.data.T)
    gg.save({"v": view}, tmp_path / "v.safetensors")
    np.testing.assert_array_equal(gg.load(tmp_path / "v.safetensors")["v"].data, t.data.T)


def test_truncated_foreign_missing_and_pickled_files_give_clear_errors(tmp_path):
    good = tmp_path / "good.safetensors"
    gg.save({"w": gg.ones(100)}, good)
    truncated = tmp_path / "cut.safetensors"
    truncated.write_bytes(good.read_bytes()[:60])
    with pytest.raises(CheckpointError, match="not a readable safetensors file"):
        gg.load(truncated)
    foreign = tmp_path / "notes.txt"
    foreign.write_text("just some text, not tensors")
    with pytest.raises(CheckpointError, match="not a readable safetensors file"):
        gg.load(foreign)
    pickled = tmp_path / "model.pt"
    torch.save({"w": torch.ones(2)}, pickled)
    with pytest.raises(CheckpointError, match="never loads pickles"):
        gg.load(pickled)
    with pytest.raises(CheckpointError, match="no such file"):
        gg.load(tmp_path / "absent.safetensors")


def test_save_refuses_what_it_cannot_store_without_pickle(tmp_path):
    with pytest.raises(TypeError, match="state_dict"):
        gg.save(gg.ones(2), tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="never pickles"):
        gg.save({"f": lambda: 0}, tmp_path / "x.safetensors")
    assert not os.listdir(tmp_path)


def test_atomic_write_leaves_old_file_when_interrupted(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    gg.save({"w": gg.ones(3)}, path)
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(path) as f:
            f.write(b"half a file")
            raise KeyboardInterrupt
    np.testing.assert_array_equal(gg.load(path)["w"].data, np.ones(3))
    assert sorted(os.listdir(tmp_path)) == ["ckpt.safetensors"]  # no temporary left behind


def test_loaded_tensors_are_writable_and_refuse_other_devices(tmp_path):
    gg.save({"w": gg.ones(2)}, tmp_path / "w.safetensors")
    w = gg.load(tmp_path / "w.safetensors")["w"]
    w.data += 1
    np.testing.assert_array_equal(w.data, [2.0, 2.0])
    with pytest.raises(RuntimeError, match="CPU only"):
        gg.load(tmp_path / "w.safetensors", map_location="cuda")


def test_nested_checkpoint_round_trips_exactly(tmp_path):
    checkpoint = {"epoch": 4, "loss": float("nan"), "model": {"fc.weight": gg.ones(2, 2)},
                  "optimizer": {"state": {0: {"step": gg.tensor(3.0), "exp_avg": gg.zeros(2)}},
                                "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0]}]},
                  "rng": {"state": 2 ** 100 + 7, "name": "PCG64"}, "none": None, "__odd": [1, (2, 3)]}
    gg.save(checkpoint, tmp_path / "c.safetensors")
    back = gg.load(tmp_path / "c.safetensors")
    assert back["epoch"] == 4 and np.isnan(back["loss"]) and back["none"] is None
    assert back["rng"]["state"] == 2 ** 100 + 7 and back["__odd"] == [1, (2, 3)]
    assert list(back["optimizer"]["state"]) == [0]  # integer keys stay integers
    assert back["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    np.testing.assert_array_equal(back["model"]["fc.weight"].data, np.ones((2, 2)))
    assert back["optimizer"]["state"][0]["step"].item() == 3.0
    with pytest.raises(TypeError, match="never pickles"):
        gg.save({"model": object()}, tmp_path / "bad.safetensors")
