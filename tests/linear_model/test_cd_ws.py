"""Lasso / ElasticNet with ``solver="ws"`` (working-set CD, ``_cd_ws``).

References: scikit-learn's Lasso / ElasticNet at a tight tolerance (an
independent implementation), fastgrad's plain ``solver="cd"`` and an
independent numpy duality gap (``_enet_gap``).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sklm
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from fastgrad.linear_model._cd_solvers import _enet_gap
from fastgrad.linear_model._cd_fast import py_ws_gradient, py_ws_inner, py_ws_prepare
from fastgrad.linear_model._coordinate_descent import ElasticNet, Lasso

TIGHT = 1e-12


def wide(n=60, p=300, k=8, seed=0, sparse=False):
    rng = np.random.default_rng(seed)
    if sparse:
        X = sp.random(n, p, density=0.1, format="csc", random_state=seed,
                      data_rvs=lambda m: rng.standard_normal(m) + 0.5)
    else:
        X = rng.standard_normal((n, p)) + 0.3
    w = np.zeros(p)
    w[rng.choice(p, k, replace=False)] = 3 * rng.standard_normal(k)
    y = X @ w + 1.5 + 0.2 * rng.standard_normal(n)
    return X, y


def alpha_max(X, y, fit_intercept=True, l1_ratio=1.0, sw=None):
    n = X.shape[0]
    s = np.ones(n) if sw is None else sw * n / sw.sum()
    Xd = X.toarray() if sp.issparse(X) else X
    if fit_intercept:
        Xd = Xd - np.average(Xd, axis=0, weights=s)
        y = y - np.average(y, weights=s)
    return np.max(np.abs(Xd.T @ (s * y))) / (n * l1_ratio)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("div", [5, 50])
def test_lasso_matches_sklearn(sparse, fit_intercept, positive, div):
    X, y = wide(sparse=sparse)
    alpha = alpha_max(X, y, fit_intercept) / div
    kw = dict(alpha=alpha, fit_intercept=fit_intercept, positive=positive, tol=TIGHT,
              max_iter=200_000)
    got = Lasso(solver="ws", **kw).fit(X, y)
    ref = sklm.Lasso(**kw).fit(X, y)
    assert got.solver_ == "ws"
    assert_allclose(got.coef_, ref.coef_, atol=1e-6)
    assert_allclose(got.intercept_, ref.intercept_, atol=1e-6)
    yy = np.var(y) if fit_intercept else np.mean(y * y)
    assert got.dual_gap_ <= TIGHT * yy
    if positive:
        assert np.all(got.coef_ >= 0)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("weighted", [False, True])
def test_enet_matches_sklearn_and_cd(sparse, weighted):
    X, y = wide(sparse=sparse, seed=1)
    sw = np.random.default_rng(3).uniform(0.2, 2.0, X.shape[0]) if weighted else None
    alpha = alpha_max(X, y, l1_ratio=0.7, sw=sw) / 20
    kw = dict(alpha=alpha, l1_ratio=0.7, tol=TIGHT, max_iter=200_000)
    got = ElasticNet(solver="ws", **kw).fit(X, y, sample_weight=sw)
    cd = ElasticNet(solver="cd", **kw).fit(X, y, sample_weight=sw)
    ref = sklm.ElasticNet(**kw).fit(X, y, sample_weight=sw)
    assert_allclose(got.coef_, ref.coef_, atol=1e-6)
    assert_allclose(got.coef_, cd.coef_, atol=1e-6)
    assert_allclose(got.intercept_, cd.intercept_, atol=1e-6)
    # the reported gap is the gap of the returned coefficients
    s = None if sw is None else sw * X.shape[0] / sw.sum()
    gap = _enet_gap(X, y, s, got.coef_.astype(float), 0.7 * alpha, 0.3 * alpha, False, True)
    # (at this tolerance the gap is down to the rounding of its two terms)
    assert_allclose(got.dual_gap_, gap, rtol=1e-3, atol=1e-10 * np.var(y))


def test_dual_gap_semantics_match_cd():
    # at the default tol both stop on gap <= tol * var(y); the gaps are of the
    # same quantity, at the returned coefficients
    X, y = wide(seed=2)
    alpha = alpha_max(X, y) / 30
    for solver in ("ws", "cd"):
        m = Lasso(alpha=alpha, solver=solver).fit(X, y)
        gap = _enet_gap(X, y, None, m.coef_, alpha, 0.0, False, True)
        assert_allclose(m.dual_gap_, gap, rtol=1e-6, atol=1e-14)
        assert m.dual_gap_ <= 1e-4 * np.var(y)
        assert m.n_iter_ >= 1 and len(m.loss_curve_) == m.n_iter_


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_auto_picks_ws_on_wide_l1(sparse):
    X, y = wide(n=50, p=1200, sparse=sparse)
    alpha = alpha_max(X, y) / 10
    m = Lasso(alpha=alpha, tol=1e-8).fit(X, y)
    assert m.solver_ == "ws"
    cd = Lasso(alpha=alpha, tol=1e-8, solver="cd").fit(X, y)
    assert_allclose(m.coef_, cd.coef_, atol=1e-4)
    # not wide enough, random selection, or ridge: plain CD
    assert Lasso(alpha=alpha).fit(X[:, :900], y).solver_ == "cd"
    assert Lasso(alpha=alpha, selection="random", random_state=0).fit(X, y).solver_ == "cd"
    assert ElasticNet(alpha=alpha, l1_ratio=0.0).fit(X, y).solver_ == "cd"


def test_f_ordered_input_is_not_copied(monkeypatch):
    import fastgrad.linear_model._cd_ws as ws_mod

    X, y = wide(n=40, p=1500)
    XF = np.asfortranarray(X)
    seen = []
    real = ws_mod.py_ws_prepare

    def spy(data, *args):
        seen.append(data)
        return real(data, *args)

    monkeypatch.setattr(ws_mod, "py_ws_prepare", spy)
    Lasso(alpha=alpha_max(X, y) / 10).fit(XF, y)
    assert np.shares_memory(seen[0], XF)
    # C-ordered input still works (one F-ordered copy) and gives the same fit
    a = Lasso(alpha=alpha_max(X, y) / 10, tol=1e-10).fit(XF, y).coef_
    b = Lasso(alpha=alpha_max(X, y) / 10, tol=1e-10).fit(np.ascontiguousarray(X), y).coef_
    assert_allclose(a, b, atol=1e-10)


def test_multi_target_and_warm_start():
    X, y = wide(seed=4)
    Y = np.c_[y, -2 * y + 1]
    alpha = alpha_max(X, y) / 10
    got = Lasso(alpha=alpha, solver="ws", tol=TIGHT, max_iter=100_000).fit(X, Y)
    ref = sklm.Lasso(alpha=alpha, tol=TIGHT, max_iter=100_000).fit(X, Y)
    assert got.coef_.shape == ref.coef_.shape
    assert_allclose(got.coef_, ref.coef_, atol=1e-6)
    assert len(got.n_iter_) == 2 and got.dual_gap_.shape == (2,)
    # warm start from the solution: no epoch needed
    m = Lasso(alpha=alpha, solver="ws", tol=1e-6, warm_start=True).fit(X, y)
    m.fit(X, y)
    assert m.n_iter_ == 0
    # warm start from another alpha: same answer as a cold start
    m.set_params(alpha=alpha / 3, tol=TIGHT, max_iter=100_000).fit(X, y)
    cold = Lasso(alpha=alpha / 3, solver="ws", tol=TIGHT, max_iter=100_000).fit(X, y)
    assert_allclose(m.coef_, cold.coef_, atol=1e-7)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_degenerate_inputs(sparse):
    X, y = wide(n=30, p=200, sparse=sparse)
    conv = sp.csc_matrix if sparse else np.asarray
    # alpha at or above alpha_max: all zeros, no epoch
    m = Lasso(alpha=alpha_max(X, y) * 1.01, solver="ws").fit(X, y)
    assert not np.any(m.coef_) and m.n_iter_ == 0
    assert_allclose(m.intercept_, y.mean())
    # one feature
    X1 = conv(X[:, [0]].toarray() if sparse else X[:, [0]])
    got = Lasso(alpha=0.01, solver="ws", tol=TIGHT).fit(X1, y)
    ref = sklm.Lasso(alpha=0.01, tol=TIGHT).fit(X1, y)
    assert_allclose(got.coef_, ref.coef_, atol=1e-8)
    # a constant column and an all-zero column keep a zero coefficient
    Xd = X.toarray() if sparse else X.copy()
    Xd[:, 5] = 0.7
    Xd[:, 6] = 0.0
    got = Lasso(alpha=alpha_max(Xd, y) / 20, solver="ws", tol=TIGHT,
                max_iter=100_000).fit(conv(Xd), y)
    ref = sklm.Lasso(alpha=alpha_max(Xd, y) / 20, tol=TIGHT, max_iter=100_000).fit(Xd, y)
    assert got.coef_[5] == 0.0 and got.coef_[6] == 0.0
    assert_allclose(got.coef_, ref.coef_, atol=1e-6)
    # tiny: two samples
    got = Lasso(alpha=0.1, solver="ws").fit(np.array([[1.0, 0.0], [0.0, 1.0]]), [1.0, 2.0])
    ref = sklm.Lasso(alpha=0.1).fit(np.array([[1.0, 0.0], [0.0, 1.0]]), [1.0, 2.0])
    assert_allclose(got.coef_, ref.coef_, atol=1e-6)


def test_all_zero_sparse_matrix():
    X = sp.csc_matrix((20, 50))
    y = np.arange(20.0)
    m = Lasso(alpha=0.1, solver="ws").fit(X, y)
    assert not np.any(m.coef_) and m.intercept_ == pytest.approx(y.mean())


def test_float32_keeps_dtype():
    X, y = wide(seed=5)
    m = Lasso(alpha=alpha_max(X, y) / 10, solver="ws", tol=1e-10).fit(X.astype(np.float32), y)
    ref = Lasso(alpha=alpha_max(X, y) / 10, solver="ws", tol=1e-10).fit(X, y)
    assert m.coef_.dtype == np.float32
    assert_allclose(m.coef_, ref.coef_, atol=1e-4)


def test_max_iter_warns_with_gap():
    X, y = wide(seed=6)
    with pytest.warns(ConvergenceWarning, match="solver 'ws'"):
        m = Lasso(alpha=alpha_max(X, y) / 100, solver="ws", tol=1e-12, max_iter=3).fit(X, y)
    assert m.n_iter_ <= 3
    assert m.dual_gap_ > 0


def test_alpha_zero_still_fits():
    X, y = wide(n=40, p=20, seed=7)  # tall: least squares has a unique answer
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = Lasso(alpha=0.0, solver="ws", tol=1e-14, max_iter=100_000).fit(X, y)
    ref = sklm.LinearRegression().fit(X, y)
    assert_allclose(got.coef_, ref.coef_, atol=1e-5)


def test_bad_input():
    X, y = wide(n=20, p=40)
    with pytest.raises(ValueError, match="selection='cyclic'"):
        Lasso(alpha=0.1, solver="ws", selection="random").fit(X, y)
    with pytest.raises(ValueError, match="solver"):
        Lasso(alpha=0.1, solver="nope").fit(X, y)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Lasso(alpha=0.1, solver="ws").fit(Xn, y)
    with pytest.raises(ValueError):
        Lasso(alpha=0.1, solver="ws").fit(X, y[:-1])


def test_hooks_check_shapes():
    X = np.asfortranarray(np.ones((5, 3)))
    m = np.zeros(3)
    with pytest.raises(ValueError, match="Fortran"):
        py_ws_prepare(np.ones((5, 3)), None, None, 5, None, m)
    with pytest.raises(ValueError, match="length"):
        py_ws_gradient(X, None, None, 5, None, np.zeros(2), np.zeros(5))
    sx, norms = py_ws_prepare(X, None, None, 5, None, m)
    with pytest.raises(ValueError, match="working set"):
        py_ws_inner(X, None, None, 5, np.zeros(5), None, m, sx, norms,
                    np.zeros(0, np.int32), np.zeros(3), np.zeros(5), 0.1, 0.0, False, 10, 0.0)
