"""Benchmark case: SGDRegressor epochs on sparse TF-IDF-like X (part of the registry in ``cases``).

``sgd-regressor-fit/sparse-tfidf/...``: ``SGDRegressor(max_iter=5,
tol=None)`` with scikit-learn's defaults otherwise (squared error, L2
alpha=1e-4, invscaling schedule, intercept) on a CSR matrix of TF-IDF-like
rows (``sparse_data.tfidf_like``). SGD has no tolerance to equalise, so the
runs are compared at the same number of epochs with the same schedule and
the same sample order: fastgrad follows scikit-learn's shuffles and sparse
update rule (O(nnz) steps, intercept decay 0.01), so the three make the
same updates, reach the same coefficients to rounding, and the case's
objective (scikit-learn's ``mean 0.5 r^2 + alpha / 2 ||w||^2``) must agree
too. Per-epoch ratio = ratio of the 5-epoch fits.
"""
from __future__ import annotations

import numpy as np

from .cases_linear import _params
from .sparse_data import TFIDF_SIZES, regression_target, tfidf_problem

__all__ = ["sparse_sgd_cases"]

# (n_samples, n_features, density) per size.
_SIZES = {**TFIDF_SIZES, "tiny": (300, 400, 0.02)}
EPOCHS = 5
ALPHA = 1e-4
ETA0 = 0.01
POWER_T = 0.25
INTERCEPT_DECAY = 0.01  # scikit-learn's SPARSE_INTERCEPT_DECAY
SEED = 0
_MAX_INT = np.iinfo(np.int32).max


def _setup(size):
    return tfidf_problem(_SIZES[size], regression_target, seed=51)


def _objective(d, out):
    out = np.asarray(out)
    w, b = out[:-1], out[-1]
    r = d["y"] - np.asarray(d["X"] @ w).ravel() - b
    return float(0.5 * np.mean(r * r) + 0.5 * ALPHA * w @ w)


def _xorshift_shuffle(order, seed):
    """scikit-learn's per-epoch Fisher-Yates pass (xorshift32, 31-bit draws), in place."""
    n = order.shape[0]
    s = seed
    for i in range(n - 1):
        if s == 0:
            s = 1
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        j = i + (s % (_MAX_INT + 1)) % (n - i)
        order[i], order[j] = order[j], order[i]


def _numpy_sgd(d):
    """The same sparse SGD in a Python loop over rows: w = wscale * v, O(nnz) numpy per step."""
    X, y = d["X"], d["y"]
    n, p = X.shape
    data, indices, indptr = X.data, X.indices, X.indptr
    seed = np.random.RandomState(SEED).randint(0, _MAX_INT)
    order = np.arange(n)
    v = np.zeros(p)
    wscale, b, t = 1.0, 0.0, 1.0
    for _ in range(EPOCHS):
        _xorshift_shuffle(order, seed)
        for i in order:
            k0, k1 = indptr[i], indptr[i + 1]
            idx, xv = indices[k0:k1], data[k0:k1]
            pred = wscale * (xv @ v[idx]) + b
            eta = ETA0 / t**POWER_T
            step = -eta * (pred - y[i])
            wscale *= max(0.0, 1.0 - ALPHA * eta)
            if wscale < 1e-9:
                v *= wscale
                wscale = 1.0
            v[idx] += (step / wscale) * xv
            b += step * INTERCEPT_DECAY
            t += 1.0
    return np.r_[wscale * v, b]


def sparse_sgd_cases(Case, Reference):
    """Yield the case; ``Case`` / ``Reference`` are passed in to avoid an import cycle."""
    import sklearn.linear_model as sk

    import fastgrad

    params = dict(max_iter=EPOCHS, tol=None, alpha=ALPHA, eta0=ETA0, power_t=POWER_T, random_state=SEED)
    yield Case(
        f"sgd-regressor-fit/sparse-tfidf/{EPOCHS}-epochs/100000x50000", "linear-model", _setup,
        lambda d: _params(fastgrad.SGDRegressor(**params).fit(d["X"], d["y"])),
        {
            "numpy": Reference(_numpy_sgd, "numpy: the same sparse SGD and shuffles in a Python loop"),
            "sklearn": Reference(
                lambda d: _params(sk.SGDRegressor(**params).fit(d["X"], d["y"])),
                "sklearn.linear_model.SGDRegressor, same settings and random_state"),
        },
        rtol=1e-6, atol=1e-9, point_keys=(),
        objective=_objective, objective_rtol=1e-8,
        description=f"SGDRegressor(max_iter={EPOCHS}, tol=None).fit on TF-IDF-like CSR X, "
                    "100 000 x 50 000 density 1e-3 (quick: 20 000 x 10 000), float64, "
                    "at equal epochs, schedule and final objective",
    )
