"""Closed-form LinearRegression / Ridge against scikit-learn and plain numpy."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sklm
from naive_linear import naive_ridge, naive_weighted_gram
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_diabetes
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastgrad import LinearRegression, Ridge
from fastgrad.linear_model._gram import weighted_gram

# float64 sums throughout, so float32 only costs the rounding of the inputs
# and of the stored coefficients.
RTOL = {np.float64: 1e-6, np.float32: 1e-4}


def make_data(n=200, p=6, k=None, dtype=np.float64, weighted=False, seed=0, shift=3.0):
    rng = np.random.default_rng(seed)
    # a non-zero mean per column exercises the centring
    X = rng.standard_normal((n, p)) + shift * np.arange(p)
    shape = (p,) if k is None else (p, k)
    noise = 0.1 * rng.standard_normal((n,) if k is None else (n, k))
    y = X @ rng.standard_normal(shape) + 0.5 + noise
    sw = rng.uniform(0.1, 2.0, n) if weighted else None
    return X.astype(dtype), y.astype(dtype), sw


ESTIMATORS = {
    "ols": (LinearRegression, sklm.LinearRegression, {}),
    "ridge": (Ridge, sklm.Ridge, {"alpha": 2.5}),
    "ridge_alpha0": (Ridge, sklm.Ridge, {"alpha": 0.0}),
}


# ---------------------------------------------------------------------------
# the kernel against numpy
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("center", [True, False], ids=["centred", "raw"])
@pytest.mark.parametrize(
    "shape", [(1, 1, 1), (50, 3, 1), (300, 7, 3), (5000, 40, 2)],
    ids=["tiny", "small", "multi", "several_blocks"],
)
def test_gram_matches_numpy(dtype, weighted, center, shape):
    n, p, k = shape
    rng = np.random.default_rng(1)
    X = (rng.standard_normal((n, p)) + 10.0).astype(dtype)
    Y = rng.standard_normal((n, k)).astype(dtype)
    sw = rng.uniform(0.0, 2.0, n).astype(dtype) if weighted else None
    sw = np.ones(n, dtype) if weighted and n == 1 else sw
    got = weighted_gram(X, Y, sw, center=center)
    want = naive_weighted_gram(X, Y, sw, center=center)
    scale = max(1.0, np.abs(want[0]).max())
    for g, w in zip(got, want):
        assert_allclose(g, w, rtol=1e-9, atol=1e-9 * scale)
    assert all(np.asarray(g).dtype == np.float64 for g in got[:4])


def test_gram_centring_survives_a_large_offset():
    # Uncentred sums would lose ~12 digits here; the pivot keeps them.
    rng = np.random.default_rng(2)
    X = rng.standard_normal((1000, 3)) + 1e6
    Y = rng.standard_normal((1000, 1))
    got = weighted_gram(X, Y)[0]
    want = naive_weighted_gram(X, Y)[0]
    assert_allclose(got, want, rtol=1e-7)


def test_gram_checks_shapes():
    X = np.ones((3, 2))
    with pytest.raises(ValueError, match="Y must be 2-D with 3 rows"):
        weighted_gram(X, np.ones((2, 1)))
    with pytest.raises(ValueError, match="sample_weight has 2 entries"):
        weighted_gram(X, np.ones((3, 1)), np.ones(2))
    with pytest.raises(ValueError, match="sum to zero"):
        weighted_gram(X, np.ones((3, 1)), np.zeros(3))


# ---------------------------------------------------------------------------
# estimators against scikit-learn
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ESTIMATORS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("k", [None, 3], ids=["1d_y", "2d_y"])
def test_matches_sklearn(name, dtype, fit_intercept, weighted, k):
    ours, theirs, params = ESTIMATORS[name]
    X, y, sw = make_data(k=k, dtype=dtype, weighted=weighted)
    got = ours(fit_intercept=fit_intercept, **params).fit(X, y, sample_weight=sw)
    # sklearn on float64 copies of the same (rounded) data: the exact answer
    want = theirs(fit_intercept=fit_intercept, **params).fit(
        X.astype(np.float64), y.astype(np.float64), sample_weight=sw
    )
    assert got.coef_.dtype == dtype
    assert got.coef_.shape == want.coef_.shape
    assert np.shape(got.intercept_) == np.shape(want.intercept_)
    assert_allclose(got.coef_, want.coef_, rtol=RTOL[dtype], atol=1e-7)
    assert_allclose(got.intercept_, want.intercept_, rtol=RTOL[dtype], atol=1e-6)
    if name == "ols":  # LinearRegression, the closed form: one Newton step per target
        assert_array_equal(got.n_iter_, np.ones(1 if k is None else k, dtype=np.int32))
        assert got.n_iter_.dtype == np.int32
    else:
        assert got.n_iter_ is None  # scikit-learn's Ridge: None for the direct solvers
    assert got.n_features_in_ == X.shape[1]
    assert_allclose(got.predict(X), want.predict(X), rtol=RTOL[dtype], atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_float32_close_to_sklearn_float32(dtype):
    X, y, _ = make_data(dtype=dtype)
    got = Ridge(alpha=1.0).fit(X, y)
    want = sklm.Ridge(alpha=1.0).fit(X, y)
    assert got.coef_.dtype == want.coef_.dtype
    assert_allclose(got.coef_, want.coef_, rtol=RTOL[dtype])


def test_against_augmented_lstsq():
    X, y, sw = make_data(k=2, weighted=True)
    got = Ridge(alpha=3.0).fit(X, y, sample_weight=sw)
    coef, intercept = naive_ridge(X, y, alpha=3.0, sample_weight=sw)
    assert_allclose(got.coef_, coef, rtol=1e-8)
    assert_allclose(got.intercept_, intercept, rtol=1e-8)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_array_alpha_one_per_target(fit_intercept):
    X, y, sw = make_data(k=3, weighted=True)
    alpha = np.array([0.1, 10.0, 1000.0])
    got = Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    want = sklm.Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    assert_allclose(got.coef_, want.coef_, rtol=1e-6)
    assert_allclose(got.intercept_, want.intercept_, rtol=1e-6, atol=1e-9)
    for t in range(3):  # each target as its own problem
        single = Ridge(alpha=alpha[t], fit_intercept=fit_intercept)
        single.fit(X, y[:, t], sample_weight=sw)
        assert_allclose(got.coef_[t], single.coef_, rtol=1e-10)


def test_array_alpha_of_one_value_broadcasts():
    X, y, _ = make_data(k=2)
    got = Ridge(alpha=np.array([2.0])).fit(X, y)
    assert_allclose(got.coef_, Ridge(alpha=2.0).fit(X, y).coef_, rtol=1e-12)


@pytest.mark.parametrize("name", ESTIMATORS)
def test_diabetes(name):
    ours, theirs, params = ESTIMATORS[name]
    X, y = load_diabetes(return_X_y=True)
    sw = np.random.default_rng(0).uniform(0.5, 2.0, X.shape[0])
    for weights in (None, sw):
        got = ours(**params).fit(X, y, sample_weight=weights)
        want = theirs(**params).fit(X, y, sample_weight=weights)
        assert_allclose(got.coef_, want.coef_, rtol=1e-6)
        assert_allclose(got.intercept_, want.intercept_, rtol=1e-6)
        assert got.score(X, y) == pytest.approx(want.score(X, y), rel=1e-10)


def test_singular_system_gives_min_norm_solution():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 3))
    X = np.column_stack([X, X[:, 0], np.full(30, 7.0)])  # duplicate + constant column
    y = X[:, :3] @ np.array([1.0, -2.0, 0.5]) + 1.0
    got = LinearRegression().fit(X, y)
    want = sklm.LinearRegression().fit(X, y)
    assert_allclose(got.coef_, want.coef_, rtol=1e-6, atol=1e-9)
    assert_allclose(got.intercept_, want.intercept_, rtol=1e-6)


def test_more_features_than_samples():
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((10, 25)), rng.standard_normal(10)
    for ours, theirs in [(LinearRegression(), sklm.LinearRegression()), (Ridge(), sklm.Ridge())]:
        assert_allclose(ours.fit(X, y).coef_, theirs.fit(X, y).coef_, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("k", [None, 2], ids=["1d_y", "2d_y"])
def test_positive(k):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((100, 5))
    coef = np.array([1.0, -2.0, 0.5, -0.1, 3.0]) if k is None else rng.standard_normal((5, k))
    y = X @ coef + 0.1 * rng.standard_normal((100,) if k is None else (100, k))
    got = LinearRegression(positive=True).fit(X, y)
    want = sklm.LinearRegression(positive=True).fit(X, y)
    assert np.all(got.coef_ >= 0)
    assert_allclose(got.coef_, want.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(got.intercept_, want.intercept_, rtol=1e-6, atol=1e-8)
    ridge = Ridge(alpha=1.0, positive=True).fit(X, y)
    sk_ridge = sklm.Ridge(alpha=1.0, positive=True).fit(X, y)  # lbfgs: less exact
    assert np.all(ridge.coef_ >= 0)
    assert_allclose(ridge.coef_, sk_ridge.coef_, rtol=1e-3, atol=1e-4)


def test_dataframe_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    est = Ridge().fit(X, y)
    assert list(est.feature_names_in_) == list(X.columns)
    assert_allclose(est.predict(X), sklm.Ridge().fit(X, y).predict(X), rtol=1e-6)
    assert isinstance(X, pd.DataFrame)


# ---------------------------------------------------------------------------
# scikit-learn API
# ---------------------------------------------------------------------------

def _expected_failures(estimator):
    # Only what scikit-learn itself declares for the same class
    # (sklearn/utils/_test_common/instance_generator.py): for Ridge, the n_iter
    # check, as its direct solvers set n_iter_ = None; nothing for LinearRegression.
    if isinstance(estimator, Ridge) and estimator.solver in ("auto", "cholesky", "svd", "sparse_cg"):
        return {"check_non_transformer_estimators_n_iter": "n_iter_ = None for the direct solvers, as scikit-learn's Ridge"}
    return {}


@parametrize_with_checks(
    [LinearRegression(), LinearRegression(solver="cholesky"), Ridge()]
    # a tight tol, as the weight-equivalence check compares predictions at rtol 1e-7
    + [LinearRegression(solver=s, tol=1e-10) for s in ("gd", "lbfgs", "newton")]
    + [Ridge(solver=s, tol=1e-10) for s in ("momentum", "nesterov")]
    # scikit-learn's names: iterative ones report n_iter_, the direct ones None
    + [Ridge(solver=s, tol=1e-10) for s in ("lsqr", "sag", "saga", "svd", "sparse_cg")]
    + [Ridge(positive=True, tol=1e-10)],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_pipeline_gridsearch_clone_pickle():
    X, y = load_diabetes(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), Ridge())
    search = GridSearchCV(pipe, {"ridge__alpha": [0.1, 1.0, 10.0]}, cv=3).fit(X, y)
    sk_search = GridSearchCV(
        make_pipeline(StandardScaler(), sklm.Ridge()), {"ridge__alpha": [0.1, 1.0, 10.0]}, cv=3
    ).fit(X, y)
    assert search.best_params_ == sk_search.best_params_
    assert search.best_score_ == pytest.approx(sk_search.best_score_, rel=1e-8)

    est = Ridge(alpha=3.0, fit_intercept=False)
    copy = clone(est)
    assert copy.get_params() == est.get_params() and not hasattr(copy, "coef_")
    fitted = LinearRegression().fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    assert_allclose(restored.predict(X), fitted.predict(X))


def test_inputs_unchanged():
    X, y, sw = make_data(k=2, weighted=True)
    X_f = np.asfortranarray(X)
    alpha = np.array([1.0, 2.0])
    before = [a.copy() for a in (X_f, y, sw, alpha)]
    Ridge(alpha=alpha).fit(X_f, y, sample_weight=sw).predict(X_f)
    LinearRegression().fit(X_f, y, sample_weight=sw)
    for a, b in zip((X_f, y, sw, alpha), before):
        assert np.array_equal(a, b)


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

X_OK, Y_OK, _ = make_data(n=20, p=3)


def _with(arr, index, value):
    arr = arr.copy()
    arr[index] = value
    return arr


BAD_FIT = {
    "NaN in X": (dict(X=_with(X_OK, (0, 0), np.nan)), ValueError, "NaN"),
    "inf in X": (dict(X=_with(X_OK, (1, 1), np.inf)), ValueError, "infinity"),
    "NaN in y": (dict(y=_with(Y_OK, 2, np.nan)), ValueError, "NaN"),
    "inf in y": (dict(y=_with(Y_OK, 2, np.inf)), ValueError, "infinity"),
    "length mismatch": (dict(y=Y_OK[:-1]), ValueError, "inconsistent numbers of samples"),
    "empty X": (dict(X=X_OK[:0], y=Y_OK[:0]), ValueError, "0 sample"),
    "no features": (dict(X=X_OK[:, :0]), ValueError, "0 feature"),
    "1-D X": (dict(X=X_OK[:, 0]), ValueError, "Expected 2D array"),
    "y None": (dict(y=None), ValueError, "requires y"),
    "negative weight": (dict(sample_weight=_with(np.ones(20), 3, -1.0)), ValueError, "Negative"),
    "all-zero weights": (dict(sample_weight=np.zeros(20)), ValueError, "non-zero"),
    "NaN weight": (dict(sample_weight=_with(np.ones(20), 3, np.nan)), ValueError, "NaN"),
    "inf scalar weight": (dict(sample_weight=np.inf), ValueError, "finite"),
    "weight length": (
        dict(sample_weight=np.ones(19)), ValueError, r"sample_weight.shape == \(19,\)"
    ),
}


@pytest.mark.parametrize("est_cls", [LinearRegression, Ridge])
@pytest.mark.parametrize("case", BAD_FIT)
def test_bad_fit_input(est_cls, case):
    kwargs, error, match = BAD_FIT[case]
    args = dict(X=X_OK, y=Y_OK, sample_weight=None) | kwargs
    with pytest.raises(error, match=match):
        est_cls().fit(args["X"], args["y"], sample_weight=args["sample_weight"])


BAD_PARAMS = {
    "negative alpha": (Ridge(alpha=-1.0), Y_OK, "'alpha' parameter of Ridge"),
    "negative array alpha": (
        Ridge(alpha=np.array([1.0, -1.0])), np.c_[Y_OK, Y_OK], "Invalid alpha"
    ),
    "NaN array alpha": (Ridge(alpha=np.array([np.nan])), Y_OK, "Invalid alpha"),
    "alpha per target": (Ridge(alpha=np.array([1.0, 2.0])), Y_OK, "do not correspond: 2 != 1"),
    "unknown solver": (Ridge(solver="bogus"), Y_OK, "'solver' parameter of Ridge"),
    "unknown solver (OLS)": (LinearRegression(solver="svd"), Y_OK, "'solver' parameter of Linear"),
    "positive cholesky": (
        Ridge(positive=True, solver="cholesky"), Y_OK, "does not support positive"
    ),
    "bad fit_intercept": (LinearRegression(fit_intercept="yes"), Y_OK, "'fit_intercept' parameter"),
}


@pytest.mark.parametrize("case", BAD_PARAMS)
def test_bad_parameters(case):
    est, y, match = BAD_PARAMS[case]
    with pytest.raises(ValueError, match=match):
        est.fit(X_OK, y)


@pytest.mark.parametrize("est_cls", [LinearRegression, Ridge])
def test_predict_errors(est_cls):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        est_cls().predict(X_OK)
    est = est_cls().fit(X_OK, Y_OK)
    with pytest.raises(ValueError, match="X has 2 features, but .* is expecting 3"):
        est.predict(X_OK[:, :2])
    # sparse X predicts as its dense copy (sparse support: tests/test_ridge_sparse.py)
    assert_allclose(est.predict(sp.csr_matrix(X_OK)), est.predict(X_OK), rtol=1e-12)
    with pytest.raises(ValueError, match="NaN"):
        est.predict(_with(X_OK, (0, 0), np.nan))


def test_linear_regression_has_sklearn_parameters_and_n_jobs_threads():
    import inspect

    from sklearn.linear_model import LinearRegression as SkLR

    from fastgrad import LinearRegression as FgLR

    assert set(inspect.signature(SkLR).parameters) <= set(inspect.signature(FgLR).parameters)
    rng = np.random.default_rng(5)
    X = rng.standard_normal((3000, 8))
    y = X @ rng.standard_normal(8) + 0.5
    one = FgLR(n_jobs=1).fit(X, y).coef_
    np.testing.assert_allclose(FgLR(n_jobs=2).fit(X, y).coef_, one, rtol=1e-12)
    np.testing.assert_allclose(FgLR(n_jobs=-1).fit(X, y).coef_, one, rtol=1e-12)
    for bad in (0, -2, 1.5):
        with pytest.raises(ValueError, match="n_jobs"):
            FgLR(n_jobs=bad).fit(X, y)
    with pytest.raises(ValueError, match="tol"):
        FgLR(tol=-1.0).fit(X, y)
