"""glassgrad.utils.data is glassgrad.data at torch.utils.data's import path."""
import glassgrad as gg
import glassgrad.data
import glassgrad.utils.data as utils_data
from glassgrad.utils.data import DataLoader, TensorDataset, random_split


def test_torch_import_path_gives_the_same_objects():
    assert DataLoader is glassgrad.data.DataLoader and TensorDataset is glassgrad.data.TensorDataset
    assert random_split is glassgrad.data.random_split
    assert set(utils_data.__all__) == set(glassgrad.data.__all__)
    for name in glassgrad.data.__all__:
        assert getattr(utils_data, name) is getattr(glassgrad.data, name)
    assert gg.utils.data is utils_data and gg.data is glassgrad.data


def test_a_ported_torch_snippet_runs():
    # the torch version of these lines differs only in the import
    ds = TensorDataset(gg.randn(10, 3), gg.randint(0, 2, (10,)))
    train, val = random_split(ds, [8, 2], generator=gg.Generator().manual_seed(42))
    loader = DataLoader(train, batch_size=4, shuffle=True)
    assert [tuple(x.shape) for x, _ in loader] == [(4, 3), (4, 3)] and len(val) == 2
