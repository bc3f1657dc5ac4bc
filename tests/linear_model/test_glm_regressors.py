"""PoissonRegressor and HuberRegressor against scikit-learn, and their errors."""

import warnings

import numpy as np
import pytest
import scipy.optimize
import sklearn.linear_model as sklm
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model._huber import _huber_loss_and_gradient
from sklearn.preprocessing import StandardScaler

from fastgrad import HuberRegressor, PoissonRegressor
from fastgrad.linear_model._status import DivergenceError


def poisson_data(n=500, p=5, seed=0, weighted=False, shift=0.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + shift * np.arange(p)
    w = rng.uniform(-0.4, 0.4, p)
    y = rng.poisson(np.exp((X - shift * np.arange(p)) @ w + 0.5)).astype(float)
    sw = rng.uniform(0.2, 2.0, n) if weighted else None
    return X, y, sw


def huber_data(n=300, p=4, seed=0, weighted=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + np.arange(p)
    y = X @ rng.standard_normal(p) + 2.0 + 0.5 * rng.standard_normal(n)
    out = rng.choice(n, n // 10, replace=False)
    y[out] += rng.choice([-1, 1], out.size) * rng.uniform(10, 30, out.size)
    sw = rng.uniform(0.2, 2.0, n) if weighted else None
    return X, y, sw


def huber_reference(X, y, sw, **params):
    """scikit-learn's HuberRegressor, polished by L-BFGS-B on its own objective.

    scikit-learn's fit stops on a relative decrease of the objective (ftol)
    with gradients as large as 1e-2 left; the polish (ftol=0) takes its
    solution to the rounding floor, so the comparison tests fastgrad's
    minimiser against the true minimiser of the same objective.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = sklm.HuberRegressor(tol=1e-12, max_iter=10000, **params).fit(X, y, sample_weight=sw)
    fit_intercept = params.get("fit_intercept", True)
    s = np.ones(len(y)) if sw is None else sw
    x0 = np.r_[ref.coef_, [ref.intercept_] if fit_intercept else [], ref.scale_]
    bounds = [(None, None)] * (len(x0) - 1) + [(np.finfo(float).eps * 10, None)]
    res = scipy.optimize.minimize(
        _huber_loss_and_gradient, x0, args=(X, y, ref.epsilon, ref.alpha, s), jac=True,
        method="L-BFGS-B", bounds=bounds,
        options={"ftol": 0.0, "gtol": 1e-13, "maxiter": 100000, "maxls": 100},
    )
    ref.coef_ = res.x[: X.shape[1]]
    ref.intercept_ = res.x[X.shape[1]] if fit_intercept else 0.0
    ref.scale_ = res.x[-1]
    ref.outliers_ = np.abs(y - X @ ref.coef_ - ref.intercept_) > ref.scale_ * ref.epsilon
    return ref


def poisson_objective(X, y, sw, coef, intercept, alpha):
    s = np.ones(len(y)) if sw is None else sw
    eta = X @ coef + intercept
    ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0)
    half_dev = np.exp(eta) - y * eta + ylogy - y
    return s @ half_dev / s.sum() + 0.5 * alpha * coef @ coef


# ---------------------------------------------------------------------------
# Poisson
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("solver", ["auto", "lbfgs", "newton", "gd", "momentum", "nesterov"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_poisson_matches_sklearn(solver, weighted):
    X, y, sw = poisson_data(weighted=weighted)
    ours = PoissonRegressor(alpha=0.1, solver=solver, tol=1e-10, max_iter=50000).fit(X, y, sample_weight=sw)
    ref = sklm.PoissonRegressor(alpha=0.1, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(
        X, y, sample_weight=sw)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-8)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-5, atol=1e-8)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-5)
    assert_allclose(ours.loss_curve_[-1], poisson_objective(X, y, sw, ours.coef_, ours.intercept_, 0.1),
                    rtol=1e-9)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_poisson_shifted_columns_and_no_intercept(fit_intercept):
    X, y, _ = poisson_data(shift=2.0, seed=1)
    ours = PoissonRegressor(alpha=1e-3, tol=1e-10, fit_intercept=fit_intercept, max_iter=1000).fit(X, y)
    ref = sklm.PoissonRegressor(alpha=1e-3, solver="newton-cholesky", tol=1e-12,
                                fit_intercept=fit_intercept).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-8)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-5, atol=1e-8)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-6)


def test_poisson_zero_alpha_and_float32():
    X, y, _ = poisson_data(seed=2)
    ref = sklm.PoissonRegressor(alpha=0.0, solver="newton-cholesky", tol=1e-12).fit(X, y)
    ours = PoissonRegressor(alpha=0.0, tol=1e-10).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-5)
    ours32 = PoissonRegressor(alpha=0.0, tol=1e-6).fit(X.astype(np.float32), y.astype(np.float32))
    assert ours32.coef_.dtype == np.float32
    assert_allclose(ours32.coef_, ref.coef_, rtol=1e-3, atol=1e-5)


def test_poisson_sgd_gets_close():
    X, y, _ = poisson_data(n=3000, seed=3)
    ref = PoissonRegressor(alpha=0.01, tol=1e-10).fit(X, y)
    sgd = PoissonRegressor(alpha=0.01, solver="sgd", batch_size=64, max_iter=300, tol=1e-8,
                           random_state=0).fit(X, y)
    best = poisson_objective(X, y, None, ref.coef_, ref.intercept_, 0.01)
    got = poisson_objective(X, y, None, sgd.coef_, sgd.intercept_, 0.01)
    assert 0 <= got - best < 1e-3 * best


def test_poisson_divergent_sgd_step_raises():
    X, y, _ = poisson_data(n=200)
    with pytest.raises(DivergenceError, match="learning_rate"):
        PoissonRegressor(solver="sgd", learning_rate=10.0, max_iter=20, random_state=0).fit(X, y)


def test_poisson_negative_y_is_an_error():
    X, y, _ = poisson_data(n=20)
    y[3] = -1.0
    with pytest.raises(ValueError, match=r"y >= 0.*y\[3\]"):
        PoissonRegressor().fit(X, y)


@pytest.mark.parametrize("params, match", [
    ({"alpha": -1.0}, "alpha"), ({"solver": "saga"}, "solver"), ({"max_iter": 0}, "max_iter"),
    ({"tol": -1.0}, "tol"), ({"solver": "fista"}, "solver"),
    ({"learning_rate": 0.0}, "learning_rate"), ({"momentum": 1.0}, "momentum"),
    ({"batch_size": 0}, "batch_size"), ({"n_jobs": 0}, "n_jobs"), ({"warm_start": "yes"}, "warm_start"),
    ({"random_state": "seed"}, "random_state"), ({"fit_intercept": 2}, "fit_intercept"),
])
def test_poisson_bad_parameters(params, match):
    X, y, _ = poisson_data(n=20)
    with pytest.raises(ValueError, match=match):
        PoissonRegressor(**params).fit(X, y)


def test_poisson_warm_start_and_max_iter_warning():
    X, y, _ = poisson_data()
    reg = PoissonRegressor(warm_start=True, tol=1e-8).fit(X, y)
    reg.fit(X, y)
    assert reg.n_iter_ <= 1
    with pytest.warns(ConvergenceWarning):
        PoissonRegressor(solver="gd", max_iter=2, tol=1e-12).fit(X, y)


# ---------------------------------------------------------------------------
# Huber
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("solver", ["auto", "lbfgs", "newton"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_huber_matches_sklearn(solver, weighted, fit_intercept):
    X, y, sw = huber_data(weighted=weighted)
    ours = HuberRegressor(solver=solver, tol=1e-10, max_iter=10000, alpha=0.01,
                          fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    ref = huber_reference(X, y, sw, alpha=0.01, fit_intercept=fit_intercept)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-7)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-5, atol=1e-7)
    assert_allclose(ours.scale_, ref.scale_, rtol=1e-5)
    assert_array_equal(ours.outliers_, ref.outliers_)


@pytest.mark.parametrize("solver", ["gd", "nesterov"])
def test_huber_first_order_solvers(solver):
    X, y, _ = huber_data(n=200, p=3, seed=1)
    X = StandardScaler().fit_transform(X)
    ours = HuberRegressor(solver=solver, tol=1e-9, max_iter=200000).fit(X, y)
    ref = huber_reference(X, y, None)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-6)
    assert_allclose(ours.scale_, ref.scale_, rtol=1e-5)


def test_huber_diabetes():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ref = huber_reference(X, y, None, alpha=1.0)
    ours = HuberRegressor(tol=1e-10, max_iter=10000, alpha=1.0).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-6)
    assert_allclose(ours.scale_, ref.scale_, rtol=1e-5)


@pytest.mark.parametrize("epsilon", [0.0, -1.0, 0.5])
def test_huber_bad_epsilon(epsilon):
    X, y, _ = huber_data(n=20)
    with pytest.raises(ValueError, match="epsilon"):
        HuberRegressor(epsilon=epsilon).fit(X, y)


@pytest.mark.parametrize("params, match", [
    ({"alpha": -1.0}, "alpha"), ({"solver": "sgd"}, "solver"), ({"max_iter": 0}, "max_iter"),
    ({"tol": -1.0}, "tol"), ({"learning_rate": -0.1}, "learning_rate"), ({"n_jobs": 0}, "n_jobs"),
    ({"epsilon": np.inf}, "epsilon|finite"), ({"warm_start": "yes"}, "warm_start"),
])
def test_huber_bad_parameters(params, match):
    X, y, _ = huber_data(n=20)
    with pytest.raises(ValueError, match=match):
        HuberRegressor(**params).fit(X, y)


def test_regressors_leave_inputs_alone_and_reject_bad_data():
    for est, (X, y, sw) in ((PoissonRegressor(), poisson_data(n=60, weighted=True)),
                            (HuberRegressor(), huber_data(n=60, weighted=True))):
        Xc, yc, swc = X.copy(), y.copy(), sw.copy()
        est.fit(X, y, sample_weight=sw)
        assert_array_equal(X, Xc)
        assert_array_equal(y, yc)
        assert_array_equal(sw, swc)
        with pytest.raises(ValueError, match="NaN"):
            est.fit(np.where(X > 1, np.nan, X), y)
        with pytest.raises(ValueError, match="sample_weight|negative"):
            est.fit(X, y, sample_weight=-sw)
        with pytest.raises(ValueError, match="features"):
            est.predict(X[:, :2])


def test_huber_exact_fit_weights_equal_repetitions():
    # p > n: the residuals can all be zero and the optimal scale is 0 (the
    # boundary); weights must act as repeated rows (scikit-learn's semantics)
    import scipy.sparse as sp
    import sklearn.linear_model as sk

    from fastgrad import HuberRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 15))
    y = X @ rng.normal(size=15) + rng.normal(size=6)
    sw = np.array([1.0, 3.0, 1.0, 2.0, 1.0, 1.0])
    Xr, yr = np.repeat(X, sw.astype(int), axis=0), np.repeat(y, sw.astype(int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = HuberRegressor().fit(X, y, sample_weight=sw)
        b = HuberRegressor().fit(Xr, yr)
        c = HuberRegressor().fit(sp.csr_matrix(X), y, sample_weight=sw)
        ref = sk.HuberRegressor(max_iter=1000).fit(X, y, sample_weight=sw)
    assert_allclose(a.coef_, b.coef_, rtol=1e-9, atol=1e-10)
    assert_allclose(c.coef_, b.coef_, rtol=1e-9, atol=1e-10)
    assert a.intercept_ == pytest.approx(b.intercept_, rel=1e-9, abs=1e-10)
    assert_allclose(a.predict(X), y, atol=1e-8)  # interpolates
    # scikit-learn's L-BFGS-B stops near this limit; its objective is not lower
    def objective(m):
        z = np.r_[m.coef_, m.intercept_, max(m.scale_, 1e-300)]
        return _huber_loss_and_gradient(z, X, y, 1.35, 1e-4, sw)[0]

    assert objective(a) <= objective(ref) * (1 + 1e-9)


def test_huber_exact_fit_needs_its_optimality_conditions():
    from fastgrad.linear_model._huber_exact import exact_fit_solution

    rng = np.random.default_rng(1)
    X = rng.normal(size=(5, 12))
    y = X @ rng.normal(size=12)
    assert exact_fit_solution(X, y, None, 1e-4, 1.35, True, 1e-14) is not None
    # a strong penalty makes leaving residuals cheaper than interpolating
    assert exact_fit_solution(X, y, None, 1e3, 1.35, True, 1e-14) is None
    # a scale away from 0 is not the boundary case
    assert exact_fit_solution(X, y, None, 1e-4, 1.35, True, 0.5) is None
    # more samples than coefficients: no exact fit
    X2 = rng.normal(size=(40, 3))
    assert exact_fit_solution(X2, X2 @ np.ones(3) + rng.normal(size=40), None, 1e-4, 1.35, True,
                              1e-14) is None


def test_poisson_newton_warns_on_a_singular_hessian():
    from scipy.linalg import LinAlgWarning

    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    y = rng.poisson(np.exp(X @ np.full(3, 0.3))).astype(np.float64)
    Xc = np.hstack([X, X])  # collinear: without a penalty the minimum is not unique
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PoissonRegressor(solver="newton", alpha=0.0, tol=1e-10).fit(X, y)
        PoissonRegressor(solver="newton", alpha=1e-10, tol=1e-10).fit(Xc, y)
    with pytest.warns(LinAlgWarning, match="singular or very ill-conditioned Hessian"):
        est = PoissonRegressor(solver="newton-cholesky", alpha=0.0, tol=1e-10).fit(Xc, y)
    ref = PoissonRegressor(solver="newton", alpha=0.0, tol=1e-10).fit(X, y)
    assert_allclose(est.predict(Xc), ref.predict(X), rtol=1e-6)
