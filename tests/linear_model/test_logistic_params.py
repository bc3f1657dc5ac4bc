"""LogisticRegression's scikit-learn parameters: solver names, penalty rules, messages.

Each scikit-learn solver name must give scikit-learn's fitted model (the
reference is scikit-learn's own fit, tight tolerances on both sides), and
every rule scikit-learn enforces must raise its error class with a message
that scikit-learn's ``match=`` patterns accept.
"""

import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.metrics import log_loss
from sklearn.preprocessing import scale
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastgrad import LogisticRegression
from fastgrad.linear_model._glm_solve import GLM_SOLVERS
from fastgrad.linear_model._logistic_params import (
    ALL_SOLVERS, SKLEARN_SOLVERS, engine, engine_tol,
)

IRIS_X, IRIS_Y = load_iris(return_X_y=True)
IRIS_X = scale(IRIS_X)


def _fit_both(**params):
    X, y = params.pop("X", IRIS_X), params.pop("y", IRIS_Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = LogisticRegression(tol=1e-10, max_iter=10000, **params).fit(X, y)
        ref = SkLogisticRegression(tol=1e-10, max_iter=10000, **params).fit(X, y)
    return ours, ref


@pytest.mark.parametrize("solver", SKLEARN_SOLVERS)
@pytest.mark.parametrize("binary", [True, False], ids=["binary", "multinomial"])
def test_l2_model_matches_sklearn(solver, binary):
    if solver == "liblinear" and not binary:
        pytest.skip("liblinear is binary only (tested below)")
    y = IRIS_Y == 2 if binary else IRIS_Y
    ours, ref = _fit_both(solver=solver, C=0.5, y=y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-4, atol=1e-5)
    assert ours.n_iter_.shape == (1,)


@pytest.mark.parametrize("solver", ["liblinear", "saga"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_l1_and_elastic_net_match_sklearn(solver, l1_ratio):
    if solver == "liblinear" and l1_ratio != 1.0:
        pytest.skip("elastic net is saga only")
    ours, ref = _fit_both(solver=solver, C=0.3, l1_ratio=l1_ratio, y=IRIS_Y == 1)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("scaling", [0.5, 1.0, 10.0])
def test_liblinear_penalises_the_intercept(scaling):
    # liblinear's model differs from the other solvers' (its intercept is a
    # penalised weight on a constant feature of value intercept_scaling)
    ours, ref = _fit_both(solver="liblinear", C=0.05, intercept_scaling=scaling, y=IRIS_Y == 2)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-4, atol=1e-6)
    lbfgs = LogisticRegression(solver="lbfgs", C=0.05, tol=1e-10).fit(IRIS_X, IRIS_Y == 2)
    assert abs(lbfgs.intercept_[0] - ours.intercept_[0]) > 1e-3


def test_class_weight_balanced_and_dict_match_sklearn():
    for cw in ("balanced", {0: 2.0, 1: 0.5, 2: 1.0}):
        ours, ref = _fit_both(solver="newton-cg", class_weight=cw)
        np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-4, atol=1e-5)


def test_every_name_is_accepted_and_maps_to_an_engine():
    for solver in ALL_SOLVERS:
        name = engine(solver, False)
        # every engine is one of the compiled GLM loops (newton-cg is one of them)
        assert name in GLM_SOLVERS and name not in ("liblinear", "sag", "saga")


@pytest.mark.parametrize(
    "params, error, message",
    [
        ({"solver": "lbfgs", "l1_ratio": 1.0}, ValueError, "Solver lbfgs supports only 'l2' or None penalties, got l1 penalty."),
        ({"solver": "newton-cholesky", "l1_ratio": 0.5}, ValueError, "supports only 'l2' or None penalties"),
        ({"solver": "liblinear", "l1_ratio": 0.5}, ValueError, "Only 'saga' solver supports elasticnet penalty, got solver=liblinear."),
        ({"solver": "lbfgs", "dual": True}, ValueError, "Solver lbfgs supports only dual=False, got dual=True"),
        ({"solver": "liblinear", "C": np.inf}, ValueError, "C=np.inf as well as penalty=None is not supported for the liblinear solver"),
        ({"solver": "lbgfs"}, ValueError, "The 'solver' parameter of LogisticRegression must be"),
        ({"max_iter": -1}, ValueError, "The 'max_iter' parameter"),
        ({"intercept_scaling": 0.0}, ValueError, "The 'intercept_scaling' parameter"),
        ({"class_weight": "equal"}, ValueError, "The 'class_weight' parameter"),
        ({"penalty": "l3"}, ValueError, "The 'penalty' parameter of LogisticRegression must be"),
        ({"l1_ratio": -0.1}, ValueError, "The 'l1_ratio' parameter"),
        ({"dual": "yes"}, ValueError, "The 'dual' parameter"),
        ({"tol": -1.0}, ValueError, "The 'tol' parameter"),
        ({"C": 0.0}, ValueError, "The 'C' parameter"),
        ({"warm_start": "no"}, ValueError, "The 'warm_start' parameter"),
        ({"intercept_scaling": -1.0}, ValueError, "The 'intercept_scaling' parameter"),
        ({"solver": "sag", "l1_ratio": 1.0}, ValueError, "Solver sag supports only 'l2' or None penalties"),
        ({"solver": "saga", "dual": True}, ValueError, "Solver saga supports only dual=False"),
    ],
)
def test_rules_raise_sklearns_errors(params, error, message):
    with pytest.raises(error, match=re.escape(message)):
        LogisticRegression(**params).fit(IRIS_X, IRIS_Y == 2)
    # the same inputs fail in scikit-learn with a message the same pattern accepts
    with pytest.raises(error, match=re.escape(message)):
        SkLogisticRegression(**params).fit(IRIS_X, IRIS_Y == 2)


def test_liblinear_refuses_multiclass_and_huge_values():
    with pytest.raises(ValueError, match="'liblinear' solver does not support multiclass"):
        LogisticRegression(solver="liblinear").fit(IRIS_X, IRIS_Y)
    X = IRIS_X.copy()
    X[0, 0] = 1e31
    with pytest.raises(ValueError, match="maximum value > 1e30"):
        LogisticRegression(solver="liblinear").fit(X, IRIS_Y == 2)


def test_penalty_deprecation_and_l1_ratio_warnings():
    with pytest.warns(FutureWarning, match="'penalty' was deprecated in version 1.8"):
        LogisticRegression(penalty="l2").fit(IRIS_X, IRIS_Y)
    with pytest.warns(FutureWarning, match="'l1_ratio=None' was deprecated"):
        LogisticRegression(l1_ratio=None).fit(IRIS_X, IRIS_Y)
    with pytest.warns(UserWarning, match="Inconsistent values: penalty=l1 with l1_ratio=0.0"):
        LogisticRegression(penalty="l1", l1_ratio=0.0, solver="saga").fit(IRIS_X, IRIS_Y)
    with pytest.warns(UserWarning, match="Setting penalty=None will ignore the C"):
        LogisticRegression(penalty=None, C=2.0).fit(IRIS_X, IRIS_Y)
    with pytest.raises(ValueError, match="l1_ratio must be specified"):
        LogisticRegression(penalty="elasticnet", l1_ratio=None, solver="saga").fit(IRIS_X, IRIS_Y)


def test_penalty_none_is_c_inf():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        a = LogisticRegression(penalty=None, tol=1e-10).fit(IRIS_X, IRIS_Y == 2)
    b = LogisticRegression(C=np.inf, tol=1e-10).fit(IRIS_X, IRIS_Y == 2)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-6)


