"""Benchmark cases of the GLM objectives and estimators (part of the registry in ``cases``).

* ``logistic-loss-grad``: one evaluation of the L2-penalised mean logistic
  loss and its gradient -- fastgrad's fused pass over ``X`` against numpy's
  two passes and scikit-learn's own loss module (the one its lbfgs and
  newton-cholesky solvers call), at the same point.  All return
  ``np.r_[loss, gradient]``.
* ``*-fit``: whole fits on seeded synthetic data.  Every implementation
  returns ``np.r_[coef, intercept]`` (Huber: ``np.r_[coef, intercept,
  scale]``), and the case's ``objective`` evaluates scikit-learn's objective
  at any of them, so the runner can check that fastgrad and each reference
  stopped at the same final objective (relative gap <= 1e-10): a speed-up
  bought by stopping early does not count.  The "numpy" reference is damped
  Newton solved to rounding level (:mod:`fastgrad.bench.naive_glm`).
"""
from __future__ import annotations

import numpy as np

from .cases_linear import _params
from .naive_glm import (
    huber_newton,
    huber_objective,
    logistic_loss_grad,
    logistic_newton,
    logistic_objective,
    poisson_newton,
    poisson_objective,
)

__all__ = ["glm_cases"]

# (n_samples, n_features) per size; the fits take well under a second for
# scikit-learn at full size, so --quick runs the full sizes too.
_BIG = {"full": (200_000, 50), "quick": (200_000, 50), "tiny": (60, 4)}
_SMALL = {"full": (1000, 10), "quick": (1000, 10), "tiny": (60, 4)}

FIT_TOL = 1e-8
FIT_MAX_ITER = 1000
LOGISTIC_C = 1.0
POISSON_ALPHA = 1e-4
HUBER_EPSILON = 1.35
HUBER_ALPHA = 1e-4
OBJECTIVE_RTOL = 1e-10


def _design(n, p, rng):
    X = rng.standard_normal((n, p))
    w = rng.standard_normal(p) / np.sqrt(p)  # X @ w has unit variance
    return X, w


def _logistic_problem(n, p, seed):
    rng = np.random.default_rng(seed)
    X, w = _design(n, p, rng)
    prob = 1.0 / (1.0 + np.exp(-(X @ w + 0.5)))
    return X, (rng.random(n) < prob).astype(np.float64), w


def _logistic_data(sizes, seed):
    def setup(size):
        X, y, _ = _logistic_problem(*sizes[size], seed)
        return {"X": X, "y": y}
    return setup


def _poisson_data(sizes, seed):
    def setup(size):
        n, p = sizes[size]
        rng = np.random.default_rng(seed)
        X, w = _design(n, p, rng)
        y = rng.poisson(np.exp(0.5 * (X @ w) + 0.3)).astype(np.float64)
        return {"X": X, "y": y}
    return setup


