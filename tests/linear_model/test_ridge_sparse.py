"""LinearRegression / Ridge on scipy.sparse X: the same model as on X.toarray().

The references are the dense fits (fastgrad's closed form, and scikit-learn's
Ridge on the dense copy); the compiled CSR objective is checked against the
dense ``SquaredObjective`` value, gradient and Hessian-vector product.
"""

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sklm
from numpy.testing import assert_allclose

from fastgrad import LinearRegression, Ridge
from fastgrad.linear_model._solvers_fast import SparseSquaredObjective, SquaredObjective

SPARSE_SOLVERS = ["auto", "sparse_cg", "lsqr", "sag", "gd", "momentum", "nesterov", "newton"]
# solvers that need fit_intercept=False on sparse X (scikit-learn's rule)
NO_INTERCEPT_SOLVERS = ["cholesky", "saga"]


def make_sparse(n=120, p=15, density=0.3, k=1, dtype=np.float64, index=np.int32, seed=0, fmt="csr"):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csr", random_state=seed, dtype=np.float64)
    X.data += 1.0  # a column mean away from 0, so the centring matters
    X = X.astype(dtype)
    X.indices = X.indices.astype(index)
    X.indptr = X.indptr.astype(index)
    coef = rng.standard_normal((p, k))
    y = np.asarray(X @ coef) + 0.1 * rng.standard_normal((n, k)) + 3.0
    y = y.ravel() if k == 1 else y
    sw = rng.uniform(0.2, 2.0, n)
    return (X if fmt == "csr" else X.asformat(fmt)), y.astype(dtype), sw


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("index", [np.int32, np.int64], ids=["i32", "i64"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_sparse_objective_matches_dense(dtype, index, weighted):
    X, y, sw = make_sparse(dtype=dtype, index=index)
    sw = sw.astype(dtype) if weighted else None
    Xd = X.toarray().astype(np.float64)
    mean = Xd.mean(axis=0) if sw is None else (sw @ Xd) / sw.sum()
    dense = SquaredObjective(np.ascontiguousarray(X.toarray()), y, sw, mean, 0.7, True, 2)
    sparse = SparseSquaredObjective(X, y, sw, mean, 0.7, True, 2)
    coef = np.random.default_rng(1).standard_normal(X.shape[1] + 1)
    f_d, g_d = dense.py_value_grad(coef)
    f_s, g_s = sparse.py_value_grad(coef)
    assert_allclose(f_s, f_d, rtol=1e-12)
    assert_allclose(g_s, g_d, rtol=1e-10, atol=1e-12)
    assert_allclose(sparse.py_hess_vec(coef), dense.py_hess_vec(coef), rtol=1e-10, atol=1e-12)


def test_sparse_objective_threads_agree():
    # enough entries for the threaded pass
    X, y, _ = make_sparse(n=20000, p=40, density=0.2)
    mean = np.asarray(X.mean(axis=0)).ravel()
    coef = np.random.default_rng(2).standard_normal(41)
    one = SparseSquaredObjective(X, y, None, mean, 0.1, True, 1).py_value_grad(coef)
    two = SparseSquaredObjective(X, y, None, mean, 0.1, True, 2).py_value_grad(coef)
    assert_allclose(two[0], one[0], rtol=1e-12)
    assert_allclose(two[1], one[1], rtol=1e-10, atol=1e-12)


def test_sparse_objective_rejects_bad_layout():
    X, y, _ = make_sparse()
    mean = np.zeros(X.shape[1])
    with pytest.raises(ValueError, match="CSR"):
        SparseSquaredObjective(X.tocsc(), y, None, mean, 0.1, True, 1)
    with pytest.raises(ValueError, match="one dtype"):
        SparseSquaredObjective(X, y.astype(np.float32), None, mean, 0.1, True, 1)


@pytest.mark.parametrize("solver", SPARSE_SOLVERS + NO_INTERCEPT_SOLVERS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("index", [np.int32, np.int64], ids=["i32", "i64"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_ridge_sparse_equals_dense(solver, dtype, index, weighted):
    X, y, sw = make_sparse(dtype=dtype, index=index)
    sw = sw if weighted else None
    fit_intercept = solver not in NO_INTERCEPT_SOLVERS
    params = dict(alpha=2.0, solver=solver, fit_intercept=fit_intercept, tol=1e-12, max_iter=20000)
    got = Ridge(**params).fit(X, y, sample_weight=sw)
    want = Ridge(alpha=2.0, solver="cholesky", fit_intercept=fit_intercept).fit(
        X.toarray(), y, sample_weight=sw
    )
    rtol = 1e-4 if dtype == np.float32 else 1e-6
    assert got.coef_.dtype == dtype
    assert_allclose(got.coef_, want.coef_, rtol=rtol, atol=rtol)
    assert_allclose(got.intercept_, want.intercept_, rtol=rtol, atol=rtol)
    assert_allclose(got.predict(X), want.predict(X.toarray()), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("solver", SPARSE_SOLVERS)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_sparse_multi_target(solver, fit_intercept):
    X, Y, sw = make_sparse(k=3)
    alpha = np.array([0.5, 2.0, 8.0])
    got = Ridge(alpha=alpha, solver=solver, fit_intercept=fit_intercept, tol=1e-12, max_iter=20000)
    got.fit(X, Y, sample_weight=sw)
    want = sklm.Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X.toarray(), Y, sample_weight=sw)
    assert got.coef_.shape == (3, X.shape[1])
    assert_allclose(got.coef_, want.coef_, rtol=1e-6, atol=1e-7)
    assert_allclose(got.intercept_, want.intercept_, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
@pytest.mark.parametrize("array", [False, True], ids=["matrix", "array"])
def test_sparse_formats(fmt, array):
    X, y, sw = make_sparse(fmt=fmt)
    if array:
        X = {"csr": sp.csr_array, "csc": sp.csc_array, "coo": sp.coo_array}[fmt](X)
    before = X.copy()
    got = Ridge(alpha=1.0).fit(X, y, sample_weight=sw)
    want = Ridge(alpha=1.0).fit(X.toarray(), y, sample_weight=sw)
    assert got.solver_ == "sparse_cg"
    assert_allclose(got.coef_, want.coef_, rtol=1e-8)
    assert (X != before).nnz == 0  # input untouched


@pytest.mark.parametrize("solver", ["auto", "gd", "nesterov", "lbfgs", "newton"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_linear_regression_sparse_equals_dense(solver, weighted):
    X, y, sw = make_sparse(n=200, p=10)
    sw = sw if weighted else None
    got = LinearRegression(solver=solver, tol=1e-12, max_iter=50000).fit(X, y, sample_weight=sw)
    want = sklm.LinearRegression().fit(X.toarray(), y, sample_weight=sw)
    assert_allclose(got.coef_, want.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(got.intercept_, want.intercept_, rtol=1e-6, atol=1e-8)


def test_linear_regression_sparse_positive():
    X, y, _ = make_sparse(n=200, p=10, seed=3)
    got = LinearRegression(positive=True).fit(X, y)
    want = sklm.LinearRegression(positive=True).fit(X.toarray(), y)
    assert np.all(got.coef_ >= 0)
    assert_allclose(got.coef_, want.coef_, rtol=1e-6, atol=1e-8)


def test_ridge_sparse_large_p_uses_compiled_loop():
    # p above the closed-form threshold: the CSR L-BFGS loop, same model
    X, y, _ = make_sparse(n=300, p=2500, density=0.01, seed=4)
    got = Ridge(alpha=1.0, tol=1e-10).fit(X, y)
    assert got.solver_ == "sparse_cg"
    want = Ridge(alpha=1.0, solver="lsqr", tol=1e-14, max_iter=100000).fit(X, y)
    assert_allclose(got.coef_, want.coef_, rtol=1e-5, atol=1e-7)
    assert_allclose(got.intercept_, want.intercept_, rtol=1e-6)


def test_sparse_warm_start():
    X, y, _ = make_sparse()
    est = Ridge(alpha=1.0, solver="sag", tol=1e-10, warm_start=True).fit(X, y)
    first = est.n_iter_[0]
    est.fit(X, y)
    assert est.n_iter_[0] < first
    assert_allclose(est.coef_, Ridge(alpha=1.0).fit(X.toarray(), y).coef_, rtol=1e-6)


def test_sparse_rules():
    X, y, _ = make_sparse()
    for solver in ("svd", "cholesky", "saga"):
        with pytest.raises(ValueError, match=f"solver='{solver}' does not support fitting the intercept"):
            Ridge(solver=solver).fit(X, y)
    with pytest.raises(TypeError, match="SVD solver does not support sparse"):
        Ridge(solver="svd", fit_intercept=False).fit(X, y)
    with pytest.warns(UserWarning, match='"sag" solver requires'):
        Ridge(solver="sag", tol=1e-3).fit(X, y)


def test_sparse_nan_in_data_rejected():
    X, y, _ = make_sparse()
    X = X.copy()
    X.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Ridge().fit(X, y)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_blocked_column_squares_and_means_match_dense(fmt, monkeypatch):
    # the preconditioner's sums read X in row blocks (tiny blocks here) instead of squaring a copy
    from fastgrad.linear_model import _iterative

    monkeypatch.setattr(_iterative, "_SQUARE_BLOCK", 7)
    rng = np.random.default_rng(5)
    A = sp.random(60, 9, density=0.3, random_state=5, format=fmt)
    A[3] = 0.0  # an empty row
    s = rng.uniform(0.5, 2.0, 60)
    D = A.toarray()
    np.testing.assert_allclose(_iterative._weighted_column_squares(A, s), s @ (D * D), rtol=1e-12)
    np.testing.assert_allclose(_iterative._column_means(A.tocsr(), None), D.mean(axis=0), rtol=1e-12)


def test_linear_regression_auto_on_wide_sparse_is_scikit_learns_lsqr_model(monkeypatch):
    # beyond the closed form's size, sparse X runs LSQR as scikit-learn's LinearRegression does
    from fastgrad.linear_model import _base

    monkeypatch.setattr(_base, "AUTO_CHOLESKY_MAX_FEATURES", 5)
    rng = np.random.default_rng(2)
    A = sp.random(300, 40, density=0.2, random_state=2, format="csr")
    y = A @ rng.normal(size=40) + rng.normal(size=300)
    ours = LinearRegression().fit(A, y)
    ref = sklm.LinearRegression().fit(A, y)
    assert ours.solver_ == "lsqr"
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-7)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-5, atol=1e-7)
