"""Benchmark cases: Lasso / ElasticNet on sparse TF-IDF-like X (registry in ``cases``).

``lasso-fit/sparse-tfidf/...`` and ``elastic-net-fit/sparse-tfidf/...``: a
fit with an intercept on a CSR matrix of L2-normalised TF-IDF-like rows
(``sparse_data.tfidf_like``) and a linear target, at ``alpha = alpha_max /
20`` (``alpha_max`` the smallest alpha whose solution is all zeros, for the
L1 part of the penalty), against scikit-learn's sparse coordinate descent.
Both stop on the same rule -- duality gap at most ``tol`` times the centred
``y``'s variance (mean-scale objective) -- with the same ``tol``, so they
stop at an equal duality gap; the case's objective is that mean-scale
elastic-net objective. Every result is ``np.r_[coef, intercept]``.
"""
from __future__ import annotations

import numpy as np

from .cases_linear import _params
from .sparse_data import TFIDF_SIZES, regression_target, tfidf_problem

__all__ = ["sparse_cd_cases"]

# (n_samples, n_features, density) per size.
_SIZES = {**TFIDF_SIZES, "tiny": (200, 300, 0.05)}
ALPHA_FRACTION = 1.0 / 20.0
TOL = 1e-6
OBJECTIVE_RTOL = 1e-6


def _setup(size):
    d = tfidf_problem(_SIZES[size], regression_target, seed=41)
    X, y = d["X"], d["y"]
    n = X.shape[0]
    # alpha_max = max_j |x_j,c . y_c| / n, with x_j,c the centred column
    yc = y - y.mean()
    m = np.asarray(X.mean(axis=0)).ravel()
    alpha_max = float(np.max(np.abs(np.asarray(X.T @ yc).ravel() - m * yc.sum())) / n)
    return {"X": X, "y": y, "alpha_max": alpha_max}


def _alpha(d, l1_ratio):
    return d["alpha_max"] * ALPHA_FRACTION / l1_ratio


def _objective_for(l1_ratio):
    def objective(d, out):
        out = np.asarray(out)
        w, b = out[:-1], out[-1]
        a = _alpha(d, l1_ratio)
        r = d["y"] - np.asarray(d["X"] @ w).ravel() - b
        return float(0.5 * (r @ r) / r.size + a * l1_ratio * np.abs(w).sum()
                     + 0.5 * a * (1.0 - l1_ratio) * (w @ w))
    return objective


def _numpy_fista(d, l1_ratio, max_iter=20_000):
    """FISTA with scipy.sparse products on the implicitly centred problem (no CD)."""
    X, y = d["X"], d["y"]
    n, p = X.shape
    a = _alpha(d, l1_ratio)
    l1, l2 = a * l1_ratio, a * (1.0 - l1_ratio)
    m = np.asarray(X.mean(axis=0)).ravel()
    yc = y - y.mean()

    def xc(v):  # X_c @ v
        return np.asarray(X @ v).ravel() - m @ v

    def xct(u):  # X_c^T @ u
        return np.asarray(X.T @ u).ravel() - m * u.sum()

    v = np.random.default_rng(0).standard_normal(p)
    for _ in range(50):  # power iteration for ||X_c||^2
        v = xct(xc(v))
        v /= np.linalg.norm(v)
    L = 1.01 * np.linalg.norm(xct(xc(v))) / n + l2
    w = z = np.zeros(p)
    t = 1.0
    for _ in range(max_iter):
        g = xct(xc(z) - yc) / n + l2 * z
        u = z - g / L
        w_new = np.sign(u) * np.maximum(np.abs(u) - l1 / L, 0.0)
        if np.max(np.abs(w_new - w)) <= 1e-13 * max(np.max(np.abs(w_new)), 1e-300):
            w = w_new
            break
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        z = w_new + (t - 1.0) / t_new * (w_new - w)
        w, t = w_new, t_new
    return np.r_[w, y.mean() - m @ w]


def sparse_cd_cases(Case, Reference):
    """Yield the cases; ``Case`` / ``Reference`` are passed in to avoid an import cycle."""
    import sklearn.linear_model as sk

    import fastgrad

    for name, l1_ratio in (("lasso", 1.0), ("elastic-net", 0.5)):
        yield Case(
            f"{name}-fit/sparse-tfidf/100000x50000", "linear-model", _setup,
            (lambda d, r=l1_ratio: _params(
                fastgrad.ElasticNet(alpha=_alpha(d, r), l1_ratio=r, tol=TOL).fit(d["X"], d["y"]))),
            {
                "numpy_fista": Reference(
                    (lambda d, r=l1_ratio: _numpy_fista(d, r)),
                    "numpy: FISTA with scipy.sparse products on the implicitly centred problem",
                    rtol=1e-3, atol=1e-5),
                "sklearn_cd": Reference(
                    (lambda d, r=l1_ratio: _params(
                        sk.ElasticNet(alpha=_alpha(d, r), l1_ratio=r, tol=TOL).fit(d["X"], d["y"]))),
                    f"sklearn.linear_model.ElasticNet(l1_ratio={l1_ratio}, tol={TOL:g}) "
                    "(sparse coordinate descent, same stopping rule)"),
            },
            rtol=1e-4, atol=1e-6, point_keys=(),
            objective=_objective_for(l1_ratio), objective_rtol=OBJECTIVE_RTOL,
            description=f"ElasticNet(l1_ratio={l1_ratio}, alpha=alpha_max/20, tol={TOL:g}).fit "
                        "with intercept on TF-IDF-like CSR X, 100 000 x 50 000 density 1e-3 "
                        "(quick: 20 000 x 10 000), at equal duality gap",
        )