@pytest.mark.parametrize(
    "solver, text",
    [
        ("lbfgs", "lbfgs failed to converge"),
        ("newton-cg", "newton-cg failed to converge"),
        ("newton-cholesky", "Newton solver did not converge after"),
        ("liblinear", "Liblinear failed to converge, increase the number of iterations."),
        ("sag", "The max_iter was reached which means the coef_ did not converge"),
        ("saga", "The max_iter was reached which means the coef_ did not converge"),
    ],
)
def test_convergence_warning_texts(solver, text):
    y = IRIS_Y == 2
    with pytest.warns(ConvergenceWarning, match=text):
        clf = LogisticRegression(solver=solver, max_iter=1, tol=1e-15).fit(load_iris().data, y)
    assert clf.n_iter_[0] == 1


@pytest.mark.parametrize("solver", SKLEARN_SOLVERS)
def test_max_iter_zero_is_the_untrained_model(solver):
    with pytest.warns(ConvergenceWarning):
        clf = LogisticRegression(solver=solver, max_iter=0).fit(IRIS_X, IRIS_Y == 2)
    assert clf.n_iter_.tolist() == [0]
    np.testing.assert_array_equal(clf.coef_, 0.0)
    np.testing.assert_allclose(clf.predict_proba(IRIS_X), 0.5)


