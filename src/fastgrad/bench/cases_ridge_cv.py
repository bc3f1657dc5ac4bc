"""Benchmark cases: RidgeCV's leave-one-out over 50 alphas (registry in ``cases``).

``ridgecv/tall/...`` (200 000 x 50) and ``ridgecv/wide/...`` (2000 x 5000):
``RidgeCV(alphas=50 log-spaced alphas).fit`` with an intercept, against
scikit-learn's RidgeCV (its default "auto" mode) and a plain-numpy LOO that
solves the normal equations and forms the hat diagonal once per alpha. The
result is ``np.r_[alpha_, coef_, intercept_]``; the objective is the chosen
model's ridge objective (equal when both choose the same alpha).

``ridgeclassifiercv/...`` (200 000 x 50, three classes): the same leave-one-out
on the -1 / +1 coded labels, ``RidgeClassifierCV`` against scikit-learn's.
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


def _numpy_loo_fit(X, Y):
    """Per alpha: solve the centred normal equations, hat diagonal, LOO MSE; the best ``(alpha, W, b)``."""
    xm, ym = X.mean(axis=0), Y.mean(axis=0)
    Xc, Yc = X - xm, Y - ym
    n, p = X.shape
    best = None
    for alpha in ALPHAS:
        if n > p:
            A = Xc.T @ Xc + alpha * np.eye(p)
            W = np.linalg.solve(A, Xc.T @ Yc)
            h = np.einsum("ij,ij->i", Xc, np.linalg.solve(A, Xc.T).T)
        else:
            K = Xc @ Xc.T + alpha * np.eye(n)
            W = Xc.T @ np.linalg.solve(K, Yc)
            h = np.einsum("ij,ij->i", Xc @ Xc.T, np.linalg.inv(K))
        mse = np.mean(((Yc - Xc @ W) / (1.0 - h - 1.0 / n)[:, None]) ** 2)
        if best is None or mse < best[0]:
            best = (mse, alpha, W)
    _, alpha, W = best
    return alpha, W.T, ym - xm @ W


def _numpy_loo(d):
    alpha, W, b = _numpy_loo_fit(d["X"], d["y"][:, None])
    return np.r_[alpha, W.ravel(), b]


def _numpy_loo_classifier(d):
    alpha, W, b = _numpy_loo_fit(d["X"], _coded(d["y"]))
    return np.r_[alpha, W.ravel(), b]


def _classes_setup(size):
    n, p = _TALL[size]
    rng = np.random.default_rng(63)
    X = rng.standard_normal((n, p)) + 1.0
    score = X[:, : min(p, 10)] @ rng.standard_normal(min(p, 10)) + rng.standard_normal(n)
    return {"X": X, "y": np.digitize(score, np.quantile(score, [1 / 3, 2 / 3]))}


def _coded(y):
    return np.where(y[:, None] == np.unique(y)[None, :], 1.0, -1.0)


def _classifier_objective(d, out):
    """The ridge objective of the coded labels at the chosen alpha (three columns)."""
    out = np.asarray(out)
    Y = _coded(d["y"])
    k, p = Y.shape[1], d["X"].shape[1]
    alpha, W, b = out[0], out[1:1 + k * p].reshape(k, p), out[1 + k * p:]
    R = Y - d["X"] @ W.T - b
    return float((R * R).sum() + alpha * (W * W).sum())


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

    def classifier_result(model):
        return np.r_[model.alpha_, np.ravel(model.coef_), model.intercept_]

    n, p = _TALL["full"]
    yield Case(
        f"ridgeclassifiercv/{n}x{p}", "linear-model", _classes_setup,
        lambda d: classifier_result(fastgrad.RidgeClassifierCV(alphas=ALPHAS).fit(d["X"], d["y"])),
        {
            "numpy_loo": Reference(_numpy_loo_classifier, "numpy: normal equations and hat "
                                   "diagonal per alpha, on the -1 / +1 coded labels"),
            "sklearn": Reference(
                lambda d: classifier_result(sk.RidgeClassifierCV(alphas=ALPHAS).fit(d["X"], d["y"])),
                "sklearn.linear_model.RidgeClassifierCV(alphas=50 alphas) (efficient LOO)"),
        },
        rtol=1e-6, atol=1e-8, point_keys=(), objective=_classifier_objective, objective_rtol=1e-9,
        description=f"RidgeClassifierCV(50 alphas).fit (leave-one-out), 3 classes, on {n} x {p} "
                    f"dense (quick: {_TALL['quick'][0]} x {_TALL['quick'][1]})",
    )
