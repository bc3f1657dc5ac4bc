"""LogisticRegressionCV against scikit-learn's, its layouts, estimator checks and bad input."""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sklm
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler, scale
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastgrad import LogisticRegression, LogisticRegressionCV

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = scale(X_IRIS)
X_BC, Y_BC = load_breast_cancer(return_X_y=True)
X_BC = scale(X_BC)
# breast cancer is nearly separable: large C does not converge in any solver
CS = {"bc": np.logspace(-3, 0, 5), "iris": np.logspace(-2, 2, 5)}
# the new attribute layout and explicit defaults: no transition warnings
QUIET = dict(l1_ratios=(0.0,), scoring="accuracy", use_legacy_attributes=False)
TIGHT = dict(tol=1e-10, max_iter=10_000)


def _data(name):
    return (X_BC, Y_BC) if name == "bc" else (X_IRIS, Y_IRIS)


def _both(name, **kw):
    X, y = _data(name)
    fit_kw = {"sample_weight": kw.pop("sample_weight")} if "sample_weight" in kw else {}
    params = {**QUIET, "Cs": CS[name], **TIGHT, **kw}
    ours = LogisticRegressionCV(**params).fit(X, y, **fit_kw)
    ref = sklm.LogisticRegressionCV(**params).fit(X, y, **fit_kw)
    return ours, ref


def _assert_same(ours, ref, rtol=1e-4, atol=1e-5):
    assert ours.C_ == ref.C_
    assert ours.l1_ratio_ == ref.l1_ratio_
    assert_array_equal(ours.Cs_, ref.Cs_)
    assert_array_equal(ours.classes_, ref.classes_)
    for name in ("coef_", "intercept_", "coefs_paths_", "scores_", "n_iter_"):
        assert np.shape(getattr(ours, name)) == np.shape(getattr(ref, name)), name
    assert_allclose(ours.coef_, ref.coef_, rtol=rtol, atol=atol)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=rtol, atol=atol)
    assert_allclose(ours.coefs_paths_, ref.coefs_paths_, rtol=rtol, atol=atol)
    assert_allclose(ours.scores_, ref.scores_, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", ["bc", "iris"])
@pytest.mark.parametrize("kw", [
    {}, {"fit_intercept": False}, {"class_weight": "balanced"}, {"refit": False},
    {"cv": KFold(4, shuffle=True, random_state=0)}, {"scoring": "neg_log_loss"},
    {"solver": "newton-cholesky"},
], ids=["default", "no-intercept", "balanced", "no-refit", "kfold", "log-loss", "newton"])
def test_matches_scikit_learn(name, kw):
    ours, ref = _both(name, **kw)
    _assert_same(ours, ref)


@pytest.mark.parametrize("name", ["bc", "iris"])
def test_class_weight_dict_and_sample_weight(name):
    X, y = _data(name)
    weights = {0: 2.0, 1: 0.5} if name == "bc" else {0: 2.0, 1: 0.5, 2: 1.0}
    ours, ref = _both(name, class_weight=weights)
    _assert_same(ours, ref)
    sw = np.random.default_rng(0).uniform(0.2, 3.0, len(y))
    ours, ref = _both(name, sample_weight=sw)
    _assert_same(ours, ref)


def test_sample_weight_equals_repeated_rows():
    X, y = X_IRIS, Y_IRIS
    sw = np.random.default_rng(1).integers(1, 3, len(y))
    cv = [(np.arange(len(y))[i::3], np.setdiff1d(np.arange(len(y)), np.arange(len(y))[i::3]))
          for i in range(3)]
    rep = np.repeat(np.arange(len(y)), sw)
    weighted = LogisticRegressionCV(**QUIET, Cs=CS["iris"], **TIGHT, cv=cv).fit(X, y, sample_weight=sw)
    # the same folds over the repeated rows
    starts = np.r_[0, np.cumsum(sw)]
    rep_cv = [(np.concatenate([np.arange(starts[i], starts[i + 1]) for i in tr]),
               np.concatenate([np.arange(starts[i], starts[i + 1]) for i in te])) for tr, te in cv]
    repeated = LogisticRegressionCV(**QUIET, Cs=CS["iris"], **TIGHT, cv=rep_cv).fit(X[rep], y[rep])
    assert weighted.C_ == repeated.C_
    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-5, atol=1e-6)
    assert_allclose(weighted.scores_, repeated.scores_, atol=1e-12)


