"""RidgeClassifierCV against scikit-learn's, a plain-numpy leave-one-out, its estimator checks and bad input."""
import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sklm
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_breast_cancer, load_iris, make_multilabel_classification
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler, scale
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastgrad import RidgeClassifier, RidgeClassifierCV

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
LABELS = np.array(["setosa", "versicolor", "virginica"])[Y_IRIS]
X_BC, Y_BC = load_breast_cancer(return_X_y=True)
X_BC = scale(X_BC)
ALPHAS = np.geomspace(1e-3, 1e3, 13)


def _assert_same(ours, ref, X, rtol=1e-7, atol=1e-9):
    assert ours.alpha_ == ref.alpha_
    assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-8, atol=1e-12)
    assert_array_equal(ours.classes_, ref.classes_)
    assert ours.coef_.shape == ref.coef_.shape
    assert_allclose(ours.coef_, ref.coef_, rtol=rtol, atol=atol)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=rtol, atol=atol)
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
    assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("data", ["iris", "breast_cancer"])
@pytest.mark.parametrize("kw", [{}, {"fit_intercept": False}, {"class_weight": "balanced"},
                                {"class_weight": {0: 3.0, 1: 0.5}}, {"cv": 5}, {"cv": KFold(4)}])
def test_matches_scikit_learn(data, kw):
    X, y = (X_IRIS, Y_IRIS) if data == "iris" else (X_BC, Y_BC)
    ours = RidgeClassifierCV(alphas=ALPHAS, **kw).fit(X, y)
    ref = sklm.RidgeClassifierCV(alphas=ALPHAS, **kw).fit(X, y)
    _assert_same(ours, ref, X)


def test_chosen_alpha_on_breast_cancer_is_scikit_learns():
    # the bundled data and a fine grid: the choice the issue holds us to
    alphas = np.geomspace(1e-4, 1e4, 60)
    ours = RidgeClassifierCV(alphas=alphas).fit(X_BC, Y_BC)
    ref = sklm.RidgeClassifierCV(alphas=alphas).fit(X_BC, Y_BC)
    assert ours.alpha_ == ref.alpha_


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_sparse_matches_dense(fit_intercept):
    ours = RidgeClassifierCV(alphas=ALPHAS, fit_intercept=fit_intercept).fit(sp.csr_matrix(X_IRIS), LABELS)
    ref = sklm.RidgeClassifierCV(alphas=ALPHAS, fit_intercept=fit_intercept).fit(X_IRIS, LABELS)
    _assert_same(ours, ref, X_IRIS)


def test_weights_match_scikit_learn():
    sw = np.random.default_rng(0).uniform(0.2, 3.0, X_IRIS.shape[0])
    ours = RidgeClassifierCV(alphas=ALPHAS, class_weight="balanced").fit(X_IRIS, LABELS, sample_weight=sw)
    ref = sklm.RidgeClassifierCV(alphas=ALPHAS, class_weight="balanced").fit(X_IRIS, LABELS, sample_weight=sw)
    _assert_same(ours, ref, X_IRIS)


def _naive_loo_scores(X, Y, alphas):
    """Minus the mean squared LOO error of each alpha, by refitting n times per alpha (numpy)."""
    n = X.shape[0]
    out = []
    for alpha in alphas:
        errors = []
        for i in range(n):
            keep = np.arange(n) != i
            Xt, Yt = X[keep], Y[keep]
            xm, ym = Xt.mean(axis=0), Yt.mean(axis=0)
            Xc = Xt - xm
            W = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ (Yt - ym))
            errors.append((Y[i] - ((X[i] - xm) @ W + ym)) ** 2)
        out.append(-np.mean(errors))
    return np.array(out)


def test_leave_one_out_scores_against_refitting():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 4))
    y = np.array(["a", "b", "c"])[rng.integers(0, 3, 30)]
    alphas = [0.01, 0.3, 5.0, 80.0]
    clf = RidgeClassifierCV(alphas=alphas, store_cv_results=True).fit(X, y)
    Y = np.where(y[:, None] == np.array(["a", "b", "c"]), 1.0, -1.0)
    expected = _naive_loo_scores(X, Y, alphas)
    assert_allclose(clf.cv_results_.mean(axis=(0, 1)), -expected, rtol=1e-10)
    assert clf.alpha_ == alphas[int(np.argmax(expected))]
    assert_allclose(clf.best_score_, expected.max(), rtol=1e-10)


@pytest.mark.parametrize("scoring", ["accuracy", make_scorer(accuracy_score), "balanced_accuracy"])
def test_multiclass_scoring_matches_scikit_learn(scoring):
    ours = RidgeClassifierCV(alphas=ALPHAS, scoring=scoring, store_cv_results=True).fit(X_IRIS, Y_IRIS)
    ref = sklm.RidgeClassifierCV(alphas=ALPHAS, scoring=scoring, store_cv_results=True).fit(X_IRIS, Y_IRIS)
    _assert_same(ours, ref, X_IRIS)
    assert_allclose(ours.cv_results_, ref.cv_results_, rtol=1e-8, atol=1e-10)


