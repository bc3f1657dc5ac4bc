"""Sparse X in the GLM objectives (csrc/_sparse_glm.pxi) and estimators.

References: the dense objectives and the dense fits on ``X.toarray()``
(themselves tested against numpy and scikit-learn elsewhere), and
scikit-learn's fitted models on the same sparse data.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sk
from numpy.testing import assert_allclose

from fastgrad import HuberRegressor, LogisticRegression, PoissonRegressor
from fastgrad.linear_model._solvers_fast import (
    HuberObjective,
    LogisticObjective,
    MultinomialObjective,
    PoissonObjective,
    SparseHuberObjective,
    SparseLogisticObjective,
    SparseMultinomialObjective,
    SparsePoissonObjective,
)
from fastgrad.linear_model._newton_cg import newton_cg

DTYPES = (np.float64, np.float32)
INDEX = (np.int32, np.int64)


def _csr(n, p, density, seed, dtype=np.float64, index=np.int32):
    X = sp.random(n, p, density=density, format="csr", random_state=seed, dtype=np.float64)
    X.data = (X.data * 2.0 - 1.0).astype(dtype)  # signed values
    X = sp.csr_matrix(X, dtype=dtype)
    X.indices = X.indices.astype(index)
    X.indptr = X.indptr.astype(index)
    return X


def _targets(X, seed):
    rng = np.random.default_rng(seed)
    D = X.toarray().astype(np.float64)
    w = rng.normal(size=X.shape[1])
    eta = D @ w
    return {
        "binary": (eta + 0.3 * rng.normal(size=len(eta)) > np.median(eta)).astype(np.int64),
        "multi": np.digitize(eta + 0.3 * rng.normal(size=len(eta)), np.quantile(eta, [0.3, 0.7])),
        "poisson": rng.poisson(np.exp(0.3 * eta / max(eta.std(), 1e-12))).astype(np.float64),
        "huber": eta + rng.standard_t(2, size=len(eta)),
    }


def _pairs(X, t, sw, mean, n_threads):
    D = np.ascontiguousarray(X.toarray())
    dt = X.dtype
    yb, yp, yh = (t[k].astype(dt) for k in ("binary", "poisson", "huber"))
    ym = t["multi"].astype(np.intp)
    return [
        (LogisticObjective(D, yb, sw, mean, 0.05, True, n_threads),
         SparseLogisticObjective(X, yb, sw, mean, 0.05, True, n_threads)),
        (PoissonObjective(D, yp, sw, mean, 0.05, True, n_threads),
         SparsePoissonObjective(X, yp, sw, mean, 0.05, True, n_threads)),
        (HuberObjective(D, yh, sw, mean, 0.1, 1.35, True, n_threads),
         SparseHuberObjective(X, yh, sw, mean, 0.1, 1.35, True, n_threads)),
        (MultinomialObjective(D, ym, 3, sw, mean, 0.05, True, n_threads),
         SparseMultinomialObjective(X, ym, 3, sw, mean, 0.05, True, n_threads)),
    ]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("index", INDEX, ids=lambda d: d.__name__)
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_csr_objectives_match_dense(dtype, index, n_threads, weighted):
    # n * density large enough for the threaded path (nnz >= 50 000) at n_threads=2
    X = _csr(6000, 40, 0.25, 0, dtype, index)
    t = _targets(X, 1)
    rng = np.random.default_rng(2)
    sw = rng.uniform(0.5, 2.0, X.shape[0]).astype(dtype) if weighted else None
    mean = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
    tol = 2e-5 if dtype == np.float32 else 1e-11
    for dense, sparse in _pairs(X, t, sw, mean, n_threads):
        c = rng.normal(size=dense.n_coef) * 0.3
        if isinstance(dense, HuberObjective):
            c[-1] = 1.3
        f1, g1 = dense.py_value_grad(c)
        f2, g2 = sparse.py_value_grad(c)
        assert abs(f1 - f2) <= tol * max(1.0, abs(f1)), type(sparse).__name__
        assert_allclose(g2, g1, atol=tol, err_msg=type(sparse).__name__)
        v = rng.normal(size=dense.n_coef)
        if isinstance(dense, (LogisticObjective, MultinomialObjective)):
            # the global curvature bound (first-order steps)
            assert_allclose(sparse.py_hess_vec(v), dense.py_hess_vec(v), atol=tol)
        # exact Hessian at c times v, against the dense objective's dense Hessian
        sparse.set_curvature_point(c)
        assert_allclose(sparse.py_hess_vec_stored(v), dense.py_hessian(c) @ v, atol=10 * tol,
                        err_msg=type(sparse).__name__)
        assert_allclose(sparse.py_hessian(c), dense.py_hessian(c), atol=10 * tol)
        rows = rng.integers(0, X.shape[0], 37)
        fb1, gb1 = dense.py_batch_value_grad(c, rows)
        fb2, gb2 = sparse.py_batch_value_grad(c, rows)
        assert abs(fb1 - fb2) <= tol * max(1.0, abs(fb1))
        assert_allclose(gb2, gb1, atol=tol)


def test_csr_objectives_refuse_bad_input():
    X = _csr(30, 5, 0.4, 0)
    y = (np.arange(30) % 2).astype(np.float64)
    m = np.zeros(5)
    with pytest.raises(ValueError, match="CSR"):
        SparseLogisticObjective(X.tocsc(), y, None, m, 0.1, True, 1)
    with pytest.raises(ValueError, match="CSR"):
        SparseLogisticObjective(X.toarray(), y, None, m, 0.1, True, 1)
    with pytest.raises(ValueError, match="dtype"):
        SparseLogisticObjective(X, y.astype(np.float32), None, m, 0.1, True, 1)
    with pytest.raises(ValueError, match="shape"):
        SparsePoissonObjective(X, y[:-1], None, m, 0.1, True, 1)
    with pytest.raises(ValueError, match="non-negative"):
        SparsePoissonObjective(X, -y, None, m, 0.1, True, 1)
    with pytest.raises(ValueError, match="only 0 and 1"):
        SparseLogisticObjective(X, 2 * y, None, m, 0.1, True, 1)
    bad = X.copy()
    bad.indptr = bad.indptr.astype(np.int64)
    with pytest.raises(ValueError, match="one dtype"):
        SparseLogisticObjective(bad, y, None, m, 0.1, True, 1)
    unsorted = sp.csr_matrix((np.ones(2), np.array([3, 1]), np.array([0, 2] + [2] * 29)), shape=(30, 5))
    unsorted.has_sorted_indices = False
    with pytest.raises(ValueError, match="canonical"):
        SparseLogisticObjective(unsorted, y, None, m, 0.1, True, 1)
    with pytest.raises(ValueError, match="class indices"):
        SparseMultinomialObjective(X, np.full(30, 5), 3, None, m, 0.1, True, 1)
    with pytest.raises(ValueError, match="sigma"):
        SparseHuberObjective(X, y, None, m, 0.1, 1.35, True, 1).set_curvature_point(np.zeros(7))


def test_newton_cg_reaches_the_dense_newton_minimum():
    X = _csr(400, 30, 0.2, 3)
    y = _targets(X, 4)["binary"].astype(np.float64)
    obj = SparseLogisticObjective(X, y, None, np.zeros(30), 1e-3, True, 1)
    coef, status, n_iter, curve = newton_cg(obj, np.zeros(obj.n_coef), 100, 1e-12)
    assert status == 0 and n_iter < 30
    assert np.all(np.diff(curve) <= 1e-15)  # monotone descent
    ref = LogisticObjective(np.ascontiguousarray(X.toarray()), y, None, np.zeros(30), 1e-3, True, 1)
    f_ref = min(ref.py_value(coef), curve[-1])
    assert curve[-1] - f_ref <= 1e-14
    _, g = ref.py_value_grad(coef)
    assert np.max(np.abs(g)) <= 1e-11


def _fit_both(make, X, y, sw, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = make(**kw).fit(X, y, sample_weight=sw)
        b = make(**kw).fit(X.toarray(), y, sample_weight=sw)
    return a, b


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("index", INDEX, ids=lambda d: d.__name__)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("estimator", ["logistic", "multinomial", "poisson", "huber"])
@pytest.mark.parametrize("solver", ["auto", "lbfgs", "newton-cg", "newton"])
def test_sparse_fit_matches_dense_fit(dtype, index, fit_intercept, weighted, estimator, solver):
    X = _csr(300, 12, 0.3, 5, dtype, index)
    t = _targets(X, 6)
    sw = np.random.default_rng(7).uniform(0.5, 2.0, X.shape[0]) if weighted else None
    make, y = {
        "logistic": (LogisticRegression, t["binary"]),
        "multinomial": (LogisticRegression, t["multi"]),
        "poisson": (PoissonRegressor, t["poisson"]),
        "huber": (HuberRegressor, t["huber"]),
    }[estimator]
    a, b = _fit_both(make, X, y, sw, solver=solver, fit_intercept=fit_intercept, tol=1e-9, max_iter=2000)
    tol = 2e-3 if dtype == np.float32 else 1e-6
    assert a.coef_.dtype == b.coef_.dtype
    assert_allclose(a.coef_, b.coef_, atol=tol, rtol=tol)
    assert_allclose(a.intercept_, b.intercept_, atol=tol, rtol=tol)
    if solver == "auto":  # small p: sparse X takes the dense route
        assert a.solver_ == b.solver_
    pa = a.predict_proba(X) if make is LogisticRegression else a.predict(X)
    pb = b.predict_proba(X.toarray()) if make is LogisticRegression else b.predict(X.toarray())
    assert_allclose(pa, pb, atol=10 * tol, rtol=10 * tol)
    for fmt in ("csc", "coo"):
        assert_allclose(a.predict(X.asformat(fmt)), a.predict(X), rtol=1e-6)
    assert a.score(X, y) == pytest.approx(b.score(X.toarray(), y), rel=1e-4)


@pytest.mark.parametrize("fmt", ["csc", "coo", "lil", "dok"])
def test_other_formats_are_converted_once(fmt):
    X = _csr(200, 8, 0.3, 8)
    y = _targets(X, 9)["binary"]
    Xf = X.asformat(fmt)
    before = Xf.copy()
    a = LogisticRegression(tol=1e-10).fit(Xf, y)
    b = LogisticRegression(tol=1e-10).fit(X, y)
    assert_allclose(a.coef_, b.coef_, rtol=1e-10, atol=1e-12)
    assert (Xf != before).nnz == 0  # input not modified


def test_sparse_matches_sklearn():
    X = _csr(500, 40, 0.1, 10)
    t = _targets(X, 11)
    ours = LogisticRegression(C=1.0, tol=1e-10).fit(X, t["binary"])
    ref = sk.LogisticRegression(C=1.0, solver="newton-cg", tol=1e-10).fit(X, t["binary"])
    assert_allclose(ours.coef_, ref.coef_, atol=1e-6)
    ours = PoissonRegressor(alpha=0.01, tol=1e-10).fit(X, t["poisson"])
    ref = sk.PoissonRegressor(alpha=0.01, tol=1e-10, max_iter=10_000).fit(X, t["poisson"])
    assert_allclose(ours.coef_, ref.coef_, atol=1e-6)
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-6)


@pytest.mark.parametrize("estimator", ["logistic", "multinomial", "poisson", "huber"])
def test_sparse_warm_start(estimator):
    X = _csr(300, 10, 0.3, 12)
    t = _targets(X, 13)
    make, y = {
        "logistic": (LogisticRegression, t["binary"]), "multinomial": (LogisticRegression, t["multi"]),
        "poisson": (PoissonRegressor, t["poisson"]), "huber": (HuberRegressor, t["huber"]),
    }[estimator]
    cold = make(tol=1e-10, max_iter=1000).fit(X, y)
    warm = make(tol=1e-10, max_iter=1000, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warm.set_params(max_iter=2).fit(X, y)
    warm.set_params(max_iter=1000).fit(X, y)
    assert_allclose(warm.coef_, cold.coef_, atol=1e-7)


@pytest.mark.parametrize("multi", [False, True])
def test_sparse_partial_fit_matches_dense(multi):
    X = _csr(400, 10, 0.3, 14)
    t = _targets(X, 15)
    y = t["multi"] if multi else t["binary"]
    a = LogisticRegression(random_state=0, batch_size=32)
    b = LogisticRegression(random_state=0, batch_size=32)
    D = X.toarray()
    for start in range(0, 400, 100):
        a.partial_fit(X[start:start + 100], y[start:start + 100], classes=np.unique(y))
        b.partial_fit(D[start:start + 100], y[start:start + 100], classes=np.unique(y))
    assert_allclose(a.coef_, b.coef_, rtol=1e-10, atol=1e-12)


def test_sparse_sgd_matches_dense():
    X = _csr(300, 10, 0.3, 16)
    y = _targets(X, 17)["poisson"]
    a, b = _fit_both(PoissonRegressor, X, y, None, solver="sgd", random_state=0, max_iter=5)
    assert_allclose(a.coef_, b.coef_, rtol=1e-10, atol=1e-12)


def test_sparse_bad_input_is_a_clear_error():
    X = _csr(50, 5, 0.4, 18)
    y = _targets(X, 19)["binary"]
    bad = X.copy()
    bad.data[0] = np.nan
    for est in (LogisticRegression(), PoissonRegressor(), HuberRegressor()):
        with pytest.raises(ValueError, match="NaN|infinity"):
            est.fit(bad, y)
        est.fit(X, y)
        with pytest.raises(ValueError, match="features"):
            est.predict(X[:, :3])


def test_poisson_get_loss_is_sklearns_half_poisson():
    from sklearn._loss.loss import HalfPoissonLoss

    X = _csr(200, 6, 0.4, 20)
    y = _targets(X, 21)["poisson"]
    est = PoissonRegressor(alpha=0.1, tol=1e-10).fit(X, y)
    loss = est._get_loss()
    assert isinstance(loss, HalfPoissonLoss)
    # the loss object evaluated at the fit equals the mean deviance part of the objective
    raw = np.asarray(X @ est.coef_).ravel() + est.intercept_
    ref = np.mean(np.exp(raw) - y * raw)
    assert loss(y_true=y, raw_prediction=raw).mean() == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("estimator", ["logistic", "multinomial", "poisson", "huber"])
def test_auto_never_forms_a_dense_hessian_for_large_sparse_p(estimator, monkeypatch):
    from fastgrad.linear_model import _gram

    def refuse(*args, **kwargs):
        raise AssertionError("a dense p x p Hessian was formed")

    monkeypatch.setattr(_gram, "curvature_gram", refuse)
    X = _csr(300, 400, 0.02, 22)
    t = _targets(X, 23)
    make, y = {
        "logistic": (LogisticRegression, t["binary"]), "multinomial": (LogisticRegression, t["multi"]),
        "poisson": (PoissonRegressor, t["poisson"]), "huber": (HuberRegressor, t["huber"]),
    }[estimator]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = make(tol=1e-8, max_iter=30).fit(X, y)  # few iterations: Huber's L-BFGS hands over
    assert "newton-cg" in est.solver_ or est.solver_ == "lbfgs"
    assert "newton" not in est.solver_.replace("newton-cg", "")


@pytest.mark.parametrize("solver", ["gd", "momentum", "nesterov", "fista"])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])
def test_sparse_first_order_solvers_match_dense(solver, l1_ratio):
    # the first-order loops step by 1 / L from the CSR objective's curvature bound
    X = _csr(300, 10, 0.3, 24)
    y = _targets(X, 25)["binary"]
    if l1_ratio and solver == "momentum":
        pytest.skip("no proximal step in the heavy-ball loop")
    a, b = _fit_both(LogisticRegression, X, y, None, solver=solver, l1_ratio=l1_ratio, C=0.5,
                     tol=1e-10, max_iter=300)
    assert_allclose(a.coef_, b.coef_, rtol=1e-7, atol=1e-9)
    assert_allclose(a.intercept_, b.intercept_, rtol=1e-7, atol=1e-9)
    p, q = _fit_both(PoissonRegressor, X, _targets(X, 26)["poisson"], None,
                     solver="nesterov" if solver == "fista" else solver, tol=1e-10, max_iter=300)
    assert_allclose(p.coef_, q.coef_, rtol=1e-7, atol=1e-9)
