"""LassoCV / ElasticNetCV against scikit-learn on the same data and folds."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes, make_regression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastgrad import ElasticNetCV, LassoCV


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


def _same_fit(ours, theirs, mse_rtol=1e-4):
    assert ours.alpha_ == theirs.alpha_
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-12)
    assert ours.mse_path_.shape == theirs.mse_path_.shape
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=mse_rtol)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6 * np.abs(theirs.coef_).max())
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-6)


@pytest.mark.parametrize("kwargs", [{}, {"positive": True}, {"fit_intercept": False},
                                    {"precompute": False}, {"cv": 3, "alphas": 30}],
                         ids=["default", "positive", "no-intercept", "residual", "cv3"])
def test_lassocv_chooses_sklearns_alpha_on_diabetes(diabetes, kwargs):
    X, y = diabetes
    _same_fit(LassoCV(**kwargs).fit(X, y), sk.LassoCV(**kwargs).fit(X, y))


def test_elasticnetcv_l1_ratio_list(diabetes):
    X, y = diabetes
    kw = dict(l1_ratio=[0.1, 0.5, 0.95, 1.0], alphas=25, cv=4)
    ours, theirs = ElasticNetCV(**kw).fit(X, y), sk.ElasticNetCV(**kw).fit(X, y)
    _same_fit(ours, theirs)
    assert ours.l1_ratio_ == theirs.l1_ratio_
    assert ours.alphas_.shape == (4, 25) and ours.mse_path_.shape == (4, 25, 4)


def test_sample_weight_and_user_alphas(diabetes):
    X, y = diabetes
    sw = np.random.default_rng(0).uniform(0.2, 3.0, len(y))
    kw = dict(alphas=np.geomspace(2.0, 0.001, 12)[::-1], cv=KFold(4, shuffle=True, random_state=0))
    _same_fit(LassoCV(**kw).fit(X, y, sample_weight=sw), sk.LassoCV(**kw).fit(X, y, sample_weight=sw))
    # a number as sample_weight means no weights
    _same_fit(LassoCV(**kw).fit(X, y, sample_weight=5.0), sk.LassoCV(**kw).fit(X, y))


@pytest.mark.parametrize("l1_ratio", [0.5, 1.0])
def test_sparse_x_gives_the_dense_choice(l1_ratio):
    X, y = make_regression(60, 30, n_informative=5, noise=2.0, random_state=0)
    X[np.abs(X) < 0.7] = 0.0
    kw = dict(l1_ratio=l1_ratio, alphas=20, cv=3, tol=1e-8)
    dense = ElasticNetCV(**kw).fit(X, y)
    sparse = ElasticNetCV(**kw).fit(sp.csr_matrix(X), y)
    theirs = sk.ElasticNetCV(**kw).fit(sp.csr_matrix(X), y)
    _same_fit(sparse, theirs)
    _same_fit(sparse, dense, mse_rtol=1e-6)


def test_n_jobs_threads_give_the_same_result(diabetes):
    X, y = diabetes
    a = ElasticNetCV(l1_ratio=[0.3, 1.0], alphas=15, n_jobs=1).fit(X, y)
    b = ElasticNetCV(l1_ratio=[0.3, 1.0], alphas=15, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(a.mse_path_, b.mse_path_)
    assert a.alpha_ == b.alpha_


def test_pipeline_and_grid_search(diabetes):
    X, y = diabetes
    pipe = make_pipeline(StandardScaler(), LassoCV(alphas=20, cv=3)).fit(X, y)
    ref = make_pipeline(StandardScaler(), sk.LassoCV(alphas=20, cv=3)).fit(X, y)
    assert pipe[-1].alpha_ == ref[-1].alpha_
    search = GridSearchCV(ElasticNetCV(alphas=10, cv=3), {"l1_ratio": [0.2, 0.8]}, cv=3).fit(X, y)
    assert search.best_params_["l1_ratio"] in (0.2, 0.8)
    assert np.isfinite(search.best_score_)


def test_bad_parameters(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="at least one value"):
        LassoCV(alphas=[]).fit(X, y)
    with pytest.raises(ValueError, match=r"alphas\[0\] == -1.0, must be >= 0.0"):
        LassoCV(alphas=[-1.0]).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio"):
        ElasticNetCV(l1_ratio=1.5).fit(X, y)
    with pytest.raises(ValueError, match=r"l1_ratio\[1\]"):
        ElasticNetCV(l1_ratio=[0.5, 1.5]).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio=0"):
        ElasticNetCV(l1_ratio=0.0).fit(X, y)
    with pytest.raises(ValueError, match="alphas"):
        LassoCV(alphas=0).fit(X, y)
    with pytest.raises(ValueError, match="MultiTaskLassoCV"):
        LassoCV().fit(X, np.c_[y, y])


def test_input_not_modified_and_float32_kept(diabetes):
    X, y = diabetes
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    X0 = X32.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = LassoCV(alphas=10, cv=3).fit(X32, y32)
    np.testing.assert_array_equal(X32, X0)
    assert reg.coef_.dtype == np.float32


@parametrize_with_checks([LassoCV(alphas=5, cv=3), ElasticNetCV(alphas=5, cv=3, l1_ratio=[0.5, 1.0])])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_fold_grams_equal_the_training_parts_gram(fit_intercept, weighted):
    from fastgrad.linear_model._cv_gram import FoldGrams
    from fastgrad.linear_model._path_solve import prepare_path_problem

    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 6)) + 100.0  # large means: the pivot keeps the digits
    y = rng.standard_normal(50) + 5.0
    sw = rng.uniform(0.5, 2.0, 50) if weighted else None
    test = np.arange(10, 20)
    train = np.setdiff1d(np.arange(50), test)
    got = FoldGrams(X, y, sw, fit_intercept).problem(train, test)
    sw_train = None if sw is None else sw[train] * (40 / sw[train].sum())
    want = prepare_path_problem(X[train], y[train, None], sw_train, fit_intercept, "gram")
    for a, b in zip(got.data, want.data):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(got.x_mean, want.x_mean, rtol=1e-12)
    np.testing.assert_allclose(got.y_mean, want.y_mean, rtol=1e-12)


def test_splits_that_are_not_complements(diabetes):
    from sklearn.model_selection import ShuffleSplit

    X, y = diabetes
    cv = ShuffleSplit(n_splits=3, train_size=0.5, test_size=0.3, random_state=0)
    _same_fit(LassoCV(cv=cv, alphas=20).fit(X, y), sk.LassoCV(cv=cv, alphas=20).fit(X, y))


def test_alpha_grid_entries_are_checked_as_given():
    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(ValueError, match=r"alphas\[1\] == -1, must be >= 0.0"):
        LassoCV(alphas=(1.0, -1, 0.1)).fit(X, y)
    with pytest.raises(TypeError, match=r"alphas\[2\] must be an instance of float, not str"):
        LassoCV(alphas=(1.0, 0.5, "0.1")).fit(X, y)
    with pytest.raises(ValueError, match=r"alphas\[1\] == inf, must be finite"):
        LassoCV(alphas=(1.0, np.inf)).fit(X, y)
