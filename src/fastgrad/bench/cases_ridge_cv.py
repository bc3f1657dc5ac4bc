"""Benchmark cases: RidgeCV's leave-one-out over 50 alphas (registry in ``cases``).

``ridgecv/tall/...`` (200 000 x 50) and ``ridgecv/wide/...`` (2000 x 5000):
``RidgeCV(alphas=50 log-spaced alphas).fit`` with an intercept, against
scikit-learn's RidgeCV (its default "auto" mode) and a plain-numpy LOO that
solves the normal equations and forms the hat diagonal once per alpha. The
result is ``np.r_[alpha_, coef_, intercept_]``; the objective is the chosen
model's ridge objective (equal when both choose the same alpha).
"""
from __future__ import annotations

import numpy as np

__all__ = ["ridge_cv_cases"]

ALPHAS = np.geomspace(1e-3, 1e3, 50)
_TALL = {"full": (200_000, 50), "quick": (5000, 50), "tiny": (60, 5)}
_WIDE = {"full": (2000, 5000), "quick": (300, 1000), "tiny": (20, 40)}


def _setup_for(sizes, seed):
    def setup(size):
        n, p = sizes[size]
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n, p)) + 1.0
        y = X[:, : min(p, 10)] @ rng.standard_normal(min(p, 10)) + rng.standard_normal(n)
        return {"X": X, "y": y}
    return setup


def _numpy_loo(d):
    """Per alpha: solve the centred normal equations, hat diagonal, LOO MSE."""
    X, y = d["X"], d["y"]
    xm, ym = X.mean(axis=0), y.mean()
    Xc, yc = X - xm, y - ym
    n, p = X.shape
    best = None
    for alpha in ALPHAS:
        if n > p:
            A = Xc.T @ Xc + alpha * np.eye(p)
            w = np.linalg.solve(A, Xc.T @ yc)
            h = np.einsum("ij,ij->i", Xc, np.linalg.solve(A, Xc.T).T)
        else:
            K = Xc @ Xc.T + alpha * np.eye(n)
            dual = np.linalg.solve(K, yc)
            w = Xc.T @ dual
            h = np.einsum("ij,ij->i", Xc @ Xc.T, np.linalg.inv(K))
        mse = np.mean(((yc - Xc @ w) / (1.0 - h - 1.0 / n)) ** 2)
        if best is None or mse < best[0]:
            best = (mse, alpha, w)
    _, alpha, w = best
    return np.r_[alpha, w, ym - xm @ w]


def _objective(d, out):
    out = np.asarray(out)
    alpha, w, b = out[0], out[1:-1], out[-1]
    r = d["y"] - d["X"] @ w - b
    return float(r @ r + alpha * (w @ w))


def ridge_cv_cases(Case, Reference):
    """Yield the cases; ``Case`` / ``Reference`` are passed in to avoid an import cycle."""
    import sklearn.linear_model as sk

    import fastgrad

    def result(model):
        return np.r_[model.alpha_, model.coef_, model.intercept_]

    for shape, sizes, seed in (("tall", _TALL, 61), ("wide", _WIDE, 62)):
        n, p = sizes["full"]
        yield Case(
            f"ridgecv/{shape}/{n}x{p}", "linear-model", _setup_for(sizes, seed),
            lambda d: result(fastgrad.RidgeCV(alphas=ALPHAS).fit(d["X"], d["y"])),
            {
                "numpy_loo": Reference(_numpy_loo, "numpy: normal equations and hat "
                                       "diagonal per alpha"),
                "sklearn": Reference(
                    lambda d: result(sk.RidgeCV(alphas=ALPHAS).fit(d["X"], d["y"])),
                    "sklearn.linear_model.RidgeCV(alphas=50 alphas) (efficient LOO)"),
            },
            rtol=1e-6, atol=1e-8, point_keys=(), objective=_objective, objective_rtol=1e-9,
            description=f"RidgeCV(50 alphas).fit (leave-one-out) on {n} x {p} dense "
                        f"(quick: {sizes['quick'][0]} x {sizes['quick'][1]})",
        )
