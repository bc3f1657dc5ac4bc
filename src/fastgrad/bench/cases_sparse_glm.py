"""Benchmark cases: GLM fits on sparse TF-IDF-like X (part of the registry in ``cases``).

* ``logistic-fit/sparse-tfidf/...``: ``LogisticRegression(C=1)`` with an
  intercept on a CSR matrix of L2-normalised TF-IDF-like rows
  (``sparse_data.tfidf_like``, labels from ``binary_target``), against
  scikit-learn's ``newton-cg`` (its fastest here) and ``lbfgs``, and
  scipy's Newton-CG on the same objective (the "numpy" reference).
* ``poisson-fit/sparse-tfidf/...``: ``PoissonRegressor(alpha=1e-4)``, counts
  drawn from a log-linear model on the same kind of X, against
  scikit-learn's ``lbfgs`` (its one solver that does not build a dense
  p x p Hessian).

Every result is ``np.r_[coef, intercept]``; the cases' objectives are
scikit-learn's, and the runner only counts a speed-up at equal final
objective (relative gap <= 1e-8).
"""
from __future__ import annotations

import numpy as np

from .cases_linear import _params
from .sparse_data import TFIDF_SIZES, binary_target, tfidf_like, tfidf_problem

__all__ = ["sparse_glm_cases"]

# (n_samples, n_features, density) per size.
_SIZES = {**TFIDF_SIZES, "tiny": (200, 300, 0.05)}
_POISSON_SIZES = {
    "full": (100_000, 20_000, 2e-3),
    "quick": (20_000, 5_000, 2e-3),
    "tiny": (200, 100, 0.1),
}
C = 1.0
POISSON_ALPHA = 1e-4
FASTGRAD_TOL = 1e-7   # largest gradient entry of the mean-form objective
SKLEARN_TOL = 1e-6
OBJECTIVE_RTOL = 1e-8


def _logistic_setup(size):
    return tfidf_problem(_SIZES[size], binary_target, seed=51)


def _poisson_setup(size):
    n, p, density = _POISSON_SIZES[size]
    X = tfidf_like(n, p, density, seed=53)
    rng = np.random.default_rng(54)
    w = np.zeros(p)
    idx = rng.choice(p, size=min(100, p), replace=False)
    w[idx] = rng.standard_normal(idx.size)
    eta = np.asarray(X @ w).ravel()
    y = rng.poisson(np.exp(eta / max(float(np.std(eta)), 1e-12) * 0.5)).astype(np.float64)
    return {"X": X, "y": y}


def _linear(d, out):
    out = np.asarray(out)
    return out[:-1], out[-1], np.asarray(d["X"] @ out[:-1]).ravel() + out[-1]


def _logistic_objective(d, out):
    w, _, eta = _linear(d, out)
    return float(C * np.sum(np.logaddexp(0.0, eta) - d["y"] * eta) + 0.5 * w @ w)


def _poisson_objective(d, out):
    w, _, eta = _linear(d, out)
    return float(np.mean(np.exp(eta) - d["y"] * eta) + 0.5 * POISSON_ALPHA * w @ w)


def _scipy_newton_cg(d):
    """scipy.optimize's Newton-CG on scikit-learn's logistic objective (divided by C n)."""
    from scipy.optimize import minimize
    from scipy.special import expit

    X, y = d["X"], d["y"]
    n, p = X.shape
    lam = 1.0 / (C * n)

    def fun(z):
        w, b = z[:-1], z[-1]
        eta = np.asarray(X @ w).ravel() + b
        r = (expit(eta) - y) / n
        g = np.r_[np.asarray(X.T @ r).ravel() + lam * w, r.sum()]
        return float(np.mean(np.logaddexp(0.0, eta) - y * eta) + 0.5 * lam * w @ w), g

    def hessp(z, v):
        eta = np.asarray(X @ z[:-1]).ravel() + z[-1]
        pr = expit(eta)
        u = pr * (1.0 - pr) * (np.asarray(X @ v[:-1]).ravel() + v[-1]) / n
        return np.r_[np.asarray(X.T @ u).ravel() + lam * v[:-1], u.sum()]

    res = minimize(fun, np.zeros(p + 1), jac=True, hessp=hessp, method="Newton-CG",
                   options={"xtol": 1e-12, "maxiter": 200})
    return res.x


def sparse_glm_cases(Case, Reference):
    """Yield the cases; ``Case`` / ``Reference`` are passed in to avoid an import cycle."""
    import sklearn.linear_model as sk

    import fastgrad

    def sk_logistic(solver, tol):
        return Reference(
            lambda d: _params(sk.LogisticRegression(C=C, solver=solver, tol=tol, max_iter=1000)
                              .fit(d["X"], d["y"])),
            f"sklearn.linear_model.LogisticRegression(C={C:g}, solver={solver!r}, tol={tol:g})")

    yield Case(
        "logistic-fit/sparse-tfidf/100000x50000", "glm", _logistic_setup,
        lambda d: _params(fastgrad.LogisticRegression(C=C, tol=FASTGRAD_TOL).fit(d["X"], d["y"])),
        {
            "numpy_scipy_newton_cg": Reference(
                _scipy_newton_cg, "scipy.optimize.minimize(method='Newton-CG', xtol=1e-12) with "
                "sparse Hessian-vector products"),
            "sklearn_newton_cg": sk_logistic("newton-cg", SKLEARN_TOL),
            "sklearn_lbfgs": sk_logistic("lbfgs", 1e-9),
        },
        rtol=1e-4, atol=1e-5, point_keys=(),
        objective=_logistic_objective, objective_rtol=OBJECTIVE_RTOL,
        description=f"LogisticRegression(C={C:g}).fit with intercept on TF-IDF-like CSR X, "
                    "100 000 x 50 000 density 1e-3 (quick: 20 000 x 10 000), at equal final objective",
    )
    yield Case(
        "poisson-fit/sparse-tfidf/100000x20000", "glm", _poisson_setup,
        lambda d: _params(fastgrad.PoissonRegressor(alpha=POISSON_ALPHA, tol=FASTGRAD_TOL, max_iter=1000)
                          .fit(d["X"], d["y"])),
        {
            "numpy_sklearn_lbfgs": Reference(
                lambda d: _params(sk.PoissonRegressor(alpha=POISSON_ALPHA, tol=1e-10, max_iter=10_000)
                                  .fit(d["X"], d["y"])),
                f"sklearn.linear_model.PoissonRegressor(alpha={POISSON_ALPHA:g}, solver='lbfgs', "
                "tol=1e-10) (its only sparse solver)"),
        },
        rtol=1e-4, atol=1e-5, point_keys=(),
        objective=_poisson_objective, objective_rtol=OBJECTIVE_RTOL,
        description=f"PoissonRegressor(alpha={POISSON_ALPHA:g}).fit with intercept on TF-IDF-like CSR X, "
                    "100 000 x 20 000 density 2e-3 (quick: 20 000 x 5 000), at equal final objective",
    )
