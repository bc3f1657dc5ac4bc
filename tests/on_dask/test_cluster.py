"""fastgrad.dask estimators on a real 2-worker dask.distributed LocalCluster (processes).

Every fit is compared with the in-memory fastgrad fit on the same data (which
the linear_model tests check against scikit-learn), and a few with
scikit-learn directly.
"""
import os
import signal

import numpy as np
import pytest

dask = pytest.importorskip("dask.array", reason="needs the [dask] extra: pip install '.[dask]'")
pytest.importorskip("distributed", reason="needs the [dask] extra: pip install '.[dask]'")

import dask.array as da  # noqa: E402
import sklearn.linear_model as skl  # noqa: E402

import fastgrad  # noqa: E402
import fastgrad.dask as fd  # noqa: E402
from fastgrad.dask import _runner  # noqa: E402

from conftest import N, make_data  # noqa: E402

X, Y, SW = make_data()
TIGHT = 1e-10

# (estimator name, parameters, target kind, weighted)
CASES = [
    ("LinearRegression", {}, "linear", False),
    ("LinearRegression", {"fit_intercept": False}, "linear", True),
    ("Ridge", {"alpha": 30.0}, "linear", True),
    ("Lasso", {"alpha": 0.05, "tol": TIGHT}, "linear", True),
    ("ElasticNet", {"alpha": 0.05, "l1_ratio": 0.4, "tol": TIGHT}, "linear", False),
    ("LogisticRegression", {"tol": TIGHT}, "binary", False),
    ("LogisticRegression", {"tol": TIGHT, "C": 0.05, "class_weight": "balanced"}, "binary", True),
    ("LogisticRegression", {"tol": TIGHT, "solver": "lbfgs"}, "multi", False),
    ("LogisticRegression", {"tol": TIGHT, "fit_intercept": False}, "multi", True),
    ("PoissonRegressor", {"tol": TIGHT, "alpha": 0.01}, "count", True),
    ("PoissonRegressor", {"tol": TIGHT, "alpha": 0.0, "solver": "lbfgs"}, "count", False),
    ("HuberRegressor", {"tol": TIGHT, "alpha": 0.01}, "robust", True),
]
IDS = [f"{name}-{kind}-{'w' if w else 'u'}-{i}" for i, (name, _, kind, w) in enumerate(CASES)]


def _dask(a, chunks):
    return da.from_array(a, chunks=(chunks,) + a.shape[1:])


def _fit_both(name, params, kind, weighted, chunks=300):
    y, sw = Y[kind], (SW if weighted else None)
    ref = getattr(fastgrad, name)(**params).fit(X, y, sample_weight=sw)
    est = getattr(fd, name)(**params).fit(
        _dask(X, chunks), _dask(y, chunks), sample_weight=None if sw is None else _dask(sw, chunks)
    )
    return ref, est


def _assert_same_model(ref, est, rtol=1e-6):
    scale = np.max(np.abs(ref.coef_))
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=rtol, atol=rtol * max(scale, 1))
    assert np.shape(est.coef_) == np.shape(ref.coef_)
    assert np.shape(est.intercept_) == np.shape(ref.intercept_)


@pytest.mark.parametrize("name, params, kind, weighted", CASES, ids=IDS)
def test_fit_matches_the_in_memory_fit(client, name, params, kind, weighted):
    # chunks of 300 rows: 2003 = 6 * 300 + 203, the last chunk is short
    ref, est = _fit_both(name, params, kind, weighted)
    _assert_same_model(ref, est)
    assert est.n_features_in_ == P_FEATURES
    assert est.n_rounds_ >= 1
    if hasattr(ref, "classes_"):
        np.testing.assert_array_equal(est.classes_, ref.classes_)
    if name == "HuberRegressor":
        assert est.scale_ == pytest.approx(ref.scale_, rel=1e-6)


P_FEATURES = X.shape[1]


