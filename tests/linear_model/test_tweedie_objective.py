"""The compiled Tweedie/Gamma objective (TweedieObjective) and its pointwise kernels.

References: the plain-numpy deviance (naive_glm.py), scikit-learn's loss
module, finite differences and 60-digit decimal arithmetic.
"""

from decimal import Decimal, getcontext

import numpy as np
import pytest
import scipy.sparse as sp
from naive_glm import one_openmp_thread  # noqa: F401  (autouse fixture)
from naive_glm import positive_design, tweedie_naive, tweedie_pointwise
from naive_glm import tweedie_data as make_data
from numpy.testing import assert_allclose
from sklearn._loss.loss import HalfTweedieLoss, HalfTweedieLossIdentity
from sklearn.linear_model._linear_loss import LinearModelLoss

from fastgrad.linear_model._solvers_fast import (
    SparseTweedieObjective,
    TweedieObjective,
    _glm_pointwise,
)

POWERS = [0.0, 1.0, 1.5, 2.0, 3.0]
LINKS = ["log", "identity"]


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
