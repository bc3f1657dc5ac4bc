"""LogisticRegression against scikit-learn, for every solver, and its error handling."""

import pickle
import warnings

import numpy as np
import pytest
import sklearn.linear_model as sklm
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fastgrad import LogisticRegression
from fastgrad.linear_model._status import DivergenceError


def binary_data(n=400, p=5, seed=0, weighted=False, shift=0.0):
    X, y = make_classification(n_samples=n, n_features=p, n_informative=min(p, 3), n_redundant=0,
                               random_state=seed, flip_y=0.1)
    rng = np.random.default_rng(seed)
    X = X + shift
    sw = rng.uniform(0.2, 2.0, n) if weighted else None
    return X, y, sw


def multi_data(n=400, p=5, k=4, seed=0, weighted=False):
    X, y = make_classification(n_samples=n, n_features=p, n_informative=min(p, 4), n_redundant=0,
                               n_classes=k, n_clusters_per_class=1, random_state=seed, flip_y=0.1)
    rng = np.random.default_rng(seed)
    sw = rng.uniform(0.2, 2.0, n) if weighted else None
    return X, y, sw


def sk_objective(X, y, sw, coef, intercept, C, classes):
    """scikit-learn's objective divided by C * sum_s (mean loss + penalty / (C sum_s))."""
    s = np.ones(len(y)) if sw is None else sw
    Z = X @ coef.T + intercept
    if coef.shape[0] == 1:
        z = Z[:, 0]
        t = (y == classes[1]).astype(float)
        loss = np.logaddexp(0, z) - t * z
    else:
        idx = np.searchsorted(classes, y)
        loss = np.logaddexp.reduce(Z, axis=1) - Z[np.arange(len(y)), idx]
    return s @ loss / s.sum() + 0.5 / (C * s.sum()) * np.sum(coef ** 2)


def sk_fit(X, y, sw, **kw):
    kw.setdefault("solver", "newton-cholesky")
    return sklm.LogisticRegression(tol=1e-12, max_iter=10000, **kw).fit(X, y, sample_weight=sw)


def assert_same_model(ours, ref, rtol=1e-5, atol=1e-7):
    assert_allclose(ours.coef_, ref.coef_, rtol=rtol, atol=atol)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=rtol, atol=atol)
    assert_array_equal(ours.classes_, ref.classes_)


