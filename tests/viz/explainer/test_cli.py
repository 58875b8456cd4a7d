"""``glassgrad explain`` and ``glassgrad.viz.show``."""
import os

import pytest

from glassgrad import cli, viz
from glassgrad.viz.show import ExplainerView
from tests.viz.explainer.conftest import read_data


def test_explain_trains_a_chosen_network(tmp_path, capsys):
    out = tmp_path / "moons.html"
    code = cli.main(["explain", "--dataset", "moons", "--hidden", "6", "--activation", "tanh",
                     "--optimizer", "sgd", "--epochs", "3", "--out", str(out), "--quiet"])
    assert code == 0 and out.exists()
    printed = capsys.readouterr().out
    assert str(out) in printed and printed.count("\n") == 2
    data = read_data(out)
    assert data["meta"]["config"]["dataset"] == "moons" and data["meta"]["config"]["hidden"] == [6]
    assert data["network"]["sizes"] == [2, 6, 2] and data["meta"]["classes"] == 2
    assert data["notes"] == {}


def test_explain_a_recorded_run(built, tmp_path, capsys):
    out = tmp_path / "again.html"
    assert cli.main(["explain", "--run", str(built[2]), "--out", str(out)]) == 0
    data = read_data(out)
    assert data["race"] is None and data["landscape"] is not None and "descent" in data["notes"]
    assert data["network"]["frames"] == built[0]["network"]["frames"]


def test_explain_says_what_is_wrong(built, tmp_path, capsys):
    assert cli.main(["explain", "--run", str(built[2]), "--epochs", "3"]) == 2
    assert "--epochs" in capsys.readouterr().err
    assert cli.main(["explain", "--run", str(tmp_path / "nothing")]) == 2
    assert "no such directory" in capsys.readouterr().err
    assert cli.main(["explain", "--hidden", "4,x", "--out", str(tmp_path / "x.html")]) == 2
    assert "--hidden" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["explain", "--dataset", "mnist"])
    assert not os.path.exists(tmp_path / "x.html")


def test_show_gives_the_same_page_for_a_notebook(built, tmp_path):
    view = viz.show(built[2], height=500)      # no IPython here: the view is returned
    assert isinstance(view, ExplainerView)
    frame = view._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and "height:500px" in frame and "allow-scripts" in frame
    saved = view.save(tmp_path / "shown.html")
    assert read_data(saved)["network"] == read_data(os.fspath(built[1]))["network"]
    assert read_data(saved)["meta"]["parameter_count"] == 371
