"""RidgeClassifier against scikit-learn's, its estimator checks and bad input."""
import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sklm
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris, make_multilabel_classification
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastgrad import RidgeClassifier

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
LABELS = np.array(["setosa", "versicolor", "virginica"])[Y_IRIS]


def _assert_same(ours, ref, X, rtol=1e-8, atol=1e-10):
    assert_array_equal(ours.classes_, ref.classes_)
    assert ours.coef_.shape == ref.coef_.shape
    assert_allclose(ours.coef_, ref.coef_, rtol=rtol, atol=atol)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=rtol, atol=atol)
    assert_allclose(ours.decision_function(X), ref.decision_function(X), rtol=rtol, atol=1e-8)
    assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("solver", ["auto", "svd", "cholesky", "lsqr", "sparse_cg", "lbfgs"])
@pytest.mark.parametrize("binary", [False, True])
def test_matches_scikit_learn(solver, binary):
    y = LABELS == "virginica" if binary else LABELS
    kw = {"solver": solver, "alpha": 0.5, "tol": 1e-10}
    if solver == "lbfgs":
        kw["positive"] = True  # scikit-learn's lbfgs is only for positive coefficients
    ours = RidgeClassifier(**kw).fit(X_IRIS, y)
    ref = sklm.RidgeClassifier(**kw).fit(X_IRIS, y)
    _assert_same(ours, ref, X_IRIS, rtol=1e-5 if solver in ("lbfgs", "sparse_cg", "lsqr") else 1e-8,
                 atol=1e-6 if solver in ("lbfgs", "sparse_cg", "lsqr") else 1e-10)


@pytest.mark.parametrize("class_weight", ["balanced", {"setosa": 3.0, "versicolor": 0.5}])
def test_class_and_sample_weights(class_weight):
    sw = np.random.default_rng(0).uniform(0.2, 2.0, len(LABELS))
    ours = RidgeClassifier(class_weight=class_weight).fit(X_IRIS, LABELS, sample_weight=sw)
    ref = sklm.RidgeClassifier(class_weight=class_weight).fit(X_IRIS, LABELS, sample_weight=sw)
    _assert_same(ours, ref, X_IRIS)


def test_sparse_input_and_no_intercept():
    Xs = sp.random(200, 30, density=0.1, format="csr", random_state=1)
    y = np.random.default_rng(1).integers(0, 4, 200)
    for fit_intercept in (True, False):
        ours = RidgeClassifier(fit_intercept=fit_intercept, solver="sparse_cg", tol=1e-12).fit(Xs, y)
        ref = sklm.RidgeClassifier(fit_intercept=fit_intercept, solver="sparse_cg", tol=1e-12).fit(Xs, y)
        _assert_same(ours, ref, Xs, rtol=1e-6, atol=1e-8)


def test_multilabel_indicator_targets():
    X, Y = make_multilabel_classification(n_samples=120, n_features=8, n_classes=4, random_state=0)
    ours = RidgeClassifier().fit(X, Y)
    ref = sklm.RidgeClassifier().fit(X, Y)
    _assert_same(ours, ref, X)
    assert ours.predict(X).shape == Y.shape


def test_pipeline_and_grid_search():
    search = GridSearchCV(make_pipeline(StandardScaler(), RidgeClassifier()),
                          {"ridgeclassifier__alpha": [0.01, 1.0, 100.0]}, cv=3).fit(X_IRIS, LABELS)
    ref = GridSearchCV(make_pipeline(StandardScaler(), sklm.RidgeClassifier()),
                       {"ridgeclassifier__alpha": [0.01, 1.0, 100.0]}, cv=3).fit(X_IRIS, LABELS)
    assert search.best_params_ == ref.best_params_
    assert_allclose(search.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"])


def test_bad_input():
    with pytest.raises(ValueError, match="class_weight"):
        RidgeClassifier(class_weight="uniform").fit(X_IRIS, LABELS)
    with pytest.raises(ValueError, match="requires y"):
        RidgeClassifier().fit(X_IRIS, None)
    with pytest.raises(ValueError, match="Unknown label type"):
        RidgeClassifier().fit(X_IRIS, np.linspace(0, 1, len(LABELS)))  # continuous y
    X = X_IRIS.copy()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        RidgeClassifier().fit(X, LABELS)


def _expected_failures(estimator):
    # as scikit-learn declares for its RidgeClassifier: the direct solvers set n_iter_ = None
    if estimator.solver in ("auto", "cholesky", "svd", "sparse_cg"):
        return {"check_non_transformer_estimators_n_iter": "n_iter_ = None for the direct solvers, "
                                                           "as scikit-learn's RidgeClassifier"}
    return {}


@parametrize_with_checks([RidgeClassifier(), RidgeClassifier(solver="lsqr", tol=1e-10),
                          RidgeClassifier(solver="nesterov", tol=1e-10, max_iter=10000)],
                         expected_failed_checks=_expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)
