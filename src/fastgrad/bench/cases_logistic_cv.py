"""Benchmark case: LogisticRegressionCV over 10 Cs and 5 folds (registry in ``cases``).

``logistic-cv/200000x50``: ``LogisticRegressionCV(Cs=10, cv=5)`` on a seeded
binary problem (200 000 x 50 dense float64; quick: 20 000 x 50), fastgrad
against scikit-learn's ``LogisticRegressionCV`` with the same grid, folds
(stratified, unshuffled: the same rows in both), ``tol`` and ``max_iter``.
Both run their default solver name, "lbfgs". The result is
``np.r_[C_, coef, intercept]``; the objective is scikit-learn's penalised
logistic objective (mean form) of the refitted model at its chosen C, so
the runner checks that both chose the same C and stopped at the same value.

There is no plain-numpy reference: a numpy CV (50 Newton fits and the
refit on the full size) took minutes, and one fit at one C is the
``logistic-fit`` case's job already.
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