# ---------------------------------------------------------------------------
# agreement with scikit-learn
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("solver", ["auto", "lbfgs", "newton", "newton-cholesky"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no-intercept"])
def test_binary_matches_sklearn(solver, weighted, fit_intercept):
    X, y, sw = binary_data(weighted=weighted, shift=3.0)
    ours = LogisticRegression(C=0.5, solver=solver, tol=1e-10, max_iter=1000,
                              fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    ref = sk_fit(X, y, sw, C=0.5, fit_intercept=fit_intercept)
    assert_same_model(ours, ref)
    assert ours.coef_.shape == (1, X.shape[1])
    assert ours.n_iter_.shape == (1,)


@pytest.mark.parametrize("solver", ["gd", "momentum", "nesterov", "fista"])
def test_first_order_solvers_match_sklearn(solver):
    X, y, sw = binary_data(n=300, p=4, weighted=True)
    X = StandardScaler().fit_transform(X)
    ours = LogisticRegression(C=1.0, solver=solver, tol=1e-9, max_iter=20000).fit(X, y, sample_weight=sw)
    ref = sk_fit(X, y, sw, C=1.0)
    assert_same_model(ours, ref, rtol=1e-5, atol=1e-6)
    assert np.all(np.diff(ours.loss_curve_[:3]) <= 1e-12) or solver != "gd"


@pytest.mark.parametrize("solver", ["auto", "lbfgs", "newton", "nesterov"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_multinomial_matches_sklearn(solver, weighted):
    X, y, sw = multi_data(weighted=weighted)
    X = StandardScaler().fit_transform(X)
    ours = LogisticRegression(C=2.0, solver=solver, tol=1e-10, max_iter=20000).fit(X, y, sample_weight=sw)
    ref = sk_fit(X, y, sw, C=2.0, solver="lbfgs")
    assert ours.coef_.shape == (4, X.shape[1])
    assert_same_model(ours, ref, rtol=1e-5, atol=1e-6)


def test_breast_cancer_matches_sklearn():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ref = sk_fit(X, y, None, C=1.0)
    for solver in ("auto", "lbfgs", "newton"):
        ours = LogisticRegression(C=1.0, solver=solver, tol=1e-10, max_iter=5000).fit(X, y)
        assert_same_model(ours, ref)
        assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=1e-6, atol=1e-9)


def test_iris_multinomial_matches_sklearn():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ref = sk_fit(X, y, None, C=1.0, solver="lbfgs")
    ours = LogisticRegression(C=1.0, tol=1e-10, max_iter=1000).fit(X, y)
    assert_same_model(ours, ref)
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=1e-6, atol=1e-9)
    assert_allclose(ours.predict_log_proba(X), ref.predict_log_proba(X), rtol=1e-6, atol=1e-9)
    assert_array_equal(ours.predict(X), ref.predict(X))


def test_no_penalty_matches_sklearn():
    X, y, _ = binary_data(n=500, p=3, seed=3)
    ours = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(X, y)
    ref = sk_fit(X, y, None, C=np.inf)
    assert_same_model(ours, ref, rtol=1e-5)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("solver", ["auto", "fista", "gd"])
def test_l1_and_elastic_net_match_sklearn_saga(l1_ratio, solver):
    X, y, _ = binary_data(n=300, p=6, seed=1)
    X = StandardScaler().fit_transform(X)
    C = 0.05
    ours = LogisticRegression(C=C, l1_ratio=l1_ratio, solver=solver, tol=1e-10, max_iter=100000).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = sklm.LogisticRegression(C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-12,
                                      max_iter=100000).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-4, atol=1e-6)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-4, atol=1e-6)
    if l1_ratio == 1.0:
        assert np.sum(ours.coef_ == 0) == np.sum(np.abs(ref.coef_) < 1e-8) > 0


def test_string_labels_and_class_order():
    X, y, _ = multi_data(k=3)
    names = np.array(["cat", "dog", "emu"])[y]
    clf = LogisticRegression(tol=1e-10).fit(X, names)
    assert_array_equal(clf.classes_, ["cat", "dog", "emu"])
    ref = sk_fit(X, names, None, solver="lbfgs")
    assert_same_model(clf, ref)
    assert set(clf.predict(X)) <= set(names)


def test_binary_string_labels_positive_class_is_second():
    X, y, _ = binary_data()
    labels = np.where(y == 1, "yes", "no")
    clf = LogisticRegression(tol=1e-10).fit(X, labels)
    assert_array_equal(clf.classes_, ["no", "yes"])
    p = clf.predict_proba(X)
    assert_allclose(p.sum(axis=1), 1.0)
    assert_array_equal(clf.predict(X), np.where(clf.decision_function(X) > 0, "yes", "no"))


def test_class_weight_equals_sample_weight():
    X, y, _ = binary_data(seed=2)
    a = LogisticRegression(class_weight={0: 3.0, 1: 0.5}, tol=1e-10).fit(X, y)
    b = LogisticRegression(tol=1e-10).fit(X, y, sample_weight=np.where(y == 0, 3.0, 0.5))
    assert_allclose(a.coef_, b.coef_, rtol=1e-8)
    ref = sk_fit(X, y, None, class_weight="balanced")
    assert_same_model(LogisticRegression(class_weight="balanced", tol=1e-10).fit(X, y), ref)


def test_float32_input():
    X, y, _ = binary_data(seed=4)
    ours = LogisticRegression(tol=1e-8).fit(X.astype(np.float32), y)
    ref = sk_fit(X.astype(np.float32).astype(np.float64), y, None)
    assert ours.coef_.dtype == np.float32
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-4, atol=1e-5)


def test_objective_curve_and_attributes():
    X, y, sw = binary_data(weighted=True)
    clf = LogisticRegression(C=0.7, solver="lbfgs", tol=1e-10).fit(X, y, sample_weight=sw)
    assert clf.loss_curve_.shape == (clf.n_iter_[0] + 1,)
    final = sk_objective(X, y, sw, clf.coef_, clf.intercept_, 0.7, clf.classes_)
    assert_allclose(clf.loss_curve_[-1], final, rtol=1e-10)
    assert clf.solver_ == "lbfgs"
    assert clf.n_features_in_ == X.shape[1]


def test_auto_switches_to_newton_on_a_hard_problem():
    X, y = load_breast_cancer(return_X_y=True)  # unscaled: badly conditioned
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = LogisticRegression(C=1e4, tol=1e-8, max_iter=2000).fit(X, y)
    assert clf.solver_ == "lbfgs+newton"


def test_warm_start_starts_at_the_solution():
    X, y, _ = binary_data()
    clf = LogisticRegression(warm_start=True, solver="lbfgs", tol=1e-8).fit(X, y)
    clf.fit(X, y)
    assert clf.n_iter_[0] <= 1


def test_sgd_solver_gets_close():
    X, y, _ = binary_data(n=2000, p=5)
    X = StandardScaler().fit_transform(X)
    ref = sk_fit(X, y, None)
    clf = LogisticRegression(solver="sgd", batch_size=64, max_iter=200, tol=1e-7, random_state=0).fit(X, y)
    best = sk_objective(X, y, None, ref.coef_, ref.intercept_, 1.0, ref.classes_)
    got = sk_objective(X, y, None, clf.coef_, clf.intercept_, 1.0, clf.classes_)
    assert 0 <= got - best < 1e-3 * best
    again = LogisticRegression(solver="sgd", batch_size=64, max_iter=200, tol=1e-7, random_state=0).fit(X, y)
    assert_array_equal(clf.coef_, again.coef_)