def test_sparsify_densify_keep_predictions():
    clf = LogisticRegression(solver="saga", l1_ratio=1.0, C=0.1).fit(IRIS_X, IRIS_Y)
    before = clf.predict_proba(IRIS_X)
    clf.sparsify()
    assert hasattr(clf.coef_, "toarray")
    np.testing.assert_allclose(clf.predict_proba(IRIS_X), before, rtol=1e-12)
    clf.densify()
    assert isinstance(clf.coef_, np.ndarray)


def test_liblinear_float32_gives_float64_coef_as_sklearn():
    X = IRIS_X.astype(np.float32)
    ours = LogisticRegression(solver="liblinear").fit(X, IRIS_Y == 2)
    ref = SkLogisticRegression(solver="liblinear").fit(X, IRIS_Y == 2)
    assert ours.coef_.dtype == ref.coef_.dtype == np.float64


def test_liblinear_warm_start_continues():
    y = IRIS_Y == 2
    clf = LogisticRegression(solver="liblinear", warm_start=True, tol=1e-10).fit(IRIS_X, y)
    coef = clf.coef_.copy()
    clf.fit(IRIS_X, y)
    np.testing.assert_allclose(clf.coef_, coef, rtol=1e-6, atol=1e-8)
    assert clf.n_iter_[0] <= 2


