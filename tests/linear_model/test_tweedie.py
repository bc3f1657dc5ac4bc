"""GammaRegressor and TweedieRegressor against scikit-learn's on the same data.

Also: the Newton path where the deviance is not convex, the identity
link's start, scikit-learn's errors for bad targets and parameters, score,
tags and meta-estimators. (The objective and kernels: test_tweedie_objective.py;
scikit-learn's estimator checks: test_glm_checks.py.)
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sk
from naive_glm import one_openmp_thread, positive_design  # noqa: F401  (autouse fixture)
from naive_glm import tweedie_data as make_data
from numpy.testing import assert_allclose
from sklearn._loss.link import IdentityLink, LogLink
from sklearn.metrics import d2_tweedie_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from fastgrad import GammaRegressor, PoissonRegressor, TweedieRegressor

POWERS = [0.0, 1.0, 1.5, 2.0, 3.0]
LINKS = ["log", "identity"]


# ---------------------------------------------------------------------------
# the estimators against scikit-learn
# ---------------------------------------------------------------------------

def _fit_pair(power, link, solver, sparse, alpha, fit_intercept, weighted, sk_solver):
    X, y, sw = make_data(n=240, offset=1.0 if link == "identity" else 0.0)
    if link == "identity":
        X = np.abs(X)
    sw = sw if weighted else None
    ref = sk.TweedieRegressor(power=power, link=link, alpha=alpha, fit_intercept=fit_intercept,
                              solver=sk_solver, tol=1e-12, max_iter=10_000).fit(X, y, sample_weight=sw)
    XX = sp.csr_matrix(X) if sparse else X
    est = TweedieRegressor(power=power, link=link, alpha=alpha, fit_intercept=fit_intercept,
                           solver=solver, tol=1e-10, max_iter=1000).fit(XX, y, sample_weight=sw)
    return est, ref, X, y, sw


@pytest.mark.parametrize("power", POWERS)
@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("solver", ["lbfgs", "newton-cholesky", "auto"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_tweedie_matches_sklearn(power, link, solver, sparse):
    sk_solver = "lbfgs" if solver == "auto" else solver
    for alpha, fit_intercept, weighted in ((0.0, True, True), (0.5, True, False), (0.1, False, True)):
        if link == "identity" and not fit_intercept and power != 0:
            continue  # scikit-learn cannot start there (see the test below)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scikit-learn's newton may fall back to lbfgs
            est, ref, *_ = _fit_pair(power, link, solver, sparse, alpha, fit_intercept, weighted,
                                     sk_solver)
        assert_allclose(est.coef_, ref.coef_, rtol=0, atol=1e-5)
        assert_allclose(est.intercept_, ref.intercept_, rtol=0, atol=1e-5)


def test_gamma_is_tweedie_power_two_and_matches_sklearn():
    X, y, sw = make_data(n=300)
    for solver in ("lbfgs", "newton-cholesky"):
        ref = sk.GammaRegressor(alpha=0.2, solver=solver, tol=1e-12, max_iter=1000).fit(X, y, sw)
        for XX in (X, sp.csr_matrix(X)):
            est = GammaRegressor(alpha=0.2, solver=solver, tol=1e-10).fit(XX, y, sw)
            assert_allclose(est.coef_, ref.coef_, atol=1e-7)
            assert_allclose(est.intercept_, ref.intercept_, atol=1e-7)
    tw = TweedieRegressor(power=2, alpha=0.2, tol=1e-10).fit(X, y, sw)
    assert_allclose(tw.coef_, est.coef_, atol=1e-8)
    assert est.score(X, y, sw) == pytest.approx(ref.score(X, y, sw), rel=1e-8)


def test_tweedie_power_one_is_poisson():
    X, y, sw = make_data(n=200)
    a = TweedieRegressor(power=1, alpha=0.1, tol=1e-10).fit(X, y, sw)
    b = PoissonRegressor(alpha=0.1, tol=1e-10).fit(X, y, sw)
    assert_allclose(a.coef_, b.coef_, atol=1e-9)
    assert_allclose(a.loss_curve_[-1], b.loss_curve_[-1], rtol=1e-12)


@pytest.mark.parametrize("solver", ["newton", "newton-cg", "lbfgs"])
@pytest.mark.parametrize("power, link", [(3.0, "log"), (0.0, "log"), (0.5, "log"), (2.0, "identity")])
def test_newton_handles_negative_curvature(solver, power, link):
    # skewed targets: at the start (mu = mean y) many samples have curvature < 0
    rng = np.random.default_rng(7)
    X = rng.standard_normal((400, 3))
    y = np.exp(0.3 * X[:, 0] + rng.standard_normal(400)) + (0.5 if link == "identity" else 0.0)
    ref = sk.TweedieRegressor(power=power, link=link, alpha=0.01, tol=1e-12, max_iter=10_000).fit(X, y)
    for XX in (X, sp.csr_matrix(X)):
        est = TweedieRegressor(power=power, link=link, alpha=0.01, solver=solver, tol=1e-9,
                               max_iter=500).fit(XX, y)
        assert_allclose(est.coef_, ref.coef_, atol=1e-5)
        assert_allclose(est.intercept_, ref.intercept_, atol=1e-5)


@pytest.mark.parametrize("solver", ["gd", "nesterov", "sgd"])
def test_first_order_solvers_get_close(solver):
    X, y, sw = make_data(n=400, shift=0.0)
    ref = sk.GammaRegressor(alpha=0.1, tol=1e-12).fit(X, y)
    est = GammaRegressor(alpha=0.1, solver=solver, tol=1e-7, max_iter=3000, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    atol = 3e-2 if solver == "sgd" else 1e-4
    assert_allclose(est.coef_, ref.coef_, atol=atol)


def test_identity_link_without_intercept_starts_from_least_squares():
    X, y, _ = make_data(n=150, offset=2.0)
    X = np.c_[np.abs(X), np.ones(len(y))]  # a constant column: a positive fit exists
    for power in (1.0, 1.5, 3.0):
        est = TweedieRegressor(power=power, link="identity", fit_intercept=False, alpha=0.0,
                               tol=1e-10).fit(X, y)
        # the minimiser: the gradient of the mean half deviance vanishes
        mu = X @ est.coef_
        assert np.all(mu > 0)
        grad = X.T @ (mu ** (-power) * (mu - y)) / len(y)
        assert np.abs(grad).max() < 1e-8
    X[0] = 0.0  # the first prediction is 0 whatever the coefficients: no start exists
    with pytest.raises(ValueError, match="predictions X @ coef_ \\+ intercept_ are > 0"):
        TweedieRegressor(power=1.5, link="identity", fit_intercept=False).fit(X, y)


def test_warm_start_continues_and_max_iter_warns():
    from sklearn.exceptions import ConvergenceWarning

    X, y, _ = make_data(n=200)
    est = TweedieRegressor(power=1.5, solver="lbfgs", max_iter=2, warm_start=True, tol=1e-10)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    first = est.loss_curve_[-1]
    est.set_params(max_iter=200).fit(X, y)
    assert est.loss_curve_[0] == pytest.approx(first, rel=1e-12)
    ref = sk.TweedieRegressor(power=1.5, tol=1e-12).fit(X, y)
    assert_allclose(est.coef_, ref.coef_, atol=1e-6)


# ---------------------------------------------------------------------------
# parameters, targets, score, tags
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("make, y_bad, loss", [
    (lambda: GammaRegressor(), [0.0, 1.0, 2.0], "HalfGammaLoss"),
    (lambda: GammaRegressor(), [-1.0, 1.0, 2.0], "HalfGammaLoss"),
    (lambda: TweedieRegressor(power=1.5), [-1.0, 1.0, 2.0], "HalfTweedieLoss"),
    (lambda: TweedieRegressor(power=1.0), [-1.0, 1.0, 2.0], "HalfTweedieLoss"),
    (lambda: TweedieRegressor(power=2.0), [0.0, 1.0, 2.0], "HalfTweedieLoss"),
    (lambda: TweedieRegressor(power=3.0), [0.0, 1.0, 2.0], "HalfTweedieLoss"),
    (lambda: TweedieRegressor(power=3.0, link="identity"), [0.0, 1.0, 2.0], "HalfTweedieLossIdentity"),
])
def test_targets_out_of_range_get_sklearns_error(make, y_bad, loss):
    X = np.array([[1.0], [2.0], [3.0]])
    y_bad = np.array(y_bad)
    with pytest.raises(ValueError, match=r"Some value\(s\) of y are out of the valid range of the loss"):
        make().fit(X, y_bad)  # as scikit-learn's
    with pytest.raises(ValueError, match=rf"'{loss}'.*needs y >? ?=? ?0.*y\[0\]") as info:
        make().fit(X, y_bad)
    est_sk = getattr(sk, type(make()).__name__)(**{k: v for k, v in make().get_params().items()
                                                   if k in ("power", "link")})
    with pytest.raises(ValueError, match=r"Some value\(s\) of y are out of the valid range"):
        est_sk.fit(X, y_bad)
    assert loss in str(info.value)


def test_targets_in_range_are_accepted_as_by_sklearn():
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    TweedieRegressor(power=1.5).fit(X, np.array([0.0, 1.0, 2.0, 0.0]))  # zeros for 0 < p < 2
    TweedieRegressor(power=0.0).fit(X, np.array([-3.0, 1.0, 2.0, -1.0]))  # any y for p <= 0
    TweedieRegressor(power=-1.0, link="log").fit(X, np.array([-3.0, 1.0, 2.0, -1.0]))
    # 0 < p < 1: no Tweedie distribution, but scikit-learn fits it, and so does fastgrad
    y = np.array([1.0, 2.0, 0.5, 3.0])
    ref = sk.TweedieRegressor(power=0.5, tol=1e-12).fit(X, y)
    est = TweedieRegressor(power=0.5, tol=1e-10).fit(X, y)
    assert_allclose(est.coef_, ref.coef_, atol=1e-7)


@pytest.mark.parametrize("params, error", [
    ({"link": "logit"}, InvalidParameterError),
    ({"power": "1.5"}, InvalidParameterError),
    ({"alpha": -1.0}, InvalidParameterError),
    ({"solver": "newton-raphson"}, InvalidParameterError),
    ({"max_iter": 0}, InvalidParameterError),
])
def test_bad_parameters_get_sklearns_errors(params, error):
    X, y = np.array([[1.0], [2.0]]), np.array([1.0, 2.0])
    with pytest.raises(error):
        TweedieRegressor(**params).fit(X, y)
    with pytest.raises(error):
        sk.TweedieRegressor(**params).fit(X, y)


@pytest.mark.parametrize("power, link", [(0, "auto"), (1, "auto"), (2, "auto"), (3, "auto"),
                                         (-1, "auto"), (1, "identity"), (0, "log")])
def test_link_choice_and_loss_object_follow_sklearn(power, link):
    X, y = np.array([[1.0], [2.0]]), np.array([0.1, 0.5])
    est = TweedieRegressor(power=power, link=link).fit(X, y)
    ref = sk.TweedieRegressor(power=power, link=link).fit(X, y)
    assert type(est._get_loss()) is type(ref._base_loss)
    assert type(est._get_loss().link) is type(ref._base_loss.link)
    expected = IdentityLink if (link == "identity" or (link == "auto" and power <= 0)) else LogLink
    assert isinstance(est._get_loss().link, expected)
    assert est.__sklearn_tags__().target_tags.positive_only is \
        ref.__sklearn_tags__().target_tags.positive_only


@pytest.mark.parametrize("power", POWERS)
@pytest.mark.parametrize("link", LINKS)
def test_score_is_d2_tweedie(power, link):
    X, y, sw = make_data(n=120, offset=1.0)
    X = positive_design(X)
    est = TweedieRegressor(power=power, link=link, alpha=0.1, tol=1e-10).fit(X, y)
    ref = sk.TweedieRegressor(power=power, link=link, alpha=0.1, tol=1e-10).fit(X, y)
    assert est.score(X, y) == pytest.approx(d2_tweedie_score(y, est.predict(X), power=power))
    assert est.score(X, y, sw) == pytest.approx(ref.score(X, y, sw), abs=1e-6)


def test_inputs_are_left_alone_and_pipelines_work():
    X, y, sw = make_data(n=150)
    X_copy, y_copy, sw_copy = X.copy(), y.copy(), sw.copy()
    X.flags.writeable = False
    GammaRegressor().fit(X, y, sample_weight=sw)
    TweedieRegressor(power=1.5, solver="newton").fit(sp.csr_matrix(X), y, sample_weight=sw)
    assert np.array_equal(X, X_copy) and np.array_equal(y, y_copy) and np.array_equal(sw, sw_copy)
    pipe = make_pipeline(StandardScaler(), TweedieRegressor(power=1.5))
    grid = GridSearchCV(pipe, {"tweedieregressor__alpha": [0.01, 1.0],
                               "tweedieregressor__power": [1.2, 1.8]}, cv=3).fit(X, y)
    assert grid.best_params_["tweedieregressor__alpha"] in (0.01, 1.0)
    assert np.all(grid.predict(X) > 0)
