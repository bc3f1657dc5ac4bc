"""Benchmark cases: one Lasso fit on wide data (registry in ``cases``).

``wide-lasso-fit/dense-1000x20000/amax20`` (and ``amax100``) and
``wide-lasso-fit/sparse-10000x100000/amax20`` (``amax100``): ``Lasso(alpha =
alpha_max / 20 or / 100, fit_intercept=False)`` on a Gaussian dense X, or a
CSC X with density 1e-3 and Gaussian entries, with a sparse true
coefficient vector and noise (R^2 about 0.9). fastgrad's "auto" picks its
working-set solver here (``solver_ == "ws"``).

Equal accuracy. Each library stops on its own rule (fastgrad, scikit-learn
and celer on a duality gap, skglm on the optimality violation), so each
gets its own ``tol``: the loosest of ``1e-3, 3e-4, 1e-4, ...`` whose
returned coefficients reach a relative duality gap ``<= 1e-6``, found in
``setup`` (untimed). The gap is measured by one numpy function for every
library (``relative_gap``, the certificate the case records): primal minus
dual objective, the dual point being the residual scaled into the dual
feasible set, divided by ``||y||^2 / (2 n)`` (the objective at zero).
celer and skglm are benchmark-only peers: skipped, and said so in the case
description, when not installed.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .case import available

__all__ = ["relative_gap", "wide_lasso_cases"]

GAP = 1e-6
# tol candidates, loosest first (a half-decade grid)
_TOLS = tuple(c * 10.0 ** -k for k in range(3, 13) for c in (1.0, 0.3))
# (n_samples, n_features, n_informative, density); density None: dense
_DENSE = {"full": (1000, 20_000, 100, None), "quick": (300, 5000, 40, None),
          "tiny": (50, 1200, 10, None)}
_SPARSE = {"full": (10_000, 100_000, 1000, 1e-3), "quick": (2000, 20_000, 200, 2e-3),
           "tiny": (150, 1500, 20, 0.03)}
_MAX_ITER = 100_000


def _data(n, p, k, density, seed):
    rng = np.random.default_rng(seed)
    if density is None:
        X = np.asfortranarray(rng.standard_normal((n, p)))
    else:
        # independent positions (a rare duplicate is summed): much faster
        # than scipy.sparse.random at 1e9 cells
        nnz = int(round(density * n * p))
        X = sp.csc_matrix((rng.standard_normal(nnz),
                           (rng.integers(0, n, nnz), rng.integers(0, p, nnz))), shape=(n, p))
        X.sum_duplicates()
    w = np.zeros(p)
    w[rng.choice(p, k, replace=False)] = rng.standard_normal(k)
    signal = np.asarray(X @ w).ravel()
    y = signal + rng.standard_normal(n) * np.std(signal) / 3.0
    return X, y


def relative_gap(X, y, w, alpha):
    """Duality gap of ``1/(2n) ||y - X w||^2 + alpha ||w||_1`` over ``||y||^2 / (2n)``.

    Independent of every solver: numpy / scipy products only.
    """
    n = X.shape[0]
    w = np.asarray(w, dtype=np.float64).ravel()
    r = y - np.asarray(X @ w).ravel()
    c = np.asarray(X.T @ r).ravel() / n
    shrink = max(1.0, float(np.max(np.abs(c))) / alpha)
    theta = r / shrink  # dual feasible: ||X^T theta / n||_inf <= alpha
    primal = 0.5 * (r @ r) / n + alpha * np.abs(w).sum()
    dual = (theta @ y) / n - 0.5 * (theta @ theta) / n
    return (primal - dual) / (0.5 * (y @ y) / n)


FISTA_BUDGET = 100


def numpy_fista(d, n_iter=FISTA_BUDGET):
    """Plain numpy / scipy FISTA for the Lasso: a time yardstick (fixed budget)."""
    X, y, alpha = d["X"], d["y"], d["alpha"]
    n, p = X.shape
    v = np.ones(p) / np.sqrt(p)
    for _ in range(30):  # power iteration for ||X||_2^2
        v = np.asarray(X.T @ np.asarray(X @ v).ravel()).ravel()
        v /= np.linalg.norm(v)
    L = float(np.linalg.norm(np.asarray(X @ v).ravel()) ** 2) / n * 1.01
    w = np.zeros(p)
    z, t = w.copy(), 1.0
    for _ in range(n_iter):
        g = np.asarray(X.T @ (np.asarray(X @ z).ravel() - y)).ravel() / n
        u = z - g / L
        w_new = np.sign(u) * np.maximum(np.abs(u) - alpha / L, 0.0)
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        z = w_new + (t - 1.0) / t_new * (w_new - w)
        w, t = w_new, t_new
    return w


def _fits(divisor):
    import sklearn.linear_model as sk

    import fastgrad

    def kw(d, tol):
        return dict(alpha=d["alpha"], fit_intercept=False, tol=tol)

    fits = {
        "fastgrad": lambda d, t: fastgrad.Lasso(**kw(d, t), max_iter=_MAX_ITER).fit(d["X"], d["y"]),
        "sklearn": lambda d, t: sk.Lasso(**kw(d, t), max_iter=_MAX_ITER).fit(d["X"], d["y"]),
    }
    if available("celer"):
        def celer_fit(d, t):
            from celer import Lasso as CelerLasso
            return CelerLasso(**kw(d, t)).fit(d["X"], d["y"])
        fits["celer"] = celer_fit
    if available("skglm"):
        def skglm_fit(d, t):
            from skglm import Lasso as SkglmLasso
            return SkglmLasso(**kw(d, t)).fit(d["X"], d["y"])
        fits["skglm"] = skglm_fit
    return fits


def _calibrate(fit, d):
    """The loosest candidate tol whose fit is certified; the tightest if none is."""
    for tol in _TOLS:
        coef = fit(d, tol).coef_
        if relative_gap(d["X"], d["y"], coef, d["alpha"]) <= GAP:
            return tol
    return _TOLS[-1]


def _setup_for(sizes, divisor, seed, fits):
    def setup(size):
        X, y = _data(*sizes[size], seed)
        alpha_max = float(np.max(np.abs(np.asarray(X.T @ y).ravel())) / X.shape[0])
        d = {"X": X, "y": y, "alpha": alpha_max / divisor}
        d["tol"] = {name: _calibrate(fit, d) for name, fit in fits.items()}
        d["notes"] = {"tol": dict(d["tol"]), "alpha": d["alpha"], "alpha_max": alpha_max}
        return d
    return setup


def _objective(d, out):
    w = np.asarray(out).ravel()
    r = d["y"] - np.asarray(d["X"] @ w).ravel()
    return float(0.5 * (r @ r) / r.size + d["alpha"] * np.abs(w).sum())


def wide_lasso_cases(Case, Reference):
    """Yield the cases; ``Case`` / ``Reference`` are passed in to avoid an import cycle."""
    labels = {
        "sklearn": "sklearn.linear_model.Lasso (CD over all features), tol calibrated",
        "celer": "celer.Lasso (working sets, dual extrapolation), tol calibrated",
        "skglm": "skglm.Lasso (working sets, Anderson CD), tol calibrated",
    }
    missing = [m for m in ("celer", "skglm") if not available(m)]
    note = f"; not installed, skipped: {', '.join(missing)}" if missing else ""
    for kind, sizes, seed in (("dense", _DENSE, 61), ("sparse", _SPARSE, 62)):
        full = sizes["full"]
        for divisor in (20, 100):
            fits = _fits(divisor)
            refs = {
                name: Reference((lambda d, f=fit, k=name: f(d, d["tol"][k]).coef_),
                                labels[name])
                for name, fit in fits.items() if name != "fastgrad"
            }
            refs["numpy_fista"] = Reference(
                numpy_fista, f"numpy: FISTA, {FISTA_BUDGET} iterations, a time yardstick "
                "(not at equal gap: timed, not compared)", compare=False)
            fg = fits["fastgrad"]
            yield Case(
                f"wide-lasso-fit/{kind}-{full[0]}x{full[1]}/amax{divisor}", "linear-model",
                _setup_for(sizes, divisor, seed + divisor, fits),
                lambda d, f=fg: f(d, d["tol"]["fastgrad"]).coef_,
                refs, rtol=0.0, atol=5e-2, point_keys=(), objective=_objective,
                objective_rtol=1e-5, certificate=lambda d, out: relative_gap(
                    d["X"], d["y"], out, d["alpha"]),
                certificate_max=GAP,
                description=(
                    f"Lasso(alpha_max/{divisor}, fit_intercept=False).fit on {full[0]} x "
                    f"{full[1]} {kind}" + (f" (density {full[3]:g})" if full[3] else "")
                    + f" (quick: {sizes['quick'][0]} x {sizes['quick'][1]}), each library's "
                    f"tol calibrated to a relative duality gap <= {GAP:g} (certified by one "
                    f"numpy gap function){note}"),
            )