class _Recorder:
    """A minimal sklearn.callback FitCallback: records the iterate models, can stop the fit."""

    def __init__(self, stop_after=None):
        self.ends, self.calls, self.stop_after = [], [], stop_after

    def setup(self, estimator, context):
        self.calls.append("setup")

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None,
                          fitted_estimator=None):
        self.calls.append("begin")

    def on_fit_task_end(self, estimator, context, *, X=None, y=None, metadata=None,
                        fitted_estimator=None):
        self.calls.append("end")
        if fitted_estimator is not None and context.task_name == "iter":
            self.ends.append(fitted_estimator.coef_.copy())
            return self.stop_after is not None and len(self.ends) >= self.stop_after
        return False

    def teardown(self, estimator, context):
        self.calls.append("teardown")


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cholesky", "saga"])
def test_callbacks_see_each_iterate(solver):
    y = IRIS_Y == 2
    cb = _Recorder()
    clf = LogisticRegression(solver=solver, tol=1e-8).set_callbacks(cb).fit(IRIS_X, y)
    n = int(clf.n_iter_[0])
    assert len(cb.ends) == n and cb.calls[0] == "setup" and cb.calls[-1] == "teardown"
    assert cb.calls.count("begin") == cb.calls.count("end") == n + 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for i in (1, n // 2 or 1):
            ref = LogisticRegression(solver=solver, tol=1e-8, max_iter=i).fit(IRIS_X, y)
            np.testing.assert_allclose(cb.ends[i - 1], ref.coef_)
    np.testing.assert_allclose(cb.ends[-1], clf.coef_)
    # the plain fit (no callbacks) is the same model
    plain = LogisticRegression(solver=solver, tol=1e-8).fit(IRIS_X, y)
    np.testing.assert_allclose(plain.coef_, clf.coef_)


def test_callback_can_stop_the_fit():
    cb = _Recorder(stop_after=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = LogisticRegression(solver="lbfgs", tol=1e-10).set_callbacks(cb).fit(IRIS_X, IRIS_Y)
    assert clf.n_iter_.tolist() == [2]
    np.testing.assert_allclose(clf.coef_, cb.ends[-1])


def test_callbacks_bad_values_and_liblinear():
    with pytest.raises(TypeError, match="FitCallback protocol"):
        LogisticRegression().set_callbacks(object())
    with pytest.warns(UserWarning, match="Callbacks are only supported in LogisticRegression"):
        LogisticRegression(solver="liblinear").set_callbacks(_Recorder())


# check_estimator over scikit-learn's solver names; no expected failures (scikit-learn
# itself only declares sample-weight equivalence failures for some of these solvers)
_CHECKED = [LogisticRegression(solver=s, tol=1e-10, max_iter=10000) for s in SKLEARN_SOLVERS]


@parametrize_with_checks(_CHECKED)
def test_sklearn_compatible_solver_names(estimator, check):
    check(estimator)


def test_predict_proba_lr_is_normalised_one_vs_rest():
    clf = LogisticRegression().fit(IRIS_X, IRIS_Y)
    ovr = clf._predict_proba_lr(IRIS_X)
    sig = 1.0 / (1.0 + np.exp(-clf.decision_function(IRIS_X)))
    np.testing.assert_allclose(ovr, sig / sig.sum(axis=1, keepdims=True), rtol=1e-12)
    assert not np.allclose(ovr, clf.predict_proba(IRIS_X))


@pytest.mark.parametrize("solver", ["liblinear", "newton-cholesky", "newton-cg", "sag"])
def test_default_tol_reaches_sklearns_accuracy(solver):
    # At the default tol, scikit-learn's solvers (other than lbfgs) end much
    # closer to the optimum than fastgrad's gradient rule at the same tol;
    # fastgrad's engine runs to tol / 100 so that the model agrees with the
    # exact optimum as closely as scikit-learn's does.
    rng = np.random.RandomState(42)
    X = rng.randn(50, 5)
    y = np.sign(X @ (5 * rng.randn(5)))
    X = (X - X.mean()) / X.std()
    exact = SkLogisticRegression(fit_intercept=False, tol=1e-12, max_iter=10000).fit(X, y)
    ours = LogisticRegression(fit_intercept=False, solver=solver).fit(X, y)
    np.testing.assert_allclose(ours.coef_, exact.coef_, atol=2e-5)
    # fastgrad's own loops keep the user's tol as it is
    assert engine_tol("auto", 1e-4, 0.0) == 1e-4 and engine_tol("lbfgs", 1e-4, 0.0) == 1e-4
    assert engine_tol(solver, 1e-4, 0.0) < 1e-4


def test_saga_elastic_net_default_tol_matches_exact_log_loss():
    X, y = make_classification(n_samples=400, random_state=0)
    exact = SkLogisticRegression(C=10, l1_ratio=0.1, solver="saga", tol=1e-10, max_iter=10000)
    ours = LogisticRegression(C=10, l1_ratio=0.1, solver="saga", tol=1e-3, max_iter=1000)
    exact.fit(X, y)
    ours.fit(X, y)
    assert log_loss(y, ours.predict_proba(X)) == pytest.approx(
        log_loss(y, exact.predict_proba(X)), rel=1e-3
    )


def test_multi_class_is_gone_as_in_sklearn_1_9():
    # scikit-learn 1.9 removed multi_class: passing it is a TypeError in both
    with pytest.raises(TypeError, match="multi_class"):
        SkLogisticRegression(multi_class="ovr")
    with pytest.raises(TypeError, match="multi_class"):
        LogisticRegression(multi_class="ovr")


def test_class_weight_naming_an_unknown_class_is_an_error():
    with pytest.raises(ValueError, match="class_weight names classes"):
        LogisticRegression(class_weight={5: 2.0}).fit(IRIS_X, IRIS_Y)


def test_lbfgs_convergence_warning_is_sklearns_text():
    texts = []
    for cls in (SkLogisticRegression, LogisticRegression):
        with pytest.warns(ConvergenceWarning) as record:
            cls(solver="lbfgs", max_iter=3).fit(load_iris().data, IRIS_Y)
        texts.append(str(record[-1].message))
    assert texts[0] == texts[1]


def test_newton_cg_convergence_warning_quotes_the_final_loss():
    clf = LogisticRegression(solver="newton-cg", max_iter=1)
    with pytest.warns(ConvergenceWarning, match=r"newton-cg failed to converge at loss = ") as record:
        clf.fit(IRIS_X, IRIS_Y)
    loss = float(re.search(r"loss = ([0-9.eE+-]+)\.", str(record[-1].message)).group(1))
    assert loss == pytest.approx(clf.loss_curve_[-1], rel=1e-12)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_liblinear_sparse_matches_dense(fit_intercept):
    # liblinear's constant column is appended to the CSR matrix, not to a dense copy
    import scipy.sparse as sp

    X, y = make_classification(n_samples=120, n_features=8, random_state=3)
    X[np.abs(X) < 0.8] = 0.0
    params = dict(solver="liblinear", intercept_scaling=2.0, fit_intercept=fit_intercept, tol=1e-10)
    dense = LogisticRegression(**params).fit(X, y)
    sparse = LogisticRegression(**params).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(sparse.intercept_, dense.intercept_, rtol=1e-7, atol=1e-10)
    reference = SkLogisticRegression(**params).fit(X, y)
    np.testing.assert_allclose(sparse.coef_, reference.coef_, rtol=1e-4, atol=1e-5)
