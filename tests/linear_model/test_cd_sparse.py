"""Lasso / ElasticNet on scipy.sparse X: the CSC coordinate-descent kernel.

References: the dense fit on ``X.toarray()`` (same estimator, same stopping
rule), scikit-learn's sparse fit, and the plain-numpy CD of ``naive_cd`` on
the explicitly centred, weighted data.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sklm
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from fastgrad.linear_model._cd_fast import STATUS_CODES, py_sparse_cd
from fastgrad.linear_model._coordinate_descent import ElasticNet, Lasso
from fastgrad.linear_model._status import DivergenceError

from naive_cd import kkt_violation, naive_enet, weighted_centred

TIGHT = 1e-12


def sparse_data(n=120, p=30, density=0.15, k=None, seed=0):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csr", random_state=seed,
                  data_rvs=lambda m: rng.standard_normal(m) + 1.0)
    X = X.tolil()
    X[:, 3] = 0.0  # an empty column: no effect on the fit, coefficient 0
    X = X.tocsr()
    coef = rng.standard_normal((p, k or 1))
    coef[rng.random(p) < 0.5] = 0.0
    Y = X @ coef + 2.0 + 0.1 * rng.standard_normal((n, k or 1))
    y = Y[:, 0] if k is None else Y
    return X, y, rng.random(n) + 0.2


def with_index_dtype(X, fmt, dtype, index_dtype):
    X = X.asformat(fmt).astype(dtype)
    if fmt in ("csr", "csc"):
        X.indices = X.indices.astype(index_dtype)
        X.indptr = X.indptr.astype(index_dtype)
    return X


@pytest.mark.parametrize("est_cls", [Lasso, ElasticNet])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_sparse_matches_dense(est_cls, fit_intercept, weighted, positive, dtype, index_dtype):
    X, y, sw = sparse_data()
    Xs = with_index_dtype(X, "csc", dtype, index_dtype)
    sw = sw if weighted else None
    params = dict(alpha=0.02, fit_intercept=fit_intercept, positive=positive, tol=TIGHT,
                  max_iter=100_000)
    got = est_cls(**params).fit(Xs, y, sample_weight=sw)
    want = est_cls(solver="cd", **params).fit(Xs.toarray(), y, sample_weight=sw)
    assert got._cd_variant == "sparse"
    assert got.coef_.dtype == dtype
    tol = 1e-4 if dtype == np.float32 else 1e-9
    assert_allclose(got.coef_, want.coef_, rtol=tol, atol=tol)
    assert_allclose(got.intercept_, want.intercept_, rtol=tol, atol=tol)
    assert got.coef_[3] == 0.0
    assert got.dual_gap_ <= TIGHT * np.var(y) * 10 + 1e-12
    assert np.any(got.coef_ != 0)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "lil"])
@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csr_array])
def test_sparse_matches_sklearn(fmt, container):
    X, y, sw = sparse_data(seed=1)
    Xs = container(X).asformat(fmt)
    ours = ElasticNet(alpha=0.01, l1_ratio=0.7, tol=TIGHT, max_iter=100_000)
    theirs = sklm.ElasticNet(alpha=0.01, l1_ratio=0.7, tol=TIGHT, max_iter=100_000)
    ours.fit(Xs, y, sample_weight=sw)
    theirs.fit(Xs, y, sample_weight=sw)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-7, atol=1e-9)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-7, atol=1e-9)
    assert_allclose(ours.predict(Xs), theirs.predict(Xs), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_kernel_matches_naive_cd(fit_intercept):
    """py_sparse_cd on raw CSC against naive CD on the explicitly centred, weighted copy."""
    X, y, sw = sparse_data(seed=2)
    s = sw * len(sw) / sw.sum()
    Xw, yw, x_mean, y_mean = weighted_centred(X.toarray(), y, s, fit_intercept)
    l1, l2 = 0.03, 0.01
    want, _ = naive_enet(Xw, yw, l1, l2)
    Xc = X.tocsc()
    w = np.zeros(X.shape[1])
    yc = np.ascontiguousarray(y - y_mean)
    status, n_iter, gap, curve = py_sparse_cd(
        Xc.data, Xc.indices, Xc.indptr, X.shape[0], yc, s, np.ascontiguousarray(x_mean), w,
        l1, l2, 100_000, 1e-14)
    assert status == STATUS_CODES["CONVERGED"]
    assert_allclose(w, want, rtol=1e-8, atol=1e-10)
    assert kkt_violation(Xw, yw, w, l1, l2) < 1e-8
    # the objective decreases epoch by epoch (exact coordinate minimisation)
    assert np.all(np.diff(curve) <= 1e-12 * abs(curve[0]))
    assert 0 <= gap <= 1e-14 * (yw @ yw / len(yw)) + 1e-15


def test_multi_target_sparse():
    X, Y, sw = sparse_data(k=3, seed=3)
    got = Lasso(alpha=0.01, tol=TIGHT, max_iter=100_000).fit(X, Y, sample_weight=sw)
    for t in range(3):
        one = Lasso(alpha=0.01, tol=TIGHT, max_iter=100_000).fit(X.toarray(), Y[:, t],
                                                                  sample_weight=sw)
        assert_allclose(got.coef_[t], one.coef_, rtol=1e-8, atol=1e-10)
        assert_allclose(got.intercept_[t], one.intercept_, rtol=1e-8, atol=1e-10)
    assert got.dual_gap_.shape == (3,)
    assert len(got.n_iter_) == 3


@pytest.mark.parametrize("copy_X", [True, False])
def test_input_not_mutated(copy_X):
    X, y, sw = sparse_data(seed=4)
    Xc = X.tocsc()
    before = (Xc.data.copy(), Xc.indices.copy(), Xc.indptr.copy(), y.copy(), sw.copy())
    ElasticNet(alpha=0.01, copy_X=copy_X).fit(Xc, y, sample_weight=sw)
    for a, b in zip(before, (Xc.data, Xc.indices, Xc.indptr, y, sw)):
        assert_allclose(a, b, rtol=0, atol=0)


def test_random_selection_and_warm_start():
    X, y, _ = sparse_data(seed=5)
    a = Lasso(alpha=0.01, selection="random", random_state=0, tol=TIGHT, max_iter=100_000)
    b = Lasso(alpha=0.01, selection="random", random_state=0, tol=TIGHT, max_iter=100_000)
    a.fit(X, y)
    b.fit(X, y)
    assert_allclose(a.coef_, b.coef_, rtol=0, atol=0)
    cyclic = Lasso(alpha=0.01, tol=TIGHT, max_iter=100_000).fit(X, y)
    assert_allclose(a.coef_, cyclic.coef_, rtol=1e-7, atol=1e-9)
    # a warm start from the solution stops before the first epoch
    warm = Lasso(alpha=0.01, tol=1e-6, warm_start=True).fit(X, y)
    warm.fit(X, y)
    assert warm.n_iter_ == 0


def test_precompute_ignored_for_sparse():
    X, y, _ = sparse_data(seed=6)
    plain = Lasso(alpha=0.01, tol=TIGHT).fit(X, y)
    gram = Lasso(alpha=0.01, tol=TIGHT, precompute=True).fit(X, y)
    assert_allclose(plain.coef_, gram.coef_, rtol=0, atol=0)


def test_all_zero_matrix():
    X = sp.csc_matrix((10, 4))
    y = np.arange(10.0)
    est = Lasso(alpha=0.1).fit(X, y)
    assert_allclose(est.coef_, 0.0)
    assert_allclose(est.intercept_, y.mean())
    assert est.n_iter_ == 0


def test_fista_on_sparse_matches_cd():
    X, y, sw = sparse_data(seed=7)
    cd = ElasticNet(alpha=0.02, tol=TIGHT, max_iter=100_000).fit(X, y, sample_weight=sw)
    fista = ElasticNet(alpha=0.02, solver="fista", tol=1e-10, max_iter=100_000).fit(
        X, y, sample_weight=sw)
    assert_allclose(fista.coef_, cd.coef_, rtol=1e-5, atol=1e-6)
    assert fista.dual_gap_ < 1e-8


def test_convergence_warning_and_divergence_sparse():
    X, y, _ = sparse_data(seed=8)
    with pytest.warns(ConvergenceWarning, match="Objective did not converge"):
        Lasso(alpha=1e-4, max_iter=1, tol=1e-14).fit(X, y)
    big = X * 1e160
    with pytest.raises(DivergenceError, match="non-finite parameter values"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        Lasso(alpha=0.1).fit(big, y * 1e160)


@pytest.mark.parametrize("est_cls", [Lasso, ElasticNet])
def test_bad_sparse_input(est_cls):
    X, y, sw = sparse_data(seed=9)
    bad = X.copy()
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est_cls().fit(bad, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        est_cls().fit(X, y[:-1])
    with pytest.raises(ValueError, match="[Nn]egative"):
        est_cls().fit(X, y, sample_weight=-sw)
    est = est_cls(alpha=0.01).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        est.predict(X[:, :5])
    with pytest.raises(ValueError, match="NaN"):
        est.predict(bad)


def test_check_input_false_accepts_any_layout():
    """fastgrad validates anyway: C or Fortran order, dense or sparse, same model."""
    X, y, _ = sparse_data(seed=10)
    dense = X.toarray()
    a = Lasso(alpha=0.01, tol=TIGHT).fit(dense, y, check_input=False)
    b = Lasso(alpha=0.01, tol=TIGHT).fit(np.asfortranarray(dense), y, check_input=False)
    c = Lasso(alpha=0.01, tol=TIGHT).fit(X, y, check_input=False)
    assert_allclose(a.coef_, b.coef_, rtol=1e-9, atol=1e-12)
    assert_allclose(a.coef_, c.coef_, rtol=1e-7, atol=1e-9)


def test_gram_overflow_raises():
    # X^T X overflows to inf: the Gram loop must not stall silently
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.randint(0, 2, size=10)
    with pytest.raises(ValueError, match="non-finite parameter values"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ElasticNet(alpha=0.1).fit(X, y)


def test_alpha_zero_warning():
    X, y, _ = sparse_data(seed=13)
    with pytest.warns(UserWarning, match="With alpha=0, this algorithm does not converge well"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        Lasso(alpha=0.0, max_iter=5).fit(X, y)


def test_max_iter_none_is_default():
    X, y, _ = sparse_data(seed=11)
    a = Lasso(alpha=0.01, max_iter=None).fit(X, y)
    b = Lasso(alpha=0.01).fit(X, y)
    assert_allclose(a.coef_, b.coef_, rtol=0, atol=0)
    with pytest.raises(ValueError, match="max_iter"):
        Lasso(max_iter=0).fit(X, y)


def test_kernel_hook_rejects_bad_shapes():
    X, y, _ = sparse_data(seed=12)
    Xc = X.tocsc()
    n, p = X.shape
    ok = dict(n_samples=n, y=np.zeros(n), sample_weight=None, x_mean=np.zeros(p),
              w=np.zeros(p), l1=0.1, l2=0.0, max_iter=10, tol=1e-4)

    def call(**kw):
        args = {**ok, **kw}
        return py_sparse_cd(Xc.data, Xc.indices, Xc.indptr, args["n_samples"], args["y"],
                            args["sample_weight"], args["x_mean"], args["w"], args["l1"],
                            args["l2"], args["max_iter"], args["tol"])

    assert call()[0] == STATUS_CODES["CONVERGED"]  # y = 0: zero is optimal
    with pytest.raises(ValueError, match="y of length n"):
        call(y=np.zeros(n + 1))
    with pytest.raises(ValueError, match="indptr of length p"):
        call(x_mean=np.zeros(p + 1), w=np.zeros(p + 1))
    with pytest.raises(ValueError, match="sample_weight must have length"):
        call(sample_weight=np.ones(n - 1))
    with pytest.raises(ValueError, match="max_iter"):
        call(max_iter=0)


def test_parallel_gap_pass_matches_serial():
    # nnz + p above the kernel's serial threshold: the gap's X^T r pass runs
    # on OpenMP threads, column by column, so the result is bit-identical
    X, y, sw = sparse_data(n=20_000, p=100, density=0.11, seed=14)
    Xc = X.tocsc()
    assert Xc.nnz + X.shape[1] >= 200_000
    s = sw * len(sw) / sw.sum()
    x_mean = np.asarray(Xc.T @ s).ravel() / len(s)
    yc = np.ascontiguousarray(y - np.average(y, weights=s))
    out = []
    for threads in (1, 2):
        w = np.zeros(X.shape[1])
        status, n_iter, gap, _ = py_sparse_cd(Xc.data, Xc.indices, Xc.indptr, X.shape[0], yc, s,
                                              x_mean, w, 0.01, 0.0, 1000, 1e-10,
                                              n_threads=threads)
        out.append((w, gap, n_iter, status))
    assert_allclose(out[0][0], out[1][0], rtol=0, atol=0)
    assert out[0][1:] == out[1][1:]
    assert out[0][3] == STATUS_CODES["CONVERGED"]


def test_verbose_sparse(capsys):
    X, y, _ = sparse_data(seed=15)
    est = Lasso(alpha=0.01, verbose=1).fit(X, y)
    assert capsys.readouterr().out.count("CD epoch") == est.n_iter_
