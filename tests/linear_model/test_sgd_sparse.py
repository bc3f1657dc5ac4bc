"""SGDRegressor on scipy.sparse X: vs scikit-learn's sparse fits, vs the dense path, bad input."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sklm
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

import fastgrad.linear_model._sgd_run as sgd_run
from fastgrad.linear_model._sgd import SGDRegressor
from fastgrad.linear_model._status import DivergenceError


def make_sparse(n=300, p=40, density=0.15, seed=0, dtype=np.float64, index=np.int32):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, random_state=seed, format="csr", dtype=np.float64)
    X.data = rng.standard_normal(X.nnz) + 1.0
    y = X @ rng.uniform(-2, 2, p) + 1.5 + 0.1 * rng.standard_normal(n)
    X = X.astype(dtype)
    X.indices = X.indices.astype(index)
    X.indptr = X.indptr.astype(index)
    return X, y.astype(dtype)


def fit_quiet(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


# every loss, penalty and schedule, averaging, early stopping, no intercept
CASES = {
    "default": {},
    "l1": dict(penalty="l1", alpha=1e-3),
    "elasticnet": dict(penalty="elasticnet", alpha=1e-3, l1_ratio=0.5),
    "none": dict(penalty=None),
    "huber_constant": dict(loss="huber", learning_rate="constant", eta0=0.01),
    "eps_insensitive_adaptive": dict(loss="epsilon_insensitive", learning_rate="adaptive"),
    "sq_eps_invscaling": dict(loss="squared_epsilon_insensitive", power_t=0.3),
    "pa1": dict(loss="epsilon_insensitive", learning_rate="pa1", eta0=0.1),
    "pa2": dict(loss="epsilon_insensitive", learning_rate="pa2", eta0=0.1),
    "optimal": dict(learning_rate="optimal", alpha=0.1),
    "average": dict(average=True),
    "average_from_50_l1": dict(average=50, penalty="l1", alpha=1e-3),
    "average_elasticnet_big_alpha": dict(average=7, penalty="elasticnet", alpha=0.05),
    "early_stopping": dict(early_stopping=True, validation_fraction=0.2, n_iter_no_change=3),
    "no_intercept": dict(fit_intercept=False),
    "no_shuffle": dict(shuffle=False),
    "strong_l2_folds_scale": dict(alpha=0.5, learning_rate="constant", eta0=0.5),
}


@pytest.mark.parametrize("tol", [None, 1e-3], ids=["tol_none", "tol"])
@pytest.mark.parametrize("case", list(CASES))
def test_matches_scikit_learn_on_sparse_data(case, tol):
    X, y = make_sparse()
    kw = dict(random_state=3, max_iter=15, tol=tol, **CASES[case])
    ours = fit_quiet(SGDRegressor(**kw), X, y)
    ref = fit_quiet(sklm.SGDRegressor(**kw), X, y)
    assert ours.n_iter_ == ref.n_iter_
    assert ours.t_ == ref.t_
    scale = max(1.0, np.abs(ref.coef_).max())
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-9 * scale)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8, atol=1e-9 * scale)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-7, atol=1e-8 * scale)


def test_sample_weight_and_inits_match_scikit_learn():
    X, y = make_sparse(seed=1)
    sw = np.random.default_rng(2).uniform(0, 2, X.shape[0])
    coef_init = np.linspace(-1, 1, X.shape[1])
    kw = dict(random_state=0, max_iter=10, tol=None, penalty="elasticnet", average=5)
    ours = SGDRegressor(**kw).fit(X, y, coef_init=coef_init, intercept_init=0.7, sample_weight=sw)
    ref = sklm.SGDRegressor(**kw).fit(X, y, coef_init=coef_init, intercept_init=0.7, sample_weight=sw)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8, atol=1e-10)


def test_partial_fit_and_warm_start_match_scikit_learn():
    X, y = make_sparse(seed=4)
    ours, ref = SGDRegressor(random_state=0, average=3), sklm.SGDRegressor(random_state=0, average=3)
    for start in range(0, 300, 100):
        ours.partial_fit(X[start:start + 100], y[start:start + 100])
        ref.partial_fit(X[start:start + 100], y[start:start + 100])
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-12)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-9, atol=1e-12)
    assert ours.t_ == ref.t_
    kw = dict(random_state=0, warm_start=True, max_iter=3, tol=None, penalty="l1")
    ours, ref = SGDRegressor(**kw), sklm.SGDRegressor(**kw)
    for _ in range(2):
        fit_quiet(ours, X, y)
        fit_quiet(ref, X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("index", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtypes_and_index_types_agree(dtype, index):
    X, y = make_sparse(dtype=dtype, index=index)
    # the reference: the same values held as float64 / int32 (the weights
    # are float64 either way, so only the storage differs)
    X64 = X.astype(np.float64)
    X64.indices, X64.indptr = X64.indices.astype(np.int32), X64.indptr.astype(np.int32)
    for kw in (dict(penalty="elasticnet", average=4), dict(batch_size=8, momentum=0.5)):
        kw.update(random_state=0, max_iter=6, tol=None)
        ours = SGDRegressor(**kw).fit(X, y)
        ref = SGDRegressor(**kw).fit(X64, y.astype(np.float64))
        assert ours.coef_.dtype == dtype and ours.predict(X).dtype == dtype
        rtol = 1e-12 if dtype == np.float64 else 1e-5
        assert_allclose(ours.coef_, ref.coef_.astype(dtype), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("kw", [
    dict(), dict(penalty=None, average=True), dict(loss="huber", learning_rate="pa2"),
    dict(loss="epsilon_insensitive", learning_rate="pa1"),
    dict(early_stopping=True, n_iter_no_change=2), dict(fit_intercept=False),
    dict(batch_size=16), dict(batch_size=5, momentum=0.9, penalty="elasticnet"),
    dict(momentum=0.5, penalty="l1", average=10), dict(batch_size=7, learning_rate="pa1",
                                                       loss="epsilon_insensitive"),
], ids=str)
def test_sparse_kernel_equals_dense_kernel_without_the_intercept_decay(kw, monkeypatch):
    # With the intercept decay at 1 the CSR epoch must be the dense epoch
    # (for the rules that do not depend on sparsity: not the row-wise L1).
    X, y = make_sparse(seed=5)
    if kw.get("learning_rate") == "pa2":
        kw["loss"] = "epsilon_insensitive"
    kw = dict(random_state=1, max_iter=12, **kw)
    dense = fit_quiet(SGDRegressor(**kw), X.toarray(), y)
    monkeypatch.setattr(sgd_run, "SPARSE_INTERCEPT_DECAY", 1.0)
    sparse = fit_quiet(SGDRegressor(**kw), X, y)
    assert sparse.n_iter_ == dense.n_iter_
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-9, atol=1e-11)
    assert_allclose(sparse.intercept_, dense.intercept_, rtol=1e-9, atol=1e-11)
    assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-9)


def test_loss_curve_holds_the_true_objective():
    # the incrementally tracked norms must be the norms of the weights
    X, y = make_sparse(seed=6)
    kw = dict(random_state=0, max_iter=1, tol=None, penalty="elasticnet", alpha=0.01,
              l1_ratio=0.5, learning_rate="constant", eta0=1e-12, shuffle=False)
    # with a negligible step the weights stay at coef_init: the objective is
    # the mean loss at coef_init plus its penalty, up to the step's effect
    w0 = np.linspace(-1, 2, X.shape[1])
    est = SGDRegressor(**kw).fit(X, y, coef_init=w0, intercept_init=0.3)
    r = y - (X @ w0 + 0.3)
    expected = np.mean(0.5 * r**2) + 0.01 * (0.25 * w0 @ w0 + 0.5 * np.abs(w0).sum())
    assert kw["penalty"] == "elasticnet" and est.l1_ratio == 0.5
    assert est.loss_curve_[0] == pytest.approx(expected, rel=1e-9)


def test_other_formats_and_noncanonical_input_give_the_csr_fit_and_stay_unchanged():
    X, y = make_sparse(seed=7)
    kw = dict(random_state=0, max_iter=5, tol=None)
    ref = SGDRegressor(**kw).fit(X, y)
    for other in (X.tocsc(), X.tocoo(), sp.csr_array(X), X.tolil()):
        assert_array_equal(SGDRegressor(**kw).fit(other, y).coef_, ref.coef_)
    # duplicates and unsorted indices: summed, on a copy
    coo = X.tocoo()
    half = coo.data / 2
    dup = sp.csr_matrix((np.r_[half, half], (np.r_[coo.row, coo.row], np.r_[coo.col, coo.col])),
                        shape=X.shape)
    dup.has_canonical_format = False
    before = dup.data.copy(), dup.indices.copy()
    assert_allclose(SGDRegressor(**kw).fit(dup, y).coef_, ref.coef_, rtol=1e-12, atol=1e-14)
    assert_array_equal(dup.data, before[0])
    assert_array_equal(dup.indices, before[1])


def test_empty_rows_and_all_zero_matrix():
    X, y = make_sparse(seed=8)
    X = sp.vstack([X, sp.csr_matrix((5, X.shape[1]))]).tocsr()
    y = np.r_[y, np.zeros(5)]
    kw = dict(random_state=0, max_iter=5, tol=None)
    assert_allclose(SGDRegressor(**kw).fit(X, y).coef_, sklm.SGDRegressor(**kw).fit(X, y).coef_,
                    rtol=1e-9, atol=1e-12)
    zero = sp.csr_matrix((20, 4))
    for est in (SGDRegressor(**kw), SGDRegressor(learning_rate="pa1", loss="epsilon_insensitive",
                                                 **kw)):
        est.fit(zero, np.ones(20))
        assert_array_equal(est.coef_, np.zeros(4))
        assert np.isfinite(est.intercept_).all()


def test_dense_then_sparse_partial_fit_share_the_state():
    X, y = make_sparse(seed=9)
    mixed = SGDRegressor(random_state=0).partial_fit(X[:150].toarray(), y[:150]).partial_fit(X[150:], y[150:])
    ref = sklm.SGDRegressor(random_state=0).partial_fit(X[:150].toarray(), y[:150]).partial_fit(X[150:], y[150:])
    assert_allclose(mixed.coef_, ref.coef_, rtol=1e-9, atol=1e-12)


def test_overflow_on_sparse_data_raises_scikit_learns_error():
    X, y = make_sparse()
    X = X * 1e150
    with pytest.raises(DivergenceError, match=r"Floating-point under-/overflow occurred at epoch #1"):
        SGDRegressor(learning_rate="constant", eta0=1.0).fit(X, y)


# ---------------------------------------------------------------------------
# bad input on the sparse paths
# ---------------------------------------------------------------------------

def _bad_value(value):
    X, y = make_sparse(n=30, p=6, density=0.5)
    X = X.copy()
    X.data[3] = value
    return X, y


BAD = {
    "nan_data": (lambda: _bad_value(np.nan), ValueError, "NaN"),
    "inf_data": (lambda: _bad_value(np.inf), ValueError, "infinity"),
    "empty": (lambda: (sp.csr_matrix((0, 4)), np.zeros(0)), ValueError, "0 sample"),
    "no_features": (lambda: (sp.csr_matrix((5, 0)), np.zeros(5)), ValueError, "0 feature"),
    "lengths": (lambda: (make_sparse(n=30)[0], np.ones(29)), ValueError, "inconsistent"),
    "complex": (lambda: (sp.csr_matrix(np.ones((4, 2)) * 1j), np.ones(4)), ValueError, "(?i)complex"),
}


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize("case", list(BAD))
def test_bad_sparse_input_is_refused(case, method):
    make, error, match = BAD[case]
    X, y = make()
    before = X.copy()
    with pytest.raises(error, match=match):
        getattr(SGDRegressor(), method)(X, y)
    assert_array_equal(X.toarray(), before.toarray())  # NaN == NaN here: never modified


def test_bad_sample_weight_and_feature_count_with_sparse_x():
    X, y = make_sparse(n=30, p=6)
    with pytest.raises(ValueError, match="sample_weight"):
        SGDRegressor().fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="(?i)negative"):
        SGDRegressor().fit(X, y, sample_weight=-np.ones(30))
    with pytest.raises(ValueError, match="coef_init"):
        SGDRegressor().fit(X, y, coef_init=np.ones(5))
    est = SGDRegressor(max_iter=3, tol=None).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(sp.csr_matrix(np.ones((4, 5))), np.ones(4))
    with pytest.raises(ValueError, match="features"):
        est.predict(sp.csr_matrix(np.ones((4, 5))))
    bad = X.copy()
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.predict(bad)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_rows_bigger_than_the_gather_buffer_match_scikit_learn(early_stopping):
    # The CSR epoch copies blocks of shuffled rows into a 16384-value buffer:
    # rows of ~6000 values fill it in threes, a 20000-value row is read in place.
    rng = np.random.default_rng(11)
    p = 25_000
    nnz_per_row = [6000] * 12 + [20_000] + [30] * 40 + [0] * 3
    rows, cols = [], []
    for i, m in enumerate(nnz_per_row):
        rows.append(np.full(m, i))
        cols.append(rng.choice(p, m, replace=False))
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    X = sp.csr_matrix((rng.uniform(0, 0.02, rows.size), (rows, cols)), shape=(len(nnz_per_row), p))
    y = rng.standard_normal(X.shape[0])
    kw = dict(random_state=0, max_iter=4, tol=None, penalty="elasticnet", average=3,
              early_stopping=early_stopping, validation_fraction=0.2)
    ours = fit_quiet(SGDRegressor(**kw), X, y)
    ref = fit_quiet(sklm.SGDRegressor(**kw), X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-12)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8, atol=1e-12)
