"""examples/compare_optimizers.py runs end to end on a small problem.

The script is loaded by path: examples/ is not a package and is not installed.
It needs fastgrad.LogisticRegression; without it the import fails (no skip).
"""
import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "compare_optimizers.py"
GRID = 3
MAX_ITER = 500
#: Deterministic solvers: a converged run of any of them is at the minimum.
#: (sgd's stopping rule, if it stops early, does not mean the same.)
EXACT = ("lbfgs", "newton", "gd", "momentum", "nesterov", "fista")


def _load_example():
    spec = importlib.util.spec_from_file_location("compare_optimizers", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example():
    return _load_example()


@pytest.fixture(scope="module")
def run(example, tmp_path_factory):
    out = tmp_path_factory.mktemp("compare_optimizers")
    rows = example.main([
        "--dataset", "synthetic", "--n-samples", "300", "--n-features", "6",
        # well separated classes: a linear model should do far better than chance
        "--class-sep", "2.0", "--C", "1.0", "--tol", "1e-8",
        "--max-iter", str(MAX_ITER), "--grid-size", str(GRID), "--seed", "0",
        "--out", str(out),
    ])
    return rows, out


def _part(rows, part):
    return [r for r in rows if r["part"] == part]


def test_figure_and_result_files(run):
    rows, out = run
    png = out / "compare_optimizers.png"
    assert png.is_file() and png.stat().st_size > 10_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image

    image = matplotlib.image.imread(png)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    saved = json.loads((out / "results.json").read_text())
    assert len(saved) == len(rows)
    assert (out / "results.csv").read_text().count("\n") == len(rows) + 1


def test_table_has_every_solver_and_sweep(run, example):
    rows, _ = run
    assert [r["solver"] for r in _part(rows, "solvers")] == list(example.SOLVERS)
    assert set(example.SOLVERS) == set(EXACT) | {"sgd"}
    c_rows = _part(rows, "C")
    assert sorted({r["solver"] for r in c_rows}) == sorted(example.C_SWEEP_SOLVERS)
    assert len(c_rows) == GRID * len(example.C_SWEEP_SOLVERS)
    assert len({r["C"] for r in c_rows}) == GRID
    lr_rows = _part(rows, "learning_rate")
    assert sorted({r["solver"] for r in lr_rows}) == sorted(example.LR_SWEEP_SOLVERS)
    assert len(lr_rows) == GRID * len(example.LR_SWEEP_SOLVERS)


def test_metrics_in_unit_interval(run):
    rows, _ = run
    fitted = [r for r in rows if r["status"] != "diverged"]
    # nothing diverges at the default step, nor on the regularisation path
    assert all(r["status"] != "diverged" for r in rows if r["part"] != "learning_rate")
    for r in fitted:
        for m in ("accuracy", "precision", "recall", "f1"):
            assert 0.0 <= r[m] <= 1.0, (r["solver"], m, r[m])
    for r in rows:
        if r["status"] == "diverged":
            assert all(math.isnan(r[m]) for m in ("accuracy", "precision", "recall", "f1"))


def test_loss_curves_recorded(run):
    rows, _ = run
    for r in _part(rows, "solvers"):
        curve = r["loss_curve"]
        assert curve.ndim == 1 and np.all(np.isfinite(curve)), r["solver"]
        # first entry at the start point, one more per iteration (at least)
        assert len(curve) >= 2 and curve[-1] < curve[0], r["solver"]
        assert r["final_objective"] == curve[-1]


def test_accurate_solvers_learn_the_separable_problem(run):
    rows, _ = run
    by_solver = {r["solver"]: r for r in _part(rows, "solvers")}
    for solver in ("lbfgs", "newton"):
        assert by_solver[solver]["status"] == "converged", by_solver[solver]
        assert by_solver[solver]["accuracy"] >= 0.85, by_solver[solver]
        assert by_solver[solver]["f1"] >= 0.85, by_solver[solver]


def test_converged_solvers_reach_the_same_minimum(run):
    rows, _ = run
    converged = {
        r["solver"]: r["final_objective"]
        for r in _part(rows, "solvers")
        if r["solver"] in EXACT and r["status"] == "converged"
    }
    assert {"lbfgs", "newton"} <= set(converged)
    reference = converged["newton"]
    for solver, value in converged.items():
        np.testing.assert_allclose(value, reference, rtol=1e-6, err_msg=solver)


def test_bad_arguments_exit(example):
    for argv in (["--grid-size", "0"], ["--C", "-1"], ["--dataset", "iris"]):
        with pytest.raises(SystemExit) as info:
            example.parse_args(argv)
        assert info.value.code == 2
