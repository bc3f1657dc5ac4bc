"""Benchmark cases: Lasso paths and LassoCV / ElasticNetCV (registry in ``cases``).

``lasso-path/...``: ``lasso_path`` over 100 alphas from ``alpha_max`` down
to ``1e-3 alpha_max`` on a tall dense X (both libraries take the Gram loop)
and on a wide one (residual loop); ``lassocv/...`` and ``elasticnetcv/...``:
5-fold CV over the same kind of grid, then the refit. fastgrad and
scikit-learn stop every alpha on the same rule (duality gap at most ``tol``
times ``||y||^2 / n``, resp. the centred fold's) with the same ``tol``, so
they stop at an equal duality gap. The "numpy" references are warm-started
FISTA (Gram matrix or products with X) (a different algorithm run to a tight tolerance).
celer's path, where installed, stops on the same gap rule with its own dual point.
A path's result is its coefficient matrix, its objective the sum over the
grid of the Lasso objectives; a CV case's result is ``np.r_[alpha_, coef_,
intercept_]``.
"""
from __future__ import annotations

import numpy as np

from .case import available

__all__ = ["path_cases"]

TOL = 1e-6
FISTA_BUDGET = 30  # iterations per alpha of the numpy yardstick (quick / full)
N_ALPHAS = 100
EPS = 1e-3
# (n_samples, n_features, n_informative) per size and shape
_TALL = {"full": (20_000, 300, 30), "quick": (4000, 150, 20), "tiny": (120, 12, 4)}
# tiny (for the tests) is not wide: with p > n the end of the path is nearly
# interpolating and FISTA needs ~1e5 iterations to match CD's coefficients
_WIDE = {"full": (500, 10_000, 20), "quick": (100, 3000, 10), "tiny": (60, 40, 5)}
_CV = {"full": (5000, 300, 30), "quick": (1500, 100, 15), "tiny": (100, 10, 4)}


