"""examples/overparameterised.py: the facts it shows hold, on small problems.

The pictures are not tested; the numbers behind them are, against
independent references (numpy's pinv, scipy's null-space basis, the
closed-form ridge solution).  The script is loaded by path: examples/ is not
a package.
"""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import scipy.linalg

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "overparameterised.py"
N, D = 30, 80


@pytest.fixture(scope="module")
def op():
    spec = importlib.util.spec_from_file_location("overparameterised", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def part1(op):
    return op.min_norm(N, D, seed=3)


def test_gd_from_zero_reaches_the_pinv_solution(part1):
    for solver, r in part1["estimators"].items():
        assert r["rel_to_pinv"] < 1e-8, (solver, r)
    r = part1["minimize_from_zero"]
    assert r["rel_to_pinv"] < 1e-8, r
    assert r["null_component"] < 1e-8 * part1["pinv_norm"], r
    assert r["residual"] < 1e-8, r  # an interpolant


def test_start_keeps_its_null_space_component(op):
    X, y = op.linear_problem(N, D, seed=4)
    w0 = np.random.default_rng(5).standard_normal(D)
    res = op.minimize(op._half_mse, w0, method="gd", jac=op._half_mse_grad, args=(X, y),
                      learning_rate=op._step(X), tol=1e-13, max_iter=50_000)
    assert res.success, res.message
    basis = scipy.linalg.null_space(X)  # orthonormal basis of {v : X v = 0}, from an SVD
    assert basis.shape == (D, D - N)
    # the null-space coordinates of the start are untouched ...
    np.testing.assert_allclose(basis.T @ res.x, basis.T @ w0, rtol=0, atol=1e-10 * np.linalg.norm(w0))
    # ... and the rest is the minimum-norm interpolant
    w_pinv = np.linalg.pinv(X) @ y
    np.testing.assert_allclose(res.x - basis @ (basis.T @ w0), w_pinv, rtol=0, atol=1e-8 * np.linalg.norm(w_pinv))
    # the start is far from the pinv solution, so the check above means something
    assert np.linalg.norm(res.x - w_pinv) > np.linalg.norm(w_pinv)


def test_prediction_from_the_example_matches(part1):
    r = part1["minimize_from_w0"]
    assert r["rel_to_prediction"] < 1e-8, r
    np.testing.assert_allclose(r["null_component"], part1["start_null_norm"], rtol=1e-8)
    assert r["rel_to_pinv"] > 1.0  # a different interpolant than from zero


def test_ridge_tends_to_the_pinv_solution(part1):
    dist = [part1["ridge"][str(a)] for a in sorted(map(float, part1["ridge"]), reverse=True)]
    assert all(b < a for a, b in zip(dist, dist[1:])), dist
    assert dist[-1] < 1e-6 and dist[0] > 1e-4


@pytest.fixture(scope="module")
def curve(op):
    counts = [5, 10, 20, 24, 26, 28, 29, 30, 31, 32, 34, 36, 40, 60, 150, 300]
    return op.double_descent(N, n_test=500, feature_counts=counts, ridge_alpha=1e-2, seeds=(0, 2))


def test_double_descent_peaks_at_the_threshold(curve):
    assert abs(curve["peak_at"] - N) <= 3, curve["peak_at"]
    mse = dict(zip(curve["feature_counts"], curve["min_norm"]))
    # second descent: well past the threshold the error is far lower than at it
    assert mse[300] < mse[curve["peak_at"]] / 3
    assert mse[300] < mse[60] < mse[curve["peak_at"]]
    # first descent exists too: a few features beat the threshold
    assert mse[10] < mse[curve["peak_at"]] / 3
    # interpolation past the threshold: zero training error
    train = dict(zip(curve["feature_counts"], curve["train_min_norm"]))
    assert train[60] < 1e-12 and train[10] > 1e-3


def test_small_ridge_removes_the_peak(curve):
    ridge = np.asarray(curve["ridge"])
    min_norm = np.asarray(curve["min_norm"])
    assert ridge.max() < min_norm.max() / 3
    at = curve["feature_counts"].index(N)
    assert ridge[at] < 2 * np.median(ridge)


def test_ridge_curve_matches_closed_form(op):
    # the estimator fits agree with the textbook ridge formula on these features
    rng = np.random.default_rng(0)
    X, y = op.feature_problem(N, rng)
    F = op.relu_features(X, rng.standard_normal((X.shape[1], N)))
    w = op.Ridge(alpha=1e-2, fit_intercept=False).fit(F, y).coef_
    np.testing.assert_allclose(w, np.linalg.solve(F.T @ F + 1e-2 * np.eye(N), F.T @ y), rtol=1e-6, atol=1e-8)


def test_early_stopping_follows_the_ridge_path(op):
    r = op.early_stopping(N, D, seed=1, n_steps=400, n_test=500)
    gd, ridge = r["gd"], r["ridge"]
    # the estimator's loss curve and minimize's iterates are the same GD path
    np.testing.assert_allclose(gd["loss_curve_train"], gd["train"], rtol=1e-9, atol=1e-12 * gd["train"][0])
    # from zero with eta <= 1/L: the norm only grows and the loss only falls
    assert np.all(np.diff(gd["norm"]) >= -1e-12) and np.all(np.diff(gd["train"]) <= 1e-12)
    # ridge at the matched lam: norm grows as lam shrinks, as along GD
    assert np.all(np.diff(ridge["norm"]) >= -1e-12)
    # GD ends at the minimum-norm interpolant; ridge at the smallest lam is close below it
    assert ridge["norm"][-1] < gd["norm"][-1]
    np.testing.assert_allclose(ridge["norm"][-1], gd["norm"][-1], rtol=5e-2)
    # and along the way their norms agree within a factor of 2
    ratio = np.asarray(gd["norm"][1:]) / np.asarray(ridge["norm"][1:])
    assert np.all((ratio > 0.5) & (ratio < 2.0)), ratio


def test_main_writes_results_and_figure(op, tmp_path):
    results = op.main(["--n-samples", "20", "--n-features", "50", "--seeds", "1", "--steps", "200",
                       "--out", str(tmp_path)])
    saved = json.loads((tmp_path / "results.json").read_text())
    assert set(saved) == {"min_norm", "double_descent", "early_stopping"}
    assert saved["double_descent"]["feature_counts"] == results["double_descent"]["feature_counts"]
    png = tmp_path / "overparameterised.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


@pytest.mark.parametrize("argv", [["--n-features", "10"], ["--seeds", "0"], ["--ridge-alpha", "0"]])
def test_bad_arguments_exit(op, argv):
    with pytest.raises(SystemExit) as info:
        op.parse_args(argv)
    assert info.value.code == 2