def _huber_data(sizes, seed):
    def setup(size):
        n, p = sizes[size]
        rng = np.random.default_rng(seed)
        X, w = _design(n, p, rng)
        y = X @ w + 0.5 + rng.standard_normal(n)
        bad = rng.choice(n, size=max(n // 20, 1), replace=False)  # 5% gross outliers
        y[bad] += 10.0 * rng.standard_normal(bad.size)
        return {"X": X, "y": y}
    return setup


# ------------------------------------------------------------ loss + gradient


def _loss_grad_setup(size):
    from sklearn._loss.loss import HalfBinomialLoss
    from sklearn.linear_model._linear_loss import LinearModelLoss
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

    from fastgrad.linear_model._solvers_fast import LogisticObjective
    from fastgrad.linear_model._squared_loss import _resolve_n_threads

    X, y, w = _logistic_problem(*_BIG[size], 31)
    n, p = X.shape
    data = {"X": X, "y": y, "coef": np.r_[0.5 * w, 0.3], "l2": 1.0 / (LOGISTIC_C * n)}
    # Both objects are built once, as a solver builds them once per fit; the
    # timed call is one evaluation. mean = 0: no centring, so fastgrad's
    # coordinates (eta = x.w + c) are scikit-learn's raw ones.
    data["fastgrad_objective"] = LogisticObjective(X, y, None, np.zeros(p), data["l2"], True,
                                                   _resolve_n_threads(None))
    data["sklearn_loss"] = LinearModelLoss(base_loss=HalfBinomialLoss(), fit_intercept=True)
    data["sklearn_threads"] = _openmp_effective_n_threads()  # what its LogisticRegression passes
    return data


def _loss_grad_fastgrad(d):
    f, g = d["fastgrad_objective"].py_value_grad(d["coef"])
    return np.r_[f, g]


def _loss_grad_sklearn(d):
    f, g = d["sklearn_loss"].loss_gradient(d["coef"], d["X"], d["y"], l2_reg_strength=d["l2"],
                                           n_threads=d["sklearn_threads"])
    return np.r_[f, g]


def _loss_grad_numpy(d):
    f, g = logistic_loss_grad(d["X"], d["y"], d["coef"], d["l2"])
    return np.r_[f, g]


# ----------------------------------------------------------------------- fits


def _logistic_objective(d, out):
    return logistic_objective(d["X"], d["y"], np.asarray(out), 1.0 / (LOGISTIC_C * len(d["y"])))


def _poisson_objective(d, out):
    return poisson_objective(d["X"], d["y"], np.asarray(out), POISSON_ALPHA)


def _huber_objective(d, out):
    return huber_objective(d["X"], d["y"], np.asarray(out), HUBER_EPSILON, HUBER_ALPHA)


def _huber_params(model):
    return np.r_[np.ravel(model.coef_), np.ravel(model.intercept_), model.scale_]


def glm_cases(Case, Reference):
    """Yield the cases; ``Case`` / ``Reference`` are passed in to avoid an import cycle."""
    import sklearn.linear_model as sk

    import fastgrad

    yield Case(
        "logistic-loss-grad/200000x50", "glm", _loss_grad_setup, _loss_grad_fastgrad,
        {
            "numpy": Reference(_loss_grad_numpy, "numpy two passes: eta = X @ w + b (logaddexp loss), then X.T @ g"),
            "sklearn_loss": Reference(
                _loss_grad_sklearn, "sklearn LinearModelLoss(HalfBinomialLoss()).loss_gradient "
                "(what its lbfgs evaluates per iteration), same threads"),
            "read_X_once": Reference(lambda d: d["X"] @ d["coef"][:-1],
                                     "BLAS X @ w: one read of X at memory bandwidth (a floor, not compared)",
                                     compare=False),
        },
        None, rtol=1e-10, atol=1e-12, point_keys=(),
        description="mean logistic loss + L2 and its gradient at one point, 200 000 x 50 float64",
    )

    fit = {"tol": FIT_TOL, "max_iter": FIT_MAX_ITER}
    for tag, sizes, seed in (("200000x50", _BIG, 32), ("1000x10", _SMALL, 33)):
        yield Case(
            f"logistic-fit/auto/{tag}", "glm", _logistic_data(sizes, seed),
            lambda d: _params(fastgrad.LogisticRegression(C=LOGISTIC_C, **fit).fit(d["X"], d["y"])),
            {
                "numpy": Reference(lambda d: logistic_newton(d["X"], d["y"], LOGISTIC_C),
                                   "numpy damped Newton, dense Hessian and np.linalg.solve, to rounding level"),
                **{f"sklearn_{solver.replace('-', '_')}": Reference(
                    (lambda d, s=solver: _params(sk.LogisticRegression(C=LOGISTIC_C, solver=s, **fit)
                                                 .fit(d["X"], d["y"]))),
                    f"sklearn.linear_model.LogisticRegression(solver='{solver}', tol={FIT_TOL:g}, "
                    f"max_iter={FIT_MAX_ITER})") for solver in ("lbfgs", "newton-cholesky")},
            },
            rtol=1e-5, atol=1e-6, point_keys=(),
            objective=_logistic_objective, objective_rtol=OBJECTIVE_RTOL,
            description=f"LogisticRegression(C={LOGISTIC_C:g}, tol={FIT_TOL:g}).fit, binary, {tag} float64, "
                        "at equal final objective",
        )

    for tag, sizes, seed in (("200000x50", _BIG, 34), ("1000x10", _SMALL, 35)):
        yield Case(
            f"poisson-fit/auto/{tag}", "glm", _poisson_data(sizes, seed),
            lambda d: _params(fastgrad.PoissonRegressor(alpha=POISSON_ALPHA, **fit).fit(d["X"], d["y"])),
            {
                "numpy": Reference(lambda d: poisson_newton(d["X"], d["y"], POISSON_ALPHA),
                                   "numpy damped Newton, dense Hessian and np.linalg.solve, to rounding level"),
                **{f"sklearn_{solver.replace('-', '_')}": Reference(
                    (lambda d, s=solver: _params(sk.PoissonRegressor(alpha=POISSON_ALPHA, solver=s, **fit)
                                                 .fit(d["X"], d["y"]))),
                    f"sklearn.linear_model.PoissonRegressor(solver='{solver}', tol={FIT_TOL:g}, "
                    f"max_iter={FIT_MAX_ITER})") for solver in ("lbfgs", "newton-cholesky")},
            },
            rtol=1e-5, atol=1e-6, point_keys=(),
            objective=_poisson_objective, objective_rtol=OBJECTIVE_RTOL,
            description=f"PoissonRegressor(alpha={POISSON_ALPHA:g}, tol={FIT_TOL:g}).fit, {tag} float64, "
                        "at equal final objective",
        )

    # scikit-learn's Huber fit is L-BFGS-B over (w, b, scale); it also stops
    # on scipy's default relative-decrease test (ftol ~2e-9), which on this
    # data still leaves it within ~1e-12 of the Newton optimum.
    huber = {"epsilon": HUBER_EPSILON, "alpha": HUBER_ALPHA, **fit}
    for tag, sizes, seed in (("200000x50", _BIG, 36), ("1000x10", _SMALL, 37)):
        yield Case(
            f"huber-fit/{tag}", "glm", _huber_data(sizes, seed),
            lambda d: _huber_params(fastgrad.HuberRegressor(**huber).fit(d["X"], d["y"])),
            {
                "numpy": Reference(lambda d: huber_newton(d["X"], d["y"], HUBER_EPSILON, HUBER_ALPHA),
                                   "numpy damped Newton over (w, b, scale), to rounding level"),
                "sklearn": Reference(lambda d: _huber_params(sk.HuberRegressor(**huber).fit(d["X"], d["y"])),
                                     "sklearn.linear_model.HuberRegressor (L-BFGS-B), same settings"),
            },
            rtol=1e-4, atol=1e-4, point_keys=(),
            objective=_huber_objective, objective_rtol=OBJECTIVE_RTOL,
            description=f"HuberRegressor(epsilon={HUBER_EPSILON}, alpha={HUBER_ALPHA:g}).fit, 5% outliers, "
                        f"{tag} float64, at equal final objective",
        )
