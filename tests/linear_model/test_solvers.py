"""Compiled full-batch loops (csrc/_solvers_fast.pyx) and the estimators' iterative solvers."""

import warnings

import numpy as np
import pytest
import sklearn.linear_model as sklm
from naive_solvers import heavy_ball, objective, proximal
from numpy.testing import assert_allclose
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning

import fastgrad
from fastgrad import LinearRegression, Ridge
from fastgrad.linear_model._solvers_fast import STATUS_CODES, SquaredObjective, py_lipschitz, run_solver
from fastgrad.linear_model import _status
from fastgrad.linear_model._status import DivergenceError

SOLVERS = ["gd", "momentum", "nesterov", "lbfgs", "newton"]


def make_data(n=300, p=5, k=None, dtype=np.float64, weighted=False, seed=0, shift=2.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + shift * np.arange(p)
    shape = (p,) if k is None else (p, k)
    y = X @ rng.standard_normal(shape) + 1.5 + 0.1 * rng.standard_normal((n,) if k is None else (n, k))
    sw = rng.uniform(0.2, 2.0, n) if weighted else None
    return X.astype(dtype), y.astype(dtype), sw


def test_status_codes_agree_with_python():
    for name, value in STATUS_CODES.items():
        assert getattr(_status, name) == value


# ---------------------------------------------------------------------------
# the objective against numpy
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("n", [40, 20_000], ids=["serial", "threaded"])
def test_objective_matches_numpy(dtype, weighted, fit_intercept, n):
    X, y, sw = make_data(n=n, p=7, dtype=dtype, weighted=weighted)
    sw = None if sw is None else sw.astype(dtype)
    mean = X.mean(axis=0, dtype=np.float64) + 0.3  # any centring vector is valid
    if not fit_intercept:
        mean = np.zeros(7)
    obj = SquaredObjective(X, y, sw, mean, 0.7, fit_intercept, 2)
    ref = objective(X, y, sw, mean, 0.7, fit_intercept)
    coef = np.random.default_rng(3).standard_normal(obj.n_coef)
    f, g = obj.py_value_grad(coef)
    f_ref, g_ref = ref(coef)
    rtol = 1e-12 if dtype == np.float64 else 1e-10  # float32 data, float64 sums
    assert_allclose(f, f_ref, rtol=rtol)
    assert_allclose(g, g_ref, rtol=1e-9, atol=1e-9 * np.abs(g_ref).max())
    # Hessian-vector product: the gradient is linear, so H v = g(v) - g(0)
    v = np.random.default_rng(4).standard_normal(obj.n_coef)
    hv = obj.py_hess_vec(v)
    assert_allclose(hv, ref(v)[1] - ref(np.zeros_like(v))[1], rtol=1e-9, atol=1e-9 * np.abs(hv).max())


def test_lipschitz_is_top_eigenvalue():
    X, y, sw = make_data(n=500, p=6, weighted=True)
    mean = np.average(X, axis=0, weights=sw)
    obj = SquaredObjective(X, y, sw, mean, 0.1, True, 1)
    Xc = X - mean
    H = Xc.T @ (sw[:, None] * Xc) / sw.sum() + 0.1 * np.eye(6)
    top = max(np.linalg.eigvalsh(H).max(), 1.0)  # the intercept's eigenvalue is 1
    lam = py_lipschitz(obj, max_iter=200, rtol=1e-10)
    assert_allclose(lam, top, rtol=1e-6)


# ---------------------------------------------------------------------------
# the loops against their plain-numpy versions, step by step
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "solver, kw",
    [
        ("gd", {}),
        ("momentum", {"momentum": 0.5}),
        ("nesterov", {}),
        ("nesterov", {"momentum": 0.6}),
        ("ista", {"l1": 0.05}),
        ("fista", {"l1": 0.05}),
        ("fista", {"positive": True}),
    ],
    ids=["gd", "momentum", "nesterov_fista_seq", "nesterov_const", "ista", "fista", "projected"],
)
def test_loop_matches_naive(solver, kw):
    X, y, sw = make_data(n=200, p=4, weighted=True)
    mean = np.average(X, axis=0, weights=sw)
    obj = SquaredObjective(X, y, sw, mean, 0.01, True, 1)
    ref = objective(X, y, sw, mean, 0.01, True)
    lr = 0.8 / py_lipschitz(obj)
    start = np.r_[np.ones(4), 0.0]
    max_iter = 25  # compare a fixed number of steps (tol = 0 never stops early)
    coef, status, n_iter, curve = run_solver(obj, start, solver, max_iter, 0.0, lr=lr,
                                             momentum=kw.get("momentum", -1.0),
                                             l1=kw.get("l1", 0.0), positive=kw.get("positive", False))
    assert status == _status.MAX_ITER and n_iter == max_iter
    if solver == "momentum":
        want, want_curve = heavy_ball(ref, start, lr, kw["momentum"], max_iter, 0.0)
        assert_allclose(coef, want, rtol=1e-9)
    else:
        want, want_curve = proximal(
            ref, start, lr, max_iter, 0.0, accelerate=solver in ("nesterov", "fista"),
            mu=kw.get("momentum", -1.0), l1=kw.get("l1", 0.0), positive=kw.get("positive", False), n_pen=4,
        )
        assert_allclose(coef, want, rtol=1e-9)
    assert_allclose(curve, want_curve[: len(curve)], rtol=1e-10)