def test_binary_scoring_uses_the_real_labels():
    # the accuracy of the LOO predictions, counted by hand from the stored LOO scores
    clf = RidgeClassifierCV(alphas=ALPHAS, scoring="accuracy", store_cv_results=True).fit(X_BC, Y_BC)
    assert clf.cv_results_.shape == (X_BC.shape[0], 1, ALPHAS.size)
    acc = ((clf.cv_results_[:, 0, :] > 0) == (Y_BC[:, None] == 1)).mean(axis=0)
    assert clf.alpha_ == ALPHAS[int(np.argmax(acc))]
    assert_allclose(clf.best_score_, acc.max())
    assert clf.best_score_ < 1.0  # not the degenerate "every sample is class 0"
    auc = RidgeClassifierCV(alphas=ALPHAS, scoring="roc_auc").fit(X_BC, Y_BC).best_score_
    assert 0.95 < auc <= 1.0


def test_ties_keep_the_first_alpha():
    scorer = make_scorer(lambda y_true, y_pred: 0.42)
    for cv in (None, KFold(5)):
        clf = RidgeClassifierCV(alphas=[0.01, 0.1, 1.0, 10.0], scoring=scorer, cv=cv).fit(X_IRIS, Y_IRIS)
        assert clf.alpha_ == 0.01 and clf.best_score_ == pytest.approx(0.42)


def test_multilabel():
    X, Y = make_multilabel_classification(n_samples=60, n_features=8, n_classes=4, random_state=0)
    ours = RidgeClassifierCV(alphas=ALPHAS).fit(X, Y)
    ref = sklm.RidgeClassifierCV(alphas=ALPHAS).fit(X, Y)
    _assert_same(ours, ref, X)


def test_grid_search_fit_equals_ridge_classifier_at_the_chosen_alpha():
    clf = RidgeClassifierCV(alphas=ALPHAS, cv=5).fit(X_IRIS, LABELS)
    single = RidgeClassifier(alpha=clf.alpha_).fit(X_IRIS, LABELS)
    assert_allclose(clf.coef_, single.coef_, rtol=1e-8, atol=1e-10)
    assert_array_equal(clf.predict(X_IRIS), single.predict(X_IRIS))


def test_pipeline_and_grid_search():
    pipe = make_pipeline(StandardScaler(), RidgeClassifierCV(alphas=ALPHAS))
    search = GridSearchCV(pipe, {"ridgeclassifiercv__fit_intercept": [True, False]}, cv=3)
    search.fit(X_IRIS, LABELS)
    assert search.best_score_ > 0.8
    assert set(search.predict(X_IRIS)) <= set(LABELS)


def test_inputs_not_modified():
    X, y = X_IRIS.copy(), LABELS.copy()
    alphas = [0.1, 1.0, 10.0]
    clf = RidgeClassifierCV(alphas=alphas, class_weight="balanced").fit(X, y, sample_weight=np.ones(150))
    assert_array_equal(X, X_IRIS)
    assert_array_equal(y, LABELS)
    assert clf.alphas is alphas and alphas == [0.1, 1.0, 10.0]


@pytest.mark.parametrize("alphas, err, match", [
    ([], ValueError, "at least one"),
    ([1.0, -1.0], ValueError, r"alphas\[1\] == -1"),
    ([0.0, 1.0], ValueError, r"alphas\[0\] == 0"),
    (-2.0, ValueError, "alphas"),
    ([1.0, "a"], TypeError, r"alphas\[1\]"),
])
def test_bad_alphas(alphas, err, match):
    with pytest.raises(err, match=match):
        RidgeClassifierCV(alphas=alphas).fit(X_IRIS, Y_IRIS)


def test_bad_parameters():
    with pytest.raises(ValueError, match="store_cv_results"):
        RidgeClassifierCV(cv=3, store_cv_results=True).fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="class_weight"):
        RidgeClassifierCV(class_weight="uniform").fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="requires y"):
        RidgeClassifierCV().fit(X_IRIS, None)
    with pytest.raises(ValueError, match="NaN"):
        RidgeClassifierCV().fit(np.where(X_IRIS > 7, np.nan, X_IRIS), Y_IRIS)
    with pytest.raises(TypeError, match="unexpected keyword"):
        RidgeClassifierCV(alpha_per_target=True)
    # a zero alpha is fine once the folds are explicit, as in scikit-learn
    RidgeClassifierCV(alphas=[0.0, 1.0], cv=3).fit(X_IRIS, Y_IRIS)


@parametrize_with_checks([RidgeClassifierCV(), RidgeClassifierCV(cv=3)])
def test_sklearn_compatible(estimator, check):
    check(estimator)
