"""Benchmark cases of the Gamma and Tweedie regressors (part of the registry in ``cases``).

* ``gamma-fit/auto/...``: ``GammaRegressor(alpha=1e-4)`` on Gamma-distributed
  targets around a log-linear mean;
* ``tweedie-fit/p1.5/auto/...``: ``TweedieRegressor(power=1.5, alpha=1e-4)``
  on compound Poisson-Gamma targets (about a fifth of them exactly 0).

Both against scikit-learn's ``lbfgs`` and ``newton-cholesky`` with the same
settings, glum (if installed; a benchmark-only peer) and damped Newton in
numpy solved to rounding level. Every result is ``np.r_[coef, intercept]``
and the case's ``objective`` is scikit-learn's (the mean half deviance plus
the penalty), so the runner counts a speed-up only at equal final objective
(relative gap <= 1e-10), as for the Poisson cases.
"""
from __future__ import annotations

import numpy as np

from .case import available
from .cases_linear import _params
from .naive_glm import tweedie_newton, tweedie_objective

__all__ = ["tweedie_cases"]

_SIZES = {"full": (200_000, 50), "quick": (50_000, 50), "tiny": (60, 4)}
FIT_TOL = 1e-8
FIT_MAX_ITER = 1000
ALPHA = 1e-4
OBJECTIVE_RTOL = 1e-10


def _data(power, seed):
    def setup(size):
        n, p = _SIZES[size]
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n, p))
        mu = np.exp(0.5 * X @ (rng.standard_normal(p) / np.sqrt(p)) + 0.3)
        if power == 2:
            y = rng.gamma(2.0, mu / 2.0)  # shape 2: dispersion 1/2
        else:
            # compound Poisson-Gamma of dispersion 1: N ~ Poisson(lam) Gamma
            # jumps; their sum is Gamma with N times the jumps' shape
            lam = mu ** (2 - power) / (2 - power)
            shape, scale = (2 - power) / (power - 1), (power - 1) * mu ** (power - 1)
            counts = rng.poisson(lam)
            y = np.where(counts > 0, rng.gamma(np.maximum(counts, 1) * shape, scale), 0.0)
        return {"X": X, "y": y}
    return setup


def _glum_fit(d, power):
    import glum

    family = "gamma" if power == 2 else glum.TweedieDistribution(power)
    model = glum.GeneralizedLinearRegressor(
        family=family, link="log", alpha=ALPHA, l1_ratio=0.0, fit_intercept=True,
        gradient_tol=FIT_TOL, max_iter=FIT_MAX_ITER, scale_predictors=False,
    ).fit(d["X"], d["y"])
    return _params(model)


def tweedie_cases(Case, Reference):
    """Yield the cases; ``Case`` / ``Reference`` are passed in to avoid an import cycle."""
    import sklearn.linear_model as sk

    import fastgrad

    fit = {"tol": FIT_TOL, "max_iter": FIT_MAX_ITER}
    has_glum = available("glum")
    # a missing peer is named in the description (--list, the report), not silently dropped
    glum_note = "" if has_glum else "; glum not installed: its reference skipped"
    for name, power, seed, make, make_sk in (
        ("gamma-fit/auto", 2.0, 61, lambda: fastgrad.GammaRegressor(alpha=ALPHA, **fit),
         lambda s: sk.GammaRegressor(alpha=ALPHA, solver=s, **fit)),
        ("tweedie-fit/p1.5/auto", 1.5, 62, lambda: fastgrad.TweedieRegressor(power=1.5, alpha=ALPHA, **fit),
         lambda s: sk.TweedieRegressor(power=1.5, alpha=ALPHA, solver=s, **fit)),
    ):
        label = "GammaRegressor" if power == 2 else "TweedieRegressor"
        call = f"{label}({'' if power == 2 else 'power=1.5, '}alpha={ALPHA:g}, tol={FIT_TOL:g})"
        refs = {
            "numpy": Reference(lambda d, pw=power: tweedie_newton(d["X"], d["y"], ALPHA, pw),
                               "numpy damped Newton, dense Hessian and np.linalg.solve, to rounding level"),
            **{f"sklearn_{solver.replace('-', '_')}": Reference(
                (lambda d, s=solver, mk=make_sk: _params(mk(s).fit(d["X"], d["y"]))),
                f"sklearn.linear_model.{label}({'' if power == 2 else 'power=1.5, '}solver='{solver}', "
                f"alpha={ALPHA:g}, tol={FIT_TOL:g}, "
                f"max_iter={FIT_MAX_ITER})") for solver in ("lbfgs", "newton-cholesky")},
        }
        if has_glum:
            refs["glum"] = Reference(lambda d, pw=power: _glum_fit(d, pw),
                                     f"glum.GeneralizedLinearRegressor(l1_ratio=0, gradient_tol={FIT_TOL:g})")
        yield Case(
            f"{name}/200000x50", "glm", _data(power, seed),
            lambda d, mk=make: _params(mk().fit(d["X"], d["y"])), refs,
            rtol=1e-5, atol=1e-6, point_keys=(),
            objective=lambda d, out, pw=power: tweedie_objective(d["X"], d["y"], np.asarray(out), ALPHA, pw),
            objective_rtol=OBJECTIVE_RTOL,
            description=f"{call}.fit, 200 000 x 50 float64 (--quick: 50 000 x 50), "
                        f"at equal final objective{glum_note}",
        )