def test_gd_curve_is_monotone_and_lbfgs_newton_beat_gd():
    X, y, _ = make_data(n=400, p=6, shift=0.0)
    iters = {}
    for solver in ["gd", "lbfgs", "newton"]:
        reg = Ridge(alpha=1.0, solver=solver, tol=1e-9).fit(X, y)
        iters[solver] = reg.n_iter_[0]
        if solver == "gd":
            assert np.all(np.diff(reg.loss_curve_) <= 1e-12 * reg.loss_curve_[0])
    assert iters["newton"] <= 2 < iters["lbfgs"] < iters["gd"]


# ---------------------------------------------------------------------------
# estimators: every solver reaches scikit-learn's answer
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("k", [None, 2], ids=["1d_y", "2d_y"])
def test_ridge_solvers_match_sklearn(solver, fit_intercept, weighted, k):
    X, y, sw = make_data(k=k, weighted=weighted)
    got = Ridge(alpha=3.0, solver=solver, tol=1e-11, max_iter=20_000,
                fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    want = sklm.Ridge(alpha=3.0, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    assert_allclose(got.coef_, want.coef_, rtol=1e-6, atol=1e-9)
    assert_allclose(got.intercept_, want.intercept_, rtol=1e-6, atol=1e-9)
    assert got.n_iter_.shape == (1 if k is None else k,)
    assert got.solver_ == solver
    # the last entry of loss_curve_ is sklearn's objective at its solution
    r = y - want.predict(X)
    s = np.ones(len(y)) if sw is None else sw
    obj = np.sum(s[:, None] * np.reshape(r, (len(y), -1)) ** 2) + 3.0 * np.sum(want.coef_ ** 2)
    assert_allclose(got.loss_curve_[-1], obj, rtol=1e-8)


@pytest.mark.parametrize("solver", SOLVERS)
def test_diabetes_linear_regression(solver):
    X, y = load_diabetes(return_X_y=True)
    # standardised, as one would for a gradient method (the raw columns have
    # norms of 1, which makes plain gradient descent crawl)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    got = LinearRegression(solver=solver, tol=1e-10, max_iter=200_000).fit(X, y)
    want = sklm.LinearRegression().fit(X, y)
    assert_allclose(got.coef_, want.coef_, rtol=1e-6)
    assert_allclose(got.intercept_, want.intercept_, rtol=1e-6)


@pytest.mark.parametrize("solver", ["gd", "lbfgs", "newton"])
def test_float32(solver):
    X, y, _ = make_data(dtype=np.float32)
    got = Ridge(alpha=1.0, solver=solver, tol=1e-8).fit(X, y)
    want = sklm.Ridge(alpha=1.0).fit(X.astype(np.float64), y.astype(np.float64))
    assert got.coef_.dtype == np.float32
    assert_allclose(got.coef_, want.coef_, rtol=1e-4)


@pytest.mark.parametrize("solver", ["gd", "nesterov"])
def test_positive_projected_gradient_matches_nnls(solver):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((200, 6))
    y = X @ np.array([1.0, -2.0, 0.5, -0.1, 3.0, 0.0]) + rng.standard_normal(200)
    got = LinearRegression(positive=True, solver=solver, tol=1e-10, max_iter=50_000).fit(X, y)
    want = sklm.LinearRegression(positive=True).fit(X, y)
    assert np.all(got.coef_ >= 0)
    assert_allclose(got.coef_, want.coef_, rtol=1e-6, atol=1e-8)


def test_matches_minimize_on_the_same_objective():
    # the two backends (numba minimize, Cython loops) on one problem
    X, y, _ = make_data(n=200, p=4, shift=0.0)
    alpha = 0.5

    def f(w):
        r = X @ w - y
        return 0.5 * r @ r / len(y) + 0.5 * alpha / len(y) * w @ w

    def grad(w):
        return X.T @ (X @ w - y) / len(y) + alpha / len(y) * w

    res = fastgrad.minimize(f, np.zeros(4), method="lbfgs", jac=grad, tol=1e-12)
    reg = Ridge(alpha=alpha, fit_intercept=False, solver="lbfgs", tol=1e-10).fit(X, y)
    assert_allclose(reg.coef_, res.x, rtol=1e-8)


# ---------------------------------------------------------------------------
# warm start, warnings, divergence, bad parameters, verbose
# ---------------------------------------------------------------------------

def test_warm_start_resumes():
    X, y, _ = make_data()
    reg = Ridge(solver="gd", tol=1e-10, max_iter=5, warm_start=True)
    with pytest.warns(ConvergenceWarning, match="max_iter=5"):
        reg.fit(X, y)
    first = reg.loss_curve_[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y)
    # continued from where it stopped (the last step is not evaluated), not restarted
    assert reg.loss_curve_[0] <= first
    reg.set_params(max_iter=100_000)
    reg.fit(X, y)
    again = clone_and_fit = Ridge(solver="gd", tol=1e-10, max_iter=100_000).fit(X, y)
    assert_allclose(reg.coef_, clone_and_fit.coef_, rtol=1e-7)
    assert reg.n_iter_[0] < again.n_iter_[0]


def test_divergence_raises_with_advice():
    X, y, _ = make_data()
    X_before, y_before = X.copy(), y.copy()
    with pytest.raises(DivergenceError, match="diverged.*learning_rate=10"):
        Ridge(solver="gd", learning_rate=10.0).fit(X, y)
    with pytest.raises(ValueError, match="diverged"):
        LinearRegression(solver="momentum", learning_rate=5.0).fit(X, y)
    assert np.array_equal(X, X_before) and np.array_equal(y, y_before)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"solver": "svd"}, "solver"),
        ({"solver": "gd", "momentum": 1.5}, "momentum"),
        ({"solver": "gd", "learning_rate": -1.0}, "learning_rate"),
        ({"solver": "gd", "learning_rate": 0.0}, "learning_rate"),
        ({"solver": "gd", "max_iter": 0}, "max_iter"),
        ({"solver": "lbfgs", "positive": True}, "positive"),
        ({"solver": "cholesky", "positive": True}, "positive"),
        ({"solver": "gd", "warm_start": "yes"}, "warm_start"),
    ],
)
@pytest.mark.parametrize("estimator", [Ridge, LinearRegression])
def test_bad_parameters(estimator, params, match):
    if estimator is LinearRegression and params == {"solver": "cholesky", "positive": True}:
        pytest.skip("LinearRegression's closed form supports positive=True (NNLS)")
    if estimator is Ridge and params in ({"solver": "svd"}, {"solver": "lbfgs", "positive": True}):
        pytest.skip("valid for Ridge, as in scikit-learn (tests/test_ridge_solvers.py)")
    X, y, _ = make_data(n=20)
    with pytest.raises(ValueError, match=match):
        estimator(**params).fit(X, y)


def test_verbose_prints_every_iteration(capfd):
    X, y, _ = make_data(n=50)
    reg = Ridge(solver="lbfgs", verbose=1, tol=1e-8).fit(X, y)
    out = capfd.readouterr().out
    assert out.count("[lbfgs] iteration") == len(reg.loss_curve_)


def test_auto_and_closed_form_report_one_objective():
    X, y, _ = make_data()
    reg = Ridge(alpha=2.0).fit(X, y)
    assert reg.solver_ == "cholesky" and reg.n_iter_ is None and reg.loss_curve_.shape == (1,)
    lbfgs = Ridge(alpha=2.0, solver="lbfgs", tol=1e-9).fit(X, y)
    assert_allclose(reg.loss_curve_[0], lbfgs.loss_curve_[-1], rtol=1e-9)
