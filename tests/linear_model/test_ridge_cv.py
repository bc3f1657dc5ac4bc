"""RidgeCV (leave-one-out from one eigendecomposition) against scikit-learn."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes, make_regression
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastgrad import RidgeCV

ALPHAS = np.geomspace(1e-4, 10.0, 12)


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


def _wide(targets=3):
    X, Y = make_regression(40, 100, n_targets=targets, noise=1.0, random_state=0)
    return X, Y


def _same(ours, theirs, rtol=1e-9):
    np.testing.assert_array_equal(ours.alpha_, theirs.alpha_)
    np.testing.assert_allclose(ours.best_score_, theirs.best_score_, rtol=rtol)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=rtol, atol=rtol * np.abs(theirs.coef_).max())
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=rtol, atol=1e-9)
    if hasattr(theirs, "cv_results_"):
        assert ours.cv_results_.shape == theirs.cv_results_.shape
        np.testing.assert_allclose(ours.cv_results_, theirs.cv_results_, rtol=rtol,
                                   atol=rtol * np.abs(theirs.cv_results_).max())


def _naive_loo_mse(X, y, alpha):
    """Leave-one-out by refitting n times (plain numpy, with intercept)."""
    errors = []
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        xm, ym = X[keep].mean(axis=0), y[keep].mean()
        Xc = X[keep] - xm
        w = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ (y[keep] - ym))
        errors.append((y[i] - ym - (X[i] - xm) @ w) ** 2)
    return np.mean(errors)


@pytest.mark.parametrize("alpha", [0.01, 1.0])
def test_loo_score_is_refitting_without_each_sample(diabetes, alpha):
    X, y = diabetes[0][:60], diabetes[1][:60]
    reg = RidgeCV(alphas=[alpha]).fit(X, y)
    assert -reg.best_score_ == pytest.approx(_naive_loo_mse(X, y, alpha), rel=1e-10)


@pytest.mark.parametrize("kwargs", [{}, {"fit_intercept": False}, {"scoring": "r2"},
                                    {"store_cv_results": True},
                                    {"store_cv_results": True, "scoring": "neg_mean_absolute_error"},
                                    {"cv": 5}],
                         ids=["loo", "no-intercept", "r2", "store", "store-scorer", "cv5"])
@pytest.mark.parametrize("weighted", [False, True])
def test_tall_matches_sklearn(diabetes, kwargs, weighted):
    X, y = diabetes
    fit = {"sample_weight": np.random.default_rng(0).uniform(0.5, 2.0, len(y))} if weighted else {}
    _same(RidgeCV(alphas=ALPHAS, **kwargs).fit(X, y, **fit),
          sk.RidgeCV(alphas=ALPHAS, **kwargs).fit(X, y, **fit))


@pytest.mark.parametrize("kwargs", [{}, {"alpha_per_target": True, "store_cv_results": True},
                                    {"scoring": "r2", "alpha_per_target": True}])
def test_wide_multi_target_matches_sklearn(kwargs):
    X, Y = _wide()
    # from 1e-2 up: below, the LOO scores of every alpha agree to ~1e-5 and
    # rounding (in either library) decides
    alphas = np.geomspace(1e-2, 10.0, 12)
    _same(RidgeCV(alphas=alphas, **kwargs).fit(X, Y), sk.RidgeCV(alphas=alphas, **kwargs).fit(X, Y),
          rtol=1e-7)


@pytest.mark.parametrize("shape", ["tall", "wide"])
def test_sparse_x_is_centred_implicitly(diabetes, shape):
    X, y = diabetes if shape == "tall" else (_wide()[0], _wide()[1][:, 0])
    X = X * (np.abs(X) > np.median(np.abs(X)))
    sw = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    alphas = np.geomspace(1e-2, 10.0, 8)
    ours = RidgeCV(alphas=alphas).fit(sp.csr_matrix(X), y, sample_weight=sw)
    _same(ours, RidgeCV(alphas=alphas).fit(X, y, sample_weight=sw), rtol=1e-8)
    _same(ours, sk.RidgeCV(alphas=alphas).fit(sp.csr_matrix(X), y, sample_weight=sw), rtol=1e-8)


def test_bad_parameters(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match=r"alphas\[1\] == 0.0, must be > 0.0"):
        RidgeCV(alphas=[1.0, 0.0]).fit(X, y)
    with pytest.raises(ValueError, match="at least one"):
        RidgeCV(alphas=[]).fit(X, y)
    with pytest.raises(ValueError, match="store_cv_results"):
        RidgeCV(cv=3, store_cv_results=True).fit(X, y)
    with pytest.raises(ValueError, match="alpha_per_target"):
        RidgeCV(cv=3, alpha_per_target=True).fit(X, y)


def _expected_failures(estimator):
    if estimator.alpha_per_target:
        # the check swaps in a CV splitter, and cv + alpha_per_target is refused
        # (scikit-learn's RidgeCV raises the same ValueError)
        reason = "cv!=None and alpha_per_target=True are incompatible, as in scikit-learn"
        return {"check_sample_weight_equivalence_on_dense_data": reason,
                "check_sample_weight_equivalence_on_sparse_data": reason}
    return {}


@parametrize_with_checks([RidgeCV(), RidgeCV(cv=3), RidgeCV(alpha_per_target=True)],
                         expected_failed_checks=_expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_alpha_checks_follow_scikit_learn():
    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(ValueError, match=r"alphas\[1\] == -1, must be > 0.0"):
        RidgeCV(alphas=(1.0, -1, 3.0)).fit(X, y)
    with pytest.raises(TypeError, match=r"alphas\[2\] must be an instance of float, not str"):
        RidgeCV(alphas=(1.0, 2.0, "3")).fit(X, y)
    with pytest.raises(ValueError, match=r"alphas\[0\] == 0.0, must be > 0.0"):
        RidgeCV(alphas=(0.0, 1.0)).fit(X, y)  # leave-one-out needs alpha > 0
    reg = RidgeCV(alphas=(0.0, 1.0), cv=3).fit(X, y)  # a grid search takes alpha = 0
    assert reg.alpha_ in (0.0, 1.0)
    assert type(RidgeCV().fit(X, y).intercept_) is np.float64


def test_svd_mode_on_sparse_x_warns_and_uses_eigen():
    X, y = load_diabetes(return_X_y=True)
    Xs = sp.csr_matrix(X)
    with pytest.warns(FutureWarning, match="The 'svd' mode is not supported for sparse X"):
        warned = RidgeCV(gcv_mode="svd").fit(Xs, y)
    eigen = RidgeCV(gcv_mode="eigen").fit(Xs, y)
    np.testing.assert_allclose(warned.coef_, eigen.coef_)


def test_one_column_target_keeps_a_one_entry_intercept():
    # scikit-learn: y of shape (n, 1) gives coef_ (p,) and intercept_ (1,); y (n,) a scalar
    X, y = load_diabetes(return_X_y=True)
    for target in (y, y[:, None]):
        ours = RidgeCV(alphas=ALPHAS).fit(X, target)
        ref = sk.RidgeCV(alphas=ALPHAS).fit(X, target)
        assert ours.coef_.shape == ref.coef_.shape
        assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
        np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8)


@pytest.mark.parametrize("weighted", [False, True])
def test_wide_loo_predictions_with_intercept_at_tiny_alpha(weighted):
    # p >> n and alpha = 1e-5: each leave-one-out fit nearly interpolates, so the
    # intercept's null direction must be handled exactly, not left to rounding
    X, y = make_regression(n_samples=10, n_features=50, random_state=0)
    s = np.where(np.arange(10) % 2 == 0, 0.5, 1.0) if weighted else np.ones(10)
    alphas = np.logspace(-5, 7, 5)
    ours = RidgeCV(alphas=alphas, scoring="neg_mean_squared_error", store_cv_results=True)
    ours.fit(X, y, sample_weight=s if weighted else None)
    expected = np.empty((10, alphas.size))
    for a, alpha in enumerate(alphas):
        for i in range(10):
            keep = np.arange(10) != i
            w = s[keep] / s[keep].sum()
            xm, ym = w @ X[keep], w @ y[keep]
            R = np.sqrt(s[keep])[:, None] * (X[keep] - xm)
            r = np.sqrt(s[keep]) * (y[keep] - ym)
            # dual form of the weighted ridge solution on the centred rows
            coef = R.T @ np.linalg.solve(R @ R.T + alpha * np.eye(9), r)
            expected[i, a] = (X[i] - xm) @ coef + ym
    np.testing.assert_allclose(ours.cv_results_, expected, rtol=1e-7)
