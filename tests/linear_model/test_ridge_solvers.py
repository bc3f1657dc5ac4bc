"""Ridge's solver names against scikit-learn's Ridge: model, rules, messages, n_iter_.

Every scikit-learn name must give scikit-learn's model (compared with
scikit-learn's fit of the same name on the same data), report it in
``solver_``, and follow scikit-learn's rules for ``positive``, sparse input
and ``n_iter_``. A fit that overflows must raise, on every path.
"""

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sklm
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from fastgrad import LinearRegression, Ridge

SK_SOLVERS = ["auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga"]
OWN_SOLVERS = ["gd", "momentum", "nesterov", "newton"]


def make_data(n=80, p=6, k=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 2.0
    coef = rng.standard_normal((p, k))
    y = X @ coef + 0.3 * rng.standard_normal((n, k)) - 1.0
    return X, (y.ravel() if k == 1 else y), rng.uniform(0.5, 2.0, n)


@pytest.mark.parametrize("solver", SK_SOLVERS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("k", [1, 2])
def test_solver_matches_sklearn(solver, fit_intercept, k):
    X, y, sw = make_data(k=k)
    params = dict(alpha=1.5, solver=solver, fit_intercept=fit_intercept, tol=1e-12, max_iter=10000)
    got = Ridge(**params).fit(X, y, sample_weight=sw)
    want = sklm.Ridge(**params, random_state=0).fit(X, y, sample_weight=sw)
    assert got.solver_ == want.solver_
    assert_allclose(got.coef_, want.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(got.intercept_, want.intercept_, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("solver", OWN_SOLVERS)
def test_own_solvers_reach_cholesky(solver):
    X, y, sw = make_data()
    got = Ridge(alpha=1.5, solver=solver, tol=1e-10, max_iter=50000).fit(X, y, sample_weight=sw)
    want = sklm.Ridge(alpha=1.5, solver="cholesky").fit(X, y, sample_weight=sw)
    assert got.solver_ == solver
    assert_allclose(got.coef_, want.coef_, rtol=1e-6)


@pytest.mark.parametrize("solver", ["auto", "lbfgs"])
@pytest.mark.parametrize("max_iter", [None, 5000])
def test_positive_matches_sklearn(solver, max_iter):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((100, 5))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0, 3.0]) + 0.1 * rng.standard_normal(100)
    got = Ridge(alpha=1.0, positive=True, solver=solver, tol=1e-10, max_iter=max_iter).fit(X, y)
    want = sklm.Ridge(alpha=1.0, positive=True, solver=solver, tol=1e-10).fit(X, y)
    assert got.solver_ == "lbfgs" == want.solver_
    assert np.all(got.coef_ >= 0)
    assert_allclose(got.coef_, want.coef_, atol=1e-5)
    assert got.n_iter_ is None


@pytest.mark.parametrize("solver", ["svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "momentum", "newton"])
def test_positive_rejected(solver):
    X, y, _ = make_data()
    with pytest.raises(ValueError, match=f"solver='{solver}' does not support positive fitting"):
        Ridge(positive=True, solver=solver).fit(X, y)


def test_lbfgs_without_positive_is_fastgrads_loop():
    # scikit-learn raises here; fastgrad keeps its compiled L-BFGS (a superset)
    X, y, sw = make_data()
    got = Ridge(alpha=1.5, solver="lbfgs", tol=1e-10).fit(X, y, sample_weight=sw)
    want = sklm.Ridge(alpha=1.5, solver="cholesky").fit(X, y, sample_weight=sw)
    assert got.solver_ == "lbfgs" and got.n_iter_.shape == (1,)
    assert_allclose(got.coef_, want.coef_, rtol=1e-6)


def test_lbfgs_convergence_warning():
    X = np.array([[1.0, -1.0], [1.0, 1.0]])
    y = np.array([-1e10, 1e10])
    est = Ridge(alpha=0.01, solver="lbfgs", positive=True, fit_intercept=False, tol=1e-12, max_iter=1)
    with pytest.warns(ConvergenceWarning, match="lbfgs solver did not converge"):
        est.fit(X, y)


def test_n_iter():
    X, y, _ = make_data(k=2)
    for max_iter in (1, 2, 3):
        for solver in ("sag", "saga", "lsqr"):
            with pytest.warns(ConvergenceWarning) if solver != "lsqr" else _nothing():
                est = Ridge(solver=solver, max_iter=max_iter, tol=1e-14).fit(X, y)
            assert est.n_iter_.dtype == np.int32
            np.testing.assert_array_equal(est.n_iter_, [max_iter, max_iter])
    for solver in ("svd", "cholesky", "sparse_cg", "auto"):
        assert Ridge(solver=solver).fit(X, y).n_iter_ is None
    np.testing.assert_array_equal(LinearRegression().fit(X, y).n_iter_, [1, 1])
    assert LinearRegression(solver="lbfgs").fit(X, y).n_iter_.shape == (2,)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_alpha_count_message():
    X, y, _ = make_data(k=3)
    with pytest.raises(ValueError, match="Number of targets and number of penalties do not correspond: 2 != 3"):
        Ridge(alpha=np.array([1.0, 2.0])).fit(X, y)


def test_single_column_y_shapes():
    X, y, _ = make_data()
    est = Ridge().fit(X, y[:, None])
    want = sklm.Ridge().fit(X, y[:, None])
    assert est.coef_.shape == want.coef_.shape == (X.shape[1],)
    assert np.shape(est.intercept_) == np.shape(want.intercept_) == (1,)
    assert LinearRegression().fit(X, y[:, None]).coef_.shape == (1, X.shape[1])


def test_unknown_solver():
    X, y, _ = make_data()
    with pytest.raises(ValueError, match="'solver' parameter of Ridge must be a str among"):
        Ridge(solver="eigen").fit(X, y)


LR_SOLVERS = ["auto", "cholesky", "gd", "momentum", "nesterov", "lbfgs", "newton"]
ALL_PATHS = (
    [("Ridge", s, sparse) for s in SK_SOLVERS + OWN_SOLVERS + ["lbfgs"] for sparse in (False, True) if s != "svd"]
    + [("Ridge", "svd", False), ("Ridge-nointercept", "svd", False)]
    + [("Ridge-positive", s, sparse) for s in ["auto", "lbfgs", "gd", "nesterov"] for sparse in (False, True)]
    + [("Ridge-positive-loop", "lbfgs", False), ("Ridge-positive-loop", "lbfgs", True)]
    + [("LinearRegression", s, sparse) for s in LR_SOLVERS for sparse in (False, True)]
    + [("LinearRegression-positive", s, sparse) for s in ["auto", "gd", "nesterov"] for sparse in (False, True)]
)


def _overflow_estimator(kind, solver, sparse, max_iter=None):
    fit_intercept = not (sparse and solver in ("cholesky", "saga")) and "nointercept" not in kind
    if kind.startswith("LinearRegression"):
        return LinearRegression(solver=solver, positive=kind.endswith("positive"), max_iter=max_iter)
    if kind.startswith("Ridge-positive"):
        return Ridge(solver=solver, positive=True, max_iter=50 if kind.endswith("loop") else max_iter)
    return Ridge(solver=solver, fit_intercept=fit_intercept, max_iter=max_iter)


@pytest.mark.parametrize("kind,solver,sparse", ALL_PATHS)
def test_overflow_raises(kind, solver, sparse):
    """X * 1e300 used to give NaN coefficients silently: every path raises."""
    X, y, _ = make_data()
    X = X * 1e300
    if sparse:
        X = sp.csr_matrix(X)
    est = _overflow_estimator(kind, solver, sparse)
    with pytest.raises(ValueError, match="non-finite|NaN or infinite"):
        est.fit(X, y)
    assert not hasattr(est, "coef_")


@pytest.mark.parametrize("solver", ["auto", "sparse_cg", "sag", "lsqr", "lbfgs"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_overflow_raises_large_p(solver, sparse):
    # p above the closed-form threshold: the CG / loop engines, not the Gram matrix
    rng = np.random.default_rng(3)
    X = (rng.standard_normal((30, 2100)) + 1.0) * 1e300
    y = rng.standard_normal(30)
    with pytest.raises(ValueError, match="non-finite|NaN or infinite"):
        Ridge(solver=solver, max_iter=20).fit(sp.csr_matrix(X) if sparse else X, y)
    if solver in ("auto", "lbfgs"):
        with pytest.raises(ValueError, match="non-finite|NaN or infinite"):
            LinearRegression(solver=solver, max_iter=20).fit(sp.csr_matrix(X) if sparse else X, y)


# the gradient tolerance is absolute: at this scale rounding stops CG first
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["sag", "saga", "sparse_cg", "cholesky", "lsqr"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_float32_entries_whose_squares_overflow_float32(solver, sparse):
    # entries ~1e25: finite in float32, squares are not; every engine
    # accumulates in float64, so this is a normal fit (it once froze CG at 0)
    X, y, _ = make_data()
    X32 = (X * 3e25).astype(np.float32)
    X64 = X32.astype(np.float64)
    if sparse:
        X32, X64 = sp.csr_matrix(X32), sp.csr_matrix(X64)
    got = Ridge(solver=solver, alpha=1e49, fit_intercept=False, tol=1e-10).fit(X32, y)
    want = sklm.Ridge(solver="cholesky", alpha=1e49, fit_intercept=False).fit(X64.toarray() if sparse else X64, y)
    assert got.coef_.dtype == np.float32
    assert_allclose(got.coef_, want.coef_, rtol=1e-4)


def test_large_but_safe_scale_still_fits():
    # 1e100 squared is 1e200: no overflow, so no error
    X, y, _ = make_data()
    got = Ridge(alpha=1e200).fit(X * 1e100, y)
    want = sklm.Ridge(alpha=1e200).fit(X * 1e100, y)
    assert_allclose(got.coef_, want.coef_, rtol=1e-6)


@pytest.mark.parametrize("solver", ["sag", "saga", "lsqr", "sparse_cg"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_unpenalized_wide_gives_minimum_norm(solver, sparse):
    # p > n, alpha = 0: many minimisers; scikit-learn's solvers give the minimum-norm one
    rng = np.random.default_rng(7)
    X = rng.standard_normal((10, 25))
    y = rng.standard_normal(10)
    want = np.linalg.pinv(X) @ y
    Xc = sp.csr_matrix(X) if sparse else X
    got = Ridge(alpha=0.0, solver=solver, fit_intercept=False, tol=1e-14, max_iter=10000).fit(Xc, y)
    assert_allclose(got.coef_, want, rtol=1e-6, atol=1e-9)


def test_cg_engine_large_p_dense_matches_sklearn():
    # p above the closed-form threshold: the preconditioned CG engine
    rng = np.random.default_rng(8)
    X = rng.standard_normal((300, 2100)) * rng.uniform(0.1, 10.0, 2100)
    y = rng.standard_normal(300)
    got = Ridge(alpha=5.0, tol=1e-12, max_iter=5000).fit(X, y)
    want = sklm.Ridge(alpha=5.0).fit(X, y)
    assert got.solver_ == "cholesky"
    assert_allclose(got.coef_, want.coef_, rtol=1e-6, atol=1e-9)
    assert_allclose(got.intercept_, want.intercept_, rtol=1e-6)
