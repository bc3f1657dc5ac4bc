"""Benchmark case: Ridge on sparse TF-IDF-like X (part of the registry in ``cases``).

``ridge-fit/sparse-tfidf/...``: ``Ridge(alpha=1).fit`` with an intercept on a
CSR matrix of L2-normalised TF-IDF-like rows (``sparse_data.tfidf_like``),
against scikit-learn's choices for the same job -- ``solver="auto"`` picks
``sparse_cg`` for sparse X with an intercept, and ``"sag"`` is its other
sparse solver that fits the intercept -- and a plain scipy conjugate
gradient on the implicitly centred normal equations run to rounding level
(the "numpy" reference). Every result is ``np.r_[coef, intercept]``; the
case's objective is scikit-learn's ``||y - X w - b||**2 + alpha ||w||**2``,
so speed-ups only count at equal final objective.
"""
from __future__ import annotations

import numpy as np

from .cases_linear import _params
from .sparse_data import TFIDF_SIZES, regression_target, tfidf_problem

__all__ = ["sparse_ridge_cases"]

# (n_samples, n_features, density) per size.
_SIZES = {**TFIDF_SIZES, "tiny": (200, 300, 0.05)}
ALPHA = 1.0
FASTGRAD_TOL = 1e-10   # largest gradient entry of the mean-form objective
SKLEARN_CG_TOL = 1e-8  # sparse_cg's relative residual; reaches fastgrad's objective
SKLEARN_SAG_TOL = 1e-6
OBJECTIVE_RTOL = 1e-10


def _setup(size):
    return tfidf_problem(_SIZES[size], regression_target, seed=41)


def _objective(d, out):
    out = np.asarray(out)
    w, b = out[:-1], out[-1]
    r = d["y"] - np.asarray(d["X"] @ w).ravel() - b
    return float(r @ r + ALPHA * w @ w)


def _scipy_cg(d):
    """Unpreconditioned CG on (X_c^T X_c + alpha I) w = X_c^T y_c, X_c = X - 1 m^T implicit."""
    import scipy.sparse.linalg as spla

    X, y = d["X"], d["y"]
    m = np.asarray(X.mean(axis=0)).ravel()
    yc = y - y.mean()

    def matvec(v):
        u = np.asarray(X @ v).ravel() - m @ v
        return np.asarray(X.T @ (u - u.mean())).ravel() + ALPHA * v

    op = spla.LinearOperator((X.shape[1],) * 2, matvec=matvec, dtype=np.float64)
    w, _ = spla.cg(op, np.asarray(X.T @ yc).ravel(), rtol=1e-12, atol=0.0, maxiter=10_000)
    return np.r_[w, y.mean() - m @ w]


def sparse_ridge_cases(Case, Reference):
    """Yield the case; ``Case`` / ``Reference`` are passed in to avoid an import cycle."""
    import sklearn.linear_model as sk

    import fastgrad

    yield Case(
        "ridge-fit/sparse-tfidf/100000x50000", "linear", _setup,
        lambda d: _params(fastgrad.Ridge(alpha=ALPHA, tol=FASTGRAD_TOL).fit(d["X"], d["y"])),
        {
            "numpy_scipy_cg": Reference(
                _scipy_cg, "scipy.sparse.linalg.cg on the implicitly centred normal equations, rtol=1e-12"),
            "sklearn_sparse_cg": Reference(
                lambda d: _params(sk.Ridge(alpha=ALPHA, solver="sparse_cg", tol=SKLEARN_CG_TOL)
                                  .fit(d["X"], d["y"])),
                f"sklearn.linear_model.Ridge(solver='sparse_cg', tol={SKLEARN_CG_TOL:g}) "
                "(what solver='auto' picks here)"),
            "sklearn_sag": Reference(
                lambda d: _params(sk.Ridge(alpha=ALPHA, solver="sag", tol=SKLEARN_SAG_TOL, max_iter=1000,
                                           random_state=0).fit(d["X"], d["y"])),
                f"sklearn.linear_model.Ridge(solver='sag', tol={SKLEARN_SAG_TOL:g}, max_iter=1000)",
                rtol=1e-4, atol=1e-5),  # SAG stops on its coefficient-change rule
        },
        rtol=1e-5, atol=1e-6, point_keys=(),
        objective=_objective, objective_rtol=OBJECTIVE_RTOL,
        description=f"Ridge(alpha={ALPHA:g}).fit with intercept on TF-IDF-like CSR X, 100 000 x 50 000 "
                    "density 1e-3 (quick: 20 000 x 10 000), at equal final objective",
    )