def _enet_objective(clf, X, y):
    """scikit-learn's objective of a fitted binary model at its C_ and l1_ratio_."""
    C, r = clf.C_, clf.l1_ratio_
    w, eta = clf.coef_.ravel(), X @ clf.coef_.ravel() + clf.intercept_[0]
    return C * np.sum(np.logaddexp(0, eta) - y * eta) + r * np.abs(w).sum() + (1 - r) / 2 * w @ w


@pytest.mark.parametrize("name", ["bc", "iris"])
def test_l1_and_elasticnet_match_saga(name):
    X, y = _data(name)
    Cs = (0.1, 0.3, 1.0)
    for ratios in [(1.0,), (0.2, 0.8)]:
        params = dict(Cs=Cs, l1_ratios=ratios, solver="saga", scoring="neg_log_loss",
                      use_legacy_attributes=False, cv=3, tol=1e-9, max_iter=20_000, random_state=0)
        ours = LogisticRegressionCV(**params).fit(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ref = sklm.LogisticRegressionCV(**params).fit(X, y)
        assert ours.C_ == ref.C_ and ours.l1_ratio_ == ref.l1_ratio_
        assert ours.coefs_paths_.shape == ref.coefs_paths_.shape
        if name == "iris":
            assert_allclose(ours.scores_, ref.scores_, rtol=1e-4, atol=1e-5)
            assert_allclose(ours.coef_, ref.coef_, rtol=1e-3, atol=1e-4)
        else:
            # saga stops at max_iter short of the optimum on breast cancer
            # (~1e-4 in the objective): fastgrad's model must be at least as good
            assert_allclose(ours.scores_, ref.scores_, rtol=2e-2)
            assert _enet_objective(ours, X, y) <= _enet_objective(ref, X, y) * (1 + 1e-9)
        if ratios == (1.0,):
            assert np.any(ours.coef_ == 0.0)  # the L1 part makes exact zeros


def test_refit_false_averages_the_folds():
    X, y = X_IRIS, Y_IRIS
    clf = LogisticRegressionCV(**QUIET, Cs=CS["iris"], **TIGHT, refit=False, cv=3).fit(X, y)
    best = clf.scores_[:, 0].argmax(axis=1)  # per fold
    paths = clf.coefs_paths_[np.arange(3), 0, best]  # (fold, class, dof)
    assert_allclose(clf.coef_, paths[..., :-1].mean(axis=0))
    assert_allclose(clf.intercept_, paths[..., -1].mean(axis=0))
    assert clf.C_ == pytest.approx(np.mean(CS["iris"][best]))


def test_refit_matches_a_plain_fit():
    X, y = X_BC, Y_BC
    clf = LogisticRegressionCV(**QUIET, Cs=CS["bc"], **TIGHT).fit(X, y)
    single = LogisticRegression(C=clf.C_, **TIGHT).fit(X, y)
    assert_allclose(clf.coef_, single.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(clf.intercept_, single.intercept_, rtol=1e-6, atol=1e-8)


def test_fold_scores_are_the_fold_models():
    X, y = X_IRIS, Y_IRIS
    folds = list(StratifiedKFold(3).split(X, y))
    clf = LogisticRegressionCV(Cs=CS["iris"], cv=folds, l1_ratios=(0.0,), scoring="neg_log_loss",
                               use_legacy_attributes=False, **TIGHT).fit(X, y)
    for f, (train, test) in enumerate(folds):
        for i, C in enumerate(CS["iris"]):
            single = LogisticRegression(C=C, **TIGHT).fit(X[train], y[train])
            w = clf.coefs_paths_[f, 0, i]
            assert_allclose(w[:, :-1], single.coef_, rtol=1e-5, atol=1e-6)
            assert_allclose(w[:, -1], single.intercept_, rtol=1e-5, atol=1e-6)
            proba = single.predict_proba(X[test])[np.arange(len(test)), y[test]]
            assert clf.scores_[f, 0, i] == pytest.approx(np.mean(np.log(proba)), rel=1e-6)


@pytest.mark.parametrize("scoring", [
    "roc_auc_ovr", "f1_macro", make_scorer(f1_score, average="macro"),
    lambda est, X, y: -np.mean(np.abs(est.predict_proba(X)[:, 0] - (y == 0))),
], ids=["roc_auc_ovr", "f1_macro", "make_scorer", "callable"])
def test_scorers(scoring):
    ours = LogisticRegressionCV(Cs=CS["iris"], l1_ratios=(0.0,), scoring=scoring,
                                use_legacy_attributes=False, **TIGHT).fit(X_IRIS, Y_IRIS)
    ref = sklm.LogisticRegressionCV(Cs=CS["iris"], l1_ratios=(0.0,), scoring=scoring,
                                    use_legacy_attributes=False, **TIGHT).fit(X_IRIS, Y_IRIS)
    assert ours.C_ == ref.C_
    assert_allclose(ours.scores_, ref.scores_, rtol=1e-5, atol=1e-7)
    assert ours.score(X_IRIS, Y_IRIS) == pytest.approx(ref.score(X_IRIS, Y_IRIS), rel=1e-6)


@pytest.mark.parametrize("name", ["bc", "iris"])
@pytest.mark.parametrize("l1_ratios", ["warn", None, "l2", "enet"])
@pytest.mark.parametrize("refit", [True, False])
def test_legacy_layout_matches_scikit_learn(name, l1_ratios, refit):
    X, y = _data(name)
    solver = "saga" if l1_ratios == "enet" else "lbfgs"
    # (an array: scikit-learn's refit=False fails on a tuple of several l1_ratios)
    l1_ratios = {"l2": (0.0,), "enet": np.array([0.0, 0.5])}.get(l1_ratios, l1_ratios)
    params = dict(Cs=3, cv=2, l1_ratios=l1_ratios, refit=refit, scoring="accuracy",
                  solver=solver, tol=1e-3, max_iter=500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = LogisticRegressionCV(**params).fit(X, y)
        ref = sklm.LogisticRegressionCV(**params).fit(X, y)
    assert np.shape(ours.C_) == np.shape(ref.C_)
    assert np.shape(ours.l1_ratio_) == np.shape(ref.l1_ratio_)
    assert_array_equal(ours.l1_ratios_, ref.l1_ratios_)
    assert list(ours.coefs_paths_) == list(ref.coefs_paths_)
    assert list(ours.scores_) == list(ref.scores_)
    for key in ref.coefs_paths_:
        assert ours.coefs_paths_[key].shape == ref.coefs_paths_[key].shape
        assert ours.scores_[key].shape == ref.scores_[key].shape
    assert ours.n_iter_.shape == ref.n_iter_.shape
    assert ours.coef_.shape == ref.coef_.shape and ours.intercept_.shape == ref.intercept_.shape


def test_transition_warnings_as_scikit_learn():
    X, y = X_IRIS, Y_IRIS
    with pytest.warns(FutureWarning) as ours_record:
        LogisticRegressionCV(Cs=2, cv=2).fit(X, y)
    with pytest.warns(FutureWarning) as ref_record:
        sklm.LogisticRegressionCV(Cs=2, cv=2).fit(X, y)
    ours = [str(w.message)[:40] for w in ours_record if w.category is FutureWarning]
    ref = [str(w.message)[:40] for w in ref_record if w.category is FutureWarning]
    assert ours == ref and len(ours) == 3
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            LogisticRegressionCV(penalty="l2", Cs=2, cv=2, **QUIET).fit(X, y)
    with pytest.warns(UserWarning, match="l1_ratios parameter is only used when penalty is"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            LogisticRegressionCV(penalty="l2", Cs=2, cv=2, **QUIET).fit(X, y)


def test_convergence_warning_in_lbfgs_words():
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        LogisticRegressionCV(Cs=2, cv=2, max_iter=1, tol=1e-12, **QUIET).fit(X_IRIS, Y_IRIS)


def test_sparse_and_float32_match_dense():
    X, y = X_BC, Y_BC
    dense = LogisticRegressionCV(**QUIET, Cs=CS["bc"], **TIGHT).fit(X, y)
    for X2 in (sp.csr_array(X), X.astype(np.float32)):
        other = LogisticRegressionCV(**QUIET, Cs=CS["bc"], **TIGHT).fit(X2, y)
        assert other.C_ == dense.C_
        atol = 1e-6 if X2.dtype == np.float64 else 1e-3
        assert_allclose(other.coef_, dense.coef_, rtol=1e-4, atol=atol)
        assert other.coef_.dtype == np.float64  # scikit-learn fits in float64


def test_parallel_folds_give_the_same_model():
    one = LogisticRegressionCV(**QUIET, Cs=CS["iris"], **TIGHT).fit(X_IRIS, Y_IRIS)
    two = LogisticRegressionCV(**QUIET, Cs=CS["iris"], **TIGHT, n_jobs=2).fit(X_IRIS, Y_IRIS)
    assert_allclose(two.coefs_paths_, one.coefs_paths_, rtol=1e-10, atol=1e-12)
    assert_array_equal(two.scores_, one.scores_)


def test_string_labels_and_a_fold_missing_a_class():
    labels = np.array(["a", "b", "c"])[Y_IRIS]
    clf = LogisticRegressionCV(**QUIET, Cs=3, cv=KFold(3)).fit(X_IRIS, labels)  # unshuffled: a class per fold missing
    assert_array_equal(clf.classes_, ["a", "b", "c"])
    assert clf.coefs_paths_.shape == (3, 1, 3, 3, 5)
    assert set(clf.predict(X_IRIS)) <= {"a", "b", "c"}


def test_in_grid_search_and_pipeline():
    pipe = make_pipeline(StandardScaler(), LogisticRegressionCV(**QUIET, Cs=3, cv=3))
    search = GridSearchCV(pipe, {"logisticregressioncv__fit_intercept": [True, False]}, cv=3)
    search.fit(X_IRIS, Y_IRIS)
    assert search.best_score_ > 0.8
    assert search.predict(X_IRIS).shape == Y_IRIS.shape


@pytest.mark.parametrize("kw, match", [
    ({"Cs": []}, "Cs is empty"),
    ({"Cs": [1.0, -1.0]}, "Every value of Cs must be positive"),
    ({"Cs": [0.0]}, "Every value of Cs must be positive"),
    ({"Cs": 0}, "Cs"),
    ({"l1_ratios": (0.5, 1.5)}, "l1_ratios must be an array-like of numbers between 0 and 1"),
    ({"l1_ratios": (-0.1,)}, "l1_ratios must be an array-like of numbers between 0 and 1"),
    ({"l1_ratios": ()}, "l1_ratios must be an array-like of numbers between 0 and 1"),
    ({"cv": "five"}, "cv"),
    ({"cv": 1}, "n_splits"),
    ({"scoring": "no-such-metric"}, "scoring"),
    ({"solver": "lbfgs", "l1_ratios": (1.0,)}, "Solver lbfgs supports only 'l2' or None penalties"),
    ({"solver": "liblinear"}, "The 'liblinear' solver does not support multiclass"),
], ids=lambda v: str(v)[:30])
def test_bad_parameters(kw, match):
    params = {**QUIET, **kw}
    with pytest.raises((ValueError, TypeError), match=match):
        LogisticRegressionCV(**params).fit(X_IRIS, Y_IRIS)


def test_bad_data():
    X = X_IRIS.copy()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LogisticRegressionCV(**QUIET).fit(X, Y_IRIS)
    with pytest.raises(ValueError, match="at least 2 classes"):
        LogisticRegressionCV(**QUIET).fit(X_IRIS, np.zeros(len(Y_IRIS)))
    with pytest.raises(ValueError, match="class_weight dict must have the class labels"):
        LogisticRegressionCV(**QUIET, class_weight={7: 1.0}).fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="sample_weight"):
        LogisticRegressionCV(**QUIET).fit(X_IRIS, Y_IRIS, sample_weight=-np.ones(len(Y_IRIS)))
    with pytest.raises(TypeError, match="unexpected keyword argument 'alpha'"):
        LogisticRegressionCV(alpha=1.0)
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        LogisticRegressionCV(**QUIET).fit(X_IRIS, Y_IRIS, extra=1.0)


def test_input_not_mutated():
    X, y = X_IRIS.copy(), Y_IRIS.copy()
    sw = np.ones(len(y))
    LogisticRegressionCV(**QUIET, Cs=2, class_weight="balanced").fit(X, y, sample_weight=sw)
    assert_array_equal(X, X_IRIS) and assert_array_equal(y, Y_IRIS)
    assert_array_equal(sw, np.ones(len(y)))


@parametrize_with_checks([LogisticRegressionCV(Cs=3, cv=3, **QUIET)])
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def test_liblinear_binary_matches_scikit_learn():
    # liblinear's penalised intercept; fastgrad warm-starts the path, liblinear
    # starts cold: the same optimum at a tight tol
    ours, ref = _both("bc", solver="liblinear", tol=1e-8, max_iter=1000)
    assert ours.C_ == ref.C_
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-3, atol=1e-4)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-3, atol=1e-4)
    assert_allclose(ours.scores_, ref.scores_, atol=1e-12)


def test_max_iter_zero_is_the_untrained_model():
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        clf = LogisticRegressionCV(Cs=2, cv=2, max_iter=0, **QUIET).fit(X_BC, Y_BC)
    assert_array_equal(clf.coef_, 0.0) and assert_array_equal(clf.n_iter_, 0)
