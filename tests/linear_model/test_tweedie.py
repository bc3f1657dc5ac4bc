"""GammaRegressor, TweedieRegressor and their compiled objective (TweedieObjective).

References: the plain-numpy deviance (naive_glm.py), high-precision
arithmetic for the pointwise kernels, finite differences, scikit-learn's
loss module and scikit-learn's fitted estimators on the same data.
"""

from decimal import Decimal, getcontext
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sk
from naive_glm import tweedie_naive, tweedie_pointwise
from numpy.testing import assert_allclose
from sklearn._loss.link import IdentityLink, LogLink
from sklearn._loss.loss import HalfTweedieLoss, HalfTweedieLossIdentity
from sklearn.linear_model._linear_loss import LinearModelLoss
from sklearn.metrics import d2_tweedie_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from fastgrad import GammaRegressor, PoissonRegressor, TweedieRegressor
from fastgrad.linear_model._solvers_fast import (
    SparseTweedieObjective,
    TweedieObjective,
    _glm_pointwise,
)

POWERS = [0.0, 1.0, 1.5, 2.0, 3.0]
LINKS = ["log", "identity"]


@pytest.fixture(autouse=True)
def _one_openmp_thread():
    """scikit-learn's loss threads crawl on a busy machine (0.5 s for a 240-sample fit);
    one thread keeps its reference fits at milliseconds. The objectives here take
    their thread count explicitly."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="openmp"):
        yield


def make_data(n=200, p=4, seed=0, shift=0.5, offset=0.0, dtype=np.float64):
    """X with non-zero column means, Gamma-distributed y > 0 around a log-linear mean."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + shift * np.arange(p)
    w = rng.standard_normal(p) / (2 * np.sqrt(p))
    mu = np.exp((X - X.mean(axis=0)) @ w + 0.5)
    y = rng.gamma(2.0, mu / 2.0) + offset
    sw = rng.uniform(0.3, 2.0, n)
    return X.astype(dtype), y.astype(dtype), sw.astype(dtype)


def objective(X, y, sw, mean, l2, fit_intercept, power, link, sparse=False, n_threads=2):
    make = SparseTweedieObjective if sparse else TweedieObjective
    XX = sp.csr_matrix(X) if sparse else X
    return make(XX, y, sw, mean, l2, fit_intercept, n_threads, power, link)


def start_coef(k, p, link, seed=1):
    coef = 0.1 * np.random.default_rng(seed).standard_normal(k)
    if link == "identity":
        # mu > 0 everywhere on X >= 0.5 (positive_design)
        coef[:p] *= 0.1
        if k > p:
            coef[p] += 3.0
        else:
            coef[:p] += 1.0
    return coef


def positive_design(X):
    """Entries >= 0.5: identity-link predictions stay positive for positive coefficients."""
    return np.abs(X) + 0.5