def test_partial_fit_reduces_the_objective():
    X, y, _ = multi_data(n=3000, k=3)
    X = StandardScaler().fit_transform(X)
    clf = LogisticRegression(batch_size=32, random_state=0)
    losses = []
    for epoch in range(8):
        for chunk in np.array_split(np.arange(len(y)), 3):
            with warnings.catch_warnings():
                warnings.simplefilter("error", ConvergenceWarning)  # one epoch is the contract
                clf.partial_fit(X[chunk], y[chunk], classes=np.unique(y))
        losses.append(sk_objective(X, y, None, clf.coef_, clf.intercept_, 1.0, clf.classes_))
    ref = sk_fit(X, y, None, solver="lbfgs")
    best = sk_objective(X, y, None, ref.coef_, ref.intercept_, 1.0, ref.classes_)
    assert losses[-1] < losses[0]
    assert losses[-1] - best < 0.05 * best
    assert clf.t_ == 24


# ---------------------------------------------------------------------------
# scikit-learn integration
# ---------------------------------------------------------------------------

def test_pipeline_grid_search_clone_pickle():
    X, y = load_breast_cancer(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    grid = GridSearchCV(pipe, {"logisticregression__C": [0.1, 1.0]}, cv=3).fit(X, y)
    assert grid.best_score_ > 0.95
    est = grid.best_estimator_
    again = pickle.loads(pickle.dumps(est))
    assert_array_equal(again.predict(X), est.predict(X))
    assert clone(est[-1]).get_params() == est[-1].get_params()


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

def test_single_class_is_an_error():
    X = np.random.default_rng(0).standard_normal((10, 2))
    with pytest.raises(ValueError, match="at least 2 classes.*only one class"):
        LogisticRegression().fit(X, np.ones(10))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"C": 0.0}, "C"),
        ({"C": -1.0}, "C"),
        ({"l1_ratio": 1.5}, "l1_ratio"),
        ({"solver": "sagaa"}, "solver"),
        ({"tol": -1.0}, "tol"),
        ({"max_iter": -1}, "max_iter"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"momentum": 1.0}, "momentum"),
        ({"batch_size": 0}, "batch_size"),
        ({"dual": True}, "dual"),
        ({"l1_ratio": 1.0, "solver": "lbfgs"}, "penalties"),
        ({"l1_ratio": 0.5, "solver": "newton"}, "penalties"),
        ({"class_weight": {7: 1.0}}, "class_weight"),
        ({"class_weight": "uniform"}, "class_weight"),
        ({"n_jobs": 0}, "n_jobs"),
        ({"random_state": "seed"}, "random_state"),
        ({"penalty": "l3"}, "penalty"),
        ({"warm_start": "yes"}, "warm_start"),
    ],
)
def test_bad_parameters(params, match):
    X, y, _ = binary_data(n=50)
    with pytest.raises(ValueError, match=match):
        LogisticRegression(**params).fit(X, y)


def test_bad_data():
    X, y, _ = binary_data(n=50)
    with pytest.raises(ValueError, match="NaN"):
        LogisticRegression().fit(np.where(X > 1, np.nan, X), y)
    with pytest.raises(ValueError, match="inconsistent|samples"):
        LogisticRegression().fit(X, y[:-1])
    with pytest.raises(ValueError, match="sample_weight|negative"):
        LogisticRegression().fit(X, y, sample_weight=-np.ones(50))
    with pytest.raises(ValueError, match="Unknown label type|continuous"):
        LogisticRegression().fit(X, X[:, 0])
    with pytest.raises(ValueError, match="y"):
        LogisticRegression().fit(X, None)
    clf = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :2])


def test_inputs_not_modified():
    X, y, sw = binary_data(n=80, weighted=True)
    Xc, yc, swc = X.copy(), y.copy(), sw.copy()
    LogisticRegression(class_weight="balanced").fit(X, y, sample_weight=sw)
    assert_array_equal(X, Xc)
    assert_array_equal(y, yc)
    assert_array_equal(sw, swc)


def test_far_too_long_step_raises():
    X, y, _ = binary_data(n=200)
    with pytest.raises(DivergenceError, match="learning_rate"):
        LogisticRegression(solver="gd", learning_rate=1e12, max_iter=200).fit(X, y)
    with pytest.raises(DivergenceError, match="learning_rate"):
        LogisticRegression(solver="sgd", learning_rate=1e6, momentum=0.99, max_iter=50,
                           random_state=0).fit(X * 1e3, y)


def test_partial_fit_needs_classes_first():
    X, y, _ = binary_data(n=50)
    with pytest.raises(ValueError, match="classes"):
        LogisticRegression().partial_fit(X, y)
    clf = LogisticRegression().partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="not in classes"):
        clf.partial_fit(X, y + 5)


def test_max_iter_warns():
    X, y, _ = binary_data()
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        LogisticRegression(solver="gd", max_iter=3, tol=1e-12).fit(X, y)