def test_the_objective_is_scikit_learns(client):
    # an independent reference: scikit-learn's own solvers on the same data.  Its
    # Newton solver, not lbfgs: with a column of mean 10 lbfgs stops (line search)
    # with a gradient of ~1e-4 whatever tol says, a coefficient off by ~1e-6
    # that differs between BLAS builds; newton-cholesky reaches ~1e-12.
    pytest.importorskip("sklearn", minversion="1.6", reason="multinomial newton-cholesky is 1.6+")
    y = Y["multi"]
    est = fd.LogisticRegression(C=0.5, tol=TIGHT).fit(_dask(X, 500), _dask(y, 500))
    ref = skl.LogisticRegression(C=0.5, tol=1e-12, max_iter=10_000, solver="newton-cholesky").fit(X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-5, atol=1e-6)
    est = fd.PoissonRegressor(alpha=0.02, tol=TIGHT).fit(_dask(X, 500), _dask(Y["count"], 500))
    ref = skl.PoissonRegressor(alpha=0.02, tol=1e-12, max_iter=10_000,
                               solver="newton-cholesky").fit(X, Y["count"])
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-5, atol=1e-7)


def test_least_squares_is_one_round_and_glms_one_round_per_evaluation(client):
    _, est = _fit_both("LinearRegression", {}, "linear", True)
    assert est.n_rounds_ == 1  # one Gram pass, nothing else
    _, est = _fit_both("LogisticRegression", {"tol": TIGHT}, "binary", False)
    # setup statistics, the start point, then one round per Newton step (no rejected steps here)
    assert est.solver_ == "newton"
    assert est.n_rounds_ == 2 + est.n_iter_[0]


@pytest.mark.parametrize("chunks", [((1000, 1, 1002),), ((1000, 0, 1003),)], ids=["one-row", "empty"])
@pytest.mark.parametrize("name, params, kind", [
    ("LinearRegression", {}, "linear"),
    ("LogisticRegression", {"tol": TIGHT}, "multi"),
    ("PoissonRegressor", {"tol": TIGHT}, "count"),
])
def test_a_tiny_or_empty_chunk(client, chunks, name, params, kind):
    y = Y[kind]
    ref = getattr(fastgrad, name)(**params).fit(X, y)
    Xd = da.from_array(X, chunks=chunks + ((X.shape[1],),))
    est = getattr(fd, name)(**params).fit(Xd, da.from_array(y, chunks=chunks))
    _assert_same_model(ref, est)


@pytest.mark.parametrize("where", ["X", "y"])
@pytest.mark.parametrize("name, kind", [("LogisticRegression", "binary"), ("Ridge", "linear"),
                                        ("PoissonRegressor", "count")])
def test_nan_in_one_chunk_is_a_clear_error(client, where, name, kind):
    Xb, yb = X.copy(), Y[kind].astype(np.float64)
    if where == "X":
        Xb[1234, 2] = np.nan  # chunk 4 of 300-row chunks (rows 1200..1499)
    else:
        yb[1234] = np.nan
    with pytest.raises(ValueError, match=rf"{where} contains NaN or infinity in chunk 4 "
                                         r"\(rows 1200 to 1499\).*row 1234"):
        getattr(fd, name)().fit(_dask(Xb, 300), _dask(yb, 300))