# ---------------------------------------------------------------------------
# the objective against the numpy reference and scikit-learn's loss
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("power", [-0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["intercept", "no_intercept"])
@pytest.mark.parametrize("n", [37, 20_000], ids=["serial", "threaded"])
def test_objective_matches_naive(power, link, sparse, fit_intercept, n):
    X, y, sw = make_data(n=n)
    X = positive_design(X) if link == "identity" else X  # a positive mu for the chosen coef
    mean = np.average(X, axis=0, weights=sw) if fit_intercept else np.zeros(X.shape[1])
    obj = objective(X, y, sw, mean, 0.3, fit_intercept, power, link, sparse)
    coef = start_coef(obj.n_coef, X.shape[1], link)
    f, g = obj.py_value_grad(coef)
    f_ref, g_ref, H_ref = tweedie_naive(X, y, sw, mean, 0.3, fit_intercept, coef, power, link)
    assert_allclose(f, f_ref, rtol=1e-11)
    assert_allclose(obj.py_value(coef), f_ref, rtol=1e-11)
    assert_allclose(g, g_ref, rtol=1e-9, atol=1e-12 * np.abs(g_ref).max())
    H = obj.py_hessian(coef)
    assert_allclose(H, H_ref, rtol=1e-9, atol=1e-12 * np.abs(H_ref).max())
    v = np.random.default_rng(2).standard_normal(obj.n_coef)
    obj.set_curvature_point(coef)
    hv = obj.py_hess_vec_stored(v) if sparse else obj.py_hess_vec(v)
    assert_allclose(hv, H_ref @ v, rtol=1e-9, atol=1e-12 * np.abs(H_ref @ v).max())


def test_float32_data_is_read_exactly():
    X, y, sw = make_data(dtype=np.float32)
    mean = np.average(X.astype(np.float64), axis=0, weights=sw)
    for power in (1.5, 2.0):
        obj = objective(X, y, sw, mean, 0.3, True, power, "log")
        coef = start_coef(obj.n_coef, X.shape[1], "log")
        f_ref, g_ref, _ = tweedie_naive(X, y, sw, mean, 0.3, True, coef, power, "log")
        f, g = obj.py_value_grad(coef)
        assert_allclose(f, f_ref, rtol=1e-11)
        assert_allclose(g, g_ref, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("power", POWERS + [-0.5, 0.5])
@pytest.mark.parametrize("link", LINKS)
def test_objective_is_sklearns_loss_plus_its_constant(power, link):
    X, y, sw = make_data(n=150)
    X = positive_design(X) if link == "identity" else X
    p = X.shape[1]
    loss = (HalfTweedieLoss if link == "log" else HalfTweedieLossIdentity)(power=power)
    coef = start_coef(p + 1, p, link)
    # mean = 0: fastgrad's centred coordinates are then scikit-learn's raw ones
    obj = objective(X, y, sw, np.zeros(p), 0.7, True, power, link)
    f, g = obj.py_value_grad(coef)
    f_sk, g_sk = LinearModelLoss(loss, fit_intercept=True).loss_gradient(
        coef, X, y, sw, l2_reg_strength=0.7)
    const = np.average(loss.constant_to_optimal_zero(y), weights=sw) if link == "log" else 0.0
    assert_allclose(f, f_sk + const, rtol=1e-12, atol=1e-14)
    assert_allclose(g, g_sk, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("power", [1.5, 2.0, 3.0, 0.0])
@pytest.mark.parametrize("link", LINKS)
def test_gradient_and_hessian_are_derivatives(power, link):
    X, y, sw = make_data(n=80)
    X = positive_design(X)
    p = X.shape[1]
    mean = np.average(X, axis=0, weights=sw)
    obj = objective(X, y, sw, mean, 0.2, True, power, link)
    coef = start_coef(p + 1, p, link)
    _, g = obj.py_value_grad(coef)
    H = obj.py_hessian(coef)
    # the reference's true Hessian is the derivative of fastgrad's gradient;
    # fastgrad's own Hessian is the reference's |curvature| Hessian
    true_H = tweedie_naive(X, y, sw, mean, 0.2, True, coef, power, link, absolute=False)[2]
    H_abs = tweedie_naive(X, y, sw, mean, 0.2, True, coef, power, link)[2]
    assert_allclose(H, H_abs, rtol=1e-10, atol=1e-12 * np.abs(H_abs).max())
    step = 1e-6
    for j in range(p + 1):
        e = np.zeros(p + 1)
        e[j] = step
        fd = (obj.py_value(coef + e) - obj.py_value(coef - e)) / (2 * step)
        assert_allclose(g[j], fd, rtol=1e-6, atol=1e-8)
        gd = (obj.py_value_grad(coef + e)[1] - obj.py_value_grad(coef - e)[1]) / (2 * step)
        assert_allclose(true_H[:, j], gd, rtol=1e-5, atol=1e-7)
    _, _, h = tweedie_pointwise(np.c_[X - mean, np.ones(len(y))] @ coef, y, power, link)
    if np.all(h >= 0):
        assert_allclose(H, true_H, rtol=1e-10, atol=1e-12 * np.abs(H_abs).max())


def test_curvature_is_absolute_where_the_deviance_is_not_convex():
    # inverse Gaussian (p = 3), mu far above y: the true curvature is negative
    X, y, sw = make_data(n=64)
    p = X.shape[1]
    obj = objective(X, y, sw, np.zeros(p), 0.0, True, 3.0, "log")
    coef = np.r_[np.zeros(p), np.log(10 * y.max())]
    H = obj.py_hessian(coef)
    mu = np.exp(coef[p])
    true_h = -mu ** (2 - 3) + 2 * y * mu ** (1 - 3)  # (2-p) mu^{2-p} - (1-p) y mu^{1-p}
    assert np.all(true_h < 0)
    assert_allclose(H[p, p], np.average(np.abs(true_h), weights=sw), rtol=1e-12)
    assert np.all(np.linalg.eigvalsh(H[:p, :p] + np.eye(p) * 1e-12) > 0)


def test_identity_link_outside_the_domain_is_infinite_never_nan():
    X, y, sw = make_data(n=40)
    p = X.shape[1]
    for power in (1.0, 1.5, 2.0, 3.0, -1.0):
        obj = objective(X, y, sw, np.zeros(p), 0.0, True, power, "identity")
        coef = np.r_[np.zeros(p), -1.0]
        f, g = obj.py_value_grad(coef)
        assert f == np.inf and np.all(np.isfinite(g))
    # a sample of weight 0 may sit anywhere
    sw0 = sw.copy()
    sw0[0] = 0.0
    Xs = X.copy()
    Xs[0] = -100.0
    obj = objective(Xs, y, sw0, np.zeros(p), 0.0, True, 1.5, "identity")
    assert np.isfinite(obj.py_value(np.r_[np.full(p, 0.01), 3.0]))


def test_mini_batch_over_all_rows_is_the_full_objective():
    X, y, sw = make_data(n=90)
    p = X.shape[1]
    for power, link in ((1.5, "log"), (2.0, "log"), (3.0, "identity"), (0.0, "log")):
        for sparse in (False, True):
            obj = objective(X, y, sw, X.mean(axis=0), 0.3, True, power, link, sparse)
            coef = start_coef(p + 1, p, link)
            f, g = obj.py_value_grad(coef)
            fb, gb = obj.py_batch_value_grad(coef, np.arange(len(y)))
            assert_allclose(fb, f, rtol=1e-12)
            assert_allclose(gb, g, rtol=1e-10, atol=1e-14)


def test_objective_rejects_bad_input():
    X, y, sw = make_data(n=16)
    m = np.zeros(X.shape[1])
    with pytest.raises(ValueError, match="y must be > 0 for power 2"):
        TweedieObjective(X, np.r_[0.0, y[1:]], sw, m, 0.0, True, 1, 2.0, "log")
    with pytest.raises(ValueError, match="y must be >= 0 for power 1.5"):
        TweedieObjective(X, np.r_[-1.0, y[1:]], sw, m, 0.0, True, 1, 1.5, "log")
    with pytest.raises(ValueError, match="link must be 'log' or 'identity'"):
        TweedieObjective(X, y, sw, m, 0.0, True, 1, 1.5, "logit")
    with pytest.raises(ValueError, match="power must be a finite number"):
        TweedieObjective(X, y, sw, m, 0.0, True, 1, np.nan, "log")
    TweedieObjective(X, np.r_[-1.0, y[1:]], sw, m, 0.0, True, 1, 0.0, "log")  # any y at p <= 0


# ---------------------------------------------------------------------------
# the pointwise kernels
# ---------------------------------------------------------------------------

def _decimal_reference(t, y, power):
    """Half Tweedie deviance (log link, without y-only terms) and its derivative, 60 digits."""
    getcontext().prec = 60
    loss, d = [], []
    for ti, yi in zip(t, y):
        T, Y = Decimal(float(ti)), Decimal(float(yi))
        if power == 2.0:
            e = (-T).exp()
            loss.append(float(T + Y * e))
            d.append(float(1 - Y * e))
        else:
            a, b = Decimal(2) - Decimal(power), Decimal(1) - Decimal(power)
            A, B = (a * T).exp(), (b * T).exp()
            loss.append(float(A / a - Y * B / b))
            d.append(float(A - Y * B))
    return np.array(loss), np.array(d)


@pytest.mark.parametrize("power", [0.0, 0.5, 1.5, 2.0, 3.0, -1.0])
def test_tweedie_kernels_match_high_precision(power):
    rng = np.random.default_rng(5)
    t = np.r_[rng.uniform(-20, 20, 190), np.zeros(2)]
    y = rng.gamma(2.0, 1.0, t.size)
    s = rng.uniform(0.5, 2.0, t.size)
    kind = "gamma" if power == 2.0 else "tweedie"
    l8, d8, l1, d1 = _glm_pointwise(kind, t, y, s, power)
    loss_ref, d_ref = _decimal_reference(t, y, power)
    # a few ulps of the terms (the loss and d are differences of two of them,
    # each with the rounding of its exponent's argument, ~|t| ulps);
    # the eight-sample kernel may use fused multiply-adds, the one-sample one not
    a, b = 2 - power, 1 - power
    scale = s * (np.exp(a * t) + y * np.exp(b * t)) * (1 + np.abs(t))
    for loss, d in ((l8, d8), (l1, d1)):
        assert np.all(np.abs(loss - s * loss_ref) <= 1e-15 * scale)
        assert np.all(np.abs(d - s * d_ref) <= 1e-15 * scale)


@pytest.mark.parametrize("power, eta", [(2.0, -600.0), (1.5, 1200.0), (1.5, -1200.0),
                                        (0.0, 300.0), (3.0, -300.0), (3.0, 800.0)])
def test_log_link_is_continued_linearly_where_exp_would_overflow(power, eta):
    kind = "gamma" if power == 2.0 else "tweedie"
    t = np.full(8, eta) + np.sign(eta) * np.arange(8) * 10.0  # away from the joint
    y, s = np.full(8, 2.0), np.ones(8)
    loss, d, _, _ = _glm_pointwise(kind, t, y, s, power)
    assert np.all(np.isfinite(loss)) and np.all(np.isfinite(d))
    # linear: equal slopes, and the increments are the slope times the step
    assert_allclose(d, d[0], rtol=1e-12)
    assert_allclose(np.diff(loss), np.sign(eta) * 10.0 * d[0], rtol=1e-9, atol=1e-300)


def test_pointwise_hook_rejects_bad_kinds():
    z = np.zeros(8)
    with pytest.raises(ValueError, match="kind must be one of"):
        _glm_pointwise("tweedy", z, z, z)
    with pytest.raises(ValueError, match="other than 1 and 2"):
        _glm_pointwise("tweedie", z, z, z, 2.0)


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
