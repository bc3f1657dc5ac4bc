"""Benchmark case: LogisticRegressionCV over 10 Cs and 5 folds (registry in ``cases``).

``logistic-cv/200000x50``: ``LogisticRegressionCV(Cs=10, cv=5)`` on a seeded
binary problem (200 000 x 50 dense float64; quick: 20 000 x 50), fastgrad
against scikit-learn's ``LogisticRegressionCV`` with the same grid, folds
(stratified, unshuffled: the same rows in both), ``tol`` and ``max_iter``.
Both run their default solver name, "lbfgs". The result is
``np.r_[C_, coef, intercept]``; the objective is scikit-learn's penalised
logistic objective (mean form) of the refitted model at its chosen C, so
the runner checks that both chose the same C and stopped at the same value.

The plain-numpy reference is kept cheap: the same folds (scikit-learn's
``StratifiedKFold(5)``), warm-started damped Newton per C that stops at the
estimators' rule (largest gradient entry <= ``tol``) (a converged warm start costs one pass, so
most of the large Cs cost nothing more), accuracy by numpy, the same
tie rule and the refit from the folds' mean solution.
"""
from __future__ import annotations

import numpy as np

from .cases_glm import _logistic_problem
from .naive_glm import logistic_objective

__all__ = ["logistic_cv_cases"]

_SIZES = {"full": (200_000, 50), "quick": (20_000, 50), "tiny": (300, 5)}
N_CS = 10
N_FOLDS = 5
TOL = 1e-6
MAX_ITER = 1000
#: both stop at |gradient| <= TOL of the mean objective; their values then
#: agree to about TOL**2 / curvature, far inside this
OBJECTIVE_RTOL = 1e-7


def _setup(size):
    X, y, _ = _logistic_problem(*_SIZES[size], 36)
    return {"X": X, "y": y}


def _params():
    return dict(Cs=N_CS, cv=N_FOLDS, tol=TOL, max_iter=MAX_ITER, l1_ratios=(0.0,),
                scoring="accuracy", use_legacy_attributes=False)


def _newton(A, y, l2, theta, tol):
    """Damped Newton on the mean logistic loss + ``l2/2 ||w||^2`` (the intercept, A's last
    column, unpenalised) from ``theta``; stops at ``max |gradient| <= tol``."""
    n = A.shape[0]
    pen = np.r_[np.full(A.shape[1] - 1, l2), 0.0]

    def value(t):
        eta = A @ t
        return np.mean(np.logaddexp(0.0, eta) - y * eta) + 0.5 * np.sum(pen * t * t), eta

    f, eta = value(theta)
    for _ in range(100):
        p = np.exp(-np.logaddexp(0.0, -eta))
        g = A.T @ (p - y) / n + pen * theta
        if np.max(np.abs(g)) <= tol:
            break
        As = A * np.sqrt(p * (1.0 - p) / n)[:, None]
        step = np.linalg.solve(As.T @ As + np.diag(pen), g)
        decrement = g @ step
        if decrement <= 1e-15 * max(abs(f), 1.0):
            break  # at rounding level: a line search could not tell the values apart
        t = 1.0
        while True:  # Armijo backtracking
            f_new, eta_new = value(theta - t * step)
            if f_new <= f - 1e-4 * t * decrement or t < 1e-10:
                break
            t *= 0.5
        theta, f, eta = theta - t * step, f_new, eta_new
    return theta


def _numpy_cv(d):
    from sklearn.model_selection import StratifiedKFold  # the same folds as both estimators

    X, y = d["X"], d["y"]
    Cs = np.logspace(-4, 4, N_CS)
    A = np.column_stack([X, np.ones(len(y))])
    total, paths = np.zeros(N_CS), []
    for train, test in StratifiedKFold(N_FOLDS).split(X, y):
        At, yt, theta, path = A[train], y[train], np.zeros(A.shape[1]), []
        for i, C in enumerate(Cs):
            theta = _newton(At, yt, 1.0 / (C * len(yt)), theta, TOL)
            path.append(theta)
            total[i] += np.mean((A[test] @ theta > 0) == (y[test] == 1))
        paths.append(path)
    best = int(np.argmax(total))
    start = np.mean([path[best] for path in paths], axis=0)
    theta = _newton(A, y, 1.0 / (Cs[best] * len(y)), start, TOL)
    return np.r_[Cs[best], theta]


def _result(model):
    return np.r_[model.C_, np.ravel(model.coef_), model.intercept_]


def _objective(d, out):
    out = np.asarray(out)
    C = float(out[0])
    return logistic_objective(d["X"], d["y"], out[1:], 1.0 / (C * len(d["y"])))


def logistic_cv_cases(Case, Reference):
    """Yield the case; ``Case`` / ``Reference`` are passed in to avoid an import cycle."""
    import sklearn.linear_model as sk

    import fastgrad

    n, p = _SIZES["full"]
    yield Case(
        f"logistic-cv/{n}x{p}", "glm", _setup,
        lambda d: _result(fastgrad.LogisticRegressionCV(**_params()).fit(d["X"], d["y"])),
        {
            "numpy": Reference(_numpy_cv, "numpy: the same folds, warm-started damped Newton per C, "
                               "accuracy, refit from the folds' mean"),
            "sklearn": Reference(
                lambda d: _result(sk.LogisticRegressionCV(**_params()).fit(d["X"], d["y"])),
                f"sklearn.linear_model.LogisticRegressionCV(Cs={N_CS}, cv={N_FOLDS}, "
                f"solver='lbfgs', tol={TOL:g}, max_iter={MAX_ITER})"),
        },
        rtol=1e-4, atol=1e-5, point_keys=(), objective=_objective, objective_rtol=OBJECTIVE_RTOL,
        description=f"LogisticRegressionCV(Cs={N_CS}, cv={N_FOLDS}, tol={TOL:g}).fit, binary, "
                    f"{n} x {p} float64 (quick: {_SIZES['quick'][0]} x {_SIZES['quick'][1]}), at "
                    "equal chosen C and final objective",
    )