def _data(n, p, k, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 1::2] += 0.5 * X[:, ::2][:, : p // 2]  # correlated pairs
    w = np.zeros(p)
    w[rng.choice(p, k, replace=False)] = rng.standard_normal(k) * 3.0
    y = X @ w + rng.standard_normal(n) * np.std(X @ w) / 3.0  # R^2 about 0.9
    return np.asfortranarray(X), y


def _setup_for(sizes, seed):
    def setup(size):
        X, y = _data(*sizes[size], seed)
        alpha_max = float(np.max(np.abs(X.T @ y)) / X.shape[0])
        return {"X": X, "y": y, "alphas": np.geomspace(alpha_max, alpha_max * EPS, N_ALPHAS),
                # the numpy FISTA path is a time yardstick with a fixed budget
                # per alpha (the paths' correctness is tested against
                # scikit-learn here and against numpy CD in tests/naive_paths.py)
                "fista_iter": 200_000 if size == "tiny" else FISTA_BUDGET}
    return setup


def _path_objective(d, out):
    X, y = d["X"], d["y"]
    coefs = np.asarray(out).reshape(X.shape[1], -1)
    R = y[:, None] - X @ coefs
    return float(np.sum(0.5 * (R * R).mean(axis=0) + d["alphas"] * np.abs(coefs).sum(axis=0)))


def _fista_path(X, y, alphas, l1_ratio=1.0, max_iter=200_000, tol=1e-12):
    """Warm-started FISTA on ``Q = X^T X / n`` (plain numpy); coefs (p, n_alphas)."""
    n, p = X.shape
    if p <= n:
        Q, q = X.T @ X / n, X.T @ y / n
        L = float(np.linalg.eigvalsh(Q)[-1])
        gradient = lambda v: Q @ v - q  # noqa: E731
    else:  # wide: products with X are cheaper than a p x p Gram matrix
        L = float(np.linalg.norm(X, 2) ** 2 / n)
        gradient = lambda v: X.T @ (X @ v - y) / n  # noqa: E731
    w = np.zeros(p)
    out = np.empty((p, len(alphas)))
    for a, alpha in enumerate(alphas):
        l1, l2 = alpha * l1_ratio, alpha * (1.0 - l1_ratio)
        step = 1.0 / (L + l2)
        z, t = w.copy(), 1.0
        for _ in range(max_iter):
            u = z - step * (gradient(z) + l2 * z)
            w_new = np.sign(u) * np.maximum(np.abs(u) - step * l1, 0.0)
            if np.max(np.abs(w_new - w)) <= tol * max(np.max(np.abs(w_new)), 1e-300):
                w = w_new
                break
            t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            z = w_new + (t - 1.0) / t_new * (w_new - w)
            if (z - w_new) @ (w_new - w) > 0:  # adaptive restart
                z, t_new = w_new.copy(), 1.0
            w, t = w_new, t_new
        out[:, a] = w
    return out


def _numpy_cv(d, l1_ratio=1.0, n_folds=5):
    """Contiguous K folds, FISTA paths on the centred training parts, refit."""
    X, y = d["X"], d["y"]
    n = X.shape[0]
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    alpha_max = float(np.max(np.abs(Xc.T @ yc)) / (n * l1_ratio))
    alphas = np.geomspace(alpha_max, alpha_max * EPS, N_ALPHAS // 5)
    mse = np.zeros(len(alphas))
    for test in np.array_split(np.arange(n), n_folds):
        train = np.setdiff1d(np.arange(n), test)
        xm, ym = X[train].mean(axis=0), y[train].mean()
        coefs = _fista_path(X[train] - xm, y[train] - ym, alphas, l1_ratio, d["fista_iter"])
        pred = X[test] @ coefs + (ym - xm @ coefs)
        mse += ((pred - y[test][:, None]) ** 2).mean(axis=0) / n_folds
    alpha = alphas[int(np.argmin(mse))]
    w = _fista_path(Xc, yc, [alpha], l1_ratio, d["fista_iter"])[:, 0]
    return np.r_[alpha, w, y.mean() - X.mean(axis=0) @ w]


def _cv_objective_for(l1_ratio):
    def objective(d, out):
        out = np.asarray(out)
        alpha, w, b = out[0], out[1:-1], out[-1]
        r = d["y"] - d["X"] @ w - b
        return float(0.5 * (r @ r) / r.size + alpha * l1_ratio * np.abs(w).sum()
                     + 0.5 * alpha * (1.0 - l1_ratio) * (w @ w))
    return objective


def _celer_path(d):
    from celer import celer_path

    return celer_path(d["X"], d["y"], "lasso", alphas=d["alphas"], tol=TOL)[1]


def _cv_result(model):
    return np.r_[model.alpha_, model.coef_, model.intercept_]


def path_cases(Case, Reference):
    """Yield the cases; ``Case`` / ``Reference`` are passed in to avoid an import cycle."""
    import sklearn.linear_model as sk

    import fastgrad

    # celer (a benchmark-only peer) stops each alpha when its duality gap, with
    # its own extrapolated dual point, is below tol * ||y||^2 / n: the same rule
    celer_refs, celer_note = {}, "; celer not installed: its reference skipped"
    if available("celer"):
        celer_refs["celer"] = Reference(_celer_path, f"celer.celer_path('lasso', tol={TOL:g}), "
                                        "working sets and dual extrapolation, same stopping rule")
        celer_note = ""
    for shape, sizes, seed in (("tall", _TALL, 51), ("wide", _WIDE, 52)):
        full = sizes["full"]
        yield Case(
            f"lasso-path/dense-{shape}/{full[0]}x{full[1]}", "linear-model", _setup_for(sizes, seed),
            lambda d: fastgrad.lasso_path(d["X"], d["y"], alphas=d["alphas"], tol=TOL)[1],
            {
                "numpy_fista": Reference(lambda d: _fista_path(d["X"], d["y"], d["alphas"],
                                                             max_iter=d["fista_iter"]),
                                         f"numpy: warm-started FISTA, a time yardstick "
                                         f"({FISTA_BUDGET} iterations per alpha, so not at "
                                         "equal objective: timed, not compared)",
                                         compare=False),
                "sklearn": Reference(
                    lambda d: sk.lasso_path(d["X"], d["y"], alphas=d["alphas"], tol=TOL)[1],
                    f"sklearn.linear_model.lasso_path(tol={TOL:g}), same stopping rule"),
                **celer_refs,
            },
            rtol=1e-3, atol=1e-4, point_keys=(), objective=_path_objective, objective_rtol=1e-4,
            description=f"lasso_path, {N_ALPHAS} alphas down to {EPS:g} alpha_max, "
                        f"{full[0]} x {full[1]} dense (quick: {sizes['quick'][0]} x "
                        f"{sizes['quick'][1]}), at equal duality gap{celer_note}",
        )

    full = _CV["full"]
    for name, est, l1 in (("lassocv", "LassoCV", 1.0), ("elasticnetcv", "ElasticNetCV", 0.5)):
        kw = {} if l1 == 1.0 else {"l1_ratio": l1}
        yield Case(
            f"{name}/dense/{full[0]}x{full[1]}", "linear-model", _setup_for(_CV, 53),
            (lambda d, e=est, k=kw: _cv_result(
                getattr(fastgrad, e)(cv=5, alphas=N_ALPHAS, tol=TOL, **k).fit(d["X"], d["y"]))),
            {
                "numpy_fista": Reference((lambda d, r=l1: _numpy_cv(d, r)),
                                         "numpy: 5-fold CV of FISTA paths (20 alphas), refit",
                                         compare=False),
                "sklearn": Reference(
                    (lambda d, e=est, k=kw: _cv_result(
                        getattr(sk, e)(cv=5, alphas=N_ALPHAS, tol=TOL, **k).fit(d["X"], d["y"]))),
                    f"sklearn.linear_model.{est}(cv=5, alphas={N_ALPHAS}, tol={TOL:g})",
                    rtol=1e-4, atol=1e-4),
            },
            rtol=1e-4, atol=1e-4, point_keys=(), objective=_cv_objective_for(l1),
            objective_rtol=1e-5,
            description=f"{est}(cv=5, {N_ALPHAS} alphas{', l1_ratio=0.5' if kw else ''}).fit on "
                        f"{full[0]} x {full[1]} dense (quick: {_CV['quick'][0]} x "
                        f"{_CV['quick'][1]}), at equal duality gap",
        )