def test_prediction_is_lazy_and_matches(client):
    Xd, yd = _dask(X, 400), _dask(Y["multi"], 400)
    ref = fastgrad.LogisticRegression(tol=TIGHT).fit(X, Y["multi"])
    est = fd.LogisticRegression(tol=TIGHT).fit(Xd, yd)
    for method in ("decision_function", "predict_proba", "predict_log_proba", "predict"):
        lazy = getattr(est, method)(Xd)
        assert isinstance(lazy, da.Array), method
        expected = getattr(ref, method)(X)
        if method == "predict":
            np.testing.assert_array_equal(lazy.compute(), expected)
        else:
            np.testing.assert_allclose(lazy.compute(), expected, rtol=1e-6, atol=1e-8)
    score = est.score(Xd, yd)
    assert isinstance(score, da.Array)
    assert float(score.compute()) == pytest.approx(ref.score(X, Y["multi"]), abs=1e-12)
    for name, kind in (("Ridge", "linear"), ("PoissonRegressor", "count"), ("Lasso", "linear"),
                       ("HuberRegressor", "robust")):
        ref = getattr(fastgrad, name)(tol=TIGHT).fit(X, Y[kind])
        est = getattr(fd, name)(tol=TIGHT).fit(Xd, _dask(Y[kind], 400))
        pred = est.predict(Xd)
        assert isinstance(pred, da.Array)
        np.testing.assert_allclose(pred.compute(), ref.predict(X), rtol=1e-5)
        assert float(est.score(Xd, _dask(Y[kind], 400)).compute()) == pytest.approx(
            ref.score(X, Y[kind]), rel=1e-6)
    outliers = est.outliers_  # HuberRegressor: lazy too
    assert isinstance(outliers, da.Array)
    np.testing.assert_array_equal(outliers.compute(), ref.outliers_)


def test_a_worker_killed_mid_fit(client, monkeypatch):
    """SIGKILL one worker process after the second round: its chunks are recomputed from
    their lineage on the survivor, and the fit ends with the same coefficients."""
    killed = []

    def kill_one_worker(runner, round_index):
        if round_index == 2 and not killed:
            pids = client.run(os.getpid)
            holders = {w for ws in client.who_has(runner_handles(runner)).values() for w in ws}
            victim = sorted(holders)[0]
            os.kill(pids[victim], signal.SIGKILL)
            killed.append(victim)

    handles = {}

    def runner_handles(runner):
        return handles["chunks"]

    persist = _runner.DistributedRunner.persist

    def persist_and_remember(self, tasks):
        handles["chunks"] = persist(self, tasks)
        return handles["chunks"]

    monkeypatch.setattr(_runner.DistributedRunner, "persist", persist_and_remember)
    monkeypatch.setattr(_runner, "_AFTER_ROUND", kill_one_worker)
    ref, est = _fit_both("LogisticRegression", {"tol": TIGHT}, "multi", True)
    assert killed, "the hook did not run"
    assert est.n_rounds_ > 3  # the fit went on after the kill
    _assert_same_model(ref, est, rtol=1e-9)  # the same numbers: the reduction order is fixed
    client.wait_for_workers(2, timeout=60)  # the nanny restarts it for the next tests


def test_bad_input_is_a_clear_error(client):
    Xd = _dask(X, 500)
    with pytest.raises(ValueError, match="y has 10 entries but X has 2003 rows"):
        fd.Ridge().fit(Xd, da.ones(10, chunks=5))
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        fd.Ridge().fit(Xd[Xd[:, 0] > 3], Y["linear"])
    with pytest.raises(ValueError, match="l1_ratio=0"):
        fd.LogisticRegression(l1_ratio=0.5, solver="saga").fit(Xd, _dask(Y["binary"], 500))
    with pytest.raises(ValueError, match="solver='sgd' is not available"):
        fd.PoissonRegressor(solver="sgd").fit(Xd, _dask(Y["count"], 500))
    with pytest.raises(ValueError, match="y >= 0"):
        fd.PoissonRegressor().fit(Xd, _dask(Y["linear"], 500))
    with pytest.raises(ValueError, match="only one class"):
        fd.LogisticRegression().fit(Xd, da.zeros(N, chunks=500))


def test_numpy_input_runs_the_in_memory_fit():
    y = Y["binary"]
    est = fd.LogisticRegression().fit(X, y)
    ref = fastgrad.LogisticRegression().fit(X, y)
    np.testing.assert_array_equal(est.coef_, ref.coef_)
    assert isinstance(est.predict(X), np.ndarray)
